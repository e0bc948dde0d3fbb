"""What people and the analyst agree on, and the auto-accept level the record supports.

Every person's word on relevance (core.models.Decision.label) is compared with what the analyst
had said when the person spoke (`ai_relevant`, `ai_confidence` on the same entry). The
suggested auto-accept level is the lowest confidence from which the analyst's verdicts were
right at least `target` of the time, on enough verdicts to tell; applying it is a policy change
(core.review.policy.save_policy: admins only, audited).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pydantic import BaseModel

from core.access.audit import AuditLog
from core.access.roles import Actor
from core.models import PERSON_ANALYST, Decision, TeamModelRecord, newest_labels
from core.profile.company import CompanyProfile, ProfileStore
from core.quality.learn import MIN_EACH, MIN_LABELS
from core.review.policy import save_policy
from core.review.service import DIMENSION_LABELS

TARGET_PRECISION = 0.95
MIN_VERDICTS = 10  # verdicts at or above a level before it can be suggested
LEVELS = tuple(round(0.5 + step / 100, 2) for step in range(50))  # 0.50 … 0.99


class DecisionLog(Protocol):
    def all(self) -> list[Decision]: ...


class ModelHistory(Protocol):
    def latest(self) -> TeamModelRecord | None: ...


class Confidences(Protocol):
    def verdict_confidences(self) -> list[float]: ...


class Suggestion(BaseModel):
    level: float  # the auto-accept confidence to use
    precision: float  # how often verdicts at or above it were right
    verdicts: int  # labelled verdicts at or above it
    review_share: float  # share of analysed tenders below it (would wait for review)
    current: float  # the auto-accept level in force
    current_review_share: float


class QualitySummary(BaseModel):
    labels: int
    relevant: int
    agreement: float | None  # share of labels that agree with the analyst's verdict
    compared: int  # labels with an analyst verdict to compare
    overrides: dict[str, int]  # per dimension label: how often a person changed it
    model: TeamModelRecord | None
    model_state: str
    target: float
    suggestion: Suggestion | None
    suggestion_note: str

    def to_json(self) -> dict[str, object]:
        data = self.model_dump(mode="json", exclude={"model"})
        if self.model is not None:
            data["model"] = self.model.model_dump(mode="json", exclude={"weights"})
        return data


def suggest(
    labelled: Sequence[Decision],
    confidences: Sequence[float],
    current: float,
    target: float = TARGET_PRECISION,
) -> Suggestion | None:
    """The lowest level at which the analyst's past verdicts reached `target` precision."""
    judged = [(d.ai_confidence, d.ai_relevant == d.label) for d in labelled if _judged(d)]
    for level in LEVELS:
        above = [right for confidence, right in judged if confidence >= level]
        if len(above) < MIN_VERDICTS:
            return None
        precision = sum(above) / len(above)
        if precision >= target:
            return Suggestion(
                level=level,
                precision=round(precision, 4),
                verdicts=len(above),
                review_share=_share_below(confidences, level),
                current=current,
                current_review_share=_share_below(confidences, current),
            )
    return None


def _judged(decision: Decision) -> bool:
    """The entry records an analyst's verdict (not a person's earlier word) to compare with."""
    return (
        decision.ai_confidence is not None
        and decision.ai_relevant is not None
        and decision.analyst != PERSON_ANALYST
    )


def _share_below(confidences: Sequence[float], level: float) -> float:
    return round(sum(c < level for c in confidences) / len(confidences), 4) if confidences else 0.0


class QualityService:
    def __init__(
        self,
        decisions: DecisionLog,
        models: ModelHistory,
        confidences: Confidences,
        profile: Callable[[], CompanyProfile],
        store: ProfileStore,
        *,
        audit: AuditLog | None = None,
    ) -> None:
        self._decisions = decisions
        self._models = models
        self._confidences = confidences
        self._profile = profile
        self._store = store
        self._audit = audit

    def summary(self, target: float = TARGET_PRECISION) -> QualitySummary:
        entries = self._decisions.all()
        labelled = list(newest_labels(entries).values())
        compared = [d for d in labelled if _judged(d)]
        agree = sum(d.ai_relevant == d.label for d in compared)
        overrides = {label: 0 for label in DIMENSION_LABELS.values()}
        for entry in entries:
            for name in entry.overrides:
                overrides[DIMENSION_LABELS.get(name, name)] += 1
            disagrees = entry.ai_relevant not in (None, entry.relevant)
            if entry.relevant is not None and disagrees and _judged(entry):
                overrides[DIMENSION_LABELS["is_relevant"]] += 1
        current = self._profile().thresholds.auto_accept_confidence
        suggestion = suggest(labelled, self._confidences.verdict_confidences(), current, target)
        model = self._models.latest()
        relevant = sum(bool(d.label) for d in labelled)
        return QualitySummary(
            labels=len(labelled),
            relevant=relevant,
            agreement=round(agree / len(compared), 4) if compared else None,
            compared=len(compared),
            overrides=overrides,
            model=model,
            model_state=_model_state(model, len(labelled), relevant),
            target=target,
            suggestion=suggestion,
            suggestion_note=_suggestion_note(suggestion, len(compared), target),
        )

    def apply_suggestion(self, actor: Actor, target: float = TARGET_PRECISION) -> float:
        """Make the suggested level the auto-accept confidence (admins only, audited)."""
        summary = self.summary(target)
        if summary.suggestion is None:
            raise ValueError(summary.suggestion_note)
        policy = self._profile().thresholds
        level = max(summary.suggestion.level, policy.min_relevance_confidence)
        save_policy(
            self._store,
            actor=actor,
            audit=self._audit,
            min_relevance_confidence=policy.min_relevance_confidence,
            auto_accept_confidence=level,
            min_bid_score=policy.min_bid_score,
            score_review_band=policy.score_review_band,
            every_bid_needs_approval=policy.every_bid_needs_approval,
        )
        return level


def _model_state(model: TeamModelRecord | None, labels: int, relevant: int) -> str:
    if model is None:
        return (
            f"Not trained yet: it needs {MIN_LABELS} labels with {MIN_EACH} of each kind "
            f"(now {labels}: {relevant} relevant, {labels - relevant} not)."
        )
    used = (
        "in use: it beats the rules alone"
        if model.in_use
        else "not used: it does not beat the rules alone"
    )
    return (
        f"Team model {model.id}, trained on {model.labels} labels: cross-validated F1 "
        f"{model.learned_f1:.3f} against {model.base_f1:.3f} for the rules alone; {used}."
    )


def _suggestion_note(suggestion: Suggestion | None, compared: int, target: float) -> str:
    if suggestion is None:
        return (
            f"No level yet: the analyst's verdicts do not reach {target:.0%} precision on "
            f"at least {MIN_VERDICTS} labelled verdicts at any confidence ({compared} labelled "
            "so far)."
        )
    return (
        f"From {suggestion.level:.0%} confidence, {suggestion.precision:.0%} of "
        f"{suggestion.verdicts} labelled verdicts were right; at that level "
        f"{suggestion.review_share:.0%} of analysed tenders would wait for review "
        f"(now {suggestion.current_review_share:.0%} at {suggestion.current:.0%})."
    )
