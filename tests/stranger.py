"""Run cc-console as another user: ``python tests/stranger.py [--code PY] ARGS...``.

Run by root, it loads everything it needs, then drops to ``nobody`` (the
interpreter's own files may be unreadable to that user), so a test sees what
another account on the host sees: real file permissions, real SQLite errors.
Run by anyone else, it runs as that user; tests then take permissions away by
mode bits, which bind every user but root.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import cc_console

# Everything the dropped process may import later is imported now: the checkout
# (and the venv inside it) may sit in a folder only root can enter (a private
# home, a 0700 CI workspace), and a lazy import after the drop would fail there.
for package in (cc_console, *(importlib.import_module(name) for name in ("typer", "rich"))):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if module.name.endswith("__main__") or ".tests" in module.name:
            continue
        try:
            importlib.import_module(module.name)
        except Exception:  # an optional extra of a library we do not use
            continue

import encodings.ascii  # noqa: E402  (codecs and zones load lazily otherwise)
import encodings.idna  # noqa: E402
import encodings.latin_1  # noqa: E402
import encodings.utf_8_sig  # noqa: E402,F401
import zoneinfo  # noqa: E402

zoneinfo.ZoneInfo("Asia/Jakarta")

from cc_console.i18n import Translator  # noqa: E402
from cc_console.sources import formats  # noqa: E402

# What is found by listing the package's folders or read from its data, likewise.
formats()
for lang in ("id", "en"):
    Translator(lang)("app.title")

if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)

if sys.argv[1:2] == ["--code"]:
    exec(sys.argv[2])  # a scenario written by the test
else:
    from cc_console.cli import main

    main(sys.argv[1:])
