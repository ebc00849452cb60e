"""Per-client-IP rate limits for auth and pairing routes (the `limits` library, in memory).

In-memory is right for one server process; a multi-process deployment would point `limits`
at Redis instead (same API).
"""

import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from starstats_server.errors import TooManyRequests


@dataclass(frozen=True)
class Limit:
    name: str
    per_minute: int


class RateLimiter:
    """Moving-window limits keyed by (limit name, client address)."""

    def __init__(self) -> None:
        self._storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self._storage)

    def check(self, limit: Limit, client: str) -> None:
        """Count one hit; `TooManyRequests` (with Retry-After seconds) once over the limit."""
        item = RateLimitItemPerMinute(limit.per_minute)
        if not self._limiter.hit(item, limit.name, client):
            raise self._refusal(limit, client)

    def ensure_available(self, limit: Limit, client: str) -> None:
        """`TooManyRequests` when `limit` is used up, without counting a hit: for budgets that
        are charged only after the outcome is known (see `spend`)."""
        item = RateLimitItemPerMinute(limit.per_minute)
        if not self._limiter.test(item, limit.name, client):
            raise self._refusal(limit, client)

    def spend(self, limit: Limit, client: str) -> None:
        """Count one hit against `limit`, never refusing."""
        self._limiter.hit(RateLimitItemPerMinute(limit.per_minute), limit.name, client)

    def _refusal(self, limit: Limit, client: str) -> TooManyRequests:
        item = RateLimitItemPerMinute(limit.per_minute)
        stats = self._limiter.get_window_stats(item, limit.name, client)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        return TooManyRequests(
            f"too many {limit.name} requests; retry in {retry_after} s", retry_after
        )

    def reset(self) -> None:
        self._storage.reset()
