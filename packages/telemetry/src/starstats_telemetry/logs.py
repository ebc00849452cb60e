"""Core's JSON log line wired into stdlib logging, with the active span's ids."""

import logging.config
from collections.abc import Mapping
from typing import Any

from starstats_core.logline import JsonLineFormatter
from starstats_core.logline import logging_config as core_logging_config
from starstats_telemetry.tracing import current_ids


def json_formatter() -> JsonLineFormatter:
    """The formatter every StarStats log handler uses (stdout for the servers, the client's
    rotating file)."""
    return JsonLineFormatter(current_ids)


def logging_config(level: str = "INFO", quiet: Mapping[str, str] | None = None) -> dict[str, Any]:
    """JSON lines on stdout for every logger (also uvicorn's `log_config`); `quiet` sets
    chatty loggers' levels (name → level)."""
    return core_logging_config(json_formatter, level, quiet)


def configure_logging(level: str = "INFO", quiet: Mapping[str, str] | None = None) -> None:
    logging.config.dictConfig(logging_config(level, quiet))
