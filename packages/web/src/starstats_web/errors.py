"""Errors the web app raises on purpose. Routes turn `ApiError`s into inline messages or
redirects; `app.py` turns what is left into the friendly error pages.

    StarStatsWebError
    ├── SettingsError          bad configuration; start-up stops with its one-line message
    ├── ApiUnavailable         the API did not answer, or answered 502/503/504 (page: 503)
    └── ApiError               the API refused: `status`, `code`, `detail` from its error body
        ├── ApiUnauthorized        401: the session is missing, expired or revoked (-> log in)
        ├── ApiRateLimited         429, with `retry_after` seconds
        ├── ApiEndpointMissing     404 for the route itself: this API version lacks it
        └── SharingUnavailable     503 `spicedb_unavailable`: the API has no (reachable)
                                   SpiceDB, so sharing, orgs and profiles are off; the
                                   player's own pages keep working
"""


class StarStatsWebError(Exception):
    """Root of every error the web app raises on purpose."""


class SettingsError(StarStatsWebError):
    """A setting is invalid; the message names it."""


class ApiUnavailable(StarStatsWebError):
    """The API is down, unreachable or overloaded; nothing the user did."""


class ApiError(StarStatsWebError):
    """The API answered with an error body `{"error": code, "detail": text}`."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail


class ApiUnauthorized(ApiError):
    pass


class ApiRateLimited(ApiError):
    def __init__(self, status: int, code: str, detail: str, retry_after: int | None) -> None:
        super().__init__(status, code, detail)
        self.retry_after = retry_after


class ApiEndpointMissing(ApiError):
    """The API has no such route (an older server than this web app expects)."""


class SharingUnavailable(ApiError):
    """503 `spicedb_unavailable`: sharing, organisations and other players' stats are off on
    this API (SpiceDB not configured, or not answering). Not `ApiUnavailable`: the API itself
    answers, and everything else works."""
