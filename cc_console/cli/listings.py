"""Listing commands: status, incidents, agencies, agenda, journal."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from cc_console.cli.state import State
from cc_console.errors import ConfigError
from cc_console.export import (
    agency_json,
    deadline_json,
    health_json,
    incident_json,
    journal_json,
    meeting_json,
)

if TYPE_CHECKING:
    from cc_console.models import Incident
    from cc_console.store.incidents import SiteFilter

__all__ = ["COMMANDS", "agenda_window"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
CsvOpt = Annotated[
    bool, typer.Option("--csv", help="Print CSV on stdout (RFC 4180, a header line).")
]


def status(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Health of every source; exit 1 when one failed or is stale."""
    state: State = ctx.obj
    cfg = state.config
    health = state.store().sources.health(cfg.sources, cfg.poll.stale_after, state.now())
    # Never fetched is not healthy: nothing has been seen from that feed yet.
    bad = [
        h
        for h in health
        if h.stale or (h.consecutive_failures and h.last_error) or h.last_success is None
    ]
    for h in health:
        if h.insecure:
            state.err.print(
                f"WARNING: TLS verification is OFF for source {h.name} (insecure = true)"
            )
    sending = state.store().outbox.state(state.now()) if cfg.notify else None
    if as_json:
        doc: dict[str, object] = {"ok": not bad, "sources": [health_json(h) for h in health]}
        if sending is not None:
            doc["notifications"] = sending.as_json()
        state.print_json(doc)
    else:
        from cc_console.cli import tables

        state.out.print(tables.health_table(health, state.t, cfg.site.tz, state.now()))
        ok = len(health) - len(bad)
        state.out.print(state.t("summary.status", ok=ok, total=len(health)))
        if sending is not None and (sending.failed or sending.pending):
            state.out.print(
                state.t("outbox.counts", pending=sending.pending, failed=sending.failed)
                + (f" — {sending.last_error}" if sending.last_error else ""),
                markup=False,
            )
    raise typer.Exit(1 if bad else 0)


SiteOpt = Annotated[
    str | None,
    typer.Option(
        "--site",
        help="Only what was read from the command center with this code (e.g. 32.05); "
        '"local": this center\'s own sources.',
    ),
]


def _site_of(inc: Incident, code: dict[str, str]) -> str | None:
    """The site ``inc`` belongs to: the one its item carried from further down (a
    regency's, read through a province), else its source's (None: this site's own)."""
    carried = inc.extra.get("site") if isinstance(inc.extra, dict) else None
    return carried if isinstance(carried, str) and carried else code.get(inc.source)


def _of_site(sites: dict[str, tuple[str, str]], code: str | None) -> SiteFilter | None:
    """Which sources are of the site ``code`` (None: no filter). "local" (or this site's
    code): those read from no other site. A code nobody sent has no sources: an empty
    listing, not an error (a site that has not answered yet is no mistake)."""
    from cc_console.store.incidents import SiteFilter

    if code is None:
        return None
    if code == "local":
        return SiteFilter(tuple(sites), exclude=True)
    if code not in {c for c, _ in sites.values()}:
        return SiteFilter(())
    return SiteFilter.of(sites, code)


def incidents(
    ctx: typer.Context,
    include_all: Annotated[
        bool, typer.Option("--all", help="Every incident, not only active ones.")
    ] = False,
    site: SiteOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Open and acknowledged incidents (--all: every one), newest first."""
    state: State = ctx.obj
    store = state.store()
    sites = store.sources.sites()
    rows = store.incidents.listing(include_all=include_all, sources=_of_site(sites, site))
    now = state.now()
    code = {name: s[0] for name, s in sites.items()}
    if state.print_listing(
        "incidents",
        [incident_json(i, now=now, site=_site_of(i, code)) for i in rows],
        as_json=as_json,
        as_csv=as_csv,
    ):
        return
    if rows:
        from cc_console.cli import tables

        state.out.print(tables.incidents_table(rows, state.t, state.config.site.tz, state.now()))
    else:
        state.out.print(state.t("empty.incidents"))


def agencies(
    ctx: typer.Context, site: SiteOpt = None, as_json: JsonOpt = False, as_csv: CsvOpt = False
) -> None:
    """Agencies and their status, worst first."""
    state: State = ctx.obj
    store = state.store()
    sites = store.sources.sites()
    rows = store.agencies.listing()
    wanted = _of_site(sites, site)
    if wanted is not None:
        rows = [a for a in rows if wanted.admits(a.source)]
    code = {name: s[0] for name, s in sites.items()}
    if state.print_listing(
        "agencies",
        [agency_json(a, site=code.get(a.source)) for a in rows],
        as_json=as_json,
        as_csv=as_csv,
    ):
        return
    if rows:
        from cc_console.cli import tables

        state.out.print(tables.agencies_table(rows, state.t, state.now()))
    else:
        state.out.print(state.t("empty.agencies"))


FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2199, 12, 31)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} must be a date YYYY-MM-DD, got {value!r}") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ConfigError(f"{option} must lie between {FIRST_DAY} and {LAST_DAY}, got {value}")
    return day


def agenda_window(day_from: date, day_to: date, tz: object) -> tuple[datetime, datetime]:
    """``[from, to)`` as aware datetimes at midnight in the site's zone."""
    return (
        datetime.combine(day_from, time(0), tzinfo=tz),  # type: ignore[arg-type]
        datetime.combine(day_to, time(0), tzinfo=tz),  # type: ignore[arg-type]
    )


def agenda(
    ctx: typer.Context,
    day_from: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (site zone).")
    ] = None,
    day_to: Annotated[
        str | None, typer.Option("--to", help="Day after the last, YYYY-MM-DD.")
    ] = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Meetings starting in [from, to): default today and the next 7 days."""
    state: State = ctx.obj
    tz = state.config.site.tz
    today = state.now().astimezone(tz).date()
    start_day = _date(day_from, "--from") or today
    end_day = _date(day_to, "--to") or start_day + timedelta(days=8)
    if end_day <= start_day:
        raise ConfigError(f"--to ({end_day}) must be after --from ({start_day})")
    start, end = agenda_window(start_day, end_day, tz)
    rows = state.store().agenda.between(start, end)
    if state.print_listing(
        "agenda", [meeting_json(m) for m in rows], as_json=as_json, as_csv=as_csv
    ):
        return
    if rows:
        from cc_console.cli import tables

        state.out.print(tables.agenda_table(rows, state.t, tz))
    else:
        state.out.print(state.t("empty.agenda"))


def journal(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    verify: Annotated[
        bool, typer.Option("--verify", help="Check the hash chain; exit 1 if broken.")
    ] = False,
) -> None:
    """The operator journal, oldest first (--verify checks it has not been altered)."""
    state: State = ctx.obj
    store = state.store()
    if verify:
        verdict = store.journal.verify()
        if as_json:
            state.print_json(
                {
                    "ok": verdict.ok,
                    "entries": verdict.entries,
                    "broken_seq": verdict.broken_seq,
                    "reason": verdict.reason,
                }
            )
        elif verdict.ok:
            state.out.print(state.t("journal.ok", count=verdict.entries))
        else:
            state.err.print(
                state.t("journal.broken", seq=verdict.broken_seq, reason=verdict.reason)
            )
        raise typer.Exit(0 if verdict.ok else 1)
    rows = store.journal.entries()
    if state.print_listing(
        "journal", [journal_json(e) for e in rows], as_json=as_json, as_csv=as_csv
    ):
        return
    if rows:
        from cc_console.cli import tables

        state.out.print(tables.journal_table(rows, state.t, state.config.site.tz))
    else:
        state.out.print(state.t("empty.journal"))


def sla(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Incidents past a deadline and those due within the hour; exit 1 when any is late."""
    state: State = ctx.obj
    store = state.store()
    now = state.now()
    late = store.deadlines.late(now)
    soon = store.deadlines.due_within(now, 3600)
    counts = store.deadlines.late_counts(now)
    if as_json:
        state.print_json(
            {
                "breaches": [deadline_json(i, now) for i in late],
                "due_soon": [deadline_json(i, now) for i in soon],
                "late": counts.late,
                "late_unacknowledged": counts.unacknowledged,
            }
        )
    elif late or soon:
        from cc_console.cli import tables

        t = state.t
        if late:
            state.out.print(tables.deadlines_table(late, t("sla.breaches"), t, now))
        if soon:
            state.out.print(tables.deadlines_table(soon, t("sla.due_soon"), t, now))
        state.out.print(
            t("sla.summary", late=counts.late, acked=counts.acknowledged, soon=len(soon))
        )
    else:
        state.out.print(state.t("sla.none"))
    raise typer.Exit(1 if late else 0)


def sites(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The sites read side by side (the Wilayah view): active incidents by severity, past
    deadlines, services not operational, feeds."""
    from cc_console.sites import site_figures

    state: State = ctx.obj
    figures = site_figures(state.config, state.store(), state.now())
    if as_json:
        state.print_json([f.as_json() for f in figures])
        return
    from cc_console.cli import tables

    state.out.print(tables.sites_table(figures, state.t, state.now()))


COMMANDS = {
    "status": status,
    "sites": sites,
    "sla": sla,
    "incidents": incidents,
    "agencies": agencies,
    "agenda": agenda,
    "journal": journal,
}
