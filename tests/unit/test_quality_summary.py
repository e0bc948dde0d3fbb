"""The suggested auto-accept level and the agreement numbers, from decision-log entries."""

from __future__ import annotations

from core.models import Decision, DecisionAction, Role, TenderStatus, newest_labels
from core.quality.summary import MIN_VERDICTS, suggest


def word(tender_id: int, relevant: bool, ai: bool, confidence: float) -> Decision:
    return Decision(
        tender_id=tender_id,
        action=DecisionAction.FEEDBACK,
        status_before=TenderStatus.FILTERED_OUT,
        status_after=TenderStatus.FILTERED_OUT,
        decided_by="bea",
        role=Role.BID_MANAGER,
        ai_relevant=ai,
        ai_confidence=confidence,
        analyst="rules",
        relevant=relevant,
    )


def test_the_level_is_the_lowest_confidence_whose_verdicts_reach_the_target() -> None:
    # Verdicts from 0.90 up are all right; between 0.60 and 0.79 one in four is wrong.
    entries = [word(i, True, True, 0.90 + i / 1000) for i in range(20)]
    entries += [word(100 + i, i % 4 != 0, True, 0.60 + i / 100) for i in range(20)]
    confidences = [0.55] * 10 + [0.7] * 10 + [0.95] * 20
    found = suggest(entries, confidences, current=0.8, target=0.95)
    assert found is not None
    # 0.76 is the last wrong verdict: from 0.73 on, 26 of 27 are right (96%); from 0.72, 26/28.
    assert found.level == 0.73 and found.precision == 0.963 and found.verdicts == 27
    assert found.review_share == 0.5  # the 20 tenders below 0.73 would wait
    assert found.current_review_share == 0.5
    assert suggest(entries, confidences, current=0.8, target=0.7) is not None
    assert suggest(entries, confidences, 0.8, 0.7).level < found.level  # type: ignore[union-attr]


def test_no_level_without_enough_verdicts_at_the_target() -> None:
    few = [word(i, True, True, 0.99) for i in range(MIN_VERDICTS - 1)]
    assert suggest(few, [0.99], current=0.8) is None
    wrong = [word(i, False, True, 0.99) for i in range(30)]
    assert suggest(wrong, [0.99], current=0.8) is None


def test_a_persons_earlier_word_is_not_the_analysts_verdict() -> None:
    entries = [word(i, True, True, 1.0) for i in range(30)]
    for entry in entries:
        entry.analyst = "person"
    assert suggest(entries, [1.0], current=0.8) is None


def test_the_newest_word_on_a_tender_counts() -> None:
    first, second = word(1, True, False, 0.7), word(1, False, False, 0.7)
    no_go = first.model_copy(update={"action": DecisionAction.NO_GO, "relevant": None})
    labels = newest_labels([first, second, no_go])
    assert labels[1] is second and labels[1].label is False
