"""The long-running poller: each source on its own interval, never overlapping itself.

The next poll of a source is scheduled when its last one finishes (a one-shot
timer, as in dolphie's WorkerManager), so a slow feed cannot pile up requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from datetime import timedelta

from cc_console.config import Config, SourceConfig
from cc_console.errors import StoreError
from cc_console.poll.refresh import Refresher, SourceOutcome
from cc_console.store import Store
from cc_console.timefmt import utcnow

__all__ = ["DEADLINE_CHECK_EVERY", "NOTIFY_EVERY", "run_pollers"]

DEADLINE_CHECK_EVERY = 15.0  # seconds: a breach is recorded at most this late
NOTIFY_EVERY = 5.0  # seconds: a message waits at most this long past its group_wait


async def run_pollers(
    config: Config,
    store: Store,
    stop: asyncio.Event,
    on_outcome: Callable[[SourceOutcome], None] | None = None,
) -> None:
    """Poll every enabled source until ``stop`` is set."""
    refresher = Refresher(config, store)
    sources = [s for s in config.sources if s.enabled]
    await asyncio.to_thread(store.sources.sync, sources)

    async def loop(src: SourceConfig) -> None:
        # Resume the schedule a previous run left (after backoff, keep waiting).
        health = await asyncio.to_thread(
            store.sources.health, [src], config.poll.stale_after, utcnow()
        )
        nxt = health[0].next_attempt
        if nxt is not None:
            await _sleep(stop, min((nxt - utcnow()).total_seconds(), src.interval))
        while not stop.is_set():
            outcome = await refresher.refresh_one(src)
            if on_outcome is not None:
                on_outcome(outcome)
            nxt = outcome.next_attempt or utcnow() + timedelta(seconds=src.interval)
            await _sleep(stop, (nxt - utcnow()).total_seconds())

    async def deadlines() -> None:
        # Deadlines pass with the clock, not with feeds: checked on their own cycle.
        while not stop.is_set():
            try:
                await refresher.check_deadlines()
            except StoreError as exc:  # said, and tried again next cycle
                print(f"cc-console: deadline check failed: {exc}", file=sys.stderr, flush=True)
            await _sleep(stop, DEADLINE_CHECK_EVERY)

    async def notifications() -> None:
        while refresher.notifier.active and not stop.is_set():
            await refresher.send_notifications()
            await _sleep(stop, NOTIFY_EVERY)

    try:
        await asyncio.gather(deadlines(), notifications(), *(loop(s) for s in sources))
    finally:
        await refresher.aclose()


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    if seconds <= 0:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
