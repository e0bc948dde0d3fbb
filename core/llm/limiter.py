"""One shared, thread-safe rate limiter per endpoint: requests/min, tokens/min, in-flight cap.

A 429 slows it down for everyone (and holds new requests for the time the server asked);
the rate then climbs back to the configured limit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

WINDOW_S = 60.0
RECOVERY_S = 20.0
MAX_HOLD_S = 60.0
DEFAULT_HOLD_S = 1.0
RPM_FLOOR = 0.25
RPM_CUT = 0.85
# A lone 429 while we pace at the limit is jitter between our spacing and the server's
# bucket: ease off a little. This many within the window, or a long wait, is overload.
RPM_GENTLE_CUT = 0.97
STORM_429S = 5
STORM_WINDOW_S = 5.0
LONG_WAIT_S = 5.0
IN_FLIGHT_CUT = 0.75
# 429s that arrive together are one overload: requests already in flight fail in a burst.
CUT_DAMPING_S = 1.0
# Timed waits re-read the clock at least this often (an injected clock may jump).
POLL_S = 0.25


@dataclass(frozen=True)
class LimiterSnapshot:
    """The limiter's state at one moment, for the usage page.

    `in_flight` counts held slots, including requests waiting for their start slot;
    `waiting` counts requests that have not started yet.
    """

    configured_rpm: int | None
    effective_rpm: float | None
    tpm: int | None
    in_flight: int
    max_in_flight: int
    effective_max_in_flight: int
    waiting: int
    held_for_s: float
    rate_limited_total: int


class _LedgerEntry:
    __slots__ = ("at", "live", "tokens")

    def __init__(self, at: float, tokens: int) -> None:
        self.at = at
        self.tokens = tokens
        self.live = True


class Permit:
    """The right to send one request; leave the `with` block (or release()) when it is done."""

    def __init__(self, limiter: RateLimiter, entry: _LedgerEntry) -> None:
        self._limiter = limiter
        self._entry = entry
        self._released = False

    def settle(self, actual_tokens: int) -> None:
        """Replace the estimate in the token ledger with the real count."""
        self._limiter._settle(self._entry, actual_tokens)

    def release(self) -> None:
        """Free the in-flight slot; a second call does nothing."""
        self._limiter._release(self)

    def __enter__(self) -> Permit:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


class RateLimiter:
    """Starts requests evenly spaced, within a token budget and an in-flight cap."""

    def __init__(
        self,
        *,
        rpm: int | None,
        tpm: int | None,
        max_in_flight: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._condition = threading.Condition()
        self._rpm, self._tpm, self._max_in_flight = _checked(rpm, tpm, max_in_flight)
        self._in_flight = 0
        self._queue: deque[object] = deque()
        self._sleeping = 0
        self._ledger: deque[_LedgerEntry] = deque()
        self._ledger_tokens = 0
        self._last_start = float("-inf")
        self._next_start = float("-inf")
        self._hold_until = float("-inf")
        self._cut_at: float | None = None
        self._cut_rpm = 0.0
        self._cut_in_flight = 0.0
        self._rate_limited_total = 0
        self._recent_429s: deque[float] = deque()
        self._cut_was_hard = False

    def acquire(self, estimated_tokens: int = 0, timeout: float | None = None) -> Permit:
        """Block until a request may start; raises TimeoutError after `timeout` seconds."""
        estimated_tokens = max(0, int(estimated_tokens))
        deadline = None if timeout is None else self._clock() + timeout
        ticket = object()
        with self._condition:
            self._queue.append(ticket)
            try:
                self._wait_for_turn(ticket, estimated_tokens, deadline)
                now = self._clock()
                start = self._reserve_start(now, deadline)
                self._expire_ledger(now)
                entry = _LedgerEntry(start, estimated_tokens)
                self._ledger.append(entry)
                self._ledger_tokens += estimated_tokens
                self._in_flight += 1
                self._sleeping += 1
            finally:
                self._queue.remove(ticket)
                self._condition.notify_all()
        permit = Permit(self, entry)
        started = False
        try:
            self._sleep_until_start(entry, deadline)
            started = True
        finally:
            with self._condition:
                self._sleeping -= 1
                if not started:
                    self._drop(entry)
            if not started:
                permit.release()
        return permit

    def on_rate_limited(self, retry_after_s: float | None) -> None:
        """The server said 429: slow down, and hold new starts when it is a real overload.

        With a request limit set, we already pace at it, so a lone 429 is usually jitter
        between our spacing and the server's bucket: the failed request waits as told, new
        starts shift by at most one interval, and the pace eases a little. Several 429s close
        together, or a long requested wait, mean overload: everyone holds for the wait and
        the pace is cut hard.
        """
        hold_s = retry_after_s if retry_after_s is not None and retry_after_s > 0 else None
        hold_s = min(hold_s or DEFAULT_HOLD_S, MAX_HOLD_S)
        with self._condition:
            now = self._clock()
            self._rate_limited_total += 1
            self._recent_429s.append(now)
            while self._recent_429s and self._recent_429s[0] < now - STORM_WINDOW_S:
                self._recent_429s.popleft()
            storm = len(self._recent_429s) >= STORM_429S or hold_s > LONG_WAIT_S
            if self._rpm is not None and not storm:
                # Re-phase our spacing behind the server's bucket: by the time one interval
                # has passed since the refused request, the bucket has a token again.
                hold_s = min(hold_s, 60.0 / self._rpm)
            self._hold_until = max(self._hold_until, now + hold_s)
            damped = self._cut_at is not None and now - self._cut_at < CUT_DAMPING_S
            if not damped or (storm and not self._cut_was_hard):
                if self._rpm is not None:
                    current = self._effective_rpm(now) or float(self._rpm)
                    if damped:  # escalating a gentle cut made moments ago: start from before it
                        current /= RPM_GENTLE_CUT
                    cut = RPM_CUT if storm else RPM_GENTLE_CUT
                    self._cut_rpm = max(RPM_FLOOR * self._rpm, cut * current)
                    self._cut_was_hard = storm
                else:
                    current_cap = self._effective_max_in_flight(now)
                    self._cut_in_flight = float(max(1, int(IN_FLIGHT_CUT * current_cap)))
                self._cut_at = now
            self._condition.notify_all()

    def configure(self, *, rpm: int | None, tpm: int | None, max_in_flight: int) -> None:
        """Change the limits while requests run; a change forgets earlier slow-downs."""
        limits = _checked(rpm, tpm, max_in_flight)
        with self._condition:
            if limits == (self._rpm, self._tpm, self._max_in_flight):
                return
            self._rpm, self._tpm, self._max_in_flight = limits
            self._cut_at = None
            self._next_start = self._last_start + self._interval(self._clock())
            self._condition.notify_all()

    def snapshot(self) -> LimiterSnapshot:
        with self._condition:
            now = self._clock()
            return LimiterSnapshot(
                configured_rpm=self._rpm,
                effective_rpm=self._effective_rpm(now),
                tpm=self._tpm,
                in_flight=self._in_flight,
                max_in_flight=self._max_in_flight,
                effective_max_in_flight=self._effective_max_in_flight(now),
                waiting=len(self._queue) + self._sleeping,
                held_for_s=max(0.0, self._hold_until - now),
                rate_limited_total=self._rate_limited_total,
            )

    # -- under the lock ---------------------------------------------------------------------

    def _wait_for_turn(self, ticket: object, tokens: int, deadline: float | None) -> None:
        """Wait (FIFO) for the queue head, a free slot and room in the token window."""
        while True:
            now = self._clock()
            wait_s = self._blocked_for(ticket, tokens, now)
            if wait_s == 0.0:
                return
            if deadline is not None:
                if now >= deadline:
                    raise _timeout()
                wait_s = deadline - now if wait_s is None else min(wait_s, deadline - now)
            self._condition.wait(None if wait_s is None else min(wait_s, POLL_S))

    def _blocked_for(self, ticket: object, tokens: int, now: float) -> float | None:
        """0.0 when this request may go; else seconds to wait (None: until notified)."""
        if self._queue[0] is not ticket:
            return None
        if self._in_flight >= self._effective_max_in_flight(now):
            # A cut cap climbs back with time, not with a release: look again soon.
            return POLL_S if self._rpm is None and self._recovered(now) < 1.0 else None
        if self._tpm is None:
            return 0.0
        self._expire_ledger(now)
        if self._ledger_tokens == 0 or self._ledger_tokens + tokens <= self._tpm:
            return 0.0
        return max(self._ledger[0].at + WINDOW_S - now, 0.001)

    def _reserve_start(self, now: float, deadline: float | None) -> float:
        start = max(now, self._next_start, self._hold_until)
        if deadline is not None and start > deadline:
            raise _timeout()
        self._last_start = start
        self._next_start = start + self._interval(now)
        return start

    def _expire_ledger(self, now: float) -> None:
        while self._ledger and self._ledger[0].at <= now - WINDOW_S:
            expired = self._ledger.popleft()
            expired.live = False
            self._ledger_tokens -= expired.tokens

    def _drop(self, entry: _LedgerEntry) -> None:
        if entry.live:
            entry.live = False
            self._ledger.remove(entry)
            self._ledger_tokens -= entry.tokens

    def _interval(self, now: float) -> float:
        rpm = self._effective_rpm(now)
        return 0.0 if rpm is None else 60.0 / rpm

    def _recovered(self, now: float) -> float:
        """How far (0..1) the limiter has climbed back since the last slow-down."""
        if self._cut_at is None:
            return 1.0
        return min(1.0, max(0.0, (now - self._cut_at) / RECOVERY_S))

    def _effective_rpm(self, now: float) -> float | None:
        if self._rpm is None:
            return None
        if self._cut_at is None or self._cut_rpm <= 0:
            return float(self._rpm)
        return self._cut_rpm + (self._rpm - self._cut_rpm) * self._recovered(now)

    def _effective_max_in_flight(self, now: float) -> int:
        if self._rpm is not None or self._cut_at is None or self._cut_in_flight <= 0:
            return self._max_in_flight
        cap = self._cut_in_flight + (self._max_in_flight - self._cut_in_flight) * self._recovered(
            now
        )
        return max(1, min(self._max_in_flight, int(cap)))

    # -- outside the lock -------------------------------------------------------------------

    def _sleep_until_start(self, entry: _LedgerEntry, deadline: float | None) -> None:
        """Sleep until the reserved start; move behind a hold that a 429 set meanwhile."""
        start = entry.at
        while True:
            delay = start - self._clock()
            if delay > 0:
                time.sleep(delay)
            with self._condition:
                if self._hold_until <= start:
                    return
                start = self._reserve_start(self._clock(), deadline)
                # The ledger stays ordered by start time: re-append at the new start.
                self._drop(entry)
                entry.at, entry.live = start, True
                self._ledger.append(entry)
                self._ledger_tokens += entry.tokens

    def _settle(self, entry: _LedgerEntry, actual_tokens: int) -> None:
        with self._condition:
            if entry.live:
                self._ledger_tokens += max(0, int(actual_tokens)) - entry.tokens
            entry.tokens = max(0, int(actual_tokens))
            self._condition.notify_all()

    def _release(self, permit: Permit) -> None:
        with self._condition:
            if permit._released:
                return
            permit._released = True
            self._in_flight -= 1
            self._condition.notify_all()


_registry: dict[str, RateLimiter] = {}
_registry_lock = threading.Lock()


def shared_limiter(
    key: str, *, rpm: int | None, tpm: int | None, max_in_flight: int
) -> RateLimiter:
    """The process-wide limiter for one endpoint (base URL), created or reconfigured."""
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None:
            limiter = RateLimiter(rpm=rpm, tpm=tpm, max_in_flight=max_in_flight)
            _registry[key] = limiter
            return limiter
    limiter.configure(rpm=rpm, tpm=tpm, max_in_flight=max_in_flight)
    return limiter


def _checked(
    rpm: int | None, tpm: int | None, max_in_flight: int
) -> tuple[int | None, int | None, int]:
    if rpm is not None and rpm <= 0:
        raise ValueError("requests per minute must be a positive number, or empty for no limit.")
    if tpm is not None and tpm <= 0:
        raise ValueError("tokens per minute must be a positive number, or empty for no limit.")
    if max_in_flight < 1:
        raise ValueError("at most in flight must be 1 or more.")
    return rpm, tpm, max_in_flight


def _timeout() -> TimeoutError:
    return TimeoutError("timed out waiting for the rate limiter; raise the limits or retry later.")
