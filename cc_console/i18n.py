"""Interface language: Bahasa Indonesia by default, English on request.

Strings live in ``data/i18n/<lang>.json``; a missing key falls back to English,
then to the key itself, so a gap shows up as a readable word, never a crash.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from cc_console.resources import data_dir

__all__ = ["LANGUAGES", "Translator"]

LANGUAGES = ("id", "en")


@cache
def _table(lang: str) -> dict[str, str]:
    path = data_dir() / "i18n" / f"{lang}.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


class Translator:
    """``t("key", name=...)`` in one language."""

    def __init__(self, lang: str = "id") -> None:
        self.lang = lang if lang in LANGUAGES else "id"
        self._own = _table(self.lang)
        self._en = _table("en")

    def __call__(self, key: str, **kwargs: Any) -> str:
        text = self._own.get(key) or self._en.get(key) or key
        return text.format(**kwargs) if kwargs else text

    def word(self, prefix: str, value: str) -> str:
        """The translation of a vocabulary value, e.g. ``word("severity", "severe")``."""
        key = f"{prefix}.{value}"
        return self._own.get(key) or self._en.get(key) or value.replace("_", " ")
