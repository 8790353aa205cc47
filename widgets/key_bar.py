"""The bottom line: the keys that matter now, in the interface language, as remapped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.widgets import Static

from cc_console.i18n import Translator

__all__ = ["PINNED", "KeyBar", "key_label"]

PINNED = ("help", "quit")  # never cut from the key line

_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "exclamation_mark": "!",
    "enter": "⏎",
    "escape": "Esc",
    "colon": ":",
    "left": "←",
    "right": "→",
}


def key_label(key: str) -> str:
    """A short, readable form of a Textual key name (the first of several)."""
    first = key.split(",")[0].strip()
    if first in _NAMES:
        return _NAMES[first]
    return first.replace("ctrl+", "^")


class KeyBar(Static):
    """Key hints; what does not fit the width is left out (``?`` lists them all)."""

    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, t: Translator, keys: Mapping[str, str], actions: Sequence[str]) -> None:
        super().__init__(id="key-bar")
        self.t = t
        self.keys = keys
        self.actions = list(actions)

    def on_mount(self) -> None:
        self.show(self.actions)

    def on_resize(self) -> None:
        self.show(self.actions)

    def show(self, actions: Sequence[str]) -> None:
        """The hints that fit; ``?`` and ``q`` are always shown, at the end."""
        self.actions = list(actions)
        pinned = [a for a in self.actions if a in PINNED]
        width = self.size.width or 80
        room = width - sum(self._hint(a).cell_len for a in pinned)
        line = Text(no_wrap=True, overflow="crop")
        for action in self.actions:
            if action in PINNED:
                continue
            hint = self._hint(action)
            if hint.cell_len > room:
                break
            room -= hint.cell_len
            line.append_text(hint)
        for action in pinned:
            line.append_text(self._hint(action))
        self.update(line, layout=False)  # one line: no relayout

    def _hint(self, action: str) -> Text:
        label = key_label(self.keys[action]) if action in self.keys else action
        hint = Text()
        hint.append(f" {label}", style="bold reverse")
        hint.append(f" {self.t(f'key.{action}')} ")
        return hint
