"""`p` freezes what is shown, nothing else: polling, the alarm and the feeds go on."""

from __future__ import annotations

from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.store import Store
from tests.conftest import incident, incidents_doc, native_source, write_config
from tests.console.conftest import until
from tests.unit.test_deadlines import RULES, ago


async def test_paused_the_console_still_polls_raises_the_alarm_and_says_what_arrived(
    tmp_path, feeds
):
    feeds.route("/inc.json", incidents_doc(incident("A1", "Genangan", severity="minor")))
    cfg_path = write_config(
        tmp_path / "config.toml",
        [native_source("bpbd", feeds.url("/inc.json"), interval="1s")],
        RULES,
    )
    config = load_config(cfg_path)
    store = Store.for_config(config)
    poller = Store.for_config(config)  # as run_console does: the polls write through their own
    app = CcConsoleApp(config, store, lang="id", live=True, poll_store=poller)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            pane = app.screen.incidents
            assert await until(pilot, lambda: pane.list.total == 1, timeout=30), (
                feeds.hits("/inc.json"),
                store.incidents.last_seq(),
                pane.list.total,
            )
            await pilot.press("p")
            assert app.paused
            hits = len(feeds.hits("/inc.json"))
            feeds.route(
                "/inc.json",
                incidents_doc(
                    incident("A1", "Genangan", severity="minor"),
                    incident(
                        "B1",
                        "Banjir bandang di Kec. Cibatu",
                        severity="extreme",
                        reported_at=ago(30),
                    ),
                ),
            )
            # Polled while paused, stored, and the alarm raised; the list is as it was.
            assert await until(
                pilot, lambda: store.incidents.last_seq() >= 2 and app.alarm, timeout=30
            )
            assert len(feeds.hits("/inc.json")) > hits
            assert await until(
                pilot, lambda: "Cibatu" in app.screen.query_one("#alarm-line").render().plain
            )
            assert pane.list.total == 1
            top = app.screen.query_one("#status-bar")
            assert await until(pilot, lambda: "JEDA · 1 baru sejak dijeda" in top.render().plain)
            # Resumed: what arrived is shown.
            await pilot.press("p")
            assert await until(pilot, lambda: pane.list.total == 2)
            assert "JEDA" not in top.render().plain
    finally:
        store.close()
        poller.close()
