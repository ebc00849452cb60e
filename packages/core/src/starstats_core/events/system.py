"""Events produced outside the line classifier: server-published rules and tray bursts."""

from typing import ClassVar, Literal

from starstats_core.events.base import BaseEvent


class RemoteMatch(BaseEvent):
    """A line matched by a runtime rule published by the server (after built-ins missed)."""

    type: Literal["remote_match"] = "remote_match"
    rule_id: str
    event_name: str
    fields: dict[str, str]

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("rule_id",)


class BurstSummary(BaseEvent):
    """A run of near-identical lines collapsed into one record by the client."""

    type: Literal["burst_summary"] = "burst_summary"
    rule_id: str
    size: int
    end_timestamp: str
    anchor_body_sample: str | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("rule_id",)
