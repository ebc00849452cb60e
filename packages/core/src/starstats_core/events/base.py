"""The base of every domain event: a frozen pydantic model tagged by `type`.

Events are facts the log recorded. `timestamp` is the exact UTC ISO-8601 text from the
line (`2026-05-02T21:14:23.189Z`); nothing here ever reads a clock.
"""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class BaseEvent(BaseModel):
    """Fields shared by all events. Subclasses pin `type` with a `Literal`."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    type: str
    timestamp: str

    # Fields that must be non-blank for the event to be valid on the wire (validators.py).
    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ()
