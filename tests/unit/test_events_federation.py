"""Two regencies' disaster events, served by real `serve` processes, summed per site at
the province that polls them (the real poller, the real CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.conftest import write_config
from tests.serving import Serving

TOKENS = {"32.05": "garut-token-5e1", "32.06": "tasik-token-0b7"}
NAMES = {"32.05": "Kabupaten Garut", "32.06": "Kabupaten Tasikmalaya"}


def _regency(tmp_path: Path, cli, code: str) -> Path:
    """A regency with no feeds of its own: its events are what the operators recorded."""
    home = tmp_path / code.replace(".", "")
    home.mkdir()
    cfg = write_config(home / "config.toml", [])
    text = cfg.read_text().replace('code = "32.05"', f'code = "{code}"')
    text = text.replace("Command Center Kabupaten Garut", f"Command Center {NAMES[code]}")
    cfg.write_text(text + '[serve]\ntokens_env = "CC_SERVE_TOKENS"\n')
    return cfg


def _ok(result) -> str:
    assert result.code == 0, result.err
    return result.out.strip()


def _garut(cli, cfg: Path) -> None:
    c = ("--config", str(cfg))
    assert _ok(cli(*c, "event", "open", "Banjir Cimanuk", "--category", "flood")) == "E-1"
    _ok(cli(*c, "event", "impact", "E-1", "--area", "Garut Kota", "--dead", "2",
            "--displaced", "300", "--houses-flooded", "120", "--source", "TRC"))  # fmt: skip
    _ok(cli(*c, "event", "impact", "E-1", "--area", "Tarogong Kidul", "--displaced", "500",
            "--injured", "3", "--source", "Camat"))  # fmt: skip
    _ok(cli(*c, "event", "status", "E-1", "tanggap-darurat", "--decree", "SK 360/112",
            "--until", "2026-12-10 00:00"))  # fmt: skip
    assert _ok(cli(*c, "event", "open", "Longsor Cisewu", "--category", "landslide")) == "E-2"
    _ok(cli(*c, "event", "impact", "E-2", "--area", "Cisewu", "--dead", "1", "--missing", "3",
            "--houses-heavy", "4", "--source", "Polsek"))  # fmt: skip


def _tasik(cli, cfg: Path) -> None:
    c = ("--config", str(cfg))
    assert _ok(cli(*c, "event", "open", "Banjir Cikalong", "--category", "flood")) == "E-1"
    _ok(cli(*c, "event", "impact", "E-1", "--area", "Cikalong", "--injured", "4",
            "--displaced", "120", "--source", "BPBD"))  # fmt: skip
    # A closed event: served (closed within the window) but in no open sum.
    assert _ok(cli(*c, "event", "open", "Angin puting beliung", "--category", "weather")) == "E-2"
    _ok(cli(*c, "event", "impact", "E-2", "--area", "Cikalong", "--houses-light", "40",
            "--source", "BPBD"))  # fmt: skip
    _ok(cli(*c, "event", "close", "E-2"))


@pytest.fixture
def province(tmp_path, cli, monkeypatch):
    """Two regencies with events, each served with its token; the province's config reads
    their /events.json (and their incidents) as native sources."""
    servers: dict[str, Serving] = {}
    sources = []
    try:
        for code, fill in (("32.05", _garut), ("32.06", _tasik)):
            cfg = _regency(tmp_path, cli, code)
            fill(cli, cfg)
            servers[code] = Serving(cfg, tokens=TOKENS[code]).__enter__()
            slug = code.replace(".", "")
            monkeypatch.setenv(f"PROV_TOKEN_{slug}", TOKENS[code])
            for kind, path in (("events", "/events.json"), ("incidents", "/incidents.json")):
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


def test_events_json_needs_the_token_and_answers_304(province):
    _, servers = province
    garut = servers["32.05"]
    assert garut.get("/events.json").status_code == 401
    assert garut.get("/events.json", token="wrong").status_code == 401
    first = garut.get("/events.json", token=TOKENS["32.05"])
    assert first.status_code == 200
    doc = first.json()
    assert doc["format"] == "cc-console/events" and doc["version"] == 1
    assert doc["site"] == {"code": "32.05", "name": "Command Center Kabupaten Garut"}
    assert [e["id"] for e in doc["events"]] == ["E-2", "E-1"]
    assert doc["events"][1]["impact"]["totals"]["displaced"] == 800
    again = garut.get("/events.json", token=TOKENS["32.05"], If_None_Match=first.headers["ETag"])
    assert again.status_code == 304 and again.content == b""
    # The closed event is served (closed within the window) for the record.
    tasik = servers["32.06"].get("/events.json", token=TOKENS["32.06"]).json()
    assert [(e["id"], e["closed_at"] is not None) for e in tasik["events"]] == [
        ("E-1", False),
        ("E-2", True),
    ]


def test_the_province_sums_two_regencies_events_per_site(province, cli):
    cfg, servers = province
    c = ("--config", str(cfg))
    refreshed = cli(*c, "refresh", "--json")
    assert refreshed.code == 0, refreshed.err + refreshed.out
    assert {o["name"]: o["records"] for o in refreshed.json()["sources"]}["w3205-events"] == 2
    every = cli(*c, "event", "list", "--json").json()
    assert sorted((e["site"], e["id"]) for e in every) == [
        ("32.05", "E-1"), ("32.05", "E-2"), ("32.06", "E-1"),
    ]  # fmt: skip
    garut = cli(*c, "event", "list", "--site", "32.05", "--json").json()
    assert {e["id"]: e["title"] for e in garut} == {
        "E-1": "Banjir Cimanuk",
        "E-2": "Longsor Cisewu",
    }
    assert {e["site"] for e in garut} == {"32.05"}
    flood = next(e for e in garut if e["id"] == "E-1")  # both may open in the same second
    assert flood["status"] == "tanggap-darurat" and flood["decree"] == "SK 360/112"
    assert cli(*c, "event", "list", "--site", "99.99", "--json").json() == []
    assert cli(*c, "event", "list", "--site", "local", "--json").json() == []
    # --all: the closed one too (in no sum of open events).
    closed = cli(*c, "event", "list", "--site", "32.06", "--all", "--json").json()
    assert [e["id"] for e in closed] == ["E-1", "E-2"]

    sites = {s["code"]: s["events"] for s in cli(*c, "sites", "--json").json()}
    # Known answers, added up by hand from the figures reported at each regency.
    assert sites["32.05"]["events"] == 2
    g = sites["32.05"]["totals"]
    assert (g["dead"], g["missing"], g["injured"], g["displaced"]) == (3, 3, 3, 800)
    assert (g["houses_flooded"], g["houses_heavy"]) == (120, 4)
    t = sites["32.06"]["totals"]
    assert sites["32.06"]["events"] == 1
    assert (t["dead"], t["injured"], t["displaced"], t["houses_light"]) == (0, 4, 120, 0)
    table = cli(*c, "event", "list")
    assert table.code == 0 and "Tasikmalaya" in table.out and "800" in table.out

    # Garut re-counts an area (the figure given replaces the area's), the province's
    # next poll brings it, and the sum per site follows.
    home = servers["32.05"].config
    _ok(cli("--config", str(home), "event", "impact", "E-1", "--area", "Garut Kota",
            "--displaced", "450", "--source", "TRC, pendataan ulang"))  # fmt: skip
    assert cli(*c, "refresh").code == 0
    g = {s["code"]: s["events"] for s in cli(*c, "sites", "--json").json()}["32.05"]["totals"]
    assert (g["dead"], g["displaced"]) == (2 + 1, 450 + 500)


def test_an_events_feed_with_a_bad_figure_skips_that_event_and_says_so(feeds, cli, tmp_path):
    good_area = {"area": "Cibalong", "code": "32.05.20", "dead": 1, "displaced": 10}
    doc = {
        "format": "cc-console/events",
        "version": 1,
        "site": {"code": "32.05", "name": "Garut"},
        "events": [
            {"id": "E-1", "title": "Banjir", "status": "siaga",
             "impact": {"totals": {"dead": 99}, "by_area": [good_area]}},
            {"id": "E-2", "title": "Longsor",
             "impact": {"by_area": [{"area": "Cisewu", "dead": -5}]}},
            {"id": "E-3", "title": "Gempa\x1b[31m merah",
             "impact": {"by_area": [{"area": "Pameungpeuk", "injured": 2.5}]}},
        ],
    }  # fmt: skip
    feeds.route("/events.json", json.dumps(doc).encode())
    cfg = write_config(
        tmp_path / "config.toml",
        [{"name": "garut", "kind": "events", "format": "native",
          "url": feeds.url("/events.json")}],
    )  # fmt: skip
    cfg.write_text(cfg.read_text().replace('code = "32.05"', 'code = "32"'))
    out = cli("--config", str(cfg), "refresh", "--json")
    assert out.code == 0, out.err
    warnings = out.json()["sources"][0]["warnings"]
    assert any("E-1" in w and "sum of its areas" in w for w in warnings), warnings
    assert any(w.startswith("item 1 skipped") and "dead" in w for w in warnings), warnings
    assert any(w.startswith("item 2 skipped") and "injured" in w for w in warnings), warnings
    listed = cli("--config", str(cfg), "event", "list", "--json").json()
    assert [(e["id"], e["site"], e["impact"]["totals"]["dead"]) for e in listed] == [
        ("E-1", "32.05", 1)
    ]


def test_a_regency_without_events_serves_an_empty_list(tmp_path, cli):
    cfg = _regency(tmp_path, cli, "32.06")
    with Serving(cfg, tokens="t0k3n-only") as s:
        r = httpx.get(s.address + "/events.json", headers={"Authorization": "Bearer t0k3n-only"})
        assert r.status_code == 200 and r.json()["events"] == []
