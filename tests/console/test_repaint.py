"""What a change costs over SSH: the bytes the console writes to a real terminal (a pty).

A row acknowledged from another console repaints that row, not the screen.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.terminal_probe import Terminal
from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.models import Incident
from cc_console.screens import IncidentDetailScreen
from cc_console.store import PollRecord, Store
from tests.conftest import write_config
from tests.console.conftest import NOW, populate


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
