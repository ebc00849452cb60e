"""`collector_paused`: the cyclic garbage collector kept out of one CPU-only step.

Decoding a batch (services/ingest.py) and folding it into journey rows (db/journey.py) each
allocate ~10,000 short-lived containers (models, facts, rows, their dicts) that reference
counting frees at the end of the step. Collections triggered in the middle promote them
towards the oldest generation, and every ~100,000 promoted objects cost a full collection of
the whole heap (~90 ms in the server, measured by scripts/bench_ingest.py).
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's previous state after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
