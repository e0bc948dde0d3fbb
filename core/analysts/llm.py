"""The LLM analyst: filter (temperature 0.1), rate (0.1) and write (0.7) agents over core.llm.

The offline rules run first as a free prefilter: a tender that the profile's exclusions rule
out with high confidence never reaches the LLM, and its result says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from core.analysts.settings import DEFAULT_CASCADE_LEVEL
from core.llm.client import LLMClient
from core.models import BidDocument, FilterResult, RatingResult, Recommendation, Tender, utcnow
from core.profile.company import CompanyProfile
from core.prompts import load_prompt
from core.quality.learn import TeamModel

FILTER_TEMPERATURE = 0.1
RATE_TEMPERATURE = 0.1
WRITE_TEMPERATURE = 0.7
# The rules must be at least this sure, from exclusion evidence alone, to skip the LLM.
PREFILTER_ANALYST = "rules (prefilter)"

Answer = TypeVar("Answer", bound=BaseModel)


class LLMAnalyst:
    """Implements `core.analysts.base.Analyst` over one endpoint; thread-safe."""

    def __init__(
        self,
        client: LLMClient,
        *,
        prefilter: bool = True,
        cascade_level: float = DEFAULT_CASCADE_LEVEL,
        now: Callable[[], datetime] = utcnow,
        team: TeamModel | None = None,
    ) -> None:
        self.client = client
        self.prefilter = prefilter  # the cascade: the rules settle what they are sure of
        self.cascade_level = cascade_level
        self.name = client.endpoint.name
        self._now = now
        self._rules = RulesAnalyst(now=now, team=team)

    def recover(self) -> str | None:
        """None once the endpoint answers again (and calls may flow); else why not."""
        reason = self.client.ping()
        if reason is None:
            self.client.health.clear()
        return reason

    def prepare(self, tenders: Sequence[Tender], profile: CompanyProfile) -> None:
        """Let the rules read a batch's wording at once (the cascade's first tier)."""
        if self.prefilter:
            self._rules.prepare(tenders, profile)

    def screen(self, tender: Tender, profile: CompanyProfile) -> FilterResult:
        """The free offline verdict, for notices nobody can bid for (no LLM call)."""
        return self._rules.filter(tender, profile)

    # ------------------------------------------------------------------ filter
    def filter(self, tender: Tender, profile: CompanyProfile) -> FilterResult:
        settled = self.settled(tender, profile) if self.prefilter else None
        if settled is not None:
            return settled
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

    def settled(self, tender: Tender, profile: CompanyProfile) -> FilterResult | None:
        """The cascade's first tier: the offline rules' verdict when it is at least
        `cascade_level` sure, either way (no LLM call); None sends the tender to the LLM."""
        verdict = self._rules.filter(tender, profile)
        if verdict.confidence < self.cascade_level:
            return None
        said = "relevant" if verdict.is_relevant else "not relevant"
        return verdict.model_copy(
            update={
                "analyst": PREFILTER_ANALYST,
                "created_at": self._now(),
                "reasoning": f"Settled by the offline rules without an LLM call ({said} at "
                f"{verdict.confidence:.0%}; only verdicts below {self.cascade_level:.0%} go to "
                f"the LLM). {verdict.reasoning}",
            }
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
