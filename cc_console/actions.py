"""Every action of the console, declared once: id, default key, what it runs, where it applies.

The bindings of each screen and widget, the ``[keys]`` validation of the
config, the key line, the ``?`` overlay and the command palette are all
derived from :data:`ACTIONS`.  A key is remapped by action id in ``[keys]``
(``quit = "ctrl+q"``); the label is the translation ``key.<id>``.

Kept free of Textual so that the config can validate ``[keys]`` without loading it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ACTIONS", "BY_ID", "DEFAULT_KEYS", "Action", "actions_in", "merged_keys"]


@dataclass(frozen=True, slots=True)
class Action:
    """One thing the operator can do.

    Attributes:
        id: the name in ``[keys]``, in binding ids (``cc.<id>``) and in the label ``key.<id>``.
        key: the default key(s), Textual key names separated by commas.
        target: the Textual action run on the node that binds it.
        scope: where it is bound: ``app`` (everywhere), ``main`` (the main screen),
            ``incident`` (where an incident is at hand: the main screen and the
            incident view), ``view`` (every screen over the main one and every dialog).
        palette: whether the command palette offers it.
        footer: whether the key line shows it (``?`` lists every action).
    """

    id: str
    key: str
    target: str
    scope: str
    palette: bool = True
    footer: bool = True

    @property
    def label(self) -> str:
        """The translation key of its description."""
        return f"key.{self.id}"


ACTIONS: tuple[Action, ...] = (
    Action("pane1", "1", "pane(0)", "main"),
    Action("pane2", "2", "pane(1)", "main"),
    Action("pane3", "3", "pane(2)", "main"),
    Action("filter", "slash", "filter", "main"),
    Action("open", "enter", "open", "main", palette=False),
    Action("ack", "a", "act('ack')", "incident"),
    Action("note", "n", "act('note')", "incident"),
    Action("assign", "s", "act('assign')", "incident"),
    Action("resolve", "r", "act('resolve')", "incident"),
    Action("sort", "o", "sort", "main"),
    Action("all", "v", "all", "main"),
    Action("health", "f", "health", "app"),
    Action("journal", "j", "journal", "app"),
    Action("pause", "p", "pause", "app"),
    Action("refresh", "ctrl+r", "refresh_now", "app"),
    Action("help", "question_mark", "help", "app"),
    Action("palette", "ctrl+p", "command_palette", "app", palette=False, footer=False),
    Action("quit", "q", "quit", "app"),
    Action("back", "escape", "back", "view", palette=False),
)

BY_ID: dict[str, Action] = {a.id: a for a in ACTIONS}
DEFAULT_KEYS: dict[str, str] = {a.id: a.key for a in ACTIONS}


def actions_in(*scopes: str) -> tuple[Action, ...]:
    """The actions bound in any of ``scopes``, in table order."""
    return tuple(a for a in ACTIONS if a.scope in scopes)


def merged_keys(overrides: Mapping[str, str]) -> dict[str, str]:
    """Every action's key(s): the defaults, with ``[keys]`` of the config over them."""
    return {**DEFAULT_KEYS, **overrides}
