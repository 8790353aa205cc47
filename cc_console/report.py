"""The kinerja report as one self-contained HTML document (and its pieces).

Rendered from ``data/templates/report.html.j2`` (shipped in the wheel) with
Jinja2's autoescaping: a feed's ``<script>`` is text. The charts are inline
SVG computed here; no script, no outside asset, print-friendly (A4, rows and
charts never split across pages).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cc_console.config import Config
from cc_console.i18n import Translator
from cc_console.kinerja import Kinerja, duration, part_text, signed_change
from cc_console.printing import page_css
from cc_console.resources import template
from cc_console.timefmt import parse_iso

__all__ = ["STATUS_COLOURS", "html"]

STATUS_COLOURS = (
    ("operational", "#3a9a4a"),
    ("maintenance", "#4a7fc1"),
    ("degraded", "#e0b020"),
    ("partial_outage", "#e07020"),
    ("major_outage", "#c8302a"),
    ("unknown", "#aaaaaa"),
)
BAR_WIDTH = 380  # px of the longest bar
CHART_ROWS = 10


def _bars(rows: list[tuple[str, float, str]], top: float) -> dict[str, Any]:
    """Horizontal bars: ``(label, value, shown value)`` scaled to ``top``."""
    out = []
    for n, (label, value, shown) in enumerate(rows):
        width = round(BAR_WIDTH * value / top) if top else 0
        colour = "#3a9a4a" if value >= 75 else "#e0b020" if value >= 50 else "#c8302a"
        out.append({"y": 4 + 20 * n, "label": label[:42], "width": width, "value": shown,
                    "colour": colour})  # fmt: skip
    return {"rows": out, "height": 8 + 20 * len(out)}


def html(k: Kinerja, t: Translator, config: Config, now: datetime) -> str:
    """The report for the weekly evaluation meeting, as one HTML document."""
    tz = config.site.tz
    own = config.site.code or "–"
    colours = dict(STATUS_COLOURS)
    agencies = []
    for a in [*k.ranked, *k.unscored, *k.services]:
        x = 0.0
        status_bar = []
        for status, share in sorted(a.status_time.items(), key=lambda s: list(colours).index(s[0])
                                    if s[0] in colours else 99):  # fmt: skip
            status_bar.append({"x": round(x, 2), "width": round(70 * share, 2),
                               "colour": colours.get(status, "#aaaaaa")})  # fmt: skip
            x += 70 * share
        known = [(n, v) for n, v in enumerate(a.trend) if v is not None]
        points = " ".join(f"{4 + n * 10},{16 - v / 100 * 14:.1f}" for n, v in known)
        figures = a.shown(counts=True)
        prev = a.previous
        agencies.append({
            "name": a.name,
            "site": a.site or own,
            "kind": a.kind,
            "scored": a.scored,
            "rank": a.rank or "–",
            "score_text": figures["score"] if a.scored else t("report.no_data"),
            "change": signed_change(a.score, prev["score"]) if a.scored else "–",
            "prev_rank": prev["rank"] or "–",
            "parts": [part_text(a.points.get(x)) if a.scored else "–"
                      for x in ("resolution", "items", "kpis", "service")],
            "overdue_items": [
                {**i, "due_text": t.when(parse_iso(i["due"]), tz, year=False)}
                for i in a.overdue_items
            ],
            "late_incidents": [{**i, "late": duration(i["overdue_s"])} for i in a.late_incidents],
            "trend_points": points if len(known) > 1 else "",
            "on_time": figures["on_time"],
            "breaches": a.breaches,
            "median": duration(a.median_resolve_s),
            "actions": figures["items"],
            "kpis": figures["kpis"],
            "status_bar": status_bar,
            "up": figures["up"],
        })  # fmt: skip
    # In the province a name is a regency's: "Dinas Kesehatan" is 27 agencies.
    scored = [
        (f"{a.name} · {a.site or own}" if k.per_site else a.name, a.score or 0.0, f"{a.score:.1f}")
        for a in k.ranked
    ]
    # The chart fits the first page: the best ten and the last five (the table has all).
    chart_note = ""
    if len(scored) > CHART_ROWS + 5:
        chart_note = t("report.chart_cut", top=CHART_ROWS, bottom=5, total=len(scored))
        scored = [*scored[:CHART_ROWS], ("…", 0.0, ""), *scored[-5:]]
    categories = k.breakdown.get("incidents_by_category", [])
    top = max((n for _, n in categories), default=0)
    page = template("report.html.j2")
    generated = t.when(now, tz)
    return page.render(
        t=t,
        lang=t.lang,
        # The same printed page as the minutes: its own header and page numbers, in WIB.
        page_css=page_css(
            f"{t('report.title')} · {config.site.name}", t("print.generated", when=generated), t
        ),
        site=config.site.name,
        period=f"{t.when(k.start, tz)} – {t.when(k.end, tz)}",
        previous=f"{t.when(k.previous_start, tz)} – {t.when(k.start, tz)}"
        if k.previous_start
        else "",
        least=k.min_events,
        generated=generated,
        center=k.center,
        center_median=duration(k.center.median_acknowledge_s),
        bars=_bars(scored, 100.0),
        chart_note=chart_note,
        agencies=agencies,
        status_colours=[(s, c) for s, c in STATUS_COLOURS if s != "unknown"],
        categories=_bars([(t.word("category", c), n, str(n)) for c, n in categories], top),
        areas=k.breakdown.get("incidents_by_area", []),
        owners=k.breakdown.get("overdue_items_by_owner", []),
        sites=k.sites,
        per_site=k.per_site,
    )
