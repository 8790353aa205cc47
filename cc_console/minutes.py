"""The minutes (notulen) of a meeting: the record as data, and the document a chair signs.

:func:`record` gathers everything the minutes hold as one JSON-able document: the
meeting, its chair (the organizer), minute-taker, agenda (the description),
attendance, discussion, decisions with the data they were taken on, its action
items (owners by name, due, status and completion note as of a moment), the items
still open from earlier occurrences, and the site (name and zone). A closed meeting's
record is frozen by the store; the documents are rendered from the record only, so
a closed meeting's minutes never change: no live status, no "printed at" time.

:func:`markdown` and :func:`html` render a record in the interface language: the full
day and date, start and end time in the site's zone, and a signature block. The HTML
prints on A4 through the browser, with its own header and page numbers
(:func:`cc_console.printing.page_css`) in the site's zone.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cc_console.export import decision_json, item_json, meeting_json
from cc_console.i18n import Translator
from cc_console.models import Meeting
from cc_console.text import markdown_text
from cc_console.timefmt import iso_z, parse_iso

if TYPE_CHECKING:
    from cc_console.config import SiteConfig
    from cc_console.store import ActionItem, Store

__all__ = ["html", "markdown", "record", "stored_record"]


def _items(items: list[ActionItem], names: dict[str, str], at: datetime) -> list[dict[str, Any]]:
    """Items as of ``at``, each with its owner's name."""
    return [{**item_json(i, at), "owner_name": names.get(i.owner)} for i in items]


def record(
    store: Store,
    meeting: Meeting,
    site: SiteConfig,
    at: datetime,
    *,
    closed_at: str | None = None,
    closed_by: str | None = None,
) -> dict[str, Any]:
    """The meeting's record as of ``at`` (the close, or now while it is open)."""
    names = {a.id: a.name for a in store.agencies.listing()}
    decisions = store.followups.decisions(meeting.id)
    notes = store.meetings.notes(meeting.id)
    firsts = sorted([(n.created_at, n.created_by) for n in notes]
                    + [(d.created_at, d.created_by) for d in decisions])  # fmt: skip
    minute_taker = firsts[0][1] if firsts else closed_by
    return {
        "meeting": meeting_json(meeting),
        "site": {"code": site.code or None, "name": site.name, "timezone": site.timezone},
        "chair": meeting.organizer,
        "minute_taker": minute_taker,
        "agenda": meeting.description or None,
        "attendance": sorted(  # by name, as an attendance list reads
            (
                {"id": a, "name": names.get(a), "recorded_at": when, "recorded_by": by}
                for a, when, by in store.meetings.attendance(meeting.id)
            ),
            key=lambda a: ((a["name"] or a["id"]).casefold(), a["id"]),
        ),
        "discussion": [
            {"text": n.text, "created_at": iso_z(n.created_at), "created_by": n.created_by}
            for n in notes
        ],
        "decisions": [{**decision_json(d), "evidence": list(d.evidence)} for d in decisions],
        "actions": _items(
            sorted(store.followups.items(meeting_id=meeting.id), key=lambda i: i.seq), names, at
        ),
        "carried_over": _items(store.followups.carried_over(meeting), names, at),
        "as_of": iso_z(at),
        "closed_at": closed_at,
        "closed_by": closed_by,
    }


def stored_record(
    store: Store, meeting: Meeting, site: SiteConfig, now: datetime
) -> dict[str, Any]:
    """The record to show: the frozen one of a closed meeting (with its ``hash``), else the
    record as of ``now`` (``hash`` null)."""
    closure = store.meetings.closure(meeting.id)
    if closure is not None:
        return {**closure.record, "hash": closure.hash}
    return {**record(store, meeting, site, now), "hash": None}


# -- rendering -------------------------------------------------------------------------------


def _zone(rec: dict[str, Any]) -> tzinfo:
    return ZoneInfo(rec["site"]["timezone"])


def _time(value: str | None) -> datetime | None:
    return parse_iso(value) if value else None


def facts(rec: dict[str, Any], t: Translator) -> list[tuple[str, str]]:
    """The head of the minutes as (label, value) pairs: day and date, time, place, chair,
    minute-taker, invited, present. Values are plain text (the caller escapes them)."""
    tz = _zone(rec)
    m = rec["meeting"]
    if m["all_day"]:
        from datetime import date

        # A date from the calendar; a time where only the kept copy knows the meeting.
        start = _time(m["start"]) if len(m["start"]) > 10 else None
        day = start.astimezone(tz).date() if start else date.fromisoformat(m["start"])
        when = t("minutes.all_day")
    else:
        start = _time(m["start"])
        assert start is not None
        day = start.astimezone(tz).date()
        end = _time(m["end"])
        when = t.clock(start, tz, zone=end is None)
        if end is not None:
            when += " – " + t.clock(end, tz)
    present = ", ".join(a["name"] or a["id"] for a in rec["attendance"])
    return [
        (t("minutes.day_date"), t.long_date(day)),
        (t("minutes.time"), when),
        (t("minutes.where"), m["location"] or "–"),
        (t("minutes.chair"), rec["chair"] or "–"),
        (t("minutes.minute_taker"), rec["minute_taker"] or "–"),
        (t("minutes.invited"), ", ".join(m["participants"]) or "–"),
        (t("minutes.present"), present or "–"),
    ]


def evidence_line(e: dict[str, Any], t: Translator, tz: tzinfo) -> str:
    """One piece of a decision's evidence as a sentence (plain text)."""
    as_of = _time(e.get("as_of"))
    when = t.when(as_of, tz) if as_of else ""
    if e["kind"] == "incident":
        parts = [t.word("severity", e["severity"]), t.word("status", e["status"])]
        if e.get("area"):
            parts.append(e["area"])
        who = e.get("assigned_to_name") or e.get("assigned_to")
        parts.append(t("minutes.ev_assigned", who=who) if who else t("minutes.ev_unassigned"))
        if e.get("breach"):
            parts.append(t(f"minutes.ev_breach_{e['breach']}"))
        return t("minutes.ev_incident", id=e["id"], title=e["title"], facts=", ".join(parts),
                 when=when)  # fmt: skip
    kpis = []
    for k in e.get("kpis", []):
        value = "–" if k["value"] is None else f"{k['value']:g}"
        target = f"/{k['target']:g}" if k["target"] is not None else ""
        unit = f" {k['unit']}" if k["unit"] else ""
        mark = {True: " ✓", False: " ✗"}.get(k["met"], "")
        kpis.append(f"{k['name']} {value}{target}{unit}{mark}")
    status = t.word("agency", e["status"])
    if kpis:
        status += "; " + t("minutes.ev_kpis", kpis="; ".join(kpis))
    return t("minutes.ev_agency", name=e["name"], facts=status, when=when)


def item_rows(items: list[dict[str, Any]], rec: dict[str, Any], t: Translator) -> list[list[str]]:
    """Rows of an item table: no, what, owner (name), due, status, note (plain text).

    The status is the one as of the record's moment; an open meeting's items past due
    say so ("lewat tenggat"), a closed one's never do (its record is a document, not a
    live view: the status is the one at the close, and the due date says the rest).
    """
    tz = _zone(rec)
    closed = rec["closed_at"] is not None
    rows = []
    for n, i in enumerate(items, 1):
        status = t.word("item", i["status"])
        done_at = _time(i["done_at"])
        if i["status"] != "open" and done_at is not None:
            status += " " + t.when(done_at, tz, day=False, year=False)
        elif i["overdue"] and not closed:
            status = t("item.overdue")
        due = _time(i["due"])
        rows.append([
            f"{n}", f"{i['text']} ({i['id']})", i["owner_name"] or i["owner"],
            t.when(due, tz) if due else "", status, i["note"] or "",
        ])  # fmt: skip
    return rows


def status_note(rec: dict[str, Any], t: Translator) -> str:
    """Whose moment the statuses are: the close, or "per <date>" while open."""
    tz = _zone(rec)
    closed = _time(rec["closed_at"])
    if closed is not None:
        return t("minutes.as_of_close", when=t.when(closed, tz))
    as_of = _time(rec["as_of"])
    return t("minutes.as_of_open", when=t.when(as_of, tz))


def markdown(rec: dict[str, Any], t: Translator) -> str:
    """The minutes as Markdown: every quoted text escaped, nothing that depends on when
    it is rendered."""
    md = markdown_text
    tz = _zone(rec)
    m = rec["meeting"]
    lines = [
        f"# {t('minutes.heading')}",
        "",
        f"## {md(m['title'])}",
        "",
        md(rec["site"]["name"]),
        "",
        "| | |",
        "| --- | --- |",
        *[f"| **{label}** | {md(value)} |" for label, value in facts(rec, t)],
        "",
        f"## {t('minutes.agenda')}",
        "",
        md(rec["agenda"]) if rec["agenda"] else t("minutes.none"),
        "",
        f"## {t('minutes.discussion')}",
        "",
    ]
    lines += [
        f"{n}. {md(d['text'])} ({md(d['created_by'])}, {t.clock(_time(d['created_at']), tz)})"  # type: ignore[arg-type]
        for n, d in enumerate(rec["discussion"], 1)
    ] or [t("minutes.none")]
    lines += ["", f"## {t('minutes.decisions')}", ""]
    for n, d in enumerate(rec["decisions"], 1):
        lines.append(f"{n}. {md(d['text'])} ({d['id']})")
        for e in d["evidence"]:
            lines.append(f"    - {t('minutes.evidence')}: {md(evidence_line(e, t, tz))}")
    if not rec["decisions"]:
        lines.append(t("minutes.none"))
    header = [t("minutes.no"), t("col.text"), t("minutes.owner"), t("col.due"),
              t("col.status"), t("minutes.completion")]  # fmt: skip
    for title, key in (("minutes.actions", "actions"), ("minutes.carried", "carried_over")):
        lines += ["", f"## {t(title)}", ""]
        rows = item_rows(rec[key], rec, t)
        if not rows:
            lines.append(t("minutes.none"))
            continue
        lines += ["| " + " | ".join(header) + " |", "| ---: | --- | --- | --- | --- | --- |"]
        lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in rows]
    lines += ["", md(status_note(rec, t)), ""]
    if rec.get("hash"):
        lines += [f"{t('minutes.hash')}: {rec['hash']}", ""]
    place = md(m["location"] or rec["site"]["name"])
    dated = facts(rec, t)[0][1]
    lines += [
        f"## {t('minutes.signatures')}",
        "",
        f"{place}, {dated}".strip(", "),
        "",
        f"| {t('minutes.chair')} | {t('minutes.minute_taker')} |",
        "| :---: | :---: |",
        *["| &nbsp; | &nbsp; |"] * 3,  # room to sign
        f"| ( {md(rec['chair'] or '……………………')} ) | ( {md(rec['minute_taker'] or '……………………')} ) |",
        "",
    ]
    return "\n".join(lines)


def html(rec: dict[str, Any], t: Translator) -> str:
    """The minutes as one HTML document to print on A4 (header and page numbers in the
    site's zone, rows never split across pages)."""
    from cc_console.printing import page_css
    from cc_console.resources import template

    tz = _zone(rec)
    m = rec["meeting"]
    closed = _time(rec["closed_at"])
    right = (
        t("minutes.closed_header", when=t.when(closed, tz))
        if closed
        else t("minutes.open_header", when=t.when(_time(rec["as_of"]), tz))
    )
    dated = facts(rec, t)[0][1]
    discussion = [
        {**d, "clock": t.clock(_time(d["created_at"]), tz)}  # type: ignore[arg-type]
        for d in rec["discussion"]
    ]
    decisions = [
        {**d, "evidence_lines": [evidence_line(e, t, tz) for e in d["evidence"]]}
        for d in rec["decisions"]
    ]
    return template("minutes.html.j2").render(
        t=t,
        lang=t.lang,
        page_css=page_css(f"{t('minutes.heading')} · {m['title']}", right, t),
        rec=rec,
        facts=facts(rec, t),
        discussion=discussion,
        decisions=decisions,
        actions=item_rows(rec["actions"], rec, t),
        carried=item_rows(rec["carried_over"], rec, t),
        status_note=status_note(rec, t),
        place_date=", ".join(x for x in (m["location"] or rec["site"]["name"], dated) if x),
    )
