"""What every request can reach: settings, engine, token service, mailer, metrics, limiter,
clock, the audit trail and its mirror worker, the authorizer. Built once by `create_app`
(the composition root)."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from starstats_server.audit.mirror import MirrorWorker
from starstats_server.audit.trail import AuditTrail
from starstats_server.auth.tokens import TokenService
from starstats_server.authz.port import Authorizer
from starstats_server.clock import Clock
from starstats_server.mailer import Mailer
from starstats_server.metrics import Metrics
from starstats_server.ratelimit import RateLimiter
from starstats_server.settings import Settings


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    tokens: TokenService
    mailer: Mailer
    metrics: Metrics
    limiter: RateLimiter
    clock: Clock
    audit: AuditTrail
    mirror: MirrorWorker | None  # None when no object store is configured
    authz: Authorizer | None = None  # None when SpiceDB is not configured (degraded mode)
