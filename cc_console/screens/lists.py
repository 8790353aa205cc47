"""Feed health, the journal, and the help overlay."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
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
from cc_console.screens.base import Dialog
from cc_console.screens.table import Row, TableScreen, TableView
from cc_console.store.outbox import WAITING_BOUND, Message, shown_count
from cc_console.timefmt import age, local
from widgets.bindings import bind, bind_scopes
from widgets.columns import Cell, Column
from widgets.context import ConsoleContext
from widgets.key_bar import key_label
from widgets.messages import SiteChosen

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


def moment(text: str, when: datetime | None) -> Text:
    """A time as shown, sorting by the moment itself (none: an empty cell, last)."""
    return Cell(text, when.timestamp()) if when is not None else Text(text)


class HealthView:
    """Every source: status, last success, last attempt, last error, age, next poll."""

    title_key = "screen.health"

    def columns(self) -> list[str | Column]:
        # The error next to the status: at 80 columns it is what the operator came for,
        # and the times come in with l.
        return [
            Column("col.source", frozen=True, name=True),
            "col.status",
            "col.age",
            Column("col.error", shrink=16),
            "col.last_success",
            "col.last_attempt",
            "col.next_poll",
            "col.records",
        ]

    def rows(self, ctx: ConsoleContext) -> Iterable[Row]:
        t, tz, now = ctx.t, ctx.tz, ctx.now()
        cfg = ctx.config
        for h in ctx.store.sources.health(cfg.sources, cfg.poll.stale_after, now):
            cells = [
                Text(h.name),
                health_status(h, t),
                Text(age(h.last_success, now)),
                Text(h.last_error or "", style="red"),
                moment(
                    t.when(h.last_success, tz, day=False, year=False, seconds=True, zone=False)
                    or t("never"),
                    h.last_success,
                ),
                moment(local(h.last_attempt, tz, "%H:%M:%S"), h.last_attempt),
                moment(local(h.next_attempt, tz, "%H:%M:%S"), h.next_attempt),
                Text(str(h.records)),
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

    def __init__(self) -> None:
        self.shown: dict[str, Message] = {}  # the rows on screen, by key (what `s` silences)

    def columns(self) -> list[str | Column]:
        # When, route and error before the words: at 80 columns they are what is checked.
        return [Column("col.id", frozen=True), "col.status", "col.created", "col.route",
                Column("col.why_failed", shrink=14), Column("col.title", shrink=16, name=True),
                "col.event", "col.about"]  # fmt: skip

    def rows(self, ctx: ConsoleContext) -> Iterable[Row]:
        t, tz = ctx.t, ctx.tz
        messages = ctx.store.outbox.messages(500)
        self.shown = {str(m.id): m for m in messages}
        if not messages:
            blank = [Text("")] * 7
            yield [Text(t("notify.empty"), style="dim"), *blank], "empty"
        for m in messages:
            status, event = outbox_words(m, t)
            yield (
                [
                    Text(str(m.id)),
                    status,
                    moment(t.short(m.sent_at or m.created_at, tz), m.sent_at or m.created_at),
                    Text(m.route),
                    Text(m.error or "", style="red"),
                    Text(m.title),
                    Text(event),
                    Text(m.target),
                ],
                str(m.id),
            )

    def summary(self, ctx: ConsoleContext) -> Text | None:
        from cc_console.screens.silences import silence_line

        text = outbox_summary(ctx) or Text(ctx.t("notify.no_routes"), style="dim")
        outbox = ctx.store.outbox
        hits = outbox.hits()
        for s in outbox.silences(ctx.now(), active_only=True):
            text.append(f"\n◌ {silence_line(s, ctx, hits.get(s.id, 0))}", style="yellow")
        return text


def cursor_key(table: DataTable[Any]) -> str | None:
    """The key of the row under ``table``'s cursor (None: no row)."""
    if not table.row_count or not table.is_valid_row_index(table.cursor_row):
        return None
    key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    return None if key is None else str(key)


class NotificationsScreen(TableScreen):
    """The notification outbox and the silences: ``s`` silences what the selected message
    is about, ``x`` ends a silence."""

    BINDINGS: ClassVar[list[BindingType]] = bind_scopes("outbox")
    scopes: ClassVar[tuple[str, ...]] = ("view", "outbox")

    def __init__(self, ctx: ConsoleContext) -> None:
        self.outbox = NotificationsView()
        super().__init__(ctx, self.outbox)

    def action_silence(self) -> None:
        from cc_console.screens.silences import add_silence
        from cc_console.silencing import prefill

        message = self.outbox.shown.get(cursor_key(self.query_one(DataTable)) or "")
        add_silence(self, self.ctx, prefill(message) if message is not None else {})

    def action_unsilence(self) -> None:
        from cc_console.screens.silences import expire_silence

        expire_silence(self, self.ctx)


PERIODS = (7, 30, 90)


class KinerjaView:
    """The agencies ranked by score for the last 7, 30 or 90 days (the report's figures):
    the unassigned row first, the ranked ones, then those without enough data and the
    services, greyed. The highlighted agency's score parts show in the summary. In the
    province each agency is of its site (a site column): 27 regencies' "dinkes" are 27
    rows, and the Wilayah view's choice of a site applies here too."""

    title_key = "screen.kinerja"
    pinned = ("",)  # the unassigned row stays first whatever the sort

    def __init__(self) -> None:
        self.days = PERIODS[0]
        self.result: Any = None  # the Kinerja last computed (in a worker thread)
        self.highlighted: str | None = None  # the agency whose parts the summary shows
        self.per_site = False  # several sites present: a site column
        self.site: str | None = None  # the site the result is of (None: every site)

    def columns(self) -> list[str | Column]:
        # The name gives up cells (never a figure) so that the figures fit at 80 columns.
        site: list[str | Column] = [Column("col.site", frozen=True)] if self.per_site else []
        return [Column("#", frozen=True), Column("col.agency", shrink=12, frozen=True, name=True),
                *site, "kin.score", "kin.prev", "kin.trend", "kin.on_time", "kin.late",
                "kin.items", "kin.kpi", "kin.up"]  # fmt: skip

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
        unassigned = Text(t("report.unassigned"), style="italic")
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
                Text(a.name),  # cut to its column by the table, whole in the detail view
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
    scopes: ClassVar[tuple[str, ...]] = ("view", "table", "kinerja")

    def __init__(self, ctx: ConsoleContext) -> None:
        self.kinerja = KinerjaView()
        super().__init__(ctx, self.kinerja)

    def reload(self) -> None:
        """Show what is computed; compute again off the UI thread (a large cache takes a moment)."""
        self.kinerja.per_site = self.ctx.multi_site  # the province: a site column
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
        days = self.kinerja.days  # the charts cover the period the ranking shows
        self.app.push_screen(
            AgencyDetailScreen(self.ctx, chosen.id, min(sources, default=None), days=days)
        )


class SitesView:
    """Wilayah: per site, active incidents by severity, past deadlines, agencies not
    operational, feed age. The first row is every site."""

    title_key = "screen.sites"
    pinned = ("*",)  # every site, first whatever the sort

    def columns(self) -> list[str | Column]:
        return [Column("col.site", frozen=True, name=True),
                Column("col.name", shrink=12, frozen=True, name=True), "short.extreme",
                "short.severe", "short.moderate", "short.minor", "site.late", "site.down",
                "col.age"]  # fmt: skip

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
        every = [Text("*"), Text(t("site.all"), style="bold")]
        yield every + self._figures(total) + [Text("")], "*"
        for site in sites:
            counts = {**site.active, "late": site.late, "down": site.agencies_down}
            age_text = age(site.oldest_success, now) if site.oldest_success else "–"
            shown = ("● " if site.failing else "") + age_text
            name = site.name.removeprefix("Command Center ")
            cells = [Text(site.code), Text(name)]
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
    scopes: ClassVar[tuple[str, ...]] = ("view", "table", "sites")

    def __init__(self, ctx: ConsoleContext) -> None:
        self.sites = SitesView()
        super().__init__(ctx, self.sites)

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

    def columns(self) -> list[str | Column]:
        # The note and the incident give up cells, so that the note stays at 80 columns.
        time, operator, action, target, note = JOURNAL_COLUMNS
        return [Column(time, frozen=True), operator, action, Column(target, shrink=10),
                Column(note, shrink=20, name=True)]  # fmt: skip

    def rows(self, ctx: ConsoleContext) -> Iterable[Row]:
        entries = ctx.store.journal.entries(limit=1000)
        if not entries:
            blank = [Text("")] * (len(JOURNAL_COLUMNS) - 1)
            yield [Text(ctx.t("empty.journal"), style="dim"), *blank], "empty"
        # Newest first by the time each entry tells: an entry written late (seeded, or
        # imported) takes its place in time, not in the order it was written.
        for e in sorted(entries, key=lambda e: (e.at, e.seq), reverse=True):
            when, *rest = journal_cells(e, ctx.t, ctx.tz)
            yield [Cell(when.plain, e.at.timestamp()), *rest], str(e.seq)


class HealthScreen(TableScreen):
    """Feed health; ``s`` silences the selected source's notifications for a while."""

    BINDINGS: ClassVar[list[BindingType]] = bind_scopes("feeds")
    scopes: ClassVar[tuple[str, ...]] = ("view", "feeds")

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__(ctx, HealthView())

    def action_silence_source(self) -> None:
        from cc_console.screens.silences import add_silence

        source = cursor_key(self.query_one(DataTable))
        add_silence(self, self.ctx, {"source": source} if source else {})


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

    BINDINGS: ClassVar[list[BindingType]] = [
        *bind("help", "quit", target="cancel"),
        *bind_scopes("list"),  # j k g G scroll it, as in every list
    ]

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__()
        self.ctx = ctx

    def action_cursor(self, step: int) -> None:
        self.query_one("#help", VerticalScroll).scroll_relative(y=step, animate=False)

    def action_jump(self, where: int) -> None:
        box = self.query_one("#help", VerticalScroll)
        if where == 0:
            box.scroll_home(animate=False)
        else:
            box.scroll_end(animate=False)

    def compose(self) -> ComposeResult:
        t = self.ctx.t
        lines = Text(f"{t('screen.help')}\n", style="bold")
        for action in ACTIONS:
            lines.append(f"{key_label(self.ctx.keys[action.id]):>8}  ", style="bold")
            lines.append(f"{t(action.label)}\n")
        lines.append("↑ ↓ PgUp PgDn Home End ", style="bold")
        lines.append(t("legend.move") + "\n", style="dim")
        lines.append(f"{key_label(self.ctx.keys['palette'].split(',')[-1]):>8}  ", style="bold")
        lines.append(t("help.jump"), style="dim")
        with VerticalScroll(id="help"), Horizontal(id="help-columns"):
            yield Static(lines, id="help-keys")
            yield Static(legend(t), id="help-legend")
