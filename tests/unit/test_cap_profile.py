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
