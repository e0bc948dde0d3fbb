"""The dashboard's process-wide runtime: one database, one background worker, one document
reader.

The threads are started once per database file by `st.cache_resource` and stopped by its
`on_release` hook (cache cleared, server shut down). They make no `st.*` calls; pages read
their progress from the database.
"""

from __future__ import annotations

import atexit
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core.bootstrap import AppContext, open_context
from core.config import Settings
from core.documents.reader import DocumentReader
from core.logging_setup import configure_logging
from core.pipeline.worker import Worker
from storage.db import close_database


@dataclass
class Runtime:
    ctx: AppContext
    worker: Worker
    reader: DocumentReader

    def stop(self) -> None:
        self.worker.stop()
        self.reader.stop()
        close_database(self.ctx.db.path)


def _release(runtime: Runtime) -> None:
    runtime.stop()


@st.cache_resource(show_spinner=False, on_release=_release)
def _runtime_for(db_path: str) -> Runtime:
    configure_logging()
    ctx = open_context(settings=Settings(), db_path=db_path)
    worker = ctx.make_worker()
    worker.start()
    reader = ctx.make_document_reader()
    reader.start()
    runtime = Runtime(ctx, worker, reader)
    atexit.register(runtime.stop)
    return runtime


def configured_database() -> str:
    """The DUCKDB_PATH in force, read afresh (so tests can point elsewhere)."""
    return str(Path(Settings().duckdb_path).expanduser().resolve())


def get_runtime() -> Runtime:
    """The runtime for the configured DUCKDB_PATH."""
    return _runtime_for(configured_database())


def get_context() -> AppContext:
    return get_runtime().ctx
