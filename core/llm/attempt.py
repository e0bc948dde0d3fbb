"""One HTTP attempt: build the request for the mode, wait for the limiter, send, classify,
parse and validate the answer, and write one usage row whatever happens."""

from __future__ import annotations

import logging
import time
from typing import Any, TypeVar

from openai import OpenAI
from pydantic import BaseModel

from core.llm.call import CallState, describe_invalid, estimate_tokens
from core.llm.capabilities import PARAM_MAX_TOKENS, PARAM_TEMPERATURE, Capabilities
from core.llm.endpoint import Endpoint
from core.llm.errors import (
    InvalidOutputError,
    LLMError,
    RateLimitedError,
    TransientError,
    TruncatedError,
    classify,
    scrub,
)
from core.llm.limiter import RateLimiter
from core.llm.modes import build_request, extract_json
from core.llm.prices import PriceTable
from core.llm.usage import UsageSink
from core.models import LLMUsage

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)


class AttemptRunner:
    """Sends single requests to one endpoint; raises a classified `LLMError` on failure."""

    def __init__(
        self,
        endpoint: Endpoint,
        sdk: OpenAI,
        limiter: RateLimiter,
        capabilities: Capabilities,
        usage: UsageSink,
        prices: PriceTable,
    ) -> None:
        self.endpoint = endpoint
        self.sdk = sdk
        self.limiter = limiter
        self.capabilities = capabilities
        self.usage = usage
        self.prices = prices

    def run(self, call: CallState, messages: list[dict[str, Any]], model_cls: type[T]) -> T:
        call.attempts += 1
        request_messages, extra = build_request(call.mode, model_cls, messages)
        kwargs: dict[str, Any] = {
            "model": call.model,
            "messages": request_messages,
            **extra,
            **self.request_params(call.model, call.temperature, call.max_tokens),
        }
        estimate = estimate_tokens(request_messages) + call.max_tokens
        with self.limiter.acquire(estimate) as permit:
            started = time.monotonic()  # latency is the endpoint's, not our limiter's queue
            try:
                response = self.sdk.chat.completions.create(**kwargs)
            except Exception as exc:
                error = classify(exc)
                if isinstance(error, RateLimitedError):
                    self.limiter.on_rate_limited(error.retry_after)
                self.record(call, started, "error", error=error)
                raise error from exc
            if not hasattr(response, "choices"):  # some proxies answer 200 with plain text
                error: LLMError = TransientError("the endpoint's reply was not a chat completion")
                self.record(call, started, "error", error=error)
                raise error
            usage = response.usage
            prompt = usage.prompt_tokens if usage else 0
            completion = usage.completion_tokens if usage else 0
            details = getattr(usage, "prompt_tokens_details", None) if usage else None
            cached = (getattr(details, "cached_tokens", 0) or 0) if details else 0
            permit.settle(prompt + completion)
        tokens = (prompt, completion, cached)

        choice = response.choices[0] if response.choices else None
        if choice is None:
            error = InvalidOutputError("the answer had no choices", answer="")
            self.record(call, started, "error", error=error, tokens=tokens)
            raise error
        if choice.finish_reason == "length":
            error = TruncatedError(f"the answer was cut at max_tokens={call.max_tokens}")
            self.record(call, started, "error", error=error, tokens=tokens)
            raise error
        content = choice.message.content
        tool_calls = choice.message.tool_calls or []
        function = getattr(tool_calls[0], "function", None) if tool_calls else None
        arguments = getattr(function, "arguments", None)
        try:
            value = model_cls.model_validate_json(extract_json(call.mode, content, arguments))
        except ValueError as exc:  # ValidationError is a ValueError
            error = InvalidOutputError(
                describe_invalid(exc), answer=(arguments or content or "")[:20_000]
            )
            self.record(call, started, "error", error=error, tokens=tokens)
            raise error from exc
        self.record(call, started, "ok", tokens=tokens)
        return value

    def request_params(
        self, model: str, temperature: float | None, max_tokens: int
    ) -> dict[str, Any]:
        """temperature and the token cap, in the form this endpoint and model accept."""
        base_url = self.endpoint.base_url
        params: dict[str, Any] = {}
        if temperature is not None and not self.capabilities.refuses(
            base_url, model, PARAM_TEMPERATURE
        ):
            params["temperature"] = temperature
        if self.capabilities.refuses(base_url, model, PARAM_MAX_TOKENS):
            params["max_completion_tokens"] = max_tokens
        else:
            params["max_tokens"] = max_tokens
        return params

    def record(
        self,
        call: CallState,
        started: float,
        status: str,
        *,
        error: LLMError | None = None,
        tokens: tuple[int, int, int] = (0, 0, 0),
    ) -> None:
        """One usage row; accounting problems are logged, never raised."""
        prompt, completion, cached = tokens
        cost = self.prices.cost(
            base_url=self.endpoint.base_url,
            model=call.model,
            prompt_tokens=prompt,
            completion_tokens=completion,
            cached_tokens=cached,
        )
        call.prompt_tokens += prompt
        call.completion_tokens += completion
        call.cost += cost
        row = LLMUsage(
            call_id=call.call_id,
            step=call.step,
            attempt=call.attempts,
            reask=call.reasks,
            mode=call.mode.value,
            model=call.model,
            base_url=self.endpoint.base_url,
            status=status,
            tender_id=call.tender_id,
            http_status=error.status if error else (200 if status == "ok" else None),
            error_class=error.error_class.value if error else None,
            error=scrub(str(error), self.endpoint.key_value())[:500] if error else None,
            prompt_tokens=prompt,
            completion_tokens=completion,
            cached_tokens=cached,
            latency_ms=(time.monotonic() - started) * 1000 if status != "cached" else 0.0,
            cost=cost,
            prompt_version=call.prompt_version,
        )
        try:
            self.usage.record(row)
        except Exception:  # accounting must never lose an answer
            log.exception("could not record LLM usage")
