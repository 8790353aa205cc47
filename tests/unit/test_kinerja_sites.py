"""The province's kinerja counts each regency's agencies apart: per (site, agency).

Three regencies' native feeds on a real HTTP server on 127.0.0.1, each claiming its
site, each with a "dinkes" of the same name; the province's real cache read by the
real CLI, and its real console.
"""

from __future__ import annotations

import json

import pytest

from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.kinerja import compute, days_period
from cc_console.screens import KinerjaScreen, SitesScreen
from cc_console.store import Store
from cc_console.timefmt import iso_z, utcnow
from tests.conftest import agencies_doc, incident, incidents_doc, native_source, write_config
from tests.console.conftest import until

# Per regency: how many incidents its dinkes was given, and how many of them it resolved.
DINKES = {"32.05": (4, 4), "32.06": (3, 0), "32.07": (1, 1)}
RULE = '[[sla]]\nmatch = { severity = ["moderate"] }\nresolve_within = "2h"\n'
NAMES = {"32.05": "Kabupaten Garut", "32.06": "Kabupaten Tasikmalaya", "32.07": "Kabupaten Ciamis"}


def _claiming(doc: str, code: str) -> str:
    body = json.loads(doc)
    body["site"] = {"code": code, "name": NAMES[code]}
    # Written now on the suite's clock (which ticks: a fixed time goes stale in a long run)
    body["generated_at"] = iso_z(utcnow())
    return json.dumps(body)


@pytest.fixture
def province(tmp_path, feeds, cli):
    """The province's config reading the three regencies, refreshed once."""
    sources = []
    for code, (given, resolved) in DINKES.items():
        slug = code.replace(".", "")
        items = [
            incident(f"D{n}", f"Wabah {n} di {NAMES[code]}", assigned_to="dinkes",
                     status="resolved" if n < resolved else "open",
                     reported_at="2026-12-02T01:00:00Z", updated_at="2026-12-02T01:30:00Z")
            for n in range(given)
        ]  # fmt: skip
        items.append(incident("U1", "Tanpa petugas", reported_at="2026-12-02T02:00:00Z"))
        feeds.route(f"/{slug}/inc.json", _claiming(incidents_doc(*items), code))
        # Every regency names its dinkes alike: only the site tells them apart.
        opd = agencies_doc(
            {"id": "dinkes", "name": "Dinas Kesehatan", "status": "operational"},
            {"id": "bpbd", "name": "BPBD", "status": "operational"},
        )
        feeds.route(f"/{slug}/opd.json", _claiming(opd, code))
        sources += [
            native_source(f"w{slug}", feeds.url(f"/{slug}/inc.json"), site=code),
            native_source(f"w{slug}-opd", feeds.url(f"/{slug}/opd.json"), "agencies", site=code),
        ]
    cfg = write_config(tmp_path / "config.toml", sources, RULE)
    text = cfg.read_text().replace('code = "32.05"', 'code = "32"')
    cfg.write_text(text.replace("Command Center Kabupaten Garut", "Pusat Komando Jawa Barat"))
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code == 0, r.out
    return cfg


def test_each_regencys_dinkes_is_its_own_row_in_report_json(province, cli) -> None:
    doc = cli("--config", str(province), "report", "--json").json()
    dinkes = {a["site"]: a for a in doc["agencies"] if a["id"] == "dinkes"}
    assert set(dinkes) == set(DINKES)  # three rows, not one of eight incidents
    for code, (given, resolved) in DINKES.items():
        assert (dinkes[code]["assigned"], dinkes[code]["resolved"]) == (given, resolved), code
        assert dinkes[code]["name"] == "Dinas Kesehatan"
    assert dinkes["32.05"]["scored"] and dinkes["32.05"]["rank"] == 1
    # Three incidents, none resolved by its deadline: scored, below; one incident: too
    # little to rank.
    assert dinkes["32.06"]["scored"] and dinkes["32.06"]["parts"]["resolution"] == 0.0
    assert dinkes["32.06"]["rank"] > dinkes["32.05"]["rank"]
    assert dinkes["32.06"]["late_incidents"] and dinkes["32.05"]["late_incidents"] == []
    assert not dinkes["32.07"]["scored"]
    assert len([a for a in doc["agencies"] if a["id"] == "bpbd"]) == 3
    assert doc["center"]["incidents"] == sum(g for g, _ in DINKES.values()) + 3
    # Every agency says its site; no one of them is this site's own.
    assert {a["site"] for a in doc["agencies"]} == set(DINKES)


def test_report_site_limits_everything_to_that_regency(province, cli) -> None:
    doc = cli("--config", str(province), "report", "--site", "32.06", "--json").json()
    assert {(a["site"], a["id"]) for a in doc["agencies"]} == {
        ("32.06", "dinkes"),
        ("32.06", "bpbd"),
    }
    assert doc["center"]["incidents"] == 4  # its three given to dinkes, one to no one
    assert [s["code"] for s in doc["sites"]] == ["32.06"]
    assert {r["name"] for r in doc["incidents_by_area"]} == {"Kec. Garut Kota"}
    assert sum(r["count"] for r in doc["incidents_by_category"]) == 4
    # A code nobody sent: nothing counted (as `incidents --site` lists nothing).
    none = cli("--config", str(province), "report", "--site", "32.99", "--json").json()
    assert none["agencies"] == [] and none["center"]["incidents"] == 0


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_printed_report_has_a_site_column(province, cli, fmt) -> None:
    out = cli("--config", str(province), "report", "--format", fmt).out
    if fmt == "md":
        rows = [line for line in out.splitlines() if line.startswith("| ") and "Dinas Kes" in line]
        assert sorted(row.split(" | ")[2] for row in rows) == sorted(DINKES)
        assert any(line.startswith("| # |") and "| Wil. |" in line for line in out.splitlines())
    else:
        assert out.count("<td>32.06</td>") == 3  # its dinkes, its bpbd, its sites row
        assert "Dinas Kesehatan · 32.05" in out  # the chart's label says whose
    table = cli("--config", str(province), "--lang", "en", "report").out
    assert "Site" in table and "32.07" in table


def test_kept_and_counted_agree_per_site(province) -> None:
    """The console and `report --days` read the counts kept per site day; counted from
    the incidents they are the same, for every site and for one."""
    from zoneinfo import ZoneInfo

    from cc_console.timefmt import utcnow

    cfg = load_config(province)
    store = Store.for_config(cfg)
    wib = ZoneInfo("Asia/Jakarta")
    when = days_period(utcnow(), 7, wib)
    sites = {s: c for s, (c, _) in store.sources.sites().items()}
    for only in (None, frozenset({"32.05"})):
        kept = compute(store.kinerja, store.agencies.listing(), when.start, when.end, tz=wib,
                       current=True, previous=when.previous, sites=sites, only=only)  # fmt: skip
        counted = compute(store.kinerja, store.agencies.listing(), when.start, when.end, tz=wib,
                          previous=when.previous, sites=sites, only=only)  # fmt: skip
        assert kept.as_json() == counted.as_json()
        assert store.db.scalar("SELECT count(DISTINCT source) FROM kinerja_days") == 3
    store.close()


async def test_the_kinerja_view_has_a_site_column_and_follows_wilayah(province) -> None:
    from cc_console.timefmt import utcnow

    cfg = load_config(province)
    store = Store.for_config(cfg)
    app = CcConsoleApp(cfg, store, clock=utcnow)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("5")
        screen = app.screen
        assert isinstance(screen, KinerjaScreen)
        assert await until(pilot, lambda: screen.kinerja.result is not None)
        table = screen.query_one("DataTable")
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[:3] == ["#", "Perangkat daerah", "Wil."]
        sites = sorted(
            str(table.get_row_at(n)[2])
            for n in range(table.row_count)
            if str(table.get_row_at(n)[1]).startswith("Dinas Kes")
        )
        assert sites == sorted(DINKES)
        # Wilayah: choose Tasikmalaya; back in Kinerja, only its agencies.
        await pilot.press("6")
        assert await until(pilot, lambda: isinstance(app.screen, SitesScreen))
        sites_table = app.screen.query_one("DataTable")
        assert await until(pilot, lambda: sites_table.row_count == 4)
        keys = [k.value for k in sites_table.rows]
        sites_table.move_cursor(row=keys.index("32.06"))
        await pilot.press("enter")
        assert await until(pilot, lambda: app.screen is screen)
        assert await until(
            pilot,
            lambda: screen.kinerja.result is not None and screen.kinerja.site == "32.06",
        )
        assert await until(pilot, lambda: table.row_count == 3)  # unassigned, dinkes, bpbd
        assert {str(table.get_row_at(n)[2]) for n in (1, 2)} == {"32.06"}
        assert (
            "hanya 32.06" in screen.query_one("#table-summary").render().plain
        )  # its name, when known, before
        # Enter opens that regency's dinkes, not another's.
        keys = [k.value for k in table.rows]
        table.move_cursor(row=keys.index("32.06/dinkes"))
        await pilot.press("enter")
        assert await until(pilot, lambda: app.screen is not screen)
        assert app.screen.source == "w3206-opd"
    store.close()


def test_one_site_alone_keeps_its_agencies_own(tmp_path, feeds, cli) -> None:
    """A site with no other site's feed: "site" is null and there is no site column."""
    feeds.route("/inc.json", incidents_doc(incident("L1", assigned_to="bpbd",
                                                    reported_at="2026-12-02T01:00:00Z")))  # fmt: skip
    cfg = write_config(tmp_path / "config.toml", [native_source("lapor", feeds.url("/inc.json"))])
    assert cli("--config", str(cfg), "refresh").code == 0
    doc = cli("--config", str(cfg), "report", "--json").json()
    assert [(a["site"], a["id"], a["assigned"]) for a in doc["agencies"]] == [(None, "bpbd", 1)]
    assert "Wil." not in cli("--config", str(cfg), "report", "--format", "md").out
    local = cli("--config", str(cfg), "report", "--site", "local", "--json").json()
    assert local["agencies"] == doc["agencies"]
