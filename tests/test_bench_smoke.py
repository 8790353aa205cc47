"""The benchmark at tiny sizes: a 10x regression of any figure fails the suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clock import OFFSET_ENV

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_benchmark_smoke():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--check"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        # Ratios of the real clock: the suite's travelled one (tests/clock.py) stays out
        env={k: v for k, v in os.environ.items() if k != OFFSET_ENV},
    )
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for number in range(1, 10):
        assert f"\n {number}  " in proc.stdout, f"figure {number} missing"
