"""A source's first snapshot: its rolling window is a baseline, but what was reported
within ``[alert] fresh`` before it is news (a new install must page for a flood
reported a minute ago)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cc_console.store import Store
from cc_console.timefmt import iso_z, utcnow
from tests.conftest import Result, incident, incidents_doc, native_source, write_config
from tests.feedserver import FeedServer
from tests.receiver import Receiver

ROUTE = """
[[notify]]
name = "piket"
urls = ["{url}"]
events = ["incident.new"]
match = {{ severity = ["extreme", "severe"] }}
group_wait = "0s"
"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def _config(tmp_path: Path, feeds: FeedServer, receiver: Receiver, alert: str = "") -> Path:
    now = utcnow()
    url = feeds.route(
        "/inc.json",
        incidents_doc(
            incident(
                "flood",
                "Banjir bandang Cikajang",
                severity="extreme",
                reported_at=iso_z(now - timedelta(minutes=1)),
                updated_at=iso_z(now - timedelta(minutes=1)),
            ),
            incident(
                "old",
                "Longsor Talegong",
                severity="extreme",
                reported_at=iso_z(now - timedelta(hours=3)),
                updated_at=iso_z(now - timedelta(hours=3)),
            ),
        ),
    )
    return write_config(
        tmp_path / "config.toml",
        [native_source("bpbd", url)],
        extra=alert + ROUTE.format(url=receiver.url()),
    )


def test_a_first_snapshot_pages_for_what_was_just_reported(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    cfg = _config(tmp_path, feeds, receiver)
    assert cli("--config", str(cfg), "refresh").code == 0
    (got,) = receiver.messages
    assert got.body["title"].endswith(": 1 kejadian baru (1 ekstrem)")
    assert "Banjir bandang Cikajang" in got.body["message"]
    assert "Talegong" not in got.body["message"]  # three hours old: the feed's window
    rows = cli("--config", str(cfg), "notify", "--json").json()
    assert [r["target"] for r in rows] == ["bpbd:flood"]  # type: ignore[index]
    # The console's alarm line counts it too (new, at or above [alert] severity).
    with Store(tmp_path / "cache.db", read_only=True) as store:
        alarm = store.deadlines.alarm(utcnow())
    assert alarm.new == 1 and alarm.worst is not None and alarm.worst.external_id == "flood"


def test_fresh_zero_keeps_the_first_snapshot_a_baseline(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    cfg = _config(tmp_path, feeds, receiver, '[alert]\nfresh = "0s"\n')
    assert cli("--config", str(cfg), "refresh").code == 0
    assert receiver.requests == []
    assert cli("--config", str(cfg), "notify", "--json").json() == []


@pytest.mark.parametrize("value", ['"forever"', '"30d"', "-1", "true"])
def test_a_wrong_fresh_is_refused(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result], value: str
) -> None:
    cfg = _config(tmp_path, feeds, receiver, f"[alert]\nfresh = {value}\n")
    r = cli("--config", str(cfg), "refresh")
    assert r.code == 2 and "[alert] key 'fresh'" in r.err, r.err
