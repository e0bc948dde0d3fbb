"""Everything a service needs, opened once per process: settings, database, repositories."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.analysts.factory import AnalystChoice, choose_analyst
from core.config import Settings, get_settings
from core.pipeline import Pipeline
from core.profile import CompanyProfile, current_profile
from core.worker import PAUSED_KEY, Worker
from storage.app_state import AppStateRepository
from storage.db import Database, open_database
from storage.tenders import TenderRepository


@dataclass
class AppContext:
    settings: Settings
    db: Database
    tenders: TenderRepository
    state: AppStateRepository

    def profile(self) -> CompanyProfile:
        return current_profile(self.state)

    def analyst(self) -> AnalystChoice:
        return choose_analyst(self.settings)

    def make_pipeline(self) -> Pipeline:
        choice = self.analyst()
        return Pipeline(
            self.tenders,
            choice.analyst,
            self.profile(),
            concurrency=choice.concurrency,
            save_each_stage=choice.save_each_stage,
        )

    def is_paused(self) -> bool:
        return bool(self.state.get(PAUSED_KEY, False))

    def set_paused(self, paused: bool) -> None:
        self.state.set(PAUSED_KEY, paused)

    def make_worker(self) -> Worker:
        return Worker(
            self.tenders,
            self.make_pipeline,
            is_paused=self.is_paused,
            batch_size=self.settings.worker_batch_size,
            lease_s=self.settings.worker_lease_s,
            poll_s=self.settings.worker_poll_s,
        )


def open_context(settings: Settings | None = None, db_path: Path | str | None = None) -> AppContext:
    """Open (or reuse) the database and build the repositories over it."""
    settings = settings or get_settings()
    path = Path(db_path) if db_path is not None else settings.duckdb_path
    if db_path is not None:
        settings = settings.model_copy(update={"duckdb_path": path})
    db = open_database(path)
    return AppContext(
        settings=settings,
        db=db,
        tenders=TenderRepository(db),
        state=AppStateRepository(db),
    )
