"""Field types and the clock every model shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Score = Annotated[float, Field(ge=0, le=10)]


def utcnow() -> datetime:
    return datetime.now(UTC)
