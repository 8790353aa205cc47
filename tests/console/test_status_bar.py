"""The top line tells apart one failing source from every source failing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cc_console.i18n import Translator
from cc_console.models import SourceHealth
from widgets.status_bar import health_text

NOW = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)


def health(
    name: str, *, failing: bool = False, stale: bool = False, insecure: bool = False
) -> SourceHealth:
    return SourceHealth(
        name=name, kind="incidents", format="native", url="http://x", last_attempt=NOW,
        last_success=NOW - timedelta(minutes=3), last_error="HTTP 503" if failing else None,
        consecutive_failures=2 if failing else 0, records=1, stale=stale, insecure=insecure,
    )  # fmt: skip


def test_all_healthy_one_failing_all_failing_stale_insecure():
    t = Translator("en")
    ok = health_text([health("a"), health("b")], NOW, t).plain
    assert ok.startswith("✓ feeds 2/2 OK") and "oldest data 3m" in ok
    one = health_text([health("a", failing=True), health("b")], NOW, t).plain
    assert one.startswith("⚠ feeds 1/2 OK · 1 failing")
    every = health_text([health("a", failing=True), health("b", failing=True)], NOW, t).plain
    assert "ALL FEEDS FAILING" in every and "our own network" in every
    stale = health_text([health("a", stale=True)], NOW, t).plain
    assert "STALE 1" in stale
    insecure = health_text([health("a", insecure=True)], NOW, t).plain
    assert "TLS verification OFF: a" in insecure
    assert health_text([], NOW, Translator("id")).plain == "belum ada umpan"


async def test_a_watcher_sees_its_poller_die_without_new_data(tmp_path, feeds):
    """Read-only, fed by `cc-console poll`: when the poller stops, the top line says so."""
    from cc_console.app import CcConsoleApp
    from cc_console.config import load_config
    from cc_console.poll import Refresher
    from cc_console.store import Store
    from tests.conftest import incident, incidents_doc, native_source, write_config

    feeds.route("/inc.json", incidents_doc(incident("A1")))
    cfg = load_config(
        write_config(
            tmp_path / "c.toml",
            [native_source("bpbd", feeds.url("/inc.json"), interval="1m")],
            extra="stale_after = 3",
        )
    )
    poller_store = Store(cfg.cache.path)
    refresher = Refresher(cfg, poller_store)  # one real poll, as the daemon's last
    try:
        (outcome,) = await refresher.refresh(list(cfg.sources))
    finally:
        await refresher.aclose()
    poller_store.close()
    assert outcome.status == "updated"
    started = datetime.now(UTC)
    clock = [started]
    watcher = Store(cfg.cache.path, read_only=True)
    app = CcConsoleApp(cfg, watcher, read_only=True, clock=lambda: clock[0], live=True)
    app.HEALTH_EVERY = 0.1
    async with app.run_test(size=(120, 30)) as pilot:
        bar = app.screen.query_one("StatusBar")
        await pilot.pause(0.3)
        assert "umpan 1/1 OK" in str(bar.render()) and "POLLER" not in str(bar.render())
        clock[0] = started + timedelta(minutes=12)  # the daemon died; nothing is written
        for _ in range(30):
            await pilot.pause(0.1)
            if "POLLER" in str(bar.render()):
                break
        line = str(bar.render())
        assert "TAK ADA POLLER" in line and "12m" in line
    watcher.close()


async def test_badges_and_active_counts_fit_at_80_columns(make_app):
    from tests.console.conftest import until

    app = make_app(read_only=True, live=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        assert await until(pilot, lambda: app.counts is not None)
        await pilot.pause()
        line = str(app.screen.query_one("#status-bar").render())
        assert "HANYA-BACA" in line, line
        assert "JEDA" in line, line
        assert "▲▲8" in line, line  # the populated cache has 8 active extreme incidents
        assert "1 gagal" in line, line  # the feeds' headline is never dropped for the clock
        assert len(line) <= 80
