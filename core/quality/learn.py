"""The team model: what the team's own words on relevance teach the offline analyst.

Every person's word on relevance is a label (core.models.Decision.label). The labelled tenders
become examples: a new tender is compared, in the same static embeddings the rules analyst
reads with, with the examples the team marked relevant and those it marked not relevant. That
comparison and the rules analyst's own evidence go into a small logistic regression, trained
and judged by cross-validation on the team's labels, and used only while it beats the rules
alone on them. Few features, so a few dozen labels are enough; deterministic, so the same
labels give the same model; explainable, since the closest examples can be named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.analysts.rules.match import TenderMatch
from core.analysts.rules.relevance import Verdict
from core.analysts.rules.semantic import embed, joined
from core.models import Tender
from core.quality.metrics import f1_score

Matrix = NDArray[np.float64]
MIN_LABELS = 30  # labels before a model is trained…
MIN_EACH = 5  # …with at least this many of each kind
FOLDS = 5
L2 = 10.0  # ridge penalty on the standardised features
NEWTON_STEPS = 25
NEAREST = 3  # examples averaged on each side
FEATURES = ("wording margin", "rules verdict", "evidence for", "evidence against", "team examples")
TITLE_CHARS = 80


def evidence_features(match: TenderMatch, verdict: Verdict) -> list[float]:
    """The rules analyst's own reading of the tender, as numbers."""
    signed = verdict.confidence if verdict.is_relevant else -verdict.confidence
    margin = match.reading.margin if match.reading is not None else 0.0
    return [margin, signed, match.positive, match.negative]


def rules_verdicts(evidence: Matrix) -> NDArray[np.bool_]:
    """The rules' own verdicts, read back from `evidence_features` rows (the signed
    confidence is positive exactly when the rules said relevant)."""
    return evidence[:, 1] > 0


def wording_vectors(tenders: Sequence[Tender]) -> Matrix:
    """The tenders' wording, embedded as the rules analyst reads it."""
    texts = [joined(t.title, t.description) or " " for t in tenders]
    return np.asarray(embed(texts), dtype=np.float64)


def example_margin(
    vectors: Matrix, examples: Matrix, relevant: NDArray[np.bool_], *, leave_out: bool = False
) -> tuple[Matrix, NDArray[np.intp]]:
    """How much closer each tender reads to the examples marked relevant than to the others
    (mean of the NEAREST on each side), and its closest relevant example. `leave_out`: the
    tenders are the examples themselves, so each is not compared with itself."""
    similarity = vectors @ examples.T
    if leave_out:
        np.fill_diagonal(similarity, -np.inf)
    ours, other = similarity[:, relevant], similarity[:, ~relevant]
    closest = np.flatnonzero(relevant)[ours.argmax(axis=1)]
    return _nearest(ours) - _nearest(other), closest


def _nearest(similarity: Matrix) -> Matrix:
    k = min(NEAREST, similarity.shape[1])
    top = np.partition(similarity, -k, axis=1)[:, -k:]
    top = np.where(np.isfinite(top), top, np.nan)
    return np.nan_to_num(np.nanmean(top, axis=1))


@dataclass(frozen=True)
class TeamModel:
    """A logistic regression over the rules' evidence and the team's examples."""

    weights: Matrix
    bias: float
    mean: Matrix
    scale: Matrix
    examples: Matrix  # the labelled tenders' wording
    relevant: NDArray[np.bool_]  # their labels
    titles: tuple[str, ...]  # their titles, to name the closest one
    #: how sure the model must be to overrule the rules (from cross-validation); between
    #: 1 - flip_at and flip_at the rules' verdict stands
    flip_at: float = 0.5
    model_id: int | None = None

    @property
    def labels(self) -> int:
        return len(self.relevant)

    @property
    def name(self) -> str:
        return f"team model {self.model_id}" if self.model_id else "team model"

    def features(self, vectors: Matrix, evidence: Matrix, *, leave_out: bool = False) -> Matrix:
        margin, _ = example_margin(vectors, self.examples, self.relevant, leave_out=leave_out)
        return np.column_stack([evidence, margin])

    def probability(self, vectors: Matrix, evidence: Matrix) -> Matrix:
        return self._probability(self.features(vectors, evidence))

    def decide(self, probability: float) -> bool | None:
        """The model's verdict when it is sure enough to overrule the rules, else None."""
        if probability >= self.flip_at:
            return True
        if probability <= 1 - self.flip_at:
            return False
        return None

    def closest_relevant(self, vector: Matrix) -> str:
        _, closest = example_margin(vector[None, :], self.examples, self.relevant)
        return self.titles[int(closest[0])]

    def _probability(self, features: Matrix) -> Matrix:
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "weights": self.weights.round(6).tolist(),
            "bias": round(self.bias, 6),
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "examples": self.examples.round(4).tolist(),
            "relevant": self.relevant.tolist(),
            "titles": list(self.titles),
            "flip_at": self.flip_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], model_id: int | None = None) -> TeamModel:
        return cls(
            weights=np.asarray(data["weights"], dtype=np.float64),
            bias=float(data["bias"]),
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            examples=np.asarray(data["examples"], dtype=np.float64),
            relevant=np.asarray(data["relevant"], dtype=bool),
            titles=tuple(data["titles"]),
            flip_at=float(data.get("flip_at", 0.5)),
            model_id=model_id,
        )


def fit(
    vectors: Matrix,
    evidence: Matrix,
    labels: Sequence[bool],
    titles: Sequence[str] = (),
    l2: float = L2,
) -> TeamModel:
    """Train on labelled tenders: each is compared with the other examples (never itself),
    then an L2-regularised logistic regression by Newton's method."""
    y = np.asarray(labels, dtype=bool)
    margin, _ = example_margin(vectors, vectors, y, leave_out=True)
    features = np.column_stack([evidence, margin])
    weights, bias, mean, scale = _logistic(features, y.astype(np.float64), l2)
    names = tuple(t[:TITLE_CHARS] for t in titles) or tuple("" for _ in labels)
    return TeamModel(weights, bias, mean, scale, vectors, y, names)


def _logistic(features: Matrix, y: Matrix, l2: float) -> tuple[Matrix, float, Matrix, Matrix]:
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = np.hstack([(features - mean) / scale, np.ones((len(y), 1))])
    positives = max(y.sum(), 1.0)
    negatives = max(len(y) - y.sum(), 1.0)
    # Relevant tenders are few: weighted up by the square root of how much rarer they are
    # (fully balanced weights won cross-validation and then lost precision on new notices).
    sample = np.where(y > 0, np.sqrt(negatives / positives), 1.0)
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0  # the intercept is not shrunk
    w = np.zeros(x.shape[1])
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (sample * (p - y)) + penalty * w
        hessian = (x * (sample * p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(w)), gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1], float(w[-1]), mean, scale


def folds(labels: Sequence[bool], k: int = FOLDS) -> list[int]:
    """A fold per label, each class dealt round-robin (deterministic, stratified)."""
    assigned, seen = [], {True: 0, False: 0}
    for label in labels:
        assigned.append(seen[bool(label)] % k)
        seen[bool(label)] += 1
    return assigned


FLIP_LEVELS = (0.5, 0.6, 0.7, 0.8, 0.9)
CAUTION = 0.03  # F1 given up for a more cautious level


def cross_validated(
    vectors: Matrix, evidence: Matrix, labels: Sequence[bool]
) -> tuple[float, float]:
    """(F1, flip_at): how the rules overruled by the learned model do on labels the model was
    not trained on (k folds; each fold's tenders compared with the other folds' examples
    only), at the most cautious level that did best."""
    y = np.asarray(labels, dtype=bool)
    fold_of = np.asarray(folds(labels))
    probability = np.full(len(y), 0.5)
    for fold in range(FOLDS):
        test = fold_of == fold
        if not test.any() or len(set(y[~test].tolist())) < 2:
            continue
        model = fit(vectors[~test], evidence[~test], y[~test].tolist())
        probability[test] = model.probability(vectors[test], evidence[test])
    rules = rules_verdicts(evidence)
    scored = {}
    for level in FLIP_LEVELS:
        sure = np.where(probability <= 1 - level, False, rules)
        combined = np.where(probability >= level, True, sure)
        scored[level] = f1_score(y.tolist(), combined.tolist())
    best = max(scored.values())
    # the most cautious level that does about as well: a few dozen labels are noisy
    level = max(lv for lv, f1 in scored.items() if f1 >= best - CAUTION)
    return scored[level], level


def enough(labels: Sequence[bool]) -> bool:
    relevant = sum(labels)
    return len(labels) >= MIN_LABELS and min(relevant, len(labels) - relevant) >= MIN_EACH
