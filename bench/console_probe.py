"""Run in a fresh process by run.py: time to the console's first frame with incidents,
time to show a filter's first match while typing, and peak RSS."""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from cc_console.app import CcConsoleApp  # noqa: E402
from cc_console.config import load_config  # noqa: E402
from cc_console.store import Store  # noqa: E402


async def main(config: str, word: str) -> dict[str, float]:
    cfg = load_config(Path(config))
    store = Store(cfg.cache.path)
    app = CcConsoleApp(cfg, store, live=False)
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.screen.incidents
        while not (pane.list.total and pane.list._pages):
            await asyncio.sleep(0.001)
        out["first_frame_s"] = time.perf_counter() - STARTED
        typed = time.perf_counter()
        await pilot.press("slash")
        for ch in word:
            await pilot.press(ch)
        while pane.filter_text != word or not pane.list._pages:
            await asyncio.sleep(0.001)
        row = pane.list.row(0)
        assert row is not None and word.lower() in (row.title + row.area).lower(), row
        out["filter_s"] = time.perf_counter() - typed
        out["matches"] = pane.list.total
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork+exec from the parent.
    status = Path("/proc/self/status").read_text()
    hwm = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    out["rss_mb"] = int(hwm.split()[1]) / 1024
    store.close()
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2]))))
