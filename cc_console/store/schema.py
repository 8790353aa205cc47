"""The cache's schema and its forward migrations, versioned by ``PRAGMA user_version``.

A migration is appended, never edited: version N is ``MIGRATIONS[N-1]``.
A cache newer than this program is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3

from cc_console.errors import StoreError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate"]

_V1 = """
CREATE TABLE source_state (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    last_attempt TEXT,
    last_success TEXT,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    http_status INTEGER,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    records INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT
);

CREATE TABLE incidents (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT 'other',
    severity TEXT NOT NULL DEFAULT 'unknown',
    severity_rank INTEGER NOT NULL DEFAULT 4,
    feed_status TEXT NOT NULL DEFAULT 'open',
    status TEXT NOT NULL DEFAULT 'open',
    area TEXT NOT NULL DEFAULT '',
    lat REAL,
    lon REAL,
    reported_at TEXT,
    updated_at TEXT,
    url TEXT,
    feed_assigned TEXT,
    assigned_to TEXT,
    exercise INTEGER NOT NULL DEFAULT 0,
    extra TEXT,
    feed_hash TEXT NOT NULL,
    op_status TEXT,
    op_at TEXT,
    op_assigned TEXT
);
CREATE INDEX incidents_by_status ON incidents(status, reported_at DESC, seq DESC);
CREATE INDEX incidents_by_reported ON incidents(reported_at DESC, seq DESC);
CREATE INDEX incidents_by_source ON incidents(source);
CREATE INDEX incidents_by_assignee ON incidents(assigned_to) WHERE assigned_to IS NOT NULL;

CREATE TABLE incident_aliases (
    alias TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE incident_events (
    seq INTEGER PRIMARY KEY,
    incident_id TEXT NOT NULL,
    at TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX incident_events_by_incident ON incident_events(incident_id, at);

CREATE VIRTUAL TABLE incidents_fts USING fts5(
    title, area, category, assigned_to, source,
    content='incidents', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incidents_fts(rowid, title, area, category, assigned_to, source)
    VALUES (new.seq, new.title, new.area, new.category, new.assigned_to, new.source);
END;
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, title, area, category, assigned_to, source)
    VALUES ('delete', old.seq, old.title, old.area, old.category, old.assigned_to, old.source);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF title, area, category, assigned_to
ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, title, area, category, assigned_to, source)
    VALUES ('delete', old.seq, old.title, old.area, old.category, old.assigned_to, old.source);
    INSERT INTO incidents_fts(rowid, title, area, category, assigned_to, source)
    VALUES (new.seq, new.title, new.area, new.category, new.assigned_to, new.source);
END;

CREATE TABLE agencies (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'unknown',
    status_rank INTEGER NOT NULL DEFAULT 3,
    summary TEXT,
    kpis TEXT NOT NULL DEFAULT '[]',
    updated_at TEXT,
    url TEXT,
    PRIMARY KEY (source, id)
);
CREATE INDEX agencies_by_id ON agencies(id);

CREATE TABLE agency_history (
    seq INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    kpis TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX agency_history_by_agency ON agency_history(agency_id, at);

CREATE TABLE agenda (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    uid TEXT NOT NULL,
    title TEXT NOT NULL,
    start TEXT NOT NULL,
    "end" TEXT,
    all_day INTEGER NOT NULL DEFAULT 0,
    start_date TEXT,
    end_date TEXT,
    location TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'confirmed',
    organizer TEXT,
    participants TEXT NOT NULL DEFAULT '[]',
    description TEXT NOT NULL DEFAULT '',
    row_hash TEXT NOT NULL
);
CREATE INDEX agenda_by_start ON agenda(start);
CREATE INDEX agenda_by_source ON agenda(source);

CREATE TABLE journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    operator TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    note TEXT,
    agency TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX journal_by_target ON journal(target, seq);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
"""

# v2: new incidents reach the FTS index by one set-based INSERT per batch
# (incident_writes.py), not a trigger per row; the source filter uses the id
# index (ids are "<source>:<external id>").
_V2 = """
DROP TRIGGER incidents_fts_insert;
DROP INDEX incidents_by_source;
"""

# v3: the effective status is indexed with the text, so a filtered view of the
# active incidents is answered (and counted) by FTS5 alone.
_V3 = """
DROP TRIGGER incidents_fts_delete;
DROP TRIGGER incidents_fts_update;
DROP TABLE incidents_fts;
CREATE VIRTUAL TABLE incidents_fts USING fts5(
    title, area, category, assigned_to, source, status,
    content='incidents', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO incidents_fts(incidents_fts) VALUES ('rebuild');
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, title, area, category, assigned_to, source, status)
    VALUES ('delete', old.seq, old.title, old.area, old.category, old.assigned_to, old.source, old.status);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF title, area, category, assigned_to, status
ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, title, area, category, assigned_to, source, status)
    VALUES ('delete', old.seq, old.title, old.area, old.category, old.assigned_to, old.source, old.status);
    INSERT INTO incidents_fts(rowid, title, area, category, assigned_to, source, status)
    VALUES (new.seq, new.title, new.area, new.category, new.assigned_to, new.source, new.status);
END;
"""

# v4: the FTS index keeps no per-row column sizes (columnsize=0): they only
# serve bm25 ranking, and the console orders by time or severity.  The v3
# triggers name the table, not its options: they stay as they are.
_V4 = """
DROP TABLE incidents_fts;
CREATE VIRTUAL TABLE incidents_fts USING fts5(
    title, area, category, assigned_to, source, status,
    content='incidents', content_rowid='seq', tokenize='unicode61 remove_diacritics 2',
    columnsize=0
);
INSERT INTO incidents_fts(incidents_fts) VALUES ('rebuild');
"""

# v5: one stream of events (what happened: new incidents, raised severities,
# breached deadlines, agencies down, sources failing) replaces the feed-change
# table; incidents keep when they were acknowledged and resolved, their
# deadlines (indexed by the one still to meet), which breach was recorded, and
# the event that put them on the console's alarm.
_V5 = """
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    severity TEXT,
    data TEXT
);
CREATE INDEX events_by_target ON events(target, seq);
INSERT INTO events(at, kind, target, data)
    SELECT at, 'incident.changed', incident_id, text FROM incident_events ORDER BY seq;
DROP TABLE incident_events;
ALTER TABLE incidents ADD COLUMN acknowledged_at TEXT;
ALTER TABLE incidents ADD COLUMN resolved_at TEXT;
ALTER TABLE incidents ADD COLUMN ack_due TEXT;
ALTER TABLE incidents ADD COLUMN resolve_due TEXT;
ALTER TABLE incidents ADD COLUMN breached TEXT;
ALTER TABLE incidents ADD COLUMN alarm_seq INTEGER;
ALTER TABLE incidents ADD COLUMN next_due TEXT GENERATED ALWAYS AS (
    CASE status
        WHEN 'open' THEN coalesce(min(ack_due, resolve_due), ack_due, resolve_due)
        WHEN 'acknowledged' THEN resolve_due
    END) VIRTUAL;
CREATE INDEX incidents_by_due ON incidents(next_due, seq) WHERE next_due IS NOT NULL;
CREATE INDEX incidents_on_alarm ON incidents(alarm_seq) WHERE alarm_seq IS NOT NULL AND status = 'open';
UPDATE incidents SET
    acknowledged_at = coalesce(
        (SELECT min(at) FROM journal WHERE target = incidents.id AND action IN ('ack', 'resolve')),
        op_at, updated_at)
    WHERE status IN ('acknowledged', 'resolved');
UPDATE incidents SET
    resolved_at = coalesce(
        (SELECT min(at) FROM journal WHERE target = incidents.id AND action = 'resolve'),
        op_at, updated_at)
    WHERE status = 'resolved';
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""

# v6: the severity is indexed beside the text too, so a filter finds what the
# console shows ("ekstrem", "berat") as well as what the feed said.
_V6 = """
DROP TRIGGER incidents_fts_delete;
DROP TRIGGER incidents_fts_update;
DROP TABLE incidents_fts;
CREATE VIRTUAL TABLE incidents_fts USING fts5(
    title, area, category, assigned_to, source, status, severity,
    content='incidents', content_rowid='seq', tokenize='unicode61 remove_diacritics 2',
    columnsize=0
);
INSERT INTO incidents_fts(incidents_fts) VALUES ('rebuild');
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, title, area, category, assigned_to, source, status, severity)
    VALUES ('delete', old.seq, old.title, old.area, old.category, old.assigned_to, old.source, old.status, old.severity);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF title, area, category, assigned_to, status, severity
ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, title, area, category, assigned_to, source, status, severity)
    VALUES ('delete', old.seq, old.title, old.area, old.category, old.assigned_to, old.source, old.status, old.severity);
    INSERT INTO incidents_fts(rowid, title, area, category, assigned_to, source, status, severity)
    VALUES (new.seq, new.title, new.area, new.category, new.assigned_to, new.source, new.status, new.severity);
END;
"""

# v7: decisions and action items (tindak lanjut) of meetings, kept apart from
# the agenda feed (each keeps its meeting's title and time), journaled.
_V7 = """
CREATE TABLE decisions (
    seq INTEGER PRIMARY KEY,
    meeting_id TEXT NOT NULL,
    meeting_uid TEXT NOT NULL,
    meeting_title TEXT NOT NULL,
    meeting_start TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX decisions_by_meeting ON decisions(meeting_id, seq);
CREATE TABLE action_items (
    seq INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    owner TEXT NOT NULL,
    due TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    meeting_id TEXT,
    meeting_uid TEXT,
    meeting_title TEXT,
    meeting_start TEXT,
    incident_id TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    done_at TEXT,
    note TEXT,
    overdue_seen INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX action_items_open ON action_items(due) WHERE status = 'open';
CREATE INDEX action_items_by_meeting ON action_items(meeting_uid, meeting_start);
CREATE INDEX action_items_by_incident ON action_items(incident_id) WHERE incident_id IS NOT NULL;
"""

# v8: notifications. The outbox holds one row per event per route, written in
# the transaction of the event; a group of a route's rows goes out as one
# message. ``notify_open`` keeps the outages and breaches a route was told of
# (for repeats and the all-clear); ``silences`` the planned quiet; ``leases``
# who may send (one process at a time).
_V8 = """
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    route TEXT NOT NULL,
    event TEXT NOT NULL,
    phase TEXT NOT NULL DEFAULT 'alert',
    target TEXT NOT NULL,
    event_seq INTEGER,
    at TEXT NOT NULL,
    severity TEXT,
    category TEXT,
    source TEXT,
    area TEXT,
    agency TEXT,
    title TEXT NOT NULL,
    detail TEXT,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try TEXT,
    sent_at TEXT,
    error TEXT,
    silence_id INTEGER
);
CREATE INDEX outbox_waiting ON outbox(route, id) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_by_target ON outbox(route, event, target, id);
CREATE TABLE notify_open (
    route TEXT NOT NULL,
    event TEXT NOT NULL,
    target TEXT NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (route, event, target)
) WITHOUT ROWID;
CREATE TABLE silences (
    id INTEGER PRIMARY KEY,
    matchers TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL
);
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;
"""

# v9: the outbox's lookup by target holds only what can stand (breaches,
# outages, failing feeds): ten thousand new incidents skip it.
_V9 = """
DROP INDEX outbox_by_target;
CREATE INDEX outbox_by_target ON outbox(route, event, target, id)
    WHERE event IN ('incident.breach', 'agency.down', 'source.failing');
"""

# v10: a message sent (or failed) is one row of ``deliveries`` covering the ids of
# its route's outbox rows, not an update of each: ten thousand new incidents go
# out as one message and one row. An outbox row's own status is pending or
# silenced; sent and failed are read from the delivery that covers it.
_V10 = """
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    route TEXT NOT NULL,
    first_id INTEGER NOT NULL,
    last_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    sent_at TEXT,
    next_try TEXT,
    error TEXT
);
CREATE INDEX deliveries_by_end ON deliveries(route, last_id);
CREATE INDEX deliveries_by_status ON deliveries(route, status, last_id);
INSERT INTO deliveries(route, first_id, last_id, status, attempts, sent_at, next_try, error)
    SELECT route, id, id, status, attempts, sent_at, next_try, error FROM outbox
    WHERE status = 'sent' ORDER BY id;
INSERT INTO deliveries(route, first_id, last_id, status, attempts, sent_at, next_try, error)
    SELECT route, min(id), max(id), 'failed', max(attempts), NULL, max(next_try),
        (SELECT error FROM outbox AS last WHERE last.route = outbox.route
         AND last.status = 'failed' ORDER BY id DESC LIMIT 1)
    FROM outbox WHERE status = 'failed' GROUP BY route;
UPDATE outbox SET status = 'pending' WHERE status IN ('sent', 'failed');
DROP INDEX outbox_waiting;
CREATE INDEX outbox_by_route ON outbox(route, id);
"""

# v11: the site a source's native feed comes from (the province reads its regencies).
_V11 = """
ALTER TABLE source_state ADD COLUMN site_code TEXT;
ALTER TABLE source_state ADD COLUMN site_name TEXT;
"""

# v12: kinerja's counts kept per site day (store/kinerja.py). New incidents are folded
# in by their seq (past the kinerja.seq mark); triggers move a changed or deleted one's
# counts (those already folded in) from what it was to what it is. And the three partial
# indexes the medians and the late-open count read alone (the acknowledgements after the
# report: one at the report itself, as a feed says it, is a zero the counts give).
_V12 = """
CREATE TABLE kinerja_days (
    day TEXT NOT NULL,
    agency TEXT NOT NULL,
    incidents INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    on_time INTEGER NOT NULL,
    breaches INTEGER NOT NULL,
    acknowledged INTEGER NOT NULL,
    acknowledged_on_time INTEGER NOT NULL,
    PRIMARY KEY (day, agency)
) WITHOUT ROWID;
CREATE TABLE kinerja_areas (
    day TEXT NOT NULL,
    category TEXT NOT NULL,
    area TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, category, area)
) WITHOUT ROWID;
CREATE TRIGGER kinerja_update AFTER UPDATE OF
    status, assigned_to, resolved_at, acknowledged_at, ack_due, resolve_due, breached,
    reported_at, category, area
ON incidents WHEN old.seq <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'kinerja.seq')
BEGIN
    UPDATE kinerja_days SET incidents = incidents - 1, resolved = resolved - (old.status = 'resolved'), on_time = on_time - (old.status = 'resolved' AND (old.resolve_due IS NULL OR old.resolved_at <= old.resolve_due)), breaches = breaches - (old.breached IS NOT NULL), acknowledged = acknowledged - (old.acknowledged_at IS NOT NULL), acknowledged_on_time = acknowledged_on_time - (old.acknowledged_at IS NOT NULL AND (old.ack_due IS NULL OR old.acknowledged_at <= old.ack_due))
    WHERE old.status != 'cancelled' AND old.reported_at IS NOT NULL
    AND day = date(old.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AND agency = coalesce(old.assigned_to, '');
    UPDATE kinerja_areas SET n = n - 1
    WHERE old.status != 'cancelled' AND old.reported_at IS NOT NULL
    AND day = date(old.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AND category = old.category AND area = old.area;
    INSERT INTO kinerja_days(day, agency, incidents, resolved, on_time, breaches, acknowledged, acknowledged_on_time)
    SELECT date(new.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')), coalesce(new.assigned_to, ''), 1, (new.status = 'resolved'), (new.status = 'resolved' AND (new.resolve_due IS NULL OR new.resolved_at <= new.resolve_due)), (new.breached IS NOT NULL), (new.acknowledged_at IS NOT NULL), (new.acknowledged_at IS NOT NULL AND (new.ack_due IS NULL OR new.acknowledged_at <= new.ack_due))
    WHERE new.status != 'cancelled' AND new.reported_at IS NOT NULL
    ON CONFLICT(day, agency) DO UPDATE SET incidents = incidents + excluded.incidents, resolved = resolved + excluded.resolved, on_time = on_time + excluded.on_time, breaches = breaches + excluded.breaches, acknowledged = acknowledged + excluded.acknowledged, acknowledged_on_time = acknowledged_on_time + excluded.acknowledged_on_time;
    INSERT INTO kinerja_areas(day, category, area, n)
    SELECT date(new.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')), new.category, new.area, 1
    WHERE new.status != 'cancelled' AND new.reported_at IS NOT NULL
    ON CONFLICT(day, category, area) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER kinerja_delete AFTER DELETE ON incidents WHEN old.seq <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'kinerja.seq')
BEGIN
    UPDATE kinerja_days SET incidents = incidents - 1, resolved = resolved - (old.status = 'resolved'), on_time = on_time - (old.status = 'resolved' AND (old.resolve_due IS NULL OR old.resolved_at <= old.resolve_due)), breaches = breaches - (old.breached IS NOT NULL), acknowledged = acknowledged - (old.acknowledged_at IS NOT NULL), acknowledged_on_time = acknowledged_on_time - (old.acknowledged_at IS NOT NULL AND (old.ack_due IS NULL OR old.acknowledged_at <= old.ack_due))
    WHERE old.status != 'cancelled' AND old.reported_at IS NOT NULL
    AND day = date(old.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AND agency = coalesce(old.assigned_to, '');
    UPDATE kinerja_areas SET n = n - 1
    WHERE old.status != 'cancelled' AND old.reported_at IS NOT NULL
    AND day = date(old.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AND category = old.category AND area = old.area;
END;
CREATE INDEX incidents_acknowledged ON incidents(reported_at, acknowledged_at, status)
    WHERE acknowledged_at > reported_at;
CREATE INDEX incidents_resolved_assigned ON incidents(reported_at, assigned_to, resolved_at, id)
    WHERE status = 'resolved' AND assigned_to IS NOT NULL;
CREATE INDEX incidents_late_assigned ON incidents(resolve_due, assigned_to, reported_at)
    WHERE status IN ('open', 'acknowledged') AND assigned_to IS NOT NULL
    AND resolve_due IS NOT NULL;
"""

# Meeting ids from the calendar's names, not from the start time: a single event
# is ``<source>:<uid>``, an occurrence of a series ``<source>:<uid>:<original start>``
# (what the old ids of unmoved occurrences already were). An old id of a meeting
# the agenda holds once (a single event) becomes ``<source>:<uid>``, in the agenda
# and in the decisions and items that point at it, those left behind by each move
# of that meeting included. A uid the agenda holds many times (a series) or not at
# all (dropped by the calendar: single or series cannot be told) keeps its ids.
# And the time a site's feed says that site last wrote its cache (its data's age).
_MEETING_IDS_DATA_AT = """
CREATE TEMP TABLE meeting_singles AS
    SELECT source, uid, source || ':' || uid AS new_id FROM agenda
    GROUP BY source, uid HAVING count(*) = 1;
UPDATE agenda SET id = source || ':' || uid
    WHERE (source, uid) IN (SELECT source, uid FROM meeting_singles);
UPDATE decisions SET meeting_id = (SELECT new_id FROM meeting_singles AS m
        WHERE substr(decisions.meeting_id, 1, length(m.new_id) + 1) = m.new_id || ':'
        AND m.uid = decisions.meeting_uid)
    WHERE EXISTS (SELECT 1 FROM meeting_singles AS m
        WHERE substr(decisions.meeting_id, 1, length(m.new_id) + 1) = m.new_id || ':'
        AND m.uid = decisions.meeting_uid);
UPDATE action_items SET meeting_id = (SELECT new_id FROM meeting_singles AS m
        WHERE substr(action_items.meeting_id, 1, length(m.new_id) + 1) = m.new_id || ':'
        AND m.uid = action_items.meeting_uid)
    WHERE meeting_id IS NOT NULL AND EXISTS (SELECT 1 FROM meeting_singles AS m
        WHERE substr(action_items.meeting_id, 1, length(m.new_id) + 1) = m.new_id || ':'
        AND m.uid = action_items.meeting_uid);
DROP TABLE temp.meeting_singles;
ALTER TABLE source_state ADD COLUMN data_at TEXT;
"""

# v14: the kinerja triggers never refuse a write. A feed update that resolves an
# incident sets its status before its resolution time is filled (later in the same
# transaction): v12 computed "on time" from the missing time as NULL, and the NOT
# NULL column refused the feed's write from then on. Each figure is now 0 or 1
# whatever is missing (a resolution without a time counts at the incident's update
# time), a row whose day cannot be computed is not counted, and a change of the
# update time moves the counts too. Caches written before: their resolved and
# acknowledged incidents without a time get one, and the kept counts are counted
# anew on the next read (the marks are dropped). And the messages each silence held,
# indexed by silence (``silence list`` counts them).
_KINERJA_NEVER_REFUSES = """
CREATE INDEX outbox_silenced ON outbox(silence_id) WHERE silence_id IS NOT NULL;
DROP TRIGGER kinerja_update;
DROP TRIGGER kinerja_delete;
UPDATE incidents SET
    acknowledged_at = coalesce(acknowledged_at, op_at, updated_at, reported_at)
    WHERE status IN ('acknowledged', 'resolved') AND acknowledged_at IS NULL;
UPDATE incidents SET resolved_at = coalesce(op_at, updated_at, reported_at)
    WHERE status = 'resolved' AND resolved_at IS NULL;
DELETE FROM kinerja_days;
DELETE FROM kinerja_areas;
DELETE FROM meta WHERE key IN ('kinerja.seq', 'kinerja.offset');
CREATE TRIGGER kinerja_update AFTER UPDATE OF
    status, assigned_to, resolved_at, acknowledged_at, ack_due, resolve_due, breached,
    reported_at, updated_at, category, area
ON incidents WHEN old.seq <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'kinerja.seq')
BEGIN
    UPDATE kinerja_days SET incidents = incidents - 1, resolved = resolved - (old.status = 'resolved'), on_time = on_time - ((old.status = 'resolved' AND (old.resolve_due IS NULL OR coalesce(old.resolved_at, old.updated_at, old.reported_at) <= old.resolve_due)) IS 1), breaches = breaches - (old.breached IS NOT NULL), acknowledged = acknowledged - (old.acknowledged_at IS NOT NULL), acknowledged_on_time = acknowledged_on_time - ((old.acknowledged_at IS NOT NULL AND (old.ack_due IS NULL OR old.acknowledged_at <= old.ack_due)) IS 1)
    WHERE old.status IS NOT 'cancelled' AND old.reported_at IS NOT NULL
    AND day = date(old.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AND agency = coalesce(old.assigned_to, '');
    UPDATE kinerja_areas SET n = n - 1
    WHERE old.status IS NOT 'cancelled' AND old.reported_at IS NOT NULL
    AND day = date(old.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AND category = old.category AND area = old.area;
    INSERT INTO kinerja_days(day, agency, incidents, resolved, on_time, breaches, acknowledged, acknowledged_on_time)
    SELECT date(new.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AS d, coalesce(new.assigned_to, ''), 1, (new.status = 'resolved'), ((new.status = 'resolved' AND (new.resolve_due IS NULL OR coalesce(new.resolved_at, new.updated_at, new.reported_at) <= new.resolve_due)) IS 1), (new.breached IS NOT NULL), (new.acknowledged_at IS NOT NULL), ((new.acknowledged_at IS NOT NULL AND (new.ack_due IS NULL OR new.acknowledged_at <= new.ack_due)) IS 1)
    WHERE new.status IS NOT 'cancelled' AND new.reported_at IS NOT NULL AND d IS NOT NULL
    ON CONFLICT(day, agency) DO UPDATE SET incidents = incidents + excluded.incidents, resolved = resolved + excluded.resolved, on_time = on_time + excluded.on_time, breaches = breaches + excluded.breaches, acknowledged = acknowledged + excluded.acknowledged, acknowledged_on_time = acknowledged_on_time + excluded.acknowledged_on_time;
    INSERT INTO kinerja_areas(day, category, area, n)
    SELECT date(new.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AS d, new.category, new.area, 1
    WHERE new.status IS NOT 'cancelled' AND new.reported_at IS NOT NULL AND d IS NOT NULL
    ON CONFLICT(day, category, area) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER kinerja_delete AFTER DELETE ON incidents WHEN old.seq <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'kinerja.seq')
BEGIN
    UPDATE kinerja_days SET incidents = incidents - 1, resolved = resolved - (old.status = 'resolved'), on_time = on_time - ((old.status = 'resolved' AND (old.resolve_due IS NULL OR coalesce(old.resolved_at, old.updated_at, old.reported_at) <= old.resolve_due)) IS 1), breaches = breaches - (old.breached IS NOT NULL), acknowledged = acknowledged - (old.acknowledged_at IS NOT NULL), acknowledged_on_time = acknowledged_on_time - ((old.acknowledged_at IS NOT NULL AND (old.ack_due IS NULL OR old.acknowledged_at <= old.ack_due)) IS 1)
    WHERE old.status IS NOT 'cancelled' AND old.reported_at IS NOT NULL
    AND day = date(old.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AND agency = coalesce(old.assigned_to, '');
    UPDATE kinerja_areas SET n = n - 1
    WHERE old.status IS NOT 'cancelled' AND old.reported_at IS NOT NULL
    AND day = date(old.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AND category = old.category AND area = old.area;
END;
"""

# Crisis events (kejadian bencana, store/crisis.py): an event groups incidents and
# meetings by links, and holds its own impact reports per area (every report
# kept; the latest per area wins figure by figure), urgent needs, the emergency
# status with its decree and validity, and the sit-reps issued (frozen, hashed).
_CRISIS = """
CREATE TABLE crisis_events (
    seq INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    areas TEXT NOT NULL DEFAULT '[]',
    status TEXT,
    decree TEXT,
    status_from TEXT,
    status_until TEXT,
    opened_at TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    closed_at TEXT,
    closed_by TEXT,
    expiring_seen TEXT
);
CREATE TABLE crisis_links (
    event_seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    linked_at TEXT NOT NULL,
    linked_by TEXT NOT NULL,
    PRIMARY KEY (event_seq, kind, target)
) WITHOUT ROWID;
CREATE INDEX crisis_links_by_target ON crisis_links(kind, target);
CREATE TABLE crisis_impact (
    seq INTEGER PRIMARY KEY,
    event_seq INTEGER NOT NULL,
    area_key TEXT NOT NULL,
    area TEXT NOT NULL,
    code TEXT,
    figures TEXT NOT NULL,
    source TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    reported_by TEXT NOT NULL
);
CREATE INDEX crisis_impact_by_event ON crisis_impact(event_seq, seq);
CREATE TABLE crisis_needs (
    seq INTEGER PRIMARY KEY,
    event_seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    agency TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX crisis_needs_by_event ON crisis_needs(event_seq, seq);
CREATE TABLE crisis_sitreps (
    event_seq INTEGER NOT NULL,
    number INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    doc TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (event_seq, number)
) WITHOUT ROWID;
"""

# Whether an agency is a perangkat daerah or an IT service (a status page's component,
# or a native feed's entry that says so): services are reported by availability, not
# ranked. The agencies a status page already gave are services.
_AGENCY_KIND = """
ALTER TABLE agencies ADD COLUMN kind TEXT NOT NULL DEFAULT 'agency';
UPDATE agencies SET kind = 'service'
    WHERE source IN (SELECT name FROM source_state WHERE format = 'statuspage');
"""

# The meeting's record (notulen): its discussion notes and attendance; a copy of the
# meeting as the calendar said it while the record was written (a meeting the feed
# drops keeps its end, place, chair and agenda); and, once closed, the record frozen
# as canonical JSON with its hash (journaled too; append-only like the journal).
# A decision keeps the data it was taken on (incidents and agencies as they stood).
_MEETING_RECORD = """
CREATE TABLE meeting_notes (
    seq INTEGER PRIMARY KEY,
    meeting_id TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX meeting_notes_by_meeting ON meeting_notes(meeting_id, seq);
CREATE TABLE meeting_attendance (
    meeting_id TEXT NOT NULL,
    agency TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (meeting_id, agency)
) WITHOUT ROWID;
CREATE TABLE meeting_copies (
    meeting_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    uid TEXT NOT NULL,
    title TEXT NOT NULL,
    start TEXT NOT NULL,
    "end" TEXT,
    all_day INTEGER NOT NULL DEFAULT 0,
    location TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'confirmed',
    organizer TEXT,
    participants TEXT NOT NULL DEFAULT '[]',
    description TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE TABLE meeting_closures (
    meeting_id TEXT PRIMARY KEY,
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL,
    record TEXT NOT NULL,
    hash TEXT NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER meeting_closures_no_update BEFORE UPDATE ON meeting_closures BEGIN
    SELECT RAISE(ABORT, 'a closed meeting''s record is frozen');
END;
CREATE TRIGGER meeting_closures_no_delete BEFORE DELETE ON meeting_closures BEGIN
    SELECT RAISE(ABORT, 'a closed meeting''s record is frozen');
END;
ALTER TABLE decisions ADD COLUMN evidence TEXT;
"""

# Other command centers' disaster events (a native source of kind "events", the
# province's): each source's last snapshot, the event as served (cleaned) and its
# totals summed from its areas.
_SITE_EVENTS = """
CREATE TABLE site_events (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT,
    status_until TEXT,
    opened_at TEXT,
    closed_at TEXT,
    totals TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (source, id)
) WITHOUT ROWID;
"""

# The province counts agencies per (site, agency): 27 regencies' "dinkes" are 27 rows.
# The counts kept per site day are kept per source as well (a source is of one site),
# so a report of one site, or of every site side by side, is served from them; they are
# counted anew on the next read (the marks are dropped). The partial indexes the
# medians and the late counts read alone hold the source too (else every row read
# from them is looked up in the table for it).
_KINERJA_PER_SOURCE = """
DROP TRIGGER kinerja_update;
DROP TRIGGER kinerja_delete;
DROP TABLE kinerja_days;
CREATE TABLE kinerja_days (
    day TEXT NOT NULL,
    source TEXT NOT NULL,
    agency TEXT NOT NULL,
    incidents INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    on_time INTEGER NOT NULL,
    breaches INTEGER NOT NULL,
    acknowledged INTEGER NOT NULL,
    acknowledged_on_time INTEGER NOT NULL,
    PRIMARY KEY (day, source, agency)
) WITHOUT ROWID;
DELETE FROM kinerja_areas;
DELETE FROM meta WHERE key IN ('kinerja.seq', 'kinerja.offset');
DROP INDEX incidents_acknowledged;
DROP INDEX incidents_resolved_assigned;
DROP INDEX incidents_late_assigned;
CREATE INDEX incidents_acknowledged ON incidents(reported_at, acknowledged_at, status, source)
    WHERE acknowledged_at > reported_at;
CREATE INDEX incidents_resolved_assigned ON incidents(reported_at, assigned_to, resolved_at, id, source)
    WHERE status = 'resolved' AND assigned_to IS NOT NULL;
CREATE INDEX incidents_late_assigned ON incidents(resolve_due, assigned_to, reported_at, source)
    WHERE status IN ('open', 'acknowledged') AND assigned_to IS NOT NULL
    AND resolve_due IS NOT NULL;
CREATE TRIGGER kinerja_update AFTER UPDATE OF
    status, assigned_to, resolved_at, acknowledged_at, ack_due, resolve_due, breached,
    reported_at, updated_at, category, area, source
ON incidents WHEN old.seq <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'kinerja.seq')
BEGIN
    UPDATE kinerja_days SET incidents = incidents - 1, resolved = resolved - (old.status = 'resolved'), on_time = on_time - ((old.status = 'resolved' AND (old.resolve_due IS NULL OR coalesce(old.resolved_at, old.updated_at, old.reported_at) <= old.resolve_due)) IS 1), breaches = breaches - (old.breached IS NOT NULL), acknowledged = acknowledged - (old.acknowledged_at IS NOT NULL), acknowledged_on_time = acknowledged_on_time - ((old.acknowledged_at IS NOT NULL AND (old.ack_due IS NULL OR old.acknowledged_at <= old.ack_due)) IS 1)
    WHERE old.status IS NOT 'cancelled' AND old.reported_at IS NOT NULL
    AND day = date(old.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AND source = old.source AND agency = coalesce(old.assigned_to, '');
    UPDATE kinerja_areas SET n = n - 1
    WHERE old.status IS NOT 'cancelled' AND old.reported_at IS NOT NULL
    AND day = date(old.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AND category = old.category AND area = old.area;
    INSERT INTO kinerja_days(day, source, agency, incidents, resolved, on_time, breaches, acknowledged, acknowledged_on_time)
    SELECT date(new.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AS d, new.source, coalesce(new.assigned_to, ''), 1, (new.status = 'resolved'), ((new.status = 'resolved' AND (new.resolve_due IS NULL OR coalesce(new.resolved_at, new.updated_at, new.reported_at) <= new.resolve_due)) IS 1), (new.breached IS NOT NULL), (new.acknowledged_at IS NOT NULL), ((new.acknowledged_at IS NOT NULL AND (new.ack_due IS NULL OR new.acknowledged_at <= new.ack_due)) IS 1)
    WHERE new.status IS NOT 'cancelled' AND new.reported_at IS NOT NULL AND d IS NOT NULL
    ON CONFLICT(day, source, agency) DO UPDATE SET incidents = incidents + excluded.incidents, resolved = resolved + excluded.resolved, on_time = on_time + excluded.on_time, breaches = breaches + excluded.breaches, acknowledged = acknowledged + excluded.acknowledged, acknowledged_on_time = acknowledged_on_time + excluded.acknowledged_on_time;
    INSERT INTO kinerja_areas(day, category, area, n)
    SELECT date(new.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AS d, new.category, new.area, 1
    WHERE new.status IS NOT 'cancelled' AND new.reported_at IS NOT NULL AND d IS NOT NULL
    ON CONFLICT(day, category, area) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER kinerja_delete AFTER DELETE ON incidents WHEN old.seq <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'kinerja.seq')
BEGIN
    UPDATE kinerja_days SET incidents = incidents - 1, resolved = resolved - (old.status = 'resolved'), on_time = on_time - ((old.status = 'resolved' AND (old.resolve_due IS NULL OR coalesce(old.resolved_at, old.updated_at, old.reported_at) <= old.resolve_due)) IS 1), breaches = breaches - (old.breached IS NOT NULL), acknowledged = acknowledged - (old.acknowledged_at IS NOT NULL), acknowledged_on_time = acknowledged_on_time - ((old.acknowledged_at IS NOT NULL AND (old.ack_due IS NULL OR old.acknowledged_at <= old.ack_due)) IS 1)
    WHERE old.status IS NOT 'cancelled' AND old.reported_at IS NOT NULL
    AND day = date(old.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AND source = old.source AND agency = coalesce(old.assigned_to, '');
    UPDATE kinerja_areas SET n = n - 1
    WHERE old.status IS NOT 'cancelled' AND old.reported_at IS NOT NULL
    AND day = date(old.reported_at, (SELECT value FROM meta WHERE key = 'kinerja.offset')) AND category = old.category AND area = old.area;
END;
"""

MIGRATIONS: tuple[str, ...] = (
    _V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9, _V10, _V11, _V12,
    _MEETING_IDS_DATA_AT, _KINERJA_NEVER_REFUSES, _CRISIS, _AGENCY_KIND, _MEETING_RECORD, _SITE_EVENTS,
    _KINERJA_PER_SOURCE,
)  # fmt: skip
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema up to :data:`SCHEMA_VERSION`, one transaction per step.

    Raises:
        StoreError: the cache was written by a newer cc-console.
    """
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the cache has schema version {version}, newer than this cc-console "
            f"({SCHEMA_VERSION}); upgrade cc-console or point --db at another file"
        )
    for number in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            (current,) = conn.execute("PRAGMA user_version").fetchone()
            if current >= number:  # another process migrated while we waited
                conn.execute("COMMIT")
                continue
            for statement in _statements(MIGRATIONS[number - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (triggers contain ';')."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
