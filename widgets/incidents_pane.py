"""The Incidents pane: newest (or worst) first, read from the store by the visible window."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from rich.cells import cell_len
from rich.text import Text

from cc_console.i18n import Translator
from cc_console.looks import SEVERITY_LOOK, due_label, due_label_width
from cc_console.models import CATEGORIES, INCIDENT_STATUSES, SEVERITIES, Incident
from cc_console.sla import pending_due
from cc_console.store import ACTIVE_STATUSES, IncidentQuery
from cc_console.store.outbox import shown_count
from cc_console.timefmt import age, iso_z
from widgets.cells import fit
from widgets.context import ConsoleContext
from widgets.pane import Pane
from widgets.virtual_list import VirtualList

__all__ = ["IncidentSource", "IncidentsPane", "due_text"]


class IncidentSource:
    """Pages of incidents for the current query."""

    def __init__(self, ctx: ConsoleContext) -> None:
        self.ctx = ctx
        self.query = IncidentQuery()
        self.late_only = False  # only incidents past a deadline (L)
        # Incidents that arrived after this were not yet seen by the operator.
        self.seen_seq = ctx.store.incidents.last_seq()

    def current(self) -> IncidentQuery:
        """The query as of now: "late" moves with the clock, not only with the data."""
        if not self.late_only:
            return self.query
        return replace(self.query, late_at=iso_z(self.ctx.now()))

    def count(self) -> int:
        return self.ctx.store.incidents.count(self.current())

    def page(self, offset: int, limit: int) -> Sequence[Incident]:
        return self.ctx.store.incidents.page(self.current(), offset, limit)

    def key(self, row: Incident) -> str:
        return row.id

    def locate(self, key: str, hint: int) -> int | None:
        return self.ctx.store.incidents.position(self.current(), key)

    def set_filter(self, text: str) -> None:
        self.query = replace(self.query, text=text, synonyms=displayed_words(text, self.ctx.t))

    def render(self, row: Incident, width: int) -> Text:
        site_w = site_width(self.ctx)
        line = incident_line(
            row, width - (site_w + 1 if site_w else 0), self.ctx,
            overdue=self.query.order == "overdue", new=row.seq > self.seen_seq,
        )  # fmt: skip
        if not site_w:
            return line
        return Text(fit(self.ctx.site_of(row.source), site_w) + " ", style="dim") + line

    def unseen(self) -> int:
        """How many incidents of the view arrived since the operator last looked.

        Nothing new in the cache at all (one rowid lookup) is the common case:
        then the view is not counted (a filter over a million rows costs).
        """
        if self.ctx.store.incidents.last_seq() <= self.seen_seq:
            return 0
        return self.ctx.store.incidents.count_after(self.current(), self.seen_seq)

    def mark_seen(self) -> None:
        self.seen_seq = self.ctx.store.incidents.last_seq()

    def header(self, width: int) -> Text:
        t = self.ctx.t
        site_w = site_width(self.ctx)
        width -= site_w + 1 if site_w else 0
        cols = layout(width, t, overdue=self.query.order == "overdue")
        parts = [fit(t("col.site"), site_w)] if site_w else []
        parts += [
            fit(t("col.severity"), cols.severity),
            fit(t("col.status"), cols.status),
            fit(t("col.title"), cols.title),
        ]
        if cols.category:
            parts.append(fit(t("col.category"), cols.category))
        if cols.area:
            parts.append(fit(t("col.area"), cols.area))
        if cols.due:
            parts.append(fit(t("col.due"), cols.due))
        parts.append(fit(t("col.age"), AGE_W, right=True))
        if cols.source:
            parts.append(fit(t("col.source"), cols.source))
        return Text(" ".join(parts), no_wrap=True)

    def status(self) -> str:
        q = self.query
        words = [self.ctx.t(f"sort.{q.order}")]
        if self.late_only:
            words.append(self.ctx.t("late.only"))
        if self.ctx.site is not None:
            words.append(self.ctx.t("site.only", code=self.ctx.site_label(self.ctx.site)))
        if not q.statuses:
            words.append(self.ctx.t("key.all").split(" /")[0].lower())
        text = ", ".join(words)
        unseen = self.unseen()
        shown = shown_count(unseen, 100)  # "99+": the count is a nudge, not a figure
        return f"{text} · ✱ {self.ctx.t('new_count', n=shown)}" if unseen else text


ORDERS = ("reported", "severity", "overdue")


def site_width(ctx: ConsoleContext) -> int:
    """Cells of the site column: 0 with one site present, else the longest code (<= 8)."""
    if not ctx.multi_site:
        return 0
    return min(8, max(cell_len(c) for c in ctx.site_codes()))


@dataclass(frozen=True)
class Layout:
    """Column widths at one pane width; the title takes what is left."""

    severity: int
    status: int
    category: int
    area: int
    source: int
    width: int
    due: int = 0

    @property
    def title(self) -> int:
        fixed = self.severity + self.status + self.category + self.area + self.source + AGE_W
        fixed += self.due
        gaps = 3 + sum(1 for w in (self.area, self.category, self.source, self.due) if w)
        return max(8, self.width - fixed - gaps - 1)


AGE_W = 4


@functools.cache
def status_width(t: Translator) -> int:
    """Cells of the longest incident status word in ``t``'s language."""
    return max(cell_len(t.word("status", s)) for s in ("open", *INACTIVE, *ACTIVE_STATUSES))


def layout(width: int, t: Translator, *, overdue: bool = False) -> Layout:
    """The columns that fit ``width`` (80 columns over SSH up to a wall screen).

    The status column fits the longest status word of the language: a status
    is never cut. Below 90 columns the deadline shows in place of the area
    when the pane is sorted by it (most overdue first).
    """
    status = status_width(t)
    due = due_label_width(t)
    if width >= 130:
        cols = Layout(11, max(12, status), 14, 22, 14, width, due)
    elif width >= 115:
        cols = Layout(11, max(12, status), 12, 18, 0, width, due)
    elif width >= 100:
        cols = Layout(11, max(12, status), 0, 18, 0, width, due)
    elif width >= 90:  # the middle pane of a 200-column wall screen
        cols = Layout(11, max(12, status), 0, 16, 0, width, due)
    else:
        # 80 columns: the severity keeps a short word beside its symbol; the area
        # goes (the title says "di Kec. X" already), or makes way for the deadline.
        return Layout(short_width(t), status, 0, 0, 0, width, due if overdue else 0)
    # The title comes before what repeats it or can be looked up: the source, the
    # category, then the area (the title names the kecamatan) make way for it.
    for column in ("source", "category", "area"):
        if cols.title >= TITLE_WANT:
            break
        cols = replace(cols, **{column: 0})
    return cols


TITLE_WANT = 46
"""Cells a title is given before the columns that repeat it (most titles fit whole)."""


INACTIVE = ("resolved", "cancelled")


@functools.cache
def short_width(t: Translator) -> int:
    """Cells of the severity column at 80 columns: a symbol and the longest short word."""
    return 3 + max(cell_len(t(f"short.{s}")) for s in SEVERITY_LOOK)


def due_text(inc: Incident, ctx: ConsoleContext) -> Text:
    """``⚠ late 1h 40m`` / ``◷ in 12m``: the deadline still to meet, in words and a symbol."""
    pending = pending_due(inc.status, inc.acknowledge_due, inc.resolve_due)
    return due_label(pending[1] if pending else None, ctx.now(), ctx.t)


def is_late(inc: Incident, now: datetime) -> bool:
    """Past a deadline still to meet: the row form of store.deadlines.LATE."""
    pending = pending_due(inc.status, inc.acknowledge_due, inc.resolve_due)
    return pending is not None and pending[1] <= now


def incident_line(
    inc: Incident, width: int, ctx: ConsoleContext, *, overdue: bool = False, new: bool = False
) -> Text:
    t = ctx.t
    cols = layout(width, t, overdue=overdue)
    symbol, style = SEVERITY_LOOK.get(inc.severity, ("? ", ""))
    line = Text(no_wrap=True, overflow="ellipsis")
    word = t(f"short.{inc.severity}") if cols.severity < 11 else t.word("severity", inc.severity)
    sev = f"{symbol} {word}"
    line.append(fit(sev, cols.severity), style=style)
    line.append(" ")
    line.append(
        fit(t.word("status", inc.status), cols.status),
        style="dim" if inc.status in ("resolved", "cancelled") else "",
    )
    line.append(" ")
    title = f"[{t('exercise.tag')}] {inc.title}" if inc.exercise else inc.title
    late = not cols.due and is_late(inc, ctx.now())
    if late:  # no deadline column at this width: the row says it is late all the same
        line.append("⚠ ", style="bold red")
    width = cols.title - (2 if late else 0)
    if new:  # arrived since the operator last looked: a symbol and bold, not colour alone
        line.append(fit(f"✱ {title}", width), style="bold")
    else:
        line.append(fit(title, width))
    if cols.category:
        line.append(" ")
        line.append(fit(t.word("category", inc.category), cols.category), style="cyan")
    if cols.area:
        line.append(" ")
        line.append(fit(inc.area, cols.area), style="italic")
    if cols.due:
        line.append(" ")
        due = due_text(inc, ctx)
        due.truncate(cols.due, overflow="ellipsis", pad=True)
        line.append_text(due)
    line.append(" ")
    line.append(f"{age(inc.reported_at, ctx.now()):>{AGE_W}}", style="dim")
    if cols.source:
        line.append(" ")
        line.append(fit(inc.source, cols.source), style="dim")
    return line


VOCABULARIES = {
    "category": CATEGORIES,
    "status": INCIDENT_STATUSES,
    "severity": SEVERITIES,
}


def displayed_words(text: str, t: Translator) -> tuple[tuple[str, str, str], ...]:
    """What each typed word stands for among the words the console shows (both languages)."""
    words = "".join(ch if ch.isalnum() else " " for ch in text).split()
    return tuple(
        (w, column, value)
        for w in words
        if len(w) >= 3  # "a" would stand for half the vocabulary
        for column, value in t.values_meaning(w, VOCABULARIES)
    )


class IncidentsPane(Pane):
    """Incidents: severity, status, category, area, age, source; sortable; active or all.

    Incidents that arrived since the operator last moved in this pane are
    marked ✱ and counted in its title ("✱ 3 baru") until the operator moves
    in it again.
    """

    def on_virtual_list_moved(self, event: VirtualList.Moved) -> None:
        if self.source.unseen():
            self.source.mark_seen()
            self.list.refresh()
            self.update_title()

    def __init__(self, ctx: ConsoleContext, *, id: str | None = None) -> None:
        self.source = IncidentSource(ctx)
        super().__init__(
            ctx, self.source, title_key="pane.incidents", list_id="incident-list", id=id
        )

    def toggle_sort(self) -> None:
        """Newest first → worst first → most overdue first (only what has a deadline)."""
        q = self.source.query
        order = ORDERS[(ORDERS.index(q.order) + 1) % len(ORDERS)]
        self.source.query = replace(q, order=order)
        self.list.forget_selection()  # a new order is read from its top
        self.reload()
        # Every line: one showing the same incident in both orders is drawn anew too
        # (the deadline column comes and goes with the order at 80 columns).
        self.list.refresh()

    def toggle_late(self) -> None:
        """Only the incidents past a deadline, or every one again."""
        self.source.late_only = not self.source.late_only
        self.list.forget_selection()
        self.reload()
        self.list.refresh()  # (as for a new order)

    def toggle_all(self) -> None:
        q = self.source.query
        self.source.query = replace(q, statuses=() if q.statuses else ACTIVE_STATUSES)
        self.list.forget_selection()
        self.reload()
