"""Notifications: ``notify`` (the outbox), ``notify test``, ``notify flush``, ``silence …``.

CONTRACT.md section 8. Route URLs are never printed: errors pass through the
route's redaction before they reach the terminal.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer

from cc_console.cli.state import State
from cc_console.config_values import SILENCE
from cc_console.errors import ConfigError
from cc_console.store import Store
from cc_console.store.outbox import SILENCE_KEYS
from cc_console.text import clean_line, shown

if TYPE_CHECKING:  # (Apprise's side loads when a command sends)
    from cc_console.notify import Delivery

__all__ = ["notify_app", "silence_app"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
STATUSES = ("pending", "sent", "failed", "silenced", "dropped")
FLUSH_WAIT_S = 30.0  # how long `notify flush` waits for another sender to finish

notify_app = typer.Typer(
    help="The notification outbox (newest first); test a route; send what waits.",
    invoke_without_command=True,
)
silence_app = typer.Typer(help="Silences: planned quiet for notifications (add, list, expire).")


def _writable(state: State, what: str) -> Store:
    store = state.store()
    if state.read_only:
        store.db.require_writable(what)
    return store


@notify_app.callback()
def notify(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000, help="At most N.")] = 100,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only pending, sent, failed, silenced or dropped."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The outbox, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    state: State = ctx.obj
    if status is not None and status not in STATUSES:
        raise ConfigError(f"--status: one of {', '.join(STATUSES)}, got {shown(status)}")
    rows = state.store().outbox.messages(limit, status)
    if as_json:
        state.print_json([m.as_json() for m in rows])
        return
    t = state.t
    if not state.config.notify:
        state.err.print(t("notify.no_routes"))
    if not rows:
        state.out.print(t("notify.empty"))
        return
    from cc_console.cli import tables

    state.out.print(tables.outbox_table(rows, t, state.config.site.tz))


@notify_app.command("test")
def notify_test(
    ctx: typer.Context,
    route: Annotated[str, typer.Argument(help="The [[notify]] route's name.")],
    as_json: JsonOpt = False,
) -> None:
    """Send one test message on ROUTE now (exit 0 delivered, 1 not)."""
    import asyncio

    state: State = ctx.obj
    chosen = state.config.route(route)
    from cc_console.notify import Notifier

    error = asyncio.run(Notifier(state.config, state.store()).test(chosen))
    if as_json:
        state.print_json({"route": chosen.name, "delivered": error is None, "error": error})
    elif error is None:
        state.err.print(state.t("notify.test_ok", route=chosen.name))
    else:
        state.err.print(state.t("notify.test_failed", route=chosen.name, error=error), markup=False)
    if error is not None:
        raise typer.Exit(1)


@notify_app.command("flush")
def notify_flush(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Send now every message not yet sent (pending or failed, ignoring backoff)."""
    import asyncio

    state: State = ctx.obj
    store = _writable(state, "notify flush")
    if not state.config.notify:
        raise ConfigError("no [[notify]] routes in the config: nothing can be sent")
    from cc_console.notify import Notifier

    notifier = Notifier(state.config, store)
    deadline = time.monotonic() + FLUSH_WAIT_S
    while True:
        done: Delivery = asyncio.run(notifier.deliver(force=True))
        if done.busy is None or time.monotonic() > deadline:
            break
        time.sleep(0.5)  # another process is sending: one sender at a time
    waiting = store.outbox.waiting_count()
    if as_json:
        state.print_json(
            {
                "sent": done.sent,
                "messages": done.groups,
                "failed": done.failed,
                "silenced": done.silenced,
                "waiting": waiting,
                "busy": done.busy,
                "errors": done.errors or [],
            }
        )
    else:
        t = state.t
        if done.busy is not None:
            state.err.print(t("notify.busy", holder=clean_line(done.busy, 120)), markup=False)
        state.err.print(
            t("notify.flushed", sent=done.sent, messages=done.groups, failed=done.failed,
              silenced=done.silenced, waiting=waiting)
        )  # fmt: skip
        for error in done.errors or []:
            state.err.print(f"  ✖ {error}", markup=False)
    if done.failed or done.busy is not None:
        raise typer.Exit(1)


def _check_values(state: State, store: Store, matchers: dict[str, str]) -> None:
    """Refuse a matcher that can never match, naming the values that can (the console's
    silence dialog checks the same)."""
    from cc_console.silencing import known_values, unknown_value

    found = unknown_value(matchers, known_values(state.config, store))
    if found is not None:
        key, want, known = found
        values = ", ".join(known) or state.t("silence.none_known")
        raise ConfigError(
            state.t("silence.unknown_value", name=key, value=shown(want), known=values)
        )


def _matchers(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, want = value.partition("=")
        key = key.strip()
        if not sep or key not in SILENCE_KEYS or not want.strip():
            raise ConfigError(
                f"--match {shown(value)}: expected KEY=VALUE with KEY one of "
                f"{', '.join(SILENCE_KEYS)}"
            )
        if key in out:
            raise ConfigError(f"--match: {key} is given twice")
        if not want.isprintable():
            raise ConfigError(f"--match {shown(value)}: control characters are not allowed")
        out[key] = want.strip()
    if not out:
        raise ConfigError("--match KEY=VALUE is required (a silence of everything is not one)")
    return out


@silence_app.command("add")
def silence_add(
    ctx: typer.Context,
    match: Annotated[
        list[str],
        typer.Option(
            "--match", help="KEY=VALUE (event, severity, category, source, area, agency)."
        ),
    ],
    duration: Annotated[str, typer.Option("--for", help='How long: "2h", "3d" (at most 90d).')],
    reason: Annotated[str, typer.Option("--reason", help="Why (journaled).")],
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="List the messages of the last 24 h it would have held; add nothing."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Silence the messages that match, from now for DURATION (journaled); prints its id.

    ``source=NAME`` holds every message that source causes: its incidents, the
    agencies it reports down (and up again), its own failure.
    """
    state: State = ctx.obj
    matchers = _matchers(match)
    try:
        seconds = SILENCE(duration)
    except ValueError as exc:
        raise ConfigError(f"--for: {exc}") from None
    if not reason.strip() or not reason.isprintable():
        raise ConfigError("--reason: say why, on one line")
    if dry_run:
        store = state.store()
        _check_values(state, store, matchers)
        _dry_run(state, store, matchers, as_json)
        return
    store = _writable(state, "silence add")
    _check_values(state, store, matchers)
    silence = store.outbox.silence(matchers, seconds, clean_line(reason, 200), state.now())
    if as_json:
        state.print_json(silence.as_json(state.now()))
        return
    print(silence.id)
    state.err.print(
        state.t(
            "silence.added",
            id=silence.id,
            until=state.t.when(silence.ends_at, state.config.site.tz),
        ),
    )


DRY_RUN_HOURS = 24  # how far back `silence add --dry-run` looks


def _dry_run(state: State, store: Store, matchers: dict[str, str], as_json: bool) -> None:
    """What a silence of ``matchers`` would have held in the last day (nothing is added)."""
    from datetime import timedelta

    rows = store.outbox.would_hold(matchers, state.now() - timedelta(hours=DRY_RUN_HOURS))
    if as_json:
        state.print_json([m.as_json() for m in rows])
        return
    t = state.t
    state.err.print(t("silence.dry_run", n=len(rows), hours=DRY_RUN_HOURS))
    if rows:
        from cc_console.cli import tables

        state.out.print(tables.outbox_table(rows, t, state.config.site.tz))


@silence_app.command("list")
def silence_list(
    ctx: typer.Context,
    active: Annotated[bool, typer.Option("--active", help="Active silences only.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Silences, newest first."""
    state: State = ctx.obj
    now = state.now()
    outbox = state.store().outbox
    rows = outbox.silences(now, active_only=active)
    hits = outbox.hits()
    if as_json:
        state.print_json([s.as_json(now, hits.get(s.id, 0)) for s in rows])
        return
    if not rows:
        state.out.print(state.t("silence.empty"))
        return
    from cc_console.cli import tables

    state.out.print(tables.silences_table(rows, state.t, state.config.site.tz, now, hits))


@silence_app.command("expire")
def silence_expire(
    ctx: typer.Context,
    silence_id: Annotated[str, typer.Argument(help="The silence's id (from silence list).")],
) -> None:
    """End a silence now (journaled)."""
    state: State = ctx.obj
    text = silence_id.strip().upper().removeprefix("S-")
    if not text.isdigit() or len(text) > 12:
        raise ConfigError(f"silence id: a number, got {shown(silence_id)}")
    store = _writable(state, "silence expire")
    silence = store.outbox.expire(int(text), state.now())
    state.err.print(state.t("silence.expired", id=silence.id))
