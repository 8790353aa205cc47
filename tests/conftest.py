"""Shared fixtures: a real feed server on 127.0.0.1, config files, the CLI in-process."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from cc_console.models import FeedIncident
from cc_console.store import PollRecord
from tests.clock import python_path
from tests.feedserver import FeedServer

FIXTURES = Path(__file__).parent / "fixtures"


# Property tests draw the same examples on every run (a failure found once is found
# again on every machine); HYPOTHESIS_PROFILE=explore draws new ones for a hunt.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=None,
        help="run the whole suite at this instant, ticking (ISO 8601, e.g. 2026-12-06T15:00Z;"
        " default: tests/clock.py FROZEN, a Thursday 10:00 WIB)",
    )


def pytest_configure(config: pytest.Config) -> None:
    from tests import clock

    given = config.getoption("--clock")
    dest = datetime.fromisoformat(given) if given else clock.FROZEN
    clock.start(dest if dest.tzinfo else dest.replace(tzinfo=UTC))


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's config, cache or environment."""
    for var in (
        "CC_CONSOLE_CONFIG",
        "CC_CONSOLE_DB",
        "CC_CONSOLE_READ_ONLY",
        "CC_OPERATOR",
        "CC_CONSOLE_LANG",
        "NO_COLOR",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    """A running feed server."""
    with FeedServer() as server:
        yield server


def incidents_doc(*items: dict, generated_at: str = "2026-11-27T03:00:00Z") -> str:
    """A native incidents feed."""
    return json.dumps(
        {
            "format": "cc-console/incidents",
            "version": 1,
            "generated_at": generated_at,
            "incidents": list(items),
        }
    )


def agencies_doc(*items: dict) -> str:
    """A native agencies feed."""
    return json.dumps(
        {
            "format": "cc-console/agencies",
            "version": 1,
            "generated_at": "2026-11-27T03:00:00Z",
            "agencies": list(items),
        }
    )


def incident(ext: str, title: str = "Banjir", **kw: object) -> dict:
    base = {
        "id": ext,
        "title": title,
        "category": "flood",
        "severity": "moderate",
        "status": "open",
        "area": "Kec. Garut Kota",
        "lat": -7.2,
        "lon": 107.9,
        "reported_at": "2026-11-27T01:00:00Z",
        "updated_at": "2026-11-27T01:00:00Z",
    }
    base.update(kw)
    return base


def native_source(name: str, url: str, kind: str = "incidents", **extra: object) -> dict:
    """One source of the native format, for :func:`write_config`."""
    return {"name": name, "kind": kind, "format": "native", "url": url, **extra}


def write_config(path: Path, sources: list[dict], extra: str = "") -> Path:
    """A config file with ``sources`` and a cache next to it."""
    lines = [
        "[site]",
        'name = "Command Center Kabupaten Garut"',
        'code = "32.05"',
        'timezone = "Asia/Jakarta"',
        "[cache]",
        'path = "cache.db"',
        "[poll]",
        "" if "timeout" in extra else 'timeout = "3s"',
        extra,
    ]
    for s in sources:
        lines.append("[[sources]]")
        for k, v in s.items():
            lines.append(f"{k} = {json.dumps(v)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


FEED_NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def feed_row(title: str = "Banjir di Kec. Cisewu") -> FeedIncident:
    """One incident of source "bpbd" as the store receives it (id "a1")."""
    return FeedIncident(
        "a1", title, "", "flood", "severe", "open", "Kec. Cisewu", -7.2, 107.5,
        "2026-11-27T02:00:00Z", "2026-11-27T02:00:00Z", None, None, False, None,
    )  # fmt: skip


def feed_poll(minutes: int) -> PollRecord:
    """A successful poll of source "bpbd", ``minutes`` after :data:`FEED_NOW`."""
    return PollRecord("bpbd", FEED_NOW + timedelta(minutes=minutes), ok=True, http_status=200)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run ``cc-console ARGS`` in this process (through ``main``, exit codes and all)."""
    from cc_console.cli import main

    def run(*args: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        return Result(code, out.getvalue(), err.getvalue())

    return run


def run_subprocess(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Result:
    """Run the real ``cc-console`` entry point in a fresh interpreter."""
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "cc_console", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_as_stranger(*args: str, timeout: float = 60) -> Result:
    """Run ``cc-console ARGS`` as another user (see ``tests/stranger.py``)."""
    import subprocess

    proc = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "stranger.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": python_path(str(Path(__file__).parent.parent))},
        cwd="/",
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder any user may enter and read (pytest's own are private to us)."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="cc-shared-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        path.chmod(0o755)
        shutil.rmtree(path, ignore_errors=True)


def run_measured(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> tuple[Result, float]:
    """Run ``cc-console ARGS`` in a fresh interpreter; its result and its own peak RSS in MB.

    The peak is the process's own (see ``tests/peak.py``), not the largest of
    every child the test process waited for (``RUSAGE_CHILDREN``), nor one
    that counts the forked copy of the test process before exec (``wait4``).
    """
    import subprocess

    proc = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "peak.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={
            **os.environ,
            "PYTHONPATH": python_path(str(Path(__file__).parent.parent)),
            **(env or {}),
        },
    )
    err, _, peak = proc.stderr.rpartition("\nPEAK_KB ")
    return Result(proc.returncode, proc.stdout, err), int(peak.split()[0]) / 1024


def demo_store(server: Any, folder: Path) -> tuple[Any, Callable[[], None]]:
    """A cache on the demo ``server`` with the demo's config, and a function refreshing it."""
    import asyncio

    from cc_console.config import load_config
    from cc_console.demo.session import demo_config_text
    from cc_console.poll import Refresher
    from cc_console.store import Store

    path = folder / "demo.toml"
    path.write_text(demo_config_text(server.base, folder / "demo.db"), encoding="utf-8")
    cfg = load_config(path)
    store = Store.for_config(cfg)

    def refresh() -> None:
        async def run() -> None:
            refresher = Refresher(cfg, store)
            try:
                await refresher.refresh(list(cfg.sources))
            finally:
                await refresher.aclose()

        asyncio.run(run())

    return store, refresh
