"""Public updates (``note --public``), the Statuspage fields of ``/status.json`` read back by
our own Statuspage poller, Kemendagri geocodes in CAP areas, and each item's site code
kept through a regency -> province -> national chain of real ``serve`` processes."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cc_console.crisis import gazetteer, resolve_area
from cc_console.models import Incident
from cc_console.publish import cap_identifier
from tests.conftest import agencies_doc, incident, incidents_doc, native_source, write_config
from tests.serving import Serving

TOKEN = "tok-updates-4d1a"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://cc.garutkab.go.id"
# The suite's clock: Thursday 2026-12-03 10:00 WIB (03:00Z).
_NOW = "2026-12-03T02:30:00Z"


def _ident(ext: str, site: str = "32.05", source: str = "bpbd") -> str:
    return cap_identifier(site, Incident(source=source, external_id=ext, title=""))


def _agency(status: str, at: str, kpi: float) -> dict:
    return {"id": "pdam", "name": "PDAM Tirta Intan", "status": status, "updated_at": at,
            "kpis": [{"name": "Tekanan air", "value": kpi, "target": 2.0, "unit": "bar"}]}  # fmt: skip


def _site(tmp_path: Path, feeds, cli) -> Path:
    """A regency with a flood in Cibatu, a landslide in Limbangan (the Kemendagri name of
    Balubur Limbangan), a flood already resolved, and PDAM whose status changed once
    and whose KPI moved afterwards."""
    feeds.route(
        "/bpbd.json",
        incidents_doc(
            incident("F1", "Banjir bandang Sungai Cibatu", severity="extreme", area="Kec. Cibatu",
                     reported_at=_NOW, updated_at=_NOW),
            incident("L1", "Longsor jalan desa", category="landslide", severity="severe",
                     area="Limbangan", reported_at=_NOW, updated_at=_NOW),
            incident("L2", "Retakan tanah", category="landslide", severity="minor",
                     area="Kecamatan Balubur Limbangan", reported_at=_NOW, updated_at=_NOW),
            incident("F0", "Genangan surut", severity="minor", area="Kec. Leles",
                     reported_at="2026-12-03T00:00:00Z", updated_at="2026-12-03T00:00:00Z"),
        ),
    )  # fmt: skip
    feeds.route("/opd.json", agencies_doc(_agency("operational", "2026-12-01T00:00:00Z", 2.5)))
    cfg = write_config(
        tmp_path / "config.toml",
        [native_source("bpbd", feeds.url("/bpbd.json")),
         native_source("opd", feeds.url("/opd.json"), kind="agencies")],
    )  # fmt: skip
    cfg.write_text(
        cfg.read_text()
        + f'[serve]\ntokens_env = "CC_SERVE_TOKENS"\npublic_url = "{BASE}"\n'
        + '[public]\ninstructions = { flood = "Jauhi bantaran sungai." }\n'
    )
    run = ("--config", str(cfg))
    assert cli(*run, "refresh").code == 0
    # PDAM goes down at 02:00Z; at 02:40Z only its KPI moves: its status changed at 02:00Z.
    feeds.route("/opd.json", agencies_doc(_agency("major_outage", "2026-12-03T02:00:00Z", 0.4)))
    assert cli(*run, "refresh").code == 0
    feeds.route("/opd.json", agencies_doc(_agency("major_outage", "2026-12-03T02:40:00Z", 0.1)))
    assert cli(*run, "refresh").code == 0
    ops = (*run, "--operator", "Siti Piket")
    assert cli(*ops, "ack", "bpbd:F1").code == 0
    assert cli(*ops, "note", "bpbd:F1", "RAHASIA: HP kades 0812").code == 0
    assert cli(*ops, "note", "--public", "bpbd:F1", "Pengungsian dibuka di SDN 1 Cibatu.").code == 0
    assert cli(*ops, "note", "--public", "bpbd:F1", "Air mulai surut <b>pelan</b>.").code == 0
    assert cli(*ops, "resolve", "bpbd:F0").code == 0
    assert cli(*ops, "note", "--public", "bpbd:F0", "Genangan sudah surut.").code == 0
    return cfg


def test_note_public_is_journaled_and_refused_read_only(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    run = ("--config", str(cfg))
    journal = cli(*run, "journal", "--json").json()
    assert [(e["action"], e["note"]) for e in journal if e["target"] == "bpbd:F1"] == [
        ("ack", None),
        ("note", "RAHASIA: HP kades 0812"),
        ("note.public", "Pengungsian dibuka di SDN 1 Cibatu."),
        ("note.public", "Air mulai surut <b>pelan</b>."),
    ]
    r = cli(*run, "--read-only", "note", "--public", "bpbd:F1", "tidak boleh")
    assert r.code != 0 and "read-only" in r.err.lower()
    assert len(cli(*run, "journal", "--json").json()) == len(journal)  # nothing written
    assert cli(*run, "note", "--public", "bpbd:F1", "   ").code == 2  # empty: refused


def test_public_updates_appear_under_their_incident_on_the_page_and_nowhere_private(
    tmp_path, feeds, cli
):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        page = s.get("/").text
    card = re.search(rf'<li class="card incident" id="i-{re.escape(_ident("F1"))}">(.*?)</li>',
                     page, re.S)  # fmt: skip
    assert card, page
    text = html.unescape(re.sub(r"<[^>]+>", " ", card.group(1)))
    # newest first, as a status page shows them; the note's markup is text
    assert text.index("Air mulai surut <b>pelan</b>.") < text.index("Pengungsian dibuka")
    assert "Kabar " in text
    assert "RAHASIA" not in page and "Siti" not in page
    assert "<b>pelan</b>" not in page  # escaped, never markup


def test_status_json_has_the_statuspage_fields_and_our_poller_reads_it_back(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        doc = s.get("/status.json").json()
        assert doc["page"]["url"] == BASE
        (pdam,) = doc["components"]
        # when its status changed (02:00Z), not its KPI's last move (02:40Z) nor render time
        assert (pdam["status"], pdam["updated_at"]) == ("major_outage", "2026-12-03T02:00:00Z")
        assert pdam["created_at"] == "2026-12-01T00:00:00Z"
        incidents = {i["name"]: i for i in doc["incidents"]}
        flood = incidents["Banjir bandang Sungai Cibatu"]
        assert flood["started_at"] == _NOW and flood["resolved_at"] is None
        assert flood["status"] == "identified"
        assert flood["shortlink"] == f"{BASE}/#i-{_ident('F1')}"
        assert [u["body"] for u in flood["incident_updates"]] == [
            "Air mulai surut <b>pelan</b>.",
            "Pengungsian dibuka di SDN 1 Cibatu.",
        ]
        assert all(u["status"] == "identified" and u["incident_id"] == flood["id"]
                   for u in flood["incident_updates"])  # fmt: skip
        assert flood["updated_at"] == flood["incident_updates"][0]["created_at"]
        over = incidents["Genangan surut"]  # resolved today: a reader learns the end
        assert over["status"] == "resolved" and over["resolved_at"] is not None
        assert [u["status"] for u in over["incident_updates"]] == ["resolved"]
        assert "RAHASIA" not in json.dumps(doc) and "Siti" not in json.dumps(doc)
        # The same document an hour later: nothing changed, so the same times.
        again = s.get("/status.json").json()
        assert again["components"] == doc["components"]
        # Read back by our own Statuspage poller, as any Statuspage reader would.
        (tmp_path / "reader").mkdir()
        reader = write_config(
            tmp_path / "reader" / "config.toml",
            [{"name": "garut", "kind": "incidents", "format": "statuspage",
              "url": s.address + "/status.json"},
             {"name": "garut-opd", "kind": "agencies", "format": "statuspage",
              "url": s.address + "/status.json"}],
        )  # fmt: skip
        assert cli("--config", str(reader), "refresh").code == 0
    got = {
        i["title"]: i for i in cli("--config", str(reader), "incidents", "--all", "--json").json()
    }
    assert got["Banjir bandang Sungai Cibatu"]["url"] == flood["shortlink"]
    assert got["Banjir bandang Sungai Cibatu"]["description"] == "Air mulai surut <b>pelan</b>."
    assert got["Banjir bandang Sungai Cibatu"]["severity"] == "extreme"
    assert got["Banjir bandang Sungai Cibatu"]["reported_at"] == _NOW
    assert got["Genangan surut"]["status"] == "resolved"
    (agency,) = cli("--config", str(reader), "agencies", "--json").json()
    assert (agency["status"], agency["updated_at"]) == ("major_outage", "2026-12-03T02:00:00Z")


def test_without_public_url_the_shortlink_is_null_not_relative(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    cfg.write_text(cfg.read_text().replace(f'public_url = "{BASE}"\n', ""))
    with Serving(cfg, tokens=TOKEN) as s:
        doc = s.get("/status.json").json()
    assert doc["page"]["url"] == ""
    assert {i["shortlink"] for i in doc["incidents"]} == {None}


def test_garuts_42_kecamatan_carry_their_kemendagri_codes():
    garut = gazetteer("32.05")
    assert len(garut) == 42
    assert [c for c, _ in garut] == [f"32.05.{n:02d}" for n in range(1, 43)]
    # A few checked against the Kepmendagri list by name.
    named = dict((n, c) for c, n in garut)
    assert named["Garut Kota"] == "32.05.01" and named["Cibatu"] == "32.05.12"
    assert named["Sucinaraja"] == "32.05.42" and named["Balubur Limbangan"] == "32.05.38"
    assert resolve_area("Limbangan", "32.05") == ("Balubur Limbangan", "32.05.38")
    # Each demo regency's few, under its own code; a name two regencies share is theirs.
    assert resolve_area("Kec. Plered", "32.14") == ("Plered", "32.14.04")
    assert resolve_area("Kec. Plered", "32.09") == ("Plered", "32.09.36")
    assert resolve_area("Plered") == ("Plered", None)  # whose? not said: no code
    assert resolve_area("Cibatu", "32.06") == ("Cibatu", None)  # not Tasikmalaya's


def test_cap_areas_carry_kemendagri_geocodes_and_the_page_groups_by_them(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        codes = {}
        for ext in ("F1", "L1", "L2"):
            ident = next(e for e in _entries(s) if e.startswith(_ident(ext)))
            alert = ET.fromstring(s.get(f"/cap/{ident}.xml", TOKEN).content)
            geo = alert.find(f"{CAP}info/{CAP}area/{CAP}geocode")
            assert geo.findtext(f"{CAP}valueName") == "KEMENDAGRI"
            codes[ext] = geo.findtext(f"{CAP}value")
        page = s.get("/").text
    assert codes == {"F1": "32.05.12", "L1": "32.05.38", "L2": "32.05.38"}
    headings = [html.unescape(h) for h in re.findall(r"<h3>(.*?)</h3>", page)]
    # "Limbangan" and "Kecamatan Balubur Limbangan": one kecamatan, one group
    assert headings == ["Kec. Cibatu", "Kec. Balubur Limbangan"], headings


def _entries(s: Serving) -> list[str]:
    index = ET.fromstring(s.get("/cap/index.atom", TOKEN).content)
    return [
        e.find(f"{ATOM}link").get("href").rsplit("/", 1)[1][:-4] for e in index.iter(f"{ATOM}entry")
    ]


def test_the_atom_feeds_speak_the_sites_language(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        public = ET.fromstring(s.get("/cap/public.atom").content)
        index = ET.fromstring(s.get("/cap/index.atom", TOKEN).content)
    assert (
        public.findtext(f"{ATOM}title")
        == "Command Center Kabupaten Garut: Peringatan CAP untuk publik"
    )
    assert index.findtext(f"{ATOM}title") == "Command Center Kabupaten Garut: Peringatan CAP"
    summaries = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}summary")
                 for e in public.iter(f"{ATOM}entry")}  # fmt: skip
    assert summaries["Banjir bandang Sungai Cibatu"] == (
        "ekstrem · banjir · Kec. Cibatu. Jauhi bantaran sungai."
    )
    cfg.write_text(cfg.read_text().replace('timezone = "Asia/Jakarta"',
                                           'timezone = "Asia/Jakarta"\nlanguage = "en"'))  # fmt: skip
    with Serving(cfg, tokens=TOKEN) as s:
        public = ET.fromstring(s.get("/cap/public.atom").content)
    assert public.findtext(f"{ATOM}title").endswith(": CAP alerts for the public")
    assert any(e.findtext(f"{ATOM}summary").startswith("extreme · flood · Kec. Cibatu")
               for e in public.iter(f"{ATOM}entry"))  # fmt: skip


@pytest.fixture
def chain(tmp_path, feeds, cli, monkeypatch):
    """A regency (32.05) serving, a province (32) reading its native feed and serving,
    and a national reader (00) reading the province: three real caches, two servers."""
    feeds.route(
        "/lapor.json",
        incidents_doc(
            incident("R1", "Banjir bandang Cibatu", severity="extreme", area="Kec. Cibatu"),
            incident("R2", "Longsor Cisewu", category="landslide", severity="severe",
                     area="Kec. Cisewu"),
        ),
    )  # fmt: skip
    homes = {k: tmp_path / k for k in ("regency", "province", "national")}
    for home in homes.values():
        home.mkdir()
    regency = write_config(homes["regency"] / "config.toml",
                           [native_source("lapor", feeds.url("/lapor.json"))])  # fmt: skip
    regency.write_text(regency.read_text() + '[serve]\ntokens_env = "CC_SERVE_TOKENS"\n')
    assert cli("--config", str(regency), "refresh").code == 0
    monkeypatch.setenv("T_REGENCY", "tok-regency-1")
    monkeypatch.setenv("T_PROVINCE", "tok-province-2")
    with Serving(regency, tokens="tok-regency-1") as r:
        province = write_config(
            homes["province"] / "config.toml",
            [native_source("garut", r.address + "/incidents.json", token_env="T_REGENCY")],
        )
        text = province.read_text().replace('code = "32.05"', 'code = "32"')
        text = text.replace("Kabupaten Garut", "Provinsi Jawa Barat")
        province.write_text(text + '[serve]\ntokens_env = "CC_SERVE_TOKENS"\n')
        # The province has a source of its own too (its own site's item).
        feeds.route(
            "/prov.json",
            incidents_doc(incident("P1", "Kebakaran gudang", category="fire", area="Kota Bandung")),
        )
        text = province.read_text().replace(
            "[serve]",
            '[[sources]]\nname = "pusdalops"\nkind = "incidents"\nformat = "native"\n'
            f'url = "{feeds.url("/prov.json")}"\n[serve]',
            1,
        )
        province.write_text(text)
        assert cli("--config", str(province), "refresh").code == 0
        with Serving(province, tokens="tok-province-2") as p:
            national = write_config(
                homes["national"] / "config.toml",
                [native_source("jabar", p.address + "/incidents.json", token_env="T_PROVINCE")],
            )
            national.write_text(national.read_text().replace('code = "32.05"', 'code = "00"'))
            yield {"province": province, "national": national, "server": p}


def test_a_national_reader_sees_each_items_regency_code_through_the_province(chain, cli):
    national, p = chain["national"], chain["server"]
    served = p.get("/incidents.json", "tok-province-2").json()
    assert served["site"]["code"] == "32"
    assert {i["title"]: i["site"] for i in served["incidents"]} == {
        "Banjir bandang Cibatu": "32.05",
        "Longsor Cisewu": "32.05",
        "Kebakaran gudang": "32",
    }
    r = cli("--config", str(national), "refresh", "--json")
    assert r.code == 0, r.out + r.err
    seen = {
        i["title"]: i["site"] for i in cli("--config", str(national), "incidents", "--json").json()
    }
    assert seen == {"Banjir bandang Cibatu": "32.05", "Longsor Cisewu": "32.05",
                    "Kebakaran gudang": "32"}  # fmt: skip
    # The province's CAP names each alert's site and its kecamatan's code under it.
    ident = next(e for e in _entries_with(p, "tok-province-2")
                 if e.startswith(cap_identifier("32", Incident("garut", "lapor:R1", ""))))  # fmt: skip
    alert = ET.fromstring(p.get(f"/cap/{ident}.xml", "tok-province-2").content)
    params = {x.findtext(f"{CAP}valueName"): x.findtext(f"{CAP}value")
              for x in alert.iter(f"{CAP}parameter")}  # fmt: skip
    assert params["cc-console:site"] == "32.05"
    assert alert.findtext(f"{CAP}info/{CAP}area/{CAP}geocode/{CAP}value") == "32.05.12"


def _entries_with(s: Serving, token: str) -> list[str]:
    index = ET.fromstring(s.get("/cap/index.atom", token).content)
    return [
        e.find(f"{ATOM}link").get("href").rsplit("/", 1)[1][:-4] for e in index.iter(f"{ATOM}entry")
    ]


def test_an_item_claiming_a_site_outside_its_documents_is_not_believed(tmp_path, feeds, cli):
    doc = json.loads(incidents_doc(
        incident("A1", "Di bawah", site="32.05"),
        incident("A2", "Di luar", site="33.01"),
        incident("A3", "Lewat extra", extra={"site": "31.71"}),
    ))  # fmt: skip
    doc["site"] = {"code": "32", "name": "Provinsi Jawa Barat"}
    feeds.route("/prov.json", json.dumps(doc))
    cfg = write_config(tmp_path / "config.toml", [native_source("jabar", feeds.url("/prov.json"))])
    cfg.write_text(cfg.read_text().replace('code = "32.05"', 'code = "00"'))
    r = cli("--config", str(cfg), "refresh", "--json")
    assert "site '33.01' is not under the document's site" in r.out  # said, not believed
    seen = {i["title"]: i["site"] for i in cli("--config", str(cfg), "incidents", "--json").json()}
    assert seen == {"Di bawah": "32.05", "Di luar": "32", "Lewat extra": "32"}


def test_the_demo_shows_a_public_update_on_its_first_start(tmp_path):
    from cc_console.config import load_config
    from cc_console.demo import DemoServer
    from cc_console.demo.crisis import PUBLIC_UPDATE, seed_crisis
    from cc_console.demo.session import rakor_id, seed_follow_up
    from cc_console.publish import Documents
    from tests.conftest import demo_store

    with DemoServer(tick_seconds=3600) as server:
        store, refresh = demo_store(server, tmp_path)
        try:
            refresh()
            seed_follow_up(store, load_config(tmp_path / "demo.toml").site.tz)
            seed_crisis(store, rakor_id(store))
            docs = Documents(store, load_config(tmp_path / "demo.toml"), 7)
            page = docs.render("/").body.decode()
            status = json.loads(docs.render("/status.json").body)
        finally:
            store.close()
    assert html.escape(PUBLIC_UPDATE, quote=False) in page
    bodies = [u["body"] for i in status["incidents"] for u in i["incident_updates"]]
    assert bodies == [PUBLIC_UPDATE]
