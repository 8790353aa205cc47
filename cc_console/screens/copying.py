"""``y``: the id of what the operator has at hand goes to the terminal's clipboard.

The copy is an OSC 52 sequence written to the terminal (Textual's
``App.copy_to_clipboard``): it travels over SSH to the operator's own terminal.
Inside tmux or GNU screen the sequence is also sent wrapped for passthrough, so it
reaches the outer terminal whether the multiplexer takes it itself (tmux
``set-clipboard on``) or passes it through (tmux ``allow-passthrough on``).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from textual.screen import Screen
from textual.widgets import DataTable

__all__ = ["id_at_hand", "osc52", "passthrough"]


def osc52(text: str) -> str:
    """The OSC 52 sequence that sets the clipboard to ``text``."""
    return f"\x1b]52;c;{base64.b64encode(text.encode()).decode()}\a"


def passthrough(text: str, env: Mapping[str, str]) -> str | None:
    """OSC 52 for ``text`` wrapped for the multiplexer ``env`` names (None: none)."""
    seq = osc52(text)
    if env.get("TMUX"):  # tmux: every ESC inside is doubled
        return f"\x1bPtmux;{seq.replace(chr(27), chr(27) * 2)}\x1b\\"
    if env.get("STY"):  # GNU screen
        return f"\x1bP{seq}\x1b\\"
    return None


def id_at_hand(screen: Screen[Any]) -> str | None:
    """The id of the row under the cursor, or of the thing the view shows (None: none)."""
    from cc_console.screens.lists import NotificationsScreen, TableScreen, cursor_key
    from cc_console.screens.main import MainScreen
    from widgets.agenda_pane import AgendaRow

    if isinstance(screen, MainScreen):
        row = screen.selected()
        if isinstance(row, AgendaRow):
            return row.meeting.id if row.meeting is not None else None
        return row.id if row is not None else None
    if isinstance(screen, NotificationsScreen):  # what a message is about, not its number
        message = screen.outbox.shown.get(cursor_key(screen.query_one(DataTable)) or "")
        return message.target if message is not None else None
    if isinstance(screen, TableScreen):
        key = cursor_key(screen.query_one(DataTable))
        return key if key not in (None, "", "*", "empty") else None
    view = getattr(screen, "incident_view", None)
    if view is not None:
        return str(view.incident_id)
    for name in ("agency_id", "meeting_id", "item_id", "event_id"):
        value = getattr(screen, name, None)
        if isinstance(value, str) and value:
            return value
    return None
