"""What the panes and views are handed from above: the store, the language, the clock, the keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from cc_console.actions import merged_keys
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
    keys: dict[str, str] = field(default_factory=dict)
    """Every action's key(s): the defaults with ``[keys]`` over them (filled from the config)."""

    def __post_init__(self) -> None:
        self.keys = merged_keys({**self.config.keys, **self.keys})

    @property
    def filter_keys(self) -> set[str]:
        """The keys that open a pane's filter (``[keys] filter``, default ``/``)."""
        return {k.strip() for k in self.keys["filter"].split(",")}

    @property
    def tz(self) -> tzinfo:
        """The site's time zone."""
        return self.config.site.tz

    def now(self) -> datetime:
        """The (possibly frozen) current time, UTC."""
        return self.clock()
