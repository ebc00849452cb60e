"""Errors the server raises. Services raise `ServiceError` subclasses; only `api/errors.py`
maps them to HTTP.

    StarStatsServerError
    ├── SettingsError        bad configuration; start-up stops with its one-line message
    ├── KeyFileError         JWT key missing (and autogen off) or unreadable
    ├── MirrorUnavailable    the audit object store refused a request or cannot be reached
    └── ServiceError         an expected refusal: carries `code` (snake_case) and `detail`
        ├── BadRequest           400
        ├── Unauthorized         401
        ├── Forbidden            403
        ├── NotFound             404
        ├── Conflict             409
        ├── Gone                 410
        ├── PayloadTooLarge      413
        ├── Unprocessable        422 (a body that parses but breaks the schema)
        ├── TooManyRequests      429 (with `retry_after` seconds)
        └── ServiceUnavailable   503 (with `retry_after` seconds): a dependency is down
"""


class StarStatsServerError(Exception):
    """Root of every error the server raises on purpose."""


class SettingsError(StarStatsServerError):
    """A setting is invalid; the message names it."""


class KeyFileError(StarStatsServerError):
    """The JWT signing key cannot be used."""


class MirrorUnavailable(StarStatsServerError):
    """The audit mirror's object store failed a request; the mirror worker retries later."""


class ServiceError(StarStatsServerError):
    """An expected refusal with a stable `code` for clients and a human `detail`."""

    status = 400

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class BadRequest(ServiceError):
    status = 400


class Unauthorized(ServiceError):
    status = 401

    def __init__(self, detail: str, code: str = "unauthorized") -> None:
        super().__init__(code, detail)


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class Gone(ServiceError):
    status = 410


class PayloadTooLarge(ServiceError):
    status = 413


class Unprocessable(ServiceError):
    status = 422


class TooManyRequests(ServiceError):
    status = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__("rate_limited", detail)
        self.retry_after = retry_after


class ServiceUnavailable(ServiceError):
    status = 503

    def __init__(self, code: str, detail: str, retry_after: int = 5) -> None:
        super().__init__(code, detail)
        self.retry_after = retry_after
