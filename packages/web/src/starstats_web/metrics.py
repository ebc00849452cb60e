"""Prometheus metrics of the web app, one registry per app (tests build many apps in one
process). Labels are bounded: template names, API path templates, status codes and fixed
enums; never a user, handle, device or raw path."""

from dataclasses import dataclass, field
from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1.0, 2.5, 5.0, 10.0)


class AuthAction(StrEnum):
    SIGNUP = "signup"
    LOGIN = "login"
    LOGOUT = "logout"
    VERIFY = "verify"
    RESEND = "resend"
    PAIR = "pair"
    REVOKE = "revoke"
    DELETE_ACCOUNT = "delete_account"


class AuthOutcome(StrEnum):
    OK = "ok"
    REJECTED = "rejected"  # the API refused what the user typed (or the code/link)
    RATE_LIMITED = "rate_limited"
    CSRF = "csrf"  # refused here: no valid CSRF token, or a foreign Origin/Referer
    ERROR = "error"  # the API was unreachable or failed


@dataclass
class WebMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.page_render = Histogram(
            "starstats_web_page_render_duration_seconds",
            "Time to produce a page (API calls and template), by template",
            ["route"],
            buckets=_SECONDS,
            registry=r,
        )
        self.api_call = Histogram(
            "starstats_web_api_call_duration_seconds",
            "API calls made by the web server, by path template and HTTP status",
            ["endpoint", "status"],
            buckets=_SECONDS,
            registry=r,
        )
        self.auth_attempts = Counter(
            "starstats_web_auth_attempts",
            "Sign-up, login, logout, verification, pairing, revocation and account deletion "
            "attempts by outcome",
            ["action", "outcome"],
            registry=r,
        )

        # The same series as the API's (OpenTelemetry's names), told apart by the scrape job.
        self.http_duration = Histogram(
            "http_server_request_duration_seconds",
            "Duration of HTTP requests by method, route template and status",
            ["method", "route", "status"],
            buckets=_SECONDS,
            registry=r,
        )
        self.http_active = Gauge(
            "http_server_active_requests", "HTTP requests in flight", ["method"], registry=r
        )

    def record_auth(self, action: AuthAction, outcome: AuthOutcome) -> None:
        self.auth_attempts.labels(action=action.value, outcome=outcome.value).inc()
