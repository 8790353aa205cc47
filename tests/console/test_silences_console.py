"""Silences from the console (Pilot on a real cache): `s` in N adds one prefilled from the
selected message with a live preview, `x` ends one, `s` in f silences a source; the CLI
reads what the console wrote (one store); a read-only console refuses before asking."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input, Static

from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.models import Incident
from cc_console.screens import HealthScreen, NotificationsScreen
from cc_console.screens.dialogs import ChoicePicker
from cc_console.screens.silences import SilenceDialog
from cc_console.store import PollRecord, Store
from tests import clock
from tests.conftest import native_source, write_config
from tests.console.conftest import NOW, until

ROUTE = """
[[notify]]
name = "piket"
urls = ["json://127.0.0.1:9/never"]
events = ["incident.new"]
group_wait = "1h"
"""


@pytest.fixture
def outbox_config(tmp_path):
    """Two messages waiting from bpbd, one from usgs held by a silence of usgs; written at
    the console's NOW."""
    path = write_config(
        tmp_path / "config.toml",
        [
            native_source("bpbd", "http://127.0.0.1:9/b"),
            native_source("usgs", "http://127.0.0.1:9/u"),
        ],
        ROUTE,
    )
    cfg = load_config(path)
    with clock.at(NOW), Store.for_config(cfg) as store:
        at = NOW - timedelta(minutes=3)
        news = [
            Incident("bpbd", "A", "Banjir Cikajang", severity="severe", reported_at=at),
            Incident("bpbd", "B", "Longsor Cisewu", severity="moderate", reported_at=at),
        ]
        store.apply("incidents", PollRecord("bpbd", NOW, ok=True), news)
        store.outbox.silence({"source": "usgs"}, 8 * 3600, "gempa luar wilayah", NOW)
        quake = Incident("usgs", "Q", "Gempa M4 Laut Banda", severity="minor", reported_at=at)
        store.apply("incidents", PollRecord("usgs", NOW, ok=True), [quake])
        assert store.outbox.apply_silences(NOW) == 1
        assert len(store.outbox.messages()) == 3
    return cfg


def _app(cfg, *, lang="id", read_only=False) -> CcConsoleApp:
    store = Store.for_config(cfg, read_only=read_only, operator="siti")
    return CcConsoleApp(cfg, store, lang=lang, clock=lambda: NOW, read_only=read_only)


def _cursor_to(app, key: str) -> None:
    table = app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(key))


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_s_in_n_adds_a_silence_prefilled_from_the_message_with_a_live_preview(
    outbox_config, cli, lang
):
    app = _app(outbox_config, lang=lang)
    words = {"id": ("Cocok dengan 2 pesan", "1 ditahan", "0 ditahan"),
             "en": ("Matches 2 messages", "1 held", "0 held")}[lang]  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("N")
        assert isinstance(app.screen, NotificationsScreen)
        summary = app.screen.query_one("#table-summary").render().plain
        assert "S-1 source=usgs" in summary and words[1] in summary, summary  # hits shown
        banjir = next(m for m in app.screen.outbox.shown.values() if m.title == "Banjir Cikajang")
        _cursor_to(app, str(banjir.id))
        await pilot.press("s")
        assert isinstance(app.screen, SilenceDialog)
        matchers = app.screen.query_one("#silence-matchers", Input)
        assert matchers.value == "event=incident.new source=bpbd"
        preview = app.screen.query_one("#silence-preview", Static)
        assert words[0] in preview.render().plain  # both bpbd messages, not usgs's
        assert "Longsor Cisewu" in preview.render().plain
        matchers.value = "event=incident.new source=bpbd severity=severe"  # narrowed: live
        await pilot.pause()
        assert words[0].replace("2", "1") in preview.render().plain
        await pilot.press(*"banjir dipantau langsung", "enter")
        assert isinstance(app.screen, NotificationsScreen)
        summary = app.screen.query_one("#table-summary").render().plain
        assert "S-2 event=incident.new severity=severe source=bpbd" in summary, summary
        assert words[2] in summary
    listed = json.loads(cli("--config", str(outbox_config.path), "silence", "list", "--json").out)
    assert [(s["id"], s["matchers"], s["reason"], s["hits"]) for s in listed] == [
        (2, {"event": "incident.new", "source": "bpbd", "severity": "severe"},
         "banjir dipantau langsung", 0),
        (1, {"source": "usgs"}, "gempa luar wilayah", 1),
    ]  # fmt: skip
    journal = cli("--config", str(outbox_config.path), "journal", "--json").out
    assert "banjir dipantau langsung" in journal


async def test_x_in_n_ends_a_silence_and_the_cli_sees_it_ended(outbox_config, cli):
    app = _app(outbox_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("N", "x")
        assert isinstance(app.screen, ChoicePicker)
        await pilot.press("enter")
        assert isinstance(app.screen, NotificationsScreen)
        assert await until(pilot, lambda: "S-1" not in app.screen.query_one(
            "#table-summary").render().plain)  # fmt: skip
    listed = json.loads(cli("--config", str(outbox_config.path), "silence", "list", "--json").out)
    assert listed[0]["id"] == 1 and listed[0]["ends_at"] == "2026-12-05T04:00:00Z"


async def test_s_in_f_silences_the_selected_source_for_what_is_typed(outbox_config):
    app = _app(outbox_config, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, HealthScreen)
        _cursor_to(app, "bpbd")
        await pilot.press("s")
        assert isinstance(app.screen, SilenceDialog)
        assert app.screen.query_one("#silence-matchers", Input).value == "source=bpbd"
        assert "Matches 2 messages" in app.screen.query_one("#silence-preview").render().plain
        app.screen.query_one("#silence-for", Input).value = "30m"
        await pilot.press(*"maintenance", "enter")
        assert isinstance(app.screen, HealthScreen)
    with Store.for_config(outbox_config) as store:
        silence = store.outbox.silences(NOW)[0]
    assert silence.matchers == {"source": "bpbd"} and silence.reason == "maintenance"
    assert silence.ends_at - silence.starts_at == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("matchers", "duration", "said"),
    [
        ("sumber=bpbd", "2h", '"sumber" is not a key'),
        ("source=bmkg", "2h", "source=bmkg can never match"),
        ("", "2h", "name at least one KEY=VALUE"),
        ("source=bpbd", "100d", "between 1m and 90d"),
        ("source=bpbd", "besok", "between 1m and 90d"),
    ],
)
async def test_the_dialog_refuses_what_cannot_be_a_silence_and_stays_open(
    outbox_config, matchers, duration, said
):
    app = _app(outbox_config, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("N", "s")
        dialog = app.screen
        dialog.query_one("#silence-matchers", Input).value = matchers
        dialog.query_one("#silence-for", Input).value = duration
        dialog.query_one("#silence-reason", Input).value = "why"
        await pilot.pause()
        dialog.submit()
        await pilot.pause()
        assert app.screen is dialog
        assert said in dialog.query_one("#silence-preview").render().plain
    with Store.for_config(outbox_config) as store:
        assert len(store.outbox.silences(NOW)) == 1


@pytest.mark.parametrize("keys", [("N", "s"), ("N", "x"), ("f", "s")])
async def test_a_read_only_console_refuses_before_asking(outbox_config, keys):
    app = _app(outbox_config, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys)
        assert not isinstance(app.screen, SilenceDialog | ChoicePicker)
        assert any("hanya-baca" in str(n.message) for n in app._notifications)
