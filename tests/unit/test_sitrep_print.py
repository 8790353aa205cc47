"""The issued sit-rep as Chromium prints it (the report's print path): its first page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cc_console.demo.crisis import seed_crisis
from cc_console.store import Store
from tests.conftest import write_config

pytestmark = pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("pdftotext")), reason="needs chromium, poppler"
)


def _page_one(cli, tmp_path: Path) -> str:
    cfg = write_config(tmp_path / "config.toml", [])
    with Store(tmp_path / "cache.db") as store:
        seed_crisis(store)  # the demo's flood: three kecamatan, sit-rep 1 issued yesterday
    assert cli("--config", str(cfg), "sitrep", "E-1", "--issue", "--json").code == 0
    page = tmp_path / "sitrep.html"
    r = cli("--config", str(cfg), "sitrep", "E-1", "--number", "2", "--format", "html",
            "--out", str(page))  # fmt: skip
    assert r.code == 0, r.err
    pdf = tmp_path / "sitrep.pdf"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    return subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def test_the_printed_first_page_has_even_totals_a_total_row_and_a_legend(cli, tmp_path):
    text = _page_one(cli, tmp_path)
    lines = text.splitlines()
    # The ten totals in two rows of five: the first row's cards side by side on one line
    # (they once wrapped four, four and two, each as wide as its label).
    first = next(ln for ln in lines if ln.strip().startswith("Meninggal"))
    assert all(w in first for w in ("Meninggal", "Hilang", "Terluka", "Mengungsi")), first
    assert first.count("Mengungsi") == 2, first
    # The areas' table ends with their sum (the totals above, per column).
    total = next(ln for ln in lines if ln.strip().startswith("Jumlah") and "885" in ln)
    assert total.split()[1:] == ["2", "1", "8", "885", "272", "4", "11", "35", "430", "2"]
    # The abbreviated columns are spelled out under the table.
    words = " ".join(text.split())
    assert "MD: Meninggal" in words and "RB: Rumah rusak berat" in words
