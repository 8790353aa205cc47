"""Where the bundled, read-only data lives: demo feeds, schemas, translations.

In a wheel, ``data/`` is installed as ``cc_console/data``; in a checkout it is
the repository's top-level ``data/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["data_dir"]


@cache
def data_dir() -> Path:
    """The folder holding ``demo/``, ``schemas/`` and ``i18n/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / "i18n").is_dir():
            return candidate
    raise FileNotFoundError(f"bundled data not found next to {here}; reinstall cc-console")
