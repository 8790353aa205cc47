"""Output files through the real CLI: never over the cache, its side files, the config or a
folder; a missing folder is exit 2; the bytes arrive whole (a temporary file renamed over).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from cc_console.store import Store
from tests.conftest import agencies_doc, native_source, write_config


def _site(tmp_path: Path, feeds, cli) -> Path:
    feeds.route(
        "/opd.json", agencies_doc({"id": "pupr", "name": "Dinas PUPR", "status": "operational"})
    )
    cfg = write_config(
        tmp_path / "config.toml", [native_source("opd", feeds.url("/opd.json"), "agencies")]
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    return cfg


def _digest(*paths: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.exists()}


# (the --out argument as given, how the test prepares it)
TARGETS = {
    "the cache": ("cache.db", None),
    "its wal": ("cache.db-wal", None),
    "its shm": ("cache.db-shm", None),
    "its journal": ("cache.db-journal", None),
    "the config": ("config.toml", None),
    "a symlink to the config": ("link.md", ("symlink", "config.toml")),
    "a symlink to the cache": ("link.html", ("symlink", "cache.db")),
    "a dangling symlink to the wal": ("wal-link", ("symlink", "cache.db-wal")),
    "a hard link to the cache": ("hard.db", ("hardlink", "cache.db")),
    "a folder": (".", None),
    "a symlink to a folder": ("dirlink", ("symlink", ".")),
    "a missing folder": ("missing/report.html", None),
}


@pytest.mark.parametrize("fmt", ["html", "md", "json"])
@pytest.mark.parametrize("name", list(TARGETS))
def test_report_out_never_lands_on_the_cache_the_config_or_a_folder(
    tmp_path, feeds, cli, name, fmt
):
    cfg = _site(tmp_path, feeds, cli)
    target, prepare = TARGETS[name]
    if prepare is not None:
        how, to = prepare
        if how == "symlink":
            (tmp_path / target).symlink_to(tmp_path / to)
        else:
            os.link(tmp_path / to, tmp_path / target)
    kept = [tmp_path / "cache.db", tmp_path / "config.toml"]
    before = _digest(*kept)
    fmt_args = ("--json",) if fmt == "json" else ("--format", fmt)
    r = cli("--config", str(cfg), "report", *fmt_args, "--out", target)
    assert r.code == 2, (r.code, r.err)
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
    assert "nothing was written" in r.err
    assert _digest(*kept) == before
    assert not (tmp_path / "cache.db-journal").exists()
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind
    # The cache is whole: the report still reads it and the journal verifies.
    assert cli("--config", str(cfg), "report", "--json").code == 0
    assert cli("--config", str(cfg), "journal", "--verify").code == 0


def test_minutes_out_is_refused_on_the_cache_and_written_elsewhere(tmp_path, feeds, cli):
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//ID\r\nBEGIN:VEVENT\r\n"
        "UID:rakor@garut\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T020000Z\r\n"
        "DTEND:20261125T030000Z\r\nSUMMARY:Rakor\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    feeds.route("/rakor.ics", ics)
    cfg = write_config(
        tmp_path / "config.toml",
        [{"name": "rakor", "kind": "agenda", "format": "ical", "url": feeds.url("/rakor.ics")}],
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    (meeting,) = cli(
        "--config", str(cfg), "agenda", "--from", "2026-11-24", "--to", "2026-11-26", "--json"
    ).json()  # type: ignore[misc]
    mid = meeting["id"]  # type: ignore[index]
    assert cli("--config", str(cfg), "--operator", "siti", "decide", mid, "Siaga").code == 0
    before = _digest(tmp_path / "cache.db")
    for target in ("cache.db", "cache.db-wal", "config.toml", "nope/m.md"):
        r = cli("--config", str(cfg), "minutes", mid, "--format", "md", "--out", target)
        assert r.code == 2 and len(r.err.strip().splitlines()) == 1, r.err
    assert _digest(tmp_path / "cache.db") == before
    r = cli("--config", str(cfg), "minutes", mid, "--format", "md", "--out", "m.md")
    assert r.code == 0, r.err
    assert (tmp_path / "m.md").read_text().startswith("# Notulen Rapat\n\n## Rakor")
    r = cli("--config", str(cfg), "minutes", mid, "--json", "--out", "m.json")
    assert r.code == 0 and r.out == ""
    assert '"Siaga"' in (tmp_path / "m.json").read_text()


def test_report_out_replaces_the_file_whole_and_keeps_its_mode_and_links(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    out = tmp_path / "laporan.html"
    out.write_text("old")
    out.chmod(0o640)
    inode = out.stat().st_ino
    r = cli("--config", str(cfg), "report", "--format", "html", "--out", str(out))
    assert r.code == 0, r.err
    assert out.read_text().startswith("<!DOCTYPE html>") or "<html" in out.read_text()
    # Renamed over, not written in place: a reader never sees half a page.
    assert out.stat().st_ino != inode
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert not list(tmp_path.glob(".*.tmp"))
    # A symlink to an ordinary file: the file is replaced, the link stays.
    link = tmp_path / "latest.md"
    link.symlink_to(out)
    assert cli("--config", str(cfg), "report", "--format", "md", "--out", str(link)).code == 0
    assert link.is_symlink() and out.read_text().startswith("# ")
    # --out with nothing to say what to write is a usage error, not a silent table.
    r = cli("--config", str(cfg), "report", "--out", "x.md")
    assert r.code == 2 and not (tmp_path / "x.md").exists()


def test_the_store_is_untouched_after_every_refusal(tmp_path, feeds, cli):
    """Belt and braces for the critical one: the live cache answers as before."""
    cfg = _site(tmp_path, feeds, cli)
    r = cli("--config", str(cfg), "report", "--format", "html", "--out", "cache.db")
    assert r.code == 2
    store = Store(tmp_path / "cache.db")
    try:
        assert [a.id for a in store.agencies.listing()] == ["pupr"]
    finally:
        store.close()


def test_report_help_names_both_formats_and_out(cli):
    r = cli("report", "--help")
    assert r.code == 0
    text = " ".join(r.out.split())
    assert "md" in text and "html" in text and "--out" in text


def test_with_db_elsewhere_the_configs_own_cache_is_still_refused(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    before = _digest(tmp_path / "cache.db")
    other = tmp_path / "other.db"
    for target in ("cache.db", "cache.db-wal", str(other)):
        r = cli("--config", str(cfg), "--db", str(other), "report", "--json", "--out", target)
        assert r.code == 2 and "is the cache" in r.err, (target, r.err)
    assert _digest(tmp_path / "cache.db") == before
