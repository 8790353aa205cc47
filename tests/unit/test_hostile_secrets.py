"""Secrets never leak: tokens and URL credentials are redacted everywhere they could be printed."""

from __future__ import annotations

from cc_console.urls import redact
from tests.conftest import incident, incidents_doc, native_source, write_config

SECRET = "MyRealSecretToken"


def test_redact_masks_credentials_and_secret_query_values():
    url = "https://u:pw@feeds.example/x.json?apikey=abc123&page=2&access_token=zz&sig=q"
    shown = redact(url)
    assert shown == "https://feeds.example/x.json?apikey=***&page=2&access_token=***&sig=***"
    assert (
        redact("https://feeds.example/x.json?monkey=1") == "https://feeds.example/x.json?monkey=1"
    )


def test_a_token_with_a_newline_fails_that_source_naming_the_variable(
    tmp_path, feeds, cli, monkeypatch
):
    feeds.route("/inc.json", incidents_doc(incident("A1")))
    feeds.route("/ok.json", incidents_doc(incident("B1")))
    cfg = write_config(
        tmp_path / "c.toml",
        [
            {**native_source("secure", feeds.url("/inc.json")), "token_env": "GARUT_TOKEN"},
            native_source("open", feeds.url("/ok.json")),
        ],
    )
    monkeypatch.setenv("GARUT_TOKEN", SECRET + "\r\n")
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code == 1
    by = {s["name"]: s for s in r.json()["sources"]}
    assert by["open"]["status"] == "updated"  # the other source is untouched
    assert "$GARUT_TOKEN" in by["secure"]["error"]
    status = cli("--config", str(cfg), "status", "--json")
    for text in (r.out, r.err, status.out, status.err):
        assert SECRET not in text
    assert not feeds.hits("/inc.json")  # nothing was sent with a broken header


def test_query_secrets_never_reach_errors_or_status(tmp_path, feeds, cli):
    feeds.route("/down.json", "nope", status=503)
    cfg = write_config(
        tmp_path / "c.toml", [native_source("bmkg", feeds.url("/down.json") + "?apikey=" + SECRET)]
    )
    r = cli("--config", str(cfg), "refresh", "--json")
    status = cli("--config", str(cfg), "status", "--json")
    assert r.code == 1 and "503" in r.json()["sources"][0]["error"]
    for text in (r.out, r.err, status.out, status.err):
        assert SECRET not in text


def test_an_unset_token_env_is_a_warning_at_refresh_and_in_doctor(
    tmp_path, feeds, cli, monkeypatch
):
    monkeypatch.delenv("GARUT_UNSET_TOKEN", raising=False)
    feeds.route("/inc.json", incidents_doc(incident("A1")))
    cfg = write_config(
        tmp_path / "c.toml",
        [{**native_source("bpbd", feeds.url("/inc.json")), "token_env": "GARUT_UNSET_TOKEN"}],
    )
    r = cli("--config", str(cfg), "refresh", "--json")
    (source,) = r.json()["sources"]
    assert any("$GARUT_UNSET_TOKEN" in w for w in source["warnings"])
    doctor = cli("--config", str(cfg), "doctor")
    assert "$GARUT_UNSET_TOKEN" in doctor.out + doctor.err


def test_an_index_linking_to_another_server_never_gets_the_sources_token(
    tmp_path, feeds, cli, monkeypatch
):
    from pathlib import Path

    from tests.feedserver import FeedServer

    fixtures = Path(__file__).parent.parent / "fixtures"
    alert = (fixtures / "cap_alert.xml").read_bytes()
    with FeedServer() as stranger:
        stranger.route("/x.xml", alert)
        feeds.route("/own.xml", alert.replace(b"BPBD-GRT-2026-0113", b"OWN-1"))
        feeds.route(
            "/index.atom",
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            f'<entry><link type="application/cap+xml" href="{stranger.url("/x.xml")}"/></entry>'
            '<entry><link type="application/cap+xml" href="/own.xml"/></entry></feed>',
        )
        monkeypatch.setenv("CAP_TOKEN", "sekret-token-123456")
        cfg = write_config(
            tmp_path / "c.toml",
            [{"name": "hub", "kind": "incidents", "format": "cap",
              "url": feeds.url("/index.atom"), "token_env": "CAP_TOKEN"}],
        )  # fmt: skip
        assert cli("--config", str(cfg), "refresh").code == 0
        assert stranger.hits("/x.xml"), "the other server's alert was read"
        assert "authorization" not in stranger.hits("/x.xml")[0].headers
        own = feeds.hits("/own.xml")[0].headers
        assert own["authorization"] == "Bearer sekret-token-123456"
    ids = {i["external_id"] for i in cli("--config", str(cfg), "incidents", "--json").json()}
    assert ids == {"BPBD-GRT-2026-0113", "OWN-1"}
