"""How one snapshot of a feed lands in the store: new rows, duplicates, large feeds."""

from __future__ import annotations

import pytest

from cc_console.store import IncidentQuery, Store
from tests.conftest import feed_poll, feed_row


def test_the_same_incident_twice_in_a_snapshot_keeps_the_newest(tmp_path):
    newer = feed_row("Banjir bandang")._replace(updated_at="2026-11-27T02:30:00Z")
    older = feed_row("Banjir")
    same_time = feed_row("Banjir, susulan")._replace(external_id="a2")
    store = Store(tmp_path / "cache.db")
    first = same_time._replace(title="Banjir, laporan awal")
    assert store.apply("incidents", feed_poll(0), [newer, first, older, same_time]) == 2
    titles = dict(store.db.conn.execute("SELECT external_id, title FROM incidents"))
    # The newest report wins; of two with the same time, the later one.
    assert titles == {"a1": "Banjir bandang", "a2": "Banjir, susulan"}
    store.close()


def test_new_rows_keep_missing_values_missing(tmp_path):
    """New rows bind '' for a missing value (cheaper than None); it is stored as NULL."""
    store = Store(tmp_path / "cache.db")
    bare = feed_row()._replace(
        external_id="a2", lat=None, lon=None, reported_at=None, updated_at=None
    )
    full = feed_row()._replace(
        external_id="a3", lat=0.0, lon=-0.0, url="https://bpbd.example/a3",
        assigned_to="BPBD", exercise=True, extra='{"k": 1}',
    )  # fmt: skip
    assert store.apply("incidents", feed_poll(0), [bare, full]) == 2
    cols = "lat, lon, url, feed_assigned, assigned_to, exercise, extra, reported_at, updated_at"
    got = {
        r[0]: r[1:]
        for r in store.db.conn.execute(f"SELECT external_id, {cols} FROM incidents ORDER BY id")
    }
    poll_time = "2026-11-27T03:00:00Z"
    assert got == {
        "a2": (None, None, None, None, None, 0, None, poll_time, poll_time),
        "a3": (0.0, -0.0, "https://bpbd.example/a3", "BPBD", "BPBD", 1, '{"k": 1}',
               "2026-11-27T02:00:00Z", "2026-11-27T02:00:00Z"),
    }  # fmt: skip
    assert store.db.scalar("SELECT count(*) FROM incidents WHERE source = 'bpbd'") == 2
    # Unchanged on the next poll, the missing values included.
    assert store.apply("incidents", feed_poll(1), [bare, full]) == 0
    store.close()


def _indexes(store: Store) -> list[tuple[str, str]]:
    return store.db.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' "
        "ORDER BY name"
    ).fetchall()


def test_a_large_snapshot_is_inserted_and_indexed_in_batches(tmp_path):
    """Above two batches, one worker thread indexes a batch while the next is built."""
    from cc_console.store.incident_writes import _BATCH

    count = 2 * _BATCH + 10
    rows = [
        feed_row(f"Banjir di Kec. Cisewu nomor{i}")._replace(external_id=f"n{i}")
        for i in range(count)
    ]
    store = Store(tmp_path / "cache.db")
    indexes = _indexes(store)
    assert store.apply("incidents", feed_poll(0), rows) == count
    assert _indexes(store) == indexes  # dropped for the bulk insert, built again after
    every = IncidentQuery(statuses=())
    assert store.incidents.count(every) == count
    assert store.incidents.count(IncidentQuery(statuses=(), text="cisewu")) == count
    # One from each batch, the last one included: each was indexed, none twice.
    for i in (0, _BATCH, 2 * _BATCH, count - 1):
        assert store.incidents.count(IncidentQuery(statuses=(), text=f"nomor{i}")) == 1
    # The index matches its content exactly (raises if a row is missing or doubled).
    store.db.conn.execute("INSERT INTO incidents_fts(incidents_fts) VALUES ('integrity-check')")
    assert store.apply("incidents", feed_poll(1), rows) == 0
    store.close()


def test_a_failure_in_a_later_batch_stores_nothing(tmp_path):
    from cc_console.errors import StoreError
    from cc_console.store.incident_writes import _BATCH

    store = Store(tmp_path / "cache.db")
    assert store.apply("incidents", feed_poll(0), [feed_row()]) == 1
    rows = [feed_row()._replace(external_id=f"n{i}") for i in range(3 * _BATCH)]
    rows[-1] = rows[-1]._replace(title=None)  # NOT NULL: the third batch fails
    indexes = _indexes(store)
    with pytest.raises(StoreError, match="NOT NULL"):
        store.apply("incidents", feed_poll(1), rows)
    assert _indexes(store) == indexes
    assert store.incidents.count(IncidentQuery(statuses=())) == 1
    store.db.conn.execute("INSERT INTO incidents_fts(incidents_fts) VALUES ('integrity-check')")
    assert store.incidents.count(IncidentQuery(statuses=(), text="cisewu")) == 1
    store.close()


def test_an_unknown_kind_is_refused_and_writes_nothing(tmp_path):
    from cc_console.errors import StoreError

    store = Store(tmp_path / "cache.db")
    with pytest.raises(StoreError, match="unknown kind of records 'meetings'"):
        store.apply("meetings", feed_poll(0), [feed_row()])
    assert store.db.scalar("SELECT count(*) FROM agenda") == 0
    assert store.db.scalar("SELECT count(*) FROM source_state") == 0
    store.close()
