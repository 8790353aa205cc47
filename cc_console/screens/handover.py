"""The shift handover as a view of the console: the page `cc-console handover` prints.

``w`` saves it as plain text in the operator's home folder, to print or send (never
over the cache or the config: :func:`cc_console.outfile.write_output`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import ClassVar

from rich.console import Console, Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from cc_console.cli.handover import collect, render
from cc_console.outfile import OutputRefused, write_output
from cc_console.screens.base import SubScreen
from widgets.bindings import bind_scopes
from widgets.messages import StoreChanged

__all__ = ["HandoverScreen"]

SHIFT_HOURS = 8.0
PAGE_WIDTH = 80  # the saved file: a printed page, a terminal over SSH


class HandoverScreen(SubScreen):
    """The last eight hours and what comes next, on one scrollable page."""

    BINDINGS: ClassVar[list[BindingType]] = [*SubScreen.BINDINGS, *bind_scopes("handover")]
    scopes: ClassVar[tuple[str, ...]] = ("view", "handover")

    def compose(self) -> ComposeResult:
        yield from super().compose()
        with VerticalScroll(id="handover-body"):
            yield Static(id="handover")

    def on_mount(self) -> None:
        # Composed off the UI thread (a province's 27 sites take seconds): until then the
        # page says it is being put together, and the keys keep working.
        self.query_one("#handover", Static).update(
            Text(self.ctx.t("handover.loading"), style="dim")
        )
        self.reload()
        self.query_one(VerticalScroll).focus()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.reload()

    def page(self, width: int) -> Group:
        """The handover laid out for ``width`` cells."""
        ctx = self.ctx
        data = collect(ctx.config, ctx.store, ctx.now(), SHIFT_HOURS)
        return render(ctx.config, ctx.t, data, width)

    def reload(self) -> None:
        width = (self.size.width or 80) - 2  # the scrollbar
        self.run_worker(lambda: self._compose_page(width), thread=True, group="handover",
                        exclusive=True, exit_on_error=False)  # fmt: skip

    def _compose_page(self, width: int) -> None:
        page = self.page(width)
        self.app.call_from_thread(self._show, page)

    def _show(self, page: Group) -> None:
        if self.is_mounted:
            self.query_one("#handover", Static).update(page)

    def on_resize(self) -> None:
        if self.is_mounted:
            self.reload()

    def action_save(self) -> None:
        """Write the page as plain text, 80 columns wide (a printed page, a chat message)."""
        out = io.StringIO()
        Console(file=out, width=PAGE_WIDTH, color_system=None, legacy_windows=False).print(
            self.page(PAGE_WIDTH)
        )
        stamp = self.ctx.now().astimezone(self.ctx.tz).strftime("%Y%m%d-%H%M")
        code = (self.ctx.config.site.code or "cc").replace(".", "")
        path = Path.home() / f"handover-{code}-{stamp}.txt"
        try:
            written = write_output(path, out.getvalue(), self.ctx.config)
        except OutputRefused as exc:
            # A file name with brackets is a name, not markup.
            text = self.ctx.t(f"save.{exc.reason}", path=str(path), detail=exc.detail)
            self.notify(text, severity="error", markup=False)
            return
        self.notify(self.ctx.t("notify.saved", path=str(written)), markup=False)
