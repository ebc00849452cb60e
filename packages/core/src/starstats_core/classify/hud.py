"""HUD notifications: one event per `Added notification`, stitched across lines, deduplicated.

A notification whose text holds a newline is written over several lines; every later line
carries the same timestamp (or none) and the last one ends `" [N] to queue. ...`. The same
notification then reappears in queue listings (`<ts>    "text" [N]`) and in
`<UpdateNotificationItem>` lines (Next/StartFade/Remove): those are recognised and silent.
"""

import re

from starstats_core.events.base import BaseEvent
from starstats_core.events.hud import BlueprintReceived, HudNotification, PlayerIncapacitated

HUD_EVENT_NAME = "SHUDEvent_OnNotification"
LIFECYCLE_NAMES = frozenset({"UpdateNotificationItem"})

_ADDED = 'Added notification "'
_CLOSED = re.compile(r"\" \[\d+\] to queue")
_NOTIFICATION = re.compile(
    r"Added notification \"(?P<text>.*)\" \[(?P<id>\d{1,18})\] to queue\."
    r"(?:.*?MissionId: \[(?P<mission>[^\]]*)\])?(?:.*?ObjectiveId: \[(?P<objective>[^\]]*)\])?",
    re.DOTALL,
)
# `<ts>    "Contract Accepted: ..." [4]`: one row of a queue listing (digits may be masked).
QUEUE_LISTING = re.compile(r"^<[^<>]*>\s+\"[^\"]*\" \[\d+\]\s*$")
_ZERO_GUID = "00000000-0000-0000-0000-000000000000"

# English prefixes only: localised clients fall back to `other`, text is kept verbatim.
_CATEGORIES = (
    ("Contract Accepted:", "contract_accepted"),
    ("Contract Complete:", "contract_complete"),
    ("Contract Failed:", "contract_failed"),
    ("Contract Abandoned:", "contract_abandoned"),
    ("Contract Withdrawn:", "contract_withdrawn"),
    ("Objective Complete:", "objective_complete"),
    ("Objective Failed:", "objective_failed"),
    ("New Objective:", "new_objective"),
    ("Entered ", "jurisdiction"),
    ("Leaving ", "jurisdiction"),
    ("Entering Armistice Zone", "armistice"),
    ("Leaving Armistice Zone", "armistice"),
    ("Entered Monitored Space", "monitored_space"),
    ("Left Monitored Space", "monitored_space"),
    ("Ship Flight", "flight_tip"),
)


def is_open_notification(body: str) -> bool:
    """True when an `Added notification` body has not yet reached its closing `" [N] to queue`."""
    start = body.find(_ADDED)
    return start >= 0 and _CLOSED.search(body, start + len(_ADDED)) is None


def closes_notification(text: str) -> bool:
    """True when a continuation line ends the notification text."""
    return _CLOSED.search(text) is not None


def category_of(text: str) -> str:
    """A coarse category from the notification's (English) prefix."""
    stripped = text.lstrip()
    for prefix, category in _CATEGORIES:
        if stripped.startswith(prefix):
            return category
    return "other"


def _optional_id(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if not value or value == _ZERO_GUID else value


def notification_event(timestamp: str, body: str) -> BaseEvent | None:
    """The event an `Added notification` body (possibly stitched) records."""
    match = _NOTIFICATION.search(body)
    if match is None:
        # An unterminated notification (the log ended or was cut): keep the text we have.
        start = body.find(_ADDED)
        if start < 0:
            return None
        text = body[start + len(_ADDED) :]
        queue_id: int | None = None
        mission = objective = None
    else:
        text = match["text"]
        queue_id = int(match["id"])
        mission = _optional_id(match["mission"])
        objective = _optional_id(match["objective"])
    if text.startswith("Incapacitated:"):
        return PlayerIncapacitated(timestamp=timestamp, queue_id=queue_id)
    if text.startswith("Received Blueprint:"):
        name = text[len("Received Blueprint:") :].strip().removesuffix(":").strip()
        if name:
            return BlueprintReceived(timestamp=timestamp, blueprint=name, notification_id=queue_id)
    if not text.strip():
        return None
    return HudNotification(
        timestamp=timestamp,
        text=text,
        notification_id=queue_id,
        mission_id=mission,
        objective_id=objective,
        category=category_of(text),
    )
