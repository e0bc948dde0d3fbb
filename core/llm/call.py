"""One `structured` call's state and result, and the small text helpers around it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from core.llm.modes import OutputMode

T = TypeVar("T", bound=BaseModel)

MAX_REASK_ANSWER_CHARS = 4000


@dataclass(frozen=True)
class Result(Generic[T]):
    """A validated answer and what it took: HTTP attempts, reasks, tokens, cost, time."""

    value: T
    model: str
    mode: str
    attempts: int
    reasks: int
    prompt_tokens: int
    completion_tokens: int
    cost: float
    latency_s: float
    from_cache: bool = False


@dataclass
class CallState:
    """The running state of one `structured` call, shared by its HTTP attempts."""

    step: str
    model: str
    mode: OutputMode
    temperature: float | None
    max_tokens: int
    tender_id: int | None
    prompt_version: str | None
    call_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    attempts: int = 0
    reasks: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0


def reask_messages(
    messages: list[dict[str, Any]], bad_answer: str, problem: str
) -> list[dict[str, Any]]:
    """A copy of the messages plus the latest bad answer and what was wrong with it."""
    return [
        *messages,
        {"role": "assistant", "content": bad_answer[:MAX_REASK_ANSWER_CHARS] or "(empty)"},
        {
            "role": "user",
            "content": (
                f"That answer could not be used: {problem}\n"
                "Reply again with only the corrected JSON object."
            ),
        },
    ]


def estimate_tokens(messages: list[dict[str, Any]]) -> int:
    return sum(len(str(m.get("content") or "")) for m in messages) // 4 + 8 * len(messages)


def describe_invalid(exc: ValueError) -> str:
    """The validation problem in a few lines the model can act on."""
    if isinstance(exc, ValidationError):
        parts = []
        for problem in exc.errors(include_url=False)[:8]:
            where = ".".join(str(p) for p in problem["loc"]) or "the answer"
            parts.append(f"{where}: {problem['msg']}")
        return "; ".join(parts)[:1000]
    return str(exc)[:1000]
