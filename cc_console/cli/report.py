"""``report``: how each agency and the command center did over the last days (kinerja).

CONTRACT.md section 10. The figures come from :mod:`cc_console.kinerja`; the
console's Kinerja figures for the same period are the same numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cc_console.cli.state import State
from cc_console.errors import ConfigError
from cc_console.timefmt import parse_iso

if TYPE_CHECKING:
    from cc_console.kinerja import Kinerja, Period

__all__ = ["COMMANDS", "markdown"]


def markdown(k: Kinerja, state: State) -> str:
    """The report as Markdown, the Monday meeting's agenda: the centre, the ranking with
    each score's parts and its change since the previous period ("belum ditugaskan"
    first), then per agency its overdue items and late incidents, the services by
    availability, and the breakdowns."""
    from cc_console.kinerja import duration, part_text, share, signed_change
    from cc_console.looks import sparkline_values
    from cc_console.text import markdown_text as cell  # every quoted text, escaped

    t, tz = state.t, state.config.site.tz
    c = k.center
    own = state.config.site.code or "–"
    # With several sites, a site column: 27 regencies each have a "dinkes".
    site_head, site_rule = (f" {t('col.site')} |", " --- |") if k.per_site else ("", "")

    def site_cell(a: Any) -> str:
        return f" {cell(a.site or own)} |" if k.per_site else ""

    lines = [
        f"# {t('report.title')} · {cell(state.config.site.name)}",
        "",
        f"{t('report.period')}: {t.when(k.start, tz)} – {t.when(k.end, tz)}  ",
    ]
    if k.previous_start:
        lines.append(
            f"{t('report.previous_period')}: {t.when(k.previous_start, tz)} – {t.when(k.start, tz)}"
        )
    lines += [
        "",
        f"## {t('report.center')}",
        "",
        f"- {t('report.incidents')}: {c.incidents}",
        f"- {t('report.acknowledged_on_time')}: "
        f"{share(c.acknowledged_on_time, c.incidents, counts=True)}",
        f"- {t('report.median_ack')}: {duration(c.median_acknowledge_s)}",
        f"- {t('report.breaches')}: {c.breaches}",
        f"- {t('report.unassigned_breaches')}: {c.unassigned_breaches}",
        "",
        f"## {t('report.ranking')}",
        "",
        f"| # | {t('col.agency')} |{site_head} {t('report.score')} | {t('report.change')} | "
        f"{t('report.prev_rank')} | {t('report.part.resolution')} | {t('report.part.items')} | "
        f"{t('report.part.kpis')} | {t('report.part.service')} | {t('report.resolved_on_time')} | "
        f"{t('report.breaches')} | {t('report.items')} | {t('report.trend')} |",
        f"| ---: | --- |{site_rule} ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- "
        "| --- |",
        f"| – | {t('report.unassigned')} |{' – |' if k.per_site else ''} – | – | – | – | – | – | – | – | "
        f"{c.unassigned_breaches} | – | – |",
    ]
    for a in [*k.ranked, *k.unscored]:
        f = a.shown(counts=True)
        p = a.points
        prev = a.previous
        score = f["score"] if a.scored else t("report.no_data")
        lines.append(
            f"| {a.rank or '–'} | {cell(a.name)} |{site_cell(a)} {score} | "
            f"{signed_change(a.score, prev['score']) if a.scored else '–'} | {prev['rank'] or '–'} | "
            + " | ".join(
                part_text(p.get(x)) if a.scored else "–"
                for x in ("resolution", "items", "kpis", "service")
            )
            + f" | {f['on_time']} | {a.breaches} | {f['items']} | {sparkline_values(a.trend)} |"
        )
    lines += ["", t("report.score_note", least=k.min_events), ""]
    agenda = [a for a in [*k.ranked, *k.unscored] if a.overdue_items or a.late_incidents]
    if agenda:
        lines += [f"## {t('report.agenda')}", ""]
        for a in agenda:
            where = f" · {cell(a.site or own)}" if k.per_site else ""
            lines += [f"### {cell(a.name)}{where}", ""]
            for i in a.overdue_items:
                due = t.when(parse_iso(i["due"]), tz, year=False)
                text = t(
                    "report.overdue_item",
                    id=cell(i["id"]),
                    text=cell(i["text"]),
                    due=due,
                    days=i["days_late"],
                )
                if i["meeting_title"]:
                    text += f" ({t('report.from_meeting', title=cell(i['meeting_title']))})"
                lines.append(f"- {text}")
            for i in a.late_incidents:
                lines.append(
                    "- "
                    + t(
                        "report.late_incident",
                        id=cell(i["id"]),
                        title=cell(i["title"]),
                        late=duration(i["overdue_s"]),
                    )
                )
            lines.append("")
    if k.services:
        lines += [
            f"## {t('report.services')}",
            "",
            f"| {t('report.service')} |{site_head} {t('report.operational')} |",
            f"| --- |{site_rule} ---: |",
        ]
        lines += [f"| {cell(a.name)} |{site_cell(a)} {a.shown()['up']} |" for a in k.services]
        lines.append("")
    if k.sites:
        lines += [
            f"## {t('report.sites')}",
            "",
            f"| {t('col.site')} | {t('col.name')} | {t('report.incidents')} | "
            f"{t('report.acknowledged_on_time')} | {t('report.resolved_on_time')} | "
            f"{t('report.breaches')} |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for r in k.sites:
            lines.append(
                f"| {cell(r['code'])} | {cell(r['name'])} | {r['incidents']} | "
                f"{r['acknowledged_on_time']} | {r['resolved_on_time']}/{r['resolved']} | "
                f"{r['breaches']} |"
            )
        lines.append("")
    sections = (
        ("report.by_category", "incidents_by_category", lambda c: t.word("category", c)),
        ("report.by_area", "incidents_by_area", str),
        ("report.overdue_by_owner", "overdue_items_by_owner", str),
    )
    for title, key, word in sections:
        lines += [f"## {t(title)}", ""]
        rows = k.breakdown.get(key, [])
        lines += [f"- {cell(word(name))}: {n}" for name, n in rows] or [t("minutes.none")]
        lines.append("")
    return "\n".join(lines)


def resolve_period(
    state: State, days: int | None, week: str | None, first: str | None, last: str | None
) -> Period:
    """The period the options ask for: ``--days N`` (7 without any), ``--week [YYYY-Www]``
    or ``--from DATE --to DATE``, one kind at a time.

    Raises:
        ConfigError: two kinds at once, half of ``--from``/``--to``, or a bad value.
    """
    from cc_console.kinerja import dates_period, days_period, week_period

    kinds = [days is not None, week is not None, first is not None or last is not None]
    if sum(kinds) > 1:
        raise ConfigError("--days, --week and --from/--to: choose one")
    tz = state.config.site.tz
    try:
        if week is not None:
            return week_period(None if week == LAST_WEEK else week, state.now(), tz)
        if first is not None or last is not None:
            if first is None or last is None:
                raise ConfigError("--from and --to go together")
            return dates_period(first, last, tz)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return days_period(state.now(), days or 7, tz)


LAST_WEEK = "last"  # what a bare --week stands for


def report(
    ctx: typer.Context,
    days: Annotated[
        int | None, typer.Option("--days", min=1, max=366, help="The last N days (7).")
    ] = None,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="An ISO week YYYY-Www, Monday to Monday; alone: the last complete week.",
        ),
    ] = None,
    first: Annotated[str | None, typer.Option("--from", help="First site day YYYY-MM-DD.")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last site day YYYY-MM-DD.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="md: one Markdown document; html: one page to print."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write to FILE, not stdout (with --json or --format)."),
    ] = None,
    site: Annotated[
        str | None,
        typer.Option(
            "--site",
            help="Only the command center with this code (e.g. 32.05); "
            '"local": this center\'s own sources.',
        ),
    ] = None,
) -> None:
    """How each agency and the center did in a period (ranked by score): the last --days
    days, an ISO --week, or --from/--to site days.

    As a table, or as JSON, Markdown or HTML (--json, --format md|html), on stdout or
    into a file (--out).
    """
    state: State = ctx.obj
    if as_json and fmt:
        raise ConfigError("--json and --format: choose one")
    if fmt not in (None, "md", "html"):
        raise ConfigError(f"--format: md or html (got {fmt!r})")
    if out is not None:
        if not (as_json or fmt):
            raise ConfigError("--out: say what to write with --json or --format md|html")
        from cc_console.outfile import check_target

        check_target(out, state.config)  # refused before the work, not after
    when = resolve_period(state, days, week, first, last)
    store = state.store()
    from cc_console.kinerja import duration
    from cc_console.kinerja import report as kinerja_report

    here = state.config.site
    k = kinerja_report(
        store.kinerja,
        store.agencies.listing(),
        when,
        read_from=store.sources.sites(),
        own=(here.code or "-", here.name),
        tz=here.tz,
        min_events=state.config.kinerja.min_events,
        site=site,
    )
    if as_json or fmt:
        import json

        if as_json:
            text = json.dumps(k.as_json(), ensure_ascii=False, indent=2) + "\n"
        elif fmt == "html":
            from cc_console.report import html

            text = html(k, state.t, state.config, state.now())
        else:
            text = markdown(k, state)
        if out is not None:
            from cc_console.outfile import write_output

            write_output(out, text, state.config)
            state.err.print(state.t("report.written", path=str(out)), markup=False)
        elif as_json:
            state.print_json(k.as_json())
        else:
            sys.stdout.write(text)
        return
    from cc_console.cli import tables

    t, tz, c = state.t, state.config.site.tz, k.center
    state.out.print(f"{t('report.title')}: {t.when(k.start, tz)} – {t.when(k.end, tz)}")
    on_time = f"{c.acknowledged_on_time}/{c.incidents}" if c.incidents else "–"
    state.out.print(
        f"{t('report.center')}: {t('report.incidents')} {c.incidents} · "
        f"{t('report.acknowledged_on_time')} {on_time} · "
        f"{t('report.median_ack')} {duration(c.median_acknowledge_s)} · "
        f"{t('report.breaches')} {c.breaches} · "
        f"{t('report.unassigned_breaches')} {c.unassigned_breaches}",
        markup=False,
    )
    state.out.print(tables.kinerja_table(k, t, state.out.width, own=here.code or "–"))
    state.out.print(t("report.score_note", least=k.min_events), style="dim")
    if k.sites:
        state.out.print(tables.report_sites_table(k.sites, t))


COMMANDS = {"report": report}
