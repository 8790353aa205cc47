"""Three regencies, each a real `serve` process with its own token; the province reads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.screens import SitesScreen
from cc_console.store import Store
from tests.conftest import agencies_doc, incident, incidents_doc, write_config
from tests.console.conftest import until
from tests.serving import Serving

SITES = {
    "32.05": ("Kabupaten Garut", ["extreme", "severe", "minor"]),
    "32.06": ("Kabupaten Tasikmalaya", ["severe", "moderate"]),
    "32.07": ("Kabupaten Ciamis", ["minor"]),
}


def _regency(tmp_path: Path, feeds, cli, code: str) -> Path:
    name, severities = SITES[code]
    slug = code.replace(".", "")
    feeds.route(
        f"/{slug}/inc.json",
        incidents_doc(
            *(
                incident(f"L{n}", f"Banjir {n} di {name}", severity=sev, area=f"{name} {n}")
                for n, sev in enumerate(severities)
            )
        ),
    )
    feeds.route(
        f"/{slug}/opd.json",
        agencies_doc(
            {"id": "bpbd", "name": f"BPBD {name}", "status": "operational"},
            {
                "id": "dinkes",
                "name": f"Dinkes {name}",
                "status": "major_outage" if code == "32.06" else "operational",
            },
        ),
    )
    home = tmp_path / slug
    home.mkdir()
    cfg = write_config(
        home / "config.toml",
        [
            {"name": "lapor", "kind": "incidents", "format": "native",
             "url": feeds.url(f"/{slug}/inc.json")},
            {"name": "opd", "kind": "agencies", "format": "native",
             "url": feeds.url(f"/{slug}/opd.json")},
        ],
    )  # fmt: skip
    text = cfg.read_text().replace('code = "32.05"', f'code = "{code}"')
    text = text.replace("Command Center Kabupaten Garut", f"Command Center {name}")
    cfg.write_text(text + '[serve]\ntokens_env = "CC_SERVE_TOKENS"\n')
    assert cli("--config", str(cfg), "refresh").code == 0
    return cfg


@pytest.fixture
def province(tmp_path, feeds, cli, monkeypatch):
    """Three regencies served, and the province's config reading them with their tokens."""
    servers = {}
    sources = []
    try:
        for code in SITES:
            slug = code.replace(".", "")
            token = f"token-{slug}-9c1e"
            cfg = _regency(tmp_path, feeds, cli, code)
            servers[code] = Serving(cfg, tokens=token).__enter__()
            monkeypatch.setenv(f"PROV_TOKEN_{slug}", token)
            for kind, path in (("incidents", "/incidents.json"), ("agencies", "/agencies.json")):
                sources.append(
                    {"name": f"w{slug}-{kind}", "kind": kind, "format": "native",
                     "url": servers[code].address + path, "token_env": f"PROV_TOKEN_{slug}"}
                )  # fmt: skip
        (tmp_path / "prov").mkdir()
        cfg = write_config(tmp_path / "prov" / "config.toml", sources)
        cfg.write_text(cfg.read_text().replace('code = "32.05"', 'code = "32"'))
        yield cfg, servers
    finally:
        for s in servers.values():
            s.__exit__(None, None, None)


def test_the_province_reads_three_sites_and_keeps_each_sites_code(province, cli, tmp_path):
    cfg, _ = province
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code == 0, r.out
    assert {s["status"] for s in r.json()["sources"]} == {"updated"}
    every = cli("--config", str(cfg), "incidents", "--json").json()
    assert {i["site"] for i in every} == set(SITES)
    for code, (name, severities) in SITES.items():
        mine = cli("--config", str(cfg), "incidents", "--site", code, "--json").json()
        assert sorted(i["severity"] for i in mine) == sorted(severities)
        assert {i["site"] for i in mine} == {code}
        assert all(name in i["title"] for i in mine)
        theirs = cli("--config", str(tmp_path / code.replace(".", "") / "config.toml"),
                     "incidents", "--json").json()  # fmt: skip
        assert sorted(i["title"] for i in mine) == sorted(i["title"] for i in theirs)
        agencies = cli("--config", str(cfg), "agencies", "--site", code, "--json").json()
        assert {a["name"] for a in agencies} == {f"BPBD {name}", f"Dinkes {name}"}
    assert cli("--config", str(cfg), "incidents", "--site", "99.99", "--json").json() == []
    # A wrong token is a failure of that site only, never a leak of the others' data.
    wrong = cli("--config", str(cfg), "incidents", "--site", "local", "--json").json()
    assert wrong == []


def test_a_site_going_down_fails_its_feeds_only_and_its_last_data_stays(province, cli, monkeypatch):
    cfg, servers = province
    assert cli("--config", str(cfg), "refresh").code == 0
    code, _ = servers["32.06"].stop()
    assert code == 0
    for _ in range(2):  # a source is failing from its second failure in a row
        r = cli("--config", str(cfg), "refresh", "--json")
        assert r.code == 1
    status = {s["name"]: s for s in cli("--config", str(cfg), "status", "--json").json()["sources"]}
    failing = {n for n, s in status.items() if s["consecutive_failures"]}
    assert failing == {"w3206-incidents", "w3206-agencies"}
    kept = cli("--config", str(cfg), "incidents", "--site", "32.06", "--json").json()
    assert sorted(i["severity"] for i in kept) == ["moderate", "severe"]
    # A token the site does not accept: 401, a failure of that feed, nothing read.
    monkeypatch.setenv("PROV_TOKEN_3207", "not-the-token")
    r = cli("--config", str(cfg), "refresh", "--json")
    by_name = {s["name"]: s for s in r.json()["sources"]}
    assert by_name["w3207-incidents"]["status"] == "failed"
    assert by_name["w3207-incidents"]["http_status"] == 401
    assert "not-the-token" not in r.out + r.err


async def test_the_wilayah_view_agrees_with_incidents_site(province, cli):
    import asyncio

    cfg_path, _ = province

    def run(*args: str):  # the CLI runs its own event loop: not in the test's
        return asyncio.to_thread(cli, "--config", str(cfg_path), *args)

    assert (await run("refresh")).code == 0
    expected = {code: (await run("incidents", "--site", code, "--json")).json() for code in SITES}
    config = load_config(cfg_path)
    store = Store(config.cache.path)
    app = CcConsoleApp(config, store, lang="id")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            main = app.screen
            # Two sites or more: the panes carry a site column.
            assert await until(pilot, lambda: main.incidents.source.count() == 6)
            header = main.incidents.source.header(78).plain
            assert header.startswith("Wil.")
            await pilot.press("6")
            assert isinstance(app.screen, SitesScreen)
            table = app.screen.query_one("DataTable")
            rows = {
                str(table.get_row_at(n)[0]): [str(c) for c in table.get_row_at(n)]
                for n in range(table.row_count)
            }
            assert set(rows) == {"*", *SITES}
            for code, incidents in expected.items():
                cells = rows[code]
                counts = [int(c) if c.isdigit() else 0 for c in cells[2:6]]
                wanted = [sum(i["severity"] == s for i in incidents)
                          for s in ("extreme", "severe", "moderate", "minor")]  # fmt: skip
                assert counts == wanted, code
                assert cells[7] == ("1" if code == "32.06" else "·")  # a service down
            assert [int(c) if c.isdigit() else 0 for c in rows["*"][2:6]] == [1, 2, 1, 2]
            # Enter on 32.06: the panes show only that site.
            order = [str(table.get_row_at(n)[0]) for n in range(table.row_count)]
            for _ in range(order.index("32.06")):
                await pilot.press("down")
            await pilot.press("enter")
            assert app.screen is main
            assert await until(pilot, lambda: main.incidents.source.count() == 2)
            assert main.agencies.rows.count() == 2
            assert "32.06" in main.incidents.source.status()
            titles = {i.title for i in main.incidents.source.page(0, 10)}
            assert titles == {i["title"] for i in expected["32.06"]}
            # Every site has a "dinkes": the one opened is this site's, with its history.
            await pilot.press("1")
            await pilot.press("enter")  # worst status first: Tasikmalaya's, down
            from cc_console.screens.detail import AgencyDetailScreen

            assert isinstance(app.screen, AgencyDetailScreen)
            title = app.screen.query_one("#detail-title").render().plain
            assert "Dinkes Kabupaten Tasikmalaya" in title
            assert app.screen.source == "w3206-agencies"
            await pilot.press("escape")
            # The first row shows every site again.
            await pilot.press("6")
            await pilot.press("enter")
            assert await until(pilot, lambda: main.incidents.source.count() == 6)
    finally:
        store.close()


def test_demo_province_serves_27_sites_and_reads_them_all(cli):
    from tests.conftest import run_subprocess

    r = run_subprocess("demo", "--province", "--no-tui", timeout=120)
    assert r.code == 0, r.err
    assert "27 sites" in r.out and "81/81 feeds read" in r.out
    # Two regencies in an emergency (Garut, Kabupaten Bandung), read from their /events.json.
    assert "2 disaster events at 2 sites" in r.out
    assert json.dumps("Traceback") not in r.err


def test_sites_handover_and_report_give_each_site_its_section(province, cli):
    cfg, _ = province
    assert cli("--config", str(cfg), "refresh").code == 0
    sites = {s["code"]: s for s in cli("--config", str(cfg), "sites", "--json").json()}
    assert set(sites) == set(SITES)
    for code, (_, severities) in SITES.items():
        assert sites[code]["active"] == len(severities)
        assert sites[code]["feeds"] == 2 and sites[code]["feeds_failing"] == 0
    assert sites["32.06"]["agencies_not_operational"] == 1
    handover = cli("--config", str(cfg), "handover", "--json").json()
    assert {s["code"]: s["active"] for s in handover["sites"]} == {
        c: s["active"] for c, s in sites.items()
    }
    text = cli("--config", str(cfg), "handover").out
    assert "Kabupaten Tasikmalaya" in text and "32.07" in text
    report = cli("--config", str(cfg), "report", "--days", "366", "--json").json()
    assert {r["code"]: r["incidents"] for r in report["sites"]} == {
        c: len(s) for c, (_, s) in SITES.items()
    }
    md = cli("--config", str(cfg), "report", "--days", "366", "--format", "md").out
    assert "## Per wilayah" in md
    assert "| 32.06 | Command Center Kabupaten Tasikmalaya | 2 |" in md
    # One site only: no per-site section (the center's figures are the site's).
    single = cli("--config", str(cfg), "--db", str(cfg.parent / "empty.db"), "report", "--json")
    assert "sites" not in single.json()


async def test_a_live_update_keeps_the_wilayah_row_the_operator_is_on(province, feeds, cli):
    import asyncio

    cfg_path, _ = province

    def run(cfg, *args: str):  # the CLI runs its own event loop: not in the test's
        return asyncio.to_thread(cli, "--config", str(cfg), *args)

    assert (await run(cfg_path, "refresh")).code == 0
    config = load_config(cfg_path)
    store = Store(config.cache.path)
    app = CcConsoleApp(config, store, lang="id")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("6")
            table = app.screen.query_one("DataTable")
            await pilot.press("j", "j")
            chosen = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            assert chosen != "*"
            # Garut reports two more floods; the province reads them; the view reloads.
            feeds.route(
                "/3205/inc.json",
                incidents_doc(
                    *(incident(f"L{n}", f"Banjir {n}", severity="extreme") for n in range(5))
                ),
            )
            garut = cfg_path.parent.parent / "3205" / "config.toml"
            assert (await run(garut, "refresh")).code == 0
            assert (await run(cfg_path, "refresh")).code == 0
            app.check_store()
            assert await until(pilot, lambda: str(table.get_row("32.05")[2]).strip() == "5")
            await pilot.pause()
            assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == chosen
    finally:
        store.close()
