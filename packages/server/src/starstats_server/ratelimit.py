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
        if self._limiter.hit(item, limit.name, client):
            return
        stats = self._limiter.get_window_stats(item, limit.name, client)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(
            f"too many {limit.name} requests; retry in {retry_after} s", retry_after
        )

    def reset(self) -> None:
        self._storage.reset()
