"""The routing policy: which results route themselves and which wait for a person."""

from __future__ import annotations

import pytest

from core.models import FilterResult, Proposal, RatingResult, Recommendation, ReviewStage
from core.models import TenderStatus as S
from core.profile.company import Thresholds
from core.review.policy import describe_policy, needs_rating, proposal, route

# min confidence 0.5, auto-accept 0.8, threshold 6 ± 0.5, approval on
POLICY = Thresholds(min_relevance_confidence=0.5)
AUTO = Thresholds(min_relevance_confidence=0.5, every_bid_needs_approval=False)


def verdict(relevant: bool, confidence: float) -> FilterResult:
    return FilterResult(is_relevant=relevant, confidence=confidence)


def rating(score: float) -> RatingResult:
    return RatingResult(
        overall_score=score,
        strategic_fit=score,
        win_probability=score,
        effort_required=5,
        recommendation=Recommendation.BID if score >= 6 else Recommendation.NO_BID,
    )


@pytest.mark.parametrize(
    ("relevant", "confidence", "score", "policy", "status", "stage", "proposed"),
    [
        # below the minimum confidence: not relevant, whatever the verdict
        (True, 0.3, 9.0, POLICY, S.FILTERED_OUT, None, Proposal.NO_GO),
        (False, 0.3, None, POLICY, S.FILTERED_OUT, None, Proposal.NO_GO),
        # inside the relevance band: a person looks, whichever way the analyst leans
        (True, 0.5, 7.5, POLICY, S.NEEDS_REVIEW, ReviewStage.RELEVANCE, Proposal.GO),
        (True, 0.79, 3.0, AUTO, S.NEEDS_REVIEW, ReviewStage.RELEVANCE, Proposal.NO_GO),
        (False, 0.6, 2.0, AUTO, S.NEEDS_REVIEW, ReviewStage.RELEVANCE, Proposal.NO_GO),
        # confidently not relevant
        (False, 0.8, None, AUTO, S.FILTERED_OUT, None, Proposal.NO_GO),
        # confident and relevant: the score decides, with a band around the threshold
        (True, 0.9, 5.5, AUTO, S.RATED_LOW, None, Proposal.NO_GO),
        (True, 0.9, 5.51, AUTO, S.NEEDS_REVIEW, ReviewStage.SCORE, Proposal.NO_GO),
        (True, 0.9, 6.0, AUTO, S.NEEDS_REVIEW, ReviewStage.SCORE, Proposal.GO),
        (True, 0.9, 6.49, AUTO, S.NEEDS_REVIEW, ReviewStage.SCORE, Proposal.GO),
        (True, 0.9, 6.5, AUTO, S.APPROVED, None, Proposal.GO),
        (True, 0.9, 4.0, AUTO, S.RATED_LOW, None, Proposal.NO_GO),
        # every bid needs approval: confident go proposals wait too, no-gos do not
        (True, 0.9, 8.0, POLICY, S.NEEDS_REVIEW, ReviewStage.APPROVAL, Proposal.GO),
        (True, 0.9, 4.0, POLICY, S.RATED_LOW, None, Proposal.NO_GO),
    ],
)
def test_route(
    relevant: bool,
    confidence: float,
    score: float | None,
    policy: Thresholds,
    status: S,
    stage: ReviewStage | None,
    proposed: Proposal,
) -> None:
    relevance = verdict(relevant, confidence)
    rated = rating(score) if score is not None else None
    routing = route(relevance, rated, policy)
    assert (routing.status, routing.stage, routing.proposal) == (status, stage, proposed)
    assert proposal(relevance, rated, policy) is proposed
    assert routing.reason  # every route says why, in words
    assert routing.writes_bid == (status is S.APPROVED)


def test_no_band_and_no_approval_route_everything_automatically() -> None:
    policy = Thresholds(
        auto_accept_confidence=0.5, score_review_band=0, every_bid_needs_approval=False
    )
    for confidence in (0.5, 0.7, 0.99):
        for score in (0.0, 5.99, 6.0, 10.0):
            routing = route(verdict(True, confidence), rating(score), policy)
            assert routing.status is not S.NEEDS_REVIEW
            assert routing.status is (S.APPROVED if score >= 6 else S.RATED_LOW)


def test_rating_is_skipped_only_when_no_one_will_look() -> None:
    assert needs_rating(verdict(True, 0.9), POLICY)
    assert needs_rating(verdict(False, 0.6), POLICY), "a reviewer of an unsure 'no' sees scores"
    assert not needs_rating(verdict(False, 0.9), POLICY)
    assert not needs_rating(verdict(True, 0.2), POLICY)


def test_auto_accept_below_the_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="auto-accept"):
        Thresholds(min_relevance_confidence=0.7, auto_accept_confidence=0.6)


def test_policy_in_words_names_the_band_and_the_switch() -> None:
    lines = describe_policy(POLICY)
    assert any("between 50% and 80%" in line for line in lines)
    assert any("above 5.5 and below 6.5" in line for line in lines)
    assert lines[-1] == "Every bid needs approval before it is written."
    assert describe_policy(AUTO.model_copy(update={"score_review_band": 0}))[2].startswith(
        "Overall scores from 6"
    )


def test_by_default_every_unsure_verdict_waits_however_unsure() -> None:
    default = Thresholds()
    assert default.min_relevance_confidence == 0 and default.every_bid_needs_approval
    for relevant, confidence in ((True, 0.05), (True, 0.3), (False, 0.3), (False, 0.79)):
        routing = route(verdict(relevant, confidence), rating(7.0), default)
        assert (routing.status, routing.stage) == (S.NEEDS_REVIEW, ReviewStage.RELEVANCE)
    assert describe_policy(default)[0] == (
        "Relevance verdicts with less than 80% confidence wait for review, "
        "whichever way the analyst leans."
    )


def test_the_queue_puts_open_tenders_first_and_closed_ones_last() -> None:
    from datetime import UTC, datetime, timedelta

    from core.models import TenderState
    from core.profile.company import default_profile
    from core.review.service import ReviewService
    from tests.fakes import tender

    now = datetime(2026, 11, 21, tzinfo=UTC)

    def waiting(title: str, days: int | None, value: float | None = None) -> TenderState:
        deadline = now + timedelta(days=days) if days is not None else None
        notice = tender(title, deadline=deadline, value_amount=value)
        notice.id = len(title)
        return TenderState(
            tender=notice,
            status=S.NEEDS_REVIEW,
            filter=verdict(True, 0.6),
            rating=rating(7.0),
        )

    states = [
        waiting("closed long ago", -900),
        waiting("open later", 30),
        waiting("closed yesterday", -1),
        waiting("no deadline", None),
        waiting("open soon, small", 5, 1_000),
        waiting("open soon, big!", 5, 9_000),
    ]

    class Tenders:
        def get(self, tender_id: int) -> TenderState | None:
            return None

        def review_queue(self) -> list[TenderState]:
            return states

    service = ReviewService(Tenders(), None, default_profile, now=lambda: now)  # type: ignore[arg-type]
    assert [item.state.tender.title for item in service.queue()] == [
        "open soon, big!",
        "open soon, small",
        "open later",
        "no deadline",
        "closed yesterday",
        "closed long ago",
    ]
