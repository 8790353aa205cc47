"""Hostile feed text through the real pipeline into every view: shown literally, never executed."""

from __future__ import annotations

import json

from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.store import Store
from tests.conftest import native_source, write_config

HOSTILE = (
    "[bold red]BOCOR[/] \x1b[2J\x1b]0;owned\x07\x1b]52;c;ZWNobyBoaQ==\x07 "
    "\u202eevil\u202c \x9b31m" + "x" * 5000
)


async def test_markup_and_escapes_never_reach_the_terminal(tmp_path, feeds):
    feeds.route(
        "/inc.json",
        json.dumps(
            {
                "format": "cc-console/incidents",
                "version": 1,
                "incidents": [
                    {
                        "id": "EVIL-1",
                        "title": HOSTILE,
                        "description": HOSTILE,
                        "area": HOSTILE[:80],
                        "severity": "severe",
                    }
                ],
            }
        ),
    )
    feeds.route(
        "/opd.json",
        json.dumps(
            {
                "format": "cc-console/agencies",
                "version": 1,
                "agencies": [
                    {
                        "id": "evil",
                        "name": HOSTILE,
                        "summary": HOSTILE,
                        "status": "degraded",
                        "kpis": [
                            {"name": HOSTILE[:60], "value": 1, "target": 2, "unit": "\x1b[31m"}
                        ],
                    }
                ],
            }
        ),
    )
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:evil\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART:20261205T020000Z\r\nDTEND:20261205T030000Z\r\n"
        f"SUMMARY:{HOSTILE[:200]}\r\nLOCATION:{HOSTILE[:60]}\r\nDESCRIPTION:{HOSTILE[:300]}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    feeds.route("/agenda.ics", ics)
    cfg_path = write_config(
        tmp_path / "config.toml",
        [
            native_source("bpbd", feeds.url("/inc.json")),
            native_source("opd", feeds.url("/opd.json"), "agencies"),
            {"name": "rakor", "kind": "agenda", "format": "ical", "url": feeds.url("/agenda.ics")},
        ],
    )
    from cc_console.poll import Refresher

    cfg = load_config(cfg_path)
    store = Store(cfg.cache.path)
    refresher = Refresher(cfg, store)
    outcomes = await refresher.refresh(list(cfg.sources))
    assert [o.status for o in outcomes] == ["updated"] * 3, [o.error for o in outcomes]
    await refresher.aclose()
    store.journal.act("note", "bpbd:EVIL-1", note=HOSTILE[:300])
    from datetime import UTC, datetime

    app = CcConsoleApp(
        cfg, store, live=False, clock=lambda: datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
    )
    async with app.run_test(size=(120, 40)) as pilot:
        shots = [app.export_screenshot()]
        await pilot.press("enter")
        shots.append(app.export_screenshot())
        await pilot.press("escape", "1", "enter")
        shots.append(app.export_screenshot())
        await pilot.press("escape", "3")
        shots.append(app.export_screenshot())
        await pilot.press("down", "enter")
        shots.append(app.export_screenshot())
        await pilot.press("escape", "J")
        shots.append(app.export_screenshot())
        await pilot.press("escape", "f")
        shots.append(app.export_screenshot())
    for svg in shots:
        assert "\x1b" not in svg and "\x07" not in svg and "\x9b" not in svg
        assert "\u202e" not in svg
    assert "[bold&#160;red]BOCOR[/]" in shots[0] or "[bold red]BOCOR[/]" in shots[0]
    for index, shot in enumerate(shots[:6]):
        assert "BOCOR" in shot, index
