"""The SpiceDB adapter against a real SpiceDB gRPC endpoint (`scripts/spicedb_dev.py`, the
root conftest's fixtures): idempotent writes, refused tuples, the preshared key, deadlines and
the circuit breaker, schema bootstrap, TLS and client spans."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from starstats_server.authz.memory import MemoryAuthorizer
from starstats_server.authz.port import (
    Authorizer,
    AuthzUnavailable,
    InvalidRelationship,
    ObjectRef,
    ObjectType,
    Permission,
    Relation,
    Relationship,
    RelationshipFilter,
    anyone,
    organization,
    schema_text,
    stats_record,
    user,
)
from starstats_server.authz.spicedb import CircuitBreaker, SpiceDbAuthorizer

T = TypeVar("T")
OWNER = Relationship(stats_record("alice"), Relation.OWNER, user("alice"))


def run(authz: Authorizer, scenario: Callable[[Authorizer], Awaitable[T]]) -> T:
    """`scenario(authz)` in a fresh event loop, the channel closed inside it."""

    async def go() -> T:
        try:
            return await scenario(authz)
        finally:
            await authz.close()

    return asyncio.run(go())


@pytest.fixture(params=["spicedb", "memory"])
def authorizer(request: pytest.FixtureRequest) -> Authorizer:
    if request.param == "memory":
        return MemoryAuthorizer()
    server: Any = request.getfixturevalue("spicedb")
    return SpiceDbAuthorizer(server.endpoint, server.key, timeout=5.0)


def is_open(breaker: CircuitBreaker) -> bool:
    return breaker.open  # (a call, so that mypy does not narrow the property)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_touch_is_idempotent(authorizer: Authorizer) -> None:
    async def scenario(authz: Authorizer) -> None:
        await authz.write(touch=[OWNER])
        await authz.write(touch=[OWNER])  # the same tuple again: no error
        assert await authz.check(stats_record("alice"), Permission.EDIT, user("alice"))
        await authz.write(delete=[OWNER])
        await authz.write(delete=[OWNER])  # absent now: still no error
        absent = Relationship(stats_record("nobody"), Relation.SHARE_WITH_USER, user("x"))
        await authz.write(delete=[absent])
        await authz.write()  # nothing at all
        await authz.delete_matching([RelationshipFilter(ObjectType.STATS_RECORD, "nobody")])
        assert not await authz.check(stats_record("alice"), Permission.EDIT, user("alice"))

    run(authorizer, scenario)


FORBIDDEN = [
    Relationship(stats_record("alice"), Relation.OWNER, organization("acme")),
    Relationship(stats_record("alice"), Relation.OWNER, anyone()),
    Relationship(stats_record("alice"), Relation.PUBLIC_VIEW, user("bob")),
    Relationship(stats_record("alice"), Relation.SHARE_WITH_ORG, user("bob")),
    Relationship(organization("acme"), Relation.MEMBER, anyone()),
    Relationship(organization("acme"), Relation.SHARE_WITH_USER, user("bob")),
    Relationship(ObjectRef(ObjectType.USER, "alice"), Relation.OWNER, user("alice")),
]


@pytest.mark.parametrize("forbidden", FORBIDDEN, ids=str)
def test_a_tuple_the_schema_forbids_is_refused_and_nothing_is_written(
    authorizer: Authorizer, forbidden: Relationship
) -> None:
    share = Relationship(stats_record("alice"), Relation.SHARE_WITH_USER, user("bob"))

    async def scenario(authz: Authorizer) -> None:
        with pytest.raises(InvalidRelationship):
            await authz.write(touch=[share, forbidden])
        with pytest.raises(InvalidRelationship):
            await authz.write(delete=[forbidden])
        # atomic: the valid half of the refused write did not land
        assert not await authz.check(stats_record("alice"), Permission.VIEW, user("bob"))

    run(authorizer, scenario)


def test_the_same_tuple_twice_in_one_write_is_refused(authorizer: Authorizer) -> None:
    async def scenario(authz: Authorizer) -> None:
        with pytest.raises(InvalidRelationship):
            await authz.write(touch=[OWNER], delete=[OWNER])
        with pytest.raises(InvalidRelationship):
            await authz.write(touch=[OWNER, OWNER])
        assert not await authz.check(stats_record("alice"), Permission.EDIT, user("alice"))

    run(authorizer, scenario)


def test_a_refused_tuple_does_not_trip_the_breaker(spicedb: Any) -> None:
    breaker = CircuitBreaker(threshold=2, cooldown=60, clock=FakeClock())
    authz = SpiceDbAuthorizer(spicedb.endpoint, spicedb.key, breaker=breaker, timeout=5.0)

    async def scenario(authz: Authorizer) -> None:
        for _ in range(4):
            with pytest.raises(InvalidRelationship):
                await authz.write(touch=[FORBIDDEN[0]])
        assert not is_open(breaker)
        await authz.write(touch=[OWNER])

    run(authz, scenario)


def test_a_wrong_key_is_unavailable_and_not_ready(spicedb: Any) -> None:
    wrong = SpiceDbAuthorizer(spicedb.endpoint, spicedb.key + "x", timeout=5.0)

    async def scenario(authz: Authorizer) -> bool:
        with pytest.raises(AuthzUnavailable, match="PERMISSION_DENIED"):
            await authz.check(stats_record("alice"), Permission.VIEW, user("alice"))
        with pytest.raises(AuthzUnavailable):
            await authz.write(touch=[OWNER])
        return await authz.ready()

    assert run(wrong, scenario) is False
    right = SpiceDbAuthorizer(spicedb.endpoint, spicedb.key, timeout=5.0)
    assert run(right, lambda authz: authz.ready()) is True


def test_no_key_at_all_is_unauthenticated(spicedb: Any) -> None:
    import grpc
    from authzed.api.v1 import ReadSchemaRequest
    from authzed.api.v1.schema_service_pb2_grpc import SchemaServiceStub

    with (
        grpc.insecure_channel(spicedb.endpoint) as channel,
        pytest.raises(grpc.RpcError) as refused,
    ):
        SchemaServiceStub(channel).ReadSchema(ReadSchemaRequest(), timeout=5)
    assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED


def test_nobody_listening_is_unavailable_and_opens_the_breaker(
    spicedb: Any, free_port: Callable[[], int]
) -> None:
    """Failures on a dead endpoint open the breaker; while open, even a call that would work
    fails at once without reaching SpiceDB (the breaker is shared with a live adapter to
    prove it); after the cool-down a successful call closes it."""
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=3, cooldown=30.0, clock=clock)
    dead = SpiceDbAuthorizer(f"127.0.0.1:{free_port()}", "key", breaker=breaker)
    live = SpiceDbAuthorizer(spicedb.endpoint, spicedb.key, breaker=breaker, timeout=5.0)
    question = (stats_record("alice"), Permission.VIEW, user("alice"))

    async def scenario(_: Authorizer) -> None:
        try:
            await live.write(touch=[OWNER])
            for _attempt in range(3):
                assert not is_open(breaker)
                started = time.monotonic()
                with pytest.raises(AuthzUnavailable, match=r"UNAVAILABLE|DEADLINE_EXCEEDED"):
                    await dead.check(*question)
                assert time.monotonic() - started < 5.0
            assert is_open(breaker)
            started = time.monotonic()
            with pytest.raises(AuthzUnavailable, match="circuit open"):
                await live.check(*question)
            with pytest.raises(AuthzUnavailable, match="circuit open"):
                await live.write(touch=[OWNER])
            assert time.monotonic() - started < 0.5
            # readiness bypasses the breaker: it reports the truth while the circuit is open
            assert await live.ready()
            assert not await dead.ready()

            clock.now += 29.0
            assert is_open(breaker)
            clock.now += 1.0  # the cool-down is over: half-open, a trial call goes through
            assert not is_open(breaker)
            assert await live.check(*question)
            assert not is_open(breaker)
            # closed again: it takes `threshold` new failures to open it
            for _attempt in range(2):
                with pytest.raises(AuthzUnavailable):
                    await dead.check(*question)
            assert not is_open(breaker)
            assert await live.check(*question)  # a success resets the count
            for _attempt in range(2):
                with pytest.raises(AuthzUnavailable):
                    await dead.check(*question)
            assert not is_open(breaker)
        finally:
            await dead.close()

    run(live, scenario)


def test_a_failed_trial_call_reopens_the_breaker(free_port: Callable[[], int]) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=2, cooldown=10.0, clock=clock)
    dead = SpiceDbAuthorizer(f"127.0.0.1:{free_port()}", "key", breaker=breaker)
    question = (stats_record("alice"), Permission.VIEW, user("alice"))

    async def scenario(authz: Authorizer) -> None:
        for _attempt in range(2):
            with pytest.raises(AuthzUnavailable):
                await authz.check(*question)
        assert is_open(breaker)
        clock.now += 10.0
        assert not is_open(breaker)
        with pytest.raises(AuthzUnavailable, match=r"UNAVAILABLE|DEADLINE_EXCEEDED"):
            await authz.check(*question)  # the trial fails ...
        assert is_open(breaker)  # ... so the circuit opens for another cool-down
        with pytest.raises(AuthzUnavailable, match="circuit open"):
            await authz.check(*question)

    run(dead, scenario)


def test_ensure_schema_writes_it_once_then_checks_work(fresh_spicedb: Any) -> None:
    authz = SpiceDbAuthorizer(fresh_spicedb.endpoint, fresh_spicedb.key, timeout=5.0)

    async def scenario(authz: Authorizer) -> list[bool]:
        # Reachable and authorised, but not ready: without a schema every check fails.
        assert not await authz.ready()
        # Before the schema exists SpiceDB answers FAILED_PRECONDITION ("object definition
        # `stats_record` not found"): an outage (`authz sync` writes the schema), not a bug.
        with pytest.raises(AuthzUnavailable, match="CheckPermission"):
            await authz.check(stats_record("alice"), Permission.VIEW, user("alice"))
        written = [await authz.ensure_schema(schema_text()), await authz.ensure_schema("")]
        await authz.write(touch=[OWNER])
        assert await authz.check(stats_record("alice"), Permission.EDIT, user("alice"))
        assert not await authz.check(stats_record("alice"), Permission.EDIT, user("bob"))
        return written

    assert run(authz, scenario) == [True, False]


def test_ensure_schema_with_a_wrong_key_is_unavailable(fresh_spicedb: Any) -> None:
    authz = SpiceDbAuthorizer(fresh_spicedb.endpoint, "not-the-key", timeout=5.0)

    async def scenario(authz: Authorizer) -> None:
        with pytest.raises(AuthzUnavailable):
            await authz.ensure_schema(schema_text())

    run(authz, scenario)


def test_tls_with_the_ca_certificate(spicedb_tls: Any) -> None:
    authz = SpiceDbAuthorizer(
        spicedb_tls.endpoint, spicedb_tls.key, ca_certificates=spicedb_tls.ca_cert, timeout=5.0
    )
    tuple_ = Relationship(stats_record("tls"), Relation.OWNER, user("tls"))

    async def scenario(authz: Authorizer) -> bool:
        assert await authz.ready()
        await authz.write(touch=[tuple_])
        answer = await authz.check(stats_record("tls"), Permission.EDIT, user("tls"))
        await authz.write(delete=[tuple_])
        return answer

    assert run(authz, scenario) is True


@pytest.mark.parametrize(
    "how", ["system roots", "plaintext"], ids=["tls without the CA", "plaintext"]
)
def test_tls_without_the_ca_certificate_is_unavailable(spicedb_tls: Any, how: str) -> None:
    authz = SpiceDbAuthorizer(
        spicedb_tls.endpoint, spicedb_tls.key, tls=how == "system roots", timeout=2.0
    )

    async def scenario(authz: Authorizer) -> bool:
        with pytest.raises(AuthzUnavailable):
            await authz.check(stats_record("tls"), Permission.VIEW, user("tls"))
        return await authz.ready()

    assert run(authz, scenario) is False


def test_each_call_is_a_client_span(spicedb: Any, spans: Any) -> None:
    from opentelemetry import trace

    from starstats_telemetry.tracing import flush

    tracer = trace.get_tracer("tests")
    authz = SpiceDbAuthorizer(spicedb.endpoint, spicedb.key, timeout=5.0)
    refused = Relationship(stats_record("alice"), Relation.OWNER, organization("acme"))

    async def scenario(authz: Authorizer) -> int:
        with tracer.start_as_current_span("test") as parent:
            await authz.write(touch=[OWNER])
            await authz.check(stats_record("alice"), Permission.VIEW, user("alice"))
            await authz.delete_matching([RelationshipFilter(ObjectType.STATS_RECORD, "alice")])
            await authz.ensure_schema(schema_text())  # already there: a read only
            with pytest.raises(InvalidRelationship):
                await authz.write(touch=[refused])
            return parent.get_span_context().trace_id

    trace_id = run(authz, scenario)
    flush()
    mine = [
        s
        for s in spans.get_finished_spans()
        if s.context.trace_id == trace_id and s.kind is trace.SpanKind.CLIENT
    ]
    assert [s.name for s in mine] == [
        "authzed.api.v1.PermissionsService/WriteRelationships",
        "authzed.api.v1.PermissionsService/CheckPermission",
        "authzed.api.v1.PermissionsService/DeleteRelationships",
        "authzed.api.v1.SchemaService/ReadSchema",
        "authzed.api.v1.PermissionsService/WriteRelationships",
    ]
    for span in mine:
        attributes = dict(span.attributes or {})
        service, method = span.name.split("/")
        assert attributes["rpc.system"] == "grpc"
        assert attributes["rpc.service"] == service
        assert attributes["rpc.method"] == method
        assert attributes["server.address"] == spicedb.endpoint
    assert dict(mine[-1].attributes or {})["rpc.grpc.status_code"] == 3  # INVALID_ARGUMENT
    assert not mine[-1].status.is_ok
