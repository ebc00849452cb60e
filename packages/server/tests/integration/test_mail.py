"""Email verification through a real SMTP server (aiosmtpd on 127.0.0.1), on both backends:
the mail is delivered, its link verifies the address, and a dead SMTP server never breaks
sign-up."""

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi.testclient import TestClient

from starstats_server.app import create_app
from starstats_server.clock import ManualClock
from starstats_server.settings import Settings

PASSWORD = "correct horse battery staple"
LINK = re.compile(r"http://testserver/auth/verify\?token=([0-9a-f]+)")


class Inbox:
    """An aiosmtpd handler that keeps every delivered message."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def token(self, index: int = -1) -> str:
        _, message = self.messages[index]
        body = message.get_body(("plain",))
        assert body is not None
        match = LINK.search(body.get_content())
        assert match is not None, body.get_content()
        return match.group(1)


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


def _client_for(settings: Settings, clock: ManualClock, smtp_port: int) -> TestClient:
    smtp_url = f"smtp://127.0.0.1:{smtp_port}"
    return TestClient(create_app(settings.model_copy(update={"smtp_url": smtp_url}), clock=clock))


@pytest.fixture
def mail_client(
    settings: Settings, clock: ManualClock, inbox: tuple[Inbox, int]
) -> Iterator[TestClient]:
    with _client_for(settings, clock, inbox[1]) as client:
        yield client


def _signup(client: TestClient, email: str = "Pilot@Example.com") -> dict[str, Any]:
    response = client.post(
        "/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "claimed_handle": "Pilot"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _headers(signup: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {signup['token']}"}


def test_signup_mails_a_link_that_verifies_the_address(
    mail_client: TestClient, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    signup = _signup(mail_client)
    assert len(box.messages) == 1
    recipients, message = box.messages[0]
    assert recipients == ["pilot@example.com"]
    assert message["Subject"] == "Verify your StarStats email"
    assert message["To"] == "pilot@example.com"
    assert message["From"] == "noreply@starstats.local"
    token = box.token()
    assert len(token) == 64

    response = mail_client.post("/v1/auth/email/verify", json={"token": token})
    assert response.status_code == 200
    assert response.json() == {
        "verified": True,
        "email": "pilot@example.com",
        "claimed_handle": "Pilot",
    }
    me = mail_client.get("/v1/auth/me", headers=_headers(signup)).json()
    assert me["email_verified"] is True


def test_a_verification_link_works_once(mail_client: TestClient, inbox: tuple[Inbox, int]) -> None:
    _signup(mail_client)
    token = inbox[0].token()
    assert mail_client.post("/v1/auth/email/verify", json={"token": token}).status_code == 200
    again = mail_client.post("/v1/auth/email/verify", json={"token": token})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_or_expired"


def test_a_verification_link_expires_after_24_hours(
    mail_client: TestClient, inbox: tuple[Inbox, int], clock: ManualClock
) -> None:
    signup = _signup(mail_client)
    token = inbox[0].token()
    clock.advance(timedelta(hours=24))
    response = mail_client.post("/v1/auth/email/verify", json={"token": token})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_or_expired"
    # The user token was minted with the real clock; it is still valid.
    me = mail_client.get("/v1/auth/me", headers=_headers(signup)).json()
    assert me["email_verified"] is False


def test_resend_mails_a_new_link_and_the_old_one_stops_working(
    mail_client: TestClient, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    signup = _signup(mail_client)
    old = box.token()
    response = mail_client.post("/v1/auth/email/resend", headers=_headers(signup))
    assert response.status_code == 200
    assert response.json() == {"sent": True}
    assert len(box.messages) == 2
    new = box.token()
    assert new != old
    assert mail_client.post("/v1/auth/email/verify", json={"token": old}).status_code == 400
    assert mail_client.post("/v1/auth/email/verify", json={"token": new}).status_code == 200
    again = mail_client.post("/v1/auth/email/resend", headers=_headers(signup))
    assert again.status_code == 409
    assert again.json()["error"] == "already_verified"


def test_signup_succeeds_when_the_smtp_server_is_down(
    settings: Settings, clock: ManualClock, free_port: Callable[[], int]
) -> None:
    with _client_for(settings, clock, free_port()) as client:  # nothing listens there
        signup = _signup(client)
        me = client.get("/v1/auth/me", headers=_headers(signup))
        assert me.status_code == 200
        assert me.json()["email_verified"] is False
        resend = client.post("/v1/auth/email/resend", headers=_headers(signup))
        assert resend.status_code == 200
        assert resend.json() == {"sent": False}


def test_readiness_checks_a_configured_smtp_server(mail_client: TestClient) -> None:
    response = mail_client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": "ok",
        "smtp": "ok",
        "minio": "skipped",
        "spicedb": "skipped",
    }


def test_readiness_fails_when_the_configured_smtp_server_is_down(
    settings: Settings, clock: ManualClock, free_port: Callable[[], int]
) -> None:
    with _client_for(settings, clock, free_port()) as client:  # nothing listens there
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "degraded"
        assert body["checks"] == {
            "database": "ok",
            "smtp": "fail",
            "minio": "skipped",
            "spicedb": "skipped",
        }


def test_the_smtp_url_can_come_from_a_secret_file(
    settings: Settings, clock: ManualClock, inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    box, port = inbox
    secret = tmp_path / "smtp-url"
    secret.write_text(f"smtp://127.0.0.1:{port}\n", encoding="utf-8")  # trailing newline: stripped
    configured = settings.model_copy(update={"smtp_url": None, "smtp_url_file": secret})
    with TestClient(create_app(configured, clock=clock)) as client:
        _signup(client)
        assert client.get("/readyz").json()["checks"]["smtp"] == "ok"
    assert len(box.messages) == 1


def test_an_unusable_smtp_url_file_stops_start_up_with_one_clear_line(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starstats_server.errors import SettingsError
    from starstats_server.settings import load_settings

    missing = tmp_path / "nope"
    with pytest.raises(SettingsError, match="SMTP_URL_FILE: cannot read"):
        create_app(settings.model_copy(update={"smtp_url": None, "smtp_url_file": missing}))
    wrong = tmp_path / "wrong"
    wrong.write_text("http://mail.example.com", encoding="utf-8")
    with pytest.raises(SettingsError, match="must hold smtp://"):
        create_app(settings.model_copy(update={"smtp_url": None, "smtp_url_file": wrong}))
    monkeypatch.setenv("SMTP_URL", "smtp://a")
    monkeypatch.setenv("SMTP_URL_FILE", str(wrong))
    with pytest.raises(SettingsError, match="not both"):
        load_settings()
