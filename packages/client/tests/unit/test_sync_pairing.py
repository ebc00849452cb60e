"""Pairing: redeeming a code (httpx.MockTransport as the server), where the device token is
kept (OS keyring, else a 0600 file; never config.toml), unpairing, the CLI commands `pair`,
`unpair`, `outbox`, `status` and how `run` decides whether to sync."""

import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringError, PasswordDeleteError
from typer.testing import CliRunner

from starstats_client import app as client
from starstats_client import pairing
from starstats_client.cli import app
from starstats_client.config import Config, load_config
from starstats_client.credentials import (
    SERVICE,
    TOKEN_FILE,
    FileTokenStore,
    MemoryTokenStore,
    default_token_store,
    keyring_usable,
)
from starstats_client.errors import PairingError
from starstats_client.pairing import Pairing, current_pairing, pair, pairing_lost, unpair
from starstats_client.store import Store

from .ingest_fake import fill

API = "http://127.0.0.1:8080"
TOKEN = "eyJ.device.token"
NOW = datetime(2026, 5, 2, 20, 0, tzinfo=UTC)


class MemoryKeyring(KeyringBackend):
    """A working keyring backend, in memory (what Windows/macOS/GNOME users have)."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[service, username] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class LockedKeyring(MemoryKeyring):
    """A backend that is there but refuses to store (a locked collection, D-Bus trouble)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("the collection is locked")


@pytest.fixture(autouse=True)
def no_real_keyring() -> Iterator[None]:
    """Tests never touch the machine's keyring: the `fail` backend, as on a Linux box
    without a Secret Service (tests that want a keyring install their own)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


class FakeRedeem:
    """`POST /v1/auth/devices/redeem` as the server answers it."""

    def __init__(self, answer: httpx.Response | None = None) -> None:
        self.answer = answer
        self.codes: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.url.path == "/v1/auth/devices/redeem"
        self.codes.append(json.loads(request.content)["code"])
        if self.answer is not None:
            return self.answer
        return httpx.Response(
            200,
            json={
                "token": TOKEN,
                "device_id": "0b7c9a4e-0000-4000-8000-000000000001",
                "label": "Desktop client",
                "claimed_handle": "Pilot_One",
            },
        )

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


@pytest.fixture(name="dirs")
def dirs_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(data folder, config.toml path), both via the environment as the CLI finds them."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("STARSTATS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STARSTATS_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "data", tmp_path / "config" / "config.toml"


def do_pair(
    dirs: tuple[Path, Path], server: FakeRedeem | None = None, code: str = " abcd2345 "
) -> Pairing:
    data, config_path = dirs
    server = server or FakeRedeem()
    return pair(
        API, code, data=data, config_path=config_path, transport=server.transport, now=lambda: NOW
    )


def test_pairing_records_the_pairing_and_keeps_the_token_out_of_the_config(
    dirs: tuple[Path, Path],
) -> None:
    data, config_path = dirs
    server = FakeRedeem()
    paired = do_pair(dirs, server)
    assert server.codes == ["ABCD2345"]  # trimmed and upper-cased
    assert paired == Pairing(
        handle="Pilot_One",
        device_id="0b7c9a4e-0000-4000-8000-000000000001",
        label="Desktop client",
        api_url=API,
        paired_at="2026-05-02T20:00:00+00:00",
    )
    assert current_pairing(load_config(config_path)) == paired
    text = config_path.read_text(encoding="utf-8")
    assert "[remote_sync]" in text
    assert TOKEN not in text
    token_file = data / TOKEN_FILE  # no keyring backend here: the fallback file
    assert json.loads(token_file.read_text()) == {API: TOKEN}
    if sys.platform != "win32":
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert default_token_store(data).get(API) == TOKEN


def test_with_a_working_keyring_the_token_goes_there_and_not_to_a_file(
    dirs: tuple[Path, Path],
) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    assert keyring_usable()
    do_pair(dirs)
    assert backend.items == {(SERVICE, API): TOKEN}
    assert not (dirs[0] / TOKEN_FILE).exists()
    assert unpair(data=dirs[0], config_path=dirs[1]) is not None
    assert backend.items == {}


def test_a_keyring_that_refuses_to_store_falls_back_to_the_file(dirs: tuple[Path, Path]) -> None:
    keyring.set_keyring(LockedKeyring())
    tokens = default_token_store(dirs[0])
    pair(
        API,
        "ABCD2345",
        data=dirs[0],
        config_path=dirs[1],
        tokens=tokens,
        transport=FakeRedeem().transport,
    )
    assert tokens.where == str(dirs[0] / TOKEN_FILE)
    assert FileTokenStore(dirs[0] / TOKEN_FILE).get(API) == TOKEN
    assert default_token_store(dirs[0]).get(API) == TOKEN


def test_the_fail_backend_is_not_a_usable_keyring() -> None:
    assert not keyring_usable()


def test_the_token_file_is_never_readable_by_others_even_when_rewritten(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "t" / TOKEN_FILE)
    store.set("https://a.example", "one")
    store.set("https://b.example", "two")
    assert store.get("https://a.example") == "one"
    if sys.platform != "win32":
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.delete("https://a.example")
    assert not store.delete("https://a.example")
    assert store.delete("https://b.example")
    assert not store.path.exists()


@pytest.mark.parametrize(
    ("status", "code", "says"),
    [
        (400, "invalid_code", "codes are 8 letters and digits"),
        (404, "unknown_code", "no such pairing code"),
        (409, "already_redeemed", "used already"),
        (410, "expired", "has expired"),
        (429, "rate_limited", "too many pairing attempts"),
        (500, "internal", "the server refused pairing (HTTP 500): boom"),
    ],
)
def test_each_refusal_of_a_code_has_its_own_message(
    dirs: tuple[Path, Path], status: int, code: str, says: str
) -> None:
    server = FakeRedeem(httpx.Response(status, json={"error": code, "detail": "boom"}))
    with pytest.raises(PairingError) as caught:
        do_pair(dirs, server)
    assert caught.value.code == code
    assert says in str(caught.value)
    assert str(caught.value).endswith(f"({code})")
    assert current_pairing(load_config(dirs[1])) is None
    assert not (dirs[0] / TOKEN_FILE).exists()


def test_an_unreachable_server_and_a_non_tls_url_are_pairing_errors(
    dirs: tuple[Path, Path],
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(PairingError, match=re.escape(f"cannot reach {API}")) as caught:
        pair(
            API,
            "ABCD2345",
            data=dirs[0],
            config_path=dirs[1],
            transport=httpx.MockTransport(refuse),
        )
    assert caught.value.code == "unreachable"
    with pytest.raises(PairingError, match="must start with https://") as caught:
        pair("http://stats.example.com", "ABCD2345", data=dirs[0], config_path=dirs[1])
    assert caught.value.code == "bad_api_url"
    answer = httpx.Response(200, json={"hello": "world"})
    with pytest.raises(PairingError, match="is it a StarStats API"):
        do_pair(dirs, FakeRedeem(answer))


def test_unpair_removes_token_and_pairing_but_keeps_the_other_settings(
    dirs: tuple[Path, Path],
) -> None:
    data, config_path = dirs
    config_path.parent.mkdir(parents=True)
    config_path.write_text('gamelog_path = "/g/Game.log"\n[remote_sync]\nbatch_size = 200\n')
    do_pair(dirs)
    removed = unpair(data=data, config_path=config_path)
    assert removed is not None
    assert removed.handle == "Pilot_One"
    config = load_config(config_path)
    assert current_pairing(config) is None
    assert config.extra["remote_sync"] == {"batch_size": 200, "api_url": API}
    assert config.gamelog_path == Path("/g/Game.log")
    assert default_token_store(data).get(API) is None
    assert unpair(data=data, config_path=config_path) is None


def test_pairing_again_clears_a_lost_pairing(dirs: tuple[Path, Path]) -> None:
    do_pair(dirs)
    pairing.record_pairing_lost(dirs[1], "401 unauthorized: token rejected: device revoked")
    assert pairing_lost(load_config(dirs[1])) is not None
    do_pair(dirs)
    assert pairing_lost(load_config(dirs[1])) is None


# -- composition: when does `run` sync -------------------------------------------------------
def test_sync_starts_only_when_paired_with_a_token_and_not_lost(dirs: tuple[Path, Path]) -> None:
    data, config_path = dirs
    tokens = MemoryTokenStore()
    worker, why = client.start_sync(Config(), data, config_path=config_path, tokens=tokens)
    assert worker is None
    assert why.startswith("not paired")
    do_pair(dirs)
    config = load_config(config_path)
    worker, why = client.start_sync(config, data, config_path=config_path, tokens=tokens)
    assert worker is None
    assert "no device token" in why
    off = config.with_changes(
        extra={"remote_sync": {**config.extra["remote_sync"], "enabled": False}}
    )
    assert client.start_sync(off, data, tokens=tokens)[1].startswith("switched off")
    pairing.record_pairing_lost(config_path, "401 unauthorized: revoked")
    worker, why = client.start_sync(load_config(config_path), data, tokens=tokens)
    assert worker is None
    assert why.startswith("pairing lost: 401 unauthorized: revoked")


# -- the CLI ---------------------------------------------------------------------------------
@pytest.fixture(name="runner")
def runner_fixture(dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    return CliRunner()


def use_server(monkeypatch: pytest.MonkeyPatch, server: FakeRedeem) -> None:
    """The CLI's `pair` talks to `server` (it has no transport option of its own)."""
    original = pairing.redeem

    def redeem(api_url: str, code: str, **_: object) -> tuple[Pairing, str]:
        return original(api_url, code, transport=server.transport)

    monkeypatch.setattr(pairing, "redeem", redeem)


def test_cli_pair_prints_the_handle_and_unpair_says_what_it_removed(
    runner: CliRunner, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_server(monkeypatch, FakeRedeem())
    result = runner.invoke(app, ["pair", "--api", API + "/", "--code", "abcd2345"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "paired as Pilot_One\n"
    assert str(dirs[0] / TOKEN_FILE) in result.stderr

    status = json.loads(runner.invoke(app, ["status", "--json"]).stdout)["sync"]
    assert status["paired"] is True
    assert status["enabled"] is True
    assert (status["handle"], status["api_url"], status["state"]) == ("Pilot_One", API, "idle")
    assert status["last_trace_id"] is None

    result = runner.invoke(app, ["unpair"])
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "unpaired: removed the device token and the pairing as Pilot_One"
    )
    assert runner.invoke(app, ["unpair"]).stdout == "not paired: nothing to remove\n"
    status = json.loads(runner.invoke(app, ["status", "--json"]).stdout)["sync"]
    assert (status["paired"], status["state"], status["handle"]) == (False, "disabled", None)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "invalid_code"),
        (404, "unknown_code"),
        (409, "already_redeemed"),
        (410, "expired"),
        (429, "rate_limited"),
    ],
)
def test_cli_pair_errors_are_one_error_line_and_exit_2(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, status: int, code: str
) -> None:
    use_server(monkeypatch, FakeRedeem(httpx.Response(status, json={"error": code, "detail": "x"})))
    result = runner.invoke(app, ["pair", "--api", API, "--code", "ABCD2345"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert lines[0].endswith(f"({code})")


def test_status_shows_a_lost_pairing_and_quarantined_events(
    runner: CliRunner, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_server(monkeypatch, FakeRedeem())
    assert runner.invoke(app, ["pair", "--api", API, "--code", "ABCD2345"]).exit_code == 0
    with Store(dirs[0] / "data.sqlite3") as store:
        fill(store, 3)
        store.quarantine(["key-1"], "422 invalid_request: events.0.source: bad")
        store.set_sync_state("pairing_lost")
        store.record_sync(error="401 unauthorized: token rejected", trace_id="ab" * 16)
    pairing.record_pairing_lost(dirs[1], "401 unauthorized: token rejected (pair again)")
    report = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    sync = report["sync"]
    assert sync["state"] == "pairing_lost"
    assert sync["paired"] is False
    assert sync["pairing_lost"] == "401 unauthorized: token rejected (pair again)"
    assert sync["last_trace_id"] == "ab" * 16
    assert (sync["unsynced"], sync["quarantined"]) == (2, 1)
    assert sync["recent_quarantine"][0]["reason"] == "422 invalid_request: events.0.source: bad"
    wanted = {
        "paired", "handle", "api_url", "state", "last_success_at", "last_error",
        "last_trace_id", "unsynced", "quarantined",
    }  # fmt: skip
    assert wanted <= set(sync)
    text = runner.invoke(app, ["status"]).stdout
    assert "pairing lost: 401 unauthorized" in text
    assert "pair again: starstats-client pair" in text
    assert "422 invalid_request" in text


def test_cli_outbox_prints_the_exact_next_body(
    runner: CliRunner, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["outbox"]).stderr == "the outbox is empty: nothing to send\n"
    use_server(monkeypatch, FakeRedeem())
    runner.invoke(app, ["pair", "--api", API, "--code", "ABCD2345"])
    with Store(dirs[0] / "data.sqlite3") as store:
        keys = fill(store, 700)
    result = runner.invoke(app, ["outbox", "--json"])
    assert result.exit_code == 0
    body: dict[str, Any] = json.loads(result.stdout)
    assert [e["idempotency_key"] for e in body["events"]] == keys[:500]
    assert body["claimed_handle"] == "Pilot_One"
    assert body["schema_version"] == 2
    assert "500 of 700 pending events" in result.stderr
    assert f"POST {API}/v1/ingest as Pilot_One" in result.stderr
    human = runner.invoke(app, ["outbox"]).stdout
    assert human.startswith("next batch: 500 of 700 pending events")
    assert '"idempotency_key": "key-0"' in human


def test_the_token_file_mode_survives_a_umask_that_would_open_it(
    dirs: tuple[Path, Path],
) -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX permission bits")
    previous = os.umask(0)
    try:
        do_pair(dirs)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((dirs[0] / TOKEN_FILE).stat().st_mode) == 0o600
