"""Crisis events (kejadian bencana): the event, its links, impact per area, needs, status.

An event groups; it does not copy: incidents and meetings stay what they are
and the event holds links to them, plus its own impact reports, urgent needs,
emergency status (siaga, tanggap darurat, transisi, selesai) with its decree
and validity, and the sit-reps issued (their figures frozen and hashed). Every
change is journaled in the same transaction; opening an event, an impact
report, a status change and a status about to expire are events of the stream
(notifiable like the others).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cc_console.errors import ConfigError, NotFoundError, RefusedError
from cc_console.store.base import Cache, read_old
from cc_console.store.events import Events
from cc_console.store.journal import Journal
from cc_console.text import clean_line, clean_text, shown
from cc_console.timefmt import iso_z, parse_iso, utcnow

__all__ = [
    "EXPIRING_WITHIN",
    "FIGURES",
    "STATUSES",
    "AreaImpact",
    "Crises",
    "CrisisEvent",
    "ImpactReport",
    "Need",
    "Sitrep",
    "parse_figure",
    "sitrep_hash",
    "sum_figures",
]

# The figures of an impact report (BNPB's DIBI: victims in people and households,
# houses by damage, public facilities), in the order every output lists them.
FIGURES = (
    "dead",
    "missing",
    "injured",
    "displaced",
    "displaced_households",
    "houses_heavy",
    "houses_moderate",
    "houses_light",
    "houses_flooded",
    "facilities",
)
# The emergency statuses, in the order an emergency moves through them.
STATUSES = ("siaga", "tanggap-darurat", "transisi", "selesai")
EXPIRING_WITHIN = timedelta(hours=24)
FIGURE_LIMIT = 100_000_000  # more than Indonesia's population: a typo, not a figure
TITLE_LIMIT = 200
TABLES = ("crisis_events", "crisis_links", "crisis_impact", "crisis_needs", "crisis_sitreps")


def parse_figure(name: str, value: object) -> int:
    """One figure of an impact report as a whole number of people, houses or facilities.

    Raises:
        ConfigError: negative, not a whole number, or absurdly large (exit 2).
    """
    text = str(value).strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit():
        raise ConfigError(f"--{name.replace('_', '-')}: a whole number, not {shown(text)}")
    number = int(text)
    if number < 0:
        raise ConfigError(f"--{name.replace('_', '-')}: a figure cannot be negative ({number})")
    if number > FIGURE_LIMIT:
        raise ConfigError(f"--{name.replace('_', '-')}: {number} is not a plausible figure")
    return number


def sitrep_hash(doc: dict[str, Any]) -> str:
    """The SHA-256 of a sit-rep's canonical JSON (without its own hash)."""
    body = {k: v for k, v in doc.items() if k != "hash"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CrisisEvent:
    """One disaster event (``E-<n>``)."""

    seq: int
    title: str
    category: str
    areas: list[dict[str, str | None]]
    status: str | None
    decree: str | None
    status_from: datetime | None
    status_until: datetime | None
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by: str | None

    @property
    def id(self) -> str:
        return f"E-{self.seq}"

    def expiring(self, now: datetime) -> bool:
        """Whether its emergency status runs out within 24 h (and has not yet)."""
        return (
            self.closed_at is None
            and self.status not in (None, "selesai")
            and self.status_until is not None
            and now <= self.status_until <= now + EXPIRING_WITHIN
        )


@dataclass(frozen=True, slots=True)
class ImpactReport:
    """One report of figures for one area, as given (a figure left out is absent)."""

    seq: int
    area_key: str
    area: str
    code: str | None
    figures: dict[str, int]
    source: str
    reported_at: datetime
    reported_by: str


@dataclass(slots=True)
class AreaImpact:
    """An area's figures now: per figure, the latest report that gave it."""

    area: str
    code: str | None
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))
    reported_at: datetime | None = None
    source: str = ""
    reports: int = 0

    @property
    def people(self) -> int:
        """Dead, missing, injured and displaced: how the worst area is told apart."""
        f = self.figures
        return f["dead"] + f["missing"] + f["injured"] + f["displaced"]

    def severity_key(self) -> tuple[int, ...]:
        """Worst first: deaths, then missing, injured, displaced, then houses."""
        f = self.figures
        return (-f["dead"], -f["missing"], -f["injured"], -f["displaced"],
                -(f["houses_heavy"] + f["houses_moderate"] + f["houses_light"]
                  + f["houses_flooded"]))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Need:
    """An urgent need (kebutuhan mendesak) of an event, optionally for an agency."""

    seq: int
    text: str
    agency: str | None
    created_at: datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class Sitrep:
    """An issued sit-rep: its number, when and by whom, the document as issued, its hash."""

    number: int
    issued_at: datetime
    issued_by: str
    doc: dict[str, Any]
    hash: str


def _event(r: dict[str, Any]) -> CrisisEvent:
    return CrisisEvent(
        seq=r["seq"],
        title=r["title"],
        category=r["category"],
        areas=json.loads(r["areas"]),
        status=r["status"],
        decree=r["decree"],
        status_from=parse_iso(r["status_from"]),
        status_until=parse_iso(r["status_until"]),
        opened_at=parse_iso(r["opened_at"]),  # type: ignore[arg-type]
        opened_by=r["opened_by"],
        closed_at=parse_iso(r["closed_at"]),
        closed_by=r["closed_by"],
    )


def _report(r: dict[str, Any]) -> ImpactReport:
    return ImpactReport(
        seq=r["seq"],
        area_key=r["area_key"],
        area=r["area"],
        code=r["code"],
        figures=json.loads(r["figures"]),
        source=r["source"],
        reported_at=parse_iso(r["reported_at"]),  # type: ignore[arg-type]
        reported_by=r["reported_by"],
    )


def area_key(area: str, code: str | None) -> str:
    """What makes two reports the same area: its code when known, else its folded name."""
    return code or " ".join(area.casefold().split())


def fold(reports: list[ImpactReport]) -> list[AreaImpact]:
    """The areas' figures from their reports (oldest first): per figure, the latest wins."""
    areas: dict[str, AreaImpact] = {}
    for r in reports:
        now = areas.setdefault(r.area_key, AreaImpact(r.area, r.code))
        now.figures.update({k: v for k, v in r.figures.items() if k in FIGURES})
        now.area, now.code = r.area, r.code or now.code
        now.reported_at, now.source = r.reported_at, r.source
        now.reports += 1
    return list(areas.values())


def sum_figures(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Each figure summed over ``rows`` (areas, or events): the one sum every total is.

    An event's totals are the sum over its areas, a site's the sum over its
    events, the province's the sum over its sites; a figure a row lacks counts 0.
    """
    out = dict.fromkeys(FIGURES, 0)
    for row in rows:
        for k in FIGURES:
            out[k] += int(row.get(k) or 0)
    return out


def totals(areas: list[AreaImpact]) -> dict[str, int]:
    """Each figure summed over the areas."""
    return sum_figures(a.figures for a in areas)


class Crises:
    """Crisis events over the cache's connection, every change journaled."""

    def __init__(self, db: Cache, journal: Journal) -> None:
        self.db = db
        self.journal = journal

    # -- reads -------------------------------------------------------------------

    def get(self, event_id: str) -> CrisisEvent:
        """One event by id (``E-3``, also ``e-3`` or ``3``).

        Raises:
            NotFoundError: no such event.
        """
        text = event_id.strip()
        seq = text[2:] if text[:2].upper() == "E-" else text
        rows = (
            self.db.rows("SELECT * FROM crisis_events WHERE seq = ?", [int(seq)])
            if seq.isascii() and seq.isdigit()
            else []
        )
        if not rows:
            raise NotFoundError(
                f"unknown event {shown(event_id, 40)} (see `cc-console event list`)",
                key="unknown_event",
                id=shown(event_id, 40),
            )
        return _event(rows[0])

    def listing(self, *, include_closed: bool = False) -> list[CrisisEvent]:
        """Events, the open ones first, the newest first."""
        where = "" if include_closed else "WHERE closed_at IS NULL"
        return [
            _event(r)
            for r in self.db.rows(
                f"SELECT * FROM crisis_events {where} "
                "ORDER BY closed_at IS NOT NULL, opened_at DESC, seq DESC"
            )
        ]

    def links(self, seq: int, kind: str) -> list[str]:
        """The incident ids (``kind="incident"``) or meeting ids linked to an event."""
        return [
            r["target"]
            for r in self.db.rows(
                "SELECT target FROM crisis_links WHERE event_seq = ? AND kind = ? "
                "ORDER BY linked_at, target",
                [seq, kind],
            )
        ]

    def of_incident(self, incident_id: str) -> list[str]:
        """The events an incident is linked to (``E-<n>``)."""
        return [
            f"E-{r['event_seq']}"
            for r in self.db.rows(
                "SELECT event_seq FROM crisis_links WHERE kind = 'incident' AND target = ? "
                "ORDER BY event_seq",
                [incident_id],
            )
        ]

    def reports(self, seq: int) -> list[ImpactReport]:
        """Every impact report of an event, oldest first."""
        return [
            _report(r)
            for r in self.db.rows(
                "SELECT * FROM crisis_impact WHERE event_seq = ? ORDER BY seq", [seq]
            )
        ]

    def by_area(self, seq: int) -> list[AreaImpact]:
        """The event's figures per area now, the worst area first."""
        return sorted(fold(self.reports(seq)), key=lambda a: (a.severity_key(), a.area))

    def needs(self, seq: int) -> list[Need]:
        return [
            Need(r["seq"], r["text"], r["agency"], parse_iso(r["created_at"]), r["created_by"])  # type: ignore[arg-type]
            for r in self.db.rows(
                "SELECT * FROM crisis_needs WHERE event_seq = ? ORDER BY seq", [seq]
            )
        ]

    def sitreps(self, seq: int) -> list[Sitrep]:
        """The sit-reps issued for an event, the first first."""
        return [
            Sitrep(
                r["number"],
                parse_iso(r["issued_at"]),  # type: ignore[arg-type]
                r["issued_by"],
                json.loads(r["doc"]),
                r["hash"],
            )
            for r in self.db.rows(
                "SELECT * FROM crisis_sitreps WHERE event_seq = ? ORDER BY number", [seq]
            )
        ]

    def last_numbers(self) -> dict[int, int]:
        """Per event, the number of its last issued sit-rep."""
        return {
            r["event_seq"]: r["n"]
            for r in self.db.rows(
                "SELECT event_seq, max(number) AS n FROM crisis_sitreps GROUP BY event_seq"
            )
        }

    def expiring(self, now: datetime) -> list[CrisisEvent]:
        """Open events whose emergency status runs out within 24 h."""
        return [e for e in self.listing() if e.expiring(now)]

    def alarmed(self, now: datetime) -> list[CrisisEvent]:
        """What the alarm line names: statuses running out within 24 h, and those the poll
        cycle warned of (``event.status_expiring``) that were neither renewed nor changed
        since, even once their end has passed (an emergency that lapsed unnoticed)."""
        seen = {
            r["seq"]: r["expiring_seen"]
            for r in self.db.rows(
                "SELECT seq, expiring_seen FROM crisis_events "
                "WHERE closed_at IS NULL AND expiring_seen IS NOT NULL"
            )
        }
        return [
            e
            for e in self.listing()
            if e.expiring(now)
            or (
                e.status not in (None, "selesai")
                and e.status_until is not None
                and seen.get(e.seq) == iso_z(e.status_until)
            )
        ]

    # -- writes ------------------------------------------------------------------

    def _open_event(self, c: sqlite3.Connection, event: CrisisEvent) -> None:
        """Refuse a change to a closed event (checked inside the write's transaction)."""
        (closed,) = c.execute(
            "SELECT closed_at FROM crisis_events WHERE seq = ?", [event.seq]
        ).fetchone()
        if closed is not None:
            raise RefusedError(
                f"{event.id} is closed; nothing was changed", "event_closed", id=event.id
            )

    def open(
        self,
        title: str,
        category: str,
        areas: list[tuple[str, str | None]],
        at: datetime | None = None,
    ) -> CrisisEvent:
        """A new event; journaled (``event.open``) and told (``event.opened``)."""
        self.db.require_writable("event open")
        name = clean_line(title, TITLE_LIMIT)
        if not name:
            raise ConfigError("the event's title is empty")
        when = iso_z(at or utcnow()) or ""
        places = _areas(areas)
        with self.db.tx() as c:
            cur = c.execute(
                "INSERT INTO crisis_events(title, category, areas, opened_at, opened_by) "
                "VALUES (?, ?, ?, ?, ?)",
                [name, category, json.dumps(places, ensure_ascii=False), when,
                 self.journal.operator],
            )  # fmt: skip
            seq = int(cur.lastrowid or 0)
            eid = f"E-{seq}"
            self.journal.record(c, when, "event.open", eid, f"{category}: {name}")
            Events.add(
                c, when, "event.opened", eid,
                data={"title": name, "category": category,
                      "detail": ", ".join(str(a["area"]) for a in places)},
            )  # fmt: skip
        return self.get(eid)

    def link(
        self, event: CrisisEvent, kind: str, targets: list[str], at: datetime | None = None
    ) -> list[str]:
        """Link incidents or meetings (ids already checked); those newly linked."""
        self.db.require_writable(f"event link on {event.id}")
        when = iso_z(at or utcnow()) or ""
        added = []
        with self.db.tx() as c:
            self._open_event(c, event)
            for target in targets:
                cur = c.execute(
                    "INSERT OR IGNORE INTO crisis_links(event_seq, kind, target, linked_at, "
                    "linked_by) VALUES (?, ?, ?, ?, ?)",
                    [event.seq, kind, target, when, self.journal.operator],
                )
                if cur.rowcount:
                    added.append(target)
                    self.journal.record(c, when, "event.link", event.id, f"{kind} {target}")
        return added

    def unlink(
        self, event: CrisisEvent, kind: str, targets: list[str], at: datetime | None = None
    ) -> list[str]:
        """Remove links; those that were linked.

        Raises:
            NotFoundError: a target is not linked to the event (nothing changed).
        """
        self.db.require_writable(f"event unlink on {event.id}")
        when = iso_z(at or utcnow()) or ""
        linked = set(self.links(event.seq, kind))
        missing = [t for t in targets if t not in linked]
        if missing:
            raise NotFoundError(f"{shown(missing[0])} is not linked to {event.id}")
        with self.db.tx() as c:
            self._open_event(c, event)
            for target in targets:
                c.execute(
                    "DELETE FROM crisis_links WHERE event_seq = ? AND kind = ? AND target = ?",
                    [event.seq, kind, target],
                )
                self.journal.record(c, when, "event.unlink", event.id, f"{kind} {target}")
        return targets

    def report(
        self,
        event: CrisisEvent,
        area: str,
        code: str | None,
        figures: dict[str, int],
        source: str,
        at: datetime | None = None,
    ) -> ImpactReport:
        """Record one impact report for one area (figures already checked).

        Journaled as ``event.impact`` with who, when and the source; told as an
        ``event.impact`` event.
        """
        self.db.require_writable(f"event impact on {event.id}")
        place = clean_line(area, 120)
        said = clean_line(source, 200)
        if not place:
            raise ConfigError("--area is empty")
        if not said:
            raise ConfigError("--source: say where the figures come from")
        if not figures:
            raise ConfigError("give at least one figure (--dead, --displaced, …)")
        wrong = [k for k in figures if k not in FIGURES]
        if wrong:
            raise ConfigError(f"unknown figure {wrong[0]!r} (known: {', '.join(FIGURES)})")
        for name, value in figures.items():
            parse_figure(name, value)
        when = iso_z(at or utcnow()) or ""
        given = {k: int(figures[k]) for k in FIGURES if k in figures}
        key = area_key(place, code)
        with self.db.tx() as c:
            self._open_event(c, event)
            cur = c.execute(
                "INSERT INTO crisis_impact(event_seq, area_key, area, code, figures, source, "
                "reported_at, reported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [event.seq, key, place, code, json.dumps(given), said, when,
                 self.journal.operator],
            )  # fmt: skip
            seq = int(cur.lastrowid or 0)
            words = " ".join(f"{k}={v}" for k, v in given.items())
            where = f"{place} ({code})" if code else place
            self.journal.record(
                c, when, "event.impact", event.id, f"{where}: {words}; source: {said}"
            )
            Events.add(
                c, when, "event.impact", event.id,
                data={"title": event.title, "area": place, "code": code, "figures": given,
                      "detail": f"{where}: {words}"},
            )  # fmt: skip
        return next(r for r in self.reports(event.seq) if r.seq == seq)

    def need(
        self, event: CrisisEvent, text: str, agency: str | None, at: datetime | None = None
    ) -> Need:
        """Add an urgent need (agency already checked); journaled as ``event.need``."""
        self.db.require_writable(f"event need on {event.id}")
        body = clean_text(text, 1000).strip()
        if not body:
            raise ConfigError("the need is empty")
        when = iso_z(at or utcnow()) or ""
        with self.db.tx() as c:
            self._open_event(c, event)
            cur = c.execute(
                "INSERT INTO crisis_needs(event_seq, text, agency, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?)",
                [event.seq, body, agency, when, self.journal.operator],
            )
            seq = int(cur.lastrowid or 0)
            self.journal.record(c, when, "event.need", event.id, body, agency=agency)
        return next(n for n in self.needs(event.seq) if n.seq == seq)

    def set_status(
        self,
        event: CrisisEvent,
        status: str,
        decree: str | None,
        start: datetime | None,
        until: datetime | None,
        at: datetime | None = None,
    ) -> CrisisEvent:
        """Set the emergency status with its decree and validity; journaled, told.

        A new status (or a renewal: a new ``until``) may warn again when it nears its end.
        """
        self.db.require_writable(f"event status on {event.id}")
        if status not in STATUSES:
            raise ConfigError(f"status must be one of {', '.join(STATUSES)}, not {shown(status)}")
        if start is not None and until is not None and until <= start:
            raise ConfigError("--until must come after --from")
        paper = clean_line(decree, 200) or None
        when = iso_z(at or utcnow()) or ""
        with self.db.tx() as c:
            self._open_event(c, event)
            c.execute(
                "UPDATE crisis_events SET status = ?, decree = ?, status_from = ?, "
                "status_until = ?, expiring_seen = NULL WHERE seq = ?",
                [status, paper, iso_z(start), iso_z(until), event.seq],
            )
            valid = f"{iso_z(start) or ''}..{iso_z(until) or ''}"
            note = f"{status}; {paper or '-'}; {valid}"
            self.journal.record(c, when, "event.status", event.id, note)
            Events.add(
                c, when, "event.status", event.id,
                data={"title": event.title, "status": status, "decree": paper,
                      "from": iso_z(start), "until": iso_z(until), "detail": note},
            )  # fmt: skip
        return self.get(event.id)

    def close(self, event: CrisisEvent, at: datetime | None = None) -> CrisisEvent:
        """Close the event (its record stays; no more changes); journaled."""
        self.db.require_writable(f"event close on {event.id}")
        when = iso_z(at or utcnow()) or ""
        with self.db.tx() as c:
            self._open_event(c, event)
            c.execute(
                "UPDATE crisis_events SET closed_at = ?, closed_by = ? WHERE seq = ?",
                [when, self.journal.operator, event.seq],
            )
            self.journal.record(c, when, "event.close", event.id, event.title)
        return self.get(event.id)

    def issue(self, event: CrisisEvent, doc: dict[str, Any], at: datetime) -> dict[str, Any]:
        """Number, freeze and journal a sit-rep document; the document as issued (with hash).

        The number is taken inside the transaction, so two consoles issuing at
        once get two numbers.
        """
        self.db.require_writable(f"sitrep --issue on {event.id}")
        when = iso_z(at) or ""
        with self.db.tx() as c:
            (number,) = c.execute(
                "SELECT coalesce(max(number), 0) + 1 FROM crisis_sitreps WHERE event_seq = ?",
                [event.seq],
            ).fetchone()
            issued = {**doc, "number": number, "issued_at": when}
            issued["hash"] = sitrep_hash(issued)
            c.execute(
                "INSERT INTO crisis_sitreps(event_seq, number, issued_at, issued_by, doc, hash) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [event.seq, number, when, self.journal.operator,
                 json.dumps(issued, ensure_ascii=False, sort_keys=True), issued["hash"]],
            )  # fmt: skip
            self.journal.record(
                c, when, "sitrep.issue", event.id, f"#{number} sha256:{issued['hash']}"
            )
        return issued

    def check(self, now: datetime) -> int:
        """One ``event.status_expiring`` per status that runs out within 24 h; how many.

        Run by the poll cycle, beside the deadline check. Once per status: a
        renewal (a new ``--until``) or another status may warn again.
        """
        if self.db.read_only:
            return 0
        due = [
            e
            for e in self.expiring(now)
            if self.db.scalar("SELECT expiring_seen FROM crisis_events WHERE seq = ?", [e.seq])
            != iso_z(e.status_until)
        ]
        if not due:
            return 0
        at = iso_z(now) or ""
        with self.db.tx() as c:
            for e in due:
                until = iso_z(e.status_until)
                Events.add(
                    c, at, "event.status_expiring", e.id,
                    data={"title": e.title, "status": e.status, "until": until,
                          "decree": e.decree, "detail": str(until)},
                )  # fmt: skip
                c.execute(
                    "UPDATE crisis_events SET expiring_seen = ? WHERE seq = ?", [until, e.seq]
                )
        return len(due)

    def import_from(self, c: sqlite3.Connection, old_path: Path) -> int:
        """Copy every crisis table of the cache at ``old_path`` (a rebuild keeps them)."""
        copied = 0
        for table in TABLES:
            cols, rows = read_old(old_path, table)
            if rows:
                c.executemany(
                    f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    rows,
                )
            copied += len(rows)
        return copied


def _areas(areas: list[tuple[str, str | None]]) -> list[dict[str, str | None]]:
    """The event's areas as stored: name and code, each once."""
    out: list[dict[str, str | None]] = []
    seen = set()
    for name, code in areas:
        place = clean_line(name, 120)
        key = area_key(place, code)
        if place and key not in seen:
            seen.add(key)
            out.append({"area": place, "code": code})
    return out
