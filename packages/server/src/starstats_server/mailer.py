"""Outgoing mail as a port. `SmtpMailer` sends through SMTP_URL (aiosmtplib); without it the
`NoopMailer` logs that a mail was skipped. Sending never makes the calling action fail."""

import logging
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

log = logging.getLogger(__name__)
_tracer = trace.get_tracer("starstats_server.mailer")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, mail: Mail) -> bool:
        """Deliver `mail`; False (logged, never raised) when it could not be sent."""
        ...

    async def ready(self) -> bool | None:
        """Whether the mail server answers now; None when no mail server is configured."""
        ...


class NoopMailer:
    """No SMTP configured: say so in the log (without the body: it holds a token)."""

    async def send(self, mail: Mail) -> bool:
        log.warning("mail not sent (SMTP_URL unset): subject=%r", mail.subject)
        return False

    async def ready(self) -> bool | None:
        return None


@dataclass
class MemoryMailer:
    """In-memory twin: keeps what would have been sent."""

    sent: list[Mail] = field(default_factory=list)

    async def send(self, mail: Mail) -> bool:
        self.sent.append(mail)
        return True

    async def ready(self) -> bool | None:
        return True


class SmtpMailer:
    """Plain-text mail over SMTP. `smtp_url` is `smtp://[user:pass@]host[:port]` (STARTTLS when
    the server offers it) or `smtps://...` (implicit TLS)."""

    def __init__(self, smtp_url: str, from_addr: str, timeout: float = 10.0) -> None:
        parts = urlsplit(smtp_url)
        self._implicit_tls = parts.scheme == "smtps"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (465 if self._implicit_tls else 25)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._from = from_addr
        self._timeout = timeout

    async def ready(self) -> bool | None:
        """Connect, greet and quit (no login, no mail): the server answers within 3 s."""
        client = aiosmtplib.SMTP(
            hostname=self._host, port=self._port, use_tls=self._implicit_tls, timeout=3.0
        )
        try:
            await client.connect()
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            return False
        return True

    async def send(self, mail: Mail) -> bool:
        message = EmailMessage()
        message["From"] = self._from
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        with _tracer.start_as_current_span(
            "smtp send",
            kind=SpanKind.CLIENT,
            attributes={"server.address": self._host, "server.port": self._port},
        ) as span:
            try:
                await self._send(message)
            except (aiosmtplib.SMTPException, OSError) as exc:
                # The host is logged, never the credentials or the body.
                log.warning("mail to SMTP host %s failed: %s", self._host, type(exc).__name__)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                return False
        return True

    async def _send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self._host,
            port=self._port,
            username=self._user,
            password=self._password,
            use_tls=self._implicit_tls,
            timeout=self._timeout,
        )
