"""The stage machine: filter → rate → route (core.review.policy) → write, resuming from saved
results."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Protocol

from core.analysts.base import Analyst
from core.errors import AnalystUnavailable
from core.models import NOTICE_ANALYST, Claim, FilterResult, StageOutcome, Tender, TenderStatus
from core.profile.company import CompanyProfile
from core.review import policy as review

log = logging.getLogger(__name__)

Checkpoint = Callable[[StageOutcome], None]


class PipelineStore(Protocol):
    """What the pipeline needs from storage (storage.tenders.TenderRepository has it)."""

    def claim(self, limit: int, lease_s: float) -> list[Claim]: ...
    def save_outcomes(self, outcomes: Sequence[StageOutcome]) -> None: ...
    def release_stale(self, *, everything: bool = False) -> int: ...
    def extend_leases(self, tender_ids: Sequence[int], lease_s: float) -> int: ...


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
    except AnalystUnavailable as exc:
        # Not the tender's fault: put it back as it was; its saved stages are kept.
        outcome.status = claim.claimed_from
        outcome.error = None
        outcome.unavailable = str(exc)
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
    policy = profile.thresholds
    approved = claim.claimed_from is TenderStatus.APPROVED
    relevance = state.filter
    if relevance is None and not state.tender.notice_type.biddable:
        # Award, planning and other notices are kept for the record and never rated; whether
        # the work is ours is still worth knowing (who won what), so the free offline screen
        # says so when the analyst has one (never a paid call).
        screen = getattr(analyst, "screen", None)
        verdict = screen(state.tender, profile) if screen is not None else None
        record(filter=not_biddable(state.tender, verdict))
        outcome.status = TenderStatus.FILTERED_OUT
        return
    if relevance is None:
        relevance = analyst.filter(state.tender, profile)
        record(filter=relevance)

    if not approved and (
        not state.tender.notice_type.biddable or not review.needs_rating(relevance, policy)
    ):
        outcome.status = TenderStatus.FILTERED_OUT
        return

    rating = state.rating
    if rating is None:
        rating = analyst.rate(state.tender, profile, relevance)
        record(rating=rating)

    if not approved:
        # A person's go decision is the only other way to a bid (claimed from `approved`).
        routing = review.route(relevance, rating, policy)
        if not routing.writes_bid:
            outcome.status = routing.status
            outcome.review_stage = routing.stage
            return

    if state.bid is None:
        outcome.bid = analyst.write(state.tender, profile, relevance, rating)
    outcome.status = TenderStatus.COMPLETE


def not_biddable(tender: Tender, screened: FilterResult | None = None) -> FilterResult:
    """The verdict on a notice nobody can bid for (an award, a planning notice…): filtered
    out whatever it says; with `screened` (the offline screen), whether the work is ours."""
    kept = (
        f"{tender.notice_type.label}: there is nothing to bid for, so it was not rated. It is "
        "kept for the record and for later notices of the same procedure."
    )
    evidence = [f"notice type: {tender.notice_type.value}"]
    evidence += [f"form: {tender.form_type}"] if tender.form_type else []
    if screened is None:
        return FilterResult(
            analyst=NOTICE_ANALYST,
            is_relevant=False,
            confidence=1.0,
            reasoning=kept,
            evidence=evidence,
        )
    work = "The work is ours" if screened.is_relevant else "The work is not ours"
    return screened.model_copy(
        update={
            "reasoning": f"{kept} {work}: {screened.reasoning}",
            "evidence": evidence + list(screened.evidence),
        }
    )


@dataclass
class BatchReport:
    claimed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: why the analyst stopped answering, when it did (the tenders concerned were put back)
    unavailable: str | None = None

    def add(self, outcome: StageOutcome) -> None:
        status = (outcome.status or TenderStatus.PROCESSING).value
        self.by_status[status] = self.by_status.get(status, 0) + 1
        if outcome.unavailable:
            self.unavailable = outcome.unavailable

    def merge(self, other: BatchReport) -> None:
        self.claimed += other.claimed
        self.seconds += other.seconds
        for status, n in other.by_status.items():
            self.by_status[status] = self.by_status.get(status, 0) + n
        self.unavailable = other.unavailable


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

    @property
    def streaming(self) -> bool:
        """Slow analysts stream (a new tender starts as soon as a slot frees); rules batch."""
        return self.save_each_stage

    def process(self, claims: Sequence[Claim]) -> list[StageOutcome]:
        prepare = getattr(self.analyst, "prepare", None)  # an analyst that reads batches
        if prepare is not None and claims:
            prepare([claim.state.tender for claim in claims], self.profile)
        if self.concurrency == 1 or len(claims) <= 1:
            outcomes = [self._process_one(c) for c in claims]
        else:
            with ThreadPoolExecutor(self.concurrency, thread_name_prefix="analyst") as pool:
                outcomes = list(pool.map(self._process_one, claims))
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
            report.add(outcome)
        return report

    def run_stream(
        self,
        lease_s: float,
        *,
        should_stop: Callable[[], bool] = lambda: False,
        on_outcome: Callable[[StageOutcome], None] | None = None,
    ) -> BatchReport:
        """Keep `concurrency` tenders in flight, claiming one more whenever one finishes.

        Returns when no work is left, when `should_stop()` turns true, or when the analyst
        became unavailable (in-flight tenders finish or are put back first). Leases of the
        tenders in flight are extended while they run, so a slow endpoint never lets a claim
        expire under a live worker.
        """
        started = time.perf_counter()
        report = BatchReport()
        in_flight: dict[Future[StageOutcome], int] = {}
        in_flight_lock = threading.Lock()

        def tender_ids() -> list[int]:
            with in_flight_lock:
                return list(in_flight.values())

        heartbeat = _LeaseHeartbeat(self.store, lease_s, tender_ids)
        heartbeat.start()
        try:
            with ThreadPoolExecutor(self.concurrency, thread_name_prefix="analyst") as pool:
                while True:
                    free = self.concurrency - len(in_flight)
                    if free > 0 and report.unavailable is None and not should_stop():
                        for claim in self.store.claim(free, lease_s):
                            future = pool.submit(self._process_one, claim)
                            with in_flight_lock:
                                in_flight[future] = claim.state.tender.id or 0
                            report.claimed += 1
                    if not in_flight:
                        break
                    done, _ = wait(list(in_flight), timeout=1.0, return_when=FIRST_COMPLETED)
                    for future in done:
                        with in_flight_lock:
                            del in_flight[future]
                        outcome = future.result()
                        report.add(outcome)
                        if on_outcome is not None:
                            on_outcome(outcome)
        finally:
            heartbeat.stop()
        report.seconds = time.perf_counter() - started
        return report

    def _process_one(self, claim: Claim) -> StageOutcome:
        checkpoint = self._save_now if self.save_each_stage else None
        outcome = advance(claim, self.analyst, self.profile, checkpoint)
        if self.save_each_stage:
            # stage results were checkpointed already; only the bid and the status are new
            self._save_now(
                StageOutcome(
                    tender_id=outcome.tender_id,
                    bid=outcome.bid,
                    status=outcome.status,
                    error=outcome.error,
                    review_stage=outcome.review_stage,
                )
            )
        return outcome

    def _save_now(self, outcome: StageOutcome) -> None:
        with self._save_lock:
            self.store.save_outcomes([outcome])


class _LeaseHeartbeat:
    """Extends the leases of the tenders in flight every third of a lease."""

    def __init__(
        self, store: PipelineStore, lease_s: float, in_flight: Callable[[], list[int]]
    ) -> None:
        self._store = store
        self._lease_s = lease_s
        self._in_flight = in_flight
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _beat(self) -> None:
        while not self._stop.wait(self._lease_s / 3):
            ids = self._in_flight()
            if not ids:
                continue
            try:
                self._store.extend_leases(ids, self._lease_s)
            except Exception:  # a missed beat only risks a lease expiring; never stop the run
                log.exception("could not extend leases")
