"""Password hashing with argon2id (argon2-cffi), at least upstream's cost.

Hashing costs ~50 ms of CPU, so callers run it in a worker thread (`anyio.to_thread`) to keep
the event loop serving other requests.
"""

import os
import threading
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

MIN_PASSWORD_BYTES = 12

# m = 19,456 KiB, t = 2, p = 1: OWASP's argon2id minimum and upstream's `Argon2::default()`.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)


@cache
def _dummy_hash() -> str:
    """A real hash, verified against when the email is unknown so a login takes the same
    time whether or not the account exists (made on first use, not at import)."""
    return _HASHER.hash("starstats-timing-equaliser")


# Each argon2 run holds 19 MiB; at most this many run at once (the rest wait in their worker
# thread), so a burst of logins cannot turn into 40 threads x 19 MiB of memory.
_SLOTS = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))


def hash_password(password: str) -> str:
    """The PHC string for `password` with a fresh random salt."""
    with _SLOTS:
        return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no stored hash, burns the same time and says no."""
    candidate = _dummy_hash() if stored_hash is None else stored_hash
    try:
        with _SLOTS:
            matches = _HASHER.verify(candidate, password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and stored_hash is not None
