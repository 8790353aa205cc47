"""The console's actions and their default keys (remappable in ``[keys]`` of the config).

Kept free of Textual so that the config can validate ``[keys]`` without loading it.
"""

from __future__ import annotations

__all__ = ["DEFAULT_KEYS", "KEY_HELP"]

# action id -> default key (Textual key names; several keys separated by commas)
DEFAULT_KEYS: dict[str, str] = {
    "pane1": "1",
    "pane2": "2",
    "pane3": "3",
    "filter": "slash",
    "open": "enter",
    "ack": "a",
    "note": "n",
    "assign": "s",
    "resolve": "r",
    "sort": "o",
    "all": "v",
    "health": "f",
    "journal": "j",
    "help": "question_mark",
    "pause": "p",
    "refresh": "ctrl+r",
    "palette": "ctrl+p",
    "quit": "q",
}

# the translation key describing each action
KEY_HELP: dict[str, str] = {action: f"key.{action}" for action in DEFAULT_KEYS}
