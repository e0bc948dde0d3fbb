"""Confusion counts, precision/recall/F1 and a calibration table: pure arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from pydantic import BaseModel

CALIBRATION_EDGES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


class Scored(BaseModel):
    """One labelled tender as the analyst saw it."""

    notice_id: str
    relevant: bool  # the label
    predicted: bool  # what the dashboard counts as relevant after routing
    verdict: bool  # the analyst's own relevance verdict
    confidence: float  # the analyst's confidence in `verdict`
    review: bool  # waits for a person because the analyst is unsure


class CalibrationBin(BaseModel):
    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


class Scores(BaseModel):
    n: int
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float
    recall: float
    f1: float
    review_share: float
    calibration: list[CalibrationBin]
    ece: float


def _ratio(a: float, b: float) -> float:
    return round(a / b, 4) if b else 0.0


def f1_score(labels: Sequence[bool], predicted: Sequence[bool]) -> float:
    """F1 of `predicted` against `labels` (0 when nothing is relevant on either side)."""
    tp = sum(p and y for p, y in zip(predicted, labels, strict=True))
    fp = sum(p and not y for p, y in zip(predicted, labels, strict=True))
    fn = sum(y and not p for p, y in zip(predicted, labels, strict=True))
    return _ratio(2 * tp, 2 * tp + fp + fn)


def score(rows: Sequence[Scored]) -> Scores:
    tp = sum(r.predicted and r.relevant for r in rows)
    fp = sum(r.predicted and not r.relevant for r in rows)
    fn = sum(not r.predicted and r.relevant for r in rows)
    tn = len(rows) - tp - fp - fn
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = _ratio(2 * precision * recall, precision + recall)
    bins = calibration(rows)
    ece = sum(b.count * abs(b.accuracy - b.mean_confidence) for b in bins)
    return Scores(
        n=len(rows),
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
        precision=precision,
        recall=recall,
        f1=f1,
        review_share=_ratio(sum(r.review for r in rows), len(rows)),
        calibration=bins,
        ece=_ratio(ece, len(rows)),
    )


def calibration(rows: Sequence[Scored]) -> list[CalibrationBin]:
    """Verdicts by confidence (0.5–1 in tenths; below 0.5 counts in the first bin): how many,
    how sure on average, and how often right. Empty bins are left out."""
    bins = []
    edges = CALIBRATION_EDGES
    for i, (low, high) in enumerate(pairwise(edges)):
        last = i == len(edges) - 2
        inside = [
            r for r in rows if (r.confidence >= low or i == 0) and (r.confidence < high or last)
        ]
        if not inside:
            continue
        bins.append(
            CalibrationBin(
                low=low,
                high=high,
                count=len(inside),
                mean_confidence=round(sum(r.confidence for r in inside) / len(inside), 4),
                accuracy=_ratio(sum(r.verdict == r.relevant for r in inside), len(inside)),
            )
        )
    return bins
