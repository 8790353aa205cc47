"""The Incidents pane: newest (or worst) first, read from the store by the visible window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rich.text import Text

from cc_console.models import Incident
from cc_console.store import IncidentQuery
from cc_console.store.incidents import ACTIVE_STATUSES
from cc_console.timefmt import age
from widgets.context import ConsoleContext
from widgets.pane import Pane
from widgets.style import SEVERITY_LOOK
from widgets.virtual_list import VirtualList

__all__ = ["IncidentList", "IncidentsPane"]


class IncidentSource:
    """Pages of incidents for the current query."""

    def __init__(self, ctx: ConsoleContext) -> None:
        self.ctx = ctx
        self.query = IncidentQuery()

    def count(self) -> int:
        return self.ctx.store.incident_count(self.query)

    def page(self, offset: int, limit: int) -> Sequence[Incident]:
        return self.ctx.store.incident_page(self.query, offset, limit)

    def key(self, row: Incident) -> str:
        return row.id

    def locate(self, key: str, hint: int) -> int | None:
        return self.ctx.store.incident_position(self.query, key)


class IncidentList(VirtualList[Incident]):
    """One line per incident: severity, status, title, area, age, source."""

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__(IncidentSource(ctx), id="incident-list")
        self.ctx = ctx

    def render_row(self, row: Incident, width: int) -> Text:
        return incident_line(row, width, self.ctx)


def columns(width: int) -> tuple[int, int, int, int]:
    """Widths of (severity, status, area, source) that fit ``width``; the title takes the rest."""
    if width >= 120:
        return 11, 12, 22, 14
    if width >= 90:
        return 11, 12, 18, 0
    return 4, 10, 14, 0


def incident_line(inc: Incident, width: int, ctx: ConsoleContext) -> Text:
    t = ctx.t
    sev_w, status_w, area_w, src_w = columns(width)
    symbol, style = SEVERITY_LOOK.get(inc.severity, ("? ", ""))
    line = Text(no_wrap=True, overflow="ellipsis")
    sev = symbol if sev_w <= 4 else f"{symbol} {t.word('severity', inc.severity)}"
    line.append(f"{sev:<{sev_w}}"[:sev_w], style=style)
    line.append(" ")
    line.append(
        f"{t.word('status', inc.status):<{status_w}}"[:status_w],
        style="dim" if inc.status in ("resolved", "cancelled") else "",
    )
    line.append(" ")
    age_text = f"{age(inc.reported_at, ctx.now()):>4}"
    title_w = max(
        8, width - sev_w - status_w - area_w - src_w - len(age_text) - 5 - (1 if src_w else 0)
    )
    title = inc.title
    if inc.exercise:
        title = f"[{t('detail.exercise').split(' ')[0]}] {title}"
    line.append(_fit(title, title_w))
    line.append(" ")
    line.append(_fit(inc.area, area_w), style="italic")
    line.append(" ")
    line.append(age_text, style="dim")
    if src_w:
        line.append(" ")
        line.append(_fit(inc.source, src_w), style="dim")
    return line


def _fit(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text[: width - 1] + "…" if len(text) > width else text.ljust(width)


class IncidentsPane(Pane):
    """Incidents: severity, status, category, area, age, source; sortable; active or all."""

    title_key = "pane.incidents"

    def make_list(self) -> IncidentList:
        return IncidentList(self.ctx)

    @property
    def source(self) -> IncidentSource:
        src = self.list.source
        assert isinstance(src, IncidentSource)
        return src

    def header(self, width: int) -> Text:
        t = self.ctx.t
        sev_w, status_w, area_w, src_w = columns(width)
        title_w = max(8, width - sev_w - status_w - area_w - src_w - 9 - (1 if src_w else 0))
        parts = [
            _fit(t("col.severity"), sev_w),
            _fit(t("col.status"), status_w),
            _fit(t("col.title"), title_w),
            _fit(t("col.area"), area_w),
            f"{t('col.age')[:4]:>4}",
        ]
        if src_w:
            parts.append(_fit(t("col.source"), src_w))
        return Text(" ".join(parts), no_wrap=True)

    def status(self) -> str:
        q = self.source.query
        words = [self.ctx.t(f"sort.{q.order}")]
        if not q.statuses:
            words.append(self.ctx.t("key.all").split(" /")[0].lower())
        return ", ".join(words)

    def apply_filter(self, text: str) -> None:
        self.source.query = replace(self.source.query, text=text)

    def toggle_sort(self) -> None:
        q = self.source.query
        self.source.query = replace(q, order="severity" if q.order == "reported" else "reported")
        self.reload()

    def toggle_all(self) -> None:
        q = self.source.query
        self.source.query = replace(q, statuses=() if q.statuses else ACTIVE_STATUSES)
        self.list.cursor = 0
        self.reload()
