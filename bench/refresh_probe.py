"""Run in a fresh process by run.py: the time of one `refresh` of every source, in-process
(interpreter start-up excluded, so a 304 is compared to a full refresh, not to Python's start).

With ``[[notify]]`` routes, Apprise is loaded first, as a running poller has it
loaded after its first message; the refresh timed includes its sending.

The process is warmed as a running poller is after its first poll: the HTTP stack
imported and the CA bundle loaded (about 0.5 s on this VM, paid once per process,
not per refresh). Without it a 304 on a small feed measures Python's imports."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import httpx

from cc_console.config import load_config
from cc_console.poll import Refresher
from cc_console.poll.fetch import make_client
from cc_console.store import Store


async def main(path: str) -> dict[str, object]:
    cfg = load_config(Path(path))
    store = Store.for_config(cfg)
    refresher = Refresher(cfg, store)
    if refresher.notifier.active:
        refresher.notifier.warm()
    async with make_client() as client:  # a warm process: one request made, its answer ignored
        origin = httpx.URL(str(cfg.sources[0].url)).copy_with(path="/warm", query=None)
        await client.get(origin)
    started = time.perf_counter()
    outcomes = await refresher.refresh(list(cfg.sources))
    elapsed = time.perf_counter() - started
    await refresher.aclose()
    store.close()
    return {"seconds": elapsed, "sources": [o.as_json() for o in outcomes]}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
