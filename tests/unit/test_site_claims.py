"""A native feed's site claim is checked: a pin, this site's own code, a change of code.

Real feeds on 127.0.0.1, read by the real CLI into the province's real cache.
"""

from __future__ import annotations

import json

from tests.conftest import incident, incidents_doc, native_source, write_config


def _claiming(code: str, name: str, *items: dict) -> str:
    doc = json.loads(incidents_doc(*items))
    doc["site"] = {"code": code, "name": name}
    return json.dumps(doc)


def _province(tmp_path, sources: list[dict]):
    cfg = write_config(tmp_path / "config.toml", sources)
    text = cfg.read_text().replace('code = "32.05"', 'code = "32"')
    cfg.write_text(text.replace("Command Center Kabupaten Garut", "Pusat Komando Jawa Barat"))
    return cfg


def _sources(cli, cfg) -> dict[str, dict]:
    r = cli("--config", str(cfg), "refresh", "--json")
    return {s["name"]: s for s in r.json()["sources"]}


def test_a_pinned_feed_claiming_another_site_fails_and_stores_nothing(tmp_path, feeds, cli):
    feeds.route("/tsm.json", _claiming("32.07", "Kabupaten Ciamis", incident("L1", "Banjir")))
    cfg = _province(tmp_path, [native_source("tasik", feeds.url("/tsm.json"), site="32.06")])
    got = _sources(cli, cfg)["tasik"]
    assert got["status"] == "failed"
    assert "32.07" in got["error"] and "32.06" in got["error"]
    assert cli("--config", str(cfg), "incidents", "--json").json() == []
    assert cli("--config", str(cfg), "sites", "--json").json()[0]["code"] == "32"
    # The claim it was pinned to is read.
    feeds.route("/tsm.json", _claiming("32.06", "Kabupaten Tasikmalaya", incident("L1")))
    assert _sources(cli, cfg)["tasik"]["status"] == "updated"
    mine = cli("--config", str(cfg), "incidents", "--site", "32.06", "--json").json()
    assert [i["site"] for i in mine] == ["32.06"]


def test_a_feed_claiming_this_sites_own_code_fails_and_renames_nothing(tmp_path, feeds, cli):
    feeds.route("/own.json", _claiming("32", "Provinsi Palsu", incident("L1", "Palsu")))
    feeds.route("/grt.json", _claiming("32.05", "Kabupaten Garut", incident("G1", "Banjir")))
    cfg = _province(
        tmp_path,
        [
            native_source("palsu", feeds.url("/own.json")),
            native_source("garut", feeds.url("/grt.json")),
        ],
    )
    got = _sources(cli, cfg)
    assert got["palsu"]["status"] == "failed" and got["garut"]["status"] == "updated"
    assert "32" in got["palsu"]["error"] and "own code" in got["palsu"]["error"]
    sites = cli("--config", str(cfg), "sites", "--json").json()
    assert {s["code"]: s["name"] for s in sites} == {
        "32": "Pusat Komando Jawa Barat",
        "32.05": "Kabupaten Garut",
    }
    titles = [i["title"] for i in cli("--config", str(cfg), "incidents", "--json").json()]
    assert titles == ["Banjir"]


def test_an_unpinned_feed_keeps_the_first_code_it_claimed(tmp_path, feeds, cli):
    feeds.route("/a.json", _claiming("32.08", "Kota Bogor", incident("L1", "Banjir")))
    cfg = _province(tmp_path, [native_source("bogor", feeds.url("/a.json"))])
    assert _sources(cli, cfg)["bogor"]["status"] == "updated"
    feeds.route("/a.json", _claiming("32.09", "Kota Sukabumi", incident("L2", "Longsor")))
    got = _sources(cli, cfg)["bogor"]
    assert got["status"] == "failed"
    assert "32.09" in got["error"] and "32.08" in got["error"]
    kept = cli("--config", str(cfg), "incidents", "--json").json()
    assert [(i["title"], i["site"]) for i in kept] == [("Banjir", "32.08")]
    # A document that claims nothing stays with the site it is known as.
    feeds.route("/a.json", incidents_doc(incident("L1", "Banjir"), incident("L3", "Angin")))
    assert _sources(cli, cfg)["bogor"]["status"] == "updated"
    sites = {i["site"] for i in cli("--config", str(cfg), "incidents", "--json").json()}
    assert sites == {"32.08"}


def test_a_site_pin_is_checked_in_the_config(tmp_path, feeds, cli):
    url = feeds.url("/x.json")
    cases = [
        ({**native_source("a", url), "site": "32"}, "own code"),
        ({**native_source("a", url), "site": "32 06"}, "site code"),
        ({**native_source("a", url), "site": 3206}, "string"),
        ({"name": "a", "kind": "agenda", "format": "ical", "url": url, "site": "32.06"}, "native"),
    ]
    for source, words in cases:
        cfg = _province(tmp_path, [source])
        r = cli("--config", str(cfg), "status")
        assert r.code == 2 and words in r.err and "'site'" in r.err, r.err
        assert len(r.err.strip().splitlines()) == 1
