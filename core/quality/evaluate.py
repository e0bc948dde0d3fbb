"""Run the configured analyst over labelled notices in a scratch database and score it.

The user's database is only read (profile, analyst settings): the notices, their analysis and
the LLM calls made for them live in a temporary database that is removed afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from core.access.roles import CLI_ACTOR
from core.analysts.settings import ENDPOINT_KEY, PREFILTER_KEY
from core.imports.service import TenderImporter, import_paths
from core.models import (
    ImportCounts,
    ImportSummary,
    ReviewStage,
    Tender,
    TenderState,
    TenderStatus,
)
from core.pipeline.worker import run_until_idle
from core.profile.company import save_profile, stored_or_default
from core.quality.metrics import Scored, Scores, score

if TYPE_CHECKING:
    from core.bootstrap import AppContext

# Waiting because the analyst is unsure; approval of every bid is a policy, not doubt.
UNSURE_STAGES = frozenset({ReviewStage.RELEVANCE, ReviewStage.SCORE})


class EvaluationError(ValueError):
    """The evaluation cannot run; the message is one sentence saying what to fix."""


class LLMCost(BaseModel):
    calls: int
    tokens: int
    cost: float
    per_tender_calls: float
    per_tender_tokens: float
    per_tender_cost: float


class Evaluation(BaseModel):
    scores: Scores
    analyst: str
    hide_cpv: bool
    files: list[str]
    unlabelled: int  # notices in the files without a label
    missing: int  # labels whose notice is not in the files
    llm: LLMCost | None = None
    rows: list[Scored]

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = self.scores.model_dump()
        data |= {
            "analyst": self.analyst,
            "hide_cpv": self.hide_cpv,
            "files": self.files,
            "unlabelled": self.unlabelled,
            "missing": self.missing,
            "llm": self.llm.model_dump() if self.llm else None,
        }
        return data


class WithoutCodes:
    """A TenderImporter that stores tenders with every classification dropped (--hide-cpv)."""

    def __init__(self, inner: TenderImporter) -> None:
        self._inner = inner

    def import_tenders(
        self, tenders: Sequence[Tender], source_file: str | None = None
    ) -> ImportCounts:
        return self._inner.import_tenders([without_codes(t) for t in tenders], source_file)


def without_codes(tender: Tender) -> Tender:
    lots = [lot.model_copy(update={"cpv_codes": []}) for lot in tender.lots]
    return tender.model_copy(update={"cpv_codes": [], "classifications": [], "lots": lots})


def evaluate(
    ctx: AppContext,
    files: Sequence[Path],
    labels: dict[str, bool],
    *,
    hide_cpv: bool = False,
    clock: Callable[[], datetime] | None = None,
) -> Evaluation:
    """Import `files` into a scratch database with `ctx`'s profile and analyst settings, run
    the analyst until every notice rests, and score the labelled ones."""
    from core.bootstrap import scratch_context  # the wiring, which imports this module's callers

    with scratch_context(ctx.settings, clock=clock or ctx.clock) as scratch:
        save_profile(scratch.state, stored_or_default(ctx.state))
        for key in (ENDPOINT_KEY, PREFILTER_KEY):
            if ctx.state.get(key) is not None:
                scratch.state.set(key, ctx.state.get(key))
        importer = WithoutCodes(scratch.tenders) if hide_cpv else scratch.tenders
        _refuse_failed(import_paths(importer, files, actor=CLI_ACTOR))
        report = run_until_idle(
            scratch.tenders,
            scratch.make_pipeline,
            batch_size=scratch.settings.worker_batch_size,
            lease_s=scratch.settings.worker_lease_s,
            on_unavailable=scratch.controls().set_unavailable,
        )
        if report.unavailable:
            raise EvaluationError(
                f"The analyst stopped answering ({report.unavailable}); "
                "check the LLM endpoint and run the evaluation again."
            )
        rows, unlabelled = _scored(scratch.tenders.all_states(), labels)
        if not rows:
            raise EvaluationError(
                "None of the labels names a notice in these files; the labels' ids must be "
                "the notices' own ids (as `tenders --json` shows them in source_id)."
            )
        usage = scratch.llm_usage.window(10**9)
        analyst = scratch.analyst_settings().analyst_name()
    found = {row.notice_id for row in rows}
    return Evaluation(
        scores=score(rows),
        analyst=analyst,
        hide_cpv=hide_cpv,
        files=[f.name for f in files],
        unlabelled=unlabelled,
        missing=sum(notice_id not in found for notice_id in labels),
        llm=_cost(usage.attempts, usage.tokens, usage.cost, len(rows)) if usage.attempts else None,
        rows=rows,
    )


def _refuse_failed(summaries: Sequence[ImportSummary]) -> None:
    failed = [s for s in summaries if s.failed]
    if failed:
        first = failed[0]
        raise EvaluationError(f"{first.filename} could not be imported: {first.failed}")


def _scored(states: Sequence[TenderState], labels: dict[str, bool]) -> tuple[list[Scored], int]:
    rows, unlabelled = [], 0
    for state in sorted(states, key=lambda s: s.tender.id or 0):
        notice_id = state.tender.source_id or ""
        label = labels.get(notice_id)
        if label is None or state.filter is None:
            unlabelled += label is None
            continue
        verdict = state.filter
        rows.append(
            Scored(
                notice_id=notice_id,
                relevant=label,
                predicted=verdict.is_relevant and state.status is not TenderStatus.FILTERED_OUT,
                verdict=verdict.is_relevant,
                confidence=verdict.confidence,
                review=state.status is TenderStatus.NEEDS_REVIEW
                and state.review_stage in UNSURE_STAGES,
            )
        )
    return rows, unlabelled


def _cost(calls: int, tokens: int, cost: float, tenders: int) -> LLMCost:
    return LLMCost(
        calls=calls,
        tokens=tokens,
        cost=round(cost, 6),
        per_tender_calls=round(calls / tenders, 3),
        per_tender_tokens=round(tokens / tenders, 1),
        per_tender_cost=round(cost / tenders, 6),
    )
