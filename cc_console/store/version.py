"""The cache's data version: a number that moves whenever another connection commits.

``serve`` keeps rendered documents until it moves (``PRAGMA data_version``: read
from the open file's header in microseconds, no read transaction, no query).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["DataVersion"]


class DataVersion:
    """A read-only connection of its own that only asks for the data version."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._c: sqlite3.Connection | None = None

    def read(self) -> int:
        """The current version (it differs after any commit by another connection).

        Raises:
            sqlite3.Error: the cache cannot be opened.
        """
        if self._c is None:
            self._c = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
        (version,) = self._c.execute("PRAGMA data_version").fetchone()
        return int(version)

    def close(self) -> None:
        """Close the connection."""
        if self._c is not None:
            self._c.close()
            self._c = None
