"""The kinerja counts kept per day never refuse a write a feed or an operator may make.

Seen on a live demo: opening Kinerja (or running ``report``) started keeping the
counts; the next feed update that resolved an incident (its resolution time not
yet filled) failed on the kept table's NOT NULL column, and so did every poll of
that source after it, while the duty officer's phone got the error with the
cache's local path in it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from cc_console.store import Store
from cc_console.store.schema import MIGRATIONS, SCHEMA_VERSION, _statements
from tests.conftest import Result, incident, incidents_doc, native_source, write_config
from tests.feedserver import FeedServer
from tests.receiver import Receiver

RULE = '[[sla]]\nmatch = { severity = ["severe"] }\nresolve_within = "12h"\n'
ROUTE = """
[[notify]]
name = "piket"
urls = ["{url}"]
events = ["source.failing"]
group_wait = "0s"
"""


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def test_a_feed_resolving_an_incident_after_a_report_still_refreshes(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    url = feeds.route("/inc.json", incidents_doc(incident("a1", severity="severe")))
    cfg = write_config(
        tmp_path / "config.toml",
        [native_source("bpbd", url)],
        extra=RULE + ROUTE.format(url=receiver.url()),
    )
    run = lambda *a: cli("--config", str(cfg), *a)  # noqa: E731
    assert run("refresh").code == 0
    before = run("report", "--json")  # keeps the counts per day from now on
    assert before.code == 0, before.err
    # The feed resolves it, without saying when (no feed format does).
    feeds.route(
        "/inc.json",
        incidents_doc(
            incident("a1", severity="severe", status="resolved", updated_at="2026-11-27T02:00:00Z")
        ),
    )
    for _ in range(3):
        r = run("refresh", "--json")
        assert r.code == 0, r.out + r.err
        assert r.json()["sources"][0]["error"] is None  # type: ignore[index]
    (row,) = run("incidents", "--all", "--json").json()  # type: ignore[misc]
    assert row["status"] == "resolved"
    assert row["resolved_at"] == "2026-11-27T02:00:00Z"  # dated at the feed's update
    assert receiver.requests == []  # nobody was told the feed failed
    # The kept counts adapt: the kept figures are the counted ones.
    store = Store(tmp_path / "cache.db")
    kept = store.db.tuples("SELECT resolved, on_time FROM kinerja_days WHERE incidents > 0")
    assert kept == [(1, 1)]
    store.close()


def test_a_failing_feed_tells_the_duty_officer_no_local_path(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    url = feeds.route("/inc.json", incidents_doc(incident("a1")))
    cfg = write_config(
        tmp_path / "config.toml",
        [native_source("bpbd", url)],
        extra=ROUTE.format(url=receiver.url()),
    )
    run = lambda *a: cli("--config", str(cfg), *a)  # noqa: E731
    assert run("refresh").code == 0
    # Any failure of the cache under a feed's write (here one the test provokes)
    # quotes the cache's file in the source's error.
    with sqlite3.connect(tmp_path / "cache.db") as c:
        c.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON incidents "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
    feeds.route("/inc.json", incidents_doc(incident("a1"), incident("a2")))
    assert run("refresh").code != 0
    r = run("refresh", "--json")
    assert str(tmp_path) in r.out  # the operator's own terminal may say where
    assert len(receiver.messages) == 1
    body = receiver.messages[0].body
    text = f"{body['title']}\n{body['message']}"
    assert "refused by the test" in text
    assert str(tmp_path) not in text and "/cache.db" not in text


def test_a_version_12_cache_is_repaired_and_recounted(tmp_path: Path) -> None:
    """A cache kept by v12 (its counts folded in) with an incident resolved without a
    time: it gets its time, the counts are counted anew, and feed updates pass."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:12], start=1):
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    for ext, status in (("a1", "resolved"), ("a2", "open")):
        conn.execute(
            "INSERT INTO incidents(id, source, external_id, title, feed_hash, status, severity, "
            "reported_at, updated_at, resolve_due) VALUES (?, 'bpbd', ?, 'Banjir', 'x', ?, "
            "'severe', '2026-11-27T02:00:00Z', '2026-11-27T03:00:00Z', '2026-11-27T14:00:00Z')",
            [f"bpbd:{ext}", ext, status],
        )
    conn.execute("INSERT INTO incidents_fts(incidents_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO meta VALUES ('kinerja.seq', '2'), ('kinerja.offset', '+420 minutes')")
    conn.execute("INSERT INTO kinerja_days VALUES ('2026-11-27', '', 7, 0, 0, 0, 0, 0)")  # drifted
    conn.close()
    store = Store(path)
    assert store.db.scalar("PRAGMA user_version") == SCHEMA_VERSION
    a1 = store.incidents.get("bpbd:a1")
    assert a1 is not None and a1.resolved_at and a1.acknowledged_at
    assert store.db.tuples("SELECT * FROM kinerja_days") == []
    from datetime import timedelta

    assert store.kinerja.keep(timedelta(hours=7))
    assert store.db.tuples("SELECT incidents, resolved, on_time FROM kinerja_days") == [(2, 1, 1)]
    with store.db.tx() as c:  # a feed's resolution, its time filled later
        c.execute("UPDATE incidents SET status = 'resolved' WHERE id = 'bpbd:a2'")
        c.execute("UPDATE incidents SET resolved_at = updated_at WHERE id = 'bpbd:a2'")
    assert store.db.tuples("SELECT incidents, resolved, on_time FROM kinerja_days") == [(2, 2, 2)]
    store.close()
