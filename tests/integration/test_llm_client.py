"""core.llm.client over real HTTP against the fake server: one test per error class and behaviour.

Each test builds its own limiter, health and capabilities, so nothing leaks between tests
through the process-wide registries (a later server may get the same port).
"""

from __future__ import annotations

import copy
import json
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import BaseModel, Field, SecretStr

from core.llm.cache import MemoryAnswerCache
from core.llm.capabilities import PARAM_MAX_TOKENS, Capabilities
from core.llm.client import LLMClient
from core.llm.endpoint import Endpoint
from core.llm.errors import CallFailed, EndpointUnavailable
from core.llm.health import EndpointHealth
from core.llm.limiter import RateLimiter
from core.llm.modes import SCHEMA_MARKER
from core.llm.prices import PriceTable
from core.llm.usage import MemoryUsageSink
from tests.fake_openai import FakeConfig, FakeOpenAI
from tests.fake_openai.server import Reply, openai_error

MODEL = "fake-model"
MAX_TOKENS_REFUSAL = (
    "Unsupported parameter: 'max_tokens' is not supported with this model. "
    "Use 'max_completion_tokens' instead."
)


class Verdict(BaseModel):
    reasoning: str = Field(min_length=10, max_length=300)
    is_relevant: bool
    confidence: float = Field(ge=0, le=1)


MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "You triage public tenders for a bid team."},
    {"role": "user", "content": "Tender: penetration testing of the citizen portal."},
]


class ScriptedFake(FakeOpenAI):
    """The fake server with its first answers scripted, and every request body kept.

    `faults` spoil the first answers in order (a fault kind, or None for a good answer);
    `replies` are returned instead of the first answers (after auth and mode refusals);
    `refuse_max_tokens` answers any request that sets max_tokens with OpenAI's 400.
    """

    def __init__(
        self,
        faults: tuple[str | None, ...] = (),
        replies: tuple[Reply, ...] = (),
        *,
        refuse_max_tokens: bool = False,
        **config: Any,
    ) -> None:
        super().__init__(FakeConfig(**config))
        self._faults: deque[str | None] = deque(faults)
        self._replies: deque[Reply] = deque(replies)
        self._refuse_max_tokens = refuse_max_tokens
        self.bodies: list[dict[str, Any]] = []

    def _gate(self, parsed: Any, headers: Any) -> tuple[Reply | None, str]:
        with self._lock:
            self.bodies.append(copy.deepcopy(parsed.request))
        reply, outcome = super()._gate(parsed, headers)
        if reply is not None:
            return reply, outcome
        if self._refuse_max_tokens and "max_tokens" in parsed.request:
            body = openai_error(MAX_TOKENS_REFUSAL, "invalid_request_error", "max_tokens")
            return Reply(400, body), "refused_max_tokens"
        with self._lock:
            scripted = self._replies.popleft() if self._replies else None
        if scripted is not None:
            return scripted, f"scripted_{scripted.status}"
        return None, ""

    def _draw(self) -> tuple[str | None, float, Any]:
        fault, latency, rng = super()._draw()
        with self._lock:
            if self._faults:
                fault = self._faults.popleft()
        return fault, latency, rng


class Harness:
    """One client over one server, with everything it touches open to inspection."""

    def __init__(self, server: FakeOpenAI, **endpoint: Any) -> None:
        self.server = server
        self.waits: list[float] = []
        self.usage = MemoryUsageSink()
        self.capabilities = Capabilities()
        self.health = EndpointHealth()
        self.limiter = RateLimiter(rpm=endpoint.pop("rpm", None), tpm=None, max_in_flight=4)
        self.cache = MemoryAnswerCache() if endpoint.pop("cache", False) else None
        settings: dict[str, Any] = {
            "timeout_s": 5.0,
            "max_retries": 3,
            "retry_budget_s": 60.0,
            "max_reasks": 2,
        }
        settings.update(endpoint)
        self.endpoint = Endpoint(base_url=server.base_url, model=MODEL, **settings)
        self.client = LLMClient(
            self.endpoint,
            usage=self.usage,
            capabilities=self.capabilities,
            prices=PriceTable(),
            cache=self.cache,
            limiter=self.limiter,
            health=self.health,
            sleep=self.waits.append,  # the retry waits are recorded, not slept
        )

    def ask(self, messages: list[dict[str, Any]] | None = None, **kwargs: Any) -> Any:
        return self.client.structured(messages or MESSAGES, Verdict, step="filter", **kwargs)

    @property
    def modes(self) -> list[str]:
        return [r.mode for r in self.server.requests]


@pytest.fixture
def harness() -> Iterator[Callable[..., Harness]]:
    servers: list[FakeOpenAI] = []

    def make(server: FakeOpenAI | None = None, **endpoint: Any) -> Harness:
        server = server or ScriptedFake()
        if not server.running:
            server.start()
        servers.append(server)
        return Harness(server, **endpoint)

    yield make
    for server in servers:
        server.stop()


# ---------------------------------------------------------------------- transient errors


@pytest.mark.parametrize(
    "fault", ["http_500", "http_503", "drop", "hang", "plain_text", "cut_body"]
)
def test_a_transient_error_is_retried_and_the_call_succeeds(harness, fault):
    h = harness(ScriptedFake(faults=(fault,), hang_s=20.0), timeout_s=0.5)
    result = h.ask()
    assert isinstance(result.value, Verdict)
    assert result.attempts == 2 and result.reasks == 0
    assert len(h.server.requests) == 2
    assert len(h.waits) == 1, "one backoff between the two attempts"
    first, second = h.usage.rows
    assert (first.status, first.error_class, first.attempt) == ("error", "transient", 1)
    assert (second.status, second.error_class, second.attempt) == ("ok", None, 2)
    assert not h.health.is_down


def test_exhausted_retries_make_the_endpoint_unavailable(harness):
    h = harness(ScriptedFake(fault_rate=1.0, fault_kinds=("http_500",)), max_retries=2)
    with pytest.raises(EndpointUnavailable) as raised:
        h.ask()
    assert len(h.server.requests) == 3, "the first attempt and two retries"
    assert len(h.waits) == 2
    assert [(r.attempt, r.error_class, r.http_status) for r in h.usage.rows] == [
        (1, "transient", 500),
        (2, "transient", 500),
        (3, "transient", 500),
    ]
    assert h.health.is_down
    assert "\n" not in str(raised.value) and "resumes by itself" in str(raised.value)


# ---------------------------------------------------------------------- rate limits


def test_429_waits_as_told_and_slows_the_limiter(harness):
    body = openai_error("Rate limit reached for requests.", "requests", code="rate_limit_exceeded")
    replies = (
        Reply(429, body, {"retry-after-ms": "300"}),
        Reply(429, body, {"Retry-After": "1"}),
    )
    h = harness(ScriptedFake(replies=replies), rpm=600)
    result = h.ask()
    assert result.attempts == 3
    assert len(h.waits) == 2
    # the wait is what the server asked for, plus at most a quarter second of jitter
    assert 0.3 <= h.waits[0] <= 0.55, "retry-after-ms is honoured"
    assert 1.0 <= h.waits[1] <= 1.25, "Retry-After is honoured"
    snapshot = h.limiter.snapshot()
    assert snapshot.rate_limited_total == 2
    assert snapshot.effective_rpm is not None and snapshot.effective_rpm < 600
    assert [r.error_class for r in h.usage.rows] == ["rate_limited", "rate_limited", None]
    assert not h.health.is_down


# ---------------------------------------------------------------------- invalid output


@pytest.mark.parametrize("fault", ["malformed", "schema_invalid"])
def test_invalid_output_is_reasked_on_a_copy_of_the_messages(harness, fault):
    h = harness(ScriptedFake(faults=(fault,)))
    messages = copy.deepcopy(MESSAGES)
    result = h.ask(messages)
    assert result.reasks == 1 and result.attempts == 2
    assert messages == MESSAGES, "the caller's messages are never changed"
    first, reask = h.server.bodies
    assert first["messages"] == MESSAGES
    assert reask["messages"][: len(MESSAGES)] == MESSAGES
    bad_answer, problem = reask["messages"][len(MESSAGES) :]
    assert bad_answer["role"] == "assistant" and bad_answer["content"].strip()
    assert problem["role"] == "user" and "could not be used" in problem["content"]
    if fault == "malformed":
        with pytest.raises(ValueError):
            json.loads(bad_answer["content"])
    else:
        assert isinstance(json.loads(bad_answer["content"]), dict)
        assert any(name in problem["content"] for name in Verdict.model_fields)
    assert [r.error_class for r in h.usage.rows] == ["invalid_output", None]
    assert [r.reask for r in h.usage.rows] == [0, 1]


def test_reasks_have_their_own_budget_in_each_mode_then_the_call_fails(harness):
    h = harness(ScriptedFake(fault_rate=1.0, fault_kinds=("schema_invalid",)), max_reasks=2)
    with pytest.raises(CallFailed, match="no valid answer after 2 reasks"):
        h.ask()
    # three answers per output mode: a server may accept a mode and ignore it, so the
    # next mode (with the schema in the prompt) gets its own chance before the call fails
    modes = [r.mode for r in h.server.requests]
    assert modes == ["json_schema"] * 3 + ["tool"] * 3 + ["json_object"] * 3 + ["prompted"] * 3
    assert h.waits == [], "a reask is not a retry: no backoff"
    assert not h.health.is_down, "a bad answer says nothing about the endpoint"


@pytest.mark.parametrize("fault", ["fenced", "prose"])
def test_fenced_or_prose_json_is_read_without_a_reask(harness, fault):
    h = harness(ScriptedFake(faults=(fault,)))
    result = h.ask()
    assert isinstance(result.value, Verdict)
    assert (result.attempts, result.reasks) == (1, 0)
    assert len(h.server.requests) == 1


# ---------------------------------------------------------------------- truncation


def test_truncated_answer_doubles_max_tokens_once(harness):
    h = harness(ScriptedFake(faults=("truncated",)))
    result = h.ask(max_tokens=100)
    assert isinstance(result.value, Verdict)
    assert [b["max_tokens"] for b in h.server.bodies] == [100, 200]
    assert h.server.bodies[1]["messages"] == MESSAGES, "no reask for a cut answer"


def test_truncated_twice_fails_the_call(harness):
    h = harness(ScriptedFake(faults=("truncated", "truncated", "truncated")))
    with pytest.raises(CallFailed, match="cut at max_tokens=200"):
        h.ask(max_tokens=100)
    assert [b["max_tokens"] for b in h.server.bodies] == [100, 200]
    assert [r.error_class for r in h.usage.rows] == ["truncated", "truncated"]
    assert not h.health.is_down


# ---------------------------------------------------------------------- output modes


def test_refused_json_schema_steps_down_to_tool_and_remembers_it(harness):
    h = harness(ScriptedFake(refuse_modes=frozenset({"json_schema"})))
    result = h.ask()
    assert result.mode == "tool"
    assert h.modes == ["json_schema", "tool"]
    assert h.capabilities.refused(h.endpoint.base_url, MODEL) == {"json_schema"}
    assert [(r.mode, r.error_class, r.http_status) for r in h.usage.rows] == [
        ("json_schema", "unsupported", 400),
        ("tool", None, 200),
    ]

    again = h.ask([*MESSAGES, {"role": "user", "content": "And the next tender?"}])
    assert again.mode == "tool"
    assert h.modes == ["json_schema", "tool", "tool"], "the second call goes straight to tool"


def test_every_structured_mode_refused_falls_back_to_prompted(harness):
    refused = frozenset({"json_schema", "tool", "json_object"})
    h = harness(ScriptedFake(refuse_modes=refused))
    result = h.ask()
    assert result.mode == "prompted" and isinstance(result.value, Verdict)
    assert h.modes == ["json_schema", "tool", "json_object", "prompted"]
    prompted = h.server.bodies[-1]
    assert "response_format" not in prompted and "tools" not in prompted
    assert SCHEMA_MARKER in prompted["messages"][0]["content"]
    assert h.capabilities.refused(h.endpoint.base_url, MODEL) == set(refused)


def test_refused_max_tokens_switches_to_max_completion_tokens(harness):
    h = harness(ScriptedFake(refuse_max_tokens=True))
    result = h.ask(max_tokens=300)
    assert isinstance(result.value, Verdict) and result.mode == "json_schema"
    refused, accepted = h.server.bodies
    assert refused["max_tokens"] == 300
    assert "max_tokens" not in accepted and accepted["max_completion_tokens"] == 300
    assert h.capabilities.refuses(h.endpoint.base_url, MODEL, PARAM_MAX_TOKENS)
    assert h.capabilities.refused(h.endpoint.base_url, MODEL) == {PARAM_MAX_TOKENS}, (
        "a refused parameter is not a refused output mode"
    )

    h.ask([*MESSAGES, {"role": "user", "content": "Once more."}])
    assert len(h.server.bodies) == 3 and "max_tokens" not in h.server.bodies[2]


# ---------------------------------------------------------------------- fatal errors


def test_wrong_api_key_fails_fast_in_one_sentence_and_trips_the_health(harness):
    server = ScriptedFake(api_key="the-right-key")
    h = harness(server, api_key=SecretStr("a-wrong-key"))
    with pytest.raises(EndpointUnavailable) as raised:
        h.ask()
    message = str(raised.value)
    assert "\n" not in message and message.endswith(".")
    assert "401" in message and "LLM_API_KEY" in message
    assert "a-wrong-key" not in message
    assert len(server.requests) == 1, "a 401 is not retried"
    assert h.waits == []
    assert [(r.error_class, r.http_status) for r in h.usage.rows] == [("fatal", 401)]
    assert h.health.is_down

    with pytest.raises(EndpointUnavailable):
        h.ask()
    assert len(server.requests) == 1, "while the endpoint is down no request is sent"


# ---------------------------------------------------------------------- usage and cache


def test_one_usage_row_per_http_attempt(harness):
    server = ScriptedFake(faults=("http_503", "malformed"), refuse_modes=frozenset({"json_schema"}))
    h = harness(server)
    result = h.ask(tender_id=7, prompt_version="filter-abc")
    assert result.attempts == 4 and result.reasks == 1
    rows = h.usage.rows
    assert len(rows) == len(server.requests) == 4
    assert len({r.call_id for r in rows}) == 1
    assert [(r.attempt, r.mode, r.status, r.error_class, r.reask) for r in rows] == [
        (1, "json_schema", "error", "unsupported", 0),
        (2, "tool", "error", "transient", 0),
        (3, "tool", "error", "invalid_output", 0),
        (4, "tool", "ok", None, 1),
    ]
    assert all(r.tender_id == 7 and r.prompt_version == "filter-abc" for r in rows)
    assert all(r.step == "filter" and r.model == MODEL for r in rows)
    assert rows[-1].prompt_tokens > 0 and rows[-1].completion_tokens > 0
    assert result.prompt_tokens == sum(r.prompt_tokens for r in rows)
    reask = server.bodies[-1]["messages"][-1]["content"]
    assert "503" not in reask and "overloaded" not in reask, "transport errors stay out"


def test_the_same_call_twice_is_answered_from_the_cache(harness):
    h = harness(cache=True)
    first = h.ask(prompt_version="filter-1")
    assert not first.from_cache and len(h.server.requests) == 1

    second = h.ask(prompt_version="filter-1")
    assert second.from_cache and second.value == first.value
    assert second.attempts == 0
    assert len(h.server.requests) == 1, "no HTTP request for a cached answer"
    assert h.usage.rows[-1].status == "cached"

    h.ask(prompt_version="filter-2")
    assert len(h.server.requests) == 2, "a new prompt version is a new question"
