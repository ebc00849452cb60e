"""The event built from a log's header block: one per game launch."""

from typing import Literal

from starstats_core.events.base import BaseEvent


class SessionStarted(BaseEvent):
    """A game launch began a new Game.log (header lines collected into one fact).

    `timestamp` is that of the `Log started on` line (or of the first header line seen).
    The install path from `Executable:` is not kept (it can hold a user name); only the
    channel folder (`LIVE`, `PTU`, ...) is.
    """

    type: Literal["session_started"] = "session_started"
    log_started: str | None = None
    backup_name: str | None = None
    build: str | None = None
    file_version: str | None = None
    branch: str | None = None
    changelist: str | None = None
    session_guid: str | None = None
    env_session: str | None = None
    environment: str | None = None
    channel: str | None = None
    # From `Local time is ...` against the line's UTC time: the player's time zone offset,
    # so days and hours can be shown in local time.
    utc_offset_minutes: int | None = None
