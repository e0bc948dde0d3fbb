"""The wiring: opens the database once per process and builds repositories and services.

Still here until they move to their domain packages (issue 14): the LLM endpoint overrides
and prefilter switch, pause, retry, re-analyse and the endpoint-down flag.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.access.accounts import AccountService
from core.access.audit import AuditAction, AuditLog
from core.access.roles import ADMINS, WORKERS, Actor
from core.access.sessions import load_session_key
from core.analysts.factory import AnalystChoice, choose_analyst
from core.config import Settings, get_settings
from core.llm.capabilities import Capabilities
from core.llm.client import LLMClient
from core.llm.endpoint import Endpoint, EndpointOverrides, resolve_endpoint
from core.llm.prices import PriceTable
from core.models import utcnow
from core.pipeline.stages import Pipeline
from core.pipeline.worker import PAUSED_KEY, Worker
from core.profile.company import CompanyProfile, current_profile
from core.review.service import ReviewService
from storage.accounts import AccountRepository
from storage.app_state import AppStateRepository
from storage.audit import AuditRepository
from storage.bids import BidRepository
from storage.db import Database, open_database
from storage.decisions import DecisionRepository
from storage.llm import CapabilityRepository, LLMCacheRepository, LLMUsageRepository
from storage.tenders import TenderRepository

ENDPOINT_KEY = "llm_endpoint"
LLM_SETTINGS = "settings: LLM endpoint"
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
    audit_log: AuditRepository | None = None
    #: "now" for every service of this context: deadlines, queue order, sessions, audit times
    clock: Callable[[], datetime] = utcnow
    _clients: dict[Endpoint, LLMClient] = field(default_factory=dict, repr=False)
    _session_key: bytes | None = field(default=None, repr=False)
    _clients_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def profile(self) -> CompanyProfile:
        return current_profile(self.state)

    def accounts(self) -> AccountService:
        """Accounts, sign-in and sessions."""
        return AccountService(
            AccountRepository(self.db),
            self.audit(),
            self.session_key,
            session_hours=self.settings.session_hours,
            clock=self.clock,
        )

    def session_key(self) -> bytes:
        """The key that signs session cookies, loaded (or created) on first use."""
        if self._session_key is None:
            secret = self.settings.session_secret
            self._session_key = load_session_key(
                secret.get_secret_value() if secret else None, self.db.path.parent
            )
        return self._session_key

    def audit(self) -> AuditLog:
        """The append-only audit log (core.access.audit) over this database."""
        if self.audit_log is None:
            self.audit_log = AuditRepository(self.db)
        return AuditLog(self.audit_log, clock=self.clock)

    def review(self) -> ReviewService:
        """The review queue and decisions (core.review.service) over this database."""
        return ReviewService(
            self.tenders,
            self.decisions,
            self.profile,
            self.state.profile_version,
            self.clock,
            audit=self.audit(),
        )

    # ------------------------------------------------------------------ LLM endpoint
    def endpoint_overrides(self) -> EndpointOverrides:
        try:
            return EndpointOverrides.model_validate(self.state.get(ENDPOINT_KEY) or {})
        except ValidationError:
            return EndpointOverrides()

    def save_endpoint_overrides(self, overrides: EndpointOverrides, *, actor: Actor) -> None:
        """Store the Settings page's endpoint values (admins only; audited when they change)."""
        audit = self.audit()
        audit.require(actor, ADMINS, "change settings", target=LLM_SETTINGS)
        before = self.endpoint_overrides().model_dump(exclude_none=True)
        after = overrides.model_dump(exclude_none=True)
        self.state.set(ENDPOINT_KEY, after)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if changed:  # names only: a base URL may carry credentials
            audit.record_actor(
                actor,
                AuditAction.SETTINGS_CHANGED,
                target=LLM_SETTINGS,
                detail="changed " + ", ".join(changed),
            )

    def endpoint(self) -> Endpoint | None:
        """The LLM endpoint in force, or None for the offline rules analyst."""
        return resolve_endpoint(self.settings, self.endpoint_overrides())

    def prefilter_enabled(self) -> bool:
        return bool(self.state.get(PREFILTER_KEY, True))

    def set_prefilter(self, enabled: bool, *, actor: Actor) -> None:
        """Switch the rules prefilter (admins only; audited when it changes)."""
        audit = self.audit()
        audit.require(actor, ADMINS, "change settings", target=LLM_SETTINGS)
        before = self.prefilter_enabled()
        self.state.set(PREFILTER_KEY, enabled)
        if before != enabled:
            audit.record_actor(
                actor,
                AuditAction.SETTINGS_CHANGED,
                target=LLM_SETTINGS,
                detail=f"rules prefilter {'on' if enabled else 'off'}",
            )

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
        return choose_analyst(
            self.endpoint(), self.llm_client, prefilter=self.prefilter_enabled(), now=self.clock
        )

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

    def set_paused(self, paused: bool, *, actor: Actor) -> None:
        """Pause or resume the background analysis (everyone but viewers)."""
        doing = "pause the analysis" if paused else "start the analysis"
        self.audit().require(actor, WORKERS, doing, target="pipeline")
        self.state.set(PAUSED_KEY, paused)

    def retry_errors(self, *, actor: Actor) -> int:
        """Send every tender in error back to the queue; returns how many."""
        audit = self.audit()
        audit.require(actor, WORKERS, "retry tenders in error", target="tenders in error")
        retried = self.tenders.retry_errors()
        if retried:
            audit.record_actor(
                actor,
                AuditAction.REANALYSE,
                target="tenders in error",
                detail=f"{retried} sent back to the queue",
            )
        return retried

    def reanalyse(self, tender_ids: Sequence[int] | None, *, actor: Actor) -> int:
        """Filter and rate these tenders (all when None) again; returns how many were queued."""
        ids = None if tender_ids is None else list(tender_ids)
        target = _tenders_target(ids)
        audit = self.audit()
        audit.require(actor, WORKERS, "re-analyse tenders", target=target)
        queued = self.tenders.reanalyse(ids)
        audit.record_actor(
            actor, AuditAction.REANALYSE, target=target, detail=f"{queued} queued for analysis"
        )
        return queued

    def unavailable(self) -> dict[str, Any] | None:
        """{"reason", "since"} while the analyst's endpoint is down, else None."""
        value = self.state.get(UNAVAILABLE_KEY)
        return value if isinstance(value, dict) else None

    def set_unavailable(self, reason: str | None) -> None:
        if reason is None:
            self.state.set(UNAVAILABLE_KEY, None)
            return
        since = (self.unavailable() or {}).get("since") or self.clock().isoformat()
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


def _tenders_target(ids: list[int] | None) -> str:
    if ids is None:
        return "all tenders"
    if len(ids) == 1:
        return f"tender {ids[0]}"
    shown = ", ".join(str(i) for i in ids[:10])
    return f"tenders {shown}" + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


def open_context(
    settings: Settings | None = None,
    db_path: Path | str | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
) -> AppContext:
    """Open (or reuse) the database and build the repositories over it; `clock` is the
    services' "now" (tests pass a frozen one)."""
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
        audit_log=AuditRepository(db),
        clock=clock,
    )
