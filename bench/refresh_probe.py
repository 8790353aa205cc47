"""Run in a fresh process by run.py: the time of one `refresh` of every source, in-process
(interpreter start-up excluded, so a 304 is compared to a full refresh, not to Python's start).

With ``[[notify]]`` routes, Apprise is loaded first, as a running poller has it
loaded after its first message; the refresh timed includes its sending."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from cc_console.config import load_config
from cc_console.poll import Refresher
from cc_console.store import Store


async def main(path: str) -> dict[str, object]:
    cfg = load_config(Path(path))
    store = Store.for_config(cfg)
    refresher = Refresher(cfg, store)
    if refresher.notifier.active:
        refresher.notifier.warm()
    started = time.perf_counter()
    outcomes = await refresher.refresh(list(cfg.sources))
    elapsed = time.perf_counter() - started
    await refresher.aclose()
    store.close()
    return {"seconds": elapsed, "sources": [o.as_json() for o in outcomes]}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
