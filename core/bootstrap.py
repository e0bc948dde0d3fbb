"""The wiring: opens the database once per process and builds repositories and services.

The only core module that imports `storage`: every service gets its repositories (as the
Protocols it declares) and the one clock from here. It holds no rules of its own.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from core.access.accounts import AccountService
from core.access.audit import AuditLog
from core.access.roles import WORKER_ACTOR
from core.access.sessions import load_session_key
from core.analysts.documents import WithDocuments
from core.analysts.factory import AnalystChoice, choose_analyst
from core.analysts.settings import AnalystSettings
from core.config import Settings, get_settings
from core.documents.extract import Limits
from core.documents.matrix import MatrixService
from core.documents.reader import DocumentReader
from core.documents.refine import RequirementRefiner, make_refiner
from core.documents.service import DocumentService
from core.llm.capabilities import Capabilities
from core.llm.client import LLMClient
from core.llm.endpoint import Endpoint
from core.llm.prices import PriceTable
from core.models import utcnow
from core.models.documents import RequirementRow
from core.pipeline.controls import PipelineControls
from core.pipeline.stages import Pipeline
from core.pipeline.worker import Worker
from core.profile.company import CompanyProfile, current_profile
from core.quality.summary import QualityService
from core.quality.team import TeamLearner
from core.review.feedback import FeedbackService
from core.review.service import ReviewService
from storage.accounts import AccountRepository
from storage.analytics import AnalyticsRepository
from storage.app_state import AppStateRepository
from storage.audit import AuditRepository
from storage.bids import BidRepository
from storage.db import Database, close_database, open_database
from storage.decisions import DecisionRepository
from storage.documents import DocumentRepository
from storage.learning import EvaluationRepository, TeamModelRepository
from storage.llm import CapabilityRepository, LLMCacheRepository, LLMUsageRepository
from storage.requirements import RequirementRepository
from storage.tenders import TenderRepository


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
    analytics: AnalyticsRepository
    capability_store: CapabilityRepository
    team_models: TeamModelRepository
    evaluations: EvaluationRepository
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

    def feedback(self) -> FeedbackService:
        """A person's word on relevance, on any tender (core.review.feedback)."""
        return FeedbackService(self.tenders, self.decisions, self.clock, audit=self.audit())

    def learner(self) -> TeamLearner:
        """The team model, trained on the team's labels (core.quality.team)."""
        return TeamLearner(
            self.tenders,
            self.decisions,
            self.team_models,
            self.profile,
            self.state.profile_version,
            self.clock,
            audit=self.audit(),
        )

    def quality(self) -> QualityService:
        """What people and the analyst agree on; the suggested auto-accept level."""
        return QualityService(
            self.decisions,
            self.team_models,
            self.analytics,
            self.profile,
            self.state,
            audit=self.audit(),
        )

    def analyst_settings(self) -> AnalystSettings:
        """The LLM endpoint in force and the rules prefilter (core.analysts.settings)."""
        return AnalystSettings(self.settings, self.state, self.audit())

    def documents(self) -> DocumentService:
        """Tender documents, kept beside the database file (core.documents.service)."""
        settings = self.settings
        return DocumentService(
            DocumentRepository(self.db),
            Path(self.db.path).parent / "documents",
            self.audit(),
            lambda tender_id: self.tenders.get(tender_id) is not None,
            Limits(
                max_bytes=settings.documents_max_mb * 1024 * 1024,
                max_pages=settings.documents_max_pages,
            ),
            self.clock,
            refiner=self.refiner(),
        )

    def refiner(self) -> RequirementRefiner | None:
        """The LLM's look at the requirement rows the rules are unsure of; None without an LLM."""
        return make_refiner(self.analyst_settings().endpoint(), self.llm_client)

    def matrix(self) -> MatrixService:
        """The compliance matrix of each tender (core.documents.matrix)."""
        accounts = AccountRepository(self.db)
        return MatrixService(
            RequirementRepository(self.db),
            self.documents(),
            self.audit(),
            lambda: {a.username for a in accounts.all() if a.enabled},
            self.clock,
        )

    def controls(self) -> PipelineControls:
        """Pause, retry, re-analyse and the endpoint-down flag (core.pipeline.controls)."""
        return PipelineControls(self.tenders, self.state, self.audit(), self.clock)

    # ------------------------------------------------------------------ LLM
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
        """The analyst in force, reading each tender's compliance matrix too."""
        chosen = self.analyst_settings()
        choice = choose_analyst(
            chosen.endpoint(),
            self.llm_client,
            prefilter=chosen.prefilter_enabled(),
            now=self.clock,
            team=self.learner().current(),
            cascade_level=chosen.cascade_level(),
        )
        return replace(choice, analyst=WithDocuments(choice.analyst, self.matrix_rows()))

    def matrix_rows(self) -> Callable[[int], list[RequirementRow]]:
        """Each tender's compliance matrix, read only for the tenders that have one (a query
        now, so that analysing thousands of tenders without documents costs nothing more)."""
        store = RequirementRepository(self.db)
        with_matrix = store.tenders_with_documents_or_rows()
        matrix = self.matrix()
        return lambda tender_id: matrix.rows(tender_id) if tender_id in with_matrix else []

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

    def config_version(self) -> tuple[object, ...]:
        """Changes whenever a setting the running analysis depends on is edited."""
        chosen = self.analyst_settings()
        team = self.team_models.in_use()
        return (
            chosen.endpoint(),
            chosen.prefilter_enabled(),
            chosen.cascade_level(),
            self.state.profile_version(),
            team.id if team else None,
        )

    def make_worker(self) -> Worker:
        controls = self.controls()
        return Worker(
            self.tenders,
            self.make_pipeline,
            is_paused=controls.is_paused,
            on_unavailable=controls.set_unavailable,
            config_version=self.config_version,
            batch_size=self.settings.worker_batch_size,
            lease_s=self.settings.worker_lease_s,
            poll_s=self.settings.worker_poll_s,
            on_idle=self._learn_if_due,
        )

    def make_document_reader(self) -> DocumentReader:
        """The thread that reads long documents in the background (core.documents.reader)."""
        return DocumentReader(
            self.documents().read_some, lambda record: self.matrix().sync(record.tender_id)
        )

    def _learn_if_due(self) -> None:
        self.learner().learn_if_due(WORKER_ACTOR)


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
    capability_store = CapabilityRepository(db)
    return AppContext(
        settings=settings,
        db=db,
        tenders=TenderRepository(db),
        state=AppStateRepository(db),
        llm_usage=LLMUsageRepository(db),
        llm_cache=LLMCacheRepository(db),
        capabilities=Capabilities(capability_store),
        decisions=DecisionRepository(db),
        bids=BidRepository(db),
        analytics=AnalyticsRepository(db),
        capability_store=capability_store,
        team_models=TeamModelRepository(db),
        evaluations=EvaluationRepository(db),
        audit_log=AuditRepository(db),
        clock=clock,
    )


@contextmanager
def scratch_context(
    settings: Settings, *, clock: Callable[[], datetime] = utcnow
) -> Iterator[AppContext]:
    """A context over a new database in a temporary folder, removed on exit (evaluations)."""
    with tempfile.TemporaryDirectory(prefix="tenderwise-scratch-") as folder:
        path = Path(folder) / "scratch.duckdb"
        ctx = open_context(settings, db_path=path, clock=clock)
        try:
            yield ctx
        finally:
            close_database(path)
