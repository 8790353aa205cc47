"""What a keyboard-only duty operator found at 80x24 (issue 27), each with a Pilot test on a
real cache: the outbox's two breaches, the owner picker's order, q while polling, copying
an id, the toasts' history and place, the late-only toggle, the agency charts, H at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable

from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.models import Incident
from cc_console.screens import NotificationsScreen
from cc_console.store import PollRecord, Store
from tests import clock
from tests.conftest import native_source, write_config
from tests.console.conftest import NOW

BREACH_ROUTE = """
[[sla]]
match = { severity = ["severe"] }
acknowledge_within = "15m"
resolve_within = "1h"

[[notify]]
name = "piket"
urls = ["json://127.0.0.1:9/never"]
events = ["incident.breach"]
group_wait = "1h"
"""


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_the_outbox_tells_an_acknowledge_breach_from_a_resolve_breach(tmp_path, lang):
    path = write_config(
        tmp_path / "config.toml", [native_source("bpbd", "http://127.0.0.1:9/b")], BREACH_ROUTE
    )
    cfg = load_config(path)
    with clock.at(NOW), Store.for_config(cfg) as store:
        late = Incident("bpbd", "L", "Longsor Talegong", severity="severe",
                        reported_at=NOW - timedelta(hours=3))  # fmt: skip
        store.apply("incidents", PollRecord("bpbd", NOW, ok=True), [late])
        assert store.deadlines.check(NOW) == 2
    app = CcConsoleApp(cfg, Store.for_config(cfg), lang=lang, clock=lambda: NOW)
    async with app.run_test(size=(160, 24)) as pilot:
        await pilot.press("N")
        assert isinstance(app.screen, NotificationsScreen)
        # Every row as read, whichever columns fit: the event is the view's seventh column.
        events = {str(cells[6]) for cells, _ in app.screen.rows_read}
    assert (
        events
        == {
            "id": {"lewat tenggat tanggapan", "lewat tenggat penyelesaian"},
            "en": {"acknowledge deadline passed", "resolve deadline passed"},
        }[lang]
    )


def _options(app) -> list[str | None]:
    """The ids of the picker's choices, in order."""
    from textual.widgets import OptionList

    options = app.screen.query_one(OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


def _separators(app) -> list[str]:
    """The choices a line follows (Textual draws a separator under the option before it)."""
    from textual.widgets import OptionList

    options = app.screen.query_one(OptionList)
    found = (options.get_option_at_index(i) for i in range(options.option_count))
    return [str(o.id) for o in found if o._divider]


async def test_the_owner_picker_keeps_its_order_and_lists_agencies_before_services(make_app, store):
    from cc_console.models import Agency
    from cc_console.screens.dialogs import AgencyPicker

    services = [
        Agency("cctv", "CCTV Kota", "operational", None, (), NOW, "svc", kind="service"),
        Agency("aduan", "Aplikasi Aduan", "degraded", None, (), NOW, "svc", kind="service"),
    ]
    store.apply("agencies", PollRecord("svc", NOW, ok=True), services)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, AgencyPicker)
        first = [key for key, _ in app.screen.choices]
        await pilot.press("escape")
        # Statuses change between two openings (the old order was worst status first).
        changed = [
            Agency(a.id, a.name, "major_outage" if a.status == "operational" else "operational",
                   a.summary, a.kpis, NOW, "opd")
            for a in store.agencies.listing() if a.source == "opd"
        ]  # fmt: skip
        store.apply("agencies", PollRecord("opd", NOW, ok=True), changed)
        await pilot.press("s")
        second = [key for key, _ in app.screen.choices]
        shown = _options(app)
        lines = _separators(app)
    assert first == second
    by_name = ["bpbd", "disdukcapil", "dinkes", "pupr", "damkar"]
    assert first == [*by_name, "", "aduan", "cctv"]
    assert shown == [*by_name, "aduan", "cctv"], shown
    assert lines == ["damkar"]  # the line between agencies and services


async def test_q_asks_before_quitting_while_the_console_polls(console_config, store):
    from cc_console.screens.dialogs import ConfirmPrompt
    from cc_console.screens.main import MainScreen

    poller = Store.for_config(console_config)
    app = CcConsoleApp(console_config, store, clock=lambda: NOW, poll_store=poller, live=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmPrompt)
        assert "memantau umpan" in app.screen.query_one("Label").render().plain
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen) and app.is_running
        await pilot.press("q", "enter")
        await pilot.pause()
        assert not app.is_running
    poller.close()


async def test_q_quits_at_once_when_the_console_does_not_poll(make_app):
    app = make_app()  # a watcher of a cache another process polls: nothing stops
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_y_copies_the_id_at_hand_and_says_which(make_app, lang):
    from cc_console.screens import HealthScreen, IncidentDetailScreen

    app = make_app(lang=lang)
    said = {"id": "Disalin ke papan klip: {}", "en": "Copied to the clipboard: {}"}[lang]
    async with app.run_test(size=(80, 24)) as pilot:
        top = app.main.incidents.list.selected
        await pilot.press("y")
        assert app.clipboard == top.id == "bpbd:LAP-000"
        await pilot.press("enter")
        assert isinstance(app.screen, IncidentDetailScreen)
        await pilot.press("down", "y")
        assert app.clipboard == "bpbd:LAP-000"
        await pilot.press("escape", "1", "y")  # the agencies pane: the selected agency
        assert app.clipboard == app.main.agencies.list.selected.id
        await pilot.press("f", "y")  # the feeds view: the source under the cursor
        assert isinstance(app.screen, HealthScreen)
        assert app.clipboard == str(app.screen.query_one(DataTable).get_row_at(0)[0])
        toasts = [str(n.message) for n in app._notifications]
    assert said.format("bpbd:LAP-000") in toasts


@pytest.mark.slow
def test_y_writes_osc_52_to_the_terminal_and_wrapped_for_tmux(tmp_path, monkeypatch):
    """A real console on a pty inside "tmux" (TMUX set): the bytes on the terminal
    carry the id as OSC 52, plain and in tmux's passthrough."""
    import base64

    from bench.terminal_probe import Terminal
    from tests.console.conftest import populate

    path = write_config(tmp_path / "config.toml", [])
    with Store(load_config(path).cache.path, operator="siti") as store:
        populate(store)
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    term = Terminal(path, 80, 24)
    try:
        term.settle()
        term.press("y")
        term.drain(1.0)
    finally:
        term.close()
    out = b"".join(chunk for _, chunk in term.log)
    encoded = base64.b64encode(b"bpbd:LAP-000")
    assert b"\x1b]52;c;" + encoded + b"\x07" in out
    assert b"\x1bPtmux;\x1b\x1b]52;c;" + encoded + b"\x07\x1b\\" in out


def test_osc_52_is_wrapped_for_the_multiplexer_in_use():
    from cc_console.screens.copying import osc52, passthrough

    assert osc52("bpbd:X") == "\x1b]52;c;YnBiZDpY\x07"
    assert passthrough("bpbd:X", {}) is None
    assert passthrough("bpbd:X", {"TMUX": "x"}) == "\x1bPtmux;\x1b\x1b]52;c;YnBiZDpY\x07\x1b\\"
    assert passthrough("bpbd:X", {"STY": "1.pts"}) == "\x1bP\x1b]52;c;YnBiZDpY\x07\x1b\\"


async def test_at_80_columns_a_toast_is_one_line_over_the_key_line_not_over_the_timeline(
    make_app,
):
    from textual.widgets._toast import Toast

    from cc_console.screens import IncidentDetailScreen

    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, IncidentDetailScreen)
        app.notify("satu")
        app.notify("dua", title="Judul", severity="warning")
        await pilot.press("y")  # and a third, from an action
        await pilot.pause(0.3)
        body = app.screen.query_one("#detail-body").region
        shown = [t for t in app.screen.query(Toast) if t.display and t.parent.display]
        assert len(shown) == 1  # the newest
        assert shown[0].region.height == 1 and shown[0].region.y == 23
        assert not shown[0].region.overlaps(body)
        assert "bpbd:LAP-000" in shown[0].render().plain
        app.notify("Konsol hanya-baca", title="HANYA-BACA")  # a title leads the one line
        await pilot.pause(0.3)
        shown = [t for t in app.screen.query(Toast) if t.display and t.parent.display]
        assert shown[0].render().plain.strip() == "HANYA-BACA: Konsol hanya-baca"


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_shift_m_lists_the_last_50_toasts_newest_first(make_app, lang):
    from cc_console.screens.toasts import ToastsScreen

    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        for i in range(60):
            app.notify(f"pesan {i} [b]tebal[/b]", severity="error" if i == 59 else "information")
        await pilot.press("M")
        assert isinstance(app.screen, ToastsScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 50
        newest = [str(c) for c in table.get_row_at(0)]
        assert newest[1:] == [{"id": "galat", "en": "error"}[lang], "pesan 59 tebal"]
        assert str(table.get_row_at(49)[2]) == "pesan 10 tebal"
        await pilot.press("escape", "enter", "y", "M")  # what came since is there too
        assert isinstance(app.screen, ToastsScreen)
        assert "bpbd:LAP-000" in str(app.screen.query_one(DataTable).get_row_at(0)[2])


SLA = """
[[sla]]
match = { severity = ["extreme", "severe"] }
acknowledge_within = "15m"
resolve_within = "4h"
"""


@pytest.fixture
def late_config(tmp_path):
    """The console's Garut with deadlines: extreme and severe incidents past 15 min unacknowledged."""
    from tests.console.conftest import populate

    sources = [native_source(n, f"http://127.0.0.1:9/{n}") for n in ("bpbd", "opd")]
    cfg = load_config(write_config(tmp_path / "config.toml", sources, SLA))
    with Store.for_config(cfg, operator="siti") as store:
        populate(store)
        store.journal.act("ack", "bpbd:LAP-005")  # acknowledged, still past resolving
    return cfg


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_late_rows_are_marked_at_80_columns_and_t_shows_only_them(late_config, lang):
    from cc_console.sla import pending_due

    store = Store.for_config(late_config, operator="siti")
    late_ids = {i.id for i in store.deadlines.late(NOW)}
    counted = store.deadlines.late_counts(NOW).late
    assert counted == len(late_ids) > 3
    app = CcConsoleApp(late_config, store, lang=lang, clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        source = app.main.incidents.source
        rows = source.page(0, 12)
        for inc in rows:  # the default view (newest first) has no deadline column at 80
            line = source.render(inc, 78).plain
            assert ("⚠" in line) == (inc.id in late_ids), line
            pending = pending_due(inc.status, inc.acknowledge_due, inc.resolve_due)
            assert (inc.id in late_ids) == (pending is not None and pending[1] <= NOW)
        await pilot.press("T")
        assert app.main.incidents.list.total == counted
        assert {i.id for i in source.page(0, 100)} == late_ids
        title = app.main.incidents.query_one(".pane-title").render().plain
        assert {"id": "hanya lewat tenggat", "en": "past a deadline only"}[lang] in title
        await pilot.press("T")
        assert app.main.incidents.list.total == 39  # every active one again


@pytest.mark.slow
def test_h_never_paints_no_feeds_yet_before_its_page(tmp_path):
    """A real console on a pty: every byte written after H is read; the top line of the
    new view never said "belum ada umpan" (it did until the app filled it a moment later,
    1-2 s in the province while the page was composed on the UI thread)."""
    import os

    from bench.terminal_probe import Terminal
    from tests.console.conftest import populate

    source = native_source("bpbd", "http://127.0.0.1:9/b")
    path = write_config(tmp_path / "config.toml", [source])
    with Store(load_config(path).cache.path, operator="siti") as store:
        populate(store)
    term = Terminal(path, 80, 24)
    try:
        term.settle()
        start = len(term.log)
        term.press("H")
        term.drain(2.0)
        shown = term.shown(80, 24)
        os.write(term.fd, b"\x1b")  # back to the main screen, where q quits
        term.drain(0.5)
    finally:
        term.close()
    after = b"".join(chunk for _, chunk in term.log[start:]).decode("utf-8", "replace")
    assert "umpan" in after and "belum ada umpan" not in after
    assert any("serah terima" in line for line in shown), shown


def _chart_lines(plot) -> list[str]:
    from textual.geometry import Region

    return [s.text for s in plot.render_lines(Region(0, 0, plot.size.width, plot.size.height))]


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_agency_charts_read_whole_days_ago_put_the_target_at_its_label_and_follow_the_period(
    make_app, store, lang
):
    """Opened from Kinerja on 30 days: the charts cover 30 days, the axis says 30 25 … 0
    (not "-90.0 -67.5"), and the red target line of "Respon < 30 menit" (target 90, values
    88) lies on the row its label "90" names."""
    from textual_plotext import PlotextPlot

    from cc_console.screens.detail import AgencyDetailScreen
    from tests.console.conftest import until

    app = make_app(lang=lang)
    async with app.run_test(size=(80, 60)) as pilot:
        await pilot.press("5", "t")  # Kinerja, 7 → 30 days
        assert await until(pilot, lambda: app.screen.kinerja.result is not None)
        assert app.screen.kinerja.days == 30
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("bpbd"))
        await pilot.press("enter")
        assert isinstance(app.screen, AgencyDetailScreen) and app.screen.days == 30
        await pilot.pause(0.3)
        title = app.screen.query_one("#charts-title").render().plain
        assert "30" in title and "90" not in title
        _status, respon, _posko = app.screen.query(PlotextPlot)
        lines = _chart_lines(respon)
    axis = next(line for line in lines if " 30 " in f" {line} " and " 0" in line)
    assert [w for w in axis.split()] == ["30", "25", "20", "15", "10", "5", "0"], axis
    assert not any("-" in w or ".0" in w for w in axis.split())
    (target_row,) = [i for i, line in enumerate(lines) if line.lstrip().startswith("90")]
    assert lines[target_row].count("─") > 30  # the target line is on its label's row
    assert all(line.count("─") < 30 for i, line in enumerate(lines) if i != target_row
               and "└" not in line and "┌" not in line)  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("id", {"silence": "Senyapkan yang serupa", "unsilence": "Akhiri senyap",
                "silence_source": "Senyapkan sumber ini", "copy_id": "Salin id",
                "toasts": "Pesan terakhir", "late": "Hanya yang lewat tenggat"}),
        ("en", {"silence": "Silence ones like it", "unsilence": "End a silence",
                "silence_source": "Silence this source", "copy_id": "Copy id",
                "toasts": "Recent messages", "late": "Only those past a deadline"}),
    ],
)  # fmt: skip
async def test_the_new_keys_are_in_help_and_in_the_palette_in_both_languages(make_app, lang, words):
    from cc_console.screens import HealthScreen, HelpScreen, NotificationsScreen

    app = make_app(lang=lang)
    async with app.run_test(size=(100, 50)) as pilot:

        def palette() -> set[str]:
            return {str(c.title) for c in app.get_system_commands(app.screen)}

        on_main = palette()
        for action in ("copy_id", "toasts", "late"):
            assert any(words[action] in c for c in on_main), (action, on_main)
        await pilot.press("N")
        assert isinstance(app.screen, NotificationsScreen)
        assert {f"{words['silence']} (s)", f"{words['unsilence']} (x)"} <= palette()
        await pilot.press("escape", "f")
        assert isinstance(app.screen, HealthScreen)
        assert f"{words['silence_source']} (s)" in palette()
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = app.screen.query_one("#help-keys").render().plain
    for action, word in words.items():
        assert word in shown, (action, shown)


async def test_a_new_order_repaints_every_row_even_one_showing_the_same_incident(tmp_path):
    """At 80x24, after o o (most overdue first: a deadline column appears), what each
    line painted is what its row renders now. A line that showed the same incident before
    and after kept the old layout (no deadline column) until the next minute's tick."""
    from tests.console.conftest import populate, until

    rules = '[[sla]]\nacknowledge_within = "30m"\nresolve_within = "12h"\n'
    config = load_config(write_config(tmp_path / "config.toml", [], rules))
    store = Store.for_config(config, operator="siti")
    populate(store)  # here Longsor di Kec. Cikajang is row 13 in both orders
    app = CcConsoleApp(config, store, clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        lst = app.main.incidents.list
        await pilot.pause(0.3)
        await pilot.press("o", "o")
        await pilot.pause(0.5)

        def stale() -> list[int]:
            return [
                y for y, painted in lst._shown.items()
                if y < lst.size.height and (row := lst.row(lst.scroll_offset.y + y)) is not None
                and painted != lst._segments(row, lst.size.width)
            ]  # fmt: skip

        assert await until(pilot, lambda: not stale(), timeout=2.0), stale()
    store.close()
