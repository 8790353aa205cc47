"""Hostile feed text through the real pipeline into every view: shown literally, never executed."""

from __future__ import annotations

import json

from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.store import Store
from tests.conftest import write_config

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
    cfg_path = write_config(
        tmp_path / "config.toml",
        [
            {
                "name": "bpbd",
                "kind": "incidents",
                "format": "native",
                "url": feeds.url("/inc.json"),
            },
            {"name": "opd", "kind": "agencies", "format": "native", "url": feeds.url("/opd.json")},
        ],
    )
    from cc_console.poll import Refresher

    cfg = load_config(cfg_path)
    store = Store(cfg.cache.path)
    refresher = Refresher(cfg, store)
    await refresher.refresh(list(cfg.sources))
    await refresher.aclose()
    app = CcConsoleApp(cfg, store, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        shots = [app.export_screenshot()]
        await pilot.press("enter")
        shots.append(app.export_screenshot())
        await pilot.press("escape", "1", "enter")
        shots.append(app.export_screenshot())
    for svg in shots:
        assert "\x1b" not in svg and "\x07" not in svg and "\x9b" not in svg
        assert "\u202e" not in svg
    assert "[bold&#160;red]BOCOR[/]" in shots[0] or "[bold red]BOCOR[/]" in shots[0]
    assert "BOCOR" in shots[1] and "BOCOR" in shots[2]
