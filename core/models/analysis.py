"""What an analyst produces: the relevance verdict, the rating and the bid draft, and what
its LLM calls cost."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from core.models.base import LongText, Score, ShortText, utcnow

# Verdicts no analyst made: a person's word (core.review.feedback), and notices nobody can bid
# for (core.pipeline.stages.not_biddable).
PERSON_ANALYST = "person"
NOTICE_ANALYST = "notice type"


class AnalysisProvenance(BaseModel):
    """Which analyst produced a result, and when."""

    analyst: str = "rules"
    model: str | None = None
    prompt_version: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class FilterResult(AnalysisProvenance):
    is_relevant: bool
    confidence: float = Field(ge=0, le=1)
    categories: list[ShortText] = Field(default_factory=list)
    reasoning: LongText = ""
    evidence: list[ShortText] = Field(default_factory=list)


class Recommendation(StrEnum):
    BID = "bid"
    CONSIDER = "consider"
    NO_BID = "no_bid"

    @property
    def label(self) -> str:
        return {"bid": "Bid", "consider": "Consider", "no_bid": "No bid"}[self.value]


class RatingResult(AnalysisProvenance):
    overall_score: Score
    strategic_fit: Score
    win_probability: Score
    effort_required: Score
    strengths: list[ShortText] = Field(default_factory=list)
    risks: list[ShortText] = Field(default_factory=list)
    recommendation: Recommendation
    reasoning: LongText = ""


class BidDocument(AnalysisProvenance):
    executive_summary: LongText
    technical_approach: LongText
    value_proposition: LongText
    timeline_estimate: LongText


BID_SECTIONS: tuple[tuple[str, str], ...] = (
    ("executive_summary", "Executive summary"),
    ("technical_approach", "Technical approach"),
    ("value_proposition", "Value proposition"),
    ("timeline_estimate", "Timeline estimate"),
)


@dataclass(frozen=True, slots=True)
class LLMUsage:
    """One HTTP attempt to an LLM endpoint: what it cost and how it ended.

    `status` is ok, error, or cached (answered from the cache without a request).
    """

    call_id: str
    step: str
    attempt: int
    mode: str
    model: str
    base_url: str
    status: str
    tender_id: int | None = None
    reask: int = 0
    http_status: int | None = None
    error_class: str | None = None
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    latency_ms: float = 0.0
    cost: float = 0.0
    prompt_version: str | None = None
    called_at: datetime = dataclass_field(default_factory=utcnow)
