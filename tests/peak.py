"""``python tests/peak.py ARGS``: cc-console ARGS, then its own peak RSS on stderr.

The peak is read from /proc/self/status (VmHWM) at exit: the high-water mark of
this process image alone. ``wait4``'s ru_maxrss would also count the copy of
the parent that existed between fork and exec (a pytest worker of 300 MB).
"""

from __future__ import annotations

import atexit
import sys


def _report() -> None:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write(f"\nPEAK_KB {line.split()[1]}\n")


atexit.register(_report)

from cc_console.cli import main  # noqa: E402

main(sys.argv[1:])
