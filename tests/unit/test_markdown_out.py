"""``report --format md`` and ``minutes --format md`` through the real CLI, read back by a
CommonMark parser (markdown-it, the one rich renders with): what a feed or an operator wrote
stays text; the only structure is the document's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from markdown_it import MarkdownIt

from tests.conftest import agencies_doc, incident, incidents_doc, native_source, write_config

HOSTILE = "Rapat <b>x</b>\n# Judul palsu\n> kutipan\n- butir | sel `kode` [klik](http://evil.example) ![g](x.png) #"


def _parse(text: str) -> tuple[list[str], list[str], str]:
    """The headings' texts, every token type in the document, and its HTML."""
    md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    tokens = md.parse(text)
    headings = [tokens[i + 1].content for i, tok in enumerate(tokens) if tok.type == "heading_open"]
    types = [tok.type for tok in tokens]
    types += [c.type for tok in tokens for c in tok.children or []]
    return headings, types, md.render(text)


def _no_structure_from_text(types: list[str], html: str) -> None:
    for forbidden in ("html_inline", "html_block", "link_open", "image", "code_inline",
                      "blockquote_open", "em_open", "strong_open", "s_open", "code_block",
                      "hr"):  # fmt: skip
        if forbidden == "strong_open":
            continue  # the minutes' own "**When:**" labels are bold
        assert forbidden not in types, forbidden
    assert "<b>" not in html and "<img" not in html and "<a " not in html


def test_minutes_md_quotes_the_calendar_and_the_operators_literally(tmp_path, feeds, cli):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    summary = "Rakor <script>alert(1)</script> ## [x](y) #"
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//ID\r\nBEGIN:VEVENT\r\n"
        f"UID:rakor@garut\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\nSUMMARY:{summary}\r\n"
        "LOCATION:<i>Ruang</i> | CC\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    feeds.route("/rakor.ics", ics)
    feeds.route("/opd.json", agencies_doc({"id": "pupr", "name": "PUPR", "status": "operational"}))
    cfg = write_config(
        tmp_path / "config.toml",
        [
            {"name": "rakor", "kind": "agenda", "format": "ical", "url": feeds.url("/rakor.ics")},
            native_source("opd", feeds.url("/opd.json"), "agencies"),
        ],
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    (meeting,) = cli(
        "--config", str(cfg), "agenda", "--from", f"{start - timedelta(days=1):%Y-%m-%d}",
        "--to", f"{start + timedelta(days=1):%Y-%m-%d}", "--json",
    ).json()  # type: ignore[misc]  # fmt: skip
    mid = meeting["id"]  # type: ignore[index]
    run = ("--config", str(cfg), "--operator", "siti")
    assert cli(*run, "decide", mid, HOSTILE).code == 0
    assert cli(*run, "decide", mid, "1. bukan daftar\n2) juga bukan").code == 0
    due = f"{start + timedelta(days=3):%Y-%m-%d}"
    r = cli(*run, "action", "add", HOSTILE, "--owner", "pupr", "--due", due, "--meeting", mid)
    assert r.code == 0, r.err
    r = cli(*run, "minutes", mid, "--format", "md")
    assert r.code == 0, r.err
    headings, types, html = _parse(r.out)
    assert headings == ["Notulen Rapat",
                        summary.replace("<", "&lt;").replace(">", "&gt;").replace("[", "\\[")
                        .replace("]", "\\]").removesuffix("#") + "\\#",
                        "Acara", "Pembahasan", "Keputusan", "Tindak lanjut",
                        "Masih terbuka dari rapat sebelumnya", "Pengesahan"]  # fmt: skip
    _no_structure_from_text(types, html)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # One ordered list of two decisions; the tables of the head (7 facts), the items
    # and the signatures (room to sign, the names): nothing more.
    assert types.count("ordered_list_open") == 1 and types.count("list_item_open") == 2
    assert types.count("table_open") == 3 and types.count("tr_open") == 8 + 2 + 5
    assert types.count("bullet_list_open") == 0
    # The texts themselves arrive whole, as text.
    assert "# Judul palsu" in html and "[klik](http://evil.example)" in html
    assert "1. bukan daftar 2) juga bukan" in html


def test_report_md_quotes_agency_area_and_category_names_literally(tmp_path, feeds, cli):
    now = datetime.now(UTC).replace(microsecond=0)
    at = f"{now - timedelta(hours=2):%Y-%m-%dT%H:%M:%SZ}"
    feeds.route(
        "/inc.json",
        incidents_doc(
            incident("B1", "Banjir", area="- Kec. <b>Tarogong</b> | `x`", category="x_[a](b)",
                     reported_at=at, updated_at=at),
        ),
    )  # fmt: skip
    feeds.route(
        "/opd.json",
        agencies_doc({"id": "bpbd", "name": "# BPBD <script>x</script> | [a](b)",
                      "status": "operational"}),
    )  # fmt: skip
    cfg = write_config(
        tmp_path / "config.toml",
        [native_source("bpbd", feeds.url("/inc.json")),
         native_source("opd", feeds.url("/opd.json"), "agencies")],
    )  # fmt: skip
    assert cli("--config", str(cfg), "refresh").code == 0
    r = cli("--config", str(cfg), "report", "--format", "md")
    assert r.code == 0, r.err
    headings, types, html = _parse(r.out)
    assert all(not h.lstrip("\\").startswith("#") or h.startswith("\\#") for h in headings)
    assert not any("BPBD" in h for h in headings)
    _no_structure_from_text(types, html)
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
    # The ranking is one table; its rows have exactly the columns of its head.
    assert "# BPBD &lt;script&gt;x&lt;/script&gt; | [a](b)" in html
    assert "- Kec. &lt;b&gt;Tarogong&lt;/b&gt; | `x`" in html
