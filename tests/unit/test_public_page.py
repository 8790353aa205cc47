"""The public page through a real ``serve``: hazard first, grouped by kecamatan, each
earthquake once and only while it is recent, the emergency numbers before anything,
and one short screen when nothing is happening."""

from __future__ import annotations

import html
import re
from pathlib import Path

from tests.conftest import agencies_doc, incident, incidents_doc, native_source, write_config
from tests.serving import Serving

# The suite's clock: Thursday 2026-12-03 10:00 WIB (03:00Z).
PUBLIC = """
[serve]
public_url = "https://cc.garutkab.go.id"
[public]
emergency = ["112", "BPBD Kab. Garut (0262) 123456"]
quake_hours = 24
instructions = { flood = "Jauhi bantaran sungai; ikuti arahan petugas." }
"""


def _quake(ext: str, title: str, at: str, lat: float, lon: float, **kw: object) -> dict:
    fields: dict[str, object] = {"category": "earthquake", "severity": "moderate",
                                 "area": "Pusat gempa di laut 90 km BaratDaya Garut"}  # fmt: skip
    fields.update(kw)
    return incident(ext, title, lat=lat, lon=lon, reported_at=at, updated_at=at, **fields)


def _site(tmp_path: Path, feeds, cli, *, happening: bool = True) -> Path:
    """A regency during a flash flood in Cibatu (or, not ``happening``, a quiet day
    with only an old earthquake and an exercise), with one service down."""
    now = "2026-12-03T02:30:00Z"
    floods = [
        incident("F1", "Banjir bandang Sungai Cibatu", severity="extreme", area="Kec. Cibatu",
                 reported_at=now, updated_at=now),
        incident("F2", "Genangan di Jl. Raya Cibatu", severity="moderate", area="Cibatu",
                 reported_at="2026-12-03T02:50:00Z", updated_at="2026-12-03T02:50:00Z"),
        incident("L1", "Longsor menutup jalan desa", category="landslide", severity="severe",
                 area="Kec. Cisewu", reported_at=now, updated_at=now),
        incident("C1", "Aduan sampah menumpuk", category="complaint", area="Kec. Cibatu"),
    ]  # fmt: skip
    quiet = [
        incident("X1", "Latihan evakuasi banjir", severity="extreme", exercise=True,
                 area="Kec. Cibatu", reported_at=now, updated_at=now),
        _quake("Q0", "Gempa M5.9 pekan lalu", "2026-11-26T03:00:00Z", -8.0, 107.5),
    ]  # fmt: skip
    feeds.route("/bpbd.json", incidents_doc(*(floods + quiet if happening else quiet)))
    # One earthquake as BMKG and USGS report it: 70 s and about 20 km apart; and a
    # second, distinct one at the same minute 250 km away.
    feeds.route(
        "/bmkg.json",
        incidents_doc(
            _quake("B1", "Gempa M5.2 BaratDaya Garut", "2026-12-03T01:00:00Z", -7.90, 107.40),
            _quake("B2", "Gempa M4.8 Samudra Hindia", "2026-12-03T01:00:30Z", -9.90, 107.70),
        )
        if happening
        else incidents_doc(),
    )
    feeds.route(
        "/usgs.json",
        incidents_doc(
            _quake("us7000", "M 5.1 - 95 km SW of Garut, Indonesia", "2026-12-03T01:01:10Z",
                   -8.05, 107.30, area="95 km SW of Garut, Indonesia", severity="severe")
        )
        if happening
        else incidents_doc(),
    )  # fmt: skip
    feeds.route(
        "/opd.json",
        agencies_doc(
            {"id": "pdam", "name": "PDAM Tirta Intan", "status": "major_outage"},
            {"id": "bpbd", "name": "BPBD Garut", "status": "operational"},
            {"id": "rsud", "name": "RSUD dr. Slamet", "status": "operational"},
        ),
    )
    cfg = write_config(
        tmp_path / "config.toml",
        [
            native_source("bpbd", feeds.url("/bpbd.json")),
            native_source("bmkg", feeds.url("/bmkg.json")),
            native_source("usgs", feeds.url("/usgs.json")),
            native_source("opd", feeds.url("/opd.json"), kind="agencies"),
        ],
        PUBLIC,
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    return cfg


def _text(page: str) -> str:
    """The page's readable text in document order, markup and style gone."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _groups(page: str) -> dict[str, str]:
    """Each kecamatan group's heading and its text."""
    out = {}
    for part in page.split('<section class="group">')[1:]:
        part = part.split("</section>")[0]
        heading = html.unescape(re.search(r"<h3>(.*?)</h3>", part, re.S).group(1)).strip()
        assert heading not in out, f"{heading} is two groups"
        out[heading] = _text(part)
    return out


def test_a_flood_leads_the_page_with_whom_to_call_and_when_it_was_updated(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg) as s:
        page = s.get("/").text
    text = _text(page)
    at = {w: text.find(w) for w in ("Nomor darurat", "112", "BPBD Kab. Garut (0262) 123456",
                                    "Banjir bandang Sungai Cibatu", "Diperbarui",
                                    "Kejadian aktif", "Layanan perangkat daerah")}  # fmt: skip
    assert all(i >= 0 for i in at.values()), at
    # Emergency numbers first, then the worst hazard, then the update time, then the
    # hazards, then the services.
    assert list(at.values()) == sorted(at.values()), at
    assert re.search(r"Diperbarui \w{3} 03 Des 2026 \d\d:\d\d WIB", text)
    assert 'href="tel:0262123456"' in page and 'href="tel:112"' in page
    # A service outage is told after the hazards, never as the page's banner.
    before_hazards = text[: at["Kejadian aktif"]]
    assert "PDAM" not in before_hazards and "gangguan" not in before_hazards.lower()
    assert "PDAM Tirta Intan : gangguan besar" in text
    # The instruction of the category under each flood; none under the landslide.
    groups = _groups(page)
    assert groups["Kec. Cibatu"].count("Jauhi bantaran sungai; ikuti arahan petugas.") == 2
    assert "Jauhi" not in groups["Kec. Cisewu"]
    # Private or exercise items never reach the page.
    assert "Aduan sampah" not in page and "Latihan evakuasi" not in page


def test_hazards_are_grouped_by_kecamatan_most_severe_first(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg) as s:
        page = s.get("/").text
    groups = _groups(page)
    # "Kec. Cibatu" and "Cibatu" are one kecamatan; its extreme flood puts it first.
    names = list(groups)
    assert names[0] == "Kec. Cibatu" and "Kec. Cisewu" in names and "Cibatu" not in names
    cibatu = groups["Kec. Cibatu"]
    assert cibatu.index("Banjir bandang Sungai Cibatu") < cibatu.index("Genangan di Jl. Raya")
    assert names.index("Kec. Cisewu") < len(names) - 1  # the severe landslide before a quake
    assert text_order(page, "ekstrem", "Longsor menutup jalan desa", "Gempa M4.8")


def text_order(page: str, *words: str) -> bool:
    text = _text(page.split('id="incidents"', 1)[1])
    where = [text.find(w) for w in words]
    assert all(i >= 0 for i in where), dict(zip(words, where, strict=True))
    return where == sorted(where)


def test_one_earthquake_reported_by_bmkg_and_usgs_is_shown_once_naming_both(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg) as s:
        page = s.get("/").text
    text = _text(page)
    # BMKG's words lead; USGS's report of the same quake is not a second hazard.
    assert text.count("Gempa M5.2 BaratDaya Garut") == 1
    assert "95 km SW of Garut" not in text
    assert "dilaporkan oleh bmkg, usgs" in text or "dilaporkan oleh usgs, bmkg" in text
    # The same minute 250 km away is another earthquake.
    assert text.count("Gempa M4.8 Samudra Hindia") == 1
    # A quake of last week is over for the public, however a feed still lists it.
    assert "Gempa M5.9 pekan lalu" not in text


def test_nothing_happening_is_said_in_one_short_page(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli, happening=False)
    with Serving(cfg) as s:
        page = s.get("/").text
    text = _text(page)
    assert "Tidak ada kejadian aktif" in text
    assert 'role="alert"' not in page and '<section class="group">' not in page
    assert text.index("112") < text.index("Diperbarui") < text.index("Tidak ada kejadian")
    # The services in a line and the one in trouble by name; the rest folded away.
    assert "1 gangguan besar · 2 normal" in text and "Semua layanan (3)" in text
    assert "Gempa M5.9" not in text and "Latihan" not in text
    # English when the site speaks it, the same page.
    cfg.write_text(cfg.read_text().replace('timezone = "Asia/Jakarta"',
                                           'timezone = "Asia/Jakarta"\nlanguage = "en"'))  # fmt: skip
    with Serving(cfg) as s:
        english = _text(s.get("/").text)
    for words in ("Emergency numbers", "No active incidents", "Updated", "All services (3)"):
        assert words in english, words


# -- contrast ---------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of ``#rgb`` or ``#rrggbb``."""
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    assert re.fullmatch(r"[0-9a-fA-F]{6}", h), hex_colour

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(h[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _rules(css: str) -> dict[str, dict[str, str]]:
    """Declarations by single selector (a group ``a, b {…}`` gives both)."""
    out: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        decls = dict(
            (k.strip(), v.strip())
            for k, _, v in (d.partition(":") for d in body.split(";"))
            if k.strip()
        )
        for sel in selectors.split(","):
            out.setdefault(" ".join(sel.split()), {}).update(decls)
    return out


def _pairs(css: str, dark: bool) -> list[tuple[str, str, str]]:
    """(where, text colour, background) of every pair a reader can see in one scheme.

    A rule setting both is one pair; a rule setting only ``color`` is checked on
    every surface (a rule's background without a colour of its own, and the page);
    a surface without a colour of its own carries the body's text.
    """
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    media = re.search(r"@media \(prefers-color-scheme: dark\) \{(.*)\}\s*$", css, re.S)
    assert media, "no dark scheme"
    light = _rules(css[: media.start()])
    rules = {k: dict(v) for k, v in light.items()}
    if dark:
        for sel, decls in _rules(media.group(1)).items():
            rules.setdefault(sel, {}).update(decls)
    variables = {k: v for k, v in rules.pop(":root").items() if k.startswith("--")}

    def value(text: str) -> str:
        found = re.fullmatch(r"var\((--[\w-]+)\)", text)
        return variables[found.group(1)] if found else text

    def colours(decls: dict[str, str]) -> tuple[str | None, str | None]:
        bg = decls.get("background-color") or decls.get("background")
        fg = decls.get("color")
        return (value(fg) if fg else None, value(bg) if bg else None)

    body_fg, body_bg = colours(rules["body"])
    assert body_fg and body_bg
    surfaces = {"body": body_bg}
    pairs = []
    for sel, decls in rules.items():
        fg, bg = colours(decls)
        if fg and bg:
            pairs.append((sel, fg, bg))
        elif bg:
            surfaces[sel] = bg
            pairs.append((sel, body_fg, bg))
    for sel, decls in rules.items():
        fg, bg = colours(decls)
        if fg and not bg:
            pairs.extend((f"{sel} on {where}", fg, on) for where, on in surfaces.items())
    return pairs


def test_every_text_colour_of_the_page_meets_wcag_aa_in_both_schemes():
    from cc_console.resources import data_dir

    page = (data_dir() / "templates" / "public.html.j2").read_text("utf-8")
    css = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    assert round(contrast("#ffffff", "#b26a00"), 2) == 4.24  # the old "sedang" badge
    assert round(contrast("#000", "#fff"), 1) == 21.0
    for dark in (False, True):
        pairs = _pairs(css, dark)
        assert len(pairs) >= 20, pairs  # the badges, the banner, the statuses, the cards
        poor = [(w, fg, bg, round(contrast(fg, bg), 2)) for w, fg, bg in pairs
                if contrast(fg, bg) < 4.5]  # fmt: skip
        assert not poor, ("dark" if dark else "light", poor)
