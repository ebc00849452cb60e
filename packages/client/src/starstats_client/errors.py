"""Every error the client raises on purpose, so callers can react by class, not by text.

    ClientError                  base: the CLI prints `error: <message>` and exits 2
    ├── ConfigError              config.toml cannot be read or holds a wrong value
    ├── LogFileError             a path given to us cannot be read as a log
    ├── DiscoveryError           no Game.log to tail and no override given
    ├── StoreError               the local SQLite store cannot be used
    │   ├── StoreCorruptError    the file is not a (readable) SQLite database
    │   ├── StoreLockedError     another process holds the write lock too long
    │   └── StoreVersionError    the database was made by a newer client
    ├── CredentialError          the device token cannot be stored or read
    ├── PairingError             the server refused a pairing code (`code`: its error code)
    └── SyncError                one batch could not be delivered (`code`, `detail`)
        ├── RetryableSyncError   network down, 5xx, 429: send again later (`retry_after`)
        ├── BatchTooLargeError   413: send fewer events at once
        ├── PermanentSyncError   400/422: the server will never take these events
        └── PairingLostError     401/403: the device token is refused; pair again

The sync worker's reaction follows the class: back off, halve, quarantine, or stop.
"""


class ClientError(Exception):
    """Base of every expected client failure; the message is meant for the player."""


class ConfigError(ClientError):
    """config.toml cannot be read or holds a value of the wrong type."""


class LogFileError(ClientError):
    """A path given to us cannot be read as a log (missing, a directory without logs...)."""


class DiscoveryError(ClientError):
    """Nothing to tail: no install found and no `--gamelog` / `gamelog_path` override."""


class StoreError(ClientError):
    """The local store failed; the message names the database file."""


class StoreCorruptError(StoreError):
    """The database file is damaged or not a SQLite database at all."""


class StoreLockedError(StoreError):
    """Another process kept the database locked longer than the busy timeout."""


class StoreFullError(StoreError):
    """The disk (or the user's quota) is full. Nothing was written; retry once there is room."""


class StoreVersionError(StoreError):
    """The schema is newer than this client knows (a downgrade)."""


class CredentialError(ClientError):
    """Neither the OS keyring nor the fallback file could hold or give the device token."""


class PairingError(ClientError):
    """The server refused to redeem a pairing code; `code` is its error code (or a local
    one: `unreachable`, `bad_response`, `bad_api_url`)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class SyncError(ClientError):
    """A batch was not delivered. `status` is the HTTP status (0: no response), `code` and
    `detail` the server's error body (or a local code such as `network`)."""

    def __init__(self, message: str, *, status: int = 0, code: str, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.detail = detail

    @property
    def reason(self) -> str:
        """`<status> <code>: <detail>`, as recorded with quarantined events."""
        head = f"{self.status} {self.code}" if self.status else self.code
        return f"{head}: {self.detail}" if self.detail else head


class RetryableSyncError(SyncError):
    """Worth sending again later: no response, a 5xx, or 429. `retry_after` is the server's
    Retry-After in seconds, when it gave one."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: str,
        detail: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, detail=detail)
        self.retry_after = retry_after


class BatchTooLargeError(SyncError):
    """413: the body was over the server's limit."""


class PermanentSyncError(SyncError):
    """400/422: the server refuses this batch as it is; sending it again cannot help."""


class PairingLostError(SyncError):
    """401/403: the device token was revoked, expired or belongs to another handle."""
