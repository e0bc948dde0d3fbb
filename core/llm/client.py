"""The one entry point of the LLM layer: `structured(messages, Model, step=…) -> Result[Model]`.

Around each call: the output mode this endpoint accepts, tenacity retries for transient
errors and 429s (bounded by attempts and time), reasks for invalid answers on a copy of the
messages, and a cache of validated answers. Each HTTP attempt (limiter, request, usage row)
is `core.llm.attempt.AttemptRunner`.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

from openai import OpenAI
from pydantic import ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_random_exponential

from core.llm.attempt import AttemptRunner
from core.llm.cache import AnswerCache, cache_key
from core.llm.call import CallState, Result, T, reask_messages
from core.llm.capabilities import PARAM_MAX_TOKENS, Capabilities
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
)
from core.llm.health import EndpointHealth, health_for
from core.llm.limiter import RateLimiter, shared_limiter
from core.llm.modes import OutputMode, next_mode, schema_hash
from core.llm.prices import PriceTable
from core.llm.usage import UsageSink

log = logging.getLogger(__name__)

__all__ = ["LLMClient", "Result"]

# Longest wait a server may ask of us before we count the endpoint as down instead.
MAX_RETRY_AFTER_S = 60.0
# 429s are paced by the limiter, so they may repeat more often than other transient errors
# before the endpoint counts as down; the retry time budget still bounds them.
RATE_LIMIT_ATTEMPTS_PER_RETRY = 4
_FATAL_ENDPOINT_STATUSES = (401, 403, 404)


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
        self._attempts = AttemptRunner(
            endpoint, self.sdk, self.limiter, capabilities, usage, prices
        )

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
        call = CallState(
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
        """None when the configured model answers a one-token chat; else one sentence why not.

        A chat request (not a model list) is what the pipeline needs: it catches a wrong
        model, a 403 on chat, and an outage of the chat route alone.
        """
        params = self._attempts.request_params(self.endpoint.model, None, 1)
        try:
            with self.limiter.acquire(16):
                self.sdk.chat.completions.create(
                    model=self.endpoint.model,
                    messages=[{"role": "user", "content": "ping"}],
                    **params,
                )
        except Exception as exc:
            error = classify(exc)
            if isinstance(error, UnsupportedError):  # it answered; only our shape was refused
                return None
            return endpoint_message(error, self.endpoint.base_url)
        return None

    # ------------------------------------------------------------------ the conversation
    def _converse(
        self, call: CallState, messages: list[dict[str, Any]], model_cls: type[T], *, forced: bool
    ) -> T:
        """Modes, reasks and truncation around the retried request."""
        conversation = messages
        raised_max_tokens = False
        while True:
            try:
                return self._send(call, conversation, model_cls)
            except UnsupportedError as err:
                if err.param:
                    self._refuse_param(call, err)
                    continue
                self._step_down(call, err, forced=forced)
            except InvalidOutputError as err:
                if call.reasks < self.endpoint.max_reasks:
                    call.reasks += 1
                    conversation = reask_messages(messages, err.answer, str(err))
                    continue
                lower = None if forced else next_mode(call.mode)
                if lower is None:
                    raise CallFailed(
                        f"{call.step}: no valid answer after {call.reasks} reasks ({err})",
                        error_class=ErrorClass.INVALID_OUTPUT,
                    ) from err
                # Some servers accept a mode and ignore it; the schema in the prompt may help.
                # Not remembered: bad content says more about the model than about the mode.
                log.info(
                    "no valid answer in %s mode for %s; trying %s", call.mode, call.model, lower
                )
                call.mode, call.reasks, conversation = lower, 0, messages
            except TruncatedError as err:
                if raised_max_tokens:
                    raise CallFailed(
                        f"{call.step}: {err}", error_class=ErrorClass.TRUNCATED
                    ) from err
                raised_max_tokens = True
                call.max_tokens *= 2

    def _refuse_param(self, call: CallState, err: UnsupportedError) -> None:
        """Drop or rename a refused parameter for this model, once; a repeat is a failure."""
        base_url = self.endpoint.base_url
        feature = f"param:{err.param}"
        if self.capabilities.refuses(base_url, call.model, feature):
            raise CallFailed(f"{call.step}: {err}", error_class=ErrorClass.UNSUPPORTED) from err
        self.capabilities.remember(base_url, call.model, feature, str(err))
        if feature == PARAM_MAX_TOKENS:
            log.info("%s wants max_completion_tokens for %s", base_url, call.model)

    def _step_down(self, call: CallState, err: UnsupportedError, *, forced: bool) -> None:
        """Use the next output mode; remember the refusal when the server named it."""
        base_url = self.endpoint.base_url
        if forced:
            raise CallFailed(
                f"{call.mode.value} is not supported: {err}", error_class=ErrorClass.UNSUPPORTED
            ) from err
        if err.named:
            self.capabilities.remember(base_url, call.model, call.mode.value, str(err))
        else:
            self.capabilities.note_unexplained(base_url, call.model, call.mode.value, str(err))
        lower = next_mode(call.mode)
        if lower is None:
            raise CallFailed(
                f"{call.step}: every output mode was refused: {err}",
                error_class=ErrorClass.UNSUPPORTED,
            ) from err
        log.info("%s refused %s for %s; using %s", base_url, call.mode, call.model, lower)
        call.mode = lower

    def _send(self, call: CallState, messages: list[dict[str, Any]], model_cls: type[T]) -> T:
        """One request, retried on transient errors and 429s within the attempt/time budget."""
        endpoint = self.endpoint
        began = time.monotonic()
        failures = {ErrorClass.TRANSIENT: 0, ErrorClass.RATE_LIMITED: 0}

        def give_up(state: RetryCallState) -> bool:
            error = state.outcome.exception() if state.outcome else None
            if isinstance(error, LLMError) and error.error_class in failures:
                failures[error.error_class] += 1
            if time.monotonic() - began >= endpoint.retry_budget_s:
                return True
            allowed = endpoint.max_retries + 1
            return (
                failures[ErrorClass.TRANSIENT] >= allowed
                or failures[ErrorClass.RATE_LIMITED] >= allowed * RATE_LIMIT_ATTEMPTS_PER_RETRY
            )

        retrying = Retrying(
            retry=retry_if_exception_type((TransientError, RateLimitedError)),
            stop=give_up,
            wait=_wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    self._raise_if_down()
                    return self._attempts.run(call, messages, model_cls)
        except (TransientError, RateLimitedError) as err:
            raise self._trip(err) from err
        except FatalError as err:
            if err.status in _FATAL_ENDPOINT_STATUSES:
                raise self._trip(err) from err
            raise CallFailed(f"{call.step}: {err}", error_class=ErrorClass.FATAL) from err
        raise AssertionError("tenacity returned without an outcome")  # pragma: no cover

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

    def _cache_key(self, call: CallState, messages: list[dict[str, Any]], model_cls: type) -> str:
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
        self, call: CallState, messages: list[dict[str, Any]], model_cls: type[T]
    ) -> Result[T] | None:
        assert self.cache is not None
        answer = self.cache.get(self._cache_key(call, messages, model_cls))
        if answer is None:
            return None
        try:
            value = model_cls.model_validate_json(answer)
        except ValidationError:
            return None  # the schema changed since; ask again
        self._attempts.record(call, time.monotonic(), "cached")
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


def _wait(state: RetryCallState) -> float:
    """As long as the server asked for, else random exponential backoff."""
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, LLMError) and error.retry_after is not None:
        return min(error.retry_after, MAX_RETRY_AFTER_S) + random.uniform(0, 0.25)  # noqa: S311
    return float(wait_random_exponential(multiplier=0.5, max=20)(state))
