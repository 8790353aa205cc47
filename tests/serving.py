"""A real ``cc-console serve`` process for tests: started on a free port, stopped by SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx


class Serving:
    """``with Serving(config, "--days", "3", tokens="a,b") as s: s.get("/")``."""

    def __init__(
        self, config: Path, *args: str, tokens: str | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.config, self.args = config, args
        self.env = {**os.environ, **(env or {})}
        if tokens is not None:
            self.env["CC_SERVE_TOKENS"] = tokens
        self.proc: subprocess.Popen[str] | None = None
        self.address = ""
        self.err_lines: list[str] = []
        self.port = 0

    def __enter__(self) -> Serving:
        args = ("--port", "0", *self.args) if "--port" not in self.args else self.args
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cc_console", "--config", str(self.config), "serve", *args],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=self.env,
        )
        assert self.proc.stderr is not None
        # The first line names the address (or says why it cannot serve).
        got: list[str] = []
        reader = threading.Thread(target=lambda: got.append(self.proc.stderr.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(30)
        line = got[0] if got else ""
        found = re.search(r"at (http://[^\s/]+)/", line)
        if not found:
            self.proc.kill()
            rest = self.proc.communicate(timeout=10)[1]
            raise AssertionError(f"serve did not start: {line}{rest}")
        self.address = found.group(1)
        self.port = int(self.address.rsplit(":", 1)[1])
        # Keep draining stderr so the server never blocks on a full pipe.
        self._drain = threading.Thread(target=self._read_rest, daemon=True)
        self._drain.start()
        return self

    def _read_rest(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for line in self.proc.stderr:
            self.err_lines.append(line)

    def get(self, path: str, token: str | None = None, **headers: str) -> httpx.Response:
        """One request on a fresh connection."""
        h = {k.replace("_", "-"): v for k, v in headers.items()}
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        return httpx.get(self.address + path, headers=h, timeout=10)

    def renders(self) -> int:
        """How many documents the server has rendered so far."""
        return int(self.get("/healthz").headers["X-Renders"])

    def stop(self, timeout: float = 15) -> tuple[int, str]:
        """SIGTERM; the exit code and what it wrote to stderr."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self._drain.join(5)
        return code, "".join(self.err_lines)

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
