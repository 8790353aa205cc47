"""Crisis management: ``event …``, ``sitrep`` and ``aar``.

Figures that are negative or not whole numbers, an unknown status or
category and a bad WHEN are exit 2; an unknown event, incident, meeting or
agency exit 3; a closed event refuses changes (exit 3); read-only exit 3.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cc_console.cli.followup import parse_when
from cc_console.cli.state import State
from cc_console.errors import ConfigError, NotFoundError
from cc_console.models import CATEGORIES
from cc_console.store import Store
from cc_console.store.crisis import FIGURES, STATUSES, CrisisEvent, parse_figure
from cc_console.text import shown

__all__ = ["COMMANDS", "event_app"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write to FILE, not stdout.")]
event_app = typer.Typer(help="Disaster events (kejadian bencana): open, link, impact, status.")


def _emit(state: State, text: str, out: Path | None) -> None:
    if out is not None:
        from cc_console.outfile import write_output

        write_output(out, text, state.config)
        state.err.print(state.t("report.written", path=str(out)), markup=False)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _writable(state: State, what: str) -> Store:
    store = state.store()
    if state.read_only:
        store.db.require_writable(what)
    return store


def _event(store: Store, event_id: str) -> CrisisEvent:
    return store.crisis.get(event_id)


def _incidents(store: Store, ids: list[str]) -> list[str]:
    real = []
    for given in ids:
        found = store.incidents.resolve_id(given)
        if found is None:
            raise NotFoundError(
                f"unknown incident {shown(given)} (see `cc-console incidents`)",
                key="unknown_incident",
                id=shown(given),
            )
        real.append(found)
    return real


def _agency(store: Store, agency: str | None) -> str | None:
    if agency is not None and agency not in store.agencies.ids():
        raise NotFoundError(
            f"unknown agency {shown(agency)} (see `cc-console agencies`)",
            key="unknown_agency",
            id=shown(agency),
        )
    return agency


def _done(state: State, key: str, **kw: Any) -> None:
    state.err.print(state.t(key, **kw), markup=False)


@event_app.command("open")
def event_open(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="What happened, e.g. 'Banjir Garut'.")],
    category: Annotated[str, typer.Option("--category", help="flood, landslide, …")],
    area: Annotated[
        list[str] | None, typer.Option("--area", help="An affected kecamatan (repeat).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Open a disaster event (prints its id, E-<n>); journaled."""
    state: State = ctx.obj
    from cc_console.crisis import resolve_area, show_json

    if category not in CATEGORIES:
        raise ConfigError(
            f"--category must be one of {', '.join(CATEGORIES)}, not {shown(category)}"
        )
    if not title.strip():
        raise ConfigError("the event's title is empty")
    store = _writable(state, "event open")
    event = store.crisis.open(
        title, category, [resolve_area(a, state.config.site.code) for a in area or []]
    )
    if as_json:
        state.print_json(show_json(store, event, state.now()))
    else:
        sys.stdout.write(f"{event.id}\n")


def _link(ctx: typer.Context, event_id: str, ids: list[str], meeting: list[str], add: bool) -> None:
    state: State = ctx.obj
    verb = "link" if add else "unlink"
    store = _writable(state, f"event {verb}")
    event = _event(store, event_id)
    if not ids and not meeting:
        raise ConfigError(f"event {verb}: name incidents or --meeting MEETING_ID")
    incidents = _incidents(store, ids) if add else ids
    for m in meeting:
        if add and store.agenda.get(m) is None and store.followups.remembered(m) is None:
            raise NotFoundError(
                f"unknown meeting {shown(m)} (see `cc-console agenda`)",
                key="unknown_meeting",
                id=shown(m),
            )
    act = store.crisis.link if add else store.crisis.unlink
    done = act(event, "incident", incidents) if incidents else []
    done += act(event, "meeting", meeting) if meeting else []
    _done(state, f"done.event_{verb}", id=event.id, n=len(done))


@event_app.command("link")
def event_link(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="Event id, E-<n>.")],
    ids: Annotated[list[str] | None, typer.Argument(help="Incident ids.")] = None,
    meeting: Annotated[
        list[str] | None, typer.Option("--meeting", help="A coordination meeting's id.")
    ] = None,
) -> None:
    """Link incidents (or a coordination meeting) to an event; journaled."""
    _link(ctx, event_id, ids or [], meeting or [], True)


@event_app.command("unlink")
def event_unlink(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="Event id, E-<n>.")],
    ids: Annotated[list[str] | None, typer.Argument(help="Incident ids.")] = None,
    meeting: Annotated[list[str] | None, typer.Option("--meeting", help="A meeting's id.")] = None,
) -> None:
    """Remove links from an event; journaled."""
    _link(ctx, event_id, ids or [], meeting or [], False)


def _figure_opt(name: str) -> Any:
    flag = "--" + name.replace("_", "-")
    return typer.Option(flag, help=f"{name.replace('_', ' ')} (a whole number).")


@event_app.command("impact")
def event_impact(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="Event id, E-<n>.")],
    area: Annotated[str, typer.Option("--area", help="The kecamatan (name or code).")],
    source: Annotated[str, typer.Option("--source", help="Where the figures come from.")],
    dead: Annotated[str | None, _figure_opt("dead")] = None,
    missing: Annotated[str | None, _figure_opt("missing")] = None,
    injured: Annotated[str | None, _figure_opt("injured")] = None,
    displaced: Annotated[str | None, _figure_opt("displaced")] = None,
    displaced_households: Annotated[str | None, _figure_opt("displaced_households")] = None,
    houses_heavy: Annotated[str | None, _figure_opt("houses_heavy")] = None,
    houses_moderate: Annotated[str | None, _figure_opt("houses_moderate")] = None,
    houses_light: Annotated[str | None, _figure_opt("houses_light")] = None,
    houses_flooded: Annotated[str | None, _figure_opt("houses_flooded")] = None,
    facilities: Annotated[str | None, _figure_opt("facilities")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Report an area's impact: figures given replace the area's; those left out stay."""
    state: State = ctx.obj
    from cc_console.crisis import resolve_area, show_json

    given = {
        "dead": dead, "missing": missing, "injured": injured, "displaced": displaced,
        "displaced_households": displaced_households, "houses_heavy": houses_heavy,
        "houses_moderate": houses_moderate, "houses_light": houses_light,
        "houses_flooded": houses_flooded, "facilities": facilities,
    }  # fmt: skip
    figures = {k: parse_figure(k, v) for k, v in given.items() if v is not None}
    if not figures:
        raise ConfigError(f"give at least one figure (--{', --'.join(FIGURES)})".replace("_", "-"))
    if not source.strip():
        raise ConfigError("--source: say where the figures come from")
    if not area.strip():
        raise ConfigError("--area is empty")
    store = _writable(state, "event impact")
    event = _event(store, event_id)
    name, code = resolve_area(area, state.config.site.code)
    store.crisis.report(event, name, code, figures, source)
    if as_json:
        state.print_json(show_json(store, store.crisis.get(event.id), state.now())["impact"])
    else:
        _done(state, "done.event_impact", id=event.id, area=name)


@event_app.command("need")
def event_need(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="Event id, E-<n>.")],
    text: Annotated[str, typer.Argument(help="What is urgently needed.")],
    agency: Annotated[str | None, typer.Option("--agency", help="Who should provide it.")] = None,
) -> None:
    """Add an urgent need (kebutuhan mendesak); journaled."""
    state: State = ctx.obj
    if not text.strip():
        raise ConfigError("the need is empty")
    store = _writable(state, "event need")
    event = _event(store, event_id)
    need = store.crisis.need(event, text, _agency(store, agency))
    _done(state, "done.event_need", id=event.id, need=f"K-{need.seq}")


@event_app.command("status")
def event_status(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="Event id, E-<n>.")],
    status: Annotated[str, typer.Argument(help="siaga | tanggap-darurat | transisi | selesai")],
    decree: Annotated[str | None, typer.Option("--decree", help="The decree (SK) number.")] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Valid from WHEN (default now).")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Valid until WHEN.")] = None,
) -> None:
    """Set the emergency status with its decree and validity; journaled."""
    state: State = ctx.obj
    if status not in STATUSES:
        raise ConfigError(f"status must be one of {', '.join(STATUSES)}, not {shown(status)}")
    tz = state.config.site.tz
    begins = parse_when(start, tz) if start else state.now()
    ends = parse_when(until, tz) if until else None
    if ends is not None and ends <= begins:
        raise ConfigError("--until must come after --from")
    store = _writable(state, "event status")
    event = store.crisis.set_status(_event(store, event_id), status, decree, begins, ends)
    _done(state, "done.event_status", id=event.id, status=state.t.word("crisis.status", status))


@event_app.command("close")
def event_close(
    ctx: typer.Context, event_id: Annotated[str, typer.Argument(help="Event id, E-<n>.")]
) -> None:
    """Close an event (its record stays, unchanged from now on); journaled."""
    state: State = ctx.obj
    store = _writable(state, "event close")
    event = store.crisis.close(_event(store, event_id))
    _done(state, "done.event_close", id=event.id)


@event_app.command("list")
def event_list(
    ctx: typer.Context,
    include_all: Annotated[bool, typer.Option("--all", help="Closed events too.")] = False,
    site: Annotated[
        str | None,
        typer.Option(
            "--site",
            help="Only the events of the command center with this code (e.g. 32.05); "
            '"local": this center\'s own.',
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Disaster events of every site read: status, validity and totals, and the totals
    per site (open ones; --all: closed too)."""
    state: State = ctx.obj
    from cc_console.crisis import events_by_site

    by_site = events_by_site(
        state.config, state.store(), state.now(), include_closed=include_all, site=site
    )
    docs = [e for s in by_site for e in s.events]
    if as_json:
        state.print_json(docs)
        return
    if not docs:
        state.out.print(state.t("empty.events"))
        return
    several = len(by_site) > 1 or any(not s.own for s in by_site)
    state.out.print(events_table(docs, state, sites=several))
    if several:
        state.out.print(site_totals_table(by_site, state))


def events_table(docs: list[dict[str, Any]], state: State, *, sites: bool = False) -> Any:
    """The events as a Rich table (feed and operator text as Text, never markup);
    ``sites``: with the site each comes from."""
    from rich.table import Table
    from rich.text import Text

    from cc_console.crisis_render import status_short

    t, tz = state.t, state.config.site.tz
    table = Table(title=t("screen.events"))
    heads = ["col.site"] if sites else []
    heads += ["col.id", "col.title", "col.status", "figure.short.dead", "figure.short.missing",
              "figure.short.displaced", "crisis.houses", "crisis.sitrep"]  # fmt: skip
    for key in heads:
        table.add_column(t(key))
    own = state.config.site.code or "-"
    for d in docs:
        f = d["impact"]["totals"]
        houses = f["houses_heavy"] + f["houses_moderate"] + f["houses_light"] + f["houses_flooded"]
        cells = [Text(d.get("site") or own)] if sites else []
        table.add_row(
            *cells, d["id"], Text(d["title"]), Text(status_short(d, t, tz)), str(f["dead"]),
            str(f["missing"]), str(f["displaced"]), str(houses),
            str(d["last_sitrep"] or "–"),
        )  # fmt: skip
    return table


def site_totals_table(by_site: list[Any], state: State) -> Any:
    """Per site: its events and their totals (the province's sums)."""
    from rich.table import Table
    from rich.text import Text

    t = state.t
    table = Table(title=t("crisis.per_site"))
    for key in ("col.site", "col.name", "crisis.events_n", "figure.short.dead",
                "figure.short.missing", "figure.short.injured", "figure.short.displaced",
                "crisis.houses"):  # fmt: skip
        table.add_column(t(key))
    for s in by_site:
        f = s.totals
        houses = f["houses_heavy"] + f["houses_moderate"] + f["houses_light"] + f["houses_flooded"]
        table.add_row(
            s.code, Text(s.name), str(len(s.events)), str(f["dead"]), str(f["missing"]),
            str(f["injured"]), str(f["displaced"]), str(houses),
        )  # fmt: skip
    return table


@event_app.command("show")
def event_show(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="Event id, E-<n>.")],
    as_json: JsonOpt = False,
) -> None:
    """One event: status, impact by area with totals, needs, incidents, responses."""
    state: State = ctx.obj
    from cc_console.crisis import sitrep_doc

    store = state.store()
    event = _event(store, event_id)
    doc = sitrep_doc(store, event, state.now())
    if as_json:
        state.print_json(doc["event"])
        return
    from rich.markdown import Markdown

    from cc_console.crisis_render import sitrep_markdown

    state.out.print(Markdown(sitrep_markdown(doc, state.t, state.config)))


def sitrep(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="Event id, E-<n>.")],
    as_json: JsonOpt = False,
    fmt: Annotated[str | None, typer.Option("--format", help="md or html.")] = None,
    hxl: Annotated[bool, typer.Option("--hxl", help="CSV with an HXL hashtag row.")] = False,
    issue: Annotated[
        bool, typer.Option("--issue", help="Number it, freeze it, journal it.")
    ] = False,
    number: Annotated[
        int | None, typer.Option("--number", min=1, help="An issued sit-rep, as issued.")
    ] = None,
    out: OutOpt = None,
) -> None:
    """The situation report (laporan situasi) of an event, with the change since the last
    issued one; --issue numbers and journals it."""
    state: State = ctx.obj
    if sum([as_json, fmt is not None, hxl]) > 1:
        raise ConfigError("--json, --format and --hxl: choose one")
    if fmt not in (None, "md", "html"):
        raise ConfigError(f"--format: md or html (got {shown(fmt or '')})")
    if issue and number is not None:
        raise ConfigError("--issue and --number: choose one")
    from cc_console import crisis_render
    from cc_console.crisis import sitrep_doc

    store = _writable(state, "sitrep --issue") if issue else state.store()
    event = _event(store, event_id)
    now = state.now()
    if number is not None:
        found = [s for s in store.crisis.sitreps(event.seq) if s.number == number]
        if not found:
            raise NotFoundError(f"{event.id} has no issued sit-rep #{number}")
        doc = found[0].doc
    else:
        doc = sitrep_doc(store, event, now)
        if issue:
            doc = store.crisis.issue(event, doc, now)
            _done(state, "done.sitrep_issue", id=event.id, n=doc["number"])
    t = state.t
    if as_json:
        if out is None:
            state.print_json(doc)
            return
        import json

        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    elif hxl:
        text = crisis_render.hxl_csv(doc, t)
    elif fmt == "html":
        text = crisis_render.sitrep_html(doc, t, state.config)
    elif fmt == "md" or out is not None:
        text = crisis_render.sitrep_markdown(doc, t, state.config)
    else:
        from rich.markdown import Markdown

        state.out.print(Markdown(crisis_render.sitrep_markdown(doc, t, state.config)))
        return
    _emit(state, text, out)


def aar(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="Event id, E-<n>.")],
    as_json: JsonOpt = False,
    fmt: Annotated[str | None, typer.Option("--format", help="md or html.")] = None,
    out: OutOpt = None,
) -> None:
    """The after-action review's draft: timeline, response times against the SLA rules,
    what was late, open items."""
    state: State = ctx.obj
    if as_json and fmt:
        raise ConfigError("--json and --format: choose one")
    if fmt not in (None, "md", "html"):
        raise ConfigError(f"--format: md or html (got {shown(fmt or '')})")
    from cc_console import crisis_render
    from cc_console.crisis import aar_doc

    store = state.store()
    now = state.now()
    doc = aar_doc(store, _event(store, event_id), now)
    if as_json:
        if out is None:
            state.print_json(doc)
            return
        import json

        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "html":
        text = crisis_render.aar_html(doc, state.t, state.config, now)
    elif fmt == "md" or out is not None:
        text = crisis_render.aar_markdown(doc, state.t, state.config)
    else:
        from rich.markdown import Markdown

        state.out.print(Markdown(crisis_render.aar_markdown(doc, state.t, state.config)))
        return
    _emit(state, text, out)


COMMANDS = {"sitrep": sitrep, "aar": aar}
