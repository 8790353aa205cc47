"""Large bodies are parsed and stored with the cyclic garbage collector paused, and only then."""

from __future__ import annotations

import asyncio
import gc
import threading

import pytest

from cc_console.config import load_config
from cc_console.poll import Refresher
from cc_console.poll.refresh import BULK_BYTES
from cc_console.store import Store
from tests.conftest import incident, incidents_doc, native_source, write_config


def _feed(count: int) -> str:
    return incidents_doc(*(incident(f"x{i}", f"Banjir di Kec. Cisewu #{i}") for i in range(count)))


def _refresh(tmp_path, feeds, routes: dict[str, str]) -> tuple[list, int]:
    """Refresh one native source per route; returns the outcomes and the number
    of collections that ran outside the main thread (parsing and storing run in
    worker threads; the event loop is on the main thread)."""
    for path, body in routes.items():
        feeds.route(path, body)
    sources = [native_source(path.strip("/"), feeds.url(path)) for path in routes]
    tmp_path.mkdir(exist_ok=True)
    cfg = load_config(write_config(tmp_path / "config.toml", sources))
    in_workers = 0

    def seen(phase: str, info: dict) -> None:
        nonlocal in_workers
        if phase == "start" and threading.current_thread() is not threading.main_thread():
            in_workers += 1

    async def run() -> list:
        refresher = Refresher(cfg, Store(cfg.cache.path))
        try:
            return await refresher.refresh(list(cfg.sources))
        finally:
            await refresher.aclose()
            refresher.store.close()

    gc.callbacks.append(seen)
    try:
        outcomes = asyncio.run(run())
    finally:
        gc.callbacks.remove(seen)
    return outcomes, in_workers


@pytest.fixture(autouse=True)
def _collector_running():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_a_large_body_is_read_without_collections(tmp_path, feeds):
    small = _feed(2_500)
    large = _feed(8_000)
    assert len(small) < BULK_BYTES <= len(large)
    outcomes, collections = _refresh(tmp_path / "a", feeds, {"/small": small})
    assert outcomes[0].status == "updated"
    assert collections > 3  # the control: reading 2,500 items does collect
    outcomes, collections = _refresh(tmp_path / "b", feeds, {"/large": large})
    assert (outcomes[0].status, outcomes[0].records) == ("updated", 8_000)
    assert collections <= 1  # a worker may land on one while checking validators
    assert gc.isenabled()


def test_the_collector_resumes_after_failures_and_concurrent_refreshes(tmp_path, feeds):
    not_json = "{" + " " * BULK_BYTES
    outcomes, _ = _refresh(
        tmp_path, feeds, {"/one": _feed(8_000), "/two": _feed(9_000), "/bad": not_json}
    )
    assert [o.status for o in outcomes] == ["updated", "updated", "failed"]
    assert "not JSON" in (outcomes[2].error or "")
    assert gc.isenabled()


def test_a_collector_disabled_by_the_host_stays_disabled(tmp_path, feeds):
    gc.disable()
    outcomes, _ = _refresh(tmp_path, feeds, {"/large": _feed(8_000)})
    assert outcomes[0].status == "updated"
    assert not gc.isenabled()
