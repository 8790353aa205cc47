"""What every sub-command shares: the global options, the config and the store, opened lazily."""

from __future__ import annotations

import getpass
import json
import math
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cc_console.config import Config, load_config
from cc_console.errors import ConfigError
from cc_console.i18n import Translator
from cc_console.store import Store
from cc_console.text import operator_name
from cc_console.timefmt import utcnow

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["State", "default_operator", "finite"]


def finite(param: typer.CallbackParam, value: float | None) -> float | None:
    """The callback of every float option: ``nan`` passes any range check (it compares
    false both ways) and ``inf`` means nothing as a time, so both are refused (exit 2)."""
    if value is not None and not math.isfinite(value):
        name = param.opts[0] if param.opts else param.name
        raise ConfigError(f"{name}: must be a finite number, got {value}")
    return value


def default_operator() -> str:
    """Who is acting: the person behind ``sudo`` (operators share the service
    account that owns the 0600 cache), else the login name, else ``operator``."""
    sudo_user = os.environ.get("SUDO_USER", "").strip()
    try:
        login = sudo_user if sudo_user and sudo_user != "root" else getpass.getuser()
        return operator_name(login)
    except (KeyError, OSError, ValueError):
        return "operator"


@dataclass
class State:
    """Global options from the command line and the environment."""

    config_path: Path | None = None
    db_path: Path | None = None
    read_only: bool = False
    operator: str = ""
    lang: str | None = None
    debug: bool = False
    no_mouse: bool = False
    _config: Config | None = None
    _store: Store | None = None
    _out: Console | None = None
    _err: Console | None = None

    @property
    def out(self) -> Console:
        """Rich output on stdout, made on first use (``--json`` commands never load rich)."""
        if self._out is None:
            from rich.console import Console

            self._out = Console(highlight=False)
        return self._out

    @property
    def err(self) -> Console:
        """Rich output on stderr, made on first use."""
        if self._err is None:
            from rich.console import Console

            self._err = Console(stderr=True, highlight=False)
        return self._err

    @property
    def config(self) -> Config:
        """The validated config (ConfigError on any mistake), with ``--db`` applied."""
        if self._config is None:
            config = load_config(self.config_path)
            if self.db_path is not None:
                config = config.with_cache_path(self.db_path)
            self._config = config
        return self._config

    @property
    def language(self) -> str:
        """``--lang`` over the config's ``[site] language``."""
        return self.lang or self.config.site.language

    @property
    def t(self) -> Translator:
        """The translator for the interface language."""
        return Translator(self.language)

    def store(self) -> Store:
        """The cache, opened once (StoreError, exit 4, when it cannot be).

        Raises:
            ConfigError: no config was found and no ``--db`` given: a command
                would otherwise read (and make) an empty cache in the platform
                folder and report it healthy.
        """
        if self.config.path is None and self.db_path is None:
            raise ConfigError(
                "no config file found (./config.toml or the platform config folder): "
                "pass --config PATH or --db PATH"
            )
        if self._store is None:
            self._store = Store.for_config(
                self.config,
                read_only=self.read_only,
                operator=self.operator or default_operator(),
            )
        return self._store

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def now(self) -> datetime:
        """The current time (UTC)."""
        return utcnow()

    def print_listing(
        self, kind: str, rows: list[dict[str, Any]], *, as_json: bool, as_csv: bool
    ) -> bool:
        """Print ``rows`` of a listing as JSON or CSV when asked; False: print a table instead."""
        if as_json and as_csv:
            raise ConfigError("--json and --csv: choose one")
        if as_json:
            self.print_json(rows)
        elif as_csv:
            from cc_console.export import CSV_COLUMNS, csv_text

            sys.stdout.write(csv_text(rows, CSV_COLUMNS[kind]))
            sys.stdout.flush()
        return as_json or as_csv

    def print_json(self, data: Any) -> None:
        """A JSON document on stdout and nothing else."""
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        # JSON is UTF-8 whatever the locale says (PYTHONIOENCODING=ascii, LANG=C).
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            sys.stdout.flush()
            buffer.write(text.encode("utf-8"))
            buffer.flush()
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
