"""Hostile times: out-of-range years are refused per record, zone-less times read as WIB."""

from __future__ import annotations

from cc_console.config import load_config
from cc_console.models import Incident
from cc_console.store import PollRecord, Store
from tests.conftest import FEED_NOW, incident, incidents_doc, native_source, write_config


def test_year_9999_and_0001_are_refused_per_record(tmp_path, feeds, cli):
    feeds.route(
        "/inc.json",
        incidents_doc(
            incident("OK", "Banjir di Kec. Cisewu"),
            incident("FUTURE", "Banjir", reported_at="9999-12-31T00:00:00Z"),
            incident("PAST", "Longsor", reported_at="0001-01-01T00:00:00Z"),
            incident("OFFSET", "Gempa", reported_at="9999-12-31T23:00:00-05:00"),
        ),
    )
    cfg = write_config(tmp_path / "c.toml", [native_source("bpbd", feeds.url("/inc.json"))])
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code == 0, r.err
    (source,) = r.json()["sources"]
    assert source["status"] == "updated"
    warnings = " ".join(source.get("warnings") or [source.get("error") or ""])
    ids = [i["id"] for i in cli("--config", str(cfg), "incidents", "--all", "--json").json()]
    assert ids == ["bpbd:OK"], warnings
    for command in (["incidents"], ["handover"], ["incidents", "--all", "--csv"]):
        result = cli("--config", str(cfg), *command)
        assert result.code in (0, 1) and "Traceback" not in result.err, command


def test_a_time_without_a_zone_is_read_in_the_sites_zone(tmp_path, feeds, cli):
    feeds.route(
        "/inc.json", incidents_doc(incident("WIB", "Banjir", reported_at="2026-11-27T10:00:00"))
    )
    cfg = write_config(tmp_path / "c.toml", [native_source("bpbd", feeds.url("/inc.json"))])
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code == 0, r.err
    (inc,) = cli("--config", str(cfg), "incidents", "--json").json()
    assert inc["reported_at"] == "2026-11-27T03:00:00Z"  # 10:00 WIB, not 10:00 UTC


async def test_a_year_9999_row_of_an_older_cache_does_not_crash_the_console(tmp_path):
    from cc_console.app import CcConsoleApp
    from cc_console.screens import IncidentDetailScreen

    cfg = load_config(write_config(tmp_path / "c.toml", []))
    store = Store(cfg.cache.path)
    end = FEED_NOW.replace(year=9999, month=12, day=31, hour=23)
    store.apply(  # as an older version stored it: no range check in the store
        "incidents",
        PollRecord("bpbd", FEED_NOW, ok=True),
        [Incident("bpbd", "Y9999", "Banjir di akhir zaman", reported_at=end, updated_at=end)],
    )
    app = CcConsoleApp(cfg, store, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, IncidentDetailScreen)
        assert "9999" in app.export_screenshot()
        await pilot.press("escape")
    assert app.return_code in (None, 0)
    store.close()
