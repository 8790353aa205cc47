"""The action table is the one place a key is declared; every face shows every action."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from cc_console.actions import ACTIONS, DEFAULT_KEYS
from cc_console.screens import HelpScreen, IncidentDetailScreen, MainScreen

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
                title = f"{label} ({app.keys[action.id]})"
                if action.scope in ("app", "main", "incident"):
                    assert title in offered, f"{lang}: {action.id} missing from the palette"
                if action.scope in ("app", "incident"):
                    assert title in offered_detail, f"{lang}: {action.id} not offered in the view"
            assert not any(
                t(a.label) in c for a in ACTIONS if a.scope == "main" for c in offered_detail
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
