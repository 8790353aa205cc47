"""Commands that talk to feeds or open the console: refresh, poll, tui, demo."""

from __future__ import annotations

import os
import signal
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cc_console.cli.state import State, finite
from cc_console.config import Config
from cc_console.errors import ConfigError
from cc_console.timefmt import iso_z, utcnow

if TYPE_CHECKING:
    from cc_console.poll import SourceOutcome
    from cc_console.store import Store

__all__ = ["COMMANDS", "tui"]


def _selected(cfg: Config, names: list[str] | None) -> list:
    if names:
        return [cfg.source(n) for n in names]
    return [s for s in cfg.sources if s.enabled]


async def _refresh(cfg: Config, store: Store, sources: list, progress: bool) -> list[SourceOutcome]:
    from cc_console.poll import Refresher

    refresher = Refresher(cfg, store)
    try:
        if not progress:
            return await refresher.refresh(sources)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("refresh", total=len(sources))

            def done(o: SourceOutcome) -> None:
                bar.update(task, advance=1, description=o.name)

            return await refresher.refresh(sources, on_done=done)
    finally:
        await refresher.aclose()


def refresh(
    ctx: typer.Context,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only this source (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Fetch every enabled source (or the named ones) once, concurrently."""
    import asyncio

    state: State = ctx.obj
    cfg = state.config
    if cfg.path is None:
        raise ConfigError("no config file: pass --config PATH or create ./config.toml")
    sources = _selected(cfg, source)
    store = state.store()
    outcomes = asyncio.run(_refresh(cfg, store, sources, sys.stderr.isatty() and not as_json))
    health = {h.name: h for h in store.sources.health(sources, cfg.poll.stale_after, utcnow())}
    failed = [o for o in outcomes if o.status == "failed"]
    stale = [o for o in outcomes if health[o.name].stale]
    ok = not failed and not stale
    if as_json:
        state.print_json({"ok": ok, "sources": [o.as_json() for o in outcomes]})
    else:
        if sys.stdout.isatty():
            from cc_console.cli import tables

            state.out.print(tables.refresh_table(outcomes, state.t))
            changed = sum(o.changed for o in outcomes)
            state.out.print(
                state.t(
                    "summary.refresh",
                    ok=len(outcomes) - len(failed),
                    total=len(outcomes),
                    changed=changed,
                )
            )
        for o in failed:
            sys.stderr.write(f"cc-console: source {o.name}: {o.error}\n")
    raise typer.Exit(0 if ok else 1)


def poll(ctx: typer.Context) -> None:
    """Run the pollers until SIGTERM or SIGINT: each source on its own interval."""
    import asyncio

    state: State = ctx.obj
    cfg = state.config
    if cfg.path is None:
        raise ConfigError("no config file: pass --config PATH or create ./config.toml")
    store = state.store()

    def report(o: SourceOutcome) -> None:
        line = f"{iso_z(utcnow())} {o.name} {o.status} records={o.records} changed={o.changed}"
        if o.error:
            line += f" error={o.error}"
        print(line, file=sys.stderr, flush=True)

    async def main() -> None:
        from cc_console.poll import run_pollers
        from cc_console.watchdog import Watchdog

        stop = asyncio.Event()
        # A parse running in a thread (a calendar's expansion, a large feed) cannot be
        # interrupted: the clean way has a few seconds, then the cache is closed and
        # the process ends, as a service manager's stop expects.
        watchdog = Watchdog([store], grace=2.0, terminal=False)

        def stop_now() -> None:
            stop.set()
            watchdog.arm(0)

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop_now)
        await run_pollers(cfg, store, stop, on_outcome=report)

    asyncio.run(main())


def require_terminal() -> None:
    """Refuse to open the console where there is no terminal to draw it on.

    Raises:
        ConfigError: stdin or stdout is not a terminal (a pipe, /dev/null, closed),
            or TERM=dumb.
    """
    streams = {"stdin": sys.stdin, "stdout": sys.stdout}
    for name, stream in streams.items():
        try:
            is_tty = stream is not None and stream.isatty()
        except (ValueError, OSError):  # closed
            is_tty = False
        if not is_tty:
            raise ConfigError(
                f"the console needs a terminal, and {name} is not one; in scripts use "
                "`cc-console status`, `refresh` or the listings with --json"
            )
    if os.environ.get("TERM", "") in ("dumb", "unknown"):
        raise ConfigError(
            f"TERM={os.environ['TERM']}: this terminal cannot draw the console; "
            "set TERM (e.g. xterm-256color) or use the listings"
        )


def tui(ctx: typer.Context) -> None:
    """Open the console."""
    state: State = ctx.obj
    require_terminal()
    from cc_console.app import run_console  # Textual is loaded only here

    run_console(state)


def demo(
    ctx: typer.Context,
    no_tui: Annotated[
        bool, typer.Option("--no-tui", help="Refresh, print a summary and exit.")
    ] = False,
    serve: Annotated[
        bool, typer.Option("--serve", help="Only serve the demo feeds, until Ctrl+C.")
    ] = False,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port for --serve (0: any free port).")
    ] = 8765,
    province: Annotated[
        bool,
        typer.Option(
            "--province",
            help="The 27 regencies and cities of Jawa Barat, each served as its own site, "
            "and the province's console reading them all.",
        ),
    ] = False,
) -> None:
    """Serve the bundled demo feeds on 127.0.0.1 and open the console on them."""
    from cc_console.demo.session import run_demo, serve_demo

    if province:
        from cc_console.demo.province import run_province

        if not no_tui:
            require_terminal()
        run_province(ctx.obj, tui=not no_tui)
    elif serve:
        try:
            serve_demo(port)
        except OSError as exc:  # the port is taken (or not ours to take): one line, exit 2
            raise ConfigError(
                f"demo --serve: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}; "
                "choose another --port (0: any free port)"
            ) from None
    else:
        if not no_tui:
            require_terminal()
        run_demo(ctx.obj, tui=not no_tui)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free).")
    ] = 8080,
    days: Annotated[
        int,
        typer.Option(
            "--days", min=0, max=3660, help="Also publish incidents updated in the last N days."
        ),
    ] = 7,
    idle_timeout: Annotated[
        float,
        typer.Option(
            "--idle-timeout",
            callback=finite,
            min=0.1,
            max=600,
            help="Drop a client that sends nothing for this many seconds.",
        ),
    ] = 10.0,
    public_only: Annotated[
        bool,
        typer.Option(
            "--public-only",
            help="Serve only the public page, /status.json and /healthz (no tokens needed).",
        ),
    ] = False,
) -> None:
    """Publish this site: the public status page, Statuspage and CAP, native feeds for the
    province (CONTRACT.md section 11). Stops cleanly on SIGTERM."""
    from cc_console.serve import Server, is_loopback

    state: State = ctx.obj
    config = state.config
    path = config.cache.path
    state.store()  # fail now (exit 4) if the cache cannot be opened
    tokens = config.serve.tokens()
    if not tokens and not public_only and not is_loopback(host):
        where = f"${config.serve.tokens_env}" if config.serve.tokens_env else "[serve] tokens_env"
        raise ConfigError(
            f"serve: {host} is reachable from other machines and no token is set in {where}; "
            "set tokens, or pass --public-only to publish only the public page"
        )
    server = Server(
        config, host=host, port=port, days=days, idle_timeout=idle_timeout,
        public_only=public_only,
    )  # fmt: skip

    def ready(address: str) -> None:
        private = (
            "not served (--public-only)" if public_only
            else "need a token" if tokens else "open on this machine only (no tokens)"
        )  # fmt: skip
        sys.stderr.write(
            f"serving {path} at {address}/ (public page, /status.json, /cap/public.atom); "
            f"/incidents.json, /agencies.json, /actions.json, /cap/index.atom: {private}\n"
        )
        sys.stderr.flush()

    try:
        server.run(ready)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


COMMANDS = {"refresh": refresh, "poll": poll, "tui": tui, "demo": demo, "serve": serve}
