"""Deadlines and the alarm in the console, driven by key presses (Pilot) and a real terminal."""

from __future__ import annotations

import os
import re
import select
import sys
import time
from datetime import timedelta

import pytest

from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.models import Incident
from cc_console.screens import IncidentDetailScreen
from cc_console.store import PollRecord, Store
from tests.conftest import write_config
from tests.console.conftest import NOW, populate, until
from tests.timing import Budget

RULES = """
[[sla]]
match = { severity = ["extreme", "severe"] }
acknowledge_within = "15m"
resolve_within = "24h"
"""


@pytest.fixture
def sla_config(tmp_path):
    path = write_config(
        tmp_path / "config.toml",
        [
            {
                "name": "bpbd",
                "kind": "incidents",
                "format": "native",
                "url": "http://127.0.0.1:9/b",
            },
            {"name": "opd", "kind": "agencies", "format": "native", "url": "http://127.0.0.1:9/o"},
            {"name": "rakor", "kind": "agenda", "format": "ical", "url": "http://127.0.0.1:9/r"},
            {
                "name": "bmkg",
                "kind": "incidents",
                "format": "native",
                "url": "http://127.0.0.1:9/g",
            },
        ],
        RULES,
    )
    cfg = load_config(path)
    store = Store.for_config(cfg)
    populate(store)
    store.close()
    return cfg


def _arrive(
    cfg, ext: str, title: str, severity: str = "extreme", minutes_ago: int = 1, now=NOW
) -> None:
    """A new incident lands, written by another connection (as `cc-console poll` would)."""
    other = Store.for_config(cfg)
    at = now - timedelta(minutes=minutes_ago)
    other.apply(
        "incidents",
        PollRecord("bpbd", NOW, ok=True),
        [Incident("bpbd", ext, title, severity=severity, reported_at=at, updated_at=at)],
    )
    other.close()


def _console(cfg, **kw) -> CcConsoleApp:
    return CcConsoleApp(cfg, Store.for_config(cfg, **kw), clock=lambda: NOW, live=True)


async def test_a_new_extreme_incident_raises_the_alarm_bang_opens_it_a_clears_it(sla_config):
    app = _console(sla_config)
    async with app.run_test(size=(80, 24)) as pilot:
        line = app.screen.query_one("#alarm-line")
        before = app.alarm
        await pilot.press("3")  # the operator is reading the agenda
        _arrive(sla_config, "NEW-1", "Banjir bandang di Kec. Cibatu")
        assert await until(
            pilot, lambda: app.alarm and app.alarm.new > (before.new if before else 0)
        )
        assert line.display and "Banjir bandang di Kec. Cibatu" in line.render().plain, (
            line.render().plain
        )
        assert "ALARM" in line.render().plain and "!" in line.render().plain
        await pilot.press("exclamation_mark")
        assert isinstance(app.screen, IncidentDetailScreen)
        worst = app.alarm.worst
        assert worst is not None and app.screen.incident.id == worst.id
        opened = worst.id
        await pilot.press("a")
        await pilot.press("enter")  # the optional note: none
        assert await until(pilot, lambda: all(k[0] != opened for k in app.alarm.keys))


async def test_another_console_sees_the_alarm_clear_within_a_second(sla_config):
    _arrive(sla_config, "NEW-2", "Longsor besar di Kec. Cisewu")
    watcher = _console(sla_config, read_only=True)
    async with watcher.run_test(size=(80, 24)) as pilot:
        assert any(k[0] == "bpbd:NEW-2" for k in watcher.alarm.keys)
        operator = Store.for_config(sla_config, operator="siti")
        operator.journal.act("ack", "bpbd:NEW-2")
        operator.close()
        budget, started = Budget(1.0), time.monotonic()
        assert await until(
            pilot,
            lambda: all(k[0] != "bpbd:NEW-2" for k in watcher.alarm.keys),
            timeout=budget.limit() * 3,
        )
        assert budget.allows(time.monotonic() - started)


async def test_the_deadline_column_and_the_most_overdue_order(sla_config):
    _arrive(sla_config, "LATE-1", "Banjir lama di Kec. Leles", minutes_ago=100)
    app = _console(sla_config)
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.screen.incidents
        texts = [pane.list.render_line(y).text for y in range(pane.list.size.height)]
        late_row = next(t for t in texts if "Banjir lama" in t)
        assert "⚠ lewat 1h 25m" in late_row, late_row
        await pilot.press("o", "o")  # newest → worst → most overdue
        assert pane.source.query.order == "overdue"
        most_overdue = app.ctx.store.deadlines.late(NOW)
        assert pane.list.row(0).id == most_overdue[0].id
        assert pane.list.cursor == 0 and pane.list.selected.id == most_overdue[0].id
        assert pane.list.total == len(most_overdue) + len(
            app.ctx.store.deadlines.due_within(NOW, 10**8)
        )
        await pilot.press("home")
        first = pane.list.render_line(0).text
        assert "⚠ lewat" in first, first


@pytest.mark.slow
def test_the_bell_rings_once_per_new_alarm_not_per_repaint(sla_config, tmp_path):
    import pty
    from datetime import UTC, datetime

    _arrive(sla_config, "NEW-0", "Gempa M6.1 Garut", now=datetime.now(UTC))
    pid, fd = pty.fork()
    if pid == 0:  # a console in a real terminal, on the cache with the rules
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"})
        os.execv(
            sys.executable,
            [sys.executable, "-m", "cc_console", "--config", str(sla_config.path), "tui"],
        )
    seen = b""

    def bells(out: bytes) -> int:
        # BEL also ends OSC sequences (a window title): count the bare ones only.
        return re.sub(rb"\x1b\][^\x07\x1b]*(\x07|\x1b\\)", b"", out).count(b"\x07")

    def read_for(seconds: float, until=lambda out: False) -> bytes:
        """What the console writes in ``seconds``, or until ``until(what it wrote)``."""
        nonlocal seen
        out = b""
        end = time.monotonic() + seconds
        while time.monotonic() < end and not until(out):
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    break
        seen += out
        return out

    try:
        # However busy the machine, the first frame comes (within a minute).
        first = read_for(60, lambda out: b"Kejadian" in out and bells(out) >= 1)
        assert b"Kejadian" in first, first[-300:]
        first += read_for(1)
        # A new extreme incident waits, unacknowledged: one bell as the console opens.
        assert bells(first) == 1, re.findall(rb".{20}\x07", first)
        assert bells(read_for(2)) == 0  # repaints and clock ticks ring nothing
        _arrive(sla_config, "NEW-3", "Kebakaran pasar", minutes_ago=0, now=datetime.now(UTC))
        rang = read_for(60, lambda out: bells(out) >= 1)
        assert bells(rang + read_for(2)) == 1  # the new alarm rings once
        other = Store.for_config(sla_config, operator="siti")
        other.journal.act("note", "bpbd:NEW-3", note="tim damkar berangkat")
        other.close()
        assert bells(read_for(2)) == 0  # new data, the same alarm: silent
    finally:
        os.kill(pid, 15)
        os.waitpid(pid, 0)


async def test_at_80_columns_the_overdue_order_shows_the_deadline_in_place_of_the_area(
    sla_config,
):
    _arrive(sla_config, "LATE-2", "Longsor lama di Kec. Cisewu", minutes_ago=100)
    app = _console(sla_config)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.screen.incidents
        assert "Tenggat" not in pane.list.source.header(pane.list.size.width).plain
        await pilot.press("o", "o")
        assert "Tenggat" in pane.list.source.header(pane.list.size.width).plain
        first = pane.list.render_line(0).text
        assert "⚠ lewat" in first and first.rstrip().endswith(("h", "d", "m")), first


async def test_at_80_columns_the_alarm_line_keeps_where_the_worst_happened(sla_config):
    from cc_console.store import Alarm
    from widgets.alarm_line import alarm_text

    app = _console(sla_config)
    async with app.run_test(size=(80, 24)):
        title = "Banjir bandang menerjang permukiman warga dan sawah di Kec. Cibatu"
        worst = Incident("bpbd", "W", title, severity="extreme", area="Kec. Cibatu")
        line = alarm_text(Alarm(2, 15, worst, frozenset()), app.ctx, 80).plain
        assert len(line) <= 80 and line.endswith("Kec. Cibatu [!]"), line
        assert "15 telat blm diterima" in line and "Banjir bandang" in line
        wide = alarm_text(Alarm(2, 15, worst, frozenset()), app.ctx, 200).plain
        assert title in wide and "15 lewat tenggat, belum diterima" in wide
