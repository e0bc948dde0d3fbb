"""What the team's decisions teach: stored team models and the evaluations people ran."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from core.models.base import utcnow


class TeamModelRecord(BaseModel):
    """One training of the team model (core.quality.learn), kept whether it was used or not."""

    id: int | None = None
    trained_at: datetime = Field(default_factory=utcnow)
    trained_by: str
    labels: int
    relevant_labels: int
    base_f1: float  # the base analyst, cross-validated on the same labels
    learned_f1: float
    in_use: bool  # only while it beats the base analyst
    profile_version: int | None = None
    weights: dict[str, Any] = Field(default_factory=dict)


class EvaluationRecord(BaseModel):
    """An evaluation someone ran (core.quality.evaluate), for the Quality page's history."""

    id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str
    files: str
    hide_cpv: bool
    analyst: str
    result: dict[str, Any] = Field(default_factory=dict)
