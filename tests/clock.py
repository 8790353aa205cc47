"""One clock for the whole test run, in this process and in every child it starts.

Deadlines count working hours, the demo's world follows the hour of the day,
and the kinerja periods follow site days: a test that read the machine's clock
would pass at 10:00 on a Thursday and fail at 22:19 or on a Sunday. So the run
travels (``time_machine``, ticking) to :data:`FROZEN`, or to ``--clock ISO``;
children started by tests (``python -m cc_console``, tests/stranger.py,
tests/peak.py) follow through ``tests/clockshim/sitecustomize.py``, which
reads the offset from :data:`OFFSET_ENV`. Monotonic clocks (asyncio, Textual's
timers, timeouts) are real time and untouched.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import time_machine

FROZEN = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # Thursday 10:00 WIB: a working morning
OFFSET_ENV = "CC_TEST_CLOCK_OFFSET"
SHIM = Path(__file__).parent / "clockshim"


def real_time() -> float:
    """The machine's own clock, whatever the travel."""
    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.time.time()
    return time.time()


def python_path(*paths: str) -> str:
    """A PYTHONPATH for a child process that keeps the run's clock."""
    return os.pathsep.join([str(SHIM), *paths])


def start(dest: datetime) -> None:
    """Travel this process (for the whole run) and its future children to ``dest``."""
    os.environ[OFFSET_ENV] = repr(dest.timestamp() - real_time())
    os.environ["PYTHONPATH"] = python_path(
        *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))
    )
    time_machine.travel(dest, tick=True).start()


@contextlib.contextmanager
def at(dest: datetime) -> Iterator[None]:
    """Within the block, this process and its children live at ``dest`` (ticking)."""
    before = os.environ.get(OFFSET_ENV)
    os.environ[OFFSET_ENV] = repr(dest.timestamp() - real_time())
    try:
        with time_machine.travel(dest, tick=True):
            yield
    finally:
        if before is None:
            os.environ.pop(OFFSET_ENV, None)
        else:
            os.environ[OFFSET_ENV] = before
