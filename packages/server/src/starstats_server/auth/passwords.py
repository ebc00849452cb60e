"""Password hashing with argon2id (argon2-cffi), at least upstream's cost.

Hashing costs ~50 ms of CPU, so callers run it in a worker thread (`anyio.to_thread`) to keep
the event loop serving other requests.
"""

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


def hash_password(password: str) -> str:
    """The PHC string for `password` with a fresh random salt."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no stored hash, burns the same time and says no."""
    try:
        return _HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
