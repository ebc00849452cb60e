"""The server's audit trail: a database transaction in which actions are recorded, so an
action and its audit row are committed together or not at all; after the commit it counts
the appends and wakes the mirror worker (the request never waits for the object store)."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from starstats_server.audit import store
from starstats_server.audit.actions import AuditAction
from starstats_server.audit.chain import AuditRow
from starstats_server.audit.store import Actor
from starstats_server.clock import Clock
from starstats_server.metrics import Metrics


@dataclass
class AuditedTransaction:
    """An open transaction (`conn`) that can append audit rows."""

    conn: AsyncConnection
    clock: Clock
    appended: list[AuditAction] = field(default_factory=list)

    async def append(
        self, action: AuditAction, payload: dict[str, Any], actor: Actor | None
    ) -> AuditRow:
        """Record `action` in this transaction. It locks the chain's tail until the
        transaction ends: call it after the action's own statements."""
        row = await store.append(self.conn, action, payload, actor, self.clock.now())
        self.appended.append(action)
        return row


class AuditTrail:
    def __init__(
        self,
        engine: AsyncEngine,
        metrics: Metrics,
        clock: Clock,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self._metrics = metrics
        self._clock = clock
        self._on_commit = on_commit

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AuditedTransaction]:
        """`engine.begin()` whose audit rows are committed with it."""
        async with self._engine.begin() as conn:
            audited = AuditedTransaction(conn, self._clock)
            yield audited
        for action in audited.appended:
            self._metrics.audit_appends.labels(action.value).inc()
        if audited.appended and self._on_commit is not None:
            self._on_commit()
