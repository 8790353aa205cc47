"""The long-running poller: each source on its own interval, never overlapping itself.

The next poll of a source is scheduled when its last one finishes (a one-shot
timer, as in dolphie's WorkerManager), so a slow feed cannot pile up requests.
``cc-console poll`` and the console run this same loop: a source in backoff
waits the same in both, and a refresh asked for in the console (``wake``)
polls at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable, Mapping
from datetime import timedelta

from cc_console.config import Config, SourceConfig
from cc_console.errors import StoreError
from cc_console.poll.refresh import Refresher, SourceOutcome
from cc_console.store import Store
from cc_console.timefmt import utcnow

__all__ = ["DEADLINE_CHECK_EVERY", "MIN_WAIT", "NOTIFY_EVERY", "run_pollers"]

DEADLINE_CHECK_EVERY = 15.0  # seconds: a breach is recorded at most this late
NOTIFY_EVERY = 5.0  # seconds: a message waits at most this long past its group_wait
MIN_WAIT = 0.5  # seconds between two polls of one source, whatever its schedule says


def _say(message: str) -> None:
    print(f"cc-console: {message}", file=sys.stderr, flush=True)


async def run_pollers(
    config: Config,
    store: Store,
    stop: asyncio.Event,
    on_outcome: Callable[[SourceOutcome], None] | None = None,
    *,
    wake: Mapping[str, asyncio.Event] | None = None,
    on_error: Callable[[str], None] = _say,
) -> None:
    """Poll every enabled source, check deadlines and send notifications until ``stop``.

    ``wake[name]`` set makes that source poll now (its schedule starts again
    from there). ``on_error`` hears what failed outside a source's own outcome
    (a deadline check, the poller itself); the loop goes on after it: one
    source's trouble never stops another's polling.
    """
    refresher = Refresher(config, store)
    sources = [s for s in config.sources if s.enabled]
    events = {s.name: (wake or {}).get(s.name) or asyncio.Event() for s in sources}
    send_now = asyncio.Event()
    await asyncio.to_thread(store.sources.sync, sources)

    async def wait(seconds: float, event: asyncio.Event) -> None:
        """Until ``seconds`` pass, ``event`` is set or the poller stops."""
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(event.wait())]
        try:
            await asyncio.wait(waiters, timeout=max(seconds, 0), return_when="FIRST_COMPLETED")
        finally:
            for waiter in waiters:
                waiter.cancel()
        event.clear()

    async def loop(src: SourceConfig) -> None:
        event = events[src.name]
        # Resume the schedule a previous run left (after backoff, keep waiting).
        try:
            health = await asyncio.to_thread(
                store.sources.health, [src], config.poll.stale_after, utcnow()
            )
            nxt = health[0].next_attempt
        except StoreError as exc:
            on_error(f"the schedule of {src.name} could not be read ({exc}); polling now")
            nxt = None
        if nxt is not None:
            await wait(min((nxt - utcnow()).total_seconds(), src.interval), event)
        while not stop.is_set():
            try:
                outcome = await refresher.refresh_one(src)
                if on_outcome is not None:
                    on_outcome(outcome)
            except Exception as exc:  # a bug here must not end the source's polling
                on_error(f"polling {src.name} failed: {type(exc).__name__}: {exc}")
                await wait(src.interval, event)
                continue
            if outcome.status == "updated":
                send_now.set()  # a route without group_wait hears at once
            nxt = outcome.next_attempt or utcnow() + timedelta(seconds=src.interval)
            await wait(max((nxt - utcnow()).total_seconds(), MIN_WAIT), event)

    async def deadlines() -> None:
        # Deadlines pass with the clock, not with feeds: checked on their own cycle.
        while not stop.is_set():
            try:
                await refresher.check_deadlines()
            except StoreError as exc:  # said, and tried again next cycle
                on_error(f"deadline check failed: {exc}")
            await wait(DEADLINE_CHECK_EVERY, asyncio.Event())

    async def notifications() -> None:
        while refresher.notifier.active and not stop.is_set():
            await refresher.send_notifications()
            await wait(NOTIFY_EVERY, send_now)

    try:
        await asyncio.gather(deadlines(), notifications(), *(loop(s) for s in sources))
    finally:
        with contextlib.suppress(Exception):
            await refresher.aclose()
