"""The client's settings file, config.toml: read with tomllib, written by a small writer.

A missing file means defaults. Secrets never go here (the device token lives in the OS
keyring); unknown keys and tables are kept as they are, so a newer client's settings
survive a save by an older one.
"""

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from starstats_client.errors import ConfigError

_KNOWN = ("gamelog_path", "library_paths", "archive_backups")
# `[remote_sync]` defaults, shared by the sync worker and the tray's settings form.
SYNC_BATCH_SIZE = 500
SYNC_INTERVAL_SECS = 5  # between looks at an empty outbox; new events wake the worker early


@dataclass(frozen=True, slots=True)
class Config:
    """`gamelog_path`: tail this file instead of discovering installs. `library_paths`:
    extra install roots (folders holding LIVE/, PTU/...). `archive_backups`: copy backup
    logs into the data folder on import."""

    gamelog_path: Path | None = None
    library_paths: tuple[Path, ...] = ()
    archive_backups: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_changes(self, **changes: Any) -> "Config":
        return replace(self, **changes)


def load_config(path: Path) -> Config:
    """The settings in `path` (defaults when it does not exist)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: cannot read settings ({err})") from err
    gamelog = raw.get("gamelog_path")
    libraries = raw.get("library_paths", [])
    archive = raw.get("archive_backups", False)
    if gamelog is not None and not isinstance(gamelog, str):
        raise ConfigError(f"{path}: gamelog_path must be a string")
    if not isinstance(libraries, list) or not all(isinstance(p, str) for p in libraries):
        raise ConfigError(f"{path}: library_paths must be a list of strings")
    if not isinstance(archive, bool):
        raise ConfigError(f"{path}: archive_backups must be true or false")
    return Config(
        gamelog_path=Path(gamelog) if gamelog else None,
        library_paths=tuple(Path(p) for p in libraries),
        archive_backups=archive,
        extra={k: v for k, v in raw.items() if k not in _KNOWN},
    )


def save_config(config: Config, path: Path) -> None:
    """Write `config` to `path` atomically (a temporary file renamed over it)."""
    values: dict[str, Any] = dict(config.extra)
    if config.gamelog_path is not None:
        values["gamelog_path"] = str(config.gamelog_path)
    values["library_paths"] = [str(p) for p in config.library_paths]
    values["archive_backups"] = config.archive_backups
    text = "# StarStats client settings\n" + to_toml(values)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".toml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        raise ConfigError(f"{path}: cannot save settings ({err.strerror or err})") from err


def to_toml(values: Mapping[str, Any], prefix: str = "") -> str:
    """TOML text for nested dicts of strings, booleans, numbers and lists of those."""
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, Any]]] = []
    for key, value in values.items():
        if isinstance(value, Mapping):
            tables.append((f"{prefix}{_key(key)}", value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    out = "\n".join(lines) + ("\n" if lines else "")
    for name, table in tables:
        out += f"\n[{name}]\n" + to_toml(table, prefix=f"{name}.")
    return out


def _key(key: str) -> str:
    bare = key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)
    return key if bare else _string(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise ConfigError(f"cannot write {type(value).__name__} value {value!r} to config.toml")


def _string(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'
