"""Web test fixtures: the real API (`starstats_server.create_app`) over uvicorn on SQLite (or
the session's throwaway PostgreSQL), a real SMTP server (aiosmtpd) receiving its mail, and
the web app over uvicorn in front of it. Tests talk to the web app over real HTTP, as a
browser would, and to the API directly only for what the desktop client does."""

import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from starstats_core.parser import LogParser
from starstats_core.synth import Era, synthesize_log
from starstats_core.wire import LogSource, file_signature, to_envelope
from starstats_server.app import create_app as create_api
from starstats_server.settings import Settings as ApiSettings
from starstats_web.app import create_app as create_web
from starstats_web.settings import WebSettings

PASSWORD = "correct horse battery staple"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


class Inbox:
    """An aiosmtpd handler keeping every delivered message."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 15) -> None:
        """Until `count` messages arrived (the API sends mail after its response)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} mails came"
            time.sleep(0.02)

    def link(self, index: int = -1) -> str:
        body = self.messages[index].get_body(("plain",))
        assert body is not None
        found = re.search(r"http://\S+/auth/verify\?token=[0-9a-f]+", body.get_content())
        assert found is not None, body.get_content()
        return found.group(0)


@pytest.fixture
def inbox(free_port: Callable[[], int]) -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """The API's database; browser tests also run on PostgreSQL (indirect parametrize)."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'api.db'}"
        return
    pg = request.getfixturevalue("pg_server")
    name = "web_" + uuid.uuid4().hex[:12]
    pg.admin(f"CREATE DATABASE {name}")
    yield pg.database_url(name)
    pg.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def api_overrides() -> dict[str, Any]:
    """Extra API settings; a test parametrizes this to tighten a limit."""
    return {}


@pytest.fixture
def authorizer() -> Any:
    """The API's authorizer. None: the one its settings configure, which is none unless a test
    adds SpiceDB to `api_overrides` (sharing then answers 503 `spicedb_unavailable`). Sharing
    tests override this with the in-memory twin, `MemoryAuthorizer()`."""
    return None


@dataclass
class Stack:
    """The API, its mail server and the web app, all on loopback."""

    api_url: str
    web_url: str
    inbox: Inbox
    api_app: Any
    web_app: Any
    servers: list[Any] = field(default_factory=list)

    def api(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with httpx.Client(base_url=self.api_url, timeout=60) as http:
            return http.request(method, path, headers=headers, **kw)

    def browser(self) -> httpx.Client:
        """An HTTP client that behaves like a same-site browser: it keeps cookies and sends
        this site's Origin on posts."""
        return httpx.Client(base_url=self.web_url, timeout=60, headers={"Origin": self.web_url})


@pytest.fixture
def stack(
    *,
    database_url: str,
    key_file: Path,
    tmp_path: Path,
    inbox: tuple[Inbox, int],
    free_port: Callable[[], int],
    uvicorn_thread: Any,
    api_overrides: dict[str, Any],
    authorizer: Any,
) -> Iterator[Stack]:
    web_port = free_port()
    web_url = f"http://127.0.0.1:{web_port}"
    api_settings = ApiSettings(
        data_dir=tmp_path / "api",
        database_url=database_url,
        jwt_key_file=key_file,
        jwt_issuer="http://127.0.0.1",
        smtp_url=f"smtp://127.0.0.1:{inbox[1]}",
        web_origin=web_url,
        auto_migrate=True,
        **api_overrides,
    )
    api_app = create_api(api_settings, authorizer=authorizer)
    api = uvicorn_thread(api_app).start()
    web_app = create_web(
        WebSettings(
            api_url=api.url,
            web_origin=web_url,
            cookie_secure=False,
            web_data_dir=tmp_path / "web",
        )
    )
    web = uvicorn_thread(web_app, web_port).start()
    running = Stack(api.url, web_url, inbox[0], api_app, web_app, [web, api])
    yield running
    for server in running.servers:
        server.stop()


# -- helpers for tests -------------------------------------------------------------------------
def csrf_of(html: str) -> str:
    found = CSRF_INPUT.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def post_form(client: httpx.Client, path: str, data: dict[str, str], page: str) -> httpx.Response:
    """Post `data` the way the form on `page` would (its CSRF token included)."""
    form = client.get(page)
    assert form.status_code == 200, form.text
    return client.post(path, data={"csrf_token": csrf_of(form.text), **data})


@dataclass(frozen=True)
class Pilot:
    handle: str
    email: str
    token: str  # user JWT from the API


def sign_up_via_api(stack: Stack, handle: str | None = None) -> Pilot:
    handle = handle or "Pilot" + uuid.uuid4().hex[:6]
    email = f"{handle.lower()}@example.com"
    body = {"email": email, "password": PASSWORD, "claimed_handle": handle}
    response = stack.api("POST", "/v1/auth/signup", json=body)
    assert response.status_code == 200, response.text
    return Pilot(handle, email, response.json()["token"])


@contextmanager
def logged_in(stack: Stack, pilot: Pilot) -> Iterator[httpx.Client]:
    """A browser-like client logged in through the web app's login form."""
    with stack.browser() as client:
        done = post_form(
            client,
            "/auth/login",
            {"email": pilot.email, "password": PASSWORD, "next": "/dashboard"},
            "/auth/login",
        )
        assert done.status_code == 303, done.text
        yield client


def synthesized_log(
    handle: str,
    *,
    seed: int = 3,
    sessions: int = 2,
    lines: int = 600,
    days_ago: float = 3,
    era: Era | None = None,
) -> bytes:
    """A synthesized Game.log played from `days_ago` on (so it lands in the dashboard's
    windows); `era=None` alternates 4.1 (kills logged) and 4.7 (no kill lines) sessions."""
    start = datetime.now(UTC) - timedelta(days=days_ago)
    text = "".join(
        synthesize_log(
            seed=seed,
            sessions=sessions,
            lines_per_session=lines,
            handle=handle,
            start=start,
            era=era,
        )
    )
    return text.encode()


def envelopes_of(data: bytes, handle: str) -> list[dict[str, Any]]:
    """Envelopes exactly as the desktop client sends them: `data` parsed by core's
    `LogParser`, each event stamped by `to_envelope` with the player's handle."""
    parser = LogParser()
    parsed = parser.feed(data) + parser.finish()
    signature = file_signature(data)
    return [
        to_envelope(p, LogSource.LIVE, signature, handle).model_dump(mode="json", exclude_none=True)
        for p in parsed
    ]


def envelopes_for(
    handle: str, *, seed: int = 3, sessions: int = 2, lines: int = 600, days_ago: float = 3
) -> list[dict[str, Any]]:
    """The envelopes of `synthesized_log(handle, ...)`."""
    data = synthesized_log(handle, seed=seed, sessions=sessions, lines=lines, days_ago=days_ago)
    return envelopes_of(data, handle)


def ingest(stack: Stack, device_token: str, handle: str, envelopes: list[dict[str, Any]]) -> int:
    """Upload `envelopes` in batches of 500 with a device token; the number accepted."""
    accepted = 0
    for start in range(0, len(envelopes), 500):
        batch = {
            "schema_version": 2,
            "batch_id": uuid.uuid4().hex,
            "game_build": "4.7.178.50402",
            "claimed_handle": handle,
            "events": envelopes[start : start + 500],
        }
        response = stack.api("POST", "/v1/ingest", device_token, json=batch)
        assert response.status_code == 200, response.text
        accepted += response.json()["accepted"]
    return accepted
