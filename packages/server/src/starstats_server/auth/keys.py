"""The RS256 signing key: loading (PKCS#8 or PKCS#1 PEM), optional generation, kid, JWKS.

The key file is the server's identity; it is never generated silently in production:
`STARSTATS_JWT_KEY_AUTOGEN=true` must say so (`make up` does, for the local default).
"""

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from starstats_server.errors import KeyFileError


def _b64url_uint(value: int) -> str:
    data = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class SigningKey:
    """The private key, its public half and its `kid` (hex of the first 6 bytes of the
    SHA-256 of the key file, as upstream, so a rotated file gets a new kid)."""

    private: rsa.RSAPrivateKey
    kid: str

    @property
    def public(self) -> rsa.RSAPublicKey:
        return self.private.public_key()

    def jwk(self) -> dict[str, Any]:
        """The public key as a JWK."""
        numbers = self.public.public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }

    def public_pem(self) -> bytes:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def _generate(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two servers starting at once must not overwrite each other's fresh key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def load_signing_key(path: Path, *, autogen: bool) -> SigningKey:
    """The key in `path`; generated (2048-bit, mode 0600) only when `autogen` is set."""
    if not path.exists():
        if not autogen:
            raise KeyFileError(
                f"JWT key file {path} does not exist; set STARSTATS_JWT_KEY_FILE to an RSA "
                "private key (PEM) or STARSTATS_JWT_KEY_AUTOGEN=true to generate one"
            )
        try:
            _generate(path)
        except FileExistsError:
            pass
        except OSError as exc:
            raise KeyFileError(f"cannot write JWT key file {path}: {exc.strerror}") from None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read JWT key file {path}: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyFileError(f"JWT key file {path} is not an unencrypted PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise KeyFileError(f"JWT key file {path} must hold an RSA key of at least 2048 bits")
    return SigningKey(private=key, kid=hashlib.sha256(data).digest()[:6].hex())
