"""The one entry point of the LLM layer: `structured(messages, Model, step=…) -> Result[Model]`.

Around each call: the output mode this endpoint accepts, the shared limiter, tenacity retries
for transient errors and 429s (bounded by attempts and time), reasks for invalid answers on a
copy of the messages, one usage row per HTTP attempt, and a cache of validated answers.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from openai import OpenAI
from pydantic import BaseModel, ValidationError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from core.llm.cache import AnswerCache, cache_key
from core.llm.capabilities import PARAM_MAX_TOKENS, PARAM_TEMPERATURE, Capabilities
from core.llm.endpoint import Endpoint
from core.llm.errors import (
    CallFailed,
    EndpointUnavailable,
    ErrorClass,
    FatalError,
    InvalidOutputError,
    LLMError,
    RateLimitedError,
    TransientError,
    TruncatedError,
    UnsupportedError,
    classify,
    endpoint_message,
    scrub,
)
from core.llm.health import EndpointHealth, health_for
from core.llm.limiter import RateLimiter, shared_limiter
from core.llm.modes import OutputMode, build_request, extract_json, next_mode, schema_hash
from core.llm.prices import PriceTable
from core.llm.usage import UsageRecord, UsageSink

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

# Longest wait a server may ask of us before we count the endpoint as down instead.
MAX_RETRY_AFTER_S = 60.0
MAX_REASK_ANSWER_CHARS = 4000
_FATAL_ENDPOINT_STATUSES = (401, 403, 404)


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
class _Call:
    """The running state of one `structured` call (shared by its attempts)."""

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


class LLMClient:
    """Structured calls to one OpenAI-compatible endpoint; thread-safe, share one per endpoint."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        usage: UsageSink,
        capabilities: Capabilities,
        prices: PriceTable,
        cache: AnswerCache | None = None,
        limiter: RateLimiter | None = None,
        health: EndpointHealth | None = None,
        sdk: OpenAI | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.usage = usage
        self.capabilities = capabilities
        self.prices = prices
        self.cache = cache
        self.limiter = limiter or shared_limiter(
            endpoint.base_url,
            rpm=endpoint.rpm,
            tpm=endpoint.tpm,
            max_in_flight=endpoint.max_concurrency,
        )
        self.health = health or health_for(endpoint.base_url)
        self.sdk = sdk or OpenAI(
            base_url=endpoint.base_url,
            api_key=endpoint.key_value(),
            max_retries=0,  # tenacity owns retries
            timeout=endpoint.timeout_s,
        )
        self._sleep = sleep

    # ------------------------------------------------------------------ the entry point
    def structured(
        self,
        messages: list[dict[str, Any]],
        model_cls: type[T],
        *,
        step: str,
        temperature: float | None = 0.1,
        model: str | None = None,
        prompt_version: str | None = None,
        tender_id: int | None = None,
        max_tokens: int = 1500,
        mode: OutputMode | None = None,
        use_cache: bool = True,
    ) -> Result[T]:
        """A validated `model_cls` answer to `messages`.

        Raises `EndpointUnavailable` when the endpoint is down or refuses us (the caller should
        wait, not fail the work) and `CallFailed` when this one request cannot be answered.
        `mode` forces one output mode (for probing): no step-down, no cache.
        """
        base_url = self.endpoint.base_url
        model = model or self.endpoint.model_for(step)
        self._raise_if_down()
        forced = mode is not None
        call = _Call(
            step=step,
            model=model,
            mode=mode or self.capabilities.preferred_mode(base_url, model),
            temperature=temperature,
            max_tokens=max_tokens,
            tender_id=tender_id,
            prompt_version=prompt_version,
        )
        use_cache = use_cache and not forced and self.cache is not None
        started = time.monotonic()
        if use_cache:
            cached = self._from_cache(call, messages, model_cls)
            if cached is not None:
                return cached

        value = self._converse(call, messages, model_cls, forced=forced)
        if use_cache and self.cache is not None:
            key = self._cache_key(call, messages, model_cls)
            self.cache.put(key, step=step, model=model, answer_json=value.model_dump_json())
        return Result(
            value=value,
            model=model,
            mode=call.mode.value,
            attempts=call.attempts,
            reasks=call.reasks,
            prompt_tokens=call.prompt_tokens,
            completion_tokens=call.completion_tokens,
            cost=call.cost,
            latency_s=time.monotonic() - started,
        )

    def ping(self) -> str | None:
        """None when the endpoint answers (listing models); else one sentence saying why not."""
        try:
            self.sdk.models.list()
        except Exception as exc:
            error = classify(exc)
            if error.status == 404:  # some servers have no /models; the chat route may work
                return None
            return endpoint_message(error, self.endpoint.base_url)
        return None

    # ------------------------------------------------------------------ the conversation
    def _converse(
        self, call: _Call, messages: list[dict[str, Any]], model_cls: type[T], *, forced: bool
    ) -> T:
        """Modes, reasks and truncation around the retried request."""
        base_url = self.endpoint.base_url
        conversation = messages
        raised_max_tokens = False
        while True:
            try:
                return self._send(call, conversation, model_cls)
            except UnsupportedError as err:
                feature = f"param:{err.param}" if err.param else call.mode.value
                if self.capabilities.refuses(base_url, call.model, feature) and err.param:
                    raise CallFailed(f"{call.step}: {err}") from err
                if forced and not err.param:
                    raise CallFailed(
                        f"{call.mode.value} is not supported: {err}",
                        error_class=ErrorClass.UNSUPPORTED,
                    ) from err
                self.capabilities.remember(base_url, call.model, feature, str(err))
                if err.param:
                    continue
                lower = next_mode(call.mode)
                if lower is None:
                    raise CallFailed(f"{call.step}: every output mode was refused: {err}") from err
                log.info("%s refused %s for %s; using %s", base_url, call.mode, call.model, lower)
                call.mode = lower
            except InvalidOutputError as err:
                if call.reasks >= self.endpoint.max_reasks:
                    raise CallFailed(
                        f"{call.step}: no valid answer after {call.reasks} reasks ({err})"
                    ) from err
                call.reasks += 1
                conversation = reask_messages(messages, err.answer, str(err))
            except TruncatedError as err:
                if raised_max_tokens:
                    raise CallFailed(f"{call.step}: {err}") from err
                raised_max_tokens = True
                call.max_tokens *= 2

    def _send(self, call: _Call, messages: list[dict[str, Any]], model_cls: type[T]) -> T:
        """One request, retried on transient errors and 429s within the attempt/time budget."""
        retrying = Retrying(
            retry=retry_if_exception_type((TransientError, RateLimitedError)),
            stop=(
                stop_after_attempt(self.endpoint.max_retries + 1)
                | stop_after_delay(self.endpoint.retry_budget_s)
            ),
            wait=_wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(call, messages, model_cls)
        except (TransientError, RateLimitedError) as err:
            raise self._trip(err) from err
        except FatalError as err:
            if err.status in _FATAL_ENDPOINT_STATUSES:
                raise self._trip(err) from err
            raise CallFailed(f"{call.step}: {err}") from err
        raise AssertionError("tenacity returned without an outcome")  # pragma: no cover

    def _attempt(self, call: _Call, messages: list[dict[str, Any]], model_cls: type[T]) -> T:
        self._raise_if_down()
        call.attempts += 1
        request_messages, extra = build_request(call.mode, model_cls, messages)
        kwargs: dict[str, Any] = {"model": call.model, "messages": request_messages, **extra}
        base_url = self.endpoint.base_url
        if call.temperature is not None and not self.capabilities.refuses(
            base_url, call.model, PARAM_TEMPERATURE
        ):
            kwargs["temperature"] = call.temperature
        if self.capabilities.refuses(base_url, call.model, PARAM_MAX_TOKENS):
            kwargs["max_completion_tokens"] = call.max_tokens
        else:
            kwargs["max_tokens"] = call.max_tokens

        with self.limiter.acquire(_estimate_tokens(request_messages) + call.max_tokens) as permit:
            started = time.monotonic()  # latency is the endpoint's, not our limiter's queue
            try:
                response = self.sdk.chat.completions.create(**kwargs)
            except Exception as exc:
                error = classify(exc)
                if isinstance(error, RateLimitedError):
                    self.limiter.on_rate_limited(error.retry_after)
                self._record(call, started, "error", error=error)
                raise error from exc
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
            self._record(call, started, "error", error=error, tokens=tokens)
            raise error
        if choice.finish_reason == "length":
            error = TruncatedError(f"the answer was cut at max_tokens={call.max_tokens}")
            self._record(call, started, "error", error=error, tokens=tokens)
            raise error
        content = choice.message.content
        tool_calls = choice.message.tool_calls or []
        function = getattr(tool_calls[0], "function", None) if tool_calls else None
        arguments = getattr(function, "arguments", None)
        try:
            value = model_cls.model_validate_json(extract_json(call.mode, content, arguments))
        except ValueError as exc:  # ValidationError is a ValueError
            message = _describe_invalid(exc)
            error = InvalidOutputError(message, answer=(arguments or content or "")[:20_000])
            self._record(call, started, "error", error=error, tokens=tokens)
            raise error from exc
        self._record(call, started, "ok", tokens=tokens)
        return value

    # ------------------------------------------------------------------ helpers
    def _raise_if_down(self) -> None:
        snapshot = self.health.snapshot()
        if snapshot.down:
            raise EndpointUnavailable(snapshot.reason or "the LLM endpoint is down")

    def _trip(self, error: LLMError) -> EndpointUnavailable:
        message = endpoint_message(error, self.endpoint.base_url)
        log.warning("LLM endpoint unavailable: %s", message)
        self.health.trip(message)
        return EndpointUnavailable(message)

    def _cache_key(self, call: _Call, messages: list[dict[str, Any]], model_cls: type) -> str:
        return cache_key(
            base_url=self.endpoint.base_url,
            model=call.model,
            messages=messages,
            mode=call.mode.value,
            schema_hash=schema_hash(model_cls),
            temperature=call.temperature,
            prompt_version=call.prompt_version,
        )

    def _from_cache(
        self, call: _Call, messages: list[dict[str, Any]], model_cls: type[T]
    ) -> Result[T] | None:
        assert self.cache is not None
        answer = self.cache.get(self._cache_key(call, messages, model_cls))
        if answer is None:
            return None
        try:
            value = model_cls.model_validate_json(answer)
        except ValidationError:
            return None  # the schema changed since; ask again
        self._record(call, time.monotonic(), "cached")
        return Result(
            value=value,
            model=call.model,
            mode=call.mode.value,
            attempts=0,
            reasks=0,
            prompt_tokens=0,
            completion_tokens=0,
            cost=0.0,
            latency_s=0.0,
            from_cache=True,
        )

    def _record(
        self,
        call: _Call,
        started: float,
        status: str,
        *,
        error: LLMError | None = None,
        tokens: tuple[int, int, int] = (0, 0, 0),
    ) -> None:
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
        row = UsageRecord(
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


def _wait(state: RetryCallState) -> float:
    """As long as the server asked for, else random exponential backoff."""
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, LLMError) and error.retry_after is not None:
        return min(error.retry_after, MAX_RETRY_AFTER_S) + random.uniform(0, 0.25)  # noqa: S311
    return float(wait_random_exponential(multiplier=0.5, max=20)(state))


def _estimate_tokens(messages: list[dict[str, Any]]) -> int:
    return sum(len(str(m.get("content") or "")) for m in messages) // 4 + 8 * len(messages)


def _describe_invalid(exc: ValueError) -> str:
    """The validation problem in a few lines the model can act on."""
    if isinstance(exc, ValidationError):
        parts = []
        for problem in exc.errors(include_url=False)[:8]:
            where = ".".join(str(p) for p in problem["loc"]) or "the answer"
            parts.append(f"{where}: {problem['msg']}")
        return "; ".join(parts)[:1000]
    return str(exc)[:1000]
