"""Every listing as CSV: the rows, columns and filters of --json, a header, RFC 4180 quoting."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cc_console.export import CSV_COLUMNS
from tests.conftest import agencies_doc, incident, incidents_doc, native_source, write_config

AWKWARD = 'Banjir, "bandang" di Kec. Cisewu'
LINES = 'Air naik 1 m.\nWarga mengungsi, "posko" dibuka.'


def _rows(text: str) -> list[dict[str, str]]:
    assert text.endswith("\r\n")  # RFC 4180 line ends
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def config(tmp_path, feeds):
    feeds.route(
        "/inc.json",
        incidents_doc(
            incident("A1", AWKWARD, lat=-7.36, lon=107.5, description=LINES),
            incident("A2", '=HYPERLINK("http://x")', category="landslide", status="resolved"),
        ),
    )
    feeds.route(
        "/opd.json",
        agencies_doc(
            {
                "id": "dinkes",
                "name": "Dinas Kesehatan",
                "status": "operational",
                "kpis": [{"name": "Respon", "value": 92.5, "target": 95, "unit": "%"}],
            }
        ),
    )
    return write_config(
        tmp_path / "config.toml",
        [
            native_source("bpbd", feeds.url("/inc.json")),
            native_source("opd", feeds.url("/opd.json"), "agencies"),
        ],
    )


def test_incidents_csv_holds_the_json_rows_and_filters(config, cli):
    assert cli("--config", str(config), "refresh").code == 0
    for extra in ([], ["--all"]):
        as_json = cli("--config", str(config), "incidents", *extra, "--json").json()
        result = cli("--config", str(config), "incidents", *extra, "--csv")
        assert result.code == 0, result.err
        rows = _rows(result.out)
        assert [r["id"] for r in rows] == [i["id"] for i in as_json]
        assert list(rows[0]) == list(CSV_COLUMNS["incidents"])
    first = _rows(cli("--config", str(config), "incidents", "--csv").out)[0]
    assert first["title"] == AWKWARD  # commas and quotes survive quoting
    assert first["description"] == LINES  # and a line break
    assert (first["lat"], first["lon"], first["exercise"]) == ("-7.36", "107.5", "false")
    every = _rows(cli("--config", str(config), "incidents", "--all", "--csv").out)
    formula = next(r for r in every if r["id"] == "bpbd:A2")
    assert formula["title"] == '\'=HYPERLINK("http://x")'  # not run by a spreadsheet


def test_agencies_journal_agenda_csv(config, cli):
    assert cli("--config", str(config), "refresh").code == 0
    assert cli("--config", str(config), "--operator", "siti", "ack", "bpbd:A1").code == 0
    (agency,) = _rows(cli("--config", str(config), "agencies", "--csv").out)
    assert agency["id"] == "dinkes" and json.loads(agency["kpis"])[0]["value"] == 92.5
    (entry,) = _rows(cli("--config", str(config), "journal", "--csv").out)
    assert (entry["operator"], entry["action"], entry["target"]) == ("siti", "ack", "bpbd:A1")
    empty = cli("--config", str(config), "agenda", "--csv")
    assert empty.code == 0 and empty.out == ",".join(CSV_COLUMNS["agenda"]) + "\r\n"


def test_json_and_csv_together_is_a_usage_error(config, cli):
    result = cli("--config", str(config), "incidents", "--json", "--csv")
    assert result.code == 2 and "--json and --csv" in result.err and result.out == ""


def test_csv_columns_are_the_json_keys():
    from datetime import UTC, datetime

    from cc_console.export import agency_json, incident_json, journal_json, meeting_json
    from cc_console.models import Agency, Incident, JournalEntry, Meeting

    now = datetime(2026, 11, 27, tzinfo=UTC)
    samples = {
        "incidents": incident_json(Incident("s", "x", "t", extra={"m": 1})),
        "agencies": agency_json(Agency("a", "A", "operational", None, (), now, "s")),
        "agenda": meeting_json(Meeting("s", "u", "T", now)),
        "journal": journal_json(JournalEntry(1, now, "o", "ack", "s:x", None, None, "h")),
    }
    for kind, sample in samples.items():
        assert tuple(sample) == CSV_COLUMNS[kind], kind
