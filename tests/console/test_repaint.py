"""What a change costs over SSH: the bytes the console writes to a real terminal (a pty).

A row acknowledged from another console repaints that row, not the screen;
a countdown ticking repaints its cells, not the line.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate
from textual.strip import Strip

import cc_console.app
from bench.terminal_probe import Terminal
from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.models import Incident
from cc_console.screens import IncidentDetailScreen
from cc_console.store import PollRecord, Store
from tests.conftest import write_config
from tests.console.conftest import NOW, populate
from widgets import partial_update
from widgets.cells import changed_cells
from widgets.partial_update import SegmentCroppedChops


def _cache(tmp_path: Path, now: datetime, *, only_incidents: bool = False) -> Path:
    """A cache of 40 incidents reported days before ``now`` (ages that change once a day),
    with agencies and meetings, or (``only_incidents``) without: empty panes beside them."""
    path = write_config(tmp_path / "config.toml", [])
    store = Store(load_config(path).cache.path, operator="siti")
    if only_incidents:
        at = now - timedelta(days=3)
        rows = [
            Incident("bpbd", f"LAP-{i:03d}", f"Banjir di Kec. Cisewu #{i}", severity="severe",
                     reported_at=at - timedelta(minutes=i), updated_at=at)
            for i in range(40)
        ]  # fmt: skip
        store.apply("incidents", PollRecord("bpbd", at, ok=True), rows)
    else:
        populate(store, now=now - timedelta(days=3))
    store.close()
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    ("size", "only_incidents"), [((80, 24), False), ((200, 50), False), ((200, 50), True)]
)
def test_a_row_acknowledged_in_another_console_repaints_that_row_not_the_screen(
    tmp_path, size, only_incidents
):
    config = _cache(tmp_path, datetime.now(UTC), only_incidents=only_incidents)
    term = Terminal(config, *size)
    try:
        term.settle()
        assert b"Kejadian" in b"".join(chunk for _, chunk in term.log)
        # The cursor down and up: the first repaint after start-up also flushes what
        # Textual left pending from the start-up's layout (once, not per change).
        term.press("jk")
        term.settle()
        subprocess.run(
            [sys.executable, "-m", "cc_console", "--config", str(config), "ack", "bpbd:LAP-000"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        mark = len(term.log)
        term.drain(3.0)
        while b"diterima" not in b"".join(c for _, c in term.log[mark:]) and term.drain(1.0):
            pass  # a loaded machine: wait for the row
        out = b"".join(chunk for _, chunk in term.log[mark:])
        written = len(out)
    finally:
        term.close()
    assert b"diterima" in out, out[-400:]  # the row was repainted, as acknowledged
    # A row is at most about 250 bytes; the screen was 6,200 at 80x24 (the default
    # screen under the main one repainted the whole of it on each change), and at
    # 200x50 the empty agenda pane beside the incidents was repainted whole too.
    assert written <= 1000, written


def test_changed_cells_is_the_span_that_differs_style_included():
    red, dim = Style(color="red"), Style(dim=True)
    line = (("▲ berat", red), (" terbuka ", None), ("⚠ lewat 1h 9m ", red), (" 2h", dim))
    later = (("▲ berat", red), (" terbuka ", None), ("⚠ lewat 1h 10m", red), (" 2h", dim))
    assert changed_cells(line, line) is None
    assert changed_cells(line, later) == (27, 30)  # "9m " -> "10m": three cells
    faded = (("▲ berat", red), (" terbuka ", dim), ("⚠ lewat 1h 9m ", red), (" 2h", dim))
    assert changed_cells(line, faded) == (7, 16)  # same text, another style
    # A line that grew moved what follows the change: repainted to its end.
    clock = (("11:00 │ data 0s", None), (" │ bench", dim))
    assert changed_cells(clock, (("11:00 │ data 19s", None), (" │ bench", dim))) == (13, 24)
    assert changed_cells(clock, (("11:01 │ data 0s", None), (" │ bench", dim))) == (4, 5)
    wide = (("世界", None), ("a", None))
    assert changed_cells(wide, (("世界", None), ("b", None))) == (4, 5)  # cells, not characters


async def test_nothing_is_sent_to_a_screen_hidden_under_a_view(tmp_path):
    """The main screen under a detail view is not reloaded (a reload there repaints the
    whole view); it catches up when it is on top again."""
    config = load_config(_cache(tmp_path, NOW))
    store = Store(config.cache.path, operator="siti")
    app = CcConsoleApp(config, store, clock=lambda: NOW, live=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            pane = app.screen.incidents
            first = pane.list.row(0)
            assert first is not None and first.status == "open"
            app.push_screen(IncidentDetailScreen(app.ctx, first.id))
            await pilot.pause()
            other = Store(config.cache.path, operator="budi")
            other.journal.act("ack", first.id)
            other.close()
            app.check_store()
            await pilot.pause()
            hidden = pane.list.row(0)
            assert hidden is not None and hidden.status == "open"  # not re-read while hidden
            app.pop_screen()
            for _ in range(50):
                await pilot.pause(0.02)
                shown = pane.list.row(0)
                if shown is not None and shown.status == "acknowledged":
                    break
            assert shown is not None and shown.status == "acknowledged"
    finally:
        store.close()


class Recording(CcConsoleApp):
    """The console, keeping what Textual hands to the terminal for each partial update
    (a headless test run writes nothing)."""

    CSS_PATH = str(Path(cc_console.app.__file__).with_name("console.tcss"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.written: list[str] = []

    def _display(self, screen: Any, renderable: Any) -> None:
        if isinstance(renderable, ChopsUpdate):
            self.written.append(renderable.render_segments(self.console))
        super()._display(screen, renderable)


async def _settle(pilot: Any, app: Recording) -> None:
    """Until nothing more is written for 0.5 s (a loaded machine paints late), 30 s at most."""
    for _ in range(60):
        before = len(app.written)
        await pilot.pause(0.5)
        if app.written and len(app.written) == before:
            return


async def test_a_countdown_ticking_repaints_its_cells_not_the_row(tmp_path):
    """Each minute every visible countdown moves: at 80 columns in the most-overdue order
    the terminal gets the countdowns' cells (from the deadline column on), not 17 rows."""
    now = [NOW]
    path = write_config(
        tmp_path / "config.toml",
        [],
        extra='[[sla]]\nacknowledge_within = "30m"\nresolve_within = "12h"\n',
    )
    config = load_config(path)
    store = Store.for_config(config, operator="siti")  # with the rules: deadlines kept
    populate(store, now=NOW)
    app = Recording(config, store, clock=lambda: now[0], live=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("o", "o")  # the deadline column shows at 80 columns
            await _settle(pilot, app)
            pane = app.screen.incidents
            assert pane.source.query.order == "overdue" and pane.list.total > 10
            app.written.clear()
            now[0] += timedelta(minutes=1)
            app.screen.tick()
            await _settle(pilot, app)
    finally:
        store.close()
    out = "".join(app.written)
    moves = [(int(y), int(x)) for y, x in re.findall(r"\x1b\[(\d+);(\d+)H", out)]
    rows = {y for y, _ in moves if 6 <= y <= 22}  # the list's lines (1-based)
    assert len(rows) >= 10, moves  # the countdowns moved on, each repainted
    # From the deadline column on (column 51 and right of it at 80 columns), never the row.
    assert min(x for y, x in moves if y in rows) > 50, moves
    assert len(out) <= 120 * len(rows), len(out)


def test_a_partial_update_is_written_from_the_segment_where_it_starts():
    """Textual writes a region of a line from its widget's left edge; ours from the segment
    holding the region's first cell (a wide character is never cut)."""
    red, dim = Style(color="red"), Style(dim=True)
    strip = Strip([Segment("▲ berat ", red), Segment("世界 Banjir ", None), Segment("9m", dim)])
    console = Console(color_system=None, width=80)

    def written(x1: int, x2: int) -> tuple[list[str], str]:
        chops = [{0: strip}]
        update = SegmentCroppedChops(chops, [(0, x1, x2)], [[strip.cell_length]])
        out = update.render_segments(console)
        return re.findall(r"\x1b\[\d+;(\d+)H", out), re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out)

    assert partial_update.install()  # this Textual's updates are the shape expected
    assert written(20, 22) == (["21"], "9m")  # only the last segment
    assert written(9, 10) == (["9"], "世")  # from the wide character, not half of it
    assert written(0, 22) == (["1"], "▲ berat 世界 Banjir 9m")
    assert written(3, 6) == (["1"], "▲ bera")  # cropped at the end as Textual does


async def test_the_clock_of_the_top_line_repaints_its_cells_not_the_line(tmp_path):
    now = [NOW]
    config = load_config(_cache(tmp_path, NOW))
    store = Store(config.cache.path, operator="siti")
    app = Recording(config, store, clock=lambda: now[0], live=False)
    try:
        async with app.run_test(size=(200, 50)) as pilot:
            bar = app.screen.query_one("#status-bar")
            for _ in range(100):  # the counts are read in a thread after the first frame
                await pilot.pause(0.1)
                if "aktif" in "".join(app.written):  # and written to the terminal
                    break
            await _settle(pilot, app)
            # A first minute, then the one measured: what the first frames left to do
            # (the counts read in a thread) is done by then.
            for minute in (1, 2):
                app.written.clear()
                now[0] = NOW + timedelta(minutes=minute)
                bar.tick()
                await _settle(pilot, app)
            assert "11:02" in bar.render().plain
    finally:
        store.close()
    out = "".join(app.written)
    moves = [(int(y), int(x)) for y, x in re.findall(r"\x1b\[(\d+);(\d+)H", out)]
    assert "11:02" in out, out
    # The clock's cells (and the oldest data's age beside it), not the 200-cell line.
    assert min(x for y, x in moves if y == 1) > 20, (moves, out)
    assert len(out) < 200, len(out)


@pytest.mark.slow
def test_after_partial_repaints_the_screen_is_what_a_full_repaint_shows(tmp_path):
    """Rows changed and moved, a row acknowledged, the alarm line and the top line's counts
    changed: then a resize repaints everything, and nothing may differ."""
    now = datetime.now(UTC)
    path = write_config(
        tmp_path / "config.toml",
        [],
        extra='[[sla]]\nacknowledge_within = "30m"\nresolve_within = "12h"\n',
    )
    config = load_config(path)
    store = Store.for_config(config, operator="siti")
    populate(store, now=now)
    store.close()
    term = Terminal(path, 200, 50)
    try:
        term.settle()
        term.press("jk")
        term.settle()
        subprocess.run(
            [sys.executable, "-m", "cc_console", "--config", str(path), "ack", "bpbd:LAP-000"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        other = Store.for_config(config, operator="budi")
        at = datetime.now(UTC)
        other.apply(
            "incidents",
            PollRecord("bpbd", at, ok=True),
            [
                Incident(
                    "bpbd",
                    f"NEW-{n}",
                    f"Gempa M5.9 Garut #{n}",
                    severity="extreme",
                    reported_at=at,
                    updated_at=at,
                )
                for n in (1, 2)
            ],
        )  # fmt: skip (8 extreme -> 10: the top line's counts grow a cell)
        other.close()
        term.drain(6.0)  # the top line's counts are read again every 5 s
        term.settle()
        partial = term.shown(200, 50)
        term.resize(201, 50)
        term.settle()
        term.resize(200, 50)
        term.settle()
        full = term.shown(200, 50)
    finally:
        term.close()
    assert "Gempa M5.9 Garut #2" in "\n".join(full)
    clock = re.compile(r"\d\d:\d\d WIB.*")  # a minute may pass between the two
    differ = [
        (i, a, b) for i, (a, b) in enumerate(zip(partial, full, strict=True))
        if clock.sub("", a) != clock.sub("", b)
    ]  # fmt: skip
    assert not differ, differ[:3]
