"""Pollers: every network call of cc-console happens in this package."""

from cc_console.poll.refresh import Refresher, SourceOutcome, next_delay
from cc_console.poll.scheduler import run_pollers

__all__ = ["Refresher", "SourceOutcome", "next_delay", "run_pollers"]
