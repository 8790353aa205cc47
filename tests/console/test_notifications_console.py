"""Notifications in the console: the top line, the feed health view, N, and a console
that polls for itself sending (Pilot, a real receiver on 127.0.0.1)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.models import Incident
from cc_console.notify import Notifier
from cc_console.screens import HealthScreen, NotificationsScreen
from cc_console.store import PollRecord, Store
from tests.conftest import incident, incidents_doc, native_source, write_config
from tests.console.conftest import NOW, until
from tests.receiver import Receiver

ROUTE = """
[[notify]]
name = "piket"
urls = ["{url}"]
events = ["incident.new"]
match = {{ severity = ["extreme"] }}
group_wait = "0s"
"""


@pytest.fixture
def failed_and_silenced(tmp_path):
    """A cache with one message that failed (the receiver answered 500) and one silence."""
    with Receiver(status=500) as receiver:
        path = write_config(
            tmp_path / "config.toml",
            [native_source("bpbd", "http://127.0.0.1:9/b")],
            ROUTE.format(url=receiver.url()),
        )
        cfg = load_config(path)
        store = Store.for_config(cfg)
        at = NOW - timedelta(minutes=3)
        first = Incident("bpbd", "OLD", "Genangan", severity="minor", reported_at=at)
        store.apply("incidents", PollRecord("bpbd", NOW, ok=True), [first])  # the baseline
        new = Incident("bpbd", "NEW", "Banjir bandang Cikajang", severity="extreme", reported_at=at)
        store.apply("incidents", PollRecord("bpbd", NOW, ok=True), [first, new])
        done = asyncio.run(Notifier(cfg, store).deliver())
        assert done.failed == 1 and len(receiver.requests) == 1
        store.outbox.silence({"source": "usgs"}, 3600 * 8, "gempa luar wilayah", NOW)
        store.close()
    return cfg


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_the_top_line_says_silences_and_failed_sends_and_n_lists_the_outbox(
    failed_and_silenced, lang
):
    cfg = failed_and_silenced
    app = CcConsoleApp(cfg, Store.for_config(cfg), lang=lang, clock=lambda: NOW)
    words = {
        "id": ("✉ 1 gagal kirim", "◌ 1 senyap", "gagal ×1", "0 menunggu · 1 gagal"),
        "en": ("✉ 1 not sent", "◌ 1 silenced", "failed ×1", "0 pending · 1 failed"),
    }[lang]
    async with app.run_test(size=(80, 24)) as pilot:
        top = app.screen.query_one("#status-bar").render().plain
        assert words[0] in top and words[1] in top, top
        await pilot.press("N")
        assert isinstance(app.screen, NotificationsScreen)
        shown = app.export_screenshot()
        assert words[2] in shown.replace("&#160;", " ")
        summary = app.screen.query_one("#table-summary").render().plain
        assert words[3] in summary and "500" in summary
        assert "S-1 source=usgs" in summary and "gempa luar wilayah" in summary
        await pilot.press("q")
        assert not isinstance(app.screen, NotificationsScreen)
        await pilot.press("f")
        assert isinstance(app.screen, HealthScreen)
        summary = app.screen.query_one("#table-summary").render().plain
        assert words[3] in summary and "500" in summary


async def test_a_console_that_polls_for_itself_sends_once(tmp_path, feeds):
    with Receiver() as receiver:
        url = feeds.route("/inc.json", incidents_doc(incident("base")))
        path = write_config(
            tmp_path / "config.toml",
            [native_source("bpbd", url, interval="1s")],
            ROUTE.format(url=receiver.url()),
        )
        cfg = load_config(path)
        poller = Store.for_config(cfg)
        app = CcConsoleApp(cfg, Store.for_config(cfg), poll_store=poller, live=True)
        async with app.run_test(size=(80, 24)) as pilot:
            assert await until(pilot, lambda: app.health and app.health[0].records == 1)
            feeds.route(
                "/inc.json",
                incidents_doc(
                    incident("base"), incident("x", "Banjir bandang Cibatu", severity="extreme")
                ),
            )
            assert await until(pilot, lambda: len(receiver.messages) == 1, timeout=10)
            await pilot.pause(2.5)  # two more polls: nothing more
        poller.close()
        assert len(receiver.requests) == 1
        assert "Banjir bandang Cibatu" in receiver.messages[0].body["message"]


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_a_flood_of_waiting_messages_is_counted_up_to_a_bound(tmp_path, lang):
    """100,000 waiting rows (5,000 of them failed once): the top line, read on the UI
    thread at every poll, counts at most a thousand of each and says "999+"."""
    path = write_config(tmp_path / "config.toml", [], ROUTE.format(url="json://127.0.0.1:9/never"))
    cfg = load_config(path)
    store = Store.for_config(cfg)
    with store.db.tx() as c:
        c.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
            "INSERT INTO outbox(route, event, target, at, title, created_at) "
            "SELECT 'piket', 'incident.new', 'bpbd:' || i, ?, 'Banjir ' || i, ? FROM n",
            ["2026-11-27T02:00:00Z", "2026-11-27T02:00:00Z"],
        )
        c.execute(
            "INSERT INTO deliveries(route, first_id, last_id, status, attempts, next_try, error) "
            "VALUES ('piket', 1, 5000, 'failed', 1, '2026-11-27T02:30:00Z', 'HTTP 502')"
        )
    store.close()
    app = CcConsoleApp(cfg, Store.for_config(cfg), lang=lang, clock=lambda: NOW)
    words = {
        "id": ("✉ 999+ gagal kirim", "999+ menunggu · 999+ gagal"),
        "en": ("✉ 999+ not sent", "999+ pending · 999+ failed"),
    }[lang]
    async with app.run_test(size=(100, 24)) as pilot:
        top = app.screen.query_one("#status-bar").render().plain
        assert words[0] in top, top
        await pilot.press("N")
        summary = app.screen.query_one("#table-summary").render().plain
        assert words[1] in summary, summary
    # The command line still counts them all.
    with Store.for_config(cfg) as store:
        state = store.outbox.state(NOW)
    assert (state.pending, state.failed) == (95_000, 5_000)
