"""What the LLM must answer at each step: bounded pydantic models, validated on our side."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    field_validator,
)

Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]
Reasoning = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
Section = Annotated[str, StringConstraints(strip_whitespace=True, min_length=40, max_length=8000)]
Score = Annotated[float, Field(ge=0, le=10)]
MAX_CATEGORIES = 6
MAX_POINTS = 6


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class FilterAnswer(_Answer):
    reasoning: Reasoning = Field(description="Two or three sentences citing the notice.")
    is_relevant: bool
    confidence: float = Field(ge=0, le=1, description="0.5 = cannot tell; 0.9+ only if explicit.")
    categories: list[str] = Field(default_factory=list, max_length=MAX_CATEGORIES)


@lru_cache(maxsize=32)
def filter_answer_model(categories: tuple[str, ...]) -> type[FilterAnswer]:
    """FilterAnswer whose categories are the profile's capability names.

    The schema offers them as an enum. On our side a name in another case or spacing
    ("cybersecurity") is mapped to the profile's spelling and anything else is dropped, so a
    sloppy category never costs a reask, let alone a tender.
    """
    if not categories:
        return FilterAnswer
    by_key = {_key(name): name for name in categories}

    def limit(value: list[str]) -> list[str]:
        kept = (by_key.get(_key(str(item))) for item in value)
        return list(dict.fromkeys(name for name in kept if name))

    return create_model(
        "FilterAnswer",
        __base__=FilterAnswer,
        __validators__={"_limit": field_validator("categories", mode="after")(limit)},
        categories=(
            list[str],
            Field(
                default_factory=list,
                max_length=MAX_CATEGORIES,
                json_schema_extra={"items": {"type": "string", "enum": list(categories)}},
            ),
        ),
    )


def _key(name: str) -> str:
    return " ".join(name.lower().split())


class RatingAnswer(_Answer):
    reasoning: Reasoning = Field(description="Why these scores, citing the notice.")
    overall_score: Score
    strategic_fit: Score
    win_probability: Score
    effort_required: Score = Field(description="10 = very heavy work to bid and deliver.")
    strengths: list[Sentence] = Field(min_length=1, max_length=MAX_POINTS)
    risks: list[Sentence] = Field(min_length=1, max_length=MAX_POINTS)
    recommendation: Literal["bid", "consider", "no_bid"]


class BidAnswer(_Answer):
    executive_summary: Section
    technical_approach: Section
    value_proposition: Section
    timeline_estimate: Section
