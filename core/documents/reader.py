"""The background document reader: a thread that reads long documents' pages, a chunk at a
time, and puts each finished document's requirements in the compliance matrix.

Like the pipeline worker it never calls Streamlit: the dashboard starts it once, beside the
worker, and the Tender page shows the progress stored with each document. Reading resumes
after a restart, from the last chunk stored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from core.models.documents import DocumentRecord

log = logging.getLogger(__name__)


class DocumentReader:
    def __init__(
        self,
        read_some: Callable[[], DocumentRecord | None],
        on_ready: Callable[[DocumentRecord], None],
        *,
        poll_s: float = 2.0,
    ) -> None:
        self._read_some = read_some  # DocumentService.read_some
        self._on_ready = on_ready  # the matrix takes the document's requirements
        self.poll_s = poll_s
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
        self._thread = threading.Thread(target=self._loop, name="tenderwise-documents", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """A document was just added: start reading it now rather than at the next poll."""
        self._wake.set()

    def step(self) -> bool:
        """Read one chunk; True when there was something to read."""
        record = self._read_some()
        if record is None:
            return False
        if record.state == "ready":
            self._on_ready(record)
        return True

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.step()
            except Exception:  # the reader must outlive one bad document or a busy database
                log.exception("document reader: a step failed")
                worked = False
            if not worked:
                self._wake.wait(self.poll_s)
                self._wake.clear()
