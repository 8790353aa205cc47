"""The handover and the commands around it: no silent empty cache, nothing cut, in one language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cc_console.models import Meeting
from cc_console.store import PollRecord, Store
from tests.conftest import incident, incidents_doc, native_source, run_subprocess, write_config


@pytest.mark.parametrize("command", [["handover"], ["incidents"], ["status"], ["sla"]])
def test_without_a_config_or_db_a_reading_command_is_exit_2(tmp_path, cli, command):
    r = cli(*command)
    assert r.code == 2 and "--config" in r.err, r.err
    assert not list(tmp_path.rglob("*.db"))  # no empty cache was made anywhere


def test_with_db_alone_a_command_still_reads(tmp_path, cli):
    assert cli("--db", str(tmp_path / "x.db"), "incidents", "--json").code == 0


def test_the_handover_keeps_the_meeting_in_progress_ids_whole_and_one_language(
    tmp_path, feeds, cli
):
    ext = "LAPORAN-PANJANG-SEKALI-0001"
    feeds.route("/inc.json", incidents_doc(incident(ext, "Banjir di Kec. Cisewu")))
    cfg = write_config(
        tmp_path / "config.toml", [native_source("bpbd-laporan", feeds.url("/inc.json"))]
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    assert cli("--config", str(cfg), "--operator", "siti", "ack", f"bpbd-laporan:{ext}").code == 0
    now = datetime.now(UTC).replace(microsecond=0)
    store = Store(tmp_path / "cache.db")
    store.apply(
        "agenda",
        PollRecord("rakor", now, ok=True),
        [
            Meeting("rakor", "on@garut", "Rapat Pemantauan Situasi", now - timedelta(minutes=20),
                    now + timedelta(minutes=40)),
            Meeting("rakor", "later@garut", "Rapat Evaluasi", now + timedelta(hours=3),
                    now + timedelta(hours=4)),
        ],
    )  # fmt: skip
    store.close()
    doc = cli("--config", str(cfg), "handover", "--json").json()
    assert [m["title"] for m in doc["meetings_next_24h"]] == [
        "Rapat Pemantauan Situasi",
        "Rapat Evaluasi",
    ]
    r = run_subprocess("--config", str(cfg), "handover", env={"COLUMNS": "80"})
    assert r.code == 0, r.err
    assert ext in r.out.replace("\n", "").replace("│", "").replace(" ", "")  # folded, not cut
    assert "…" not in "".join(line for line in r.out.splitlines() if "LAPORAN" in line)
    english = ("Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun ")
    assert not any(day in r.out for day in english), r.out


def test_the_demo_says_where_its_config_and_cache_are(tmp_path):
    r = run_subprocess("demo", "--no-tui", env={"TMPDIR": str(tmp_path)}, timeout=120)
    assert r.code == 0, r.err
    assert "demo config" in r.err and "config.toml" in r.err and "demo.db" in r.err
    assert "demo public page at http://127.0.0.1:" in r.err  # served while the demo runs
