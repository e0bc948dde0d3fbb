"""Labels files and the evaluation's arithmetic: confusion counts, F1, calibration."""

from __future__ import annotations

import pytest

from core.quality.labels import LabelError, parse_labels
from core.quality.metrics import Scored, score


def row(relevant: bool, verdict: bool, confidence: float, *, review: bool = False) -> Scored:
    return Scored(
        notice_id=str(id(object())),
        relevant=relevant,
        predicted=verdict,
        verdict=verdict,
        confidence=confidence,
        review=review,
    )


def test_labels_take_the_usual_spellings_of_yes_and_no() -> None:
    text = "ID,Relevant\nA-1,yes\nA-2,No\nA-3,1\nA-4,0\nA-5,TRUE\nA-6,false\n\n"
    assert parse_labels(text) == {
        "A-1": True,
        "A-2": False,
        "A-3": True,
        "A-4": False,
        "A-5": True,
        "A-6": False,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("notice,verdict\nA,yes\n", "needs a column for the notice id"),
        ("id,relevant\nA,maybe\n", "line 2: “maybe” is not a label"),
        ("id,relevant\n", "has no labels"),
        ("id,relevant\n,yes\n", "line 2: the id is empty"),
    ],
)
def test_a_bad_labels_file_is_one_sentence(text: str, message: str) -> None:
    with pytest.raises(LabelError, match=message):
        parse_labels(text, "labels.csv")


def test_confusion_counts_and_f1() -> None:
    rows = [
        row(True, True, 0.9),
        row(True, True, 0.8),
        row(True, False, 0.7),
        row(False, True, 0.6, review=True),
        *[row(False, False, 0.95) for _ in range(6)],
    ]
    s = score(rows)
    assert (s.n, s.tp, s.fp, s.fn, s.tn) == (10, 2, 1, 1, 6)
    assert s.precision == pytest.approx(2 / 3, abs=1e-4)
    assert s.recall == pytest.approx(2 / 3, abs=1e-4)
    assert s.f1 == pytest.approx(2 / 3, abs=1e-3)
    assert s.review_share == 0.1


def test_calibration_bins_count_how_often_each_confidence_is_right() -> None:
    rows = [row(True, True, 0.95)] * 9 + [row(False, True, 0.95)]  # 90% right at 0.95
    rows += [row(True, True, 0.55), row(False, True, 0.55)]  # 50% right at 0.55
    s = score(rows)
    assert [(b.low, b.count, b.accuracy) for b in s.calibration] == [(0.5, 2, 0.5), (0.9, 10, 0.9)]
    # |0.5 - 0.55| * 2 + |0.9 - 0.95| * 10, over 12 notices
    assert s.ece == pytest.approx((0.05 * 2 + 0.05 * 10) / 12, abs=1e-4)


def test_nothing_found_is_zero_not_a_division_error() -> None:
    s = score([row(True, False, 0.8), row(False, False, 0.8)])
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)
