"""The start-up stop handler: the first signal is remembered for the tailer, a second one
stops the process as Python would; commands other than `run` keep Python's handlers."""

import signal
from collections.abc import Iterator

import pytest

from starstats_client import early_stop


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    early_stop.requested.clear()
    yield
    early_stop.requested.clear()
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_only_run_installs_it() -> None:
    before = signal.getsignal(signal.SIGTERM)
    early_stop.install(["starstats-client", "import"])
    assert signal.getsignal(signal.SIGTERM) is before
    early_stop.install(["starstats-client", "run", "--no-sync"])
    assert signal.getsignal(signal.SIGTERM) is early_stop._remember
    assert signal.getsignal(signal.SIGINT) is early_stop._remember


def test_the_first_signal_is_remembered_and_a_second_sigint_interrupts() -> None:
    early_stop.install(["starstats-client", "run"])
    signal.raise_signal(signal.SIGINT)
    assert early_stop.requested.is_set()
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)
