"""The stage machine: filter → rate → write, with early exits, resuming from saved results."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from core.analysts.base import Analyst
from core.models import Claim, StageOutcome, TenderStatus
from core.profile import CompanyProfile

log = logging.getLogger(__name__)

Checkpoint = Callable[[StageOutcome], None]


class PipelineStore(Protocol):
    """What the pipeline needs from storage (storage.tenders.TenderRepository has it)."""

    def claim(self, limit: int, lease_s: float) -> list[Claim]: ...
    def save_outcomes(self, outcomes: Sequence[StageOutcome]) -> None: ...
    def release_stale(self, *, everything: bool = False) -> int: ...


def advance(
    claim: Claim,
    analyst: Analyst,
    profile: CompanyProfile,
    checkpoint: Checkpoint | None = None,
) -> StageOutcome:
    """Run the stages still due for one tender and return where it comes to rest.

    Results already saved (from a run that was interrupted) are reused, never recomputed.
    `checkpoint`, when given, receives each new stage result as soon as it exists.
    """
    state = claim.state
    tender_id = state.tender.id
    assert tender_id is not None, "only stored tenders are processed"
    outcome = StageOutcome(tender_id=tender_id)

    def record(**results: object) -> None:
        for name, value in results.items():
            setattr(outcome, name, value)
        if checkpoint is not None:
            checkpoint(StageOutcome(tender_id=tender_id, **results))  # type: ignore[arg-type]

    try:
        _run_stages(claim, analyst, profile, outcome, record)
    except Exception as exc:  # one tender's failure must not lose the others, nor its results
        log.exception("analysis of tender %s failed", tender_id)
        outcome.status = TenderStatus.ERROR
        outcome.error = f"{type(exc).__name__}: {exc}".strip()[:500]
    return outcome


def _run_stages(
    claim: Claim,
    analyst: Analyst,
    profile: CompanyProfile,
    outcome: StageOutcome,
    record: Callable[..., None],
) -> None:
    state = claim.state
    relevance = state.filter
    if relevance is None:
        relevance = analyst.filter(state.tender, profile)
        record(filter=relevance)

    if claim.claimed_from is not TenderStatus.APPROVED:
        confident = relevance.confidence >= profile.thresholds.min_relevance_confidence
        if not (relevance.is_relevant and confident):
            outcome.status = TenderStatus.FILTERED_OUT
            return

    rating = state.rating
    if rating is None:
        rating = analyst.rate(state.tender, profile, relevance)
        record(rating=rating)

    if (
        claim.claimed_from is not TenderStatus.APPROVED
        and rating.overall_score < profile.thresholds.min_bid_score
    ):
        outcome.status = TenderStatus.RATED_LOW
        return

    if state.bid is None:
        outcome.bid = analyst.write(state.tender, profile, relevance, rating)
    outcome.status = TenderStatus.COMPLETE


@dataclass
class BatchReport:
    claimed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class Pipeline:
    """Processes claimed tenders with one analyst and profile.

    `concurrency` threads run tenders in parallel (useful for slow, I/O-bound analysts).
    With `save_each_stage`, every stage result is written as soon as it exists, so a crash
    never repeats a finished (possibly paid) call; otherwise a batch is written in one go,
    which is what makes the offline analyst fast.
    """

    def __init__(
        self,
        store: PipelineStore,
        analyst: Analyst,
        profile: CompanyProfile,
        *,
        concurrency: int = 1,
        save_each_stage: bool = False,
    ) -> None:
        self.store = store
        self.analyst = analyst
        self.profile = profile
        self.concurrency = max(1, concurrency)
        self.save_each_stage = save_each_stage
        self._save_lock = threading.Lock()

    def process(self, claims: Sequence[Claim]) -> list[StageOutcome]:
        checkpoint = self._save_now if self.save_each_stage else None

        def one(claim: Claim) -> StageOutcome:
            outcome = advance(claim, self.analyst, self.profile, checkpoint)
            if self.save_each_stage:
                # stage results were checkpointed already; only the status is new
                self._save_now(
                    StageOutcome(
                        tender_id=outcome.tender_id,
                        bid=outcome.bid,
                        status=outcome.status,
                        error=outcome.error,
                    )
                )
            return outcome

        if self.concurrency == 1 or len(claims) <= 1:
            outcomes = [one(c) for c in claims]
        else:
            with ThreadPoolExecutor(self.concurrency, thread_name_prefix="analyst") as pool:
                outcomes = list(pool.map(one, claims))
        if not self.save_each_stage:
            self.store.save_outcomes(outcomes)
        return outcomes

    def run_once(self, batch_size: int, lease_s: float) -> BatchReport:
        """Claim one batch, process it, and report; `claimed == 0` means there was no work."""
        started = time.perf_counter()
        claims = self.store.claim(batch_size, lease_s)
        outcomes = self.process(claims) if claims else []
        report = BatchReport(claimed=len(claims), seconds=time.perf_counter() - started)
        for outcome in outcomes:
            status = (outcome.status or TenderStatus.PROCESSING).value
            report.by_status[status] = report.by_status.get(status, 0) + 1
        return report

    def _save_now(self, outcome: StageOutcome) -> None:
        with self._save_lock:
            self.store.save_outcomes([outcome])
