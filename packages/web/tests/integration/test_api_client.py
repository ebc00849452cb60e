"""The typed API client against the real API server over HTTP: answers parsed into the
generated models, refusals mapped to the error tree, the browser's address forwarded for
rate limits, path templates (never ids) in the metrics, and a dead API reported as such."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from prometheus_client import generate_latest

from starstats_server.app import create_app as create_api
from starstats_server.authz.memory import MemoryAuthorizer
from starstats_server.settings import Settings as ApiSettings
from starstats_web import api_models as m
from starstats_web.api import ApiClient
from starstats_web.errors import (
    ApiEndpointMissing,
    ApiError,
    ApiRateLimited,
    ApiUnauthorized,
    ApiUnavailable,
    SharingUnavailable,
)
from starstats_web.metrics import WebMetrics
from starstats_web.session import view_of

from ..conftest import PASSWORD, Stack, envelopes_for, ingest, sign_up_via_api  # noqa: TID252 - shared web test helpers; tests are not an installed package

T = TypeVar("T")


def run(
    base_url: str, call: Callable[[ApiClient], Awaitable[T]], metrics: WebMetrics | None = None
) -> T:
    """`call` with a fresh client (its own event loop, as each web request has one)."""

    async def go() -> T:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            return await call(ApiClient(http, metrics))

    return asyncio.run(go())


@pytest.fixture
def api_url(stack: Stack) -> str:
    return stack.api_url


def test_signup_returns_a_user_token_and_me_reads_the_account(api_url: str) -> None:
    created = run(
        api_url, lambda c: c.signup("Ace@Example.com", PASSWORD, "Ace_Pilot", client_ip=None)
    )
    assert isinstance(created, m.AuthResponse)
    view = view_of(created.token)
    assert view is not None
    assert view.handle == "Ace_Pilot"
    me = run(api_url, lambda c: c.me(created.token))
    assert (me.claimed_handle, me.email, me.email_verified) == (
        "Ace_Pilot",
        "ace@example.com",
        False,
    )
    again = run(api_url, lambda c: c.login("ace@example.com", PASSWORD, client_ip=None))
    assert again.claimed_handle == "Ace_Pilot"


@pytest.mark.parametrize(
    ("email", "password", "handle", "status", "code"),
    [
        ("taken@example.com", PASSWORD, "Other", 409, "email_taken"),
        ("new@example.com", PASSWORD, "TAKEN_one", 409, "handle_taken"),
        ("new@example.com", "short", "Fresh", 400, "password_too_short"),
        ("not-an-email", PASSWORD, "Fresh", 400, "invalid_email"),
        ("new@example.com", PASSWORD, "bad handle!", 400, "invalid_handle"),
        ("new@example.com", PASSWORD, "", 400, "missing_handle"),
    ],
)
def test_signup_refusals_carry_the_apis_error_codes(
    *, api_url: str, email: str, password: str, handle: str, status: int, code: str
) -> None:
    run(api_url, lambda c: c.signup("taken@example.com", PASSWORD, "Taken_One", client_ip=None))
    with pytest.raises(ApiError) as refused:
        run(api_url, lambda c: c.signup(email, password, handle, client_ip=None))
    assert (refused.value.status, refused.value.code) == (status, code)


def test_a_field_too_long_for_the_schema_is_refused_before_sending(api_url: str) -> None:
    with pytest.raises(ApiError) as refused:
        run(api_url, lambda c: c.signup("a@example.com", "p" * 2000, "Long", client_ip=None))
    assert (refused.value.status, refused.value.code) == (422, "invalid_request")
    assert refused.value.detail.startswith("password:")


def test_wrong_credentials_and_bad_tokens_are_unauthorized(api_url: str, stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with pytest.raises(ApiUnauthorized) as wrong:
        run(api_url, lambda c: c.login(pilot.email, "wrong password here", client_ip=None))
    assert wrong.value.code == "invalid_credentials"
    with pytest.raises(ApiUnauthorized):
        run(api_url, lambda c: c.me("not.a.token"))


def test_pairing_listing_and_revoking_devices(api_url: str, stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    started = run(api_url, lambda c: c.start_pairing(pilot.token, "Rig", client_ip="203.0.113.9"))
    assert len(started.code) == 8
    assert started.label == "Rig"
    assert started.expires_at > datetime.now(UTC) + timedelta(minutes=9)
    redeemed = stack.api("POST", "/v1/auth/devices/redeem", json={"code": started.code})
    device_id = uuid.UUID(redeemed.json()["device_id"])
    listed = run(api_url, lambda c: c.devices(pilot.token)).devices
    assert [(d.id, d.label) for d in listed] == [(device_id, "Rig")]
    run(api_url, lambda c: c.revoke_device(pilot.token, device_id))
    assert run(api_url, lambda c: c.devices(pilot.token)).devices == []
    with pytest.raises(ApiError) as unknown:
        run(api_url, lambda c: c.revoke_device(pilot.token, uuid.uuid4()))
    assert (unknown.value.status, unknown.value.code) == (404, "device_not_found")
    assert not isinstance(unknown.value, ApiEndpointMissing)  # the route exists; the id does not


def test_events_pages_filters_summary_and_sessions(api_url: str, stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    envelopes = envelopes_for(pilot.handle)
    accepted = ingest(stack, pilot.token, pilot.handle, envelopes)
    assert accepted == len(envelopes)

    first = run(api_url, lambda c: c.events(pilot.token, limit=10))
    seqs = [e.seq for e in first.events]
    assert seqs == sorted(seqs, reverse=True)
    assert seqs[0] == accepted
    assert first.next_before == seqs[-1]
    older = run(api_url, lambda c: c.events(pilot.token, before_seq=first.next_before, limit=10))
    assert [e.seq for e in older.events] == [s - 10 for s in seqs]
    newer = run(api_url, lambda c: c.events(pilot.token, after_seq=older.events[0].seq, limit=10))
    assert [e.seq for e in newer.events] == sorted(seqs)  # forward pages come oldest first

    summary = run(api_url, lambda c: c.summary(pilot.token))
    assert summary.total == accepted
    kind = summary.by_type[0].event_type
    only = run(api_url, lambda c: c.events(pilot.token, event_type=kind, limit=500))
    assert {e.event_type for e in only.events} == {kind}

    stamped = [e for e in first.events if e.event_timestamp is not None]
    at = stamped[-1].event_timestamp
    assert at is not None
    window = run(
        api_url, lambda c: c.events(pilot.token, since=at, until=at + timedelta(seconds=1))
    )
    assert window.events
    assert all(
        e.event_timestamp is not None and at <= e.event_timestamp < at + timedelta(seconds=1)
        for e in window.events
    )
    sessions = run(
        api_url, lambda c: c.journey(pilot.token, "/sessions", m.SessionPageOut, limit=5)
    ).sessions
    assert len(sessions) == 2  # the synthesized log holds two launches
    assert all(s.seconds for s in sessions)
    with pytest.raises(ValueError, match="not a journey view"):
        run(api_url, lambda c: c.journey(pilot.token, "/../stats", m.SessionPageOut))


def test_the_browsers_address_is_what_the_api_rate_limits(
    key_file: Path, tmp_path: Path, uvicorn_thread: Any
) -> None:
    """With the API trusting X-Forwarded-For (as it must behind the web server), each
    browser has its own budget: one address running out does not lock out the next."""
    settings = ApiSettings(
        data_dir=tmp_path / "api",
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
        jwt_key_file=key_file,
        auth_rate_per_minute=2,
        trust_forwarded_for=True,
    )
    server = uvicorn_thread(create_api(settings)).start()
    try:
        login = lambda ip: lambda c: c.login("x@example.com", PASSWORD, client_ip=ip)  # noqa: E731 - a curried call reads best here
        for _ in range(2):
            with pytest.raises(ApiUnauthorized):
                run(server.url, login("198.51.100.1"))
        with pytest.raises(ApiRateLimited) as limited:
            run(server.url, login("198.51.100.1"))
        assert limited.value.retry_after is not None
        assert limited.value.retry_after > 0
        with pytest.raises(ApiUnauthorized):  # another browser: its own budget
            run(server.url, login("198.51.100.2"))
    finally:
        server.stop()


def test_public_profiles_are_rate_limited_by_the_browsers_address(
    key_file: Path, tmp_path: Path, uvicorn_thread: Any
) -> None:
    """A public journey takes no token: the API limits it per forwarded client address."""
    settings = ApiSettings(
        data_dir=tmp_path / "api",
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
        jwt_key_file=key_file,
        public_rate_per_minute=2,
        trust_forwarded_for=True,
    )
    server = uvicorn_thread(create_api(settings, authorizer=MemoryAuthorizer())).start()
    try:
        public = lambda ip: lambda c: c.journey(None, "", m.OverviewOut, handle="Nobody",  # noqa: E731 - a curried call reads best here
                                                client_ip=ip)  # fmt: skip
        for _ in range(2):
            with pytest.raises(ApiError) as unknown:
                run(server.url, public("198.51.100.1"))
            assert (unknown.value.status, unknown.value.code) == (404, "stats_not_found")
        with pytest.raises(ApiRateLimited) as limited:
            run(server.url, public("198.51.100.1"))
        assert limited.value.retry_after is not None
        with pytest.raises(ApiError) as other:  # another browser: its own budget
            run(server.url, public("198.51.100.2"))
        assert other.value.status == 404
    finally:
        server.stop()


def test_metrics_label_calls_by_path_template_and_status(api_url: str, stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    metrics = WebMetrics()
    with pytest.raises(ApiError):
        run(api_url, lambda c: c.revoke_device(pilot.token, uuid.uuid4()), metrics)
    run(api_url, lambda c: c.devices(pilot.token), metrics)
    text = generate_latest(metrics.registry).decode()
    assert (
        'starstats_web_api_call_duration_seconds_count{endpoint="/v1/auth/devices/{device_id}",'
        'status="404"} 1.0'
    ) in text
    assert (
        'starstats_web_api_call_duration_seconds_count{endpoint="/v1/auth/devices",'
        'status="200"} 1.0'
    ) in text
    assert pilot.handle not in text


def test_an_api_that_does_not_answer_is_unavailable(free_port: Callable[[], int]) -> None:
    metrics = WebMetrics()
    with pytest.raises(ApiUnavailable):
        run(f"http://127.0.0.1:{free_port()}", lambda c: c.health(), metrics)
    text = generate_latest(metrics.registry).decode()
    assert 'endpoint="/healthz",status="unreachable"' in text


def test_a_route_this_api_lacks_and_a_body_off_contract_are_told_apart(
    api_url: str, stack: Stack
) -> None:
    """Through the client's one GET path: an unknown route is `ApiEndpointMissing` (pages
    then say "not available"); an answer that is not the promised model is `bad_response`."""
    pilot = sign_up_via_api(stack)
    with pytest.raises(ApiEndpointMissing):
        run(api_url, lambda c: c._get(m.Health, "/v1/me/not-a-route", token=pilot.token))
    with pytest.raises(ApiError) as off_contract:
        run(api_url, lambda c: c._get(m.Me, "/healthz"))
    assert off_contract.value.code == "bad_response"


def test_ingest_history_lists_a_devices_batches_newest_first(api_url: str, stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    tokens = {}
    for label in ("Rig", "Deck"):
        started = stack.api("POST", "/v1/auth/devices/start", pilot.token, json={"label": label})
        redeemed = stack.api("POST", "/v1/auth/devices/redeem", json=started.json()).json()
        tokens[label] = (uuid.UUID(redeemed["device_id"]), redeemed["token"])
    envelopes = envelopes_for(pilot.handle, seed=4, sessions=3, lines=2500)
    assert len(envelopes) > 700
    rig, rig_token = tokens["Rig"]
    ingest(stack, rig_token, pilot.handle, envelopes[:700])
    ingest(stack, tokens["Deck"][1], pilot.handle, envelopes[700:])
    ingest(stack, rig_token, pilot.handle, envelopes[:10])  # a replay: all duplicates

    batches = run(api_url, lambda c: c.ingest_history(pilot.token, device_id=rig)).batches
    assert {b.device_id for b in batches} == {rig}
    assert [(b.total, b.accepted, b.duplicate) for b in batches] == [
        (10, 0, 10),
        (200, 200, 0),
        (500, 500, 0),
    ]
    assert batches[0].occurred_at >= batches[-1].occurred_at
    everything = run(api_url, lambda c: c.ingest_history(pilot.token)).batches
    assert sum(b.accepted for b in everything) == len(envelopes)


@pytest.mark.parametrize("authorizer", [MemoryAuthorizer()])
def test_sharing_visibility_and_reading_another_players_stats(
    api_url: str, stack: Stack, authorizer: MemoryAuthorizer
) -> None:
    owner, friend = sign_up_via_api(stack), sign_up_via_api(stack)
    ingest(stack, owner.token, owner.handle, envelopes_for(owner.handle, seed=7))
    assert run(api_url, lambda c: c.visibility(owner.token)).public is False
    own = run(api_url, lambda c: c.journey(owner.token, "", m.OverviewOut))
    total = run(api_url, lambda c: c.summary(owner.token)).total

    def overview(token: str | None, client_ip: str | None = None) -> m.OverviewOut:
        return run(
            api_url,
            lambda c: c.journey(token, "", m.OverviewOut, handle=owner.handle, client_ip=client_ip),
        )

    with pytest.raises(ApiError) as hidden:  # not an ApiEndpointMissing: the route exists
        overview(None)
    assert (hidden.value.status, hidden.value.code) == (404, "stats_not_found")
    assert not isinstance(hidden.value, ApiEndpointMissing)
    assert run(api_url, lambda c: c.set_visibility(owner.token, True)).public is True
    assert overview(None, client_ip="203.0.113.5").totals == own.totals
    summary = run(api_url, lambda c: c.public_summary(owner.handle, client_ip=None))
    assert (summary.claimed_handle, summary.total) == (owner.handle, total)
    sessions = run(
        api_url,
        lambda c: c.journey(None, "/sessions", m.SessionPageOut, handle=owner.handle, limit=7),
    ).sessions
    assert sessions
    run(api_url, lambda c: c.set_visibility(owner.token, False))

    share = run(api_url, lambda c: c.share(owner.token, friend.handle.lower()))
    assert share.recipient_handle == friend.handle
    mine = run(api_url, lambda c: c.my_shares(owner.token))
    assert [s.recipient_handle for s in mine.shares] == [friend.handle]
    theirs = run(api_url, lambda c: c.shared_with_me(friend.token)).shares
    assert [(s.owner_handle, s.via_org) for s in theirs] == [(owner.handle, None)]
    assert overview(friend.token).totals == own.totals
    assert run(api_url, lambda c: c.user_summary(friend.token, owner.handle)).total == total
    shared = run(
        api_url,
        lambda c: c.journey(friend.token, "/sessions", m.SessionPageOut, handle=owner.handle),
    ).sessions
    assert [s.session_id for s in shared[: len(sessions)]] == [s.session_id for s in sessions]

    for handle, code in [
        ("Nobody", "recipient_not_found"),
        (owner.handle, "cannot_share_with_self"),
    ]:
        with pytest.raises(ApiError) as refused:
            run(api_url, lambda c, h=handle: c.share(owner.token, h))
        assert refused.value.code == code
    assert run(api_url, lambda c: c.unshare(owner.token, friend.handle)).revoked == friend.handle
    with pytest.raises(ApiError) as gone:
        run(api_url, lambda c: c.unshare(owner.token, friend.handle))
    assert gone.value.code == "share_not_found"
    with pytest.raises(ApiError) as hidden_again:
        overview(friend.token)
    assert hidden_again.value.status == 404
    with pytest.raises(ApiError) as unknown:  # an unknown handle: the same 404
        run(api_url, lambda c: c.journey(friend.token, "", m.OverviewOut, handle="Nobody"))
    assert (unknown.value.status, unknown.value.code) == (404, hidden_again.value.code)


@pytest.mark.parametrize("authorizer", [MemoryAuthorizer()])
def test_orgs_members_and_org_shares(
    api_url: str, stack: Stack, authorizer: MemoryAuthorizer
) -> None:
    owner, mate = sign_up_via_api(stack), sign_up_via_api(stack)
    created = run(api_url, lambda c: c.create_org(owner.token, "Red Wing", "Red"))
    assert (created.slug, created.name, created.my_role) == ("red", "Red Wing", m.Role.owner)
    with pytest.raises(ApiError) as taken:
        run(api_url, lambda c: c.create_org(mate.token, "Other", "red"))
    assert (taken.value.status, taken.value.code) == (409, "slug_taken")
    added = run(api_url, lambda c: c.set_member(owner.token, "red", mate.handle, m.Role.admin))
    assert (added.handle, added.role) == (mate.handle, m.Role.admin)
    assert [o.slug for o in run(api_url, lambda c: c.orgs(mate.token)).orgs] == ["red"]
    shared = run(api_url, lambda c: c.share_with_org(mate.token, "red"))
    assert (shared.org_slug, shared.org_name) == ("red", "Red Wing")
    detail = run(api_url, lambda c: c.org(owner.token, "red"))
    assert {x.handle: x.role for x in detail.members} == {
        owner.handle: m.Role.owner,
        mate.handle: m.Role.admin,
    }
    assert detail.shared_by == [mate.handle]
    assert run(api_url, lambda c: c.unshare_org(mate.token, "red")).revoked == "red"
    with pytest.raises(ApiError) as not_owner:
        run(api_url, lambda c: c.delete_org(mate.token, "red"))
    assert (not_owner.value.status, not_owner.value.code) == (403, "not_org_admin")
    run(api_url, lambda c: c.remove_member(mate.token, "red", mate.handle))  # leaving
    with pytest.raises(ApiError) as outsider:
        run(api_url, lambda c: c.org(mate.token, "red"))
    assert (outsider.value.status, outsider.value.code) == (404, "org_not_found")
    run(api_url, lambda c: c.delete_org(owner.token, "red"))
    assert run(api_url, lambda c: c.orgs(owner.token)).orgs == []


def test_without_spicedb_sharing_is_unavailable_not_the_api(api_url: str, stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with pytest.raises(SharingUnavailable) as off:
        run(api_url, lambda c: c.visibility(pilot.token))
    assert (off.value.status, off.value.code) == (503, "spicedb_unavailable")
    assert "SpiceDB" in off.value.detail
    with pytest.raises(SharingUnavailable):
        run(api_url, lambda c: c.journey(None, "", m.OverviewOut, handle=pilot.handle))
    assert run(api_url, lambda c: c.me(pilot.token)).claimed_handle == pilot.handle


def test_a_path_segment_never_walks_to_another_route(api_url: str, stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    metrics = WebMetrics()
    overview = lambda handle: lambda c: c.journey(pilot.token, "", m.OverviewOut, handle=handle)  # noqa: E731 - a curried call reads best here
    for bad in ("..", ".", ""):
        with pytest.raises(ApiError) as refused:
            run(api_url, overview(bad), metrics)
        assert refused.value.code == "invalid_request"
    with pytest.raises(ApiError) as slashed:  # sent, encoded: one segment the API refuses
        run(api_url, overview("../me"), metrics)
    assert slashed.value.status in (404, 422)
    text = generate_latest(metrics.registry).decode()
    assert 'endpoint="/v1/u/{handle}/journey"' in text
    assert "unreachable" not in text


@pytest.mark.parametrize("authorizer", [MemoryAuthorizer()])
def test_a_journey_is_read_as_mine_as_shared_or_as_public(api_url: str, stack: Stack) -> None:
    owner, friend = sign_up_via_api(stack), sign_up_via_api(stack)
    ingest(stack, owner.token, owner.handle, envelopes_for(owner.handle, seed=8))
    metrics = WebMetrics()

    def overview(token: str | None, handle: str | None) -> m.OverviewOut:
        return run(api_url, lambda c: c.journey(token, "", m.OverviewOut, handle=handle), metrics)

    mine = overview(owner.token, None)
    with pytest.raises(ApiError) as hidden:
        overview(friend.token, owner.handle)
    assert (hidden.value.status, hidden.value.code) == (404, "stats_not_found")
    run(api_url, lambda c: c.share(owner.token, friend.handle))
    assert overview(friend.token, owner.handle).totals == mine.totals
    with pytest.raises(ApiError):
        overview(None, owner.handle)  # shared with one player is not public
    run(api_url, lambda c: c.set_visibility(owner.token, True))
    assert overview(None, owner.handle).totals == mine.totals
    newest = run(api_url, lambda c: c.journey(None, "/sessions", m.SessionPageOut,
                                              handle=owner.handle, limit=1))  # fmt: skip
    session_id = newest.sessions[0].session_id
    story = run(api_url, lambda c: c.journey_session(None, session_id, handle=owner.handle))
    assert story.session.session_id == session_id
    with pytest.raises(ApiError) as walked:
        overview(None, "..")
    assert walked.value.code == "invalid_request"
    text = generate_latest(metrics.registry).decode()
    for template in ("/v1/me/journey", "/v1/u/{handle}/journey", "/v1/public/{handle}/journey"):
        assert f'endpoint="{template}"' in text


def test_deleting_the_account_needs_the_password(api_url: str, stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with pytest.raises(ApiError) as wrong:
        run(api_url, lambda c: c.delete_account(pilot.token, "wrong password", client_ip=None))
    assert (wrong.value.status, wrong.value.code) == (403, "wrong_password")
    run(api_url, lambda c: c.delete_account(pilot.token, PASSWORD, client_ip="203.0.113.7"))
    with pytest.raises(ApiUnauthorized):
        run(api_url, lambda c: c.me(pilot.token))
