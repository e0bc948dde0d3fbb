"""Choose the analyst from the configuration."""

from __future__ import annotations

from dataclasses import dataclass

from core.analysts.base import Analyst
from core.analysts.rules import RulesAnalyst
from core.config import Settings


@dataclass(frozen=True)
class AnalystChoice:
    analyst: Analyst
    #: tenders analysed in parallel; the rules analyst is CPU-bound, so one thread is fastest
    concurrency: int
    #: write each stage result as soon as it exists (slow, paid analysts) or per batch (rules)
    save_each_stage: bool


def choose_analyst(settings: Settings) -> AnalystChoice:
    # The LLM analyst arrives with the LLM layer; until then every setting uses the rules.
    return AnalystChoice(RulesAnalyst(), concurrency=1, save_each_stage=False)
