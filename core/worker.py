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

from core.pipeline import BatchReport, Pipeline, PipelineStore

log = logging.getLogger(__name__)

PAUSED_KEY = "worker_paused"


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
        batch_size: int = 200,
        lease_s: float = 300.0,
        poll_s: float = 1.0,
    ) -> None:
        self._store = store
        self._make_pipeline = make_pipeline
        self._is_paused = is_paused
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
                self._wake.wait(self.poll_s)
                self._wake.clear()

    def _step(self) -> bool:
        if self._is_paused():
            return False
        self._store.release_stale()
        report = self._make_pipeline().run_once(self.batch_size, self.lease_s)
        if report.claimed:
            self.stats.batches += 1
            self.stats.processed += report.claimed
            self.stats.last_batch_at = time.time()
        return report.claimed > 0


def run_until_idle(
    store: PipelineStore,
    make_pipeline: Callable[[], Pipeline],
    *,
    batch_size: int,
    lease_s: float,
    on_batch: Callable[[BatchReport], None] | None = None,
) -> BatchReport:
    """Process every claimable tender in the foreground; returns the totals."""
    store.release_stale(everything=True)
    total = BatchReport()
    while True:
        report = make_pipeline().run_once(batch_size, lease_s)
        if not report.claimed:
            return total
        total.claimed += report.claimed
        total.seconds += report.seconds
        for status, n in report.by_status.items():
            total.by_status[status] = total.by_status.get(status, 0) + n
        if on_batch is not None:
            on_batch(report)
