"""A child process started by the tests keeps the test run's clock (see tests/clock.py)."""

import os

_offset = os.environ.get("CC_TEST_CLOCK_OFFSET")
if _offset:
    import time

    import time_machine

    time_machine.travel(time.time() + float(_offset), tick=True).start()
