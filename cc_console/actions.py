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

__all__ = [
    "ACTIONS",
    "BY_ID",
    "DEFAULT_KEYS",
    "Action",
    "actions_in",
    "clashes",
    "key_problem",
    "merged_keys",
]


@dataclass(frozen=True, slots=True)
class Action:
    """One thing the operator can do.

    Attributes:
        id: the name in ``[keys]``, in binding ids (``cc.<id>``) and in the label ``key.<id>``.
        key: the default key(s), Textual key names separated by commas.
        target: the Textual action run on the node that binds it.
        scope: where it is bound: ``app`` (everywhere), ``main`` (the main screen),
            ``incident`` (where an incident is at hand: the main screen and the
            incident view), ``view`` (every screen over the main one and every dialog),
            ``list`` (a list or a scrolling view with the focus: the vi-style
            moves; the arrows, PgUp/PgDn, Home and End always work too),
            ``table`` (every table view: filter, sort, columns sideways),
            ``handover`` (the handover view), ``events`` (the disasters view),
            ``outbox`` (the notifications view), ``feeds`` (the feed health view),
            ``event`` (one disaster event's view), ``meeting`` (a meeting's view),
            ``minutes`` (a meeting's view and its minutes).
        palette: whether the command palette offers it.
        footer: whether the key line shows it (``?`` lists every action).
        applies: for an incident action, the statuses of the incident it applies
            to (None: any); the journal refuses it otherwise, saying why.
    """

    id: str
    key: str
    target: str
    scope: str
    palette: bool = True
    footer: bool = True
    applies: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        """The translation key of its description."""
        return f"key.{self.id}"


ACTIONS: tuple[Action, ...] = (
    Action("pane1", "1", "pane(0)", "main", footer=False),
    Action("pane2", "2", "pane(1)", "main", footer=False),
    Action("pane3", "3", "pane(2)", "main", footer=False),
    Action("pane4", "4", "pane(3)", "main", footer=False),
    Action("filter", "slash", "filter", "main"),
    Action("open", "enter", "open", "main", palette=False),
    Action("ack", "a", "act('ack')", "incident", applies=("open",)),
    Action("note", "n", "act('note')", "incident"),
    # A note the public reads (page, status.json): in ? and the palette, not the key line.
    Action("note_public", "P", "act('note.public')", "incident", footer=False),
    Action("assign", "s", "act('assign')", "incident"),
    Action("resolve", "r", "act('resolve')", "incident", applies=("open", "acknowledged")),
    Action("reopen", "u", "act('reopen')", "incident", footer=False, applies=("resolved",)),
    Action("decide", "d", "decide", "meeting"),
    Action("minutes", "m", "minutes", "meeting"),
    Action("save_minutes", "w", "save_minutes", "minutes"),
    Action("close_meeting", "c", "close_meeting", "minutes"),
    Action("add_item", "t", "add_item", "followup"),
    Action("item_done", "x", "item_done", "item"),
    Action("sort", "o", "sort", "main"),
    Action("all", "v", "all", "main"),
    Action("late", "T", "late", "main", footer=False),  # T for telat; in ? and the palette
    Action("alarm", "exclamation_mark", "alarm", "app"),
    Action("down", "j", "cursor(1)", "list", palette=False, footer=False),
    Action("up", "k", "cursor(-1)", "list", palette=False, footer=False),
    Action("first", "g", "jump(0)", "list", palette=False, footer=False),
    Action("last", "G", "jump(-1)", "list", palette=False, footer=False),
    Action("health", "f", "health", "app"),
    Action("journal", "J", "journal", "app"),
    Action("notifications", "N", "notifications", "app"),
    Action("silence", "s", "silence", "outbox"),
    Action("unsilence", "x", "unsilence", "outbox"),
    Action("silence_source", "s", "silence_source", "feeds"),
    Action("kinerja", "5", "kinerja", "app"),
    Action("period", "t", "period", "kinerja"),
    Action("open_agency", "enter", "open_agency", "kinerja", palette=False),
    Action("sites", "6", "sites", "app", footer=False),  # one row at a regency: in ? only
    Action("choose_site", "enter", "choose_site", "sites", palette=False),
    Action("events", "7", "events", "app", footer=False),  # key line unchanged: in ? only
    Action("open_event", "enter", "open_event", "events", palette=False),
    Action("link_event", "e", "link_event", "incident", footer=False),
    Action("impact", "i", "impact", "event"),
    Action("add_need", "n", "add_need", "event"),
    Action("set_status", "s", "set_status", "event"),
    Action("filter_rows", "slash", "filter_rows", "table"),
    Action("sort_next", "o", "sort_next", "table"),
    Action("sort_reverse", "O", "sort_reverse", "table", footer=False),
    Action("column_left", "h", "columns(-1)", "table", palette=False, footer=False),
    Action("column_right", "l", "columns(1)", "table", palette=False, footer=False),
    Action("handover", "H", "handover", "app"),
    Action("save", "w", "save", "handover"),
    Action("copy_id", "y", "copy_id", "app", footer=False),  # in ? and the palette
    Action("toasts", "M", "toasts", "app", footer=False),  # (m: a meeting's minutes)
    Action("pause", "p", "pause", "app"),
    Action("refresh", "ctrl+r", "refresh_now", "app"),
    Action("help", "question_mark", "help", "app"),
    Action("palette", "ctrl+p,colon", "command_palette", "app", palette=False, footer=False),
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


# Scopes bound together on one screen: a key may mean one action in each.
_TOGETHER = (
    ("app", "main", "incident", "view", "list", "item"),
    ("app", "view", "list", "meeting", "followup", "minutes"),
    ("app", "view", "list", "minutes"),
    ("app", "incident", "view", "list", "followup"),
    ("app", "incident", "view", "list"),
    ("app", "view", "list", "handover"),
    ("app", "view", "list", "table", "kinerja"),
    ("app", "view", "list", "table", "outbox"),
    ("app", "view", "list", "table", "feeds"),
    ("app", "view", "list", "table", "sites"),
    ("app", "view", "list", "table", "events"),
    ("app", "view", "list", "event"),
)
_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
_NAMED = {
    "escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end",
    "pageup", "pagedown", "up", "down", "left", "right", *(f"f{n}" for n in range(1, 25)),
    "slash", "backslash", "question_mark", "exclamation_mark", "full_stop", "comma",
    "colon", "semicolon", "minus", "plus", "equals_sign", "number_sign", "dollar_sign",
    "percent_sign", "ampersand", "asterisk", "at", "circumflex_accent", "underscore",
    "grave_accent", "tilde", "vertical_line", "apostrophe", "quotation_mark",
    "left_parenthesis", "right_parenthesis", "left_square_bracket", "right_square_bracket",
    "left_curly_bracket", "right_curly_bracket", "less_than_sign", "greater_than_sign",
}  # fmt: skip


def key_problem(keys: str) -> str | None:
    """Why ``keys`` (Textual key names, comma-separated) is not usable, or None."""
    for key in keys.split(","):
        *modifiers, name = key.strip().split("+")
        if not name:
            return f"{key.strip()!r} names no key"
        unknown = [m for m in modifiers if m not in _MODIFIERS]
        if unknown:
            return f"{unknown[0]!r} is not a modifier (ctrl, shift, alt)"
        if name not in _NAMED and not (len(name) == 1 and name.isprintable() and name != " "):
            return f"{name!r} is not a key name (one character, or e.g. f2, escape, slash)"
    return None


def clashes(keys: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(key, action, other action)`` for each key bound twice where both apply together.

    ``back`` (Esc) also clears the filter on the main screen: that is one
    action per screen, not a clash.
    """
    found = []
    for scopes in _TOGETHER:
        owner: dict[str, str] = {}
        for action in actions_in(*scopes):
            for key in keys.get(action.id, action.key).split(","):
                key = key.strip()
                other = owner.setdefault(key, action.id)
                if other != action.id and (key, other, action.id) not in found:
                    found.append((key, other, action.id))
    return found
