"""Small dialogs: a note (acknowledge, note, resolve) and an agency picker with type-to-search."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from cc_console.models import Agency
from cc_console.screens.base import Dialog

__all__ = ["AgencyPicker", "NotePrompt"]


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


class AgencyPicker(Dialog[str | None]):
    """Type to narrow the agencies; Up/Down to move; Enter assigns; Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", show=False, priority=True),
        Binding("up", "move(-1)", show=False, priority=True),
    ]

    def __init__(self, question: str, agencies: list[Agency]) -> None:
        super().__init__()
        self.question = question
        self.agencies = agencies

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
        seen = set()
        for a in self.agencies:
            if a.id in seen or needle not in f"{a.id} {a.name}".casefold():
                continue
            seen.add(a.id)
            options.add_option(Option(f"{a.name} ({a.id})", id=a.id))
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
        if options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        self.dismiss(option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
