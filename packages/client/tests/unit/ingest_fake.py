"""A scripted, idempotent `POST /v1/ingest` behind httpx.MockTransport (the protocol as the
server speaks it, without the server), and helpers to fill a real Store's outbox."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from starstats_client.store import Cursor, EventRow, Store
from starstats_core.wire import LogSource

API = "https://api.test"
HANDLE = "Pilot"
TOKEN = "device-token"
CURSOR = Cursor("sig1", LogSource.LIVE, "/logs/LIVE/Game.log", 0)

Body = dict[str, Any]
Step = Callable[[httpx.Request, Body], httpx.Response | None]


def event_row(n: int, *, raw: str = "raw line", payload: str | None = None) -> EventRow:
    stamp = f"2026-05-02T20:{n // 60 % 60:02d}:{n % 60:02d}.000Z"
    body = payload if payload is not None else json.dumps({"type": "join_pu", "timestamp": stamp})
    return EventRow(f"key-{n}", "join_pu", stamp, "live", n * 10, "sig1", raw, body)


def fill(store: Store, count: int, start: int = 0, *, raw: str = "raw line") -> list[str]:
    """`count` events in the outbox; returns their keys in outbox order."""
    rows = [event_row(n, raw=raw) for n in range(start, start + count)]
    store.commit(rows, CURSOR)
    return [row.idempotency_key for row in rows]


def error(status: int, code: str, detail: str = "", **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"error": code, "detail": detail}, headers=headers)


@dataclass
class Sent:
    body: Body
    headers: httpx.Headers

    @property
    def keys(self) -> list[str]:
        return [e["idempotency_key"] for e in self.body["events"]]


@dataclass
class FakeIngest:
    """Stores each key once (a repeat is a `duplicate`, as on the server). `script` answers
    the next requests in order; `rule` is asked on every request after that; either may
    return None to fall through to storing the batch."""

    token: str = TOKEN
    stored: dict[str, int] = field(default_factory=dict)  # key -> times received
    requests: list[Sent] = field(default_factory=list)
    script: list[Step] = field(default_factory=list)
    rule: Step | None = None

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/ingest"
        body: Body = json.loads(request.content)
        self.requests.append(Sent(body, request.headers))
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return error(401, "unauthorized", "token rejected: device revoked")
        for step in (self.script.pop(0) if self.script else None, self.rule):
            if step is not None and (answer := step(request, body)) is not None:
                return answer
        return self.store(body)

    def store(self, body: Body) -> httpx.Response:
        accepted = duplicate = 0
        for envelope in body["events"]:
            key = envelope["idempotency_key"]
            if key in self.stored:
                duplicate += 1
            else:
                accepted += 1
            self.stored[key] = self.stored.get(key, 0) + 1
        return httpx.Response(
            200,
            json={
                "batch_id": body["batch_id"],
                "accepted": accepted,
                "duplicate": duplicate,
                "rejected": 0,
            },
        )

    @property
    def sizes(self) -> list[int]:
        return [len(sent.body["events"]) for sent in self.requests]


def always(response: Callable[[], httpx.Response]) -> Step:
    return lambda _request, _body: response()


def network_down(request: httpx.Request, _body: Body) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)
