"""Applying one feed snapshot of incidents (CONTRACT.md section 5).

Rules: upsert by id; what a later snapshot omits stays; a record that
supersedes others (CAP Update/Cancel) folds into the first incident of its
thread; an operator's status stands until the feed reports a newer change of
that incident.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from cc_console.models import SEVERITY_RANK, FeedIncident, Incident, feed_incident
from cc_console.store.events import Events
from cc_console.store.incidents import SELECT_INCIDENT, row_to_incident
from cc_console.store.sources import PollRecord
from cc_console.timefmt import iso_z

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["Written", "apply_snapshot"]


_EventRow = tuple[str, str, str, str | None, str | None]  # at, kind, target, severity, data


class Written(NamedTuple):
    """What one snapshot wrote: for deadlines and alarm marks after it."""

    changed: int
    first_new: int | None  # seq of the first inserted incident
    updated: list[str]  # ids of changed incidents


# The feed's fields whose change is told in the incident's timeline.
_TRACKED = ("title", "severity", "feed_status", "area", "category")

# A feed change of a known incident rewrites these (its operator state included).
_UPDATE_COLUMNS = (
    "title", "description", "category", "severity", "severity_rank", "feed_status", "status",
    "area", "lat", "lon", "reported_at", "updated_at", "url", "feed_assigned", "assigned_to",
    "exercise", "extra", "feed_hash", "op_status", "op_at",
)  # fmt: skip
_UPDATE = f"UPDATE incidents SET {', '.join(c + ' = ?' for c in _UPDATE_COLUMNS)} WHERE id = ?"

_BATCH = 25_000  # new incidents inserted (then indexed) at a time, for a large feed
_INDEX_NEW = (
    "INSERT INTO incidents_fts(rowid, title, area, category, assigned_to, source, status, "
    "severity) SELECT seq, title, area, category, assigned_to, source, status, severity "
    "FROM incidents WHERE seq >= ?"
)


def _insert_sql(source: str) -> str:
    """The INSERT of new incidents of ``source``, one 17-value row each (see :func:`_new_rows`).

    Numbered parameters fill the columns that repeat a value (status and
    assignee as the feed said them and as they stand; source and external id
    from the id), and ``nullif(?, '')`` stores as NULL the empty string bound
    for a missing value: the sqlite3 module binds str in C, but None through
    its adapter lookup. A feed that reports an incident already acknowledged
    or resolved dates that work at its update time.
    """
    cut = len(source)
    return f"""
        INSERT INTO incidents(
            id, source, external_id, title, description, category, severity, severity_rank,
            feed_status, status, area, lat, lon, reported_at, updated_at, url,
            feed_assigned, assigned_to, exercise, extra, feed_hash,
            acknowledged_at, resolved_at)
        VALUES (
            ?1, substr(?1, 1, {cut}), substr(?1, {cut + 2}), ?2, ?3, ?4, ?5, ?6,
            ?7, ?7, ?8, nullif(?9, ''), nullif(?10, ''), ?11, ?12, nullif(?13, ''),
            nullif(?14, ''), nullif(?14, ''), ?15, nullif(?16, ''), ?17,
            CASE WHEN ?7 IN ('acknowledged', 'resolved') THEN ?12 END,
            CASE WHEN ?7 = 'resolved' THEN ?12 END)"""


@functools.cache
def _packer() -> Callable[[Any], bytes]:
    """msgpack of a tuple of str/float/int/bool/None: deterministic and cheap.

    Imported on the first refresh only, so ``cc-console status`` starts without
    it; always the package first, then its submodule (every import of msgspec in
    this program does the same, so concurrent refreshes take the module locks
    in one order).
    """
    import msgspec

    return msgspec.msgpack.Encoder().encode


def _hash(row: FeedIncident) -> str:
    """A digest of the feed's fields of one incident (what a later snapshot is compared to).

    Text, not bytes: the sqlite3 module binds str in C but sends bytes (and None,
    and bool) through its adapter lookup, which costs as much as the hash itself.
    """
    return hashlib.blake2b(_packer()(row[1:]), digest_size=16).hexdigest()


def _same_feed(old: str | bytes, new: str, row: FeedIncident, reported: str) -> bool:
    """Whether a stored digest ``old`` is the digest of ``row`` (``new`` in today's form).

    Caches written by earlier versions hold earlier forms: 12-byte hex over
    pickle (before schema 4) and 16 raw bytes over msgpack (schema 4).
    """
    if old == new:
        return True
    if type(old) is bytes:
        return old == bytes.fromhex(new)
    if len(old) == 24:
        feed = (*row[1:9], reported, *row[10:13], bool(row.exercise), row.extra)
        return old == hashlib.blake2b(pickle.dumps(feed, 5), digest_size=12).hexdigest()
    return False


def apply_snapshot(
    c: sqlite3.Connection,
    poll: PollRecord,
    records: Sequence[Incident | FeedIncident],
    news_within: float = 0.0,
) -> Written:
    """Write one snapshot of incidents, and its events, inside the caller's transaction.

    A new incident is an ``incident.new`` event, except in a source's first
    snapshot (its baseline: a feed's rolling window is not news) where only
    those reported within ``news_within`` seconds before the poll are (a flood
    reported a minute before a new install's first poll pages someone); a
    change is ``incident.changed``, or ``incident.severity`` when the severity rose.
    """
    source = poll.name
    prefix = source + ":"
    existing = {
        row[0]: row
        for row in c.execute(
            "SELECT id, feed_hash, updated_at, op_status, op_at, reported_at, "
            "op_assigned FROM incidents WHERE id >= ? AND id < ?",
            [prefix, source + ";"],
        )
    }
    aliases = dict(
        c.execute(
            "SELECT alias, incident_id FROM incident_aliases WHERE alias >= ? AND alias < ?",
            [prefix, source + ";"],
        )
    )
    threaded = [rec for rec in records if isinstance(rec, Incident)]
    latest = _latest(prefix, records, aliases, bool(threaded))
    new_aliases = _fold_threads(c, threaded, existing, aliases, latest)
    now_z = iso_z(poll.at) or ""
    fresh, updates, events = _changed_rows(c, latest, existing, now_z)
    first_new = None
    if fresh:
        first_new = int(c.execute("SELECT coalesce(max(seq), 0) + 1 FROM incidents").fetchone()[0])
        _insert_new(c, source, fresh, now_z)
        baseline = c.execute(
            "SELECT last_success IS NULL FROM source_state WHERE name = ?", [source]
        ).fetchone()
        news = "INSERT INTO events(at, kind, target, severity) SELECT ?, 'incident.new', id, "
        news += "severity FROM incidents WHERE seq >= ?"
        if not (baseline is None or baseline[0]):
            c.execute(news, [now_z, first_new])
        elif news_within > 0:  # a first snapshot: only what was reported just before
            since = iso_z(poll.at - timedelta(seconds=news_within))
            c.execute(f"{news} AND reported_at >= ?", [now_z, first_new, since])
    if updates:
        c.executemany(_UPDATE, updates)
    if events:
        Events.add_many(c, events)
    if new_aliases:
        c.executemany(
            "INSERT OR REPLACE INTO incident_aliases(alias, incident_id) VALUES (?, ?)",
            list(new_aliases.items()),
        )
    return Written(len(fresh) + len(updates), first_new, [u[-1] for u in updates])


def _latest(
    prefix: str,
    records: Sequence[Incident | FeedIncident],
    aliases: dict[str, str],
    threaded: bool,
) -> dict[str, FeedIncident]:
    """The feed's incidents by id (threaded ones are placed later, by thread)."""
    if not aliases and not threaded:
        # The common case, one entry per id: a dict built in one pass of C.
        feed = cast("Sequence[FeedIncident]", records)
        by_id = {prefix + rec.external_id: rec for rec in feed}
        if len(by_id) == len(feed):
            return by_id
    latest: dict[str, FeedIncident] = {}
    for rec in records:
        if isinstance(rec, Incident):
            continue
        target = prefix + rec.external_id
        if aliases:
            target = aliases.get(target, target)
        seen = latest.get(target)
        # The same incident twice in one snapshot: the newest report wins.
        if seen is None or (rec.updated_at or "") >= (seen.updated_at or ""):
            latest[target] = rec
    return latest


def _insert_new(
    c: sqlite3.Connection,
    source: str,
    fresh: list[tuple[str, FeedIncident]],
    now_z: str,
) -> None:
    """Insert incidents seen for the first time (id and record), and index their text.

    The index is filled by one set-based INSERT per batch (not a trigger per
    row), which runs in SQLite's C code without holding the interpreter
    lock: for a large feed, a worker thread indexes one batch while this
    thread builds the rows of the next.  The connection is never used by
    both threads at once: each batch is inserted after the previous one is
    indexed, in the same transaction.
    """
    insert = _insert_sql(source)

    def next_seq() -> int:
        return int(c.execute("SELECT max(seq) FROM incidents").fetchone()[0] or 0) + 1

    if len(fresh) < 2 * _BATCH:
        first = next_seq()
        c.executemany(insert, _new_rows(fresh, now_z))
        c.execute(_INDEX_NEW, [first])
        return
    from concurrent.futures import ThreadPoolExecutor  # only for large feeds

    # More new rows than the table holds (a first refresh, a rebuild): the
    # secondary indexes are built again after the insert, by one sort each,
    # instead of taking every row one at a time (half the cost).
    rebuilt = []
    if len(fresh) >= next_seq():
        rebuilt = c.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = 'incidents' AND sql IS NOT NULL"
        ).fetchall()
        for name, _ in rebuilt:
            c.execute(f'DROP INDEX "{name}"')
    with ThreadPoolExecutor(1, thread_name_prefix="cc-console-fts") as indexer:
        indexing: Future[Any] | None = None
        for start in range(0, len(fresh), _BATCH):
            rows = _new_rows(fresh[start : start + _BATCH], now_z)
            if indexing is not None:
                indexing.result()
            first = next_seq()
            c.executemany(insert, rows)
            indexing = indexer.submit(c.execute, _INDEX_NEW, [first])
        if indexing is not None:
            indexing.result()
    for _, sql in rebuilt:
        c.execute(sql)


def _fold_threads(
    c: sqlite3.Connection,
    records: list[Incident],
    existing: dict[str, Any],
    aliases: dict[str, str],
    latest: dict[str, FeedIncident],
) -> dict[str, str]:
    """Put ``records`` into ``latest`` by thread (CAP Update/Cancel); returns new aliases."""
    new_aliases: dict[str, str] = {}
    chosen: dict[str, Incident] = {}
    stamps = {id(r): iso_z(r.updated_at) or "" for r in records}
    # Oldest first, so that the newest message of a thread wins.
    for rec in sorted(records, key=lambda r: stamps[id(r)]):
        target = rec.id
        if rec.supersedes or aliases:
            target = _thread_target(rec, existing, aliases, chosen)
            for ref in rec.supersedes:
                ref_id = f"{rec.source}:{ref}"
                if ref_id != target and aliases.get(ref_id) != target:
                    aliases[ref_id] = new_aliases[ref_id] = target
            if rec.id != target and aliases.get(rec.id) != target:
                aliases[rec.id] = new_aliases[rec.id] = target
        chosen[target] = rec
    for target, rec in chosen.items():
        if target in existing and rec.status == "cancelled" and target != rec.id:
            rec = _cancelled(c, target, rec)
        latest[target] = feed_incident(rec)
    return new_aliases


def _thread_target(
    rec: Incident,
    existing: dict[str, Any],
    aliases: dict[str, str],
    latest: dict[str, Incident],
) -> str:
    """The id of the incident ``rec`` belongs to (its thread's first alert)."""
    if rec.id in aliases:
        return aliases[rec.id]
    for ref in rec.supersedes:
        ref_id = f"{rec.source}:{ref}"
        ref_id = aliases.get(ref_id, ref_id)
        if ref_id in existing or ref_id in latest:
            return ref_id
    return rec.id


def _changed_rows(
    c: sqlite3.Connection,
    latest: dict[str, FeedIncident],
    existing: dict[str, Any],
    now_z: str,
) -> tuple[list[tuple[str, FeedIncident]], list[tuple[Any, ...]], list[_EventRow]]:
    """New incidents (id, record), and the updates and events of changed ones."""
    fresh: list[tuple[str, FeedIncident]] = []
    updates: list[tuple[Any, ...]] = []
    events: list[_EventRow] = []
    rank = SEVERITY_RANK.get
    for target, rec in latest.items():
        old = existing.get(target)
        if old is None:  # new: no operator state, no thread to keep
            fresh.append((target, rec))
            continue
        updated = rec.updated_at
        reported = rec.reported_at or updated or now_z
        h = _hash(rec)
        _, old_hash, old_updated, op_status, op_at, old_reported, op_assigned = old
        if _same_feed(old_hash, h, rec, reported):
            continue
        if updated and old_updated and updated < old_updated:
            continue  # an older message of the thread; the stored one is newer
        if old_reported and old_reported < reported:
            reported = old_reported  # the thread keeps its first report time
        if op_status and (updated is None or op_at is None or updated > op_at):
            op_status = op_at = None  # the feed reports a newer change
        events.extend(_change_events(c, target, rec, updated or now_z))
        status = rec.status
        if op_status and status not in ("cancelled", "resolved"):
            status = op_status
        values = (
            rec.title, rec.description, rec.category, rec.severity,
            rank(rec.severity, 4), rec.status, status, rec.area, rec.lat, rec.lon,
            reported, updated or reported, rec.url, rec.assigned_to,
            op_assigned or rec.assigned_to, int(rec.exercise), rec.extra, h, op_status, op_at,
        )  # fmt: skip
        updates.append((*values, target))
    return fresh, updates, events


def _cancelled(c: sqlite3.Connection, target: str, cancel: Incident) -> Incident:
    """A CAP Cancel keeps its thread's content and only changes the status."""
    c.row_factory = sqlite3.Row
    try:
        row = c.execute(f"{SELECT_INCIDENT} WHERE id = ?", [target]).fetchone()
    finally:
        c.row_factory = None
    old = row_to_incident(dict(row))
    note = f"{old.description}\n\n{cancel.description}".strip()
    return replace(
        old,
        source=cancel.source,
        status="cancelled",
        updated_at=cancel.updated_at,
        description=note,
        supersedes=cancel.supersedes,
        extra={**old.extra, "cancelled_by": cancel.external_id},
    )


def _change_events(
    c: sqlite3.Connection, target: str, rec: FeedIncident, at: str
) -> list[_EventRow]:
    old = c.execute(
        "SELECT title, severity, feed_status, area, category FROM incidents WHERE id = ?",
        [target],
    ).fetchone()
    new = (rec.title, rec.severity, rec.status, rec.area, rec.category)
    changes = {
        field: [before, after]
        for field, before, after in zip(_TRACKED, old, new, strict=True)
        if before != after
    }
    if not changes:
        changes = {"updated": [None, None]}
    kind = "incident.changed"
    if "severity" in changes and SEVERITY_RANK.get(rec.severity, 4) < SEVERITY_RANK.get(old[1], 4):
        kind = "incident.severity"
    return [(at, kind, target, rec.severity, json.dumps(changes, ensure_ascii=False))]


def _new_rows(fresh: list[tuple[str, FeedIncident]], now_z: str) -> list[tuple[Any, ...]]:
    """The values of :func:`_insert_sql` for new incidents (no None: see there)."""
    rank = SEVERITY_RANK.get
    rows = []
    for target, rec in fresh:
        (_, title, description, category, severity, status, area, lat, lon, reported, updated,
         url, assigned, exercise, extra) = rec  # fmt: skip
        reported = reported or updated or now_z
        rows.append((
            target, title, description, category, severity, rank(severity, 4), status, area,
            "" if lat is None else lat, "" if lon is None else lon, reported, updated or reported,
            url or "", assigned or "", 1 if exercise else 0, extra or "", _hash(rec),
        ))  # fmt: skip
    return rows
