"""The JSON and CSV forms of records: CONTRACT.md section 4 and the native feeds of section 6."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from cc_console.models import Agency, Incident, JournalEntry, Meeting, SourceHealth
from cc_console.sla import breach_of, pending_due
from cc_console.store.followup import ActionItem, Decision
from cc_console.timefmt import iso_z, utcnow
from cc_console.urls import redact

__all__ = [
    "CSV_COLUMNS",
    "agency_json",
    "csv_text",
    "deadline_json",
    "decision_json",
    "health_json",
    "incident_json",
    "item_json",
    "journal_json",
    "meeting_json",
]

# The columns of each listing as CSV: the keys of its JSON objects, in their order.
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "incidents": (
        "id", "source", "external_id", "title", "description", "category", "severity", "status",
        "area", "lat", "lon", "reported_at", "updated_at", "assigned_to", "url", "exercise",
        "acknowledged_at", "resolved_at", "acknowledge_due", "resolve_due", "breach", "site", "extra",
    ),
    "agencies": ("id", "name", "status", "summary", "kpis", "updated_at", "source", "site"),
    "agenda": (
        "id", "source", "uid", "title", "start", "end", "all_day", "location", "status",
        "organizer", "participants", "description",
    ),
    "journal": ("seq", "at", "operator", "action", "target", "note", "agency", "hash"),
}  # fmt: skip

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """One CSV cell: null empty, booleans as true/false, lists and objects as JSON text.

    Text that a spreadsheet would run as a formula (a feed title "=HYPERLINK(...)")
    gets a leading apostrophe, as OWASP advises; numbers are left as they are.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """RFC 4180 CSV (CRLF line ends, quoted where needed) with a header line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def incident_json(
    inc: Incident,
    *,
    native: bool = False,
    now: datetime | None = None,
    site: str | None = None,
) -> dict[str, Any]:
    """An incident as ``incidents --json`` prints it (``native``: id is the external id).

    ``breach`` is judged at ``now`` (default: the current time). ``site``: the code
    of the command center it was read from (None: this one's own).
    """
    out: dict[str, Any] = {
        "id": inc.external_id if native else inc.id,
        "source": inc.source,
        "external_id": inc.external_id,
        "title": inc.title,
        "description": inc.description,
        "category": inc.category,
        "severity": inc.severity,
        "status": inc.status,
        "area": inc.area,
        "lat": inc.lat,
        "lon": inc.lon,
        "reported_at": iso_z(inc.reported_at),
        "updated_at": iso_z(inc.updated_at),
        "assigned_to": inc.assigned_to,
        "url": inc.url,
        "exercise": inc.exercise,
        "acknowledged_at": iso_z(inc.acknowledged_at),
        "resolved_at": iso_z(inc.resolved_at),
        "acknowledge_due": iso_z(inc.acknowledge_due),
        "resolve_due": iso_z(inc.resolve_due),
        "breach": breach_of(inc.status, inc.acknowledge_due, inc.resolve_due, now or utcnow()),
        "site": site,
    }
    if inc.extra:
        out["extra"] = inc.extra
    return out


def deadline_json(inc: Incident, now: datetime) -> dict[str, Any]:
    """One line of ``sla --json``: the incident, its breach or next deadline, and how far."""
    breach = breach_of(inc.status, inc.acknowledge_due, inc.resolve_due, now)
    pending = pending_due(inc.status, inc.acknowledge_due, inc.resolve_due)
    kind, due = (
        (breach, inc.resolve_due if breach == "resolve" else inc.acknowledge_due)
        if breach
        else pending or (None, None)
    )
    out: dict[str, Any] = {
        "id": inc.id,
        "title": inc.title,
        "severity": inc.severity,
        "status": inc.status,
        "assigned_to": inc.assigned_to,
        "breach": kind,
        "due": iso_z(due),
    }
    if due is not None:
        seconds = int((now - due).total_seconds())
        out["overdue_s" if breach else "due_in_s"] = seconds if breach else -seconds
    return out


def item_json(item: ActionItem, now: datetime) -> dict[str, Any]:
    """One action item as ``action list --json`` prints it."""
    return {
        "id": item.id,
        "text": item.text,
        "owner": item.owner,
        "due": iso_z(item.due),
        "status": item.status,
        "overdue": item.overdue(now),
        "meeting": item.meeting_id,
        "meeting_title": item.meeting_title,
        "incident": item.incident_id,
        "created_at": iso_z(item.created_at),
        "created_by": item.created_by,
        "done_at": iso_z(item.done_at),
        "note": item.note,
    }


def decision_json(d: Decision) -> dict[str, Any]:
    """One decision as ``decide --json`` and ``minutes --json`` print it."""
    return {
        "id": d.id,
        "text": d.text,
        "meeting": d.meeting_id,
        "created_at": iso_z(d.created_at),
        "created_by": d.created_by,
    }


def agency_json(a: Agency, *, site: str | None = None) -> dict[str, Any]:
    """An agency as ``agencies --json`` prints it (``site``: as for an incident)."""
    return {
        "id": a.id,
        "name": a.name,
        "status": a.status,
        "summary": a.summary,
        "kpis": [
            {"name": k.name, "value": k.value, "target": k.target, "unit": k.unit} for k in a.kpis
        ],
        "updated_at": iso_z(a.updated_at),
        "source": a.source,
        "site": site,
    }


def meeting_json(m: Meeting) -> dict[str, Any]:
    """A meeting occurrence as ``agenda --json`` prints it (all-day: dates)."""
    if m.all_day and m.start_date is not None:
        start: str | None = m.start_date.isoformat()
        end = m.end_date.isoformat() if m.end_date else None
    else:
        start, end = iso_z(m.start), iso_z(m.end)
    return {
        "id": m.id,
        "source": m.source,
        "uid": m.uid,
        "title": m.title,
        "start": start,
        "end": end,
        "all_day": m.all_day,
        "location": m.location,
        "status": m.status,
        "organizer": m.organizer,
        "participants": list(m.participants),
        "description": m.description,
    }


def health_json(h: SourceHealth) -> dict[str, Any]:
    """A source's health as ``status --json`` prints it."""
    return {
        "name": h.name,
        "kind": h.kind,
        "format": h.format,
        "url": redact(h.url),
        "last_attempt": iso_z(h.last_attempt),
        "last_success": iso_z(h.last_success),
        "last_error": h.last_error,
        "consecutive_failures": h.consecutive_failures,
        "records": h.records,
        "stale": h.stale,
        "next_attempt": iso_z(h.next_attempt),
        "warnings": h.warnings,
        "insecure": h.insecure,
    }


def journal_json(e: JournalEntry) -> dict[str, Any]:
    """A journal entry as ``journal --json`` prints it."""
    return {
        "seq": e.seq,
        "at": iso_z(e.at),
        "operator": e.operator,
        "action": e.action,
        "target": e.target,
        "note": e.note,
        "agency": e.agency,
        "hash": e.hash,
    }
