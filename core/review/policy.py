"""The routing policy: which analysed tenders route themselves and which wait for a person.

Pure functions over the analyst's results and the profile's thresholds; the pipeline calls
them after each stage, and the decision service (core.review.service) uses the same proposal.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from core.access.audit import AuditAction, AuditLog, check, note
from core.access.roles import ADMINS, Actor
from core.models import FilterResult, Proposal, RatingResult, ReviewStage, TenderStatus
from core.profile.company import ProfileStore, Thresholds, save_profile, stored_or_default
from core.profile.form import validation_sentence

POLICY_SETTINGS = "settings: review policy"


@dataclass(frozen=True, slots=True)
class Routing:
    """Where a tender goes next, and why."""

    status: TenderStatus
    proposal: Proposal
    reason: str
    stage: ReviewStage | None = None

    @property
    def writes_bid(self) -> bool:
        return self.status is TenderStatus.APPROVED


def in_relevance_band(relevance: FilterResult, policy: Thresholds) -> bool:
    """The verdict is confident enough to act on, but not enough to act on alone."""
    return policy.min_relevance_confidence <= relevance.confidence < policy.auto_accept_confidence


def needs_rating(relevance: FilterResult, policy: Thresholds) -> bool:
    """Whether the tender is rated: it is relevant, or a reviewer will look at it.

    A reviewer deciding on an unsure "not relevant" sees the scores too, so those are rated.
    """
    if relevance.confidence < policy.min_relevance_confidence:
        return False
    return relevance.is_relevant or in_relevance_band(relevance, policy)


def proposal(relevance: FilterResult, rating: RatingResult | None, policy: Thresholds) -> Proposal:
    """The analyst's proposal: go when relevant with a score at or above the threshold."""
    if not relevance.is_relevant or relevance.confidence < policy.min_relevance_confidence:
        return Proposal.NO_GO
    if rating is None or rating.overall_score < policy.min_bid_score:
        return Proposal.NO_GO
    return Proposal.GO


def automatic_status(
    relevance: FilterResult, rating: RatingResult | None, policy: Thresholds
) -> TenderStatus:
    """Where the analyst's proposal leads without a person: approved, rated low or filtered out."""
    if proposal(relevance, rating, policy) is Proposal.GO:
        return TenderStatus.APPROVED
    if relevance.is_relevant and relevance.confidence >= policy.min_relevance_confidence:
        return TenderStatus.RATED_LOW if rating is not None else TenderStatus.FILTERED_OUT
    return TenderStatus.FILTERED_OUT


def route(relevance: FilterResult, rating: RatingResult | None, policy: Thresholds) -> Routing:
    """Route a tender whose analysis is done (`rating` is None when it was not rated)."""
    proposed = proposal(relevance, rating, policy)
    if relevance.confidence < policy.min_relevance_confidence:
        return Routing(
            TenderStatus.FILTERED_OUT,
            proposed,
            f"relevance confidence {relevance.confidence:.0%} is below the minimum "
            f"{policy.min_relevance_confidence:.0%}",
        )
    if in_relevance_band(relevance, policy) and rating is not None:
        verdict = "relevant" if relevance.is_relevant else "not relevant"
        return Routing(
            TenderStatus.NEEDS_REVIEW,
            proposed,
            f"{verdict} with {relevance.confidence:.0%} confidence, below the auto-accept "
            f"level {policy.auto_accept_confidence:.0%}",
            ReviewStage.RELEVANCE,
        )
    if not relevance.is_relevant or rating is None:
        return Routing(TenderStatus.FILTERED_OUT, proposed, "not relevant")
    gap = rating.overall_score - policy.min_bid_score
    if abs(gap) < policy.score_review_band:
        return Routing(
            TenderStatus.NEEDS_REVIEW,
            proposed,
            f"overall score {rating.overall_score:.1f} is within {policy.score_review_band:g} "
            f"of the bid threshold {policy.min_bid_score:g}",
            ReviewStage.SCORE,
        )
    if proposed is Proposal.NO_GO:
        return Routing(
            TenderStatus.RATED_LOW,
            proposed,
            f"overall score {rating.overall_score:.1f} is below the bid threshold "
            f"{policy.min_bid_score:g}",
        )
    if policy.every_bid_needs_approval:
        return Routing(
            TenderStatus.NEEDS_REVIEW, proposed, "every bid needs approval", ReviewStage.APPROVAL
        )
    return Routing(
        TenderStatus.APPROVED,
        proposed,
        f"relevant with {relevance.confidence:.0%} confidence and overall score "
        f"{rating.overall_score:.1f}",
    )


def describe_policy(policy: Thresholds) -> list[str]:
    """The policy in words, for Settings and the Review page."""
    if policy.min_relevance_confidence > 0:
        lines = [
            f"Relevance verdicts with less than {policy.min_relevance_confidence:.0%} "
            "confidence count as not relevant.",
            f"Verdicts between {policy.min_relevance_confidence:.0%} and "
            f"{policy.auto_accept_confidence:.0%} confidence wait for review.",
        ]
    else:
        lines = [
            f"Relevance verdicts with less than {policy.auto_accept_confidence:.0%} "
            "confidence wait for review, whichever way the analyst leans.",
        ]
    low = max(policy.min_bid_score - policy.score_review_band, 0)
    high = min(policy.min_bid_score + policy.score_review_band, 10)
    if policy.score_review_band > 0:
        lines.append(
            f"Overall scores above {low:g} and below {high:g} (the bid threshold "
            f"{policy.min_bid_score:g} ± {policy.score_review_band:g}) wait for review."
        )
    else:
        lines.append(f"Overall scores from {policy.min_bid_score:g} get a bid.")
    lines.append(
        "Every bid needs approval before it is written."
        if policy.every_bid_needs_approval
        else "Confident results above the band get a bid without review."
    )
    return lines


class PolicyError(ValueError):
    """A policy the Settings page cannot save; the message is one sentence saying what to fix."""


def save_policy(
    store: ProfileStore,
    *,
    actor: Actor,
    audit: AuditLog | None = None,
    min_relevance_confidence: float,
    auto_accept_confidence: float,
    min_bid_score: float,
    score_review_band: float,
    every_bid_needs_approval: bool,
) -> int:
    """Store the routing policy as a new profile version; returns the version now in force.

    Tenders analysed from now on are routed with it; each decision records the policy it
    was made under. Only admins change it; the change is recorded in the audit log.
    """
    check(audit, actor, ADMINS, "change settings", target=POLICY_SETTINGS)
    try:
        policy = Thresholds(
            min_relevance_confidence=min_relevance_confidence,
            auto_accept_confidence=auto_accept_confidence,
            min_bid_score=min_bid_score,
            score_review_band=score_review_band,
            every_bid_needs_approval=every_bid_needs_approval,
        )
    except ValidationError as exc:
        raise PolicyError(validation_sentence(exc)) from exc
    profile = stored_or_default(store)
    version = save_profile(store, profile.model_copy(update={"thresholds": policy}))
    detail = (
        f"profile version {version}: relevance {policy.min_relevance_confidence:.2f}"
        f"–{policy.auto_accept_confidence:.2f}, bid threshold {policy.min_bid_score:g}"
        f" ±{policy.score_review_band:g}, every bid needs approval "
        f"{'on' if policy.every_bid_needs_approval else 'off'}"
    )
    note(audit, actor, AuditAction.SETTINGS_CHANGED, target=POLICY_SETTINGS, detail=detail)
    return version
