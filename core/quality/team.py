"""Training the team model on the team's labels, and keeping it only while it helps.

`TeamLearner.learn` gathers every tender a person has said is relevant or not, scores the
rules analyst alone on them, cross-validates a team model on them, and stores the training
(in use only when the learned model's F1 beats the rules'). The worker calls `learn_if_due`
when it is idle, so the model follows the team's decisions without anyone asking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

import numpy as np

from core.access.audit import AuditAction, AuditLog, check, note
from core.access.roles import WORKERS, Actor
from core.analysts.rules.match import matcher_for
from core.analysts.rules.relevance import decide
from core.analysts.rules.signals import foreign_language
from core.models import Decision, TeamModelRecord, Tender, TenderState, utcnow
from core.profile.company import CompanyProfile
from core.quality.learn import (
    MIN_EACH,
    MIN_LABELS,
    TeamModel,
    cross_validated,
    enough,
    evidence_features,
    fit,
    rules_verdicts,
    wording_vectors,
)
from core.quality.metrics import f1_score

# Retrain when this many labels were added since the last training.
RETRAIN_AFTER = 10
# The learned model is used only when its cross-validated F1 beats the rules' by this much
# (a smaller gain on a few dozen labels is noise).
MIN_GAIN = 0.02
LEARN_TARGET = "team model"


class LabelSource(Protocol):
    def labelled(self) -> dict[int, Decision]: ...


class StateReader(Protocol):
    def get(self, tender_id: int) -> TenderState | None: ...


class ModelStore(Protocol):
    def add(self, record: TeamModelRecord) -> TeamModelRecord: ...
    def latest(self) -> TeamModelRecord | None: ...
    def in_use(self) -> TeamModelRecord | None: ...


class NotEnoughLabels(ValueError):
    """Too few labels to train; the message says how many more of which kind."""


@dataclass(frozen=True)
class Labelled:
    tenders: list[Tender]
    labels: list[bool]

    @property
    def relevant(self) -> int:
        return sum(self.labels)


def evidence_for(tenders: list[Tender], profile: CompanyProfile) -> np.ndarray:
    """The rules' evidence on these tenders under this profile, as the team model reads it."""
    matcher = matcher_for(profile)
    matcher.read_ahead(tenders)
    rows = []
    for tender in tenders:
        match = matcher.match(tender)
        rows.append(evidence_features(match, decide(match, foreign_language(tender, profile))))
    return np.asarray(rows, dtype=np.float64)


class TeamLearner:
    def __init__(
        self,
        tenders: StateReader,
        labels: LabelSource,
        models: ModelStore,
        profile: Callable[[], CompanyProfile],
        profile_version: Callable[[], int] = lambda: 0,
        now: Callable[[], datetime] = utcnow,
        *,
        audit: AuditLog | None = None,
    ) -> None:
        self._tenders = tenders
        self._labels = labels
        self._models = models
        self._profile = profile
        self._profile_version = profile_version
        self._now = now
        self._audit = audit

    def labelled(self) -> Labelled:
        """Every tender a person has said is relevant or not, oldest tender first."""
        tenders, labels = [], []
        for tender_id, decision in sorted(self._labels.labelled().items()):
            state = self._tenders.get(tender_id)
            if state is not None and decision.label is not None:
                tenders.append(state.tender)
                labels.append(decision.label)
        return Labelled(tenders, labels)

    def learn(self, actor: Actor) -> TeamModelRecord:
        """Train on every label so far; raises NotEnoughLabels with what is missing."""
        check(self._audit, actor, WORKERS, "train the team model", target=LEARN_TARGET)
        data = self.labelled()
        if not enough(data.labels):
            raise NotEnoughLabels(_missing(data))
        profile = self._profile()
        vectors, evidence = wording_vectors(data.tenders), evidence_for(data.tenders, profile)
        base_f1 = f1_score(data.labels, rules_verdicts(evidence).tolist())
        learned_f1, flip_at = cross_validated(vectors, evidence, data.labels)
        model = fit(vectors, evidence, data.labels, [t.title for t in data.tenders])
        model = replace(model, flip_at=flip_at)
        record = self._models.add(
            TeamModelRecord(
                trained_at=self._now(),
                trained_by=actor.name,
                labels=len(data.labels),
                relevant_labels=data.relevant,
                base_f1=base_f1,
                learned_f1=learned_f1,
                in_use=learned_f1 >= base_f1 + MIN_GAIN,
                profile_version=self._profile_version(),
                weights=model.to_json(),
            )
        )
        detail = (
            f"{record.labels} labels ({record.relevant_labels} relevant): F1 {learned_f1:.3f} "
            f"learned against {base_f1:.3f} for the rules alone; "
            + ("in use" if record.in_use else "not used")
        )
        note(self._audit, actor, AuditAction.MODEL_TRAINED, target=LEARN_TARGET, detail=detail)
        return record

    def learn_if_due(self, actor: Actor) -> TeamModelRecord | None:
        """Retrain when enough labels were added since the last training (the worker's idle
        step); None when nothing was due."""
        latest = self._models.latest()
        labels = [d.label for d in self._labels.labelled().values() if d.label is not None]
        if not enough(labels):  # counted from the log alone: no tender is read until due
            return None
        if latest is not None and abs(len(labels) - latest.labels) < RETRAIN_AFTER:
            return None
        return self.learn(actor)

    def current(self) -> TeamModel | None:
        """The model the rules analyst uses now, if one beats the rules alone."""
        record = self._models.in_use()
        if record is None:
            return None
        return TeamModel.from_json(record.weights, model_id=record.id)


def _missing(data: Labelled) -> str:
    relevant, other = data.relevant, len(data.labels) - data.relevant
    return (
        f"The team model needs at least {MIN_LABELS} labels with {MIN_EACH} of each kind; there "
        f"are {len(data.labels)} ({relevant} relevant, {other} not). Give feedback on more "
        "tenders (Tender page, or `feedback ID --relevant yes|no --by USER`)."
    )
