"""JWT minting and verification. RS256 only, our kid only, iss/aud/exp enforced.

Verification never trusts the token header to pick the algorithm or key: the header is read
only to refuse anything but `alg=RS256` with our `kid` before the signature is checked, which
rules out `alg=none` and HS256 signed with the public key.
"""

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt

from starstats_server.auth.keys import SigningKey
from starstats_server.errors import Unauthorized

USER_TOKEN_TTL = timedelta(hours=1)
DEVICE_TOKEN_TTL = timedelta(days=90)
LEEWAY_SECONDS = 60
# Verified tokens remembered at most (the least recently used go first).
_VERIFIED_MAX = 4096


class TokenType(StrEnum):
    USER = "user"
    DEVICE = "device"


@dataclass(frozen=True)
class Principal:
    """Who a verified token speaks for."""

    user_id: uuid.UUID
    handle: str  # preferred_username: the user's claimed handle, display case
    token_type: TokenType
    device_id: uuid.UUID | None
    expires_at: datetime
    token_id: str | None = None  # the `jti`: what logging out revokes (None in old tokens)


class TokenService:
    """Mints and verifies our JWTs with one signing key."""

    def __init__(self, key: SigningKey, issuer: str, audience: str) -> None:
        self.key = key
        self.issuer = issuer
        self.audience = audience
        # Tokens this service verified, with the instant (POSIX seconds) they stop being
        # accepted: a browser or client sends the same token on every request for its
        # hour, and decoding and checking the signature again cost ~0.7 ms each time. The
        # key never changes in a service's life, so the same bytes verify the same way; the
        # expiry is checked on every use, and revocation is checked by the caller anyway.
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def mint(
        self,
        user_id: uuid.UUID,
        handle: str,
        now: datetime,
        *,
        device_id: uuid.UUID | None = None,
    ) -> tuple[str, datetime]:
        """A signed token and its expiry: a device token when `device_id` is given."""
        token_type = TokenType.USER if device_id is None else TokenType.DEVICE
        expires = now + (USER_TOKEN_TTL if device_id is None else DEVICE_TOKEN_TTL)
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "iss": self.issuer,
            "aud": self.audience,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "preferred_username": handle,
            "token_type": token_type.value,
            "jti": uuid.uuid4().hex,
        }
        if device_id is not None:
            claims["device_id"] = str(device_id)
        token = jwt.encode(
            claims, self.key.private, algorithm="RS256", headers={"kid": self.key.kid}
        )
        return token, expires

    def verify(self, token: str) -> Principal:
        """The principal of a valid token, else `Unauthorized` with the reason."""
        known = self._verified.get(token)
        if known is not None:
            principal, until = known
            if time.time() < until:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
        principal, until = self._verify(token)
        self._verified[token] = (principal, until)
        if len(self._verified) > _VERIFIED_MAX:
            self._verified.popitem(last=False)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"token header could not be decoded: {exc}") from None
        if header.get("alg") != "RS256":
            raise Unauthorized("token uses unsupported algorithm")
        if header.get("kid") != self.key.kid:
            raise Unauthorized("token references unknown signing key")
        try:
            claims = jwt.decode(
                token,
                self.key.public,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["sub", "iss", "aud", "exp", "iat", "preferred_username"]},
            )
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"token rejected: {exc}") from None
        # Accepted up to its expiry plus the leeway, as `jwt.decode` does.
        return _principal(claims), int(claims["exp"]) + LEEWAY_SECONDS


def _principal(claims: dict[str, Any]) -> Principal:
    try:
        token_type = TokenType(claims.get("token_type", "user"))
        user_id = uuid.UUID(str(claims["sub"]))
        device = claims.get("device_id")
        device_id = None if device is None else uuid.UUID(str(device))
    except (ValueError, KeyError):
        raise Unauthorized("token rejected: malformed claims") from None
    if (token_type is TokenType.DEVICE) != (device_id is not None):
        raise Unauthorized("token rejected: device claim does not match token type")
    handle = claims["preferred_username"]
    if not isinstance(handle, str) or not handle:
        raise Unauthorized("token rejected: malformed claims")
    token_id = claims.get("jti")
    if token_id is not None and (not isinstance(token_id, str) or len(token_id) > 64):
        raise Unauthorized("token rejected: malformed claims")
    return Principal(
        user_id=user_id,
        handle=handle,
        token_type=token_type,
        device_id=device_id,
        expires_at=datetime.fromtimestamp(int(claims["exp"])).astimezone(),
        token_id=token_id,
    )
