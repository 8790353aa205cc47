"""Layering: commands for cron never load Textual (nor rich, for JSON); parsers and pollers never import it."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import write_config

SCRIPT = """
import sys
from cc_console.cli import main
sys.argv = ["cc-console", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith(("textual.", "widgets")))
print("LOADED", loaded, file=sys.stderr)
print("RICH", "rich" in sys.modules, file=sys.stderr)
print("ENTRY POINTS SCANNED", "importlib.metadata" in sys.modules, file=sys.stderr)
"""


def _python(code: str) -> str:
    """What ``code`` prints, run in a fresh interpreter (nothing imported yet)."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    ).stdout.strip()


def _sources_matching(pattern: str, packages: tuple[str, ...] = ("cc_console",)) -> list[str]:
    """Our source files in which the regular expression ``pattern`` finds a line."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = re.compile(pattern, re.MULTILINE)
    return [
        str(path.relative_to(root))
        for package in packages
        for path in (root / package).rglob("*.py")
        if found.search(path.read_text())
    ]


def test_cron_commands_do_not_import_textual(tmp_path):
    cfg = write_config(
        tmp_path / "config.toml",
        [{"name": "x", "kind": "incidents", "format": "native", "url": "http://127.0.0.1:9/x"}],
    )
    for args in (
        ["status", "--json"],
        ["incidents", "--json"],
        ["refresh", "--json"],
        ["journal", "--verify"],
    ):
        proc = subprocess.run(
            [sys.executable, "-c", SCRIPT, "--config", str(cfg), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "LOADED []" in proc.stderr, (args, proc.stderr)
        if args[0] in ("status", "incidents"):  # JSON for scripts: no rendering library
            assert "RICH False" in proc.stderr, (args, proc.stderr)  # (httpx loads it for refresh)
            # sqlite-utils' plugin discovery reads every installed package's metadata.
            assert "ENTRY POINTS SCANNED False" in proc.stderr, (args, proc.stderr)


def test_lower_layers_do_not_import_textual_or_the_ui():
    code = (
        "import sys, cc_console.sources, cc_console.poll, cc_console.store, cc_console.config;"
        "import cc_console.sources.cap, cc_console.sources.ical;"
        "bad = [m for m in sys.modules if m.startswith(('textual', 'widgets', 'cc_console.app', 'cc_console.screens'))];"
        "print(bad)"
    )
    assert _python(code) == "[]"


def test_only_the_store_speaks_sql():
    sql = r"[\"']\s*(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|PRAGMA) "  # in a string
    offenders = [
        path
        for path in _sources_matching(sql, ("cc_console", "widgets"))
        if "store" not in path.split("/")
    ]
    assert offenders == []


def test_discovering_formats_keeps_parser_libraries_unloaded():
    """Every command discovers the formats (to check the config); their heavy imports wait."""
    code = (
        "import sys, cc_console.sources as s; s.formats();"
        "print(sorted(m for m in ('msgspec', 'defusedxml', 'icalendar') if m in sys.modules))"
    )
    assert _python(code) == "[]"


def test_msgspec_is_imported_as_a_package_first():
    """Parsers and the store import msgspec lazily, in the threads that refresh
    sources; importing ``msgspec.msgpack`` directly while another thread imports
    ``msgspec`` takes the two module locks in opposite orders (a ``_DeadlockError``
    seen once in twenty cold starts). Every import names the package."""
    assert _sources_matching(r"^\s*(from|import)\s+msgspec\.") == []


def test_loading_the_commands_leaves_asyncio_for_those_that_run_it():
    """`status --json` starts in about 0.16 s; asyncio (9 ms) is for refresh, poll, doctor,
    notify and serve, which import it when they run (figure 9)."""
    code = "import sys, cc_console.cli; print('asyncio' in sys.modules)"
    assert _python(code) == "False"
