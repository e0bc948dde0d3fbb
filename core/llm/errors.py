"""Error classes of the LLM layer, and how an SDK or HTTP failure maps onto them.

transient → back off; rate-limited → wait as told and slow the limiter; unsupported → step
down one output mode; fatal → stop with a clear message; invalid output → reask; truncated →
raise max_tokens once.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Mapping
from enum import StrEnum

import httpx2
import openai

from core.errors import AnalystUnavailable


class ErrorClass(StrEnum):
    TRANSIENT = "transient"
    RATE_LIMITED = "rate_limited"
    UNSUPPORTED = "unsupported"
    FATAL = "fatal"
    INVALID_OUTPUT = "invalid_output"
    TRUNCATED = "truncated"


ERROR_CLASS_LABELS: dict[str, str] = {
    ErrorClass.TRANSIENT: "transient (timeout, 5xx, dropped connection)",
    ErrorClass.RATE_LIMITED: "rate limited (429)",
    ErrorClass.UNSUPPORTED: "output mode refused",
    ErrorClass.FATAL: "fatal (key, model, context length)",
    ErrorClass.INVALID_OUTPUT: "invalid JSON (reasked)",
    ErrorClass.TRUNCATED: "cut at max tokens",
}


def error_class_label(name: str | None) -> str:
    """How the pages name an error class ('rate limited (429)')."""
    return ERROR_CLASS_LABELS.get(name or "", name or "")


class LLMError(Exception):
    """One failed attempt, classified. `status` is the HTTP status when there was one."""

    error_class: ErrorClass = ErrorClass.FATAL

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class TransientError(LLMError):
    error_class = ErrorClass.TRANSIENT


class RateLimitedError(LLMError):
    error_class = ErrorClass.RATE_LIMITED


class UnsupportedError(LLMError):
    """The endpoint refused a feature: an output mode (step down one), or a request parameter.

    `param` is set ("max_tokens", "temperature") when a parameter was refused rather than the
    output mode; the same mode is then tried again without it.
    """

    error_class = ErrorClass.UNSUPPORTED

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        param: str | None = None,
        named: bool = True,
    ) -> None:
        super().__init__(message, status=status)
        self.param = param
        #: the server named the feature it refuses; an unexplained 400 is not proof
        self.named = named


class FatalError(LLMError):
    error_class = ErrorClass.FATAL


class InvalidOutputError(LLMError):
    """The answer was not the JSON we asked for; `answer` is the text, for the reask."""

    error_class = ErrorClass.INVALID_OUTPUT

    def __init__(self, message: str, *, answer: str) -> None:
        super().__init__(message)
        self.answer = answer


class TruncatedError(LLMError):
    error_class = ErrorClass.TRUNCATED


class EndpointUnavailable(AnalystUnavailable):
    """The endpoint is down, overloaded past our retry budget, or refuses our credentials."""


class CallFailed(RuntimeError):
    """This one request cannot be answered (bad output after every reask, too long, …)."""

    def __init__(self, message: str, *, error_class: ErrorClass | None = None) -> None:
        super().__init__(message)
        self.error_class = error_class


# A 400 that names one of these is about the output mode, not about the prompt.
_CAPABILITY_WORDS = re.compile(
    r"response_format|json_schema|json_object|structured|tool_choice|tools?\b|function",
    re.IGNORECASE,
)
# The request parameters an output mode adds; a 400 naming one refuses the mode.
_MODE_PARAMS = frozenset({"response_format", "tools", "tool_choice", "functions"})
_POLICY_WORDS = re.compile(r"content.?(?:policy|filter|management)|safety|moderation|flagged", re.I)
_CONTEXT_WORDS = re.compile(r"context.length|maximum context|too many tokens|too long", re.I)


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The wait a server asked for: `retry-after-ms`, else `Retry-After` (seconds or a date)."""
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms:
        try:
            return max(float(raw_ms) / 1000, 0.0)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if not raw:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None  # a header we cannot read is the same as no header
    return max(parsed.timestamp() - time.time(), 0.0)


def classify(exc: BaseException) -> LLMError:
    """Map an openai SDK (or httpx) exception to one of the error classes."""
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, json.JSONDecodeError | openai.APIResponseValidationError):
        # A proxy's cut or garbled reply: the next attempt usually gets a whole one.
        return TransientError("the endpoint's reply was not a readable chat completion")
    if isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
        return TransientError("the endpoint did not answer in time")
    if isinstance(exc, openai.APIConnectionError | httpx2.TransportError):
        return TransientError("the connection to the endpoint failed")
    if isinstance(exc, openai.APIStatusError):
        message = scrub(_message(exc))
        param = getattr(exc, "param", None)
        if exc.status_code in (400, 422) and param in _MODE_PARAMS:
            short = f"HTTP {exc.status_code}: {message}"[:300]
            return UnsupportedError(short, status=exc.status_code)
        return _classify_status(exc.status_code, message, exc.response.headers)
    return FatalError(f"{type(exc).__name__}: {exc}")


def _classify_status(status: int, message: str, headers: Mapping[str, str]) -> LLMError:
    short = f"HTTP {status}: {message}"[:300]
    if status == 429:
        return RateLimitedError(short, status=status, retry_after=retry_after_seconds(headers))
    if status in (408, 409) or status >= 500:
        return TransientError(short, status=status, retry_after=retry_after_seconds(headers))
    if status in (400, 422) and _CONTEXT_WORDS.search(message):
        return FatalError(short, status=status)
    if status in (400, 422) and _POLICY_WORDS.search(message):
        return FatalError(short, status=status)  # this tender's text, not the endpoint
    if status in (400, 422) and (param := _refused_param(message)):
        return UnsupportedError(short, status=status, param=param)
    if status in (400, 422) and _CAPABILITY_WORDS.search(message):
        return UnsupportedError(short, status=status)
    if status in (400, 422):
        # Unexplained 400s come from servers that reject a request shape, which is what a
        # lower output mode changes; the last mode turns them into a failure of the call.
        return UnsupportedError(short, status=status, named=False)
    return FatalError(short, status=status)


# Key-shaped tokens some servers echo back in error messages ("Incorrect API key: sk-…").
_KEY_LIKE = re.compile(r"\b(?:sk|gsk|xai|key)[-_][A-Za-z0-9_\-*]{6,}", re.IGNORECASE)


def scrub(text: str, secret: str | None = None) -> str:
    """The text without the API key or anything shaped like one."""
    if secret and len(secret) >= 6:
        text = text.replace(secret, "[redacted]")
    return _KEY_LIKE.sub("[redacted]", text)


def _refused_param(message: str) -> str | None:
    """Newer OpenAI models want max_completion_tokens and refuse a set temperature."""
    lowered = message.lower()
    if "max_tokens" in lowered and "max_completion_tokens" in lowered:
        return "max_tokens"
    if "temperature" in lowered and ("unsupported" in lowered or "does not support" in lowered):
        return "temperature"
    return None


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(exc.message or exc)


def endpoint_message(error: LLMError, base_url: str) -> str:
    """One sentence for the banner and the CLI that says what to do about an endpoint problem."""
    if error.status == 401:
        return f"{base_url} refused the API key (401); set LLM_API_KEY and restart."
    if error.status == 403:
        return f"{base_url} denied access (403); check the key's permissions for this model."
    if error.status == 404:
        return f"{base_url} does not know the model (404); check LLM_MODEL in Settings."
    if error.error_class is ErrorClass.RATE_LIMITED:
        return f"{base_url} keeps rate-limiting us; lower LLM_RPM or wait — work resumes by itself."
    return f"{base_url} is not answering ({error}); work resumes by itself when it is back."
