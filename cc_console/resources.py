"""Where the bundled, read-only data lives: demo feeds, schemas, translations.

In a wheel, ``data/`` is installed as ``cc_console/data``; in a checkout it is
the repository's top-level ``data/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

__all__ = ["data_dir", "template"]


@cache
def data_dir() -> Path:
    """The folder holding ``demo/``, ``schemas/`` and ``i18n/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / "i18n").is_dir():
            return candidate
    raise FileNotFoundError(f"bundled data not found next to {here}; reinstall cc-console")


@cache
def _templates() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(data_dir() / "templates"),
        autoescape=True,  # feed text is text: a <script> in a title is shown, never run
        undefined=jinja2.StrictUndefined,
    )


def template(name: str) -> jinja2.Template:
    """The HTML template ``name`` of ``data/templates`` (autoescaped; one environment,
    loaded on first use, its templates compiled once)."""
    return _templates().get_template(name)
