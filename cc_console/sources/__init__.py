"""Feed formats: one pure module per format, found by its ``FORMAT`` attribute.

Adding a format is adding one module here that defines ``FORMAT`` (its name in
``config.toml``), ``KINDS`` (what it can feed) and ``parse(body, ctx)``.
Modules keep heavy imports inside ``parse`` so that discovering them is cheap.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from cc_console.sources.base import ParseContext, Parsed

__all__ = ["FormatSpec", "ParseContext", "Parsed", "formats", "parser"]


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """One format: its name, the kinds it feeds, its parse function."""

    name: str
    kinds: tuple[str, ...]
    parse: Callable[[bytes, ParseContext], Parsed]


@cache
def formats() -> dict[str, FormatSpec]:
    """Every format module of this package, by format name."""
    found: dict[str, FormatSpec] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        name = getattr(module, "FORMAT", None)
        if name:
            found[name] = FormatSpec(name, tuple(module.KINDS), module.parse)
    return dict(sorted(found.items()))


def parser(name: str) -> Callable[[bytes, ParseContext], Parsed]:
    """The parse function of format ``name``."""
    return formats()[name].parse
