"""`cc-console poll` and the console run one poller: the same schedule after a backoff, a
wake that polls at once, and a failure outside a source's outcome that stops nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from cc_console.config import load_config
from cc_console.poll import run_pollers
from cc_console.store import PollRecord, Store
from cc_console.timefmt import utcnow
from tests.conftest import incident, incidents_doc, native_source, write_config
from tests.timing import Budget


def _config(tmp_path, feeds):
    feeds.route("/a.json", incidents_doc(incident("A1")))
    feeds.route("/b.json", incidents_doc(incident("B1")))
    path = write_config(
        tmp_path / "config.toml",
        [
            native_source("a", feeds.url("/a.json"), interval="60s"),
            native_source("b", feeds.url("/b.json"), interval="60s"),
        ],
    )
    return load_config(path)


def _hits(feeds, path: str) -> int:
    return sum(1 for r in feeds.requests if r.path == path)


async def _until(condition, seconds: float = 20.0) -> None:
    budget = Budget(seconds)
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not condition():
        assert budget.allows(loop.time() - started), "condition not met in time"
        await asyncio.sleep(0.05)


def test_a_source_in_backoff_waits_and_a_wake_polls_it_at_once(tmp_path, feeds):
    cfg = _config(tmp_path, feeds)
    store = Store.for_config(cfg)
    store.sources.sync(list(cfg.sources))
    # A previous run failed on "a" and scheduled its retry 50 s from now.
    retry = utcnow() + timedelta(seconds=50)
    store.sources.record(
        PollRecord("a", utcnow(), ok=False, http_status=503, error="HTTP 503", next_attempt=retry)
    )
    wake = {"a": asyncio.Event()}
    seen: list[str] = []

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_pollers(cfg, store, stop, lambda o: seen.append(o.name), wake=wake)
        )
        await _until(lambda: "b" in seen)
        await asyncio.sleep(1.0)  # b polled at once; a keeps its backoff
        assert _hits(feeds, "/a.json") == 0
        wake["a"].set()  # the console's `r`
        await _until(lambda: "a" in seen)
        stop.set()
        await asyncio.wait_for(task, 10)

    asyncio.run(scenario())
    assert _hits(feeds, "/a.json") == 1 and _hits(feeds, "/b.json") == 1
    store.close()


def test_a_failure_outside_a_sources_outcome_is_said_and_polling_goes_on(tmp_path, feeds):
    cfg = _config(tmp_path, feeds)
    store = Store.for_config(cfg)
    troubles: list[str] = []
    polled: list[str] = []

    def on_outcome(outcome) -> None:
        polled.append(outcome.name)
        if outcome.name == "a" and polled.count("a") == 1:
            raise RuntimeError("a bug in what hears the outcome")

    async def scenario() -> None:
        stop = asyncio.Event()
        wake = {"a": asyncio.Event()}
        task = asyncio.create_task(
            run_pollers(cfg, store, stop, on_outcome, wake=wake, on_error=troubles.append)
        )
        await _until(lambda: troubles and "b" in polled)
        wake["a"].set()  # the source whose poll raised is still polled
        await _until(lambda: polled.count("a") == 2)
        stop.set()
        await asyncio.wait_for(task, 10)

    asyncio.run(scenario())
    assert troubles == ["polling a failed: RuntimeError: a bug in what hears the outcome"]
    store.close()
