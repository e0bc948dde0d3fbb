from __future__ import annotations

import itertools
import statistics
import threading
import time
import uuid

import pytest

from core.llm.limiter import Permit, RateLimiter, shared_limiter


class FakeClock:
    """A clock the test moves by hand (the limiter polls it while it waits)."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _in_thread(target: object) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)  # type: ignore[arg-type]
    thread.start()
    return thread


def test_starts_are_evenly_spaced_at_the_configured_rate() -> None:
    limiter = RateLimiter(rpm=1200, tpm=None, max_in_flight=64)
    interval, threads, per_thread = 60 / 1200, 16, 2
    starts: list[float] = []
    starts_lock = threading.Lock()

    def worker() -> None:
        for _ in range(per_thread):
            with limiter.acquire(), starts_lock:
                starts.append(time.monotonic())

    began = time.monotonic()
    workers = [_in_thread(worker) for _ in range(threads)]
    for thread in workers:
        thread.join(timeout=30)
    elapsed = time.monotonic() - began

    starts.sort()
    assert len(starts) == threads * per_thread
    assert starts[0] - began < interval  # the first request goes at once
    # Never ahead of the schedule: the k-th start is at least k intervals in.
    for k, start in enumerate(starts):
        assert start - began >= k * interval - 0.002
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert 0.8 * interval <= statistics.median(gaps) <= 1.3 * interval
    expected = threads * per_thread / 20
    assert expected - interval - 0.01 <= elapsed <= expected * 1.5 + 0.3
    assert limiter.snapshot().in_flight == 0


def test_in_flight_cap_holds_under_many_threads() -> None:
    limiter = RateLimiter(rpm=None, tpm=None, max_in_flight=3)
    lock = threading.Lock()
    current = peak = 0

    def worker() -> None:
        nonlocal current, peak
        for _ in range(5):
            with limiter.acquire():
                with lock:
                    current += 1
                    peak = max(peak, current)
                time.sleep(0.005)
                with lock:
                    current -= 1

    workers = [_in_thread(worker) for _ in range(16)]
    for thread in workers:
        thread.join(timeout=30)
    assert peak == 3
    snapshot = limiter.snapshot()
    assert (snapshot.in_flight, snapshot.waiting) == (0, 0)


def test_release_is_idempotent() -> None:
    limiter = RateLimiter(rpm=None, tpm=None, max_in_flight=2)
    with limiter.acquire() as permit:
        assert limiter.snapshot().in_flight == 1
    permit.release()
    assert limiter.snapshot().in_flight == 0


def test_token_window_waits_and_settle_corrects_the_estimate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rpm=None, tpm=100, max_in_flight=10, clock=clock)
    first = limiter.acquire(estimated_tokens=60)
    second: list[Permit] = []
    waiter = _in_thread(lambda: second.append(limiter.acquire(estimated_tokens=60)))
    time.sleep(0.3)
    assert not second, "60 + 60 tokens must not fit in a 100-token window"
    assert limiter.snapshot().waiting == 1

    first.settle(10)  # the real count was smaller: 10 + 60 fits
    waiter.join(timeout=2)
    assert second

    third: list[Permit] = []
    waiter = _in_thread(lambda: third.append(limiter.acquire(estimated_tokens=60)))
    time.sleep(0.3)
    assert not third
    clock.advance(61)  # the window slides past both earlier requests
    waiter.join(timeout=2)
    assert third


def test_one_request_larger_than_the_window_goes_when_the_ledger_is_empty() -> None:
    limiter = RateLimiter(rpm=None, tpm=100, max_in_flight=10, clock=FakeClock())
    with limiter.acquire(estimated_tokens=500):
        pass
    with pytest.raises(TimeoutError):
        limiter.acquire(estimated_tokens=1, timeout=0)


def test_timeout_raises_and_gives_nothing_away() -> None:
    limiter = RateLimiter(rpm=None, tpm=None, max_in_flight=1)
    with limiter.acquire():
        began = time.monotonic()
        with pytest.raises(TimeoutError, match="rate limiter"):
            limiter.acquire(timeout=0.2)
        assert 0.15 <= time.monotonic() - began < 1.0
        snapshot = limiter.snapshot()
        assert (snapshot.in_flight, snapshot.waiting) == (1, 0)
    with limiter.acquire(timeout=0.2):
        pass


def test_a_start_slot_beyond_the_timeout_is_not_taken() -> None:
    limiter = RateLimiter(rpm=1, tpm=None, max_in_flight=5)
    limiter.acquire().release()
    began = time.monotonic()
    with pytest.raises(TimeoutError):
        limiter.acquire(timeout=0.2)
    assert time.monotonic() - began < 0.1  # known at once: the next slot is a minute away
    assert limiter.snapshot().in_flight == 0


def test_429_holds_new_starts_for_retry_after() -> None:
    limiter = RateLimiter(rpm=None, tpm=None, max_in_flight=10)
    limiter.on_rate_limited(0.3)
    began = time.monotonic()
    with limiter.acquire():
        pass
    assert 0.28 <= time.monotonic() - began < 1.0


def test_429_moves_a_request_already_waiting_for_its_slot_behind_the_hold() -> None:
    limiter = RateLimiter(rpm=120, tpm=None, max_in_flight=10)
    began = time.monotonic()
    limiter.acquire().release()
    started: list[float] = []
    waiter = _in_thread(lambda: (limiter.acquire(), started.append(time.monotonic())))
    time.sleep(0.1)  # the waiter holds the slot at +0.5 s
    for _ in range(5):  # several 429s together: an overload, so everyone holds
        limiter.on_rate_limited(0.8)
    waiter.join(timeout=5)
    assert started and started[0] - began >= 0.88


def test_429_cuts_the_rate_then_it_recovers() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rpm=100, tpm=None, max_in_flight=4, clock=clock)
    for _ in range(6):  # one overload: cut hard once, not six times
        limiter.on_rate_limited(None)
    snapshot = limiter.snapshot()
    assert snapshot.effective_rpm == pytest.approx(85)
    assert snapshot.held_for_s == pytest.approx(1.0)
    assert snapshot.rate_limited_total == 6
    clock.advance(10)
    assert limiter.snapshot().effective_rpm == pytest.approx(92.5)
    assert limiter.snapshot().held_for_s == 0
    clock.advance(10)
    assert limiter.snapshot().effective_rpm == pytest.approx(100)

    limiter.on_rate_limited(500)
    assert limiter.snapshot().held_for_s == pytest.approx(60)
    for _ in range(20):
        clock.advance(1)
        limiter.on_rate_limited(None)
    assert limiter.snapshot().effective_rpm == pytest.approx(25)  # never below a quarter
    assert limiter.snapshot().effective_max_in_flight == 4


def test_a_lone_429_at_the_limit_is_jitter_and_slows_only_a_little() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rpm=480, tpm=None, max_in_flight=16, clock=clock)
    limiter.on_rate_limited(1.0)  # a lone 429 while pacing at the limit
    snapshot = limiter.snapshot()
    assert snapshot.effective_rpm == pytest.approx(480 * 0.97)
    assert snapshot.held_for_s == pytest.approx(0.125), "others shift by one interval only"
    clock.advance(30)
    limiter.on_rate_limited(10)  # a long wait asked for: a real overload
    snapshot = limiter.snapshot()
    assert snapshot.effective_rpm == pytest.approx(480 * 0.85)
    assert snapshot.held_for_s == pytest.approx(10)


def test_429_without_a_request_limit_cuts_concurrency_instead() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rpm=None, tpm=None, max_in_flight=8, clock=clock)
    limiter.on_rate_limited(2)
    snapshot = limiter.snapshot()
    assert (snapshot.effective_rpm, snapshot.effective_max_in_flight) == (None, 6)
    clock.advance(10)
    assert limiter.snapshot().effective_max_in_flight == 7
    clock.advance(10)
    assert limiter.snapshot().effective_max_in_flight == 8
    for _ in range(10):
        clock.advance(2)
        limiter.on_rate_limited(None)
    assert limiter.snapshot().effective_max_in_flight == 1


def test_configure_changes_limits_for_waiting_requests() -> None:
    limiter = RateLimiter(rpm=None, tpm=None, max_in_flight=1)
    held = limiter.acquire()
    second: list[Permit] = []
    waiter = _in_thread(lambda: second.append(limiter.acquire()))
    time.sleep(0.1)
    assert not second
    limiter.configure(rpm=600, tpm=1000, max_in_flight=2)
    waiter.join(timeout=2)
    assert second
    snapshot = limiter.snapshot()
    assert (snapshot.configured_rpm, snapshot.tpm, snapshot.max_in_flight) == (600, 1000, 2)
    assert snapshot.in_flight == 2
    held.release()


def test_limits_must_make_sense() -> None:
    with pytest.raises(ValueError):
        RateLimiter(rpm=0, tpm=None, max_in_flight=1)
    with pytest.raises(ValueError):
        RateLimiter(rpm=None, tpm=None, max_in_flight=0)


def test_shared_limiter_is_one_per_endpoint_and_follows_the_limits() -> None:
    key = f"http://llm-{uuid.uuid4()}.example/v1"
    limiter = shared_limiter(key, rpm=60, tpm=None, max_in_flight=4)
    assert shared_limiter(key, rpm=60, tpm=None, max_in_flight=4) is limiter
    assert shared_limiter(key + "/other", rpm=60, tpm=None, max_in_flight=4) is not limiter

    limiter.on_rate_limited(None)
    shared_limiter(key, rpm=60, tpm=None, max_in_flight=4)
    assert limiter.snapshot().effective_rpm < 60  # same limits: the slow-down stays

    assert shared_limiter(key, rpm=120, tpm=5000, max_in_flight=8) is limiter
    snapshot = limiter.snapshot()
    assert (snapshot.configured_rpm, snapshot.tpm, snapshot.max_in_flight) == (120, 5000, 8)
