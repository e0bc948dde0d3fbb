"""Sign-in throttling: failed attempts per username and source, and the wait they cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Throttling: this many failures within the window are free; each one after doubles the wait.
FREE_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
FIRST_LOCKOUT = timedelta(seconds=30)
LONGEST_LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class SignInLock:
    username: str
    source: str  # the client's address ('' when not known)
    failures: int
    until: datetime


def wait_after(failures: list[datetime], now: datetime) -> timedelta | None:
    """The wait after these failures (oldest first): FREE_FAILURES are free, then doubling."""
    extra = len(failures) - FREE_FAILURES
    if extra < 0:
        return None
    lockout = min(FIRST_LOCKOUT * (2**extra), LONGEST_LOCKOUT)
    remaining = failures[-1] + lockout - now
    return remaining if remaining > timedelta(0) else None
