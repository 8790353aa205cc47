"""The Agencies pane: worst status first, KPIs against targets, a status sparkline, data age."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from cc_console.looks import AGENCY_LOOK, sparkline
from cc_console.models import Agency
from cc_console.timefmt import age
from widgets.context import ConsoleContext
from widgets.pane import Pane

__all__ = ["AgenciesPane", "AgencySource"]


class AgencySource:
    """All agencies (tens, not millions), filtered in memory."""

    def __init__(self, ctx: ConsoleContext) -> None:
        self.ctx = ctx
        self.text = ""
        self.rows: list[Agency] = []
        self.trends: dict[str, list[str]] = {}

    def count(self) -> int:
        self.rows = self.ctx.store.agencies.listing(text=self.text)
        self.trends = self.ctx.store.agencies.trends()
        return len(self.rows)

    def page(self, offset: int, limit: int) -> Sequence[Agency]:
        return self.rows[offset : offset + limit]

    def key(self, row: Agency) -> str:
        return f"{row.source}:{row.id}"

    def locate(self, key: str, hint: int) -> int | None:
        for i, a in enumerate(self.rows):
            if f"{a.source}:{a.id}" == key:
                return i
        return None

    def set_filter(self, text: str) -> None:
        self.text = text

    def status(self) -> str:
        return ""

    def header(self, width: int) -> Text:
        t = self.ctx.t
        status_w = 19 if width >= 70 else 16
        spark_w = 10 if width >= 70 else 0
        name_w = max(8, width - status_w - 7 - spark_w - 8)
        parts = [
            t("col.status")[:status_w].ljust(status_w),
            t("col.name")[:name_w].ljust(name_w),
            t("col.kpis")[:6].ljust(6),
        ]
        if spark_w:
            parts.append(t("col.trend")[:spark_w].ljust(spark_w))
        parts.append(f"{t('col.age')[:4]:>4}")
        return Text(" ".join(parts), no_wrap=True)

    def render(self, row: Agency, width: int) -> Text:
        t = self.ctx.t
        symbol, style = AGENCY_LOOK.get(row.status, ("?", ""))
        status_w = 19 if width >= 70 else 16
        spark_w = 10 if width >= 70 else 0
        kpi, kpi_style = kpi_summary(row)
        age_text = f"{age(row.updated_at, self.ctx.now()):>4}"
        name_w = max(8, width - status_w - 7 - spark_w - len(age_text) - 4)
        line = Text(no_wrap=True)
        word = f"{symbol} {t.word('agency', row.status)}"
        line.append(f"{word:<{status_w}}"[:status_w], style=style)
        line.append(" ")
        name = row.name if len(row.name) <= name_w else row.name[: name_w - 1] + "…"
        line.append(name.ljust(name_w))
        line.append(" ")
        line.append(f"{kpi:<6}"[:6], style=kpi_style)
        if spark_w:
            line.append(" ")
            line.append(
                f"{sparkline(self.trends.get(row.id, [])[-spark_w:]):<{spark_w}}",
                style="cyan",
            )
        line.append(" ")
        line.append(age_text, style="dim")
        return line


def kpi_summary(a: Agency) -> tuple[str, str]:
    """``2/3 ✓``-style count of KPIs on target, and its style."""
    judged = [k for k in a.kpis if k.met is not None]
    if not judged:
        return "", ""
    met = sum(1 for k in judged if k.met)
    mark = "✓" if met == len(judged) else "✗"
    return f"{met}/{len(judged)} {mark}", "green" if met == len(judged) else "yellow"


class AgenciesPane(Pane):
    """Agencies (perangkat daerah): status word and symbol, KPIs, trend, age."""

    def __init__(self, ctx: ConsoleContext, *, id: str | None = None) -> None:
        super().__init__(
            ctx, AgencySource(ctx), title_key="pane.agencies", list_id="agency-list", id=id
        )
