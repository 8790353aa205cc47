"""Disasters (view 7) and one event's view: impact by area, status, needs, responses.

The list shows each open event's emergency status with its validity and its
totals; Enter opens the event: totals first and the worst area first (what an
80x24 terminal shows before scrolling), the status with its decree, needs,
linked incidents and responses by agency, and the last sit-rep's number.
Keys in the event view report impact (a small form: the area picked by
typing, the figures, the source; a bad figure is refused in place), add a
need and set the status; from an incident, a key links it to an event.
Read-only consoles show everything and refuse every change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label

from cc_console.crisis import (
    EventsOfSite,
    area_matches,
    events_by_site,
    resolve_area,
    show_json,
    site_event_json,
)
from cc_console.crisis_render import status_short, status_words
from cc_console.errors import CcConsoleError
from cc_console.models import Incident
from cc_console.screens.base import Dialog
from cc_console.screens.detail import DetailScreen
from cc_console.screens.dialogs import ChoicePicker, NotePrompt
from cc_console.screens.incident_actions import may_change
from cc_console.screens.lists import Row, TableScreen
from cc_console.store.crisis import FIGURES, STATUSES, parse_figure, sum_figures
from cc_console.text import clean_line
from cc_console.timefmt import local, parse_when
from widgets.bindings import bind_scopes
from widgets.cells import fit
from widgets.columns import Column
from widgets.context import ConsoleContext
from widgets.messages import OperatorActed

__all__ = [
    "EventDetailScreen",
    "EventsScreen",
    "ImpactForm",
    "SiteEventScreen",
    "link_to_event",
]


def _houses(f: dict[str, int]) -> int:
    return f["houses_heavy"] + f["houses_moderate"] + f["houses_light"] + f["houses_flooded"]


def _n(value: int, style: str = "") -> Text:
    return Text(str(value) if value else "·", style=style if value else "dim")


class EventsView:
    """Kejadian bencana: per open event, status with validity, totals, last sit-rep.

    Reading other command centers (the province), each site that has events
    leads its own with a row of its totals, and the line above the table gives
    every site's sum: the sums ``event list`` and ``sites --json`` give.
    """

    title_key = "screen.events"
    name_cells = 11  # at 80 columns; wider on a wide terminal
    narrow = True  # under 100 columns: the status in a few words, its end as a date

    def __init__(self) -> None:
        self._overall: Text | None = None

    def columns(self) -> list[str | Column]:
        # The id and title name the row: they stay when the figures scroll in with l.
        return [Column("col.id", frozen=True), Column("col.title", frozen=True, name=True),
                "col.status", "figure.short.dead", "figure.short.missing",
                "figure.short.displaced", "crisis.houses", "crisis.sitrep"]  # fmt: skip

    def summary(self, ctx: ConsoleContext) -> Text | None:
        return self._overall

    def _site_name(self, name: str) -> str:
        """A site's name as the list has room for it: without "Command Center", and at
        80 columns "Kab." for "Kabupaten" (the place's own name is what tells them apart)."""
        name = name.removeprefix("Command Center ")
        return (
            "Kab. " + name.removeprefix("Kabupaten ")
            if self.narrow and name.startswith("Kabupaten ")
            else name
        )

    def _event_row(self, doc: dict[str, Any], key: str, ctx: ConsoleContext, indent: str) -> Row:
        f = doc["impact"]["totals"]
        status = Text(_status_tiny(doc, ctx) if self.narrow else status_short(doc, ctx.t, ctx.tz))
        if doc.get("status_expiring"):
            status = Text("⚠ ", style="bold yellow") + status
        return (
            [
                Text(indent + doc["id"], style="bold"),
                Text(fit(doc["title"], self.name_cells - len(indent)).rstrip()),
                status,
                _n(f["dead"], "bold red"),
                _n(f["missing"], "red"),
                _n(f["displaced"], "yellow"),
                _n(_houses(f)),
                Text(str(doc["last_sitrep"] or "–")),
            ],
            key,
        )

    def rows(self, ctx: ConsoleContext) -> Iterable[Row]:
        t, now = ctx.t, ctx.now()
        by_site = events_by_site(ctx.config, ctx.store, now)
        several = any(not s.own for s in by_site)
        self._overall = None
        if not several:  # this site alone: its events, as they always were
            for doc in (e for s in by_site for e in s.events):
                yield self._event_row(doc, doc["id"], ctx, "")
            return
        self._overall = _overall(by_site, ctx)
        for site in by_site:
            f, name = site.totals, self._site_name(site.name)
            yield (
                [
                    Text(site.code, style="bold cyan"),
                    Text(fit(name, self.name_cells).rstrip(), style="bold cyan"),
                    Text(t("crisis.site_events", n=len(site.events)), style="cyan"),
                    _n(f["dead"], "bold red"),
                    _n(f["missing"], "red"),
                    _n(f["displaced"], "yellow"),
                    _n(_houses(f)),
                    Text(""),
                ],
                f"site:{site.code}",
            )
            for doc in site.events:
                key = doc["id"] if doc.get("source") is None else f"{doc['source']}/{doc['id']}"
                yield self._event_row(doc, key, ctx, "  ")


def _status_tiny(doc: dict[str, Any], ctx: ConsoleContext) -> str:
    """ "Tanggap s/d 05/12": the status and the day it ends, where 80 columns leave
    the figures on screen only if the status takes under 20 cells."""
    if not doc.get("status"):
        return "–"
    word = ctx.t.word("crisis.status.tiny", doc["status"])
    until = _at(doc.get("status_until"))
    if until is None:
        return word
    return f"{word} {ctx.t('crisis.until_tiny', when=local(until, ctx.tz, '%d/%m'))}"


def _overall(by_site: list[EventsOfSite], ctx: ConsoleContext) -> Text:
    """ "3 kejadian di 2 wilayah — MD 3 · Hilang 3 · Ungsi 920 · Rumah 124": the province's
    sum, the sum over the sites' sums."""
    t = ctx.t
    f = sum_figures(s.totals for s in by_site)
    events = sum(len(s.events) for s in by_site)
    line = Text(t("crisis.sites_summary", events=events, sites=len(by_site)), style="bold")
    line.append(" — ")
    for key, style in (("dead", "bold red"), ("missing", "red"), ("injured", ""),
                       ("displaced", "yellow")):  # fmt: skip
        line.append(f"{t(f'figure.short.{key}')} ")
        line.append(str(f[key]), style=style)
        line.append(" · ")
    line.append(f"{t('crisis.houses')} {_houses(f)}")
    return line


class EventsScreen(TableScreen):
    """View 7: the open disaster events; Enter opens one."""

    BINDINGS: ClassVar[list[BindingType]] = bind_scopes("events")
    scopes: ClassVar[tuple[str, ...]] = ("view", "table", "events")

    def __init__(self, ctx: ConsoleContext) -> None:
        self.events = EventsView()
        super().__init__(ctx, self.events)

    def reload(self) -> None:
        width = self.size.width or 80
        self.events.name_cells = max(11, min(60, width - 69))
        self.events.narrow = width < 100
        super().reload()
        if not self.query_one(DataTable).row_count:
            self.query_one("#table-summary").display = True
            self.query_one("#table-summary").update(Text(self.ctx.t("empty.events")))  # type: ignore[attr-defined]

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        self.action_open_event()

    def action_open_event(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if not key or key.startswith("site:"):  # a site's totals: nothing to open
                return
            if "/" in key:  # another site's event: shown as it was read, not changed here
                source, _, event_id = key.partition("/")
                self.app.push_screen(SiteEventScreen(self.ctx, source, event_id))
            else:
                self.app.push_screen(EventDetailScreen(self.ctx, key))


class EventView:
    """One event: totals, the areas worst first, status, needs, incidents, responses."""

    def __init__(self, event_id: str) -> None:
        self.event_id = event_id
        self.doc: dict[str, Any] | None = None

    def render(self, ctx: ConsoleContext) -> tuple[Text, RenderableType]:
        event = ctx.store.crisis.get(self.event_id)
        doc = self.doc = show_json(ctx.store, event, ctx.now())

        def incident_line(iid: str) -> Text:
            line = Text(f"{iid}  ", style="bold")
            inc = ctx.store.incidents.get(iid)
            if inc is not None:
                line.append(f"{inc.title} · {ctx.t.word('status', inc.status)}")
                if inc.assigned_to:
                    line.append(f" · {inc.assigned_to}", style="cyan")
            return line

        return render_event(doc, ctx, incident_line)


class SiteEventView:
    """Another site's event as its ``/events.json`` served it (read here, changed there)."""

    def __init__(self, source: str, event_id: str) -> None:
        self.source, self.event_id = source, event_id

    def render(self, ctx: ConsoleContext) -> tuple[Text, RenderableType]:
        t = ctx.t
        row = ctx.store.site_events.get(self.source, self.event_id)
        site = ctx.store.sources.site_of(self.source)
        where = f"{site[0]} {site[1]}" if site else self.source
        if row is None:  # gone from its site's feed since the list was drawn
            return Text(f"{self.event_id} · {where}"), Text(t("empty.events"))
        doc = site_event_json(row.event, self.source, site[0] if site else None, ctx.now())
        title, body = render_event(doc, ctx, lambda iid: Text(iid, style="bold"))
        title.append(f"  · {t('crisis.read_from', site=where)}", style="dim")
        return title, body


def render_event(
    doc: dict[str, Any], ctx: ConsoleContext, incident_line: Callable[[str], Text]
) -> tuple[Text, RenderableType]:
    """An event's view from its document (this site's or another's): totals first, the
    worst area first, status, needs, incidents, responses, the last sit-rep."""
    t, tz = ctx.t, ctx.tz
    title = Text(f"{doc['id']}  ", style="bold")
    title.append(doc["title"])
    if doc.get("closed_at") is not None:
        title.append(f"  ({t('action.event.close')})", style="dim")
    parts: list[RenderableType] = []
    status = Text(f"{t('sitrep.status')}: ", style="bold")
    status.append(
        status_words(doc, t, tz), style="bold yellow" if doc.get("status_expiring") else ""
    )
    f = doc["impact"]["totals"]
    line = Text(f"{t('sitrep.totals')}: ", style="bold")
    for key, style in (("dead", "bold red"), ("missing", "red"), ("injured", ""),
                       ("displaced", "yellow"), ("displaced_households", "")):  # fmt: skip
        line.append(f"{t(f'figure.short.{key}')} ")
        line.append(str(f[key]), style=style)
        line.append("  ")
    line.append(f"{t('crisis.houses')} {_houses(f)}  {t('figure.short.facilities')} ")
    line.append(str(f["facilities"]))
    parts.append(line)
    parts.append(status)
    areas = Table(box=None, padding=(0, 1), show_edge=False, expand=False)
    areas.add_column(t("sitrep.area"), no_wrap=True, min_width=14, max_width=28)
    short = ("dead", "missing", "injured", "displaced", "houses_heavy", "houses_moderate",
             "houses_light", "houses_flooded")  # fmt: skip
    for key in short:
        head = t(f"figure.short.{key}")
        areas.add_column(head, justify="right", no_wrap=True, min_width=max(3, len(head)))
    areas.add_column(t("sitrep.source"), no_wrap=True, overflow="ellipsis", min_width=8)
    for a in doc["impact"]["by_area"]:
        areas.add_row(
            Text(clean_line(a["area"], 28)),
            *[_n(a[k]) for k in short],
            Text(f"{clean_line(a['source'], 30)} · "
                 f"{local(_at(a['reported_at']), tz, '%d/%m %H:%M')}", style="dim"),
        )  # fmt: skip
    parts.append(Text(f"\n{t('sitrep.by_area')}", style="bold underline"))
    parts.append(areas if doc["impact"]["by_area"] else Text(t("sitrep.no_reports")))
    parts.append(Text(f"\n{t('sitrep.needs')}", style="bold underline"))
    parts += [
        Text(f"• {n['text']}" + (f" ({n['agency']})" if n["agency"] else "")) for n in doc["needs"]
    ] or [Text(t("minutes.none"))]
    parts.append(Text(f"\n{t('sitrep.incidents')}", style="bold underline"))
    parts += [incident_line(iid) for iid in doc["incidents"]]
    if not doc["incidents"]:
        parts.append(Text(t("minutes.none")))
    parts.append(Text(f"\n{t('sitrep.responses')}", style="bold underline"))
    for r in doc["responses"]:
        who = Text(f"{r.get('agency') or t('sitrep.no_agency')}: ", style="cyan")
        if r["kind"] == "assignment":
            who.append(t("sitrep.assigned", incident=r.get("incident") or ""))
        else:
            who.append(f"{r['id']} {r.get('text') or ''}")
        parts.append(who)
    if not doc["responses"]:
        parts.append(Text(t("minutes.none")))
    last = doc["last_sitrep"]
    parts.append(Text(f"\n{t('crisis.last_sitrep')}: " + (t("sitrep.number", n=last)
                                                            if last else "–")))  # fmt: skip
    return title, Group(*parts)


def _at(text: str | None) -> Any:
    from cc_console.timefmt import parse_iso

    return parse_iso(text)


class EventDetailScreen(DetailScreen):
    """One event; i reports impact, n adds a need, s sets the emergency status."""

    BINDINGS: ClassVar[list[BindingType]] = bind_scopes("event")
    scopes: ClassVar[tuple[str, ...]] = ("view", "event")

    def __init__(self, ctx: ConsoleContext, event_id: str) -> None:
        self.event_view = EventView(event_id)
        super().__init__(ctx, self.event_view)
        self.event_id = event_id

    def _may_write(self) -> bool:
        t = self.ctx.t
        if self.ctx.read_only:
            self.notify(t("refused.read_only"), title=t("badge.read_only"), severity="warning")
            return False
        event = self.ctx.store.crisis.get(self.event_id)
        if event.closed_at is not None:
            self.notify(t("refused.event_closed", id=event.id), severity="warning")
            return False
        return True

    def _write(self, do: Any, done: str) -> bool:
        try:
            do()
        except CcConsoleError as exc:
            self.notify(self.ctx.t.error(exc, self.ctx.tz), severity="error")
            return False
        self.notify(done)
        self.post_message(OperatorActed())
        return True

    def action_impact(self) -> None:
        if not self._may_write():
            return
        event = self.ctx.store.crisis.get(self.event_id)

        def reported(given: tuple[str, str | None, dict[str, int], str] | None) -> None:
            if given is not None:
                area, code, figures, source = given
                self._write(
                    lambda: self.ctx.store.crisis.report(event, area, code, figures, source),
                    self.ctx.t("done.event_impact", id=event.id, area=area),
                )

        self.app.push_screen(ImpactForm(self.ctx, event.id, event.title), reported)

    def action_add_need(self) -> None:
        if not self._may_write():
            return
        event = self.ctx.store.crisis.get(self.event_id)

        def noted(text: str | None) -> None:
            if text:
                self._write(
                    lambda: self.ctx.store.crisis.need(event, text, None),
                    self.ctx.t("done.event_need", id=event.id, need=""),
                )

        self.app.push_screen(NotePrompt(self.ctx.t("prompt.need", id=event.id)), noted)

    def action_set_status(self) -> None:
        if not self._may_write():
            return
        t = self.ctx.t
        event = self.ctx.store.crisis.get(self.event_id)
        choices = [(s, t.word("crisis.status", s)) for s in STATUSES]

        def chosen(status: str | None) -> None:
            if status is None:
                return

            def decreed(decree: str | None) -> None:
                if decree is None:
                    return

                def valid(until: str | None) -> None:
                    if until is None:
                        return
                    try:
                        ends = parse_when(until, self.ctx.tz) if until else None
                    except ValueError as exc:
                        self.notify(self.ctx.t.error(exc, self.ctx.tz), severity="error")
                        return
                    self._write(
                        lambda: self.ctx.store.crisis.set_status(
                            event, status, decree or None, self.ctx.now(), ends
                        ),
                        t("done.event_status", id=event.id, status=t.word("crisis.status", status)),
                    )

                self.app.push_screen(
                    NotePrompt(t("prompt.status_until"), "YYYY-MM-DD HH:MM"), valid
                )

            self.app.push_screen(NotePrompt(t("prompt.status_decree")), decreed)

        self.app.push_screen(ChoicePicker(t("prompt.status", id=event.id), choices), chosen)


class SiteEventScreen(DetailScreen):
    """Another site's event, view only (its keys are those of every view)."""

    def __init__(self, ctx: ConsoleContext, source: str, event_id: str) -> None:
        super().__init__(ctx, SiteEventView(source, event_id))


class ImpactForm(Dialog[tuple[str, str | None, dict[str, int], str] | None]):
    """An area's impact: the area (typed; the known kecamatan it matches shown), the
    figures (empty: not given), the source. Enter checks every field: a bad figure is
    refused in place (named, its field focused) and nothing is written."""

    # Its rules are in console.tcss, after the dialogs' own (which they refine).

    def __init__(self, ctx: ConsoleContext, event_id: str, title: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.event_id = event_id
        self.event_title = title
        self._unknown_area = ""  # an area no list knows, said once: Enter again keeps it

    def compose(self) -> ComposeResult:
        t = self.ctx.t
        with Vertical():
            yield Label(Text(t("prompt.impact", id=self.event_id,
                               title=clean_line(self.event_title, 40))))  # fmt: skip
            with Horizontal():
                yield Label(t("sitrep.area"), classes="figure-label")
                yield Input(id="impact-area", placeholder="Garut Kota / 32.05.01")
            yield Label("", id="impact-area-hint")
            for left, right in zip(FIGURES[0::2], FIGURES[1::2], strict=True):
                with Horizontal():
                    for key in (left, right):
                        yield Label(t(f"figure.short.{key}"), classes="figure-label")
                        yield Input(id=f"impact-{key}", restrict=None)
            with Horizontal():
                yield Label(t("hxl.source"), classes="figure-label")
                yield Input(id="impact-source")
            yield Label("", id="impact-error")
            yield Label(Text(t("prompt.impact_hint")), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#impact-area", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "impact-area":
            event.stop()
            found = area_matches(event.value, self.ctx.config.site.code)
            hint = ", ".join(f"{name} ({code})" for code, name in found[:4])
            self.query_one("#impact-area-hint", Label).update(Text(hint))

    def _refuse(self, field: str, why: str) -> None:
        self.query_one("#impact-error", Label).update(Text(why))
        self.query_one(f"#impact-{field}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        t = self.ctx.t
        typed = self.query_one("#impact-area", Input).value.strip()
        if not typed:
            self._refuse("area", t("refused.impact_area"))
            return
        found = area_matches(typed, self.ctx.config.site.code)
        area, code = resolve_area(typed, self.ctx.config.site.code)
        if code is None and len(found) == 1:  # "cisew" is Cisewu: the one it can mean
            code, area = found[0]
        elif code is None and len(found) > 1:  # "taro": Tarogong Kaler or Kidul? Ask.
            names = ", ".join(name for _, name in found[:4])
            self._refuse("area", t("refused.impact_which", names=names))
            return
        elif code is None and self._unknown_area != area:  # a typo must not become an area
            self._unknown_area = area
            self._refuse("area", t("refused.impact_unknown", area=area))
            return
        figures: dict[str, int] = {}
        for key in FIGURES:
            value = self.query_one(f"#impact-{key}", Input).value.strip()
            if not value:
                continue
            try:
                figures[key] = parse_figure(key, value)
            except CcConsoleError:
                self._refuse(key, t("refused.bad_figure", figure=t(f"figure.{key}"),
                                    value=clean_line(value, 20)))  # fmt: skip
                return
        if not figures:
            self._refuse("dead", t("refused.no_figures"))
            return
        source = self.query_one("#impact-source", Input).value.strip()
        if not source:
            self._refuse("source", t("refused.impact_source"))
            return
        self.dismiss((area, code, figures, source))


def link_to_event(screen: Screen[Any], ctx: ConsoleContext, incident: Incident | None) -> None:
    """Pick an open event and link ``incident`` to it (journaled)."""
    t = ctx.t
    incident = may_change(screen, ctx, incident)
    if incident is None:
        return
    events = ctx.store.crisis.listing()
    if not events:
        screen.notify(t("refused.no_events"), severity="warning")
        return
    linked = set(ctx.store.crisis.of_incident(incident.id))
    choices = [(e.id, f"{e.id}  {clean_line(e.title, 50)}" + (" ✓" if e.id in linked else ""))
               for e in events]  # fmt: skip

    def chosen(event_id: str | None) -> None:
        if event_id is None:
            return
        try:
            event = ctx.store.crisis.get(event_id)
            ctx.store.crisis.link(event, "incident", [incident.id])
        except CcConsoleError as exc:
            screen.notify(ctx.t.error(exc, ctx.tz), severity="error")
            return
        screen.notify(t("done.event_link", id=event_id, n=1))
        screen.post_message(OperatorActed())

    title = clean_line(incident.title, 50)
    screen.app.push_screen(ChoicePicker(t("prompt.link_event", title=title), choices), chosen)
