"""Incidents: the questions the console and the CLI ask (windows, counts, positions, timelines).

Text filters go through FTS5, with the effective status indexed beside the
text, so a filtered view of the active incidents is counted by FTS5 alone.
Applying a feed snapshot is in :mod:`cc_console.store.incident_writes`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cc_console.models import SEVERITIES, Incident, IncidentEvent
from cc_console.store.base import Cache
from cc_console.timefmt import iso_z, parse_iso

__all__ = ["ACTIVE_STATUSES", "IncidentQuery", "Incidents", "SiteFilter", "fts_query"]

ACTIVE_STATUSES = ("open", "acknowledged")

# The columns an :class:`Incident` is read from (``status``: the effective one).
INCIDENT_COLUMNS = (
    "id", "source", "external_id", "title", "description", "category", "severity", "status",
    "area", "lat", "lon", "reported_at", "updated_at", "url", "assigned_to", "exercise", "extra",
    "acknowledged_at", "resolved_at", "ack_due", "resolve_due", "seq",
)  # fmt: skip
SELECT_INCIDENT = f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents"


@dataclass(frozen=True)
class SiteFilter:
    """Sources to keep (or, with ``exclude``, to leave out): one site's, or ours."""

    names: tuple[str, ...]
    exclude: bool = False

    def admits(self, source: str) -> bool:
        """Whether ``source`` passes."""
        return (source in self.names) != self.exclude

    def where(self) -> tuple[str, list[str]]:
        """The SQL condition on ``source`` and its parameters."""
        marks = ", ".join("?" * len(self.names))
        return f"source {'NOT IN' if self.exclude else 'IN'} ({marks})", list(self.names)

    @classmethod
    def of(cls, sites: dict[str, tuple[str, str]], code: str) -> SiteFilter:
        """The sources of the site ``code``: those read from it (``sites``: ``source ->
        (code, name)``), or, for a code read from no source (this site's own, "local"),
        every source read from no other site."""
        read = tuple(name for name, (c, _) in sites.items() if c == code)
        return cls(read) if read else cls(tuple(sites), exclude=True)


@dataclass(frozen=True, slots=True)
class IncidentQuery:
    """Which incidents a pane shows: statuses, a typed filter, an order."""

    statuses: tuple[str, ...] = ACTIVE_STATUSES
    text: str = ""
    # "reported" (newest first), "severity" (worst first) or "overdue" (the
    # deadline still to meet, earliest first: only incidents that have one)
    order: str = "reported"
    source: str | None = None
    assigned_to: str | None = None
    sites: SiteFilter | None = None  # one site's sources (the Wilayah view's choice)
    # Stored values a typed word also stands for, as (word, column, value): the
    # console's words ("banjir" for the category flood) found as well as the feed's.
    synonyms: tuple[tuple[str, str, str], ...] = ()
    # Only incidents past a deadline at this time (ISO, UTC): "late" as the alarm line,
    # `sla` and the handover count it (store.deadlines.LATE).
    late_at: str | None = None


def fts_query(text: str, synonyms: tuple[tuple[str, str, str], ...] = ()) -> str | None:
    """A safe FTS5 prefix query matching every word of ``text`` (None if no words).

    A word with ``synonyms`` also matches those stored values in their column.
    """
    words = [w for w in "".join(ch if ch.isalnum() else " " for ch in text).split() if w]
    if not words:
        return None
    terms = []
    for w in words:
        term = '"' + w.replace('"', '""') + '"*'
        also = [f'{col} : "{value}"' for word, col, value in synonyms if word == w]
        terms.append(f"({' OR '.join([term, *also])})" if also else term)
    return " AND ".join(terms)


def row_to_incident(r: dict[str, Any]) -> Incident:
    """A store row as an :class:`Incident` (status is the effective one)."""
    return Incident(
        source=r["source"],
        external_id=r["external_id"],
        title=r["title"],
        description=r["description"] or "",
        category=r["category"],
        severity=r["severity"],
        status=r["status"],
        area=r["area"] or "",
        lat=r["lat"],
        lon=r["lon"],
        reported_at=parse_iso(r["reported_at"]),
        updated_at=parse_iso(r["updated_at"]),
        url=r["url"],
        assigned_to=r["assigned_to"],
        exercise=bool(r["exercise"]),
        extra=json.loads(r["extra"]) if r["extra"] else {},
        acknowledged_at=parse_iso(r["acknowledged_at"]),
        resolved_at=parse_iso(r["resolved_at"]),
        acknowledge_due=parse_iso(r["ack_due"]),
        resolve_due=parse_iso(r["resolve_due"]),
        seq=r.get("seq") or 0,
    )


class Incidents:
    """Reads of ``incidents``, their aliases and their timeline."""

    def __init__(self, db: Cache) -> None:
        self.db = db

    def resolve_id(self, incident_id: str) -> str | None:
        """The stored id for ``incident_id`` (following CAP thread aliases), or None."""
        found = self.db.scalar("SELECT id FROM incidents WHERE id = ?", [incident_id])
        if found:
            return str(found)
        alias = self.db.scalar(
            "SELECT incident_id FROM incident_aliases WHERE alias = ?", [incident_id]
        )
        return str(alias) if alias else None

    def get(self, incident_id: str) -> Incident | None:
        """One incident by id (or by an alias from its CAP thread)."""
        real = self.resolve_id(incident_id)
        if real is None:
            return None
        rows = self.db.rows(f"{SELECT_INCIDENT} WHERE id = ?", [real])
        return row_to_incident(rows[0]) if rows else None

    def listing(
        self,
        *,
        include_all: bool = False,
        sources: SiteFilter | None = None,
        public: tuple[str, ...] | None = None,
        resolved_since: datetime | None = None,
    ) -> list[Incident]:
        """Open and acknowledged incidents (all with ``include_all``; and those resolved
        since ``resolved_since``), newest first; of the sources ``sources`` admits; with
        ``public``, only of those categories and no exercise (what the public page may
        show)."""
        clauses: list[str] = []
        params: list[Any] = []
        if resolved_since is not None and not include_all:
            clauses.append(
                "(status IN ('open', 'acknowledged') OR (status = 'resolved' AND resolved_at >= ?))"
            )
            params.append(iso_z(resolved_since))
        elif not include_all:
            clauses.append("status IN ('open', 'acknowledged')")
        if sources is not None:
            clause, names = sources.where()
            clauses.append(clause)
            params.extend(names)
        if public is not None:
            clauses.append(f"category IN ({', '.join('?' * len(public))}) AND exercise = 0")
            params.extend(public)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.db.rows(
            f"{SELECT_INCIDENT} {where} ORDER BY reported_at DESC, seq DESC", params
        )
        return [row_to_incident(r) for r in rows]

    def active_by_source(self) -> list[dict[str, Any]]:
        """Active incidents (exercises left out) per source and severity: what the
        Wilayah view sums per site."""
        return self.db.rows(
            "SELECT source, severity, count(*) AS n "
            "FROM incidents INDEXED BY incidents_by_status "
            "WHERE status IN ('open', 'acknowledged') AND exercise = 0 GROUP BY 1, 2"
        )

    def for_publishing(self, since: datetime, limit: int = 50_000) -> list[Incident]:
        """Active incidents, and any updated since ``since`` (what ``serve`` publishes)."""
        rows = self.db.rows(
            f"{SELECT_INCIDENT} WHERE status IN ('open', 'acknowledged') "
            f"UNION {SELECT_INCIDENT} WHERE updated_at >= ? "
            "ORDER BY reported_at DESC LIMIT ?",
            [iso_z(since), limit],
        )
        return [row_to_incident(r) for r in rows]

    def _where(self, q: IncidentQuery, after: int | None = None) -> tuple[str, list[Any]]:
        """The WHERE of ``q`` (``after``: only incidents inserted after that seq)."""
        clauses: list[str] = []
        params: list[Any] = []
        if after is not None:
            clauses.append("seq > ?")
            params.append(after)
        if q.late_at is not None:
            from cc_console.store.deadlines import LATE  # (deadlines reads incidents)

            clauses.append(LATE)  # active ones only: a deadline still to meet has passed
            params.append(q.late_at)
        elif q.order == "overdue":
            # Only active incidents have a deadline still to meet: the index says it.
            clauses.append("next_due IS NOT NULL")
        elif q.statuses:
            clauses.append(f"status IN ({', '.join('?' * len(q.statuses))})")
            params.extend(q.statuses)
        if q.source:  # ids are "<source>:<external id>": a range of the id index
            clauses.append("id >= ? AND id < ?")
            params.extend([q.source + ":", q.source + ";"])
        if q.assigned_to:
            clauses.append("assigned_to = ?")
            params.append(q.assigned_to)
        if q.sites is not None:
            clause, names = q.sites.where()
            clauses.append(clause)
            params.extend(names)
        match = self._match(q)
        if match and after is not None:  # FTS5 takes the rowid range itself
            clauses.append(
                "seq IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ? AND rowid > ?)"
            )
            params += [match, after]
        elif match:
            clauses.append("seq IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?)")
            params.append(match)
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params

    @staticmethod
    def _match(q: IncidentQuery) -> str | None:
        """The FTS5 query of ``q``'s text, restricted to its statuses (indexed too)."""
        match = fts_query(q.text, q.synonyms)
        if match and q.statuses:
            match = f"({match}) AND status : ({' OR '.join(q.statuses)})"
        return match

    def page(self, q: IncidentQuery, offset: int, limit: int) -> list[Incident]:
        """Rows ``offset .. offset+limit`` of the incidents ``q`` selects."""
        where, params = self._where(q)
        order = {
            "severity": "severity_rank ASC, reported_at DESC, seq DESC",
            "overdue": "next_due ASC, seq ASC",
        }.get(q.order, "reported_at DESC, seq DESC")
        rows = self.db.rows(
            f"{SELECT_INCIDENT} {where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [row_to_incident(r) for r in rows]

    def position(self, q: IncidentQuery, incident_id: str) -> int | None:
        """The index of ``incident_id`` among the incidents ``q`` selects, or None.

        A keyset count (rows ordered before it), so it costs the rows above the
        selection, not the whole table.
        """
        where, params = self._where(q)
        rows = self.db.rows(
            f"SELECT seq, reported_at, severity_rank, next_due FROM incidents {where} "
            f"{'AND' if where else 'WHERE'} id = ?",
            [*params, incident_id],
        )
        if not rows:
            return None
        seq, reported, rank = rows[0]["seq"], rows[0]["reported_at"] or "", rows[0]["severity_rank"]
        if q.order == "overdue":
            due = rows[0]["next_due"]
            before = "(next_due < ? OR (next_due = ? AND seq < ?))"
            extra = [due, due, seq]
        elif q.order == "severity":
            before = (
                "(severity_rank < ? OR (severity_rank = ? AND (reported_at > ? OR "
                "(reported_at = ? AND seq > ?))))"
            )
            extra = [rank, rank, reported, reported, seq]
        else:
            before = "(reported_at > ? OR (reported_at = ? AND seq > ?))"
            extra = [reported, reported, seq]
        joiner = "AND" if where else "WHERE"
        return int(
            self.db.scalar(
                f"SELECT count(*) FROM incidents {where} {joiner} {before}", [*params, *extra]
            )
        )

    def last_seq(self) -> int:
        """The insertion order of the newest incident in the cache (0 when empty)."""
        return int(self.db.scalar("SELECT coalesce(max(seq), 0) FROM incidents"))

    def count_after(self, q: IncidentQuery, seq: int) -> int:
        """How many incidents ``q`` selects arrived after ``seq`` (a rowid range)."""
        where, params = self._where(q)
        joiner = "AND" if where else "WHERE"
        return int(
            self.db.scalar(
                f"SELECT count(*) FROM incidents {where} {joiner} seq > ?", [*params, seq]
            )
        )

    def count(self, q: IncidentQuery) -> int:
        """How many incidents ``q`` selects.

        With a text filter and nothing else, FTS5 counts alone: no join, so a
        prefix matching half a million incidents still counts in milliseconds.
        """
        match = self._match(q)
        alone = not (q.source or q.assigned_to or q.sites or q.late_at)
        if match and alone and q.order != "overdue":
            return int(
                self.db.scalar(
                    "SELECT count(*) FROM incidents_fts WHERE incidents_fts MATCH ?", [match]
                )
            )
        where, params = self._where(q)
        return int(self.db.scalar(f"SELECT count(*) FROM incidents {where}", params))

    def timeline(self, incident_id: str) -> list[IncidentEvent]:
        """Its events (feed changes, breaches) and journal entries, oldest first."""
        real = self.resolve_id(incident_id) or incident_id
        events = [
            IncidentEvent(
                at=parse_iso(r["at"]),  # type: ignore[arg-type]
                kind="feed"
                if r["kind"] in ("incident.changed", "incident.severity")
                else r["kind"],
                text=r["data"] or "",
            )
            for r in self.db.rows(
                "SELECT at, kind, data FROM events WHERE target = ? ORDER BY at, seq", [real]
            )
        ]
        for r in self.db.rows(
            "SELECT at, operator, action, note, agency FROM journal WHERE target = ? ORDER BY seq",
            [real],
        ):
            text = r["note"] or ""
            if r["agency"]:
                text = f"{r['agency']}" + (f" — {text}" if text else "")
            events.append(
                IncidentEvent(
                    at=parse_iso(r["at"]),  # type: ignore[arg-type]
                    kind=r["action"],
                    text=text,
                    operator=r["operator"],
                )
            )
        events.sort(key=lambda e: e.at)
        return events

    def severity_counts(
        self, statuses: tuple[str, ...] = ("open", "acknowledged")
    ) -> dict[str, int]:
        """How many incidents of each severity have one of ``statuses``.

        One pass of sums, not a GROUP BY: that sorts every row first (50 MB
        of sorter for a million active incidents).
        """
        marks = ", ".join("?" * len(statuses))
        sums = ", ".join(f"sum(severity_rank = {i}) AS s{i}" for i in range(len(SEVERITIES)))
        (row,) = self.db.rows(
            f"SELECT {sums} FROM incidents WHERE status IN ({marks})", list(statuses)
        )
        counts = [row[f"s{i}"] for i in range(len(SEVERITIES))]
        return {s: int(n) for s, n in zip(SEVERITIES, counts, strict=True) if n}

    def reported_since(self, since: datetime, limit: int = 20) -> tuple[int, list[Incident]]:
        """How many incidents were reported since ``since``, and the newest ``limit``."""
        count = int(
            self.db.scalar("SELECT count(*) FROM incidents WHERE reported_at >= ?", [iso_z(since)])
        )
        rows = self.db.rows(
            f"{SELECT_INCIDENT} WHERE reported_at >= ? ORDER BY reported_at DESC, seq DESC LIMIT ?",
            [iso_z(since), limit],
        )
        return count, [row_to_incident(r) for r in rows]
