"""Every error the client raises on purpose, so callers can react by class, not by text.

    ClientError                  base: the CLI prints `error: <message>` and exits 2
    ├── ConfigError              config.toml cannot be read or holds a wrong value
    ├── LogFileError             a path given to us cannot be read as a log
    ├── DiscoveryError           no Game.log to tail and no override given
    └── StoreError               the local SQLite store cannot be used
        ├── StoreCorruptError    the file is not a (readable) SQLite database
        ├── StoreLockedError     another process holds the write lock too long
        └── StoreVersionError    the database was made by a newer client

The sync worker adds its own branch (retryable / permanent / auth lost) under ClientError.
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


class StoreVersionError(StoreError):
    """The schema is newer than this client knows (a downgrade)."""
