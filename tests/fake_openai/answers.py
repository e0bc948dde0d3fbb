"""Answerers for the fake server: functions from (schema, request) to an answer object."""

from __future__ import annotations

import random
from typing import Any

from tests.fake_openai.schema_fill import fill
from tests.fake_openai.server import canonical_sha256


def keen(schema: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """Answers that take every tender through filter, rate and write (the most calls).

    Seeded by the request's messages, so the same question always gets the same answer.
    """
    rng = random.Random(canonical_sha256(request.get("messages")))
    answer = fill(schema, rng) if schema else {"answer": "ok"}
    fields = schema.get("properties", {})
    if "is_relevant" in fields:
        answer.update(is_relevant=True, confidence=0.95)
    if "overall_score" in fields:
        answer["overall_score"] = 9.0
    return answer
