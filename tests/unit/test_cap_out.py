"""CAP out through a real ``serve``: a feed's text is escaped wherever it lands, shapes are
written only as numbers, and one item that cannot be rendered never takes the others down."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.conftest import incident, native_source, write_config
from tests.serving import Serving

TOKEN = "tok-cap-5e1b0d"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"


def _doc(*items: dict) -> str:
    return json.dumps(
        {"format": "cc-console/incidents", "version": 1,
         "generated_at": "2026-11-27T03:00:00Z", "incidents": list(items)}
    )  # fmt: skip


def _hostile(tmp_path: Path, feeds, cli) -> Path:
    """A regency feed with one ordinary incident and some that try to break CAP."""
    doc = _doc(
        incident("OK1", "Banjir Cimanuk", extra={"shapes": [
            {"polygon": [[-7.5, 107.6], [-7.5, 108.0], [-7.8, 107.8]]},
            {"circle": [-7.2, 107.9, 5]},
        ]}),
        incident("CAT", "Kategori jahat", category="x</value><evil/>&amp"),
        incident("SHORT", "Lingkaran pendek", extra={"shapes": [{"circle": [1, 2]}]}),
        incident("INJ", "Poligon teks", extra={"shapes": [
            {"polygon": [["1,2</polygon><evil/>", 3], [4, 5], [6, 7]]},
            {"circle": ["-7.1", 107.1, 3]},
            {"circle": [-7.1, 107.1, True]},
            {"circle": [-7.1, 107.1, -1]},
            {"polygon": [[-91, 1], [2, 3], [4, 5]]},
            {"polygon": "-7,107 -7,108"},
            "not a shape",
        ]}),
    )  # fmt: skip
    # JSON's 1e999 is infinity to Python's reader: a coordinate no map can draw.
    doc = doc.replace(
        '"extra": {"shapes": [{"circle": [1, 2]}]}',
        '"extra": {"shapes": [{"circle": [1, 2]}, {"circle": [1e999, 107, 5]}]}',
    )
    feeds.route("/inc.json", doc)
    cfg = write_config(tmp_path / "config.toml", [native_source("bpbd", feeds.url("/inc.json"))])
    cfg.write_text(cfg.read_text() + '[serve]\ntokens_env = "CC_SERVE_TOKENS"\n')
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code == 0, r.out + r.err
    titles = {i["title"] for i in cli("--config", str(cfg), "incidents", "--json").json()}
    assert titles == {"Banjir Cimanuk", "Kategori jahat", "Lingkaran pendek", "Poligon teks"}
    return cfg


def test_every_cap_alert_is_well_formed_and_feed_text_stays_text(tmp_path, feeds, cli):
    cfg = _hostile(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        index = s.get("/cap/index.atom", TOKEN)
        assert index.status_code == 200
        feed = ET.fromstring(index.content)
        links = [e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")]
        assert len(links) == 4
        alerts = {}
        for _ in range(3):  # every request answers, again and again
            for link in links:
                r = s.get(link, TOKEN)
                assert r.status_code == 200, (link, r.status_code)
                alerts[link] = ET.fromstring(r.content)  # well-formed, or this raises
        code, err = s.stop()
    assert code == 0
    by_title = {a.find(f"{CAP}info/{CAP}headline").text: a for a in alerts.values()}
    for alert in by_title.values():  # nothing a feed wrote became an element
        assert not any(el.tag.endswith("evil") for el in alert.iter())
    category = by_title["Kategori jahat"].find(f"{CAP}info/{CAP}parameter/{CAP}value").text
    assert category == "x</value><evil/>&amp"

    def shapes(title: str) -> tuple[list[str], list[str]]:
        area = by_title[title].find(f"{CAP}info/{CAP}area")
        return ([p.text for p in area.findall(f"{CAP}polygon")],
                [c.text for c in area.findall(f"{CAP}circle")])  # fmt: skip

    assert shapes("Banjir Cimanuk") == (
        ["-7.5,107.6 -7.5,108.0 -7.8,107.8 -7.5,107.6"],
        ["-7.2,107.9 5.0"],
    )
    # Anything but numbers in range is left out; the incident's own point stays, as a
    # circle of [public] point_radius_km (5 by default, here the same as the feed's
    # circle, written once; never radius 0).
    assert shapes("Lingkaran pendek") == ([], ["-7.2,107.9 5.0"])
    assert shapes("Poligon teks") == ([], ["-7.2,107.9 5.0"])
    # Said once each, however many times the alerts were asked for; no traceback.
    assert "Traceback" not in err
    said = [line for line in err.splitlines() if " CAP " in line]
    assert len(said) == len(set(said)) and 1 <= len(said) <= 12, err
    assert any("circle" in line for line in said)
