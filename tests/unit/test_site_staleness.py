"""A site that stopped writing is stale at the province even while its server answers;
and the province demo's world keeps moving (its clock never dies silently).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cc_console.config import load_config
from cc_console.demo.province import SITES, TICK_S, ProvinceDemo
from cc_console.sources.base import ParseContext
from cc_console.sources.native import parse
from cc_console.store import PollRecord, Store
from cc_console.timefmt import parse_iso, utcnow
from tests.conftest import incident, incidents_doc, native_source, write_config
from tests.serving import Serving


def _regency(tmp_path, code: str, written: datetime):
    """A regency's cache, last written at ``written`` by its own poller."""
    home = tmp_path / code.replace(".", "")
    home.mkdir()
    cfg = write_config(home / "config.toml", [])
    text = cfg.read_text().replace('code = "32.05"', f'code = "{code}"')
    cfg.write_text(text + '[serve]\ntokens_env = "CC_SERVE_TOKENS"\n')
    config = load_config(cfg)
    ctx = ParseContext("lapor", "incidents", "x:", written, tz=config.site.tz)
    records = parse(incidents_doc(incident(f"L{code}", f"Banjir {code}")).encode(), ctx).incidents
    store = Store(config.cache.path)
    store.apply("incidents", PollRecord("lapor", written, ok=True, records=1), records)
    store.close()
    return cfg


def test_a_site_that_stopped_writing_is_stale_though_its_server_answers(tmp_path, cli, monkeypatch):
    now = utcnow().replace(microsecond=0)
    stopped = now - timedelta(minutes=30)  # its poller (or its world) died half an hour ago
    serving = {}
    try:
        for code, written in (("32.06", stopped), ("32.07", now)):
            serving[code] = Serving(_regency(tmp_path, code, written), tokens=f"tok-{code}-abcdef")
            serving[code].__enter__()
        (tmp_path / "prov").mkdir()
        sources = [
            native_source(f"w{code.replace('.', '')}", s.address + "/incidents.json",
                          token_env=f"TOK_{code.replace('.', '')}", site=code)
            for code, s in serving.items()
        ]  # fmt: skip
        cfg = write_config(tmp_path / "prov" / "config.toml", sources)
        cfg.write_text(cfg.read_text().replace('code = "32.05"', 'code = "32"'))
        for code in serving:
            monkeypatch.setenv(f"TOK_{code.replace('.', '')}", f"tok-{code}-abcdef")
        r = cli("--config", str(cfg), "refresh", "--json")
        # Both answer and are read; the one whose data is old makes the refresh not OK.
        assert r.code == 1 and r.json()["ok"] is False, r.out + r.err
        assert {s["status"] for s in r.json()["sources"]} == {"updated"}
        status = cli("--config", str(cfg), "status", "--json").json()["sources"]
        by_name = {s["name"]: s for s in status}
        assert by_name["w3206"]["consecutive_failures"] == 0  # it answers...
        assert by_name["w3206"]["stale"] is True  # ...with data half an hour old
        assert by_name["w3207"]["stale"] is False
        sites = {s["code"]: s for s in cli("--config", str(cfg), "sites", "--json").json()}
        assert parse_iso(sites["32.06"]["oldest_success"]) == stopped  # its own last write
        assert parse_iso(sites["32.07"]["oldest_success"]) == now
        # Served: generated_at is the site's last write, not the time of the response.
        doc = serving["32.06"].get("/incidents.json", token="tok-32.06-abcdef").json()
        assert parse_iso(doc["generated_at"]) == stopped
    finally:
        for s in serving.values():
            s.__exit__(None, None, None)


class _Clock:
    """A clock that moves only when told."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_the_province_demo_moves_for_ten_minutes_garut_included(tmp_path):
    """Eleven simulated minutes of `demo --province`'s clock (Garut's flood comes after
    one minute: its world there has no Cibatu), ticked by hand."""
    start = datetime.fromisoformat("2026-11-27T03:00:00+00:00")
    clock = _Clock(start)
    specs = [s for s in SITES if s["code"] in ("32.05", "32.06", "32.07", "32.08")]
    demo = ProvinceDemo(tmp_path / "sites", specs, clock=clock)
    try:
        garut = next(s for s in demo.sites if s.code == "32.05")
        before = {s.code: len(s.world.reports) for s in demo.sites}
        steps = int(timedelta(minutes=11) / timedelta(seconds=TICK_S))
        for _ in range(steps):
            clock.now += timedelta(seconds=TICK_S)
            demo.tick(clock.now)
        assert demo.tick_errors == []
        assert any(r.severity == "extreme" and r.reported_at > start for r in garut.world.reports)
        last_minute = clock.now - timedelta(minutes=1)
        news = [r for s in demo.sites for r in s.world.reports if r.reported_at > last_minute]
        assert news, "no new incident in the last simulated minute"
        for site in demo.sites:
            assert len(site.world.reports) > before[site.code]
            # Every site wrote its cache at the last tick: none looks stopped.
            assert site.store.sources.last_success() == clock.now
    finally:
        demo.close()


def test_the_provinces_garut_gets_its_flood_without_a_cibatu(tmp_path):
    """The province's Garut world has four kecamatan, none of them Cibatu: its flood
    (a minute in) once raised StopIteration and killed the demo's clock for good."""
    demo = ProvinceDemo(tmp_path / "sites", [s for s in SITES if s["code"] == "32.05"])
    try:
        (garut,) = demo.sites
        assert not any(k[1] == "Cibatu" for k in garut.world.kecamatan)
        garut.world.tick(garut.world.started + timedelta(seconds=65))
        flood = garut.world.reports[-1]
        assert flood.severity == "extreme" and flood.area == f"Kec. {garut.world.kecamatan[0][1]}"
    finally:
        demo.close()
