"""The Agencies pane: worst status first, KPIs against targets, a status sparkline, data age."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from cc_console.looks import AGENCY_LOOK, sparkline
from cc_console.models import Agency
from cc_console.timefmt import age
from widgets.cells import fit
from widgets.context import ConsoleContext
from widgets.incidents_pane import site_width
from widgets.pane import Pane

__all__ = ["AgenciesPane", "AgencySource"]


class AgencySource:
    """All agencies (tens, not millions), filtered in memory."""

    def __init__(self, ctx: ConsoleContext) -> None:
        self.ctx = ctx
        self.text = ""
        self.order = "status"  # "status" (worst first), "kpis" (most unmet first) or "name"
        self.rows: list[Agency] = []
        self.longest = 0  # cells of the longest name
        self.trends: dict[str, list[str]] = {}
        self._names: dict[int, dict[str, Text]] = {}  # width -> row key -> name shown
        # A symbol and the longest status word of the language: a status is never cut.
        self.status_w = 2 + max(cell_len(ctx.t.word("agency", s)) for s in AGENCY_LOOK)

    def count(self) -> int:
        rows = self.ctx.store.agencies.listing(text=self.text)  # worst status first
        only = self.ctx.site_filter()
        if only is not None:
            rows = [a for a in rows if only.admits(a.source)]
        if self.order == "kpis":
            rows.sort(key=lambda a: -unmet(a))  # stable: worst status first among equals
        elif self.order == "name":
            rows.sort(key=lambda a: a.name.casefold())
        self.rows = rows
        self.longest = max((cell_len(a.name) for a in rows), default=0)
        self.trends = self.ctx.store.agencies.trends()
        self._names.clear()
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
        words = self.ctx.t(f"sort.agency.{self.order}")
        if self.ctx.site is not None:
            words += ", " + self.ctx.t("site.only", code=self.ctx.site_label(self.ctx.site))
        return words

    def columns(self, width: int) -> tuple[int, int, int, int]:
        """Widths of the status, name, KPI and trend columns at ``width`` (age: 4).

        Every column shown is whole (an age cut to "28" for "28m" reads as another
        figure), and a status is its symbol and its word. Below 80 cells the
        trend makes way for names that would be cut; the KPI column goes when
        the name would have under 8 cells, and only then, in a pane too narrow
        for anything else, the status word (its symbol stays).
        """
        status_w, kpi_w = self.status_w, 6
        spark_w = 10 if width >= 70 else 0

        def name_w() -> int:
            gaps = 2 + (1 if kpi_w else 0) + (1 if spark_w else 0)
            return width - status_w - kpi_w - spark_w - AGE_W - gaps

        if spark_w and width < 80 and name_w() < self.longest:
            spark_w = 0
        if name_w() < 8:
            kpi_w = 0
        if name_w() < 8:
            status_w = 2
        return status_w, max(1, name_w()), kpi_w, spark_w

    def header(self, width: int) -> Text:
        t = self.ctx.t
        site_w = site_width(self.ctx)
        status_w, name_w, kpi_w, spark_w = self.columns(width - (site_w + 1 if site_w else 0))
        parts = [fit(t("col.site"), site_w)] if site_w else []
        # A status shown as its symbol alone has no room for its heading.
        parts += [
            fit(t("col.status") if status_w > 2 else "", status_w),
            fit(t("col.name"), name_w),
        ]
        if kpi_w:
            parts.append(fit(t("col.kpis"), kpi_w))
        if spark_w:
            parts.append(fit(t("col.trend"), spark_w))
        parts.append(fit(t("col.age"), AGE_W, right=True))
        return Text(" ".join(parts), no_wrap=True)

    def name(self, row: Agency, width: int) -> Text:
        """The name of ``row`` as shown in ``width`` cells: never the same as another's."""
        names = self._names.get(width)
        if names is None:
            names = self._names[width] = {
                self.key(a): agency_name(a.name, width) for a in self.rows
            }
            shown: dict[str, list[Agency]] = {}
            for a in self.rows:
                shown.setdefault(names[self.key(a)].plain, []).append(a)
            for alike in shown.values():
                if len({a.id for a in alike}) > 1:
                    for a in alike:  # the id tells them apart
                        short = agency_name(a.name, max(1, width - cell_len(a.id) - 1))
                        names[self.key(a)] = short.append(f" {a.id}", style="dim")
        return names.get(self.key(row)) or agency_name(row.name, width)

    def render(self, row: Agency, width: int) -> Text:
        site_w = site_width(self.ctx)
        line = self._line(row, width - (site_w + 1 if site_w else 0))
        if not site_w:
            return line
        return Text(fit(self.ctx.site_of(row.source), site_w) + " ", style="dim") + line

    def _line(self, row: Agency, width: int) -> Text:
        t = self.ctx.t
        symbol, style = AGENCY_LOOK.get(row.status, ("?", ""))
        status_w, name_w, kpi_w, spark_w = self.columns(width)
        line = Text(no_wrap=True)
        status = f"{symbol} {t.word('agency', row.status)}" if status_w > 2 else symbol
        line.append(fit(status, status_w), style=style)
        line.append(" ")
        line.append_text(self.name(row, name_w))
        if kpi_w:
            kpi, kpi_style = kpi_summary(row)
            line.append(" ")
            line.append(fit(kpi, kpi_w), style=kpi_style)
        if spark_w:
            line.append(" ")
            line.append(
                fit(sparkline(self.trends.get(self.key(row), [])[-spark_w:]), spark_w), style="cyan"
            )
        line.append(" ")
        line.append(f"{age(row.updated_at, self.ctx.now()):>{AGE_W}}", style="dim")
        return line


AGE_W = 4


def agency_name(name: str, width: int) -> Text:
    """An agency's name in ``width`` cells, its own part first.

    Statuspage components of a group are named ``Group › Component``: the
    component comes first and the group follows, dim, cut before the
    component is.  A long name is cut in the middle: "Dinas Pe…ndidikan" and
    "Dinas Pe…esehatan" stay apart where their first words would not.
    """
    group, _, own = name.rpartition(" › ")
    own = own or name
    if not group or cell_len(own) + 3 >= width:
        return Text(fit_middle(own, width))
    text = Text(own)
    text.append(fit(f" · {group}", width - cell_len(own)), style="dim")
    return text


def fit_middle(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells, cut in the middle when too long."""
    if cell_len(text) <= width or width < 8:
        return fit(text, width)
    head = (width - 1) // 2
    tail = width - 1 - head
    end = text[-tail:]
    while cell_len(end) > tail:
        end = end[1:]
    return fit(set_cell_size(text, head) + "…" + end, width)


def unmet(a: Agency) -> int:
    """How many of the agency's KPIs miss their target."""
    return sum(1 for k in a.kpis if k.met is False)


def kpi_summary(a: Agency) -> tuple[str, str]:
    """``2/3 ✓``-style count of KPIs on target, and its style."""
    judged = [k for k in a.kpis if k.met is not None]
    if not judged:
        return "", ""
    met = sum(1 for k in judged if k.met)
    mark = "✓" if met == len(judged) else "✗"
    return f"{met}/{len(judged)} {mark}", "green" if met == len(judged) else "yellow"


AGENCY_ORDERS = ("status", "kpis", "name")


class AgenciesPane(Pane):
    """Agencies (perangkat daerah): status word and symbol, KPIs, trend, age.

    ``o`` sorts by worst status, by most KPIs missing their target, or by name.
    """

    sortable = True

    def toggle_sort(self) -> None:
        source = self.rows
        assert isinstance(source, AgencySource)
        source.order = AGENCY_ORDERS[(AGENCY_ORDERS.index(source.order) + 1) % 3]
        self.list.forget_selection()
        self.reload()

    def __init__(self, ctx: ConsoleContext, *, id: str | None = None) -> None:
        super().__init__(
            ctx, AgencySource(ctx), title_key="pane.agencies", list_id="agency-list", id=id
        )
