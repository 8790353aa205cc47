"""``report``: how each agency and the command center did over the last days (kinerja).

CONTRACT.md section 10. The figures come from :mod:`cc_console.kinerja`; the
console's Kinerja figures for the same period are the same numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cc_console.cli.state import State
from cc_console.errors import ConfigError

if TYPE_CHECKING:
    from cc_console.kinerja import Kinerja

__all__ = ["COMMANDS", "markdown"]


def markdown(k: Kinerja, state: State) -> str:
    """The report as Markdown: the ranking, the center, each agency's figures and trend."""
    from cc_console.kinerja import duration, share
    from cc_console.looks import sparkline_values
    from cc_console.text import markdown_text as cell  # every quoted text, escaped

    t, tz = state.t, state.config.site.tz

    lines = [
        f"# {t('report.title')} · {cell(state.config.site.name)}",
        "",
        f"{t('report.period')}: {t.when(k.start, tz)} – {t.when(k.end, tz)}",
        "",
        f"## {t('report.center')}",
        "",
        f"- {t('report.incidents')}: {k.center.incidents}",
        f"- {t('report.acknowledged_on_time')}: "
        f"{share(k.center.acknowledged_on_time, k.center.incidents, counts=True)}",
        f"- {t('report.median_ack')}: {duration(k.center.median_acknowledge_s)}",
        f"- {t('report.breaches')}: {k.center.breaches}",
        "",
        f"## {t('report.ranking')}",
        "",
        f"| # | {t('col.agency')} | {t('report.score')} | {t('report.trend')} | "
        f"{t('report.resolved_on_time')} | {t('report.breaches')} | {t('report.median_resolve')} | "
        f"{t('report.items')} | KPI | {t('report.operational')} |",
        "| ---: | --- | ---: | --- | --- | ---: | ---: | --- | --- | ---: |",
    ]
    for n, a in enumerate(k.agencies, 1):
        f = a.shown(counts=True)
        lines.append(
            f"| {n} | {cell(a.name)} | {f['score']} | {sparkline_values(a.trend)} | "
            f"{f['on_time']} | {a.breaches} | {duration(a.median_resolve_s)} | {f['items']} | "
            f"{f['kpis']} | {f['up']} |"
        )
    lines += ["", t("report.score_note"), ""]
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


def report(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="The last N days.")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="md: one Markdown document; html: one page to print."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write to FILE, not stdout (with --json or --format)."),
    ] = None,
) -> None:
    """How each agency and the center did over the last --days days (ranked by score).

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
    store = state.store()
    from cc_console.kinerja import compute, duration, period, site_rows

    start, end = period(state.now(), days, state.config.site.tz)
    tz = state.config.site.tz
    k = compute(store.kinerja, store.agencies.listing(), start, end, tz=tz, current=True)
    site = state.config.site
    k.sites = site_rows(
        store.kinerja, store.sources.sites(), (site.code or "-", site.name), start, end
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
        f"{t('report.breaches')} {c.breaches}",
        markup=False,
    )
    state.out.print(tables.kinerja_table(k, t, state.out.width))
    state.out.print(t("report.score_note"), style="dim")
    if k.sites:
        state.out.print(tables.report_sites_table(k.sites, t))


COMMANDS = {"report": report}
