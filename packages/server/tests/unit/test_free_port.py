"""The test suite's free ports are never handed out twice in one run: the web stack asks for
its web app's port and then starts its API on another, and the kernel handing out the first
port again made the web app fail to bind behind its own API (seen in CI)."""

import socket
from collections.abc import Callable
from typing import Any

import pytest


def test_a_port_the_kernel_offers_again_is_not_handed_out_again(
    free_port: Callable[[], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = free_port()
    offers = iter([first, first, first + 1 if first < 65535 else first - 1])

    class Kernel:
        """A socket whose bind to port 0 gets the next of `offers`, as a kernel may."""

        def __enter__(self) -> "Kernel":
            return self

        def __exit__(self, *_: Any) -> None:
            return None

        def bind(self, _address: Any) -> None:
            self.port = next(offers)

        def getsockname(self) -> tuple[str, int]:
            return ("127.0.0.1", self.port)

    monkeypatch.setattr(socket, "socket", Kernel)
    again = free_port()
    monkeypatch.undo()
    assert again != first


def test_ports_handed_out_are_distinct_and_free(free_port: Callable[[], int]) -> None:
    ports = [free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports[-1]))
