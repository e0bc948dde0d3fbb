"""Choose the analyst from the configuration: the LLM when an endpoint is set, else the rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from core.analysts.base import Analyst
from core.analysts.llm import LLMAnalyst
from core.analysts.rules.analyst import RulesAnalyst
from core.analysts.settings import DEFAULT_CASCADE_LEVEL
from core.llm.client import LLMClient
from core.llm.endpoint import Endpoint
from core.models import utcnow
from core.quality.learn import TeamModel


@dataclass(frozen=True)
class AnalystChoice:
    analyst: Analyst
    #: tenders analysed in parallel; the rules analyst is CPU-bound, so one thread is fastest
    concurrency: int
    #: write each stage result as soon as it exists (slow, paid analysts) or per batch (rules)
    save_each_stage: bool
    endpoint: Endpoint | None = None


def choose_analyst(
    endpoint: Endpoint | None,
    client_for: Callable[[Endpoint], LLMClient],
    *,
    prefilter: bool = True,
    now: Callable[[], datetime] = utcnow,
    team: TeamModel | None = None,
    cascade_level: float = DEFAULT_CASCADE_LEVEL,
) -> AnalystChoice:
    """`team`: the model learned from the team's decisions, used by the rules analyst."""
    if endpoint is None:
        analyst = RulesAnalyst(now=now, team=team)
        return AnalystChoice(analyst, concurrency=1, save_each_stage=False)
    return AnalystChoice(
        LLMAnalyst(
            client_for(endpoint),
            prefilter=prefilter,
            cascade_level=cascade_level,
            now=now,
            team=team,
        ),
        # enough threads to keep the limiter's in-flight cap busy while others wait on it
        concurrency=endpoint.max_concurrency,
        save_each_stage=True,
        endpoint=endpoint,
    )
