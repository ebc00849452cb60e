"""Rules for session and identity lines (see events/session.py)."""

import re

from starstats_core.classify.rule import KeywordRules, NameRules
from starstats_core.events.base import BaseEvent
from starstats_core.events.session import JoinPu
from starstats_core.structure import Entry

_JOIN_PU = re.compile(
    r"address\[(?P<address>[^\]]+)\]\s*port\[(?P<port>\d+)\]\s*shard\[(?P<shard>[^\]]+)\]"
    r"\s*locationId\[(?P<loc>[^\]]+)\]"
)


def join_pu(entry: Entry) -> BaseEvent | None:
    m = _JOIN_PU.search(entry.body)
    if m is None:
        return None
    port = int(m["port"])
    if not 0 < port < 65536:
        return None
    return JoinPu(
        timestamp=entry.timestamp,
        address=m["address"],
        port=port,
        shard=m["shard"],
        location_id=m["loc"],
    )


NAME_RULES: NameRules = {"Join PU": join_pu}
KEYWORD_RULES: KeywordRules = ()
