"""How SDK failures map onto the error classes, and how server-asked waits are read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx2
import openai
import pytest

from core.llm.cache import cache_key
from core.llm.capabilities import UNEXPLAINED_REFUSALS, Capabilities
from core.llm.errors import (
    ErrorClass,
    FatalError,
    UnsupportedError,
    classify,
    endpoint_message,
    retry_after_seconds,
    scrub,
)

URL = "http://llm.test/v1/chat/completions"


def status_error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any):
    request = httpx2.Request("POST", URL)
    response = httpx2.Response(status, headers=headers or {}, request=request)
    body = {"message": message, "type": "invalid_request_error", **extra}
    return openai.APIStatusError(message, response=response, body=body)


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (429, "Rate limit reached", ErrorClass.RATE_LIMITED),
        (500, "Internal error", ErrorClass.TRANSIENT),
        (503, "Overloaded", ErrorClass.TRANSIENT),
        (408, "Request timeout", ErrorClass.TRANSIENT),
        (409, "Conflict", ErrorClass.TRANSIENT),
        (401, "Incorrect API key provided", ErrorClass.FATAL),
        (403, "Forbidden", ErrorClass.FATAL),
        (404, "The model 'x' does not exist", ErrorClass.FATAL),
        (400, "This model's maximum context length is 8192 tokens", ErrorClass.FATAL),
        (400, "response_format 'json_schema' is not supported", ErrorClass.UNSUPPORTED),
        (400, "tools are not supported by this model", ErrorClass.UNSUPPORTED),
        (400, "Invalid request", ErrorClass.UNSUPPORTED),
    ],
)
def test_http_statuses_map_to_error_classes(status, message, expected):
    assert classify(status_error(status, message)).error_class is expected


def test_connection_failures_and_timeouts_are_transient():
    request = httpx2.Request("POST", URL)
    assert classify(openai.APITimeoutError(request=request)).error_class is ErrorClass.TRANSIENT
    dropped = openai.APIConnectionError(request=request)
    assert classify(dropped).error_class is ErrorClass.TRANSIENT


def test_a_400_naming_a_mode_parameter_refuses_the_mode_whatever_it_says():
    error = classify(status_error(400, "Something odd", param="response_format"))
    assert isinstance(error, UnsupportedError) and error.param is None


def test_refused_parameters_are_named_so_the_same_mode_is_retried_without_them():
    error = classify(
        status_error(400, "Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens'.")
    )
    assert isinstance(error, UnsupportedError) and error.param == "max_tokens"
    error = classify(status_error(400, "Unsupported value: 'temperature' does not support 0.1"))
    assert isinstance(error, UnsupportedError) and error.param == "temperature"


def test_429_carries_the_wait_the_server_asked_for():
    error = classify(status_error(429, "slow down", {"retry-after-ms": "1500"}))
    assert error.retry_after == 1.5


def test_retry_after_forms():
    assert retry_after_seconds({"Retry-After": "3"}) == 3.0
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_seconds({}) is None and retry_after_seconds(None) is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after_seconds({"retry-after": later}) or 0) <= 31
    assert retry_after_seconds({"retry-after": "soon"}) is None


def test_endpoint_messages_say_what_to_do():
    key = endpoint_message(FatalError("HTTP 401", status=401), "https://api.example/v1")
    assert "LLM_API_KEY" in key and key.endswith(".")
    model = endpoint_message(FatalError("HTTP 404", status=404), "https://api.example/v1")
    assert "LLM_MODEL" in model


def test_cache_key_changes_with_everything_that_changes_the_answer():
    base: dict[str, Any] = {
        "base_url": "u",
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "mode": "json_schema",
        "schema_hash": "s",
        "temperature": 0.1,
        "prompt_version": "filter-1",
    }
    key = cache_key(**base)
    assert key == cache_key(**base)
    for name, other in [
        ("base_url", "u2"),
        ("model", "m2"),
        ("messages", [{"role": "user", "content": "hi!"}]),
        ("mode", "tool"),
        ("schema_hash", "s2"),
        ("temperature", 0.7),
        ("prompt_version", "filter-2"),
    ]:
        assert cache_key(**{**base, name: other}) != key, name


def test_keys_echoed_by_a_server_never_reach_our_messages():
    error = classify(status_error(401, "Incorrect API key provided: sk-proj-abcdef123456"))
    assert "abcdef123456" not in str(error) and "[redacted]" in str(error)
    assert scrub("token mysecretvalue42 refused", "mysecretvalue42") == "token [redacted] refused"


def test_a_content_policy_400_fails_the_call_not_the_mode():
    error = classify(status_error(400, "Your request was flagged by our content policy"))
    assert isinstance(error, FatalError)


def test_only_named_refusals_are_certain():
    named = classify(status_error(400, "response_format 'json_schema' is not supported"))
    vague = classify(status_error(400, "Bad request"))
    assert isinstance(named, UnsupportedError) and named.named
    assert isinstance(vague, UnsupportedError) and not vague.named


def test_unexplained_refusals_are_remembered_only_when_they_repeat():
    capabilities = Capabilities()
    for _ in range(UNEXPLAINED_REFUSALS - 1):
        capabilities.note_unexplained("u", "m", "json_schema", "Bad request")
    assert capabilities.preferred_mode("u", "m").value == "json_schema"
    capabilities.note_unexplained("u", "m", "json_schema", "Bad request")
    assert capabilities.preferred_mode("u", "m").value == "tool"
    capabilities.forget("u", "m")
    assert capabilities.preferred_mode("u", "m").value == "json_schema"
