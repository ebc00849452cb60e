"""Where the client keeps its files: the per-user data and config folders (platformdirs).

`STARSTATS_DATA_DIR` / `STARSTATS_CONFIG_DIR` (and `--data-dir`) override them, so tests and
portable installs never touch the real profile.
"""

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

APP_NAME = "StarStats"
DATABASE_NAME = "data.sqlite3"
CONFIG_NAME = "config.toml"
ARCHIVE_NAME = "archive"


def data_dir(override: Path | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """The folder holding the database and archived logs (not created here)."""
    if override is not None:
        return override
    if env.get("STARSTATS_DATA_DIR"):
        return Path(env["STARSTATS_DATA_DIR"])
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_file(env: Mapping[str, str] = os.environ) -> Path:
    """The config.toml path (it may not exist: a missing file means defaults)."""
    if env.get("STARSTATS_CONFIG_DIR"):
        return Path(env["STARSTATS_CONFIG_DIR"]) / CONFIG_NAME
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_NAME


def database_file(data: Path) -> Path:
    return data / DATABASE_NAME


def archive_dir(data: Path) -> Path:
    """Archived copies of backup logs live in `<data>/archive/<CHANNEL>/`."""
    return data / ARCHIVE_NAME
