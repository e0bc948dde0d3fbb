"""The offline rules analyst: CPV prefixes and keywords from the company profile, explainable.

Same inputs give the same outputs; only days-to-deadline depend on `now`, which is injectable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np

from core.analysts.bid_writer import write_bid
from core.analysts.rules.match import TenderMatch, matcher_for
from core.analysts.rules.rating import rate_tender
from core.analysts.rules.relevance import Verdict, decide
from core.analysts.rules.semantic import joined
from core.analysts.rules.signals import foreign_language
from core.models import BidDocument, FilterResult, RatingResult, Tender, utcnow
from core.profile.company import CompanyProfile
from core.quality.learn import TeamModel, evidence_features, wording_vectors

ANALYST_NAME = "rules"
VECTOR_CACHE = 5_000


class RulesAnalyst:
    """Implements `core.analysts.base.Analyst`; stateless apart from a compiled-profile cache."""

    name = ANALYST_NAME

    def __init__(self, now: Callable[[], datetime] = utcnow, team: TeamModel | None = None) -> None:
        self._now = now
        self.team = team  # learned from the team's decisions, when it beats the rules alone
        self._vectors: dict[str, np.ndarray] = {}

    def prepare(self, tenders: Sequence[Tender], profile: CompanyProfile) -> None:
        """Read a batch's wording together before it is filtered one by one (much faster)."""
        matcher_for(profile).read_ahead(tenders)
        if self.team is not None:
            if len(self._vectors) > VECTOR_CACHE:
                self._vectors.clear()
            vectors = wording_vectors(list(tenders))
            for tender, vector in zip(tenders, vectors, strict=True):
                self._vectors[joined(tender.title, tender.description)] = vector

    def filter(self, tender: Tender, profile: CompanyProfile) -> FilterResult:
        match = matcher_for(profile).match(tender)
        verdict = decide(match, foreign_language(tender, profile))
        model = None
        if self.team is not None:
            verdict, model = self._learned(tender, match, verdict), self.team.name
        return FilterResult(
            analyst=ANALYST_NAME,
            model=model,
            created_at=self._now(),
            is_relevant=verdict.is_relevant,
            confidence=verdict.confidence,
            categories=match.category_names,
            reasoning=verdict.reasoning,
            evidence=verdict.evidence,
        )

    def screen(self, tender: Tender, profile: CompanyProfile) -> FilterResult:
        """The free offline verdict (core.pipeline.stages uses it on notices nobody can bid
        for): the rules' own filter."""
        return self.filter(tender, profile)

    def _learned(self, tender: Tender, match: TenderMatch, rules: Verdict) -> Verdict:
        """The team model's verdict, with the rules' own evidence kept beside it."""
        assert self.team is not None
        vector = self._vectors.get(joined(tender.title, tender.description))
        if vector is None:
            vector = wording_vectors([tender])[0]
        evidence = np.asarray([evidence_features(match, rules)], dtype=np.float64)
        p = float(self.team.probability(vector[None, :], evidence)[0])
        learned = self.team.decide(p)
        said = f"learned from {self.team.labels} decisions by your team: {p:.0%} relevant"
        closest = self.team.closest_relevant(vector)
        if closest:
            said += f"; closest your team marked relevant: “{closest}”"
        rules_said = "relevant" if rules.is_relevant else "not relevant"
        reasoning = f"{said[0].upper()}{said[1:]}."
        if learned is None:
            reasoning += f" Not sure enough to overrule the rules, which say {rules_said}: "
            reasoning += rules.reasoning
            return Verdict(rules.is_relevant, rules.confidence, reasoning, [said, *rules.evidence])
        relevant = learned
        if relevant != rules.is_relevant:
            reasoning += f" The rules alone said {rules_said}: {rules.reasoning}"
        else:
            reasoning += f" The rules agree: {rules.reasoning}"
        confidence = round(p if relevant else 1 - p, 3)
        return Verdict(relevant, confidence, reasoning, [said, *rules.evidence])

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
        draft = write_bid(tender, profile, match, relevance, rating)
        return BidDocument(
            analyst=ANALYST_NAME,
            created_at=now,
            executive_summary=draft.executive_summary,
            technical_approach=draft.technical_approach,
            value_proposition=draft.value_proposition,
            timeline_estimate=draft.timeline_estimate,
        )
