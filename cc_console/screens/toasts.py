"""The last toasts, newest first: a message missed while looking away is not lost."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text

from cc_console.screens.lists import Row, TableScreen
from cc_console.timefmt import local
from widgets.context import ConsoleContext

if TYPE_CHECKING:
    from cc_console.app import Toast

__all__ = ["ToastsScreen", "ToastsView"]

STYLE = {"warning": "yellow", "error": "bold red"}


class ToastsView:
    """When, how serious, what: the toasts the app kept (the last 50)."""

    title_key = "screen.toasts"

    def __init__(self, toasts: Iterable[Toast]) -> None:
        self.toasts = toasts

    def columns(self) -> list[str]:
        return ["col.time", "col.kind", "col.message"]

    def rows(self, ctx: ConsoleContext) -> Iterable[Row]:
        t = ctx.t
        shown = list(self.toasts)
        if not shown:
            yield [Text(t("toasts.empty"), style="dim"), Text(""), Text("")], "empty"
        for toast in reversed(shown):
            style = STYLE.get(toast.severity, "")
            text = f"{toast.title}: {toast.message}" if toast.title else toast.message
            yield (
                [
                    Text(local(toast.at, ctx.tz, "%H:%M:%S")),
                    Text(t(f"toast.{toast.severity}"), style=style),
                    Text(text, style=style),
                ],
                str(toast.n),
            )

    def summary(self, ctx: ConsoleContext) -> Text | None:
        return Text(ctx.t("toasts.legend"), style="dim")


class ToastsScreen(TableScreen):
    """The toasts view (m)."""

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__(ctx, ToastsView(()))

    def on_mount(self) -> None:
        self.view = ToastsView(getattr(self.app, "toasts", ()))
        super().on_mount()
