"""The background worker: a thread that keeps claiming and processing tenders.

It never calls Streamlit; the dashboard starts it once (st.cache_resource) and reads its
progress from the database. The CLI's `run` uses `run_until_idle` in the foreground with the
same pipeline code.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.analysts.base import Analyst
from core.models import StageOutcome
from core.pipeline.stages import BatchReport, Pipeline, PipelineStore

log = logging.getLogger(__name__)

# How long to wait before asking an unavailable analyst again: doubling up to a minute.
FIRST_RECOVERY_WAIT_S = 5.0
MAX_RECOVERY_WAIT_S = 60.0
IDLE_EVERY_S = 30.0  # how often an idle worker does its chores (retraining the team model)


def recover(analyst: Analyst) -> str | None:
    """Ask an unavailable analyst whether it can work again; None means yes."""
    check = getattr(analyst, "recover", None)
    return check() if callable(check) else None


@dataclass
class WorkerStats:
    batches: int = 0
    processed: int = 0
    last_batch_at: float | None = None
    last_error: str | None = None


class Worker:
    """Claims batches from the store and runs them through a fresh pipeline.

    `make_pipeline` is called for every batch so that profile and threshold edits made in
    Settings apply from the next batch on. `is_paused` is read before every batch; pausing is
    stored in the database so that the dashboard and the CLI agree on it.
    """

    def __init__(
        self,
        store: PipelineStore,
        make_pipeline: Callable[[], Pipeline],
        *,
        is_paused: Callable[[], bool] = lambda: False,
        on_unavailable: Callable[[str | None], None] = lambda reason: None,
        batch_size: int = 200,
        lease_s: float = 300.0,
        poll_s: float = 1.0,
        recovery_wait_s: float = FIRST_RECOVERY_WAIT_S,
        config_version: Callable[[], object] = lambda: None,
        on_idle: Callable[[], None] = lambda: None,
        idle_every_s: float = IDLE_EVERY_S,
    ) -> None:
        self._store = store
        self._on_idle = on_idle  # background chores when the queue is empty (team model)
        self.idle_every_s = idle_every_s
        self._idle_at = 0.0
        self._config_version = config_version
        self._make_pipeline = make_pipeline
        self._is_paused = is_paused
        self._on_unavailable = on_unavailable
        self.recovery_wait_s = recovery_wait_s
        self.batch_size = batch_size
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.stats = WorkerStats()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._on_unavailable(None)  # a banner left by a process that died while waiting
        self._thread = threading.Thread(target=self._loop, name="tenderwise-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Skip the idle wait: new work (an import, a decision) has just arrived."""
        self._wake.set()

    def _loop(self) -> None:
        try:
            released = self._store.release_stale(everything=True)
            if released:
                log.info("worker: %d interrupted tenders put back in the queue", released)
        except Exception:
            log.exception("worker: could not release stale claims")
        while not self._stop.is_set():
            try:
                worked = self._step()
            except Exception as exc:  # the loop must survive a bad batch; the tenders keep leases
                log.exception("worker: batch failed")
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                worked = False
            if not worked:
                self._idle()
                self._wake.wait(self.poll_s)
                self._wake.clear()

    def _idle(self) -> None:
        """The idle chore, at most once every `idle_every_s`."""
        if time.monotonic() - self._idle_at < self.idle_every_s:
            return
        self._idle_at = time.monotonic()
        try:
            self._on_idle()
        except Exception:  # a chore must not stop the worker
            log.exception("worker: idle step failed")

    def _step(self) -> bool:
        if self._is_paused():
            return False
        self._store.release_stale()
        version = self._config_version()
        pipeline = self._make_pipeline()
        if pipeline.streaming:
            report = pipeline.run_stream(self.lease_s, should_stop=self._stop_checker(version))
        else:
            report = pipeline.run_once(self.batch_size, self.lease_s)
        if report.claimed:
            self.stats.batches += 1
            self.stats.processed += report.claimed
            self.stats.last_batch_at = time.time()
        if report.unavailable:
            self._wait_for(pipeline.analyst, report.unavailable, version)
            return True
        return report.claimed > 0

    def _stop_checker(self, version: object) -> Callable[[], bool]:
        """Stop a long streaming run on stop, pause, or edited settings (checked once a second).

        A changed endpoint, profile or prefilter then applies from the next tender on.
        """
        checked_at = time.monotonic()
        stale = False

        def should_stop() -> bool:
            nonlocal checked_at, stale
            if self._stop.is_set() or stale:
                return True
            if time.monotonic() - checked_at < 1.0:
                return False
            checked_at = time.monotonic()
            stale = self._is_paused() or self._config_version() != version
            return stale

        return should_stop

    def _wait_for(self, analyst: Analyst, reason: str, version: object) -> None:
        """Hold all work (nothing is failed) until the analyst answers again, or we stop.

        Edited settings (say, the model name fixed in Settings) end the wait at once: the
        next run uses them, and says so again if the endpoint is still down.
        """
        log.warning("worker: analyst unavailable, waiting: %s", reason)
        self._on_unavailable(reason)
        wait_s = self.recovery_wait_s
        while not self._stop.is_set():
            self._wake.wait(wait_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            if self._config_version() != version:
                self._on_unavailable(None)
                return
            reason_now = recover(analyst)
            if reason_now is None:
                log.info("worker: analyst available again")
                self._on_unavailable(None)
                return
            self._on_unavailable(reason_now)
            wait_s = min(wait_s * 2, MAX_RECOVERY_WAIT_S)


def run_until_idle(
    store: PipelineStore,
    make_pipeline: Callable[[], Pipeline],
    *,
    batch_size: int,
    lease_s: float,
    on_batch: Callable[[BatchReport], None] | None = None,
    on_unavailable: Callable[[str | None], None] | None = None,
    max_wait_s: float = 300.0,
    recovery_wait_s: float = FIRST_RECOVERY_WAIT_S,
    sleep: Callable[[float], None] = time.sleep,
) -> BatchReport:
    """Process every claimable tender in the foreground; returns the totals.

    `on_batch` hears of every batch (rules) or every finished tender (streaming analysts).
    When the analyst becomes unavailable, waits for it up to `max_wait_s` in all, then
    returns with `unavailable` set and the remaining tenders still queued.
    """
    store.release_stale(everything=True)
    total = BatchReport()
    waited = 0.0
    while True:
        pipeline = make_pipeline()
        if pipeline.streaming:

            def tell(outcome: StageOutcome) -> None:
                if on_batch is not None:
                    single = BatchReport(claimed=1)
                    single.add(outcome)
                    on_batch(single)

            report = pipeline.run_stream(lease_s, on_outcome=tell)
        else:
            report = pipeline.run_once(batch_size, lease_s)
            if on_batch is not None and report.claimed:
                on_batch(report)
        total.merge(report)
        if report.unavailable is None:
            if not report.claimed:
                return total
            continue
        if on_unavailable is not None:
            on_unavailable(report.unavailable)
        wait_s = recovery_wait_s
        while report.unavailable is not None:
            if waited >= max_wait_s:
                return total
            sleep(wait_s)
            waited += wait_s
            wait_s = min(wait_s * 2, MAX_RECOVERY_WAIT_S, max(max_wait_s - waited, 0.1))
            reason = recover(pipeline.analyst)
            if reason is None:
                report.unavailable = None
                total.unavailable = None
                if on_unavailable is not None:
                    on_unavailable(None)
            else:
                report.unavailable = total.unavailable = reason
                if on_unavailable is not None:
                    on_unavailable(reason)
