"""Run the configured analyst over labelled notices in a scratch database and score it.

The user's database is only read (profile, analyst settings): the notices, their analysis and
the LLM calls made for them live in a temporary database that is removed afterwards.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel

from core.access.audit import AuditAction, AuditLog, check, note
from core.access.roles import CLI_ACTOR, DECIDERS, Actor
from core.analysts.settings import ENDPOINT_KEY, PREFILTER_KEY
from core.imports.service import TenderImporter, import_paths
from core.models import (
    EvaluationRecord,
    ImportCounts,
    ImportSummary,
    ReviewStage,
    Tender,
    TenderState,
    TenderStatus,
)
from core.pipeline.worker import run_until_idle
from core.profile.company import save_profile, stored_or_default
from core.quality.labels import LabelError, parse_labels
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


class EvaluationLog(Protocol):
    """storage.learning.EvaluationRepository has it."""

    def add(self, record: EvaluationRecord) -> EvaluationRecord: ...
    def recent(self, limit: int = 50) -> list[EvaluationRecord]: ...


def remember(
    log: EvaluationLog,
    result: Evaluation,
    actor: Actor,
    now: datetime,
    audit: AuditLog | None = None,
) -> EvaluationRecord:
    """Keep an evaluation in the history the Quality page shows (and audit who ran it)."""
    record = log.add(
        EvaluationRecord(
            created_at=now,
            created_by=actor.name,
            files=", ".join(result.files)[:500],
            hide_cpv=result.hide_cpv,
            analyst=result.analyst,
            result=result.to_json(),
        )
    )
    s = result.scores
    detail = (
        f"{record.files}: n {s.n}, precision {s.precision:.3f}, recall {s.recall:.3f}, "
        f"F1 {s.f1:.3f}" + (", text only" if result.hide_cpv else "")
    )
    note(audit, actor, AuditAction.EVALUATION, target=f"evaluation {record.id}", detail=detail)
    return record


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
        team = ctx.team_models.in_use()  # the team model is part of the configured analyst
        if team is not None:
            scratch.team_models.add(team.model_copy(update={"id": None}))
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
        floor = scratch.profile().thresholds.min_relevance_confidence
        rows, unlabelled = _scored(scratch.tenders.all_states(), labels, floor)
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


def evaluate_uploads(
    ctx: AppContext,
    files: Sequence[tuple[str, bytes]],
    labels_file: tuple[str, bytes],
    *,
    actor: Actor,
    hide_cpv: bool = False,
) -> tuple[Evaluation, EvaluationRecord]:
    """The Quality page's evaluation of uploaded files: approvers and admins; kept in the
    history. Raises LabelError or EvaluationError with one sentence."""
    check(ctx.audit(), actor, DECIDERS, "evaluate the analyst", target="evaluation")
    if not files:
        raise EvaluationError("Upload at least one file of tenders to evaluate.")
    name, data = labels_file
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LabelError(f"{name} is not UTF-8 text; save the labels as a CSV file.") from exc
    labels = parse_labels(text, name)
    with tempfile.TemporaryDirectory(prefix="tenderwise-evaluation-") as folder:
        paths = []
        for index, (filename, content) in enumerate(files):
            # Only the name's last part, so an upload cannot point outside the folder.
            path = Path(folder) / f"{index:03d}-{Path(filename).name or 'upload'}"
            path.write_bytes(content)
            paths.append(path)
        result = evaluate(ctx, paths, labels, hide_cpv=hide_cpv)
    result = result.model_copy(update={"files": [Path(f).name for f, _ in files]})
    return result, remember(ctx.evaluations, result, actor, ctx.clock(), ctx.audit())


def _refuse_failed(summaries: Sequence[ImportSummary]) -> None:
    failed = [s for s in summaries if s.failed]
    if failed:
        first = failed[0]
        raise EvaluationError(f"{first.filename} could not be imported: {first.failed}")


def _scored(
    states: Sequence[TenderState], labels: dict[str, bool], floor: float
) -> tuple[list[Scored], int]:
    """The labelled tenders' verdicts. A verdict counts as relevant as `tenders --json` shows it
    (is_relevant), unless its confidence is under the policy's minimum (`floor`); notices
    nobody can bid for count by what the offline screen said of their work."""
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
                predicted=verdict.is_relevant and verdict.confidence >= floor,
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
