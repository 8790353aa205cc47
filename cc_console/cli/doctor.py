"""``cc-console doctor``: check config, cache, journal and sources; ``--rebuild`` the cache."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path
from typing import Annotated

import typer

from cc_console.cli.state import State
from cc_console.config import Config, SourceConfig
from cc_console.errors import CcConsoleError, ConfigError, StoreError
from cc_console.store import SCHEMA_VERSION, Store, holders
from cc_console.timefmt import utcnow

__all__ = ["COMMANDS"]


class Report:
    """Check lines: ✓ good, ⚠ warning, ✖ problem; the worst sets the exit code."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.code = 0

    def line(self, mark: str, text: str, code: int = 0) -> None:
        from rich.text import Text

        style = {"✓": "green", "⚠": "yellow", "✖": "bold red"}[mark]
        out = Text(f"{mark} ", style=style)
        out.append(text)
        self.state.out.print(out, soft_wrap=True)
        self.code = max(self.code, code)


def _check_cache(report: Report, path: Path) -> bool:
    if not path.exists():
        report.line("⚠", f"cache {path} does not exist yet (the first refresh creates it)", 1)
        return False
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        report.line(
            "⚠", f"cache {path} is readable by others (mode {mode:o}); run: chmod 600 {path}", 1
        )
    else:
        report.line("✓", f"cache {path} permissions {mode:o}")
    try:
        store = Store(path)
    except StoreError as exc:
        report.line("✖", f"{exc}; `cc-console doctor --rebuild` rebuilds it from the feeds", 4)
        return False
    try:
        problems = [r for r in store.db.integrity_check() if r != "ok"]
        if problems:
            report.line("✖", f"integrity check failed: {problems[0]}; run doctor --rebuild", 4)
        else:
            report.line("✓", "integrity check ok")
        report.line(
            "✓", f"schema version {store.db.schema_version()} (this cc-console: {SCHEMA_VERSION})"
        )
        verdict = store.journal.verify()
        if verdict.ok:
            report.line("✓", f"journal intact: {verdict.entries} entries, hash chain verified")
        else:
            report.line("✖", f"journal broken at entry {verdict.broken_seq}: {verdict.reason}", 4)
        sent = store.outbox.state(utcnow())
        if sent.failed:
            report.line(
                "⚠",
                f"notifications: {sent.failed} failed (last error: {sent.last_error}); "
                "`cc-console notify flush` retries now",
                1,
            )
    finally:
        store.close()
    return True


def _check_routes(report: Report, cfg: Config) -> None:
    """Each ``[[notify]]`` route: its URLs parse (nothing is sent), it has events and URLs."""
    from cc_console.notify import url_problem

    for route in cfg.notify:
        where = f"route {route.name}"
        problems = [
            f"URL #{n}: {problem}"
            for n, url in enumerate(route.all_urls(), 1)
            if (problem := url_problem(url))
        ]
        for problem in problems:
            report.line("✖", f"{where}: {problem}", 1)
        missing = route.env_missing()
        if missing:
            report.line("⚠", f"{where}: urls_env names ${route.urls_env}, which is not set", 1)
        if not route.events:
            report.line("⚠", f"{where}: no events: it never sends", 1)
        if not problems and not missing and route.events:
            count = len(route.all_urls())
            report.line(
                "✓", f"{where}: {count} URL{'s' * (count != 1)}, events {', '.join(route.events)}"
            )


MIN_TOKEN = 16  # characters: a shorter bearer token can be guessed


def _check_serve(report: Report, cfg: Config) -> None:
    """``[serve]``: the tokens (set, long enough, never shown), the public categories."""
    serve = cfg.serve
    tokens = serve.tokens()
    if serve.tokens_env is None:
        report.line(
            "⚠",
            "[serve] no tokens_env: `serve` publishes the feeds on this machine only "
            "(127.0.0.1), and on any other address only the public page (--public-only)",
        )
    elif not tokens:
        report.line("⚠", f"[serve] tokens_env names ${serve.tokens_env}, which is not set", 1)
    else:
        short = sum(1 for t in tokens if len(t) < MIN_TOKEN)
        if short:
            report.line(
                "⚠", f"[serve] {short} of {len(tokens)} tokens shorter than {MIN_TOKEN} characters",
                1,
            )  # fmt: skip
        else:
            report.line("✓", f"[serve] {len(tokens)} token{'s' * (len(tokens) != 1)} set")
    private = [c for c in serve.public_categories if c in ("complaint", "security")]
    if private:
        report.line(
            "⚠",
            f"[serve] public_categories shows {', '.join(private)} on the public page: "
            "complaints name citizens, security matters name places; is that meant?",
            1,
        )
    elif not serve.public_categories:
        report.line("⚠", "[serve] public_categories is empty: the public page lists no incident")
    else:
        report.line("✓", f"[serve] public page: {', '.join(serve.public_categories)}")


async def _reach(cfg: Config, report: Report) -> None:
    import asyncio

    from cc_console.poll.fetch import fetch, make_client, user_agent

    async def one(src: SourceConfig) -> tuple[SourceConfig, str | None, int | None, float]:
        started = time.perf_counter()
        client = make_client(verify=not src.insecure)
        try:
            got = await fetch(
                client,
                src.url,
                timeout=src.timeout,
                max_bytes=src.max_bytes,
                agent=user_agent(cfg.site.name),
                token=src.token(),
            )
            return src, None, got.status, time.perf_counter() - started
        except CcConsoleError as exc:
            return src, str(exc), getattr(exc, "http_status", None), time.perf_counter() - started
        finally:
            await client.aclose()

    for src, error, status, seconds in await asyncio.gather(
        *(one(s) for s in cfg.sources if s.enabled)
    ):
        name = src.name
        if error:
            report.line("✖", f"source {name}: {error}", 1)
        else:
            report.line("✓", f"source {name}: HTTP {status} in {seconds * 1000:.0f} ms")
        if src.insecure:
            report.line("⚠", f"source {name}: TLS verification is OFF (insecure = true)", 1)
        missing = src.token_missing()
        if missing:
            report.line("⚠", f"source {name}: {missing}", 1)


def _rebuild(state: State, cfg: Config, report: Report) -> None:
    path = cfg.cache.path
    # Refuse while a poller or a console has the cache open; hold it shut meanwhile.
    hold = holders.exclusive(path) if path.exists() else None
    try:
        _rebuild_into(state, cfg, report, path)
    finally:
        holders.release(hold)


def _rebuild_into(state: State, cfg: Config, report: Report, path: Path) -> None:
    import asyncio

    from cc_console.poll import Refresher

    fresh = path.with_name(path.name + ".rebuild")
    for leftover in (fresh, Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):
        leftover.unlink(missing_ok=True)
    # (No routes: what the rebuild's refresh finds is the baseline, not news.)
    store = Store.for_config(cfg, fresh, operator=state.operator or "doctor", notify=())
    try:
        carried = store.journal.import_from(path) if path.exists() else 0
        if path.exists():
            with store.db.tx() as c:
                kept = store.followups.import_from(c, path)
            report.line("✓", f"decisions and action items carried over: {kept}")
            with store.db.tx() as c:
                kept = store.crisis.import_from(c, path)
            report.line("✓", f"crisis events, impact reports and sit-reps carried over: {kept}")
        verdict = store.journal.verify()
        if not verdict.ok:
            report.line(
                "⚠",
                f"the carried journal is broken at entry {verdict.broken_seq}: {verdict.reason}",
                1,
            )
        report.line("✓", f"journal carried over: {carried} entries")

        async def refresh() -> list:
            refresher = Refresher(cfg, store)
            try:
                return await refresher.refresh([s for s in cfg.sources if s.enabled])
            finally:
                await refresher.aclose()

        for o in asyncio.run(refresh()):
            if o.status == "failed":
                report.line("✖", f"source {o.name}: {o.error}", 1)
            else:
                report.line("✓", f"source {o.name}: {o.records} records")
        report.line("✓", f"operator actions replayed: {store.journal.replay()}")
        if path.exists():
            with store.db.tx() as c:
                kept = store.outbox.import_from(c, path)
            report.line("✓", f"notification outbox and silences carried over: {kept}")
    finally:
        store.close()
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    if path.exists():
        backup = path.with_name(f"{path.name}.bak-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            old = Path(f"{path}{suffix}")
            if old.exists():
                shutil.move(old, Path(f"{backup}{suffix}"))
        report.line("✓", f"old cache kept as {backup}")
    os.replace(fresh, path)
    for suffix in ("-wal", "-shm"):
        Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    report.line("✓", f"cache rebuilt at {path}")


def doctor(
    ctx: typer.Context,
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Rebuild the cache from the feeds, keeping the journal."),
    ] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Do not contact the sources.")] = False,
) -> None:
    """Check config, cache integrity, schema, permissions, journal and sources."""
    import asyncio

    state: State = ctx.obj
    report = Report(state)
    cfg = state.config
    if cfg.path is None:
        raise ConfigError("no config file: pass --config PATH or create ./config.toml")
    report.line("✓", f"config {cfg.path}: {len(cfg.sources)} sources")
    if rebuild:
        if state.read_only:
            state.store().db.require_writable("doctor --rebuild")
        _rebuild(state, cfg, report)
    else:
        _check_routes(report, cfg)
        _check_serve(report, cfg)
        _check_cache(report, cfg.cache.path)
        if not offline:
            asyncio.run(_reach(cfg, report))
    raise typer.Exit(report.code)


COMMANDS = {"doctor": doctor}
