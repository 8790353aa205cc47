"""A cache written by an earlier cc-console keeps working after an upgrade."""

from __future__ import annotations

import hashlib
import pickle
import sqlite3

import msgspec

from cc_console.store import IncidentQuery, Store
from cc_console.store.schema import MIGRATIONS, SCHEMA_VERSION, _statements
from tests.conftest import feed_poll, feed_row


def test_digests_written_before_are_recognised(tmp_path):
    """Hex digests of the first schema match: an upgrade reports nothing changed."""
    store = Store(tmp_path / "cache.db")
    assert store.apply("incidents", feed_poll(0), [feed_row()]) == 1
    row = feed_row()
    old_digest = hashlib.blake2b(
        pickle.dumps((*row[1:9], row.reported_at, *row[10:13], False, None), 5), digest_size=12
    ).hexdigest()
    with store.db.tx() as c:
        c.execute("UPDATE incidents SET feed_hash = ?", [old_digest])
    assert store.apply("incidents", feed_poll(1), [feed_row()]) == 0
    assert store.incidents.timeline("bpbd:a1") == []
    assert store.apply("incidents", feed_poll(2), [feed_row("Banjir bandang di Kec. Cisewu")]) == 1
    assert len(store.incidents.timeline("bpbd:a1")) == 1
    store.close()


def test_digests_of_schema_4_are_recognised(tmp_path):
    """Schema 4 wrote 16 raw bytes over msgpack: still the same feed after an upgrade."""
    store = Store(tmp_path / "cache.db")
    assert store.apply("incidents", feed_poll(0), [feed_row()]) == 1
    digest = hashlib.blake2b(msgspec.msgpack.encode(feed_row()[1:]), digest_size=16).digest()
    with store.db.tx() as c:
        c.execute("UPDATE incidents SET feed_hash = ?", [digest])
    assert store.apply("incidents", feed_poll(1), [feed_row()]) == 0
    assert store.apply("incidents", feed_poll(2), [feed_row("Banjir bandang di Kec. Cisewu")]) == 1
    store.close()


def test_a_version_3_cache_migrates_and_still_filters(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:3], start=1):
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute(
        "INSERT INTO incidents(id, source, external_id, title, feed_hash, status, reported_at) "
        "VALUES ('bpbd:a1', 'bpbd', 'a1', 'Longsor di Kec. Talegong', 'x', 'open', "
        "'2026-11-27T02:00:00Z')"
    )
    conn.execute("INSERT INTO incidents_fts(incidents_fts) VALUES ('rebuild')")
    conn.close()
    store = Store(path)
    assert store.db.scalar("PRAGMA user_version") == SCHEMA_VERSION == 19
    assert store.incidents.count(IncidentQuery(text="talegong")) == 1
    assert store.incidents.count(IncidentQuery(text="banjir")) == 0
    store.close()


def test_a_version_4_cache_keeps_its_timeline_and_learns_when_work_was_done(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:4], start=1):
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    for ext, status in (("a1", "acknowledged"), ("a2", "resolved"), ("a3", "open")):
        conn.execute(
            "INSERT INTO incidents(id, source, external_id, title, feed_hash, status, "
            "reported_at, updated_at) VALUES (?, 'bpbd', ?, 'Banjir', 'x', ?, "
            "'2026-11-27T02:00:00Z', '2026-11-27T02:00:00Z')",
            [f"bpbd:{ext}", ext, status],
        )
    conn.execute(
        "INSERT INTO journal(seq, at, operator, action, target, prev_hash, hash) "
        "VALUES (1, '2026-11-27T02:10:00Z', 'siti', 'ack', 'bpbd:a1', '0', '1')"
    )
    conn.execute(
        "INSERT INTO incident_events(incident_id, at, text) "
        "VALUES ('bpbd:a1', '2026-11-27T02:05:00Z', '{\"title\": [\"Banjir\", \"Banjir besar\"]}')"
    )
    conn.close()
    store = Store(path)
    assert store.db.scalar("PRAGMA user_version") == SCHEMA_VERSION
    a1, a2, a3 = (store.incidents.get(f"bpbd:{x}") for x in ("a1", "a2", "a3"))
    assert a1 and a2 and a3
    assert a1.acknowledged_at and a1.acknowledged_at.isoformat().startswith("2026-11-27T02:10")
    assert a2.resolved_at and a2.acknowledged_at  # no journal: the feed's own time
    assert a3.acknowledged_at is None and a3.resolved_at is None
    kinds = [e.kind for e in store.incidents.timeline("bpbd:a1")]
    assert kinds == ["feed", "ack"]
    store.close()
