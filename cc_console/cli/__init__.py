"""The command line: a thin Typer layer over the store and the pollers.

Global options come before the sub-command and from the environment
(CONTRACT.md section 1).  Every :class:`CcConsoleError` becomes one line on
stderr and the exit code of its kind; ``--debug`` shows the traceback.
Textual is imported only by the commands that open the console.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer

from cc_console.cli import (
    actions,
    crisis,
    doctor,
    feeds,
    followup,
    handover,
    listings,
    notify,
    report,
)
from cc_console.cli.state import State
from cc_console.errors import CcConsoleError, ConfigError
from cc_console.text import operator_name

__all__ = ["app", "main"]

app = typer.Typer(
    name="cc-console",
    help="Operator console of a regional command center (cc-console).",
    add_completion=False,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def _global(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", envvar="CC_CONSOLE_CONFIG", help="The config file.", dir_okay=False
        ),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="CC_CONSOLE_DB",
            help="The SQLite cache (overrides [cache] path).",
            dir_okay=False,
            readable=False,  # the store says why it cannot read it (exit 4, not 2)
        ),
    ] = None,
    read_only: Annotated[
        bool,
        typer.Option(
            "--read-only",
            envvar="CC_CONSOLE_READ_ONLY",
            help="No operator actions; only pollers write.",
        ),
    ] = False,
    operator: Annotated[
        str,
        typer.Option(
            "--operator", envvar="CC_OPERATOR", help="Who is acting (default: login name)."
        ),
    ] = "",
    lang: Annotated[
        str | None,
        typer.Option("--lang", envvar="CC_CONSOLE_LANG", help="Interface language: id or en."),
    ] = None,
    no_mouse: Annotated[bool, typer.Option("--no-mouse", help="Do not capture the mouse.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    if lang is not None and lang not in ("id", "en"):
        raise ConfigError(f'--lang must be "id" or "en", got {lang!r}')
    state = State(
        config_path=config,
        db_path=db,
        read_only=read_only,
        operator=_operator(operator),
        lang=lang,
        debug=debug,
        no_mouse=no_mouse,
    )
    ctx.obj = state
    _STATES.append(state)
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        feeds.tui(ctx)


_STATES: list[State] = []  # the run's options, for saying an error in the operator's language


for module in (feeds, listings, actions, followup, doctor, handover, report, crisis):
    for name, fn in module.COMMANDS.items():
        app.command(name)(fn)
app.add_typer(followup.action_app, name="action")
app.add_typer(followup.meeting_app, name="meeting")
app.add_typer(crisis.event_app, name="event")
app.add_typer(notify.notify_app, name="notify")
app.add_typer(notify.silence_app, name="silence")


def _operator(value: str) -> str:
    """``--operator``/``CC_OPERATOR`` checked: it is journaled and shown to every operator."""
    if not value.strip():
        return ""
    try:
        return operator_name(value)
    except ValueError as exc:
        raise ConfigError(f"--operator (or CC_OPERATOR): {exc}") from None


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``cc-console`` script: run, and map errors to exit codes."""
    args = _bare_week(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    _STATES.clear()
    try:
        app(args=args, prog_name="cc-console")
    except CcConsoleError as exc:
        if debug:
            traceback.print_exc()
        sys.stderr.write(f"cc-console: {_one_line(exc)}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)


def _said(exc: CcConsoleError) -> str:
    """The error in the operator's language and site zone, where it has words for it.

    The language and zone are the run's (``--lang``, the config); an error
    before they are known (a config that does not load) is said as raised.
    """
    from datetime import UTC, tzinfo

    from cc_console.i18n import Translator

    if exc.key is None or not _STATES:
        return str(exc)
    state = _STATES[-1]
    tz: tzinfo = UTC
    try:
        lang = state.language
        tz = state.config.site.tz
    except CcConsoleError:
        lang = state.lang or "id"
    return Translator(lang).error(exc, tz)


def _bare_week(args: list[str]) -> list[str]:
    """``report --week`` without a value means the last complete week: give it the value
    that says so (the option parser would take the next option as the week)."""
    if "report" not in args:
        return args
    out = list(args)
    for n in range(len(out) - 1, -1, -1):
        if out[n] == "--week" and (n + 1 == len(out) or out[n + 1].startswith("-")):
            out.insert(n + 1, "last")
    return out


def _one_line(exc: CcConsoleError) -> str:
    """The error on one line, in the operator's language where it has words for it."""
    return " ".join(_said(exc).split()) or type(exc).__name__
