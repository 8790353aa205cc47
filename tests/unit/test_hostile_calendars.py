"""Hostile calendars: an endless RRULE is bounded in time and memory, and never holds a stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from cc_console.errors import ParseError
from cc_console.sources.base import ParseContext
from cc_console.sources.ical import MAX_OCCURRENCES, parse
from tests.conftest import run_measured, write_config
from tests.timing import Budget

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def calendar(*rules: str) -> bytes:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:e{i}@garut\r\nDTSTART:20261101T010000Z\r\n"
        f"DTEND:20261101T020000Z\r\nRRULE:{rule}\r\nSUMMARY:Rapat {i}\r\nEND:VEVENT\r\n"
        for i, rule in enumerate(rules)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n".encode()


def ctx(**kw: object) -> ParseContext:
    return ParseContext("rakor", "agenda", "http://127.0.0.1/x.ics", NOW, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;INTERVAL=1",
        "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11;BYMINUTE=0,15,30,45",
    ],
)
def test_a_series_more_often_than_hourly_is_skipped_with_a_warning(rule):
    parsed = parse(calendar(rule, "FREQ=WEEKLY"), ctx())
    assert {m.uid for m in parsed.meetings} == {"e1@garut"}  # the weekly meeting stays
    assert any("e0@garut" in w and "times a day" in w for w in parsed.warnings)


def test_occurrences_are_capped_per_feed():
    parsed = parse(calendar(*["FREQ=HOURLY"] * 8), ctx())
    assert len(parsed.meetings) == MAX_OCCURRENCES
    assert any("over" in w for w in parsed.warnings)


def test_expansion_stops_when_the_sources_time_is_up():
    with pytest.raises(ParseError, match="timeout"):
        parse(calendar("FREQ=DAILY", "FREQ=WEEKLY"), ctx(expired=lambda: True))


def _cli(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "cc_console", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )


def test_an_endless_rrule_refreshes_in_time_and_memory(tmp_path, feeds):
    feeds.route("/rakor.ics", calendar("FREQ=SECONDLY", "FREQ=WEEKLY"))
    cfg = write_config(
        tmp_path / "config.toml",
        [{"name": "rakor", "kind": "agenda", "format": "ical", "url": feeds.url("/rakor.ics")}],
    )
    budget = Budget(3 + 3)  # the config's timeout is 3 s
    started = time.monotonic()
    r, peak_mb = run_measured("refresh", "--json", env={"CC_CONSOLE_CONFIG": str(cfg)})
    elapsed = time.monotonic() - started
    assert r.code == 0, r.err
    (source,) = json.loads(r.out)["sources"]
    assert source["status"] == "updated" and source["records"] >= 4
    assert budget.allows(elapsed), (elapsed, budget.limit())
    assert peak_mb < 250


def test_poll_stops_within_3s_of_sigterm_while_expanding(tmp_path, feeds):
    feeds.route("/rakor.ics", calendar(*["FREQ=HOURLY"] * 40))
    cfg = write_config(
        tmp_path / "config.toml",
        [{"name": "rakor", "kind": "agenda", "format": "ical", "url": feeds.url("/rakor.ics")}],
    )
    proc = _cli("poll", env={"CC_CONSOLE_CONFIG": str(cfg)})
    try:
        deadline = time.monotonic() + 30
        while not feeds.hits("/rakor.ics") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert feeds.hits("/rakor.ics"), "poll never fetched the calendar"
        time.sleep(0.1)  # inside the expansion
        budget = Budget(3)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        assert budget.allows(time.monotonic() - sent), budget.limit()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
