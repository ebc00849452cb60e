"""The cheaper journey writes at ingest (db/journey_write.py, json_rows.py) store what the
plain ones stored: events are built as `model_construct` builds them and facts serialised as
`to_dict` serialises them (test_journey proves the stored facts equal a rebuild's on both
databases)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from starstats_core.events import EVENT_CLASSES, event_from_dict
from starstats_core.journey import JourneyFold, order_key
from starstats_server.db import journey
from starstats_server.db.journey_write import fact_dict

from .test_rollups import synth_envelopes

START = (datetime.now(UTC) - timedelta(days=3)).replace(second=0, microsecond=0)


def _events(seed: int) -> list[dict[str, Any]]:
    envelopes = synth_envelopes("Builder", seed=seed, sessions=4, start=START)
    return [e for e in envelopes if e.get("event")]


def test_event_of_builds_the_model_model_construct_builds() -> None:
    seen = set()
    for envelope in _events(41):
        payload = envelope["event"]
        kind = payload["type"]
        made = journey.event_of(kind, payload)
        if isinstance(made, journey.Bare):
            assert made == journey.Bare(kind, payload["timestamp"])
            continue
        seen.add(kind)
        expected = EVENT_CLASSES[kind].model_construct(**payload)
        assert type(made) is type(expected)
        assert made.__dict__ == expected.__dict__, kind
        assert made.model_fields_set == expected.model_fields_set, kind
        assert made.model_extra == expected.model_extra
    assert len(seen) > 10, "the synthesized log should hold many kinds the fold reads"


def test_fact_dict_is_to_dict_for_every_fact() -> None:
    timed = sorted(
        _events(43), key=lambda e: order_key(e["event"]["timestamp"], e["source_offset"])
    )
    fold = JourneyFold("Builder")
    facts = fold.feed((event_from_dict(e["event"]), e["idempotency_key"]) for e in timed[:-50])
    facts += fold.open_facts()
    facts += fold.feed((event_from_dict(e["event"]), e["idempotency_key"]) for e in timed[-50:])
    facts += fold.finish()
    assert {f.KIND for f in facts} >= {"session", "stop", "stint", "contract", "death"}
    for fact in facts:
        expected = fact.to_dict()
        made = fact_dict(fact)
        assert made == expected
        assert list(made) == list(expected)
