"""Time bounds that hold on a busy machine as on an idle one.

A bound such as "stops within 3 s of SIGTERM" is the product's promise on an
idle machine. When other processes share the cores (xdist's other worker, a
build, CI's neighbours) every step takes longer by how much of a core each
process gets. :func:`slowdown` measures that share now, by spinning for a
fixed amount of CPU time and dividing the wall time it took by it, so the
bound is scaled by the same machine at the same moment rather than widened
by a guess.
"""

from __future__ import annotations

import time

SAMPLE_S = 0.15


def slowdown(sample_s: float = SAMPLE_S) -> float:
    """How many times longer than its CPU time work takes on this machine now (>= 1)."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    spins = 0
    while time.process_time() - cpu0 < sample_s:
        spins += 1
    cpu = time.process_time() - cpu0
    return max(1.0, (time.perf_counter() - wall0) / cpu)


class Budget:
    """A time bound scaled by the machine's load, measured around what it times.

    ``budget = Budget(3)`` before the work, ``budget.allows(elapsed)`` after:
    the bound is 3 s times the larger slowdown seen before or after, so a burst
    of load on either side counts.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.before = slowdown()

    def limit(self) -> float:
        """The bound for this moment: ``seconds`` scaled by the load."""
        return self.seconds * max(self.before, slowdown())

    def allows(self, elapsed: float) -> bool:
        """Whether ``elapsed`` seconds keep the promise under the load seen."""
        return elapsed < self.limit()
