"""Pairing this client with a StarStats account: a one-time code redeemed at
`POST /v1/auth/devices/redeem` for a device token (kept by `credentials`), and the pairing
facts (API URL, handle, device id, when) in config.toml's `[remote_sync]` table.

Owns the redeem request and the `[remote_sync]` pairing keys; nothing here syncs.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from starstats_client.config import Config, load_config, save_config
from starstats_client.credentials import TokenStore, default_token_store
from starstats_client.errors import PairingError
from starstats_client.paths import config_file, data_dir

SYNC_TABLE = "remote_sync"  # upstream's table name; the tray's settings use it too
USER_AGENT = "starstats-client/0.1"
_PAIRING_KEYS = ("claimed_handle", "device_id", "label", "paired_at", "pairing_lost")
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}

# What to tell the player for each error code of the redeem route.
_REDEEM_ERRORS = {
    "invalid_code": "that is not a pairing code: codes are 8 letters and digits",
    "unknown_code": "no such pairing code: check it, or start pairing again on the website",
    "already_redeemed": "that code was used already: start pairing again for a new code",
    "expired": "that code has expired: start pairing again on the website for a new code",
    "rate_limited": "too many pairing attempts: wait a minute, then try again",
}


@dataclass(frozen=True, slots=True)
class Pairing:
    """Who this client syncs as: the account's handle and the server's id for the device."""

    handle: str
    device_id: str
    label: str
    api_url: str = ""
    paired_at: str = ""


def normalize_api_url(url: str) -> str:
    """`url` without surrounding blanks or trailing slashes; tokens only ever travel over
    TLS or to this machine, so anything but https:// (or http://localhost) is refused."""
    cleaned = url.strip().rstrip("/")
    parts = urlsplit(cleaned)
    if parts.scheme == "https" and parts.hostname:
        return cleaned
    if parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS:
        return cleaned
    raise PairingError(
        f"{url!r}: the API URL must start with https:// (or http://localhost)", "bad_api_url"
    )


def sync_table(config: Config) -> dict[str, Any]:
    table = config.extra.get(SYNC_TABLE)
    return dict(table) if isinstance(table, dict) else {}


def with_sync_table(config: Config, table: dict[str, Any]) -> Config:
    return config.with_changes(extra={**config.extra, SYNC_TABLE: table})


def current_pairing(config: Config) -> Pairing | None:
    """The pairing recorded in `config` (lost or not), or None."""
    table = sync_table(config)
    fields = [table.get(key) for key in ("api_url", "claimed_handle", "device_id")]
    if not all(isinstance(value, str) and value for value in fields):
        return None
    api_url, handle, device_id = (str(value) for value in fields)
    return Pairing(
        handle=handle,
        device_id=device_id,
        label=str(table.get("label", "")),
        api_url=api_url,
        paired_at=str(table.get("paired_at", "")),
    )


def pairing_lost(config: Config) -> str | None:
    """Why the server stopped accepting this device's token, if it did."""
    reason = sync_table(config).get("pairing_lost")
    return reason if isinstance(reason, str) and reason else None


def record_pairing_lost(config_path: Path, reason: str) -> None:
    """Remember in config.toml that the token was refused, so no later run tries it again
    until the player pairs anew."""
    config = load_config(config_path)
    table = sync_table(config)
    table["pairing_lost"] = reason
    save_config(with_sync_table(config, table), config_path)


def redeem(
    api_url: str, code: str, *, transport: httpx.BaseTransport | None = None
) -> tuple[Pairing, str]:
    """Redeem `code` at `api_url`: the pairing and the device token. `PairingError` with a
    message for the player when the server refuses or cannot be reached."""
    api_url = normalize_api_url(api_url)
    try:
        with httpx.Client(
            transport=transport, timeout=15.0, headers={"User-Agent": USER_AGENT}
        ) as http:
            response = http.post(
                f"{api_url}/v1/auth/devices/redeem", json={"code": code.strip().upper()}
            )
    except httpx.HTTPError as err:
        raise PairingError(f"cannot reach {api_url}: {err}", "unreachable") from err
    body = _json(response)
    if response.status_code != 200:
        code_name = str(body.get("error") or f"http_{response.status_code}")
        detail = str(body.get("detail") or response.reason_phrase)
        known = _REDEEM_ERRORS.get(code_name)
        if known is None and response.status_code == 429:
            known = _REDEEM_ERRORS["rate_limited"]
        message = known or f"the server refused pairing (HTTP {response.status_code}): {detail}"
        raise PairingError(f"{message} ({code_name})", code_name)
    token, device_id, handle = (body.get(k) for k in ("token", "device_id", "claimed_handle"))
    if not (isinstance(token, str) and token and isinstance(handle, str) and handle):
        raise PairingError(
            f"{api_url} answered the pairing request without a token and handle; is it a "
            "StarStats API?",
            "bad_response",
        )
    pairing = Pairing(
        handle=handle,
        device_id=str(device_id or ""),
        label=str(body.get("label") or ""),
        api_url=api_url,
    )
    return pairing, token


def pair(
    api_url: str,
    code: str,
    *,
    data: Path | None = None,
    config_path: Path | None = None,
    tokens: TokenStore | None = None,
    transport: httpx.BaseTransport | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Pairing:
    """Pair this client: redeem `code` at `api_url`, keep the device token in the keyring
    (or the 0600 fallback file in the data folder) and record the pairing in config.toml
    (replacing any earlier one). Blocks on the network; the tray calls it off the Qt thread."""
    config_path = config_path if config_path is not None else config_file()
    tokens = tokens if tokens is not None else default_token_store(data_dir(data))
    pairing, token = redeem(api_url, code, transport=transport)
    pairing = Pairing(
        handle=pairing.handle,
        device_id=pairing.device_id,
        label=pairing.label,
        api_url=pairing.api_url,
        paired_at=now().astimezone(UTC).isoformat(timespec="seconds"),
    )
    config = load_config(config_path)
    previous = current_pairing(config)
    if previous is not None and previous.api_url != pairing.api_url:
        tokens.delete(previous.api_url)  # that server's token is no longer ours to use
    tokens.set(pairing.api_url, token)
    table = {k: v for k, v in sync_table(config).items() if k not in _PAIRING_KEYS}
    table.update(
        api_url=pairing.api_url,
        claimed_handle=pairing.handle,
        device_id=pairing.device_id,
        label=pairing.label,
        paired_at=pairing.paired_at,
    )
    save_config(with_sync_table(config, table), config_path)
    return pairing


def unpair(
    *,
    data: Path | None = None,
    config_path: Path | None = None,
    tokens: TokenStore | None = None,
) -> Pairing | None:
    """Forget the device token and the pairing (the API URL setting stays). Returns the
    pairing that was removed, or None when there was none. The server still knows the
    device until it is revoked on the website."""
    config_path = config_path if config_path is not None else config_file()
    tokens = tokens if tokens is not None else default_token_store(data_dir(data))
    config = load_config(config_path)
    previous = current_pairing(config)
    table = sync_table(config)
    api_url = table.get("api_url")
    removed = tokens.delete(api_url) if isinstance(api_url, str) and api_url else False
    if previous is None and not removed and not any(k in table for k in _PAIRING_KEYS):
        return None
    table = {k: v for k, v in table.items() if k not in _PAIRING_KEYS}
    save_config(with_sync_table(config, table), config_path)
    return previous


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
