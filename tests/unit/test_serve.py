"""A regency publishes its cache; the province reads it with format = "native"."""

from __future__ import annotations

import threading

from cc_console.serve import FeedPublisher
from tests.conftest import agencies_doc, incident, incidents_doc, write_config


def test_province_reads_a_regency(tmp_path, feeds, cli):
    feeds.route(
        "/inc.json",
        incidents_doc(
            incident("A1"),
            incident("A2", "Longsor", status="resolved", updated_at="2000-01-01T00:00:00Z"),
        ),
    )
    feeds.route(
        "/opd.json", agencies_doc({"id": "bpbd", "name": "BPBD Garut", "status": "degraded"})
    )
    garut = write_config(
        tmp_path / "garut.toml",
        [
            {
                "name": "bpbd",
                "kind": "incidents",
                "format": "native",
                "url": feeds.url("/inc.json"),
            },
            {"name": "opd", "kind": "agencies", "format": "native", "url": feeds.url("/opd.json")},
        ],
    )
    assert cli("--config", str(garut), "refresh").code == 0
    cli("--config", str(garut), "ack", "bpbd:A1")
    publisher = FeedPublisher(tmp_path / "cache.db", port=0)
    thread = threading.Thread(target=publisher.serve_forever, daemon=True)
    thread.start()
    try:
        (tmp_path / "prov").mkdir()
        province = write_config(
            tmp_path / "prov" / "config.toml",
            [
                {
                    "name": "garut",
                    "kind": "incidents",
                    "format": "native",
                    "url": publisher.address + "/incidents.json",
                },
                {
                    "name": "garut-opd",
                    "kind": "agencies",
                    "format": "native",
                    "url": publisher.address + "/agencies.json",
                },
            ],
        )
        first = cli("--config", str(province), "refresh", "--json")
        assert first.code == 0, first.out
        incs = cli("--config", str(province), "incidents", "--all", "--json").json()
        # the old resolved one is not published; the active one keeps its operator status
        assert [(i["id"], i["status"]) for i in incs] == [("garut:bpbd:A1", "acknowledged")]
        agencies = cli("--config", str(province), "agencies", "--json").json()
        assert [(a["id"], a["status"]) for a in agencies] == [("bpbd", "degraded")]
        again = cli("--config", str(province), "refresh", "--json").json()
        assert {s["http_status"] for s in again["sources"]} == {304}
    finally:
        publisher.close()
