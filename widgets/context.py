"""What the panes and views are handed from above: the store, the language, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from cc_console.config import Config
from cc_console.i18n import Translator
from cc_console.store import Store

__all__ = ["ConsoleContext"]


@dataclass
class ConsoleContext:
    """Attributes passed down to every widget (never a global)."""

    config: Config
    store: Store
    t: Translator
    clock: Callable[[], datetime]
    read_only: bool = False

    @property
    def filter_keys(self) -> set[str]:
        """The keys that open a pane's filter (``[keys] filter``, default ``/``)."""
        from cc_console.keys import DEFAULT_KEYS

        keys = self.config.keys.get("filter", DEFAULT_KEYS["filter"])
        return {k.strip() for k in keys.split(",")}

    @property
    def tz(self) -> tzinfo:
        """The site's time zone."""
        return self.config.site.tz

    def now(self) -> datetime:
        """The (possibly frozen) current time, UTC."""
        return self.clock()
