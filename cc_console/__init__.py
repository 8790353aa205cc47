"""cc-console: the terminal operator console of a regional command center.

The package is layered so that data flows one way:
``poll`` (network) -> ``sources`` (pure parsers) -> ``store`` (SQLite) -> ``app``
(Textual) and ``cli`` (Typer).  Only ``app`` and the ``widgets`` package import
Textual; ``cli`` loads it lazily when the console is opened.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
