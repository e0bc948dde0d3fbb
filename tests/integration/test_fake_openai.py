"""The fake OpenAI server, driven by the real openai SDK: each fault looks like the real thing."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import openai
import pytest
from openai import OpenAI
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, Field, StringConstraints, ValidationError

from core.llm.modes import SCHEMA_MARKER, TOOL_NAME
from tests.fake_openai import (
    ALL_FAULTS,
    FakeConfig,
    FakeOpenAI,
    TokenBucket,
    canonical_sha256,
    fill,
    violate,
)

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = [
    {"role": "system", "content": "You rate tenders."},
    {"role": "user", "content": "Rate this tender: road maintenance, 2 lots."},
]


class Kind(StrEnum):
    SUPPLY = "supply"
    SERVICE = "service"
    WORKS = "works"


class Lot(BaseModel):
    title: Annotated[str, StringConstraints(min_length=3, max_length=40)]
    value_eur: Annotated[float, Field(gt=0, le=1_000_000)]
    kind: Kind
    cpv_codes: Annotated[
        list[Annotated[str, StringConstraints(min_length=8, max_length=8)]],
        Field(min_length=1, max_length=4),
    ]


class Rating(BaseModel):
    score: Annotated[float, Field(ge=0, le=1)]
    rank: Annotated[int, Field(ge=1, lt=6)]
    verdict: Literal["bid", "no_bid", "maybe"]
    summary: Annotated[str, Field(min_length=20, max_length=60)]
    lots: Annotated[list[Lot], Field(min_length=1, max_length=3)]
    deadline: date
    contact: str | None = None
    tags: list[str] = []
    parent: Rating | None = None


SCHEMA = Rating.model_json_schema()


@pytest.fixture
def serve() -> Iterator[Callable[..., FakeOpenAI]]:
    """Start fakes with FakeConfig keyword arguments; all are stopped after the test."""
    servers: list[FakeOpenAI] = []

    def start(**config: Any) -> FakeOpenAI:
        server = FakeOpenAI(FakeConfig(**config)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def client_for(server: FakeOpenAI, api_key: str = "test", timeout: float = 2) -> OpenAI:
    return OpenAI(base_url=server.base_url, api_key=api_key, max_retries=0, timeout=timeout)


def request_kwargs(mode: str, schema: dict[str, Any] = SCHEMA) -> dict[str, Any]:
    """create() arguments asking for `schema` the way each output mode does."""
    if mode == "json_schema":
        spec = {"name": "Rating", "schema": schema, "strict": False}
        return {"response_format": {"type": "json_schema", "json_schema": spec}}
    if mode == "tool":
        function = {"name": TOOL_NAME, "parameters": schema}
        return {
            "tools": [{"type": "function", "function": function}],
            "tool_choice": {"type": "function", "function": {"name": TOOL_NAME}},
        }
    instruction = f"{SCHEMA_MARKER}\n```json\n{json.dumps(schema)}\n```"
    messages = [*MESSAGES[:-1], {"role": "user", "content": f"{MESSAGES[-1]['content']}\n\n"}]
    messages[-1]["content"] += instruction
    extra: dict[str, Any] = {"messages": messages}
    if mode == "json_object":
        extra["response_format"] = {"type": "json_object"}
    return extra


def ask(
    server: FakeOpenAI, mode: str = "json_schema", client: OpenAI | None = None, **client_kw: Any
) -> ChatCompletion:
    """One request in `mode`; pass `client` where timing matters (a new client costs ~30 ms)."""
    client = client or client_for(server, **client_kw)
    kwargs = {"messages": MESSAGES, **request_kwargs(mode)}
    return client.chat.completions.create(model="fake-model", **kwargs)


def answer_text(completion: ChatCompletion) -> str:
    message = completion.choices[0].message
    if message.tool_calls:
        return message.tool_calls[0].function.arguments
    assert message.content is not None
    return message.content


def braces(text: str) -> str:
    """The outermost {...} in a text: how a client digs JSON out of prose or fences."""
    return text[text.index("{") : text.rindex("}") + 1]


# --- schema_fill ------------------------------------------------------------------------


def test_fill_validates_against_nested_constrained_model() -> None:
    for seed in range(300):
        instance = fill(SCHEMA, random.Random(seed))
        Rating.model_validate(instance)
        Rating.model_validate_json(json.dumps(instance))


def test_fill_handles_inlined_and_list_types() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": ["integer", "null"], "exclusiveMinimum": 0, "exclusiveMaximum": 3},
            "b": {"const": "fixed"},
            "c": {"type": "array", "items": {"enum": [1, 2]}, "minItems": 2, "maxItems": 2},
            "d": {"type": "string", "maxLength": 0},
            "e": {"type": "number", "minimum": 5, "maximum": 5},
        },
        "required": ["a", "b", "c", "d", "e"],
    }
    for seed in range(50):
        value = fill(schema, random.Random(seed))
        assert value["a"] in (1, 2)
        assert value["b"] == "fixed"
        assert len(value["c"]) == 2
        assert value["d"] == ""
        assert value["e"] == 5


def test_violate_always_breaks_validation() -> None:
    for seed in range(100):
        rng = random.Random(seed)
        bad = violate(SCHEMA, fill(SCHEMA, rng), rng)
        with pytest.raises(ValidationError):
            Rating.model_validate(bad)


def test_token_bucket_says_how_long_until_the_next_token() -> None:
    now = [0.0]
    bucket = TokenBucket(capacity=2, per_second=4.0, clock=lambda: now[0])
    assert bucket.take() == 0.0
    assert bucket.take() == 0.0
    assert bucket.take() == pytest.approx(0.25)
    now[0] = 0.25
    assert bucket.take() == 0.0


# --- the happy path ---------------------------------------------------------------------


def test_models_endpoint_lists_configured_models(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve(models=["a", "b"])
    assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
    assert [m.id for m in client_for(server).models.list()] == ["a", "b"]


def test_json_schema_answer_validates_and_reports_usage(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve()
    completion = ask(server)
    choice = completion.choices[0]
    assert completion.object == "chat.completion"
    assert completion.model == "fake-model"
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    Rating.model_validate_json(answer_text(completion))
    usage = completion.usage
    assert usage is not None
    chars = sum(len(m["content"]) for m in MESSAGES)
    assert usage.prompt_tokens == -(-chars // 4)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 0


def test_tool_mode_answers_with_a_tool_call(serve: Callable[..., FakeOpenAI]) -> None:
    completion = ask(serve(), mode="tool")
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert call.id.startswith("call_")
    assert call.function.name == TOOL_NAME
    Rating.model_validate_json(call.function.arguments)


@pytest.mark.parametrize("mode", ["json_object", "prompted"])
def test_schema_is_found_after_the_marker(serve: Callable[..., FakeOpenAI], mode: str) -> None:
    server = serve()
    completion = ask(server, mode=mode)
    Rating.model_validate_json(answer_text(completion))
    assert server.requests[-1].mode == mode


def test_without_a_schema_the_answer_is_ok(serve: Callable[..., FakeOpenAI]) -> None:
    completion = client_for(serve()).chat.completions.create(model="fake-model", messages=MESSAGES)
    assert json.loads(answer_text(completion)) == {"answer": "ok"}


def test_answerer_gets_schema_and_request(serve: Callable[..., FakeOpenAI]) -> None:
    seen: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def answerer(schema: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
        seen.append((schema, request))
        return {"verdict": "bid"}

    completion = ask(serve(answerer=answerer))
    assert json.loads(answer_text(completion)) == {"verdict": "bid"}
    assert seen[0][0] == SCHEMA
    assert seen[0][1]["messages"] == MESSAGES


def test_requests_are_recorded_with_mode_and_message_hash(
    serve: Callable[..., FakeOpenAI],
) -> None:
    server = serve()
    for mode in ("json_schema", "tool", "json_object", "prompted"):
        ask(server, mode=mode)
    records = server.requests
    assert [r.mode for r in records] == ["json_schema", "tool", "json_object", "prompted"]
    assert records[0].messages_sha256 == canonical_sha256(MESSAGES)
    assert records[0].messages_sha256 == records[1].messages_sha256
    assert records[2].messages_sha256 != records[0].messages_sha256
    assert server.stats() == {"ok": 4}
    assert server.achieved_rpm() == pytest.approx(3 / (records[-1].t - records[0].t) * 60)
    server.reset()
    assert server.stats() == {}
    assert server.requests == []


def test_keep_alive_reuses_one_connection(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve()
    client = client_for(server)
    for _ in range(5):
        client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert server.connections_opened == 1


def test_concurrent_clients_are_served(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve(latency=(0.02, 0.05))
    client = client_for(server)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                client.chat.completions.create(model="fake-model", messages=MESSAGES)
        except BaseException as exc:  # surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == []
    assert server.stats() == {"ok": 40}


def test_latency_delays_the_answer(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve(latency=(0.2, 0.3))
    started = time.monotonic()
    ask(server)
    assert 0.2 <= time.monotonic() - started < 1.0


# --- faults in the answer ---------------------------------------------------------------


def _is_malformed(text: str, finish: str | None) -> None:
    assert finish == "stop"
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def _is_schema_invalid(text: str, finish: str | None) -> None:
    assert isinstance(json.loads(text), dict)
    with pytest.raises(ValidationError):
        Rating.model_validate_json(text)


def _is_fenced(text: str, finish: str | None) -> None:
    assert text.startswith("```json\n")
    assert text.endswith("\n```")
    Rating.model_validate_json(text.removeprefix("```json\n").removesuffix("\n```"))


def _is_prose(text: str, finish: str | None) -> None:
    assert text.startswith("Sure! Here is the JSON you asked for:\n")
    assert text.endswith("\nLet me know if you need anything else.")
    Rating.model_validate_json(braces(text))


def _is_truncated(text: str, finish: str | None) -> None:
    assert finish == "length"
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


ANSWER_FAULTS: dict[str, Callable[[str, str | None], None]] = {
    "malformed": _is_malformed,
    "schema_invalid": _is_schema_invalid,
    "fenced": _is_fenced,
    "prose": _is_prose,
    "truncated": _is_truncated,
}


@pytest.mark.parametrize("mode", ["json_schema", "tool", "prompted"])
@pytest.mark.parametrize("fault", sorted(ANSWER_FAULTS))
def test_answer_faults(serve: Callable[..., FakeOpenAI], fault: str, mode: str) -> None:
    server = serve(fault_rate=1.0, fault_kinds=(fault,))
    completion = ask(server, mode=mode)
    finish = completion.choices[0].finish_reason
    if mode == "tool" and finish == "tool_calls":
        finish = "stop"  # the same answer, as the tool-mode spelling of "stop"
    ANSWER_FAULTS[fault](answer_text(completion), finish)
    assert server.stats() == {fault: 1}


# --- faults at the HTTP level -----------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("both", {"retry-after-ms": "1000", "retry-after": "1"}),
        ("ms", {"retry-after-ms": "1000"}),
        ("s", {"retry-after": "1"}),
        ("none", {}),
    ],
)
def test_http_429_fault_says_when_to_retry(
    serve: Callable[..., FakeOpenAI], style: str, expected: dict[str, str]
) -> None:
    server = serve(fault_rate=1.0, fault_kinds=("http_429",), retry_after_header=style)
    with pytest.raises(openai.RateLimitError) as caught:
        ask(server)
    headers = caught.value.response.headers
    assert {k: headers[k] for k in ("retry-after-ms", "retry-after") if k in headers} == expected
    assert caught.value.code == "rate_limit_exceeded"
    assert server.stats() == {"http_429": 1}


@pytest.mark.parametrize("status", [500, 503])
def test_http_5xx_faults(serve: Callable[..., FakeOpenAI], status: int) -> None:
    server = serve(fault_rate=1.0, fault_kinds=(f"http_{status}",))
    with pytest.raises(openai.InternalServerError) as caught:
        ask(server)
    assert caught.value.status_code == status
    assert caught.value.type == "server_error"


def test_drop_closes_the_connection_without_answer(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve(fault_rate=1.0, fault_kinds=("drop",))
    client = client_for(server)
    for _ in range(2):  # a fresh and then a pooled connection: both see the drop
        with pytest.raises(openai.APIConnectionError) as caught:
            client.chat.completions.create(model="fake-model", messages=MESSAGES)
        assert not isinstance(caught.value, openai.APITimeoutError)
    assert server.stats() == {"drop": 2}


def test_hang_times_the_client_out_and_stop_wakes_it(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve(fault_rate=1.0, fault_kinds=("hang",), hang_s=5)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        ask(server, timeout=0.5)
    assert time.monotonic() - started < 1.5
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1.0


def test_all_faults_are_known_and_distinct() -> None:
    assert len(set(ALL_FAULTS)) == 8
    assert {"hang", "truncated"}.isdisjoint(ALL_FAULTS)
    with pytest.raises(ValueError, match="unknown fault"):
        FakeConfig(fault_kinds=("gremlins",))


# --- refusals, auth, unknown models -----------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "param"),
    [("json_schema", "response_format"), ("tool", "tools"), ("json_object", "response_format")],
)
def test_refused_mode_is_a_bad_request_before_any_fault(
    serve: Callable[..., FakeOpenAI], mode: str, param: str
) -> None:
    server = serve(refuse_modes=frozenset({mode}), fault_rate=1.0, fault_kinds=("drop",))
    with pytest.raises(openai.BadRequestError) as caught:
        ask(server, mode=mode)
    assert param in str(caught.value)
    assert caught.value.param == param
    assert server.stats() == {f"refused_{mode}": 1}


def test_refusal_lets_other_modes_through(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve(refuse_modes=frozenset({"json_schema"}))
    Rating.model_validate_json(answer_text(ask(server, mode="tool")))


def test_unknown_model_is_not_found(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve()
    with pytest.raises(openai.NotFoundError) as caught:
        client_for(server).chat.completions.create(model="gpt-x", messages=MESSAGES)
    assert caught.value.code == "model_not_found"
    assert "gpt-x" in str(caught.value)
    assert server.stats() == {"not_found": 1}


def test_api_key_is_checked(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve(api_key="sekret")
    with pytest.raises(openai.AuthenticationError):
        ask(server, api_key="wrong")
    ask(server, api_key="sekret")
    assert server.stats() == {"unauthorized": 1, "ok": 1}


# --- rate limits ------------------------------------------------------------------------


def test_rpm_limit_answers_429_with_the_bucket_wait(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve(rpm=300, burst=2)  # 5 tokens a second
    client = client_for(server)
    ask(server, client=client)
    ask(server, client=client)
    with pytest.raises(openai.RateLimitError) as caught:
        ask(server, client=client)
    wait_ms = int(caught.value.response.headers["retry-after-ms"])
    assert 100 < wait_ms <= 200
    assert caught.value.response.headers["retry-after"] == "1"
    time.sleep(wait_ms / 1000)
    ask(server, client=client)
    assert server.stats() == {"ok": 3, "http_429_limit": 1}


def test_tpm_limit_counts_prompt_tokens(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve(tpm=600)  # 600 tokens a minute: one 2,000-character prompt empties it
    client = client_for(server)
    messages = [{"role": "user", "content": "x" * 2_000}]
    client.chat.completions.create(model="fake-model", messages=messages)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="fake-model", messages=messages)
    assert "tokens" in str(caught.value)
    assert server.stats() == {"ok": 1, "http_429_limit": 1}


# --- lifetime ---------------------------------------------------------------------------


def test_server_stops_after_max_lifetime(serve: Callable[..., FakeOpenAI]) -> None:
    server = serve(max_lifetime_s=0.3)
    client = client_for(server)
    client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert server.wait(timeout=2)
    assert not server.running
    with pytest.raises(openai.APIConnectionError):  # the pooled connection was closed too
        client.chat.completions.create(model="fake-model", messages=MESSAGES)


def test_context_manager_stops_the_server() -> None:
    with FakeOpenAI() as server:
        client = client_for(server)
        client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert not server.running
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model="fake-model", messages=MESSAGES)


def test_command_line_serves_then_stops_by_itself() -> None:
    command = [sys.executable, "-m", "tests.fake_openai", "--rpm", "480", "--lifetime", "1"]
    command += ["--latency", "0,0.01", "--faults", "all", "--refuse", "json_schema"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:")
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                assert json.load(response)["data"][0]["id"] == "fake-model"
            assert process.wait(timeout=5) == 0
        finally:
            if process.poll() is None:
                process.kill()
