"""``cc-console demo --province``: the 27 regencies and cities of Jawa Barat, each its own site.

Each site has its own cache filled from its own simulated world (its kecamatan,
its agencies), served by its own :class:`~cc_console.serve.Server` on
127.0.0.1 with its own token; the province's console reads all 27 as native
feeds with those tokens, exactly as it would read real command centers. The
worlds keep moving: every few seconds some sites get news, which the
province's pollers bring in, and every site records a poll each tick (as its
own poller would), so a site whose world stops shows as stale at the province.
A tick that fails is logged and counted, and the clock goes on.
"""

from __future__ import annotations

import json
import random
import secrets
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cc_console.config import Config, load_config
from cc_console.demo.render import native_agencies, native_incidents
from cc_console.demo.world import DemoWorld
from cc_console.resources import data_dir
from cc_console.serve import Server, ServerThread
from cc_console.sources.base import ParseContext
from cc_console.store import PollRecord, Store
from cc_console.timefmt import utcnow

__all__ = ["SITES", "ProvinceDemo", "run_province"]

SITES: list[dict[str, Any]] = json.loads((data_dir() / "demo" / "jabar.json").read_text("utf-8"))[
    "sites"
]
TICK_S = 5.0  # a few sites get news this often
REPORTS = 120  # each site's reports of the last week at the start


def _token_env(code: str) -> str:
    return "CC_DEMO_TOKEN_" + code.replace(".", "")


@dataclass
class _Site:
    code: str
    name: str
    world: DemoWorld
    store: Store
    config: Config
    server: Server | None = None


class ProvinceDemo:
    """The 27 sites, their servers (one event loop in a thread) and the province's config."""

    def __init__(
        self,
        folder: Path,
        sites: list[dict[str, Any]] | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.folder = folder
        self.sites: list[_Site] = []
        self.servers = ServerThread()
        self.stop_ticking = threading.Event()
        self.ticker = threading.Thread(target=self._tick, name="demo-province-tick", daemon=True)
        self.rng = random.Random(32)
        self.clock = clock
        self.tick_errors: list[str] = []  # one line per failed tick of a site, for the end
        now = clock()
        for spec in sites or SITES:
            self.sites.append(self._site(spec, now))

    def _site(self, spec: dict[str, Any], now: Any) -> _Site:
        code, name = spec["code"], spec["name"]
        home = self.folder / code
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(
            "\n".join([
                "[site]", f'name = "Command Center {name}"', f'code = "{code}"',
                'timezone = "Asia/Jakarta"', "[cache]", 'path = "cache.db"',
                "[serve]", f'tokens_env = "{_token_env(code)}"',
            ]) + "\n",
            encoding="utf-8",
        )  # fmt: skip
        import os

        os.environ.setdefault(_token_env(code), secrets.token_urlsafe(18))
        rng = random.Random(code)
        # Each kecamatan with its Kemendagri code, around the regency's centre.
        area = [
            [kec_code, kec,
             spec["lat"] + rng.uniform(-0.08, 0.08), spec["lon"] + rng.uniform(-0.08, 0.08)]
            for kec_code, kec in spec["kecamatan"]
        ]  # fmt: skip
        world = DemoWorld(now, seed=int(code.replace(".", "")), area=area, initial_reports=REPORTS)
        world._flashed = code != "32.05"  # one extreme flood arrives live, in Garut
        config = load_config(home / "config.toml")
        store = Store(config.cache.path)
        site = _Site(code, name, world, store, config)
        self._write(site, now)
        # Two regencies in an emergency: the province's view 7 sums their events per site.
        from cc_console.demo.crisis import seed_citarum, seed_crisis

        if code == "32.05":
            seed_crisis(store)
        elif code == "32.04":
            seed_citarum(store)
        return site

    def _write(self, site: _Site, now: datetime) -> None:
        """The site's world into its cache, through the native parser as a feed would."""
        from cc_console.sources.native import parse

        with site.world.lock:
            docs = (
                ("lapor", "incidents", native_incidents(site.world, "")),
                ("opd", "agencies", native_agencies(site.world, "")),
            )
        for source, kind, body in docs:
            ctx = ParseContext(source=source, kind=kind, url="demo:", now=now,
                               tz=site.config.site.tz)  # fmt: skip
            parsed = parse(body, ctx)
            records = parsed.records(kind)
            site.store.apply(kind, PollRecord(source, now, ok=True, records=len(records)), records)

    # -- serving --------------------------------------------------------------------

    def start(self) -> None:
        """Start every site's server, and the clock that moves their worlds."""
        for site in self.sites:
            site.server = Server(site.config, port=0, idle_timeout=30)
        self.servers.start([site.server for site in self.sites if site.server is not None])
        self.ticker.start()

    def _tick(self) -> None:
        while not self.stop_ticking.wait(TICK_S):
            self.tick(self.clock())

    def tick(self, now: datetime) -> None:
        """One step of the clock: news at three sites; every other site records a poll.

        Never raises: a site whose world or cache fails is logged (stderr, and
        :attr:`tick_errors` for the end of the demo) and the others go on, this
        tick and the next (a dead clock thread once left the province's feeds
        answering the same data while they looked healthy).
        """
        news = self.rng.sample(self.sites, k=min(3, len(self.sites)))
        for site in self.sites:
            try:
                if site in news:
                    site.world.tick(now)
                    self._write(site, now)
                else:  # its own poller found nothing new: the site is alive
                    for source in ("lapor", "opd"):
                        site.store.sources.record(PollRecord(source, now, ok=True))
            except Exception as exc:
                self._failed(site, exc)

    def _failed(self, site: _Site, exc: Exception) -> None:
        where = traceback.extract_tb(exc.__traceback__)[-1:]
        place = f" at {where[0].filename.rsplit('/', 1)[-1]}:{where[0].lineno}" if where else ""
        line = f"demo --province: {site.code}: tick failed: {type(exc).__name__}: {exc}{place}"
        if len(self.tick_errors) < 100:
            self.tick_errors.append(line)
        try:
            sys.stderr.write(line + "\n")
        except (OSError, ValueError):  # no terminal left: it is kept for the end
            pass

    def close(self) -> None:
        """Stop the clock and every server."""
        self.stop_ticking.set()
        if self.ticker.is_alive():
            self.ticker.join(30)  # a tick writing a site's cache finishes first
        self.servers.close()
        for site in self.sites:
            site.store.close()

    # -- the province ---------------------------------------------------------------

    def province_config(self, cache: Path) -> str:
        """The province's config: three native sources (incidents, agencies, disaster
        events) per site."""
        lines = [
            "# Temporary config of `cc-console demo --province`",
            "[site]",
            'name = "Pusat Komando Provinsi Jawa Barat (DEMO)"',
            'code = "32"',
            'timezone = "Asia/Jakarta"',
            "[cache]",
            f"path = {json.dumps(str(cache))}",
            "[poll]",
            'interval = "20s"',
            'timeout = "5s"',
            "concurrency = 16",
            "",
            "[[sla]]",
            'match = { severity = ["extreme", "severe"] }',
            'acknowledge_within = "30m"',
            'resolve_within = "24h"',
        ]
        for site in self.sites:
            assert site.server is not None
            slug = site.code.replace(".", "")
            for kind, path, suffix in (("incidents", "/incidents.json", ""),
                                       ("agencies", "/agencies.json", "-opd"),
                                       ("events", "/events.json", "-kejadian")):  # fmt: skip
                lines += [
                    "",
                    "[[sources]]",
                    f'name = "w{slug}{suffix}"',
                    f'kind = "{kind}"',
                    'format = "native"',
                    f'url = "{site.server.address}{path}"',
                    f'token_env = "{_token_env(site.code)}"',
                    f'site = "{site.code}"',
                ]
        return "\n".join(lines) + "\n"


def run_province(state: object, *, tui: bool) -> None:
    """``demo --province``: serve the 27 sites and open the province's console on them."""
    from cc_console.cli.state import State
    from cc_console.demo.session import exit_if_failed, refresh_once

    assert isinstance(state, State)
    with tempfile.TemporaryDirectory(prefix="cc-console-province-") as tmp:
        folder = Path(tmp)
        demo = ProvinceDemo(folder / "sites")
        try:
            demo.start()
            config_path = folder / "province.toml"
            config_path.write_text(demo.province_config(folder / "province.db"), "utf-8")
            state.config_path = config_path
            state.db_path = None
            cfg = state.config
            store = state.store()
            first = demo.sites[0].server
            sys.stderr.write(
                f"{len(demo.sites)} sites served on 127.0.0.1 (e.g. {first.address if first else ''}/"
                f" is {demo.sites[0].name}'s public page)\n"
                f"province config {config_path} (try: cc-console --config {config_path} "
                "incidents --site 32.05)\n"
            )
            sys.stderr.flush()

            outcomes = refresh_once(cfg, store)
            if not tui:
                read = sum(1 for o in outcomes if o.status != "failed")
                counts = (len(store.incidents.listing()), len(store.agencies.listing()))
                events = store.site_events.listing()
                at = len({e.source for e in events})
                state.out.print(
                    f"{len(demo.sites)} sites: {counts[0]} active incidents, {counts[1]} "
                    f"agencies, {len(events)} disaster events at {at} sites; "
                    f"{read}/{len(outcomes)} feeds read"
                )
                exit_if_failed(outcomes)
                return
            from cc_console.app import run_console

            run_console(state)
        finally:
            demo.close()
            if demo.tick_errors:  # the console hid stderr while it ran
                sys.stderr.write(
                    f"demo --province: {len(demo.tick_errors)} tick(s) failed; first: "
                    f"{demo.tick_errors[0]}\n"
                )
