"""The offline rules analyst: CPV prefixes and keywords from the company profile, explainable.

Same inputs give the same outputs; only days-to-deadline depend on `now`, which is injectable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from core.analysts.bid_writer import write_bid
from core.analysts.rules.match import matcher_for
from core.analysts.rules.rating import rate_tender
from core.analysts.rules.relevance import decide
from core.analysts.rules.signals import foreign_language
from core.models import BidDocument, FilterResult, RatingResult, Tender, utcnow
from core.profile.company import CompanyProfile

ANALYST_NAME = "rules"


class RulesAnalyst:
    """Implements `core.analysts.base.Analyst`; stateless apart from a compiled-profile cache."""

    name = ANALYST_NAME

    def __init__(self, now: Callable[[], datetime] = utcnow) -> None:
        self._now = now

    def prepare(self, tenders: Sequence[Tender], profile: CompanyProfile) -> None:
        """Read a batch's wording together before it is filtered one by one (much faster)."""
        matcher_for(profile).read_ahead(tenders)

    def filter(self, tender: Tender, profile: CompanyProfile) -> FilterResult:
        match = matcher_for(profile).match(tender)
        verdict = decide(match, foreign_language(tender, profile))
        return FilterResult(
            analyst=ANALYST_NAME,
            created_at=self._now(),
            is_relevant=verdict.is_relevant,
            confidence=verdict.confidence,
            categories=match.category_names,
            reasoning=verdict.reasoning,
            evidence=verdict.evidence,
        )

    def rate(
        self, tender: Tender, profile: CompanyProfile, relevance: FilterResult
    ) -> RatingResult:
        now = self._now()
        match = matcher_for(profile).match(tender)
        rating = rate_tender(tender, profile, match, relevance, now)
        return RatingResult(
            analyst=ANALYST_NAME,
            created_at=now,
            overall_score=rating.overall,
            strategic_fit=rating.fit,
            win_probability=rating.win,
            effort_required=rating.effort,
            strengths=rating.strengths,
            risks=rating.risks,
            recommendation=rating.recommendation,
            reasoning=rating.reasoning,
        )

    def write(
        self,
        tender: Tender,
        profile: CompanyProfile,
        relevance: FilterResult,
        rating: RatingResult,
    ) -> BidDocument:
        now = self._now()
        match = matcher_for(profile).match(tender)
        draft = write_bid(tender, profile, match, relevance, rating, now)
        return BidDocument(
            analyst=ANALYST_NAME,
            created_at=now,
            executive_summary=draft.executive_summary,
            technical_approach=draft.technical_approach,
            value_proposition=draft.value_proposition,
            timeline_estimate=draft.timeline_estimate,
        )
