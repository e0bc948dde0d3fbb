"""The LLM analyst: filter (temperature 0.1), rate (0.1) and write (0.7) agents over core.llm.

The offline rules run first as a free prefilter: a tender that the profile's exclusions rule
out with high confidence never reaches the LLM, and its result says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from core.analysts.llm_answers import BidAnswer, RatingAnswer, filter_answer_model
from core.analysts.llm_context import (
    analysis_block,
    capabilities_text,
    exclusions_text,
    tender_block,
    today_text,
    value_range_text,
)
from core.analysts.rules.analyst import RulesAnalyst
from core.analysts.rules.match import matcher_for
from core.analysts.rules.relevance import decide
from core.llm.client import LLMClient
from core.models import BidDocument, FilterResult, RatingResult, Recommendation, Tender, utcnow
from core.profile.company import CompanyProfile
from core.prompts import load_prompt

FILTER_TEMPERATURE = 0.1
RATE_TEMPERATURE = 0.1
WRITE_TEMPERATURE = 0.7
# The rules must be at least this sure, from exclusion evidence alone, to skip the LLM.
PREFILTER_MIN_CONFIDENCE = 0.75
PREFILTER_ANALYST = "rules (prefilter)"

Answer = TypeVar("Answer", bound=BaseModel)


class LLMAnalyst:
    """Implements `core.analysts.base.Analyst` over one endpoint; thread-safe."""

    def __init__(
        self,
        client: LLMClient,
        *,
        prefilter: bool = True,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.client = client
        self.prefilter = prefilter
        self.name = client.endpoint.name
        self._now = now
        self._rules = RulesAnalyst(now=now)

    def recover(self) -> str | None:
        """None once the endpoint answers again (and calls may flow); else why not."""
        reason = self.client.ping()
        if reason is None:
            self.client.health.clear()
        return reason

    def screen(self, tender: Tender, profile: CompanyProfile) -> FilterResult:
        """The free offline verdict, for notices nobody can bid for (no LLM call)."""
        return self._rules.filter(tender, profile)

    # ------------------------------------------------------------------ filter
    def filter(self, tender: Tender, profile: CompanyProfile) -> FilterResult:
        ruled_out = self._ruled_out(tender, profile) if self.prefilter else None
        if ruled_out is not None:
            return ruled_out
        model_cls = filter_answer_model(tuple(profile.category_names))
        answer, provenance = self._ask(
            "filter", self._values(tender, profile), model_cls, tender, FILTER_TEMPERATURE, 800
        )
        return FilterResult(
            **provenance,
            is_relevant=answer.is_relevant,
            confidence=answer.confidence,
            categories=list(dict.fromkeys(answer.categories)),
            reasoning=answer.reasoning,
        )

    def _ruled_out(self, tender: Tender, profile: CompanyProfile) -> FilterResult | None:
        match = matcher_for(profile).match(tender)
        verdict = decide(match)
        # Only verdicts that route themselves (above the review band) skip the LLM.
        floor = max(PREFILTER_MIN_CONFIDENCE, profile.thresholds.auto_accept_confidence)
        sure = verdict.confidence >= floor
        if verdict.is_relevant or not match.negative or match.positive or not sure:
            return None
        return FilterResult(
            analyst=PREFILTER_ANALYST,
            created_at=self._now(),
            is_relevant=False,
            confidence=verdict.confidence,
            reasoning=f"Ruled out by the profile's exclusions before any LLM call. "
            f"{verdict.reasoning}",
            evidence=verdict.evidence,
        )

    # ------------------------------------------------------------------ rate
    def rate(
        self, tender: Tender, profile: CompanyProfile, relevance: FilterResult
    ) -> RatingResult:
        values = self._values(tender, profile)
        values["categories"] = ", ".join(relevance.categories) or "no named capability"
        # The screening's reasoning is model output about untrusted text: quoted as data.
        values["relevance_reasoning"] = analysis_block(
            [relevance.reasoning[:600] or "no reasoning recorded"]
        )
        answer, provenance = self._ask("rate", values, RatingAnswer, tender, RATE_TEMPERATURE, 1200)
        return RatingResult(
            **provenance,
            overall_score=round(answer.overall_score, 1),
            strategic_fit=round(answer.strategic_fit, 1),
            win_probability=round(answer.win_probability, 1),
            effort_required=round(answer.effort_required, 1),
            strengths=answer.strengths,
            risks=answer.risks,
            recommendation=Recommendation(answer.recommendation),
            reasoning=answer.reasoning,
        )

    # ------------------------------------------------------------------ write
    def write(
        self,
        tender: Tender,
        profile: CompanyProfile,
        relevance: FilterResult,
        rating: RatingResult,
    ) -> BidDocument:
        values = self._values(tender, profile)
        values.update(
            overall_score=f"{rating.overall_score:.1f}",
            recommendation=rating.recommendation.value,
            # Model output about untrusted text: quoted as data, like the notice.
            assessment=analysis_block(
                [
                    f"Strengths: {'; '.join(rating.strengths) or 'none recorded'}",
                    f"Risks: {'; '.join(rating.risks) or 'none recorded'}",
                ]
            ),
        )
        answer, provenance = self._ask("write", values, BidAnswer, tender, WRITE_TEMPERATURE, 3000)
        return BidDocument(
            **provenance,
            executive_summary=answer.executive_summary,
            technical_approach=answer.technical_approach,
            value_proposition=answer.value_proposition,
            timeline_estimate=answer.timeline_estimate,
        )

    def _ask(
        self,
        step: str,
        values: dict[str, str],
        model_cls: type[Answer],
        tender: Tender,
        temperature: float,
        max_tokens: int,
    ) -> tuple[Answer, dict[str, Any]]:
        """The validated answer of one step, and the provenance its result records."""
        prompt = load_prompt(step)
        result = self.client.structured(
            prompt.messages(**values),
            model_cls,
            step=step,
            temperature=temperature,
            prompt_version=prompt.version,
            tender_id=tender.id,
            max_tokens=max_tokens,
        )
        provenance = {
            "analyst": self.name,
            "model": result.model,
            "prompt_version": prompt.version,
            "created_at": self._now(),
        }
        return result.value, provenance

    def _values(self, tender: Tender, profile: CompanyProfile) -> dict[str, str]:
        return {
            "company_name": profile.company_name,
            "company_summary": profile.summary or "(no summary in the profile)",
            "capabilities": capabilities_text(profile),
            "exclusions": exclusions_text(profile),
            "value_range": value_range_text(profile),
            "today": today_text(self._now()),
            "tender": tender_block(tender),
        }
