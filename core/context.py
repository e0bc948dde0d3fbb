"""Everything a service needs, opened once per process: settings, database, repositories."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.analysts.factory import AnalystChoice, choose_analyst
from core.config import Settings, get_settings
from core.decisions import ReviewService
from core.llm.capabilities import Capabilities
from core.llm.client import LLMClient
from core.llm.endpoint import Endpoint, EndpointOverrides, resolve_endpoint
from core.llm.prices import PriceTable
from core.pipeline import Pipeline
from core.profile import CompanyProfile, current_profile
from core.worker import PAUSED_KEY, Worker
from storage.app_state import AppStateRepository
from storage.bids import BidRepository
from storage.db import Database, open_database
from storage.decisions import DecisionRepository
from storage.llm import CapabilityRepository, LLMCacheRepository, LLMUsageRepository
from storage.tenders import TenderRepository

ENDPOINT_KEY = "llm_endpoint"
PREFILTER_KEY = "llm_rules_prefilter"
UNAVAILABLE_KEY = "analyst_unavailable"


@dataclass
class AppContext:
    settings: Settings
    db: Database
    tenders: TenderRepository
    state: AppStateRepository
    llm_usage: LLMUsageRepository
    llm_cache: LLMCacheRepository
    capabilities: Capabilities
    decisions: DecisionRepository
    bids: BidRepository
    _clients: dict[Endpoint, LLMClient] = field(default_factory=dict, repr=False)
    _clients_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def profile(self) -> CompanyProfile:
        return current_profile(self.state)

    def review(self) -> ReviewService:
        """The review queue and decisions (core.decisions) over this database."""
        return ReviewService(self.tenders, self.decisions, self.profile, self.state.profile_version)

    # ------------------------------------------------------------------ LLM endpoint
    def endpoint_overrides(self) -> EndpointOverrides:
        try:
            return EndpointOverrides.model_validate(self.state.get(ENDPOINT_KEY) or {})
        except ValidationError:
            return EndpointOverrides()

    def save_endpoint_overrides(self, overrides: EndpointOverrides) -> None:
        self.state.set(ENDPOINT_KEY, overrides.model_dump(exclude_none=True))

    def endpoint(self) -> Endpoint | None:
        """The LLM endpoint in force, or None for the offline rules analyst."""
        return resolve_endpoint(self.settings, self.endpoint_overrides())

    def prefilter_enabled(self) -> bool:
        return bool(self.state.get(PREFILTER_KEY, True))

    def set_prefilter(self, enabled: bool) -> None:
        self.state.set(PREFILTER_KEY, enabled)

    def llm_client(self, endpoint: Endpoint) -> LLMClient:
        """One client per endpoint and process, so connections and limits are shared."""
        with self._clients_lock:
            client = self._clients.get(endpoint)
            if client is None:
                client = LLMClient(
                    endpoint,
                    usage=self.llm_usage,
                    cache=self.llm_cache,
                    capabilities=self.capabilities,
                    prices=PriceTable.from_json(self.settings.llm_prices),
                )
                self._clients[endpoint] = client
            return client

    def existing_client(self, endpoint: Endpoint) -> LLMClient | None:
        """The client this process already uses for `endpoint`, without creating one."""
        with self._clients_lock:
            return self._clients.get(endpoint)

    def analyst(self) -> AnalystChoice:
        return choose_analyst(self.endpoint(), self.llm_client, prefilter=self.prefilter_enabled())

    def analyst_name(self) -> str:
        endpoint = self.endpoint()
        return endpoint.name if endpoint else "rules"

    # ------------------------------------------------------------------ worker
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

    def unavailable(self) -> dict[str, Any] | None:
        """{"reason", "since"} while the analyst's endpoint is down, else None."""
        value = self.state.get(UNAVAILABLE_KEY)
        return value if isinstance(value, dict) else None

    def set_unavailable(self, reason: str | None) -> None:
        if reason is None:
            self.state.set(UNAVAILABLE_KEY, None)
            return
        since = (self.unavailable() or {}).get("since") or datetime.now(UTC).isoformat()
        self.state.set(UNAVAILABLE_KEY, {"reason": reason, "since": since})

    def config_version(self) -> tuple[object, ...]:
        """Changes whenever a setting the running analysis depends on is edited."""
        return (self.endpoint(), self.prefilter_enabled(), self.state.profile_version())

    def make_worker(self) -> Worker:
        return Worker(
            self.tenders,
            self.make_pipeline,
            is_paused=self.is_paused,
            on_unavailable=self.set_unavailable,
            config_version=self.config_version,
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
        llm_usage=LLMUsageRepository(db),
        llm_cache=LLMCacheRepository(db),
        capabilities=Capabilities(CapabilityRepository(db)),
        decisions=DecisionRepository(db),
        bids=BidRepository(db),
    )
