"""Feed health, the journal, and the help overlay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from cc_console.actions import ACTIONS
from cc_console.i18n import Translator
from cc_console.looks import (
    AGENCY_LOOK,
    JOURNAL_COLUMNS,
    SEVERITY_LOOK,
    health_status,
    journal_cells,
    outbox_words,
)
from cc_console.screens.base import Dialog, SubScreen
from cc_console.store.outbox import WAITING_BOUND, shown_count
from cc_console.timefmt import age, local
from widgets.bindings import bind, bind_scopes
from widgets.cells import fit
from widgets.context import ConsoleContext
from widgets.key_bar import key_label
from widgets.messages import SiteChosen, StoreChanged

__all__ = [
    "HealthScreen",
    "HelpScreen",
    "JournalScreen",
    "KinerjaScreen",
    "NotificationsScreen",
    "SitesScreen",
    "TableScreen",
    "TableView",
]

Row = tuple[list[Text], str]
"""The cells of one table row, and its key."""


class TableView(Protocol):
    """What a table screen shows: its title, its columns, its rows (read anew on each change)."""

    title_key: str

    def columns(self) -> list[str]:
        """The translation keys of the column headings."""

    def rows(self, ctx: ConsoleContext) -> Iterable[Row]:
        """The rows to show."""

    def summary(self, ctx: ConsoleContext) -> Text | None:
        """A line or two above the table (None: none)."""


class ListTable(DataTable[Any]):
    """A table that moves like the panes' lists: j k g G, Home and End go by rows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        *bind_scopes("list"),  # j k g G, remappable in [keys]
    ]

    def action_cursor(self, step: int) -> None:
        if self.row_count:
            self.move_cursor(row=max(0, min(self.cursor_row + step, self.row_count - 1)))

    def action_jump(self, where: int) -> None:
        if self.row_count:
            self.move_cursor(row=0 if where == 0 else self.row_count - 1)


class TableScreen(SubScreen):
    """A full-screen table of a :class:`TableView`; Esc goes back."""

    def __init__(self, ctx: ConsoleContext, view: TableView) -> None:
        super().__init__(ctx)
        self.view = view

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Static(Text(self.ctx.t(self.view.title_key)), id="table-title")
        yield Static(id="table-summary")
        yield ListTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(DataTable).focus()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the rows again, keeping the selected row (by its key) and the scroll.

        A live update must not move the operator's cursor: rows whose key and
        place are unchanged are updated cell by cell (only changed cells are
        redrawn); otherwise the rows are laid out again and the cursor goes back
        to the row it was on, wherever that row now stands.
        """
        t = self.ctx.t
        table = self.query_one(DataTable)
        headings = [t(key) if "." in key else key for key in self.view.columns()]
        rows = list(self.view.rows(self.ctx))
        if [str(c.label) for c in table.columns.values()] != headings:
            table.clear(columns=True)
            for key, heading in zip(self.view.columns(), headings, strict=True):
                table.add_column(heading, key=key)
        self._fill(table, rows)
        summary = self.view.summary(self.ctx)
        box = self.query_one("#table-summary", Static)
        box.display = summary is not None
        if summary is not None:
            box.update(summary)

    @staticmethod
    def _fill(table: DataTable[Any], rows: list[Row]) -> None:
        keys = [key for _, key in rows]
        if [k.value for k in table.rows] == keys:
            columns = list(table.columns)
            for cells, key in rows:
                old = table.get_row(key)
                for column, cell, before in zip(columns, cells, old, strict=False):
                    if cell != before:
                        table.update_cell(key, column, cell)
            return
        selected = None
        if table.row_count and table.is_valid_row_index(table.cursor_row):
            selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        x, y = table.scroll_x, table.scroll_y
        table.clear()
        for cells, key in rows:
            table.add_row(*cells, key=key)
        # Once the new rows are measured: the same scroll, then the cursor in view.
        table.call_after_refresh(table.scroll_to, x, y, animate=False)
        if selected in keys:
            table.move_cursor(row=keys.index(selected), animate=False)


class HealthView:
    """Every source: status, last success, last attempt, last error, age, next poll."""

    title_key = "screen.health"

    def columns(self) -> list[str]:
        return [
            "col.source",
            "col.status",
            "col.last_success",
            "col.age",
            "col.last_attempt",
            "col.next_poll",
            "col.records",
            "col.error",
        ]

    def rows(self, ctx: ConsoleContext) -> Iterable[Row]:
        t, tz, now = ctx.t, ctx.tz, ctx.now()
        cfg = ctx.config
        for h in ctx.store.sources.health(cfg.sources, cfg.poll.stale_after, now):
            cells = [
                Text(h.name),
                health_status(h, t),
                Text(
                    t.when(h.last_success, tz, day=False, year=False, seconds=True, zone=False)
                    or t("never")
                ),
                Text(age(h.last_success, now)),
                Text(local(h.last_attempt, tz, "%H:%M:%S")),
                Text(local(h.next_attempt, tz, "%H:%M:%S")),
                Text(str(h.records)),
                Text(h.last_error or "", style="red"),
            ]
            yield cells, h.name

    def summary(self, ctx: ConsoleContext) -> Text | None:
        """The notifications' state, when the config has routes or the outbox is not empty."""
        return outbox_summary(ctx)


def outbox_summary(ctx: ConsoleContext) -> Text | None:
    """``Notifikasi: 2 menunggu · 1 gagal — galat … · terakhir terkirim … · 1 senyap aktif``."""
    t, now = ctx.t, ctx.now()
    state = ctx.store.outbox.state(now, WAITING_BOUND)  # (on the UI thread: bounded)
    if not ctx.config.notify and not (state.pending or state.failed or state.last_sent_at):
        return None
    text = Text(f"{t('outbox.heading')}: ", style="bold")
    pending, failed = shown_count(state.pending), shown_count(state.failed)
    text.append(t("outbox.counts", pending=pending, failed=failed))
    if state.last_sent_at is not None:
        text.append(" · " + t("outbox.last_sent", when=t.short(state.last_sent_at, ctx.tz)))
    if state.silences:
        text.append(" · ")
        text.append(t("top.silences", n=state.silences), style="yellow")
    if state.sender:
        text.append(" · " + t("outbox.sending"))
    if state.failed and state.last_error:
        text.append("\n")
        text.append(f"✖ {state.last_error}", style="red")
    return text


class NotificationsView:
    """The outbox, newest first, under the state and the active silences."""

    title_key = "screen.notifications"

    def columns(self) -> list[str]:
        return ["col.id", "col.status", "col.event", "col.title", "col.about", "col.route",
                "col.created", "col.why_failed"]  # fmt: skip

    def rows(self, ctx: ConsoleContext) -> Iterable[Row]:
        t, tz = ctx.t, ctx.tz
        messages = ctx.store.outbox.messages(500)
        if not messages:
            blank = [Text("")] * 7
            yield [Text(t("notify.empty"), style="dim"), *blank], "empty"
        for m in messages:
            status, event = outbox_words(m, t)
            yield (
                [
                    Text(str(m.id)),
                    status,
                    Text(event),
                    Text(m.title),
                    Text(m.target),
                    Text(m.route),
                    Text(t.short(m.sent_at or m.created_at, tz)),
                    Text(m.error or "", style="red"),
                ],
                str(m.id),
            )

    def summary(self, ctx: ConsoleContext) -> Text | None:
        text = outbox_summary(ctx) or Text(ctx.t("notify.no_routes"), style="dim")
        for s in ctx.store.outbox.silences(ctx.now(), active_only=True):
            said = " ".join(f"{k}={v}" for k, v in s.matchers.items())
            until = ctx.t.short(s.ends_at, ctx.tz)
            text.append(
                f"\n◌ S-{s.id} {said} → {until}: {s.reason} ({s.created_by})", style="yellow"
            )
        return text


class NotificationsScreen(TableScreen):
    """The notification outbox and the silences."""

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__(ctx, NotificationsView())


PERIODS = (7, 30, 90)
NAME_CELLS = 20  # the ranking's figures fit beside it at 80 columns


class KinerjaView:
    """The agencies ranked by score for the last 7, 30 or 90 days (the report's figures):
    the unassigned row first, the ranked ones, then those without enough data and the
    services, greyed. The highlighted agency's score parts show in the summary. In the
    province each agency is of its site (a site column): 27 regencies' "dinkes" are 27
    rows, and the Wilayah view's choice of a site applies here too."""

    title_key = "screen.kinerja"

    def __init__(self) -> None:
        self.days = PERIODS[0]
        self.result: Any = None  # the Kinerja last computed (in a worker thread)
        self.name_cells = NAME_CELLS  # wider on a wide terminal
        self.highlighted: str | None = None  # the agency whose parts the summary shows
        self.per_site = False  # several sites present: a site column
        self.site: str | None = None  # the site the result is of (None: every site)

    def columns(self) -> list[str]:
        site = ["col.site"] if self.per_site else []
        return ["#", "col.agency", *site, "kin.score", "kin.prev", "kin.trend", "kin.on_time",
                "kin.late", "kin.items", "kin.kpi", "kin.up"]  # fmt: skip

    def compute(self, ctx: ConsoleContext, site: str | None = None) -> Any:
        """The report's figures of the period, of ``site`` only when one is chosen."""
        from cc_console.kinerja import days_period, report

        when = days_period(ctx.now(), self.days, ctx.tz)
        here = ctx.config.site
        return report(
            ctx.store.kinerja, ctx.store.agencies.listing(), when,
            read_from=ctx.store.sources.sites(), own=(here.code or "-", here.name), tz=ctx.tz,
            min_events=ctx.config.kinerja.min_events, site=site,
        )  # fmt: skip

    def rows(self, ctx: ConsoleContext) -> Iterable[Row]:
        from cc_console.kinerja import key_text, signed_change
        from cc_console.looks import sparkline_values

        if self.result is None:
            return
        t = ctx.t
        own = ctx.config.site.code or "–"
        site: list[Text] = [Text("")] if self.per_site else []
        late = str(self.result.center.unassigned_breaches)
        unassigned = Text(fit(t("report.unassigned"), self.name_cells).rstrip(), style="italic")
        yield [Text("–"), unassigned, *site, *(Text("") for _ in range(4)),
               Text(late, style="red" if late != "0" else ""),
               *(Text("") for _ in range(3))], ""  # fmt: skip
        for a in self.result.agencies:
            f = a.shown()
            if a.scored:
                style = "green" if a.score >= 75 else "yellow" if a.score >= 50 else "red"
                change = signed_change(a.score, a.previous["score"])[:1]
                score = Text(f"{f['score']}{'' if change == '–' else change}", style=style)
                dim = ""
            else:  # greyed: not enough data to rank, or a service (availability only)
                score = Text(t("kin.service") if a.kind == "service" else "–")
                dim = "dim"
            site = [Text(a.site or own)] if self.per_site else []
            cells = [
                Text(str(a.rank or "–")),
                Text(fit(a.name, self.name_cells).rstrip()),  # whole in the detail view
                *site,
                score,
                Text(str(a.previous["rank"] or "–")),
                Text(sparkline_values(a.trend), style="cyan"),
                *(Text(x) for x in (f["on_time"], str(a.breaches), f["items"], f["kpis"], f["up"])),
            ]
            if dim:
                for cell in cells:
                    cell.stylize(dim)
            yield cells, key_text(a.key)

    def summary(self, ctx: ConsoleContext) -> Text | None:
        from cc_console.kinerja import key_text, part_text

        t = ctx.t
        text = Text(t("kin.period", days=self.days), style="bold")
        if ctx.site is not None:
            text.append(" · " + t("site.only", code=ctx.site), style="bold")
        if self.result is None:
            text.append(" " + t("kin.computing"), style="dim")
            return text
        c = self.result.center
        on_time = f"{c.acknowledged_on_time}/{c.incidents}" if c.incidents else "–"
        text.append(
            f" · {t('report.incidents')} {c.incidents} · {t('report.acknowledged_on_time')} "
            f"{on_time} · {t('report.breaches')} {c.breaches}"
        )
        chosen = next(
            (a for a in self.result.agencies if key_text(a.key) == self.highlighted), None
        )
        if chosen is not None and chosen.scored:
            parts = {k: part_text(v) for k, v in chosen.points.items()}
            text.append("\n" + t("kin.parts", score=f"{chosen.score:.1f}", **parts))
        elif chosen is not None and chosen.kind == "agency":
            text.append("\n" + t("report.no_data"), style="dim")
        text.append("\n" + t("kin.legend"), style="dim")
        return text


class KinerjaScreen(TableScreen):
    """Kinerja: the agencies ranked; t switches 7 / 30 / 90 days; Enter opens one."""

    BINDINGS: ClassVar[list[BindingType]] = bind_scopes("kinerja")
    scopes: ClassVar[tuple[str, ...]] = ("view", "kinerja")

    def __init__(self, ctx: ConsoleContext) -> None:
        self.kinerja = KinerjaView()
        super().__init__(ctx, self.kinerja)

    def reload(self) -> None:
        """Show what is computed; compute again off the UI thread (a large cache takes a moment)."""
        # The figures take about 60 cells; the name has the rest (20 at 80 columns), less
        # the site column's in the province.
        self.kinerja.per_site = self.ctx.multi_site
        room = (self.size.width or 80) - 60 - (7 if self.kinerja.per_site else 0)
        self.kinerja.name_cells = max(NAME_CELLS - (7 if self.kinerja.per_site else 0),
                                      min(60, room))  # fmt: skip
        super().reload()
        self.run_worker(self._compute, thread=True, group="kinerja", exclusive=True,
                        exit_on_error=False)  # fmt: skip

    def _compute(self) -> None:
        days, site = self.kinerja.days, self.ctx.site
        result = self.kinerja.compute(self.ctx, site)
        self.app.call_from_thread(self._show, days, site, result)

    def _show(self, days: int, site: str | None, result: Any) -> None:
        if days == self.kinerja.days and site == self.ctx.site:
            self.kinerja.result, self.kinerja.site = result, site
            super().reload()

    def on_screen_resume(self) -> None:
        """Back from Wilayah with another site chosen: the figures of that site."""
        if self.kinerja.result is not None and self.kinerja.site != self.ctx.site:
            self.kinerja.result = None
            self.reload()

    def action_period(self) -> None:
        self.kinerja.days = PERIODS[(PERIODS.index(self.kinerja.days) + 1) % len(PERIODS)]
        self.kinerja.result = None
        self.reload()

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        self.action_open_agency()

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        """The highlighted agency's score parts, in the summary."""
        self.kinerja.highlighted = message.row_key.value
        summary = self.kinerja.summary(self.ctx)
        if summary is not None:
            self.query_one("#table-summary", Static).update(summary)

    def action_open_agency(self) -> None:
        from cc_console.kinerja import key_text
        from cc_console.screens.detail import AgencyDetailScreen

        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        chosen = next(
            (a for a in self.kinerja.result.agencies if key and key_text(a.key) == key), None
        )
        if chosen is None:
            return
        # The agency of its site: the province reads a "dinkes" from each regency.
        sources = [
            a.source
            for a in self.ctx.store.agencies.listing()
            if a.id == chosen.id and self.ctx.sites().get(a.source, (None,))[0] == chosen.site
        ]
        self.app.push_screen(AgencyDetailScreen(self.ctx, chosen.id, min(sources, default=None)))


class SitesView:
    """Wilayah: per site, active incidents by severity, past deadlines, agencies not
    operational, feed age. The first row is every site."""

    title_key = "screen.sites"
    name_cells = 20  # at 80 columns; wider on a wide terminal

    def columns(self) -> list[str]:
        return ["col.site", "col.name", "short.extreme", "short.severe", "short.moderate",
                "short.minor", "site.late", "site.down", "col.age"]  # fmt: skip

    def summary(self, ctx: ConsoleContext) -> Text | None:
        return Text(ctx.t("site.legend"), style="dim")

    def rows(self, ctx: ConsoleContext) -> Iterable[Row]:
        from cc_console.sites import site_figures

        t, now = ctx.t, ctx.now()
        sites = site_figures(ctx.config, ctx.store, now)
        total: dict[str, int] = {}
        for site in sites:
            for k, v in (*site.active.items(), ("late", site.late), ("down", site.agencies_down)):
                total[k] = total.get(k, 0) + v
        every = [Text("*"), Text(fit(t("site.all"), self.name_cells).rstrip(), style="bold")]
        yield every + self._figures(total) + [Text("")], "*"
        for site in sites:
            counts = {**site.active, "late": site.late, "down": site.agencies_down}
            age_text = age(site.oldest_success, now) if site.oldest_success else "–"
            shown = ("● " if site.failing else "") + age_text
            name = site.name.removeprefix("Command Center ")
            cells = [Text(site.code), Text(fit(name, self.name_cells).rstrip())]
            cells += self._figures(counts)
            cells.append(Text(shown, style="red bold" if site.failing else "dim"))
            yield cells, site.code

    @staticmethod
    def _figures(counts: dict[str, int]) -> list[Text]:
        out = []
        for key in ("extreme", "severe", "moderate", "minor"):
            n = counts.get(key, 0)
            out.append(Text(str(n) if n else "·", style=SEVERITY_LOOK[key][1] if n else "dim"))
        late, down = counts.get("late", 0), counts.get("down", 0)
        out.append(Text(str(late) if late else "·", style="red" if late else "dim"))
        out.append(Text(str(down) if down else "·", style="yellow" if down else "dim"))
        return out


class SitesScreen(TableScreen):
    """Wilayah: the sites side by side; Enter shows only that site in the panes."""

    BINDINGS: ClassVar[list[BindingType]] = bind_scopes("sites")
    scopes: ClassVar[tuple[str, ...]] = ("view", "sites")

    def __init__(self, ctx: ConsoleContext) -> None:
        self.sites = SitesView()
        super().__init__(ctx, self.sites)

    def reload(self) -> None:
        self.sites.name_cells = max(12, min(48, (self.size.width or 80) - 60))
        super().reload()

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        self.action_choose_site()

    def action_choose_site(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.ctx.site = None if key in (None, "*") else key
        self.app.post_message(SiteChosen())
        self.app.pop_screen()


class JournalView:
    """The operator journal, newest first."""

    title_key = "screen.journal"

    def summary(self, ctx: ConsoleContext) -> Text | None:
        return None

    def columns(self) -> list[str]:
        return list(JOURNAL_COLUMNS)

    def rows(self, ctx: ConsoleContext) -> Iterable[Row]:
        entries = ctx.store.journal.entries(limit=1000)
        if not entries:
            blank = [Text("")] * (len(JOURNAL_COLUMNS) - 1)
            yield [Text(ctx.t("empty.journal"), style="dim"), *blank], "empty"
        for e in reversed(entries):
            yield list(journal_cells(e, ctx.t, ctx.tz)), str(e.seq)


class HealthScreen(TableScreen):
    """Feed health."""

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__(ctx, HealthView())


class JournalScreen(TableScreen):
    """The operator journal."""

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__(ctx, JournalView())


def legend(t: Translator) -> Text:
    """What the symbols mean: severity (as the scale), agency status, deadlines."""
    text = Text(f"{t('legend.title')}\n", style="bold")
    text.append(f"{t('legend.severity')}\n", style="underline")
    for severity, (symbol, style) in SEVERITY_LOOK.items():
        text.append(f" {symbol} ", style=style)
        text.append(f"{t.word('severity', severity)} ({t(f'short.{severity}')})\n")
    text.append(f"{t('legend.agency')}\n", style="underline")
    for status, (symbol, style) in AGENCY_LOOK.items():
        text.append(f" {symbol}  ", style=style)
        text.append(f"{t.word('agency', status)}\n")
    text.append(f"{t('legend.deadline')}\n", style="underline")
    text.append(" ⚠  ", style="bold red")
    text.append(f"{t('legend.late')}\n")
    text.append(" ◷  ", style="yellow")
    text.append(f"{t('legend.due')}\n")
    return text


class HelpScreen(Dialog[None]):
    """Every action and its key (as remapped), from the action table."""

    BINDINGS: ClassVar[list[BindingType]] = bind("help", "quit", target="cancel")

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__()
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        t = self.ctx.t
        lines = Text(f"{t('screen.help')}\n", style="bold")
        for action in ACTIONS:
            lines.append(f"{key_label(self.ctx.keys[action.id]):>8}  ", style="bold")
            lines.append(f"{t(action.label)}\n")
        lines.append("↑ ↓ PgUp PgDn Home End ", style="bold")
        lines.append(t("legend.move"), style="dim")
        with VerticalScroll(id="help"), Horizontal(id="help-columns"):
            yield Static(lines, id="help-keys")
            yield Static(legend(t), id="help-legend")
