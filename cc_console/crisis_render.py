"""The sit-rep and the after-action review as Markdown, HTML and HXL CSV.

Every text quoted from an operator or a feed is escaped: in Markdown, HTML
tags become entities and what Markdown reads as structure (``#``, ``>``,
``-``, ``|``, backticks, link syntax) is backslashed; the HTML comes from
Jinja2 templates with autoescaping, and prints on A4 like the kinerja report.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, tzinfo
from typing import Any

from cc_console.config import Config
from cc_console.export import _cell
from cc_console.i18n import Translator
from cc_console.resources import template
from cc_console.store.crisis import FIGURES
from cc_console.text import clean_line
from cc_console.timefmt import parse_iso, span

__all__ = [
    "HXL_TAGS",
    "aar_html",
    "aar_markdown",
    "hxl_csv",
    "md",
    "sitrep_html",
    "sitrep_markdown",
]

# The HXL hashtag of each column of the CSV (the second header row).
HXL_TAGS = {
    "event": "#crisis+code",
    "area": "#adm3+name",
    "code": "#adm3+code",
    "dead": "#affected+killed",
    "missing": "#affected+missing",
    "injured": "#affected+injured",
    "displaced": "#affected+idps+ind",
    "displaced_households": "#affected+idps+hh",
    "houses_heavy": "#affected+houses+damaged+heavy",
    "houses_moderate": "#affected+houses+damaged+moderate",
    "houses_light": "#affected+houses+damaged+light",
    "houses_flooded": "#affected+houses+flooded",
    "facilities": "#affected+facilities+damaged",
    "reported_at": "#date+reported",
    "source": "#meta+source",
}
_MD_ANYWHERE = re.compile(r"([\\`*_\[\]|#!~])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|(?P<n>\d+)[.)])")


def md(value: object, limit: int = 2000) -> str:
    """Text for a Markdown line: one line, tags as entities, structure backslashed."""
    text = clean_line(value, limit)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_ANYWHERE.sub(r"\\\1", text)
    # A list marker is "-", "+" or digits then "." or ")": the punctuation is what to escape.
    return _MD_LINE_START.sub(_unmark, text)


def _unmark(m: re.Match[str]) -> str:
    marker = m.group(2)
    digits = m.group("n") or ""
    return f"{m.group(1)}{digits}\\{marker[len(digits) :]}"


def _when(t: Translator, text: str | None, tz: tzinfo) -> str:
    return t.when(parse_iso(text), tz) if text else "–"


def _duration(seconds: float | None) -> str:
    return "–" if seconds is None else span(seconds)


def status_words(event: dict[str, Any], t: Translator, tz: tzinfo) -> str:
    """ "Tanggap darurat · SK … · Kam 03 Des 2026 00:00 WIB – …": the status as one line."""
    if not event.get("status"):
        return t("crisis.status.none")
    parts = [t.word("crisis.status", event["status"])]
    if event.get("decree"):
        parts.append(str(event["decree"]))
    if event.get("status_from") or event.get("status_until"):
        start = _when(t, event.get("status_from"), tz)
        parts.append(f"{start} – {_when(t, event.get('status_until'), tz)}")
    return " · ".join(parts)


def status_short(event: dict[str, Any], t: Translator, tz: tzinfo) -> str:
    """ "Tanggap darurat s/d 10 Des 23:59": the status and its end, for a list's cell."""
    if not event.get("status"):
        return "–"
    word = t.word("crisis.status.short", event["status"])
    until = parse_iso(event.get("status_until"))
    if until is None:
        return word
    return f"{word} {t('crisis.until', when=t.when(until, tz, day=False, year=False))}"


def _by_agency(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r.get("agency") or "", []).append(r)
    return sorted(groups.items(), key=lambda g: (g[0] == "", g[0]))


def _response_text(r: dict[str, Any], t: Translator) -> str:
    if r["kind"] == "assignment":
        return t("sitrep.assigned", incident=r.get("incident") or "")
    if r["kind"] == "decision":
        return f"{r['id']}: {r.get('text') or ''}"
    return f"{r['id']}: {r.get('text') or ''} ({t.word('item', r.get('status') or '')})"


def _number(doc: dict[str, Any], t: Translator) -> str:
    return t("sitrep.number", n=doc["number"]) if doc.get("number") else t("sitrep.draft")


def sitrep_markdown(doc: dict[str, Any], t: Translator, config: Config) -> str:
    """The laporan situasi as one Markdown document."""
    tz = config.site.tz
    ev = doc["event"]
    when = _when(t, doc.get("issued_at") or doc.get("generated_at"), tz)
    lines = [
        f"# {t('sitrep.title')} {_number(doc, t)} · {md(ev['title'])}",
        "",
        f"{md(config.site.name)} · {when}",
        "",
        f"- {t('sitrep.event')}: {ev['id']} · {md(t.word('category', ev['category']))}",
        f"- {t('sitrep.status')}: {md(status_words(ev, t, tz))}",
        f"- {t('sitrep.areas')}: {md(', '.join(str(a['area']) for a in ev['areas'])) or '–'}",
        "",
        f"## {t('sitrep.totals')}",
        "",
        f"| {t('sitrep.figure')} | {t('sitrep.total')} | {t('sitrep.change')} |",
        "| --- | ---: | ---: |",
    ]
    changes = doc.get("changes") or {}
    for k in FIGURES:
        change = changes.get(k)
        shown_change = "–" if change is None else f"{change:+d}"
        lines.append(f"| {t(f'figure.{k}')} | {doc['totals'][k]} | {shown_change} |")
    previous = doc.get("previous")
    lines += [
        "",
        t("sitrep.since", n=previous["number"], when=_when(t, previous["issued_at"], tz))
        if previous
        else t("sitrep.first"),
        "",
        f"## {t('sitrep.by_area')}",
        "",
        f"| {t('sitrep.area')} | {' | '.join(t(f'figure.short.{k}') for k in FIGURES)} | "
        f"{t('sitrep.source')} |",
        "| --- | " + "---: | " * len(FIGURES) + "--- |",
    ]
    for a in doc["by_area"]:
        name = md(f"{a['area']} ({a['code']})" if a.get("code") else a["area"])
        figures = " | ".join(str(a[k]) for k in FIGURES)
        lines.append(
            f"| {name} | {figures} | {md(a['source'])}, {_when(t, a['reported_at'], tz)} |"
        )
    if not doc["by_area"]:
        lines.append(f"| {t('sitrep.no_reports')} |" + " |" * (len(FIGURES) + 1))
    lines += ["", f"## {t('sitrep.needs')}", ""]
    lines += [
        f"- {md(n['text'])}" + (f" ({md(n['agency'])})" if n.get("agency") else "")
        for n in doc["needs"]
    ] or [t("minutes.none")]
    lines += ["", f"## {t('sitrep.responses')}", ""]
    for agency, rows in _by_agency(doc["responses"]):
        lines.append(f"- **{md(agency) or t('sitrep.no_agency')}**")
        lines += [f"  - {md(_response_text(r, t))}" for r in rows]
    if not doc["responses"]:
        lines.append(t("minutes.none"))
    lines += ["", f"## {t('sitrep.incidents')}", ""]
    for i in doc["incidents"]:
        status = t.word("status", i["status"]) if i.get("status") else "–"
        lines.append(f"- {md(i['id'])} · {md(i.get('title') or '–')} · {md(status)}")
    if not doc["incidents"]:
        lines.append(t("minutes.none"))
    if doc.get("hash"):
        lines += ["", f"sha256: `{doc['hash']}`"]
    return "\n".join(lines) + "\n"


def sitrep_html(doc: dict[str, Any], t: Translator, config: Config) -> str:
    """The laporan situasi as one printable HTML document (autoescaped)."""
    tz = config.site.tz
    ev = doc["event"]
    changes = doc.get("changes") or {}
    return template("sitrep.html.j2").render(
        t=t,
        lang=t.lang,
        site=config.site.name,
        doc=doc,
        ev=ev,
        number=_number(doc, t),
        when=_when(t, doc.get("issued_at") or doc.get("generated_at"), tz),
        category=t.word("category", ev["category"]),
        status=status_words(ev, t, tz),
        areas=", ".join(str(a["area"]) for a in ev["areas"]),
        figures=[
            (
                t(f"figure.{k}"),
                doc["totals"][k],
                "–" if changes.get(k) is None else f"{changes[k]:+d}",
            )
            for k in FIGURES
        ],
        short=[t(f"figure.short.{k}") for k in FIGURES],
        legend=" · ".join(
            f"{t(f'figure.short.{k}')}: {t(f'figure.{k}')}"
            for k in FIGURES
            if t(f"figure.short.{k}") != t(f"figure.{k}")
        ),
        totals=doc["totals"],
        keys=FIGURES,
        by_area=[{**a, "when": _when(t, a["reported_at"], tz)} for a in doc["by_area"]],
        since=t(
            "sitrep.since",
            n=doc["previous"]["number"],
            when=_when(t, doc["previous"]["issued_at"], tz),
        )
        if doc.get("previous")
        else t("sitrep.first"),
        agencies=[
            (a or t("sitrep.no_agency"), [_response_text(r, t) for r in rows])
            for a, rows in _by_agency(doc["responses"])
        ],
        incidents=[
            {**i, "status_word": t.word("status", i["status"]) if i.get("status") else "–"}
            for i in doc["incidents"]
        ],
    )


def hxl_csv(doc: dict[str, Any], t: Translator) -> str:
    """The figures per area as CSV: a header row, the HXL hashtag row, one row per area."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = list(HXL_TAGS)
    writer.writerow([t(f"hxl.{c}") for c in columns])
    writer.writerow([HXL_TAGS[c] for c in columns])
    for a in doc["by_area"]:
        row = {**a, "event": doc["event"]["id"]}
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def aar_markdown(doc: dict[str, Any], t: Translator, config: Config) -> str:
    """The after-action review's draft as Markdown."""
    tz = config.site.tz
    ev = doc["event"]
    lines = [
        f"# {t('aar.title')} · {md(ev['title'])}",
        "",
        f"{md(config.site.name)} · {ev['id']} · {_when(t, doc['generated_at'], tz)}",
        "",
        f"## {t('aar.timeline')}",
        "",
    ]
    for x in doc["timeline"]:
        what = t.word("action", x["kind"])
        about = x.get("incident") or x.get("target") or ""
        lines.append(
            f"- {_when(t, x['at'], tz)} · {md(what)} · {md(about)} · {md(x.get('text') or '')}"
        )
    medians = doc["medians"]
    lines += [
        "",
        f"## {t('aar.response_times')}",
        "",
        f"| {t('col.id')} | {t('aar.acknowledge')} | {t('aar.assign')} | {t('aar.resolve')} | "
        f"{t('aar.late')} |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for r in doc["response_times"]:
        late = ", ".join(t(f"aar.late.{d}") for d in r["late"]) or "–"
        lines.append(
            f"| {md(r['incident'])} | {_duration(r['acknowledge_s'])} | "
            f"{_duration(r['assign_s'])} | {_duration(r['resolve_s'])} | {late} |"
        )
    lines.append(
        f"| **{t('aar.median')}** | {_duration(medians['acknowledge_s'])} | "
        f"{_duration(medians['assign_s'])} | {_duration(medians['resolve_s'])} | |"
    )
    lines += ["", f"## {t('aar.open_items')}", ""]
    lines += [
        f"- {x['id']} · {md(x['text'])} · {md(x['owner'])} · {_when(t, x['due'], tz)}"
        for x in doc["open_items"]
    ] or [t("minutes.none")]
    lines += ["", f"## {t('aar.improvements')}", "", t("aar.improvements_hint"), ""]
    return "\n".join(lines)


def aar_html(doc: dict[str, Any], t: Translator, config: Config, now: datetime) -> str:
    """The after-action review's draft as one printable HTML document (autoescaped)."""
    tz = config.site.tz
    return template("aar.html.j2").render(
        t=t,
        lang=t.lang,
        site=config.site.name,
        ev=doc["event"],
        when=t.when(now, tz),
        timeline=[
            {
                **x,
                "when": _when(t, x["at"], tz),
                "what": t.word("action", x["kind"]),
                "about": x.get("incident") or x.get("target") or "",
            }
            for x in doc["timeline"]
        ],
        times=[
            {
                **r,
                "ack_text": _duration(r["acknowledge_s"]),
                "assign_text": _duration(r["assign_s"]),
                "resolve_text": _duration(r["resolve_s"]),
                "late_words": ", ".join(t(f"aar.late.{d}") for d in r["late"]) or "–",
            }
            for r in doc["response_times"]
        ],
        medians={k: _duration(v) for k, v in doc["medians"].items()},
        items=[{**x, "when": _when(t, x["due"], tz)} for x in doc["open_items"]],
    )
