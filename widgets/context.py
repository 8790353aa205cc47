"""What the panes and views are handed from above: the store, the language, the clock, the keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from cc_console.actions import merged_keys
from cc_console.config import Config
from cc_console.i18n import Translator
from cc_console.store import SiteFilter, Store

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
    site: str | None = None
    """The site the panes show (the Wilayah view's choice; None: every site)."""
    _sites: dict[str, tuple[str, str]] | None = None
    _codes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.keys = merged_keys({**self.config.keys, **self.keys})

    def sites(self) -> dict[str, tuple[str, str]]:
        """``source -> (site code, name)`` of the sources read from other sites (kept until
        :meth:`forget_sites`: the panes ask for every line they draw)."""
        if self._sites is None:
            from cc_console.sites import present

            self._sites = self.store.sources.sites()
            self._codes = [code for code, _ in present(self.config, self._sites)]
        return self._sites

    def forget_sites(self) -> None:
        """Read the sites anew next time (the cache changed)."""
        self._sites = None

    def site_of(self, source: str) -> str:
        """The site code of ``source`` (this site's own code, or "", for its own sources)."""
        found = self.sites().get(source)
        return found[0] if found else self.config.site.code

    def site_label(self, code: str) -> str:
        """What the operator reads for site ``code``: its name and code ("Kota Sukabumi
        32.72"), the code alone when no name is known."""
        from cc_console.sites import present

        names = dict(present(self.config, self.sites()))
        name = names.get(code, "").removeprefix("Command Center ").strip()
        return f"{name} {code}" if name and name != code else code

    def site_codes(self) -> list[str]:
        """The codes of the sites present (:func:`cc_console.sites.present`)."""
        self.sites()
        return self._codes

    @property
    def multi_site(self) -> bool:
        """More than one site present: the panes show a site column."""
        return len(self.site_codes()) > 1

    def site_filter(self) -> SiteFilter | None:
        """The sources of :attr:`site` (None: no filter)."""
        return None if self.site is None else SiteFilter.of(self.sites(), self.site)

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
