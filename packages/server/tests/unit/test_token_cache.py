"""TokenService remembers the tokens it verified: the same bytes are not decoded again, an
expired one is refused all the same, and a forged or changed token is never taken from it."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

from starstats_server.auth import tokens as tokens_module
from starstats_server.auth.keys import load_signing_key
from starstats_server.auth.tokens import LEEWAY_SECONDS, TokenService
from starstats_server.errors import Unauthorized


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> TokenService:
    key = load_signing_key(Path(tmp_path_factory.mktemp("key")) / "jwt.pem", autogen=True)
    return TokenService(key, "https://issuer.test", "starstats-test")


def test_a_verified_token_is_not_decoded_again(
    service: TokenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, _ = service.mint(uuid.uuid4(), "Cached", datetime.now(UTC))
    first = service.verify(token)
    decodes = []
    real_decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: decodes.append(1) or real_decode(*a, **k))
    assert service.verify(token) == first
    assert decodes == []


def test_a_remembered_token_is_verified_afresh_once_it_expires(
    service: TokenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, expires = service.mint(uuid.uuid4(), "Expiring", datetime.now(UTC))
    service.verify(token)
    assert token in service._verified
    # Just before the end of its leeway it still comes from memory; just after, the full
    # check runs again (and, at that hour, jwt.decode says it expired).
    edge = expires.timestamp() + LEEWAY_SECONDS
    checked: list[str] = []

    def full_check(again: str) -> Any:
        checked.append(again)
        raise Unauthorized("token rejected: Signature has expired")

    monkeypatch.setattr(service, "_verify", full_check)
    monkeypatch.setattr(tokens_module.time, "time", lambda: edge - 1)
    service.verify(token)
    assert checked == []
    monkeypatch.setattr(tokens_module.time, "time", lambda: edge)
    with pytest.raises(Unauthorized, match="expired"):
        service.verify(token)
    assert checked == [token]
    assert token not in service._verified


def test_a_changed_token_is_checked_not_taken_from_memory(service: TokenService) -> None:
    token, _ = service.mint(uuid.uuid4(), "Honest", datetime.now(UTC))
    service.verify(token)
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(Unauthorized, match="token rejected"):
        service.verify(forged)


def test_memory_is_bounded(service: TokenService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens_module, "_VERIFIED_MAX", 3)
    minted = [service.mint(uuid.uuid4(), f"P{n}", datetime.now(UTC))[0] for n in range(5)]
    for token in minted:
        service.verify(token)
    assert len(service._verified) == 3
    assert list(service._verified)[-3:] == minted[-3:]


def test_an_expired_token_is_never_remembered(service: TokenService) -> None:
    token, _ = service.mint(uuid.uuid4(), "Old", datetime.now(UTC) - timedelta(hours=3))
    for _ in range(2):
        with pytest.raises(Unauthorized, match="expired"):
            service.verify(token)
    assert token not in service._verified
