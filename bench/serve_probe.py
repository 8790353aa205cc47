"""Figures 13-15 (run.py): `serve` under idle connections and conditional GETs; the
province's refresh of 27 sites against one site's refresh of the same number of incidents."""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

PY = sys.executable
TOKEN = "bench-token-7f3e9a1c55d0"


class Serving:
    """A `cc-console serve` process with a token, its feeds kept open for idle clients."""

    def __init__(self, config: Path) -> None:
        env = {**os.environ, "CC_SERVE_TOKENS": TOKEN}
        self.proc = subprocess.Popen(
            [PY, "-m", "cc_console", "--config", str(config), "serve", "--port", "0",
             "--idle-timeout", "300"],
            stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()
        found = re.search(r"at (http://[^\s/]+)/", line)
        if not found:
            raise RuntimeError(f"serve did not start: {line}")
        self.address = found.group(1)
        self.port = int(self.address.rsplit(":", 1)[1])
        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()  # type: ignore[union-attr]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)


def _get_times(address: str, runs: int) -> list[float]:
    """Each a full GET /incidents.json on a fresh connection (a poller's request)."""
    times = []
    headers = {"Authorization": f"Bearer {TOKEN}"}
    for _ in range(runs):
        started = time.perf_counter()
        r = httpx.get(address + "/incidents.json", headers=headers, timeout=30)
        r.raise_for_status()
        times.append(time.perf_counter() - started)
    return times


def idle_figure(config: Path, idle: int, runs: int = 30) -> dict[str, Any]:
    """GET /incidents.json alone, then with ``idle`` connections held open."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, idle + 256)), hard))
    server = Serving(config)
    try:
        _get_times(server.address, 3)  # rendered once, kept
        alone = statistics.median(_get_times(server.address, runs))
        held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(idle)]
        try:
            time.sleep(0.5)
            crowded = statistics.median(_get_times(server.address, runs))
            alive = server.proc.poll() is None
        finally:
            for s in held:
                s.close()
        size = len(httpx.get(server.address + "/incidents.json",
                             headers={"Authorization": f"Bearer {TOKEN}"}).content)  # fmt: skip
    finally:
        server.close()
    return {"alone": alone, "crowded": crowded, "alive": alive, "bytes": size}


def conditional_figure(config: Path, clients: int, each: int) -> dict[str, Any]:
    """``clients`` concurrent keep-alive clients, ``each`` GETs apiece: conditional (304)
    against full documents; seconds per request of each kind.

    The clients speak HTTP/1.1 on raw asyncio streams (a request written, the headers
    and ``Content-Length`` bytes read): a client library's own cost per request (httpx
    spends about 1 ms) would otherwise be most of what is measured, on the same 2 cores.
    """
    server = Serving(config)
    # The identity document's tag: the raw clients below ask for no gzip, and a gzip
    # response has a tag of its own (httpx asks for gzip unless told otherwise).
    tag = httpx.get(server.address + "/incidents.json",
                    headers={"Authorization": f"Bearer {TOKEN}",
                             "Accept-Encoding": "identity"}).headers["ETag"]  # fmt: skip

    async def run(conditional: bool) -> float:
        request = (
            "GET /incidents.json HTTP/1.1\r\nHost: bench\r\n"
            f"Authorization: Bearer {TOKEN}\r\n"
            + (f"If-None-Match: {tag}\r\n" if conditional else "")
            + "\r\n"
        ).encode()

        async def one() -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            for _ in range(each):
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                assert status == (304 if conditional else 200), head[:80]
                length = re.search(rb"(?i)content-length: (\d+)", head)
                if length and int(length.group(1)):
                    await reader.readexactly(int(length.group(1)))
            writer.close()
            await writer.wait_closed()

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(clients)))
        return (time.perf_counter() - started) / (clients * each)

    try:
        full = min(asyncio.run(run(False)) for _ in range(3))
        cond = min(asyncio.run(run(True)) for _ in range(3))
    finally:
        server.close()
    return {"full": full, "conditional": cond}


if __name__ == "__main__":
    kind, path, *rest = sys.argv[1:]
    if kind == "idle":
        print(json.dumps(idle_figure(Path(path), int(rest[0]))))
    else:
        print(json.dumps(conditional_figure(Path(path), int(rest[0]), int(rest[1]))))
