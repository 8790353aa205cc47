"""Small dialogs: a note (acknowledge, note, resolve), a yes/no question, and an agency
picker with type-to-search."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from cc_console.models import Agency
from cc_console.screens.base import Dialog

__all__ = ["SEPARATOR", "AgencyPicker", "ChoicePicker", "ConfirmPrompt", "NotePrompt"]


class NotePrompt(Dialog[str | None]):
    """Asks for a (possibly empty) note; Enter confirms with it, Esc cancels (None)."""

    def __init__(self, question: str, placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            yield Input(placeholder=self.placeholder, id="note")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())


class ConfirmPrompt(Dialog[bool | None]):
    """A yes/no question: Enter says yes, Esc no (None).

    For a step that cannot be undone (closing a meeting's record) or an unusual
    value (a due time in the past): the question says what Enter will do.
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.question))

    def on_key(self, event: events.Key) -> None:
        # Enter answers the question, as it submits every other dialog (a prompt's
        # field, a picker's list): not a key of the action table, which maps what
        # Enter does on the screens beneath.
        if event.key == "enter":
            event.stop()
            self.dismiss(True)


SEPARATOR = ""
"""The key of a line between groups of choices (no choice has an empty key)."""


class ChoicePicker(Dialog[str | None]):
    """Type to narrow the choices; Up/Down to move; Enter picks; Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", show=False, priority=True),
        Binding("up", "move(-1)", show=False, priority=True),
    ]

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        """``choices``: (key, label) pairs; typing matches either, Enter gives the key.
        A pair of :data:`SEPARATOR` draws a line between the groups it parts."""
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            yield Input(id="search")
            yield OptionList(id="choices")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, text: str) -> None:
        needle = text.casefold()
        options = self.query_one(OptionList)
        options.clear_options()
        apart = False  # a separator waits for the next choice shown (none at either end)
        for key, label in self.choices:
            if key == SEPARATOR:
                apart = options.option_count > 0
            elif needle in f"{key} {label}".casefold():
                if apart:
                    options.add_option(None)
                    apart = False
                options.add_option(Option(Text(label), id=key))
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class AgencyPicker(ChoicePicker):
    """Type to narrow the agencies (by id or name); Enter assigns; Esc cancels."""

    def __init__(self, question: str, agencies: list[Agency]) -> None:
        """The agencies by name, then a line, then the services by name: the same order at
        every opening (never by status, which changes between two openings)."""
        seen: set[str] = set()
        groups: dict[bool, list[tuple[str, str]]] = {False: [], True: []}
        for a in sorted(agencies, key=lambda a: (a.name.casefold(), a.id)):
            if a.id not in seen:  # one row per id, though several sources may name it
                seen.add(a.id)
                groups[a.kind == "service"].append((a.id, f"{a.name} ({a.id})"))
        super().__init__(question, [*groups[False], (SEPARATOR, ""), *groups[True]])
