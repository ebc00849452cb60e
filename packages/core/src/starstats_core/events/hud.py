"""Events from HUD notifications (`<SHUDEvent_OnNotification> Added notification "..."`)."""

from typing import ClassVar, Literal

from starstats_core.events.base import BaseEvent


class HudNotification(BaseEvent):
    """A notification banner shown to the player, text verbatim (English or localised).

    `category` is derived from well-known English prefixes (contract_accepted,
    objective_complete, jurisdiction, ...) and is `other` for anything else.
    """

    type: Literal["hud_notification"] = "hud_notification"
    text: str
    notification_id: int | None
    mission_id: str | None = None
    objective_id: str | None = None
    category: str = "other"

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("text",)


class PlayerIncapacitated(BaseEvent):
    """The local player went down ("Incapacitated:" notification): a 4.4+ death signal."""

    type: Literal["player_incapacitated"] = "player_incapacitated"
    queue_id: int | None
    zone: str | None = None


class BlueprintReceived(BaseEvent):
    """A crafting blueprint was awarded ("Received Blueprint: <name>: ", 4.8+)."""

    type: Literal["blueprint_received"] = "blueprint_received"
    blueprint: str
    notification_id: int | None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("blueprint",)
