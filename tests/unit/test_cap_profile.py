"""The CAP profile through a real ``serve``: identifiers that do not depend on the cache,
references that answer, and the fields a public reader needs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from tests.conftest import incident, incidents_doc, native_source, write_config
from tests.serving import Serving

TOKEN = "tok-profile-71c2"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"

# Around the suite's clock (Thursday 2026-12-03 10:00 WIB = 03:00 UTC).
_OPEN = incident(
    "F1", "Banjir bandang Cibatu", severity="extreme",
    reported_at="2026-12-03T01:00:00Z", updated_at="2026-12-03T01:00:00Z",
)  # fmt: skip
_CHANGED = incident(
    "F2", "Banjir Tarogong", reported_at="2026-12-03T00:00:00Z",
    updated_at="2026-12-03T02:00:00Z",
)  # fmt: skip
_RESOLVED = incident(
    "F3", "Longsor Cisurupan", category="landslide", status="resolved",
    reported_at="2026-12-02T20:00:00Z", updated_at="2026-12-03T01:30:00Z",
)  # fmt: skip
_FEED = incidents_doc(_OPEN, _CHANGED, _RESOLVED)


def _config(path: Path, url: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cfg = write_config(path, [native_source("bpbd", url)])
    cfg.write_text(cfg.read_text() + '[serve]\ntokens_env = "CC_SERVE_TOKENS"\n')
    return cfg


def _refresh(cli, cfg: Path) -> None:
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code == 0, r.out + r.err


def _alerts(cfg: Path) -> dict[str, ET.Element]:
    """Every alert listed in the token index, by title, fetched from a real ``serve``;
    and every message each references fetched too (asserted to answer)."""
    out: dict[str, ET.Element] = {}
    with Serving(cfg, tokens=TOKEN) as s:
        index = ET.fromstring(s.get("/cap/index.atom", TOKEN).content)
        for entry in index.iter(f"{ATOM}entry"):
            href = entry.find(f"{ATOM}link").get("href")
            r = s.get(href[href.index("/cap/") :], TOKEN)
            assert r.status_code == 200, href
            alert = ET.fromstring(r.content)
            out[alert.findtext(f"{CAP}info/{CAP}headline")] = alert
            for ref in (alert.findtext(f"{CAP}references") or "").split():
                sender, ident, sent = ref.split(",")
                got = s.get(f"/cap/{ident}.xml", TOKEN)
                assert got.status_code == 200, f"{ident} referenced by {href}: {got.status_code}"
                old = ET.fromstring(got.content)
                assert old.findtext(f"{CAP}identifier") == ident
                assert old.findtext(f"{CAP}sender") == sender
                assert old.findtext(f"{CAP}sent") == sent
        s.stop()
    return out


def _identifiers(cfg: Path) -> dict[str, str]:
    return {title: a.findtext(f"{CAP}identifier") for title, a in _alerts(cfg).items()}


def test_identifiers_survive_a_rebuild_and_match_another_cache(tmp_path, feeds, cli):
    feeds.route("/inc.json", _FEED)
    first = _config(tmp_path / "a" / "config.toml", feeds.url("/inc.json"))
    _refresh(cli, first)
    before = _identifiers(first)
    assert set(before) == {"Banjir bandang Cibatu", "Banjir Tarogong", "Longsor Cisurupan"}
    # site code, then a hash: nothing of the cache's row numbers
    assert before["Banjir bandang Cibatu"].startswith("32.05-")
    assert before["Banjir Tarogong"].endswith("-u20261203T020000")  # UTC time of the change
    assert before["Longsor Cisurupan"].endswith("-u20261203T013000")

    r = cli("--config", str(first), "doctor", "--rebuild")
    assert r.code == 0, r.out + r.err
    assert _identifiers(first) == before

    # Another cache that saw other incidents first: its row numbers differ.
    feeds.route("/other.json", incidents_doc(incident("X1", "Kebakaran"), incident("X2", "Macet")))
    second = _config(tmp_path / "b" / "config.toml", feeds.url("/other.json"))
    _refresh(cli, second)
    second.write_text(second.read_text().replace("/other.json", "/inc.json"))
    _refresh(cli, second)
    again = _identifiers(second)
    assert {title: again[title] for title in before} == before


def test_every_referenced_message_is_fetchable(tmp_path, feeds, cli):
    feeds.route("/inc.json", _FEED)
    cfg = _config(tmp_path / "config.toml", feeds.url("/inc.json"))
    _refresh(cli, cfg)
    alerts = _alerts(cfg)  # asserts each reference answers with that very message
    refs = [a.findtext(f"{CAP}references") for a in alerts.values()]
    assert sum(1 for r in refs if r) == 2  # the update and the all-clear
    assert alerts["Banjir Tarogong"].findtext(f"{CAP}msgType") == "Update"


# -- the profile ----------------------------------------------------------------------

XSD = Path(__file__).parent.parent / "fixtures" / "CAP-v1.2.xsd"
_PUBLIC = """
[serve]
tokens_env = "CC_SERVE_TOKENS"
public_url = "https://cc.garutkab.go.id"
[public]
emergency = ["112", "BPBD Kab. Garut (0262) 000000"]
point_radius_km = 3
expires = { default = "12h", flood = "24h" }
instructions = { flood = "Jauhi bantaran sungai; ikuti arahan petugas." }
"""
_BMKG = (
    '{"Infogempa":{"gempa":{"Tanggal":"3 Des 2026","Jam":"09:30:00 WIB",'
    '"DateTime":"2026-12-03T02:30:00+00:00","Coordinates":"-8.15,107.58",'
    '"Lintang":"8.15 LS","Bujur":"107.58 BT","Magnitude":"5.6","Kedalaman":"20 km",'
    '"Wilayah":"Pusat gempa berada di laut 86 km BaratDaya Kab. Garut",'
    '"Potensi":"Tidak berpotensi tsunami","Dirasakan":"IV Garut"}}}'
)


def _profile_site(tmp_path: Path, feeds, cli) -> Path:
    """A regency with an open flood (a point only), a resolved landslide, a complaint
    (not public), an exercise, and a quake read from BMKG (another authority)."""
    feeds.route(
        "/inc.json",
        incidents_doc(
            _OPEN, _CHANGED, _RESOLVED,
            incident("C1", "Aduan jalan rusak", category="complaint",
                     reported_at="2026-12-03T01:00:00Z", updated_at="2026-12-03T01:00:00Z"),
            incident("X1", "Latihan evakuasi", category="earthquake", exercise=True,
                     reported_at="2026-12-03T01:00:00Z", updated_at="2026-12-03T01:00:00Z"),
        ),
    )  # fmt: skip
    feeds.route("/bmkg.json", _BMKG)
    cfg = write_config(
        tmp_path / "config.toml",
        [native_source("bpbd", feeds.url("/inc.json")),
         {"name": "bmkg", "kind": "incidents", "format": "bmkg-gempa",
          "url": feeds.url("/bmkg.json")}],
        _PUBLIC,
    )  # fmt: skip
    _refresh(cli, cfg)
    return cfg


def _check_profile(alert: ET.Element, schema) -> None:
    """One CAP message: the OASIS schema, then each rule of our profile."""
    from datetime import datetime

    from lxml import etree

    doc = etree.fromstring(ET.tostring(alert))
    assert schema.validate(doc), schema.error_log
    ident = alert.findtext(f"{CAP}identifier")
    sent = datetime.fromisoformat(alert.findtext(f"{CAP}sent"))
    for info in alert.findall(f"{CAP}info"):
        expires = datetime.fromisoformat(info.findtext(f"{CAP}expires"))
        assert expires > sent, ident
        if info.findtext(f"{CAP}responseType") == "AllClear":
            assert (expires - sent).total_seconds() == 3600, ident
        assert info.findtext(f"{CAP}urgency") != "Unknown", ident
        assert info.findtext(f"{CAP}certainty") != "Unknown", ident
        for area in info.findall(f"{CAP}area"):
            assert area.findall(f"{CAP}polygon") or area.findall(f"{CAP}circle"), ident
            for circle in area.findall(f"{CAP}circle"):
                assert float(circle.text.split()[1]) > 0, (ident, circle.text)


def test_every_message_of_both_feeds_keeps_the_schema_and_the_profile(tmp_path, feeds, cli):
    import feedparser
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(XSD)))
    cfg = _profile_site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        private = s.get("/cap/index.atom", TOKEN)
        public = s.get("/cap/public.atom")  # no token
        assert public.status_code == 200
        assert public.headers["Content-Type"].startswith("application/atom+xml")
        again = s.get("/cap/public.atom", If_None_Match=public.headers["ETag"])
        assert again.status_code == 304
        feeds_read = {}
        for name, r in (("private", private), ("public", public)):
            parsed = feedparser.parse(r.content)
            assert not parsed.bozo, parsed.get("bozo_exception")
            self_links = [ln.href for ln in parsed.feed.links if ln.rel == "self"]
            assert self_links == [
                f"https://cc.garutkab.go.id/cap/{name.replace('private', 'index')}.atom"
            ]
            feeds_read[name] = parsed
            for entry in parsed.entries:
                entry["cap_link"] = next(ln.href for ln in entry.links if ln.rel == "alternate")
                assert entry.cap_link.startswith("https://cc.garutkab.go.id/cap/")
                for key in ("cap_event", "cap_severity", "cap_urgency", "cap_certainty",
                            "cap_expires", "cap_areadesc"):  # fmt: skip
                    assert entry.get(key), (entry.title, key)
        alerts: dict[str, ET.Element] = {}
        for name, parsed in feeds_read.items():
            for entry in parsed.entries:
                path = entry.cap_link.removeprefix("https://cc.garutkab.go.id")
                r = s.get(path, TOKEN if name == "private" else None)
                assert r.status_code == 200, (name, path, r.status_code)
                alert = ET.fromstring(r.content)
                _check_profile(alert, schema)
                alerts[entry.title] = alert
                for ref in (alert.findtext(f"{CAP}references") or "").split():
                    old = s.get(
                        f"/cap/{ref.split(',')[1]}.xml", TOKEN if name == "private" else None
                    )
                    assert old.status_code == 200, ref
                    _check_profile(ET.fromstring(old.content), schema)
        public_titles = {e.title for e in feeds_read["public"].entries}
        private_titles = {e.title for e in feeds_read["private"].entries}
        # A message not in the public feed needs a token.
        hidden = [e.cap_link for e in feeds_read["private"].entries if e.title not in public_titles]
        assert hidden and all(
            s.get(h.removeprefix("https://cc.garutkab.go.id")).status_code == 401 for h in hidden
        )
        s.stop()
    assert public_titles == {"Banjir bandang Cibatu", "Banjir Tarogong", "Longsor Cisurupan"}
    # Only in the token feed: the complaint, the exercise and BMKG's quake (not relayed).
    (quake,) = private_titles - public_titles - {"Aduan jalan rusak", "Latihan evakuasi"}
    assert "5.6" in quake
    flood = alerts["Banjir bandang Cibatu"].find(f"{CAP}info")
    assert flood.findtext(f"{CAP}urgency") == "Immediate"
    assert flood.findtext(f"{CAP}certainty") == "Observed"
    assert flood.findtext(f"{CAP}instruction") == "Jauhi bantaran sungai; ikuti arahan petugas."
    assert flood.findtext(f"{CAP}area/{CAP}circle") == "-7.2,107.9 3.0"
    sent = flood.findtext(f"../{CAP}sent") or alerts["Banjir bandang Cibatu"].findtext(f"{CAP}sent")
    assert sent == "2026-12-03T08:00:00+07:00"
    assert flood.findtext(f"{CAP}expires") == "2026-12-04T08:00:00+07:00"  # flood: 24h
    landslide = alerts["Longsor Cisurupan"].find(f"{CAP}info")
    assert landslide.findtext(f"{CAP}instruction") is None  # no instruction for landslides
    assert landslide.findtext(f"{CAP}urgency") == "Past"


def test_the_public_page_never_reloads_itself(tmp_path, feeds, cli):
    """A reader in the middle of the page keeps their place: no meta refresh, no script."""
    cfg = _profile_site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        page = s.get("/").text.lower()
        s.stop()
    assert "banjir bandang cibatu" in page
    assert "http-equiv" not in page and "<script" not in page
