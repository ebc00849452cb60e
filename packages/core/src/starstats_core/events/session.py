"""Session and identity events: launches, logins, shards, loading, disconnects, quits."""

from typing import ClassVar, Literal

from starstats_core.events.base import BaseEvent


class JoinPu(BaseEvent):
    """The client joined a persistent-universe shard (`<Join PU>`)."""

    type: Literal["join_pu"] = "join_pu"
    address: str
    port: int
    shard: str
    location_id: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("shard",)
