"""The action table is the one place a key is declared; every face shows every action."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from cc_console.actions import ACTIONS, DEFAULT_KEYS
from cc_console.screens import HelpScreen, IncidentDetailScreen, MainScreen
from widgets.key_bar import key_label

ROOT = Path(__file__).resolve().parents[2]
ACTION_KEYS = {k.strip() for a in ACTIONS for k in a.key.split(",")}


def _sources() -> list[Path]:
    files = [*(ROOT / "cc_console").rglob("*.py"), *(ROOT / "widgets").rglob("*.py")]
    return [f for f in files if f.name != "actions.py"]


def test_no_key_of_an_action_is_declared_outside_the_table():
    """A Binding with a literal key must not take an action's key; no second key map exists."""
    offenders = []
    for path in _sources():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Binding":
                key = node.args[0] if node.args else None
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    clash = {k.strip() for k in key.value.split(",")} & ACTION_KEYS
                    if clash:
                        offenders.append(f"{path.name}:{node.lineno} binds {sorted(clash)}")
            if isinstance(node, ast.Dict):
                named = [
                    k.value
                    for k in node.keys
                    if isinstance(k, ast.Constant) and k.value in DEFAULT_KEYS
                ]
                if len(named) >= 3:
                    offenders.append(f"{path.name}:{node.lineno} maps actions {named[:3]}…")
    assert offenders == []


def test_every_action_has_a_label_in_both_languages():
    for lang in ("id", "en"):
        labels = json.loads((ROOT / "data" / "i18n" / f"{lang}.json").read_text())
        missing = [a.id for a in ACTIONS if not labels.get(a.label)]
        assert missing == [], f"{lang}: no label for {missing}"


async def test_every_action_is_in_help_and_the_palette(make_app):
    for lang in ("id", "en"):
        app = make_app(lang=lang)
        async with app.run_test(size=(100, 40)) as pilot:
            t = app.ctx.t
            main = app.screen
            assert isinstance(main, MainScreen)
            offered = {c.title for c in app.get_system_commands(main)}
            detail_screen = None
            await pilot.press("enter")
            detail_screen = app.screen
            assert isinstance(detail_screen, IncidentDetailScreen)
            offered_detail = {c.title for c in app.get_system_commands(detail_screen)}
            await pilot.press("escape", "question_mark")
            assert isinstance(app.screen, HelpScreen)
            help_text = str(app.screen.query_one("Static").render())
            for action in ACTIONS:
                label = t(action.label)
                assert label in help_text, f"{lang}: {action.id} missing from ?"
                if not action.palette:
                    continue
                title = f"{label} ({key_label(app.keys[action.id])})"
                if action.scope in ("app", "main", "incident"):
                    assert title in offered, f"{lang}: {action.id} missing from the palette"
                if action.scope in ("app", "incident"):
                    assert title in offered_detail, f"{lang}: {action.id} not offered in the view"
            # (By the whole label: "Kejadian bencana" is not the pane "Kejadian".)
            assert not any(
                t(a.label) == c.rsplit(" (", 1)[0]
                for a in ACTIONS
                if a.scope == "main"
                for c in offered_detail
            ), "pane actions are offered where they cannot act"


async def test_a_remapped_key_moves_in_bindings_help_and_key_line(make_app, console_config):
    from dataclasses import replace

    app = make_app()
    app.ctx.config = replace(console_config, keys={"journal": "L", "ack": "ctrl+a"})
    app.ctx.keys.update(app.ctx.config.keys)
    async with app.run_test(size=(160, 40)) as pilot:
        key_line = str(app.screen.query_one("KeyBar").render())
        assert "^a Terima" in key_line
        await pilot.press("J")
        assert isinstance(app.screen, MainScreen)  # J no longer opens the journal
        await pilot.press("L")
        assert type(app.screen).__name__ == "JournalScreen"
        await pilot.press("escape", "ctrl+a")
        assert type(app.screen).__name__ == "NotePrompt"


async def test_the_key_line_follows_the_pane_and_keeps_help_and_quit(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.screen.query_one("KeyBar")
        line = str(bar.render())
        assert "a Terima" in line and line.rstrip().endswith("q Keluar"), line
        assert "? Bantuan" in line
        await pilot.press("3")  # the agenda: nothing to acknowledge or sort there
        line = str(bar.render())
        assert "Terima" not in line and "Urutkan" not in line and "q Keluar" in line, line
        await pilot.press("1")  # agencies sort, the hidden incidents pane does not
        order = app.screen.incidents.source.query.order
        await pilot.press("o")
        assert app.screen.agencies.rows.order == "kpis"
        assert app.screen.incidents.source.query.order == order
        rows = [app.screen.agencies.list.row(i) for i in range(app.screen.agencies.list.total)]
        from widgets.agencies_pane import unmet

        assert [unmet(a) for a in rows] == sorted((unmet(a) for a in rows), reverse=True)
    ro = make_app(read_only=True)
    async with ro.run_test(size=(80, 24)):
        line = str(ro.screen.query_one("KeyBar").render())
        assert "Terima" not in line and "Selesaikan" not in line and "q Keluar" in line, line


async def test_the_palette_is_in_the_ui_language_and_finds_words_of_either(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not any("question_mark" in x or "Quit the application" in x for x in titles)
        assert "Bantuan (?)" in titles
        await pilot.press("colon", *"resolve")
        await pilot.pause(0.3)
        shown = str(
            app.screen.query_one("CommandList").render_lines(
                __import__("textual.geometry", fromlist=["Region"]).Region(0, 0, 90, 3)
            )
        )
        assert "Selesaikan" in shown, shown
