"""The SpiceDB adapter: authzed's gRPC stubs over one async channel, a preshared key on every
call, TLS when asked for.

Two rules keep a sick SpiceDB from taking requests down with it: every call has a short
deadline, and a circuit breaker stops calling after repeated failures, answering
`AuthzUnavailable` at once until a trial call after the cool-down succeeds. Each call is an
OpenTelemetry client span (`authzed.api.v1.PermissionsService/CheckPermission`, ...).
"""

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import grpc
import grpc.aio
from authzed.api.v1 import (
    CheckPermissionRequest,
    CheckPermissionResponse,
    Consistency,
    DeleteRelationshipsRequest,
    ObjectReference,
    ReadSchemaRequest,
    RelationshipUpdate,
    SubjectFilter,
    SubjectReference,
    WriteRelationshipsRequest,
    WriteSchemaRequest,
)
from authzed.api.v1 import Relationship as PbRelationship
from authzed.api.v1 import RelationshipFilter as PbFilter
from authzed.api.v1.permission_service_pb2_grpc import PermissionsServiceStub
from authzed.api.v1.schema_service_pb2_grpc import SchemaServiceStub
from opentelemetry import trace

from starstats_server.authz.port import (
    AuthzUnavailable,
    InvalidRelationship,
    ObjectRef,
    Permission,
    Relationship,
    RelationshipFilter,
)

_tracer = trace.get_tracer("starstats_server.authz")
T = TypeVar("T")

# Answers that mean "your request is wrong", not "SpiceDB is unwell": they do not trip the
# breaker and are not retried.
_CALLER_ERRORS = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION}


def _schema_missing(exc: grpc.aio.AioRpcError) -> bool:
    """SpiceDB without our schema (a memory datastore restarted, a wiped database) says
    "object definition `stats_record` not found": an outage to repair with `authz sync`,
    not a bug in the request (our type names are fixed and tested)."""
    details = exc.details() or ""
    return exc.code() is grpc.StatusCode.FAILED_PRECONDITION and (
        "object definition" in details and "not found" in details
    )


class CircuitBreaker:
    """Closed until `threshold` consecutive failures; then open for `cooldown` seconds, during
    which calls fail at once; then one trial call closes it again or re-opens it. (Small
    enough to own: the maintained breaker libraries are synchronous or tornado-based.)"""

    def __init__(
        self, threshold: int, cooldown: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def open(self) -> bool:
        if self._opened_at is None:
            return False
        # Past the cool-down it is half-open: calls go through to test the water.
        return self._clock() - self._opened_at < self.cooldown

    def success(self) -> None:
        self._failures = 0
        self._opened_at = None

    def failure(self) -> None:
        self._failures += 1
        if self._failures >= self.threshold:
            self._opened_at = self._clock()


def _object(ref: ObjectRef) -> ObjectReference:
    return ObjectReference(object_type=ref.type.value, object_id=ref.id)


def _subject(ref: ObjectRef) -> SubjectReference:
    return SubjectReference(object=_object(ref))


def _tuple(relationship: Relationship) -> PbRelationship:
    return PbRelationship(
        resource=_object(relationship.resource),
        relation=relationship.relation.value,
        subject=_subject(relationship.subject),
    )


def _filter(spec: RelationshipFilter) -> PbFilter:
    subject = None
    if spec.subject is not None:
        subject = SubjectFilter(
            subject_type=spec.subject.type.value, optional_subject_id=spec.subject.id
        )
    return PbFilter(
        resource_type=spec.resource_type.value,
        optional_resource_id=spec.resource_id or "",
        optional_relation=spec.relation.value if spec.relation is not None else "",
        optional_subject_filter=subject,
    )


class SpiceDbAuthorizer:
    """`Authorizer` over gRPC. `endpoint` is `host:port`; `ca_file` bytes turn TLS on (or
    `tls=True` with the system roots)."""

    def __init__(
        self,
        endpoint: str,
        preshared_key: str,
        *,
        tls: bool = False,
        ca_certificates: bytes | None = None,
        timeout: float = 0.5,
        write_timeout: float = 2.0,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._metadata = (("authorization", f"Bearer {preshared_key}"),)
        self._timeout = timeout
        self._write_timeout = write_timeout
        self.breaker = breaker or CircuitBreaker(threshold=5, cooldown=10.0)
        self._tls = tls or ca_certificates is not None
        self._ca = ca_certificates
        self._channel: grpc.aio.Channel | None = None
        self._permissions: PermissionsServiceStub | None = None
        self._schema: SchemaServiceStub | None = None

    def _stubs(self) -> tuple[PermissionsServiceStub, SchemaServiceStub]:
        # Made on first use, inside the event loop that will run the calls (grpc.aio binds
        # a channel to its loop).
        if self._permissions is None or self._schema is None:
            if self._tls:
                creds = grpc.ssl_channel_credentials(root_certificates=self._ca)
                self._channel = grpc.aio.secure_channel(self.endpoint, creds)
            else:
                self._channel = grpc.aio.insecure_channel(self.endpoint)
            self._permissions = PermissionsServiceStub(self._channel)
            self._schema = SchemaServiceStub(self._channel)
        return self._permissions, self._schema

    async def _call(
        self, service: str, method: str, run: Callable[[], Awaitable[T]], *, breaker: bool = True
    ) -> T:
        if breaker and self.breaker.open:
            raise AuthzUnavailable("SpiceDB circuit open after repeated failures")
        with _tracer.start_as_current_span(
            f"authzed.api.v1.{service}/{method}",
            kind=trace.SpanKind.CLIENT,
            attributes={
                "rpc.system": "grpc",
                "rpc.service": f"authzed.api.v1.{service}",
                "rpc.method": method,
                "server.address": self.endpoint,
            },
        ) as span:
            try:
                result = await run()
            except grpc.aio.AioRpcError as exc:
                span.set_attribute("rpc.grpc.status_code", exc.code().value[0])
                if exc.code() in _CALLER_ERRORS and not _schema_missing(exc):
                    raise InvalidRelationship(exc.details() or str(exc.code())) from None
                if breaker:
                    self.breaker.failure()
                hint = " (no schema: run `starstats-server authz sync`)"
                raise AuthzUnavailable(
                    f"SpiceDB {method}: {exc.code().name}{hint if _schema_missing(exc) else ''}"
                ) from None
            if breaker:
                self.breaker.success()
            return result

    async def check(self, resource: ObjectRef, permission: Permission, subject: ObjectRef) -> bool:
        permissions, _ = self._stubs()
        request = CheckPermissionRequest(
            # Sharing changes must take effect at once (a revoked share must stop working),
            # so no cached snapshot: see ADR 0008.
            consistency=Consistency(fully_consistent=True),
            resource=_object(resource),
            permission=permission.value,
            subject=_subject(subject),
        )

        async def run() -> Any:
            return await permissions.CheckPermission(
                request, timeout=self._timeout, metadata=self._metadata
            )

        response = await self._call("PermissionsService", "CheckPermission", run)
        # CONDITIONAL (a caveat without its context) is a deny: our schema has no caveats.
        return bool(
            response.permissionship == CheckPermissionResponse.PERMISSIONSHIP_HAS_PERMISSION
        )

    async def write(
        self, touch: Sequence[Relationship] = (), delete: Sequence[Relationship] = ()
    ) -> None:
        if not touch and not delete:
            return
        permissions, _ = self._stubs()
        updates = [
            RelationshipUpdate(operation=RelationshipUpdate.OPERATION_TOUCH, relationship=_tuple(t))
            for t in touch
        ] + [
            RelationshipUpdate(
                operation=RelationshipUpdate.OPERATION_DELETE, relationship=_tuple(t)
            )
            for t in delete
        ]
        request = WriteRelationshipsRequest(updates=updates)

        async def run() -> Any:
            return await permissions.WriteRelationships(
                request, timeout=self._write_timeout, metadata=self._metadata
            )

        await self._call("PermissionsService", "WriteRelationships", run)

    async def delete_matching(self, filters: Sequence[RelationshipFilter]) -> None:
        permissions, _ = self._stubs()
        for spec in filters:
            request = DeleteRelationshipsRequest(relationship_filter=_filter(spec))

            async def run(request: DeleteRelationshipsRequest = request) -> Any:
                return await permissions.DeleteRelationships(
                    request, timeout=self._write_timeout, metadata=self._metadata
                )

            await self._call("PermissionsService", "DeleteRelationships", run)

    async def ensure_schema(self, schema: str) -> bool:
        _, schemas = self._stubs()

        async def read() -> Any:
            try:
                return await schemas.ReadSchema(
                    ReadSchemaRequest(), timeout=self._write_timeout, metadata=self._metadata
                )
            except grpc.aio.AioRpcError as exc:
                if exc.code() is grpc.StatusCode.NOT_FOUND:
                    return None  # no schema written yet
                raise

        if await self._call("SchemaService", "ReadSchema", read, breaker=False) is not None:
            return False

        async def write() -> Any:
            return await schemas.WriteSchema(
                WriteSchemaRequest(schema=schema),
                timeout=self._write_timeout,
                metadata=self._metadata,
            )

        await self._call("SchemaService", "WriteSchema", write, breaker=False)
        return True

    async def ready(self) -> bool:
        """Can SpiceDB answer our checks: reachable, our key accepted, and holding a schema
        (without one every check fails). A schema read, outside the breaker, so readiness
        tells the truth even while the circuit is open."""
        _, schemas = self._stubs()

        async def read() -> Any:
            return await schemas.ReadSchema(
                ReadSchemaRequest(), timeout=self._timeout, metadata=self._metadata
            )

        try:
            await self._call("SchemaService", "ReadSchema", read, breaker=False)
        except (AuthzUnavailable, InvalidRelationship):
            return False
        return True

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
        self._channel = self._permissions = self._schema = None
