"""`/v1/me/journey/glance`: a dashboard's reads in one answer. Each part equals the read it
stands for (overview, newest sessions, top places and ships, the contract, trade and combat
sums, records), the play per day adds up to the sessions' play time, and the contract
outcomes per kind count each mission once with its merged outcome, on both databases."""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from .test_journey import START, _post_all, _walk
from .test_rollups import MakeUser, chunks, synth_envelopes


def _get(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    response = client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _without_pages(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in ("items", "next_cursor")}


def test_the_glance_equals_the_reads_it_stands_for(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Glancer")
    # Five sessions over the last 4.5 days (none in the future, which the heatmap leaves
    # out), some past midnight, so the day split has work to do.
    start = (datetime.now(UTC) - timedelta(days=6)).replace(second=0, microsecond=0)
    envelopes = synth_envelopes(user.handle, seed=61, sessions=5, start=start)
    _post_all(client, user, chunks(envelopes, random.Random(9), 300))
    h = user.headers
    base = "/v1/me/journey"
    for days in (None, 7, 1):
        window = {} if days is None else {"days": days}
        glance = _get(client, f"{base}/glance", h, **window)
        overview = _get(client, base, h, **window)
        # Both asked the clock: only the window's ends may differ, by the time between.
        for key in ("since", "until"):
            glance["overview"].pop(key), overview.pop(key)
        assert glance["overview"] == overview
        since = {} if days is None else {"since": _since(days)}
        places = _get(client, f"{base}/places", h, limit=1, **since)["places"]
        ships = _get(client, f"{base}/ships", h, limit=1, **since)["ships"]
        assert glance["places"] == places[:8]
        assert glance["ships"] == ships[:8]
        contracts = _get(client, f"{base}/contracts", h, limit=1, **since)
        trades = _get(client, f"{base}/trades", h, limit=1, **since)
        trades["by_good"] = trades["by_good"][:8]
        combat = _get(client, f"{base}/combat", h, limit=1, **since)
        assert glance["contracts"] == _without_pages(contracts)
        assert glance["trades"] == _without_pages(trades)
        assert glance["combat"] == _without_pages(combat)
        if days is None:  # all time has some of everything the comparisons above compared
            for part in (glance["places"], glance["ships"], glance["contracts"]["by_kind"]):
                assert part
            assert glance["trades"]["by_good"]
            assert glance["combat"]["deaths"]
    sessions = _get(client, f"{base}/sessions", h, limit=8)["sessions"]
    assert glance["recent_sessions"] == sessions
    assert glance["records"] == _get(client, f"{base}/records", h)

    # Play per day: every session's time, on the days it covered, adds up to all of it.
    every = _walk(client, user, f"{base}/sessions", "sessions", 50)
    per_day = {date.fromisoformat(d["day"]): d["seconds"] for d in glance["play_by_day"]}
    assert sum(per_day.values()) == _approx(sum(s["seconds"] for s in every))
    first = min(datetime.fromisoformat(s["started_at"]).date() for s in every)
    assert min(per_day) == first
    assert list(per_day) == sorted(per_day)


def test_contract_outcomes_per_kind_count_each_mission_once(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("Contractor")
    envelopes = synth_envelopes(user.handle, seed=67, sessions=4, start=START)
    _post_all(client, user, chunks(envelopes, random.Random(12), 250))
    missions = _walk(client, user, "/v1/me/journey/contracts", "items", 7)
    expected: dict[str, Counter[str]] = {}
    for mission in missions:
        outcome = mission["outcome"]
        column = outcome if outcome in ("completed", "failed", "abandoned") else "other"
        expected.setdefault(mission["contract_kind"], Counter())[
            "in_progress" if outcome == "in_progress" else column
        ] += 1
    by_kind = _get(client, "/v1/me/journey/contracts", user.headers, limit=1)["by_kind"]
    found = {
        row["kind"]: Counter({k: v for k, v in row.items() if k != "kind" and v}) for row in by_kind
    }
    assert found == expected
    assert sum(sum(c.values()) for c in found.values()) == len(missions) > 0
    totals = [sum(v for k, v in row.items() if k != "kind") for row in by_kind]
    assert totals == sorted(totals, reverse=True)  # most missions first


def _since(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def _approx(value: float) -> Any:
    import pytest

    return pytest.approx(value, abs=0.01)
