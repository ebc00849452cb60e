"""The header block of a Game.log, collected into one `session_started` event.

The first ~80 lines of every launch carry `BackupNameAttachment`, `Log started on`,
`Executable`, `FileVersion`, `@session`, `@env_session`, `Branch` and, last, `Changelist`.
They are spread over many lines, so the parser collects them and emits the event when
`Changelist` arrives, when a new header starts, or when the input ends.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from starstats_core.events.header import SessionStarted
from starstats_core.structure import Entry

_BACKUP = re.compile(r"BackupNameAttachment=\"\s*(?P<name>[^\"]*?)\s*\"")
_BUILD = re.compile(r"Build\((?P<build>\d+)\)")
_CHANNEL = re.compile(r"[\\/](?P<channel>[A-Za-z][A-Za-z0-9_-]*)[\\/]Bin64[\\/]", re.IGNORECASE)
_QUOTED = re.compile(r"'(?P<value>[^']*)'")
# `Local time is 16:58:34 04/07/25, system running for 6937 minutes`
_LOCAL_TIME = re.compile(r"Local time is (?P<clock>\d\d:\d\d:\d\d \d\d/\d\d/\d\d)\b")


def utc_offset_minutes(local_clock: str, utc_timestamp: str) -> int | None:
    """The player's UTC offset from the header's local clock and the line's UTC time,
    rounded to a quarter hour (real offsets are whole quarters); None if unreadable."""
    try:
        local = datetime.strptime(local_clock, "%H:%M:%S %m/%d/%y")
        utc = datetime.fromisoformat(utc_timestamp).replace(tzinfo=None)
    except ValueError:
        return None
    minutes = round((local - utc).total_seconds() / 900) * 15
    return minutes if -14 * 60 <= minutes <= 14 * 60 else None


# Substrings that make a line a header candidate (checked on raw lines by the parser).
HEADER_KEYWORDS = (
    "BackupNameAttachment=",
    "Log started on ",
    "Executable: ",
    "FileVersion: ",
    "Branch: ",
    "Changelist: ",
    "@session:",
    "@env_session:",
    "Environment:",
    "Local time is ",
)


@dataclass(slots=True)
class HeaderCollector:
    """Fields of the header seen so far, for the launch whose header is being read."""

    timestamp: str | None = None
    fields: dict[str, str | int] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.timestamp is not None

    def take(self, entry: Entry) -> tuple[bool, SessionStarted | None, SessionStarted | None]:
        """Feed one entry: (was it a header line, event flushed before it, event completed)."""
        body = entry.body
        flushed: SessionStarted | None = None
        if entry.name is not None:
            return False, None, None
        if body.startswith("BackupNameAttachment="):
            flushed = self.flush()
            self.timestamp = entry.timestamp
            m = _BACKUP.search(body)
            if m is not None:
                self.fields["backup_name"] = m["name"]
                b = _BUILD.search(m["name"])
                if b is not None:
                    self.fields["build"] = b["build"]
            return True, flushed, None
        if body.startswith("Log started on "):
            if "log_started" in self.fields:
                flushed = self.flush()
            # The session starts at this line, even when BackupNameAttachment came first.
            self.timestamp = entry.timestamp
            self.fields["log_started"] = body[len("Log started on ") :].strip()
            return True, flushed, None
        if not self.active:
            return False, None, None
        key, value = self._field_of(entry)
        if key is None:
            return False, None, None
        self.fields[key] = value
        if key == "changelist":
            return True, None, self.flush()
        return True, None, None

    @staticmethod
    def _field_of(entry: Entry) -> tuple[str | None, str | int]:
        body = entry.body
        simple = (
            ("FileVersion: ", "file_version"),
            ("Branch: ", "branch"),
            ("Changelist: ", "changelist"),
        )
        for prefix, key in simple:
            if body.startswith(prefix):
                return key, body[len(prefix) :].strip()
        if body.startswith("Executable: "):
            m = _CHANNEL.search(body)
            return ("channel", m["channel"].upper()) if m is not None else (None, "")
        if body.startswith("Environment:"):
            return "environment", body[len("Environment:") :].strip()
        if body.startswith("Local time is "):
            m = _LOCAL_TIME.match(body)
            offset = None if m is None else utc_offset_minutes(m["clock"], entry.timestamp)
            return ("utc_offset_minutes", offset) if offset is not None else (None, "")
        for prefix, key in (("@session:", "session_guid"), ("@env_session:", "env_session")):
            if body.startswith(prefix):
                q = _QUOTED.search(body)
                return key, (q["value"] if q is not None else body[len(prefix) :].strip())
        return None, ""

    def flush(self) -> SessionStarted | None:
        """The event for the header collected so far (None if none), and reset."""
        if self.timestamp is None:
            return None
        event = SessionStarted.model_validate({"timestamp": self.timestamp, **self.fields})
        self.timestamp = None
        self.fields = {}
        return event
