"""The store's lifecycle in random order: nothing a feed, an operator, a report or a
rebuild does may stop a feed, break the journal or make the kept figures drift.

A hypothesis state machine drives two incident feeds through every status
transition a feed may send (new, acknowledged, resolved without a time,
reopened, cancelled, severity up and down, gone from the feed and back),
operators' actions (ack, note, assign, resolve, reopen), the deadline check,
reports (kinerja computed, which keeps the counts per day from then on) and
rebuilds (what ``doctor --rebuild`` does, at the store's level), on a real
SQLite file with deadline rules and a notification route (whose outbox hook
runs in every write). After every step: each source still refreshes, the
journal verifies, and the counts kept per day are the counts of the incidents.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from cc_console.config import Config, load_config
from cc_console.errors import RefusedError
from cc_console.kinerja import compute, period
from cc_console.models import Agency, FeedIncident
from cc_console.store import PollRecord, Store
from cc_console.timefmt import iso_z
from tests.conftest import write_config

WIB = ZoneInfo("Asia/Jakarta")
OFFSET = timedelta(hours=7)
START = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
SOURCES = ("lapor", "bmkg")
AGENCIES = [Agency(a, a.upper(), "operational") for a in ("bpbd", "pupr", "dinkes")]
RULES = """
[[sla]]
match = { severity = ["extreme", "severe"] }
acknowledge_within = "30m"
resolve_within = "2h"
[[sla]]
match = { severity = ["moderate"] }
resolve_within = "1d"
[[notify]]
name = "piket"
urls = ["json://127.0.0.1:9/never"]
events = ["incident.new", "incident.severity", "incident.breach", "source.failing"]
"""
# A feed's transitions of one incident: what its next snapshot says.
CHANGES = (
    "open", "acknowledged", "resolved", "cancelled", "severity", "title", "gone", "back",
)  # fmt: skip

# Modest by default (a few seconds); CC_LIFECYCLE_EXAMPLES=500 for a long hunt.
LIFECYCLE = settings(
    max_examples=int(os.environ.get("CC_LIFECYCLE_EXAMPLES", "25")),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# The counts of a day's incidents per source and assignee, spelled here on their own: an
# incident resolved without a time counts at its update.
_COUNTED = """
SELECT date(reported_at, '+420 minutes') AS day, source, coalesce(assigned_to, '') AS agency,
    count(*), sum(status = 'resolved'),
    sum(status = 'resolved' AND (resolve_due IS NULL
        OR coalesce(resolved_at, updated_at) <= resolve_due)),
    sum(breached IS NOT NULL), sum(acknowledged_at IS NOT NULL),
    sum(acknowledged_at IS NOT NULL AND (ack_due IS NULL OR acknowledged_at <= ack_due))
FROM incidents WHERE seq <= ? AND status != 'cancelled' AND reported_at IS NOT NULL
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""
_KEPT = """
SELECT day, source, agency, incidents, resolved, on_time, breaches, acknowledged, acknowledged_on_time
FROM kinerja_days WHERE incidents != 0 OR resolved != 0 OR on_time != 0 OR breaches != 0
    OR acknowledged != 0 OR acknowledged_on_time != 0
ORDER BY 1, 2, 3
"""
_COUNTED_AREAS = """
SELECT date(reported_at, '+420 minutes'), category, area, count(*) FROM incidents
WHERE seq <= ? AND status != 'cancelled' AND reported_at IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""
_KEPT_AREAS = "SELECT day, category, area, n FROM kinerja_areas WHERE n != 0 ORDER BY 1, 2, 3"


@dataclass
class FeedItem:
    """One incident as its feed currently says it."""

    record: FeedIncident
    listed: bool = True  # in the feed's snapshot (a gone one stays in the cache)


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="cc-lifecycle-"))
        self.config: Config = load_config(write_config(self.folder / "config.toml", [], RULES))
        self.now = START
        self.feeds: dict[str, dict[str, FeedItem]] = {s: {} for s in SOURCES}
        self.counter = 0
        self.rebuilds = 0
        self.store = self._open()
        self.store.apply("agencies", PollRecord("opd", self.now, ok=True), AGENCIES)

    def _open(self, path: Path | None = None, **options: object) -> Store:
        return Store.for_config(self.config, path, operator="siti", **options)  # type: ignore[arg-type]

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- the feeds ---------------------------------------------------------------

    def _snapshot(self, source: str) -> list[FeedIncident]:
        return [item.record for item in self.feeds[source].values() if item.listed]

    def _poll(self, store: Store, source: str) -> None:
        """One refresh of ``source`` as the refresher stores it (must never fail)."""
        store.apply("incidents", PollRecord(source, self.now, ok=True), self._snapshot(source))

    @rule(
        source=st.sampled_from(SOURCES),
        severity=st.sampled_from(["extreme", "severe", "moderate", "minor"]),
        age_h=st.integers(0, 60),
        status=st.sampled_from(["open", "open", "acknowledged", "resolved"]),
        assigned=st.sampled_from([None, None, "bpbd", "pupr"]),
    )
    def new_incident(
        self, source: str, severity: str, age_h: int, status: str, assigned: str | None
    ) -> None:
        self.counter += 1
        reported = iso_z(self.now - timedelta(hours=age_h))
        record = FeedIncident(
            f"x{self.counter}", f"Kejadian {self.counter}", "", "flood", severity, status,
            f"Kec. {self.counter % 3}", None, None, reported, iso_z(self.now), None, assigned,
            False, None,
        )  # fmt: skip
        self.feeds[source][record.external_id] = FeedItem(record)
        self._poll(self.store, source)

    @precondition(lambda self: any(self.feeds[s] for s in SOURCES))
    @rule(data=st.data(), change=st.sampled_from(CHANGES))
    def feed_changes(self, data: st.DataObject, change: str) -> None:
        source = data.draw(st.sampled_from([s for s in SOURCES if self.feeds[s]]))
        ext = data.draw(st.sampled_from(sorted(self.feeds[source])))
        item = self.feeds[source][ext]
        rec = item.record
        if change == "gone":
            item.listed = False
        elif change == "back":
            item.listed = True
        else:
            if change == "severity":
                order = ["extreme", "severe", "moderate", "minor"]
                rec = rec._replace(severity=data.draw(st.sampled_from(order)))
            elif change == "title":
                rec = rec._replace(title=rec.title + "!")
            else:  # a status: resolved and acknowledged come without a time
                rec = rec._replace(status=change)
            item.record = rec._replace(updated_at=iso_z(self.now))
            item.listed = True
        self._poll(self.store, source)

    # -- operators -----------------------------------------------------------------

    def _ids(self) -> list[str]:
        return [r[0] for r in self.store.db.tuples("SELECT id FROM incidents ORDER BY seq")]

    @precondition(lambda self: self.store.db.scalar("SELECT count(*) FROM incidents"))
    @rule(
        data=st.data(),
        action=st.sampled_from(["ack", "note", "assign", "resolve", "reopen"]),
        agency=st.sampled_from(["bpbd", "pupr", "dinkes"]),
    )
    def operator_acts(self, data: st.DataObject, action: str, agency: str) -> None:
        target = data.draw(st.sampled_from(self._ids()))
        try:
            self.store.journal.act(
                action,
                target,
                note="dicek di lapangan" if action in ("note", "reopen") else None,
                agency=agency if action == "assign" else None,
                at=self.now,
            )
        except RefusedError:
            pass  # not allowed in the incident's status: refused, and nothing changed

    # -- time, deadlines, reports, rebuilds ------------------------------------------

    @rule(minutes=st.sampled_from([1, 20, 45, 180, 900]))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        self.store.deadlines.check(self.now)
        self.store.outbox.check(self.now)

    @rule(days=st.sampled_from([1, 7, 30]))
    def report(self, days: int) -> None:
        start, end = period(self.now, days, WIB)
        kept = compute(self.store.kinerja, AGENCIES, start, end, tz=WIB, current=True)
        counted = compute(self.store.kinerja, AGENCIES, start, end, tz=WIB)
        assert kept.as_json() == counted.as_json()

    @rule()
    def rebuild(self) -> None:
        """What ``doctor --rebuild`` does: a new cache from the feeds, the journal, the
        decisions, the outbox and the silences carried over, the actions replayed."""
        path = self.store.path
        self.rebuilds += 1
        fresh = path.with_name(f"rebuild-{self.rebuilds}.db")
        new = self._open(fresh, notify=())
        try:
            new.journal.import_from(path)
            with new.db.tx() as c:
                new.followups.import_from(c, path)
            new.apply("agencies", PollRecord("opd", self.now, ok=True), AGENCIES)
            for source in SOURCES:
                self._poll(new, source)
            new.journal.replay()
            with new.db.tx() as c:
                new.outbox.import_from(c, path)
        finally:
            new.close()
        self.store.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(fresh, path)
        for suffix in ("-wal", "-shm"):
            Path(f"{fresh}{suffix}").unlink(missing_ok=True)
        self.store = self._open(path)

    # -- what must hold after every step ---------------------------------------------

    @invariant()
    def every_source_still_refreshes(self) -> None:
        for source in SOURCES:
            self._poll(self.store, source)
            # A changed document too (the same incidents, a new body): still stored.
            poll = PollRecord(source, self.now, ok=True, content_hash=f"h{self.counter}")
            self.store.apply("incidents", poll, self._snapshot(source))

    @invariant()
    def the_journal_verifies(self) -> None:
        verdict = self.store.journal.verify()
        assert verdict.ok, verdict

    @invariant()
    def work_is_dated(self) -> None:
        assert not self.store.db.tuples(
            "SELECT id FROM incidents WHERE (status = 'resolved' AND resolved_at IS NULL) "
            "OR (status IN ('acknowledged', 'resolved') AND acknowledged_at IS NULL)"
        )

    @invariant()
    def kept_figures_are_the_counted_ones(self) -> None:
        mark = self.store.db.scalar("SELECT value FROM meta WHERE key = 'kinerja.seq'")
        if mark is None:
            return  # not kept yet (no report since the cache was made)
        db = self.store.db
        assert db.tuples(_KEPT) == db.tuples(_COUNTED, [int(mark)])
        assert db.tuples(_KEPT_AREAS) == db.tuples(_COUNTED_AREAS, [int(mark)])


Lifecycle.TestCase.settings = LIFECYCLE
test_the_store_lifecycle = Lifecycle.TestCase
