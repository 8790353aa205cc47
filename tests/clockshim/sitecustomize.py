"""A child process started by the tests keeps the test run's clock (see tests/clock.py).

time_machine is imported without its optional pytest and dateutil parts: the
child is a ``cc-console`` under test, and the tests check what a command
imports (no entry-point scan, no rendering library for JSON commands).
"""

import os
import sys

_offset = os.environ.get("CC_TEST_CLOCK_OFFSET")
if _offset:
    import time

    _optional = [n for n in ("pytest", "dateutil", "dateutil.parser") if n not in sys.modules]
    for _name in _optional:
        sys.modules[_name] = None  # type: ignore[assignment]  # "not installed", for this import
    try:
        import time_machine
    finally:
        for _name in _optional:
            del sys.modules[_name]

    time_machine.travel(time.time() + float(_offset), tick=True).start()
