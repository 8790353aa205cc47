"""Operator actions follow the incident's state: refused with a reason, reopen journaled."""

from __future__ import annotations

from tests.conftest import incident, incidents_doc, native_source, write_config


def _config(tmp_path, feeds, cli):
    feeds.route("/inc.json", incidents_doc(incident("A1", "Banjir di Kec. Cisewu")))
    cfg = write_config(tmp_path / "config.toml", [native_source("bpbd", feeds.url("/inc.json"))])
    assert cli("--config", str(cfg), "refresh").code == 0
    return cfg


def test_ack_after_resolve_is_refused_with_exit_3_and_a_reason(tmp_path, feeds, cli):
    cfg = _config(tmp_path, feeds, cli)
    run = ("--config", str(cfg))
    assert cli(*run, "resolve", "bpbd:A1").code == 0
    for action in ("ack", "resolve"):
        r = cli("--lang", "en", *run, action, "bpbd:A1")  # the English words checked below
        assert r.code == 3, (action, r.err)
        assert "resolved" in r.err and "reopen" in r.err
    assert [e["action"] for e in cli(*run, "journal", "--json").json()] == ["resolve"]


def test_ack_twice_says_it_is_already_acknowledged(tmp_path, feeds, cli):
    cfg = _config(tmp_path, feeds, cli)
    run = ("--config", str(cfg))
    assert cli(*run, "ack", "bpbd:A1").code == 0
    r = cli("--lang", "en", *run, "ack", "bpbd:A1")
    assert r.code == 3 and "already acknowledged" in r.err


def test_reopen_is_journaled_and_only_applies_to_a_resolved_incident(tmp_path, feeds, cli):
    cfg = _config(tmp_path, feeds, cli)
    run = ("--config", str(cfg))
    r = cli("--lang", "en", *run, "reopen", "bpbd:A1")
    assert r.code == 3 and "nothing to reopen" in r.err
    assert cli(*run, "resolve", "bpbd:A1").code == 0
    assert cli(*run, "reopen", "bpbd:A1", "--note", "air naik lagi").code == 0
    (row,) = cli(*run, "incidents", "--json").json()
    assert row["status"] == "open" and row["resolved_at"] is None
    journal = cli(*run, "journal", "--json").json()
    assert [(e["action"], e["note"]) for e in journal] == [
        ("resolve", None),
        ("reopen", "air naik lagi"),
    ]
    assert cli(*run, "ack", "bpbd:A1").code == 0  # open again: acknowledge applies
    assert cli(*run, "journal", "--verify").code == 0
