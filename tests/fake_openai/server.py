"""A fake OpenAI-compatible chat-completions server that misbehaves on purpose.

Tests and benchmarks drive the real openai SDK against it, so the client's retry loop, mode
fallback, reasks and rate limiting meet the failures a real endpoint produces (429s with
retry-after headers, 5xx, dropped connections, hangs, malformed or fenced JSON, refusals of
`response_format`/`tools`) without network access or cost. Standard library only; binds to
127.0.0.1 and always stops by itself after `max_lifetime_s`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import random
import re
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Self

from core.llm.modes import SCHEMA_MARKER
from tests.fake_openai.schema_fill import fill, violate

# The faults every client must survive; `hang` and `truncated` are kept apart because they
# cost time (a client timeout) or need max_tokens handling.
ALL_FAULTS: tuple[str, ...] = (
    "malformed",
    "schema_invalid",
    "fenced",
    "prose",
    "http_429",
    "http_500",
    "http_503",
    "drop",
)
# What a misbehaving proxy in front of the model sends: a 200 that is plain text, or a
# chat completion whose JSON body is cut off.
PROXY_FAULTS: tuple[str, ...] = ("plain_text", "cut_body")
KNOWN_FAULTS: tuple[str, ...] = (*ALL_FAULTS, "hang", "truncated", *PROXY_FAULTS)
MODES: tuple[str, ...] = ("json_schema", "tool", "json_object", "prompted")
REFUSABLE_MODES = frozenset({"json_schema", "tool", "json_object"})
NO_SCHEMA_ANSWER: dict[str, Any] = {"answer": "ok"}
# Idle keep-alive connections are closed after this long, like a real server would.
IDLE_TIMEOUT_S = 60.0

Answerer = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
RetryAfterStyle = Literal["ms", "s", "both", "none"]


@dataclass(frozen=True)
class FakeConfig:
    """How the fake behaves. Every field has a well-behaved default (no faults, no limits)."""

    models: tuple[str, ...] | list[str] = ("fake-model",)
    latency: tuple[float, float] = (0.0, 0.0)
    rpm: int | None = None
    burst: int = 1
    tpm: int | None = None
    retry_after_header: RetryAfterStyle = "both"
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = ALL_FAULTS
    hang_s: float = 30.0
    refuse_modes: frozenset[str] = field(default_factory=frozenset)
    api_key: str | None = None
    seed: int = 0
    max_lifetime_s: float = 900.0
    # (schema, request json) -> answer object; schema is {} when the request carries none.
    answerer: Answerer | None = None

    def __post_init__(self) -> None:
        unknown = set(self.fault_kinds) - set(KNOWN_FAULTS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {KNOWN_FAULTS}")
        if not set(self.refuse_modes) <= REFUSABLE_MODES:
            raise ValueError(f"refuse_modes must be a subset of {sorted(REFUSABLE_MODES)}")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be within 0..1")
        if self.fault_rate > 0 and not self.fault_kinds:
            raise ValueError("fault_rate > 0 needs at least one fault kind")
        if not 0.0 <= self.latency[0] <= self.latency[1]:
            raise ValueError("latency must be (low, high) with 0 <= low <= high")
        if self.retry_after_header not in ("ms", "s", "both", "none"):
            raise ValueError("retry_after_header must be one of ms, s, both, none")
        if self.burst < 1:
            raise ValueError("burst must be at least 1")


@dataclass(frozen=True)
class RequestRecord:
    """One chat-completion request as the server saw it (arrival time is time.monotonic())."""

    t: float
    model: str
    mode: str
    messages_sha256: str
    outcome: str


@dataclass
class Reply:
    """What the handler writes back; `drop` closes the socket without writing anything."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    #: bytes to send instead of the JSON-encoded body (broken-proxy faults)
    raw: bytes | None = None
    content_type: str = "application/json"


@dataclass(frozen=True)
class _Parsed:
    """A chat request reduced to what decides the answer."""

    request: dict[str, Any]
    model: str
    mode: str
    schema: dict[str, Any]
    tool_name: str
    messages_sha256: str


class TokenBucket:
    """A thread-safe token bucket: `capacity` tokens, refilled at `per_second`."""

    def __init__(
        self, capacity: float, per_second: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self._clock = clock
        self._tokens = capacity
        self._last = clock()
        self._lock = threading.Lock()

    def take(self, n: float = 1.0) -> float:
        """Take `n` tokens and return 0.0, or take nothing and return the seconds to wait.

        A request larger than the whole bucket waits for a full bucket rather than forever.
        """
        n = min(n, self.capacity)
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.per_second)
            self._last = now
            if self._tokens >= n:
                self._tokens -= n
                return 0.0
            return (n - self._tokens) / self.per_second


# --- request reading --------------------------------------------------------------------


def canonical_sha256(value: Any) -> str:
    """sha256 of canonical JSON, so tests can tell whether two requests sent the same thing."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def detect_mode(request: Mapping[str, Any]) -> str:
    """Which output mode the client asked for (see core/llm/modes.py)."""
    if request.get("tools"):
        return "tool"
    response_format = request.get("response_format")
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    return kind if kind in ("json_schema", "json_object") else "prompted"


def message_text(message: Mapping[str, Any]) -> str:
    """All text in one message: string content, text parts and tool-call arguments."""
    content = message.get("content")
    parts: list[str] = []
    if isinstance(content, str):
        parts.append(content)
    elif isinstance(content, list):
        parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    for call in message.get("tool_calls") or []:
        parts.append(str(call.get("function", {}).get("arguments", "")))
    return "\n".join(parts)


_FENCED_OBJECT = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.DOTALL)


def schema_from_messages(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The schema after SCHEMA_MARKER in the latest message carrying it ({} when none)."""
    for message in reversed(messages):
        text = message_text(message)
        at = text.rfind(SCHEMA_MARKER)
        if at < 0:
            continue
        rest = text[at + len(SCHEMA_MARKER) :]
        match = _FENCED_OBJECT.search(rest)
        candidates = [match.group(1)] if match else []
        if "{" in rest:
            candidates.append(rest[rest.index("{") :])
        for candidate in candidates:
            with contextlib.suppress(ValueError):
                schema, _ = json.JSONDecoder().raw_decode(candidate)
                if isinstance(schema, dict):
                    return schema
    return {}


def chosen_tool(request: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(name, parameters schema) of the tool named by `tool_choice`, else the first tool."""
    tools = [t.get("function", {}) for t in request.get("tools") or [] if isinstance(t, dict)]
    choice = request.get("tool_choice")
    wanted = choice.get("function", {}).get("name") if isinstance(choice, dict) else None
    for tool in tools:
        if wanted is None or tool.get("name") == wanted:
            return str(tool.get("name", "tool")), dict(tool.get("parameters") or {})
    return str(wanted or "tool"), {}


def find_schema(mode: str, request: Mapping[str, Any]) -> dict[str, Any]:
    """The schema the answer must match, wherever this mode carries it ({} when none)."""
    if mode == "tool":
        return chosen_tool(request)[1]
    if mode == "json_schema":
        spec = request["response_format"].get("json_schema") or {}
        return dict(spec.get("schema") or {})
    return schema_from_messages(list(request.get("messages") or []))


def estimate_tokens(chars: int) -> int:
    """About four characters per token, like OpenAI's rule of thumb for English."""
    return max(1, math.ceil(chars / 4))


# --- answers ----------------------------------------------------------------------------


def openai_error(
    message: str, kind: str, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    """The error body shape OpenAI uses; the SDK puts `message` in the exception text."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def retry_after_headers(wait_s: float, style: RetryAfterStyle) -> dict[str, str]:
    """How a 429 says how long to wait: `retry-after-ms` and/or whole-second `Retry-After`."""
    headers: dict[str, str] = {}
    if style in ("ms", "both"):
        headers["retry-after-ms"] = str(max(1, math.ceil(wait_s * 1000)))
    if style in ("s", "both"):
        headers["Retry-After"] = str(max(1, math.ceil(wait_s)))
    return headers


def _half(text: str) -> str:
    return text[: max(1, len(text) // 2)]


def render_answer(
    fault: str | None, answer: Any, schema: dict[str, Any], rng: random.Random
) -> tuple[str, str]:
    """(text, finish_reason) for an answer, spoilt the way `fault` says."""
    if fault == "schema_invalid":
        answer = violate(schema, answer, rng)
    text = json.dumps(answer, ensure_ascii=False)
    if fault == "malformed":
        return _half(text), "stop"
    if fault == "truncated":
        return _half(text), "length"
    if fault == "fenced":
        return f"```json\n{text}\n```", "stop"
    if fault == "prose":
        intro = "Sure! Here is the JSON you asked for:"
        return f"{intro}\n{text}\nLet me know if you need anything else.", "stop"
    return text, "stop"


def completion_body(parsed: _Parsed, text: str, finish: str, prompt_tokens: int) -> dict:
    """An OpenAI-shaped chat.completion; tool mode puts the text in tool-call arguments."""
    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
    if parsed.mode == "tool":
        call = {
            "id": f"call_{uuid.uuid4().hex[:24]}",
            "type": "function",
            "function": {"name": parsed.tool_name, "arguments": text},
        }
        message.update(content=None, tool_calls=[call])
        finish = "tool_calls" if finish == "stop" else finish
    completion_tokens = estimate_tokens(len(text))
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": parsed.model,
        "system_fingerprint": "fp_fake",
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0},
        },
    }


_HTTP_FAULTS: dict[str, tuple[int, dict[str, Any]]] = {
    "http_429": (
        429,
        openai_error(
            "Rate limit reached for requests. Please try again in 1s.",
            "requests",
            code="rate_limit_exceeded",
        ),
    ),
    "http_500": (
        500,
        openai_error(
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
        ),
    ),
    "http_503": (
        503,
        openai_error("The engine is currently overloaded, please try again later", "server_error"),
    ),
}


def refusal_reply(mode: str) -> Reply:
    """The 400 a server gives when it does not support the asked output mode."""
    if mode == "tool":
        message, param = "tools is not supported by this model", "tools"
    else:
        message = f"response_format '{mode}' is not supported by this model"
        param = "response_format"
    return Reply(400, openai_error(message, "invalid_request_error", param))


# --- the server -------------------------------------------------------------------------


class FakeOpenAI:
    """The fake server: `FakeOpenAI(FakeConfig(...)).start()`, then point a client at base_url.

    Also a context manager. Thread-safe observability (`stats`, `requests`, `achieved_rpm`)
    covers POST /v1/chat/completions only, so counts match what the client under test sent.
    """

    def __init__(self, config: FakeConfig | None = None, port: int = 0) -> None:
        self._config = config or FakeConfig()
        self._port = port
        self._lock = threading.Lock()
        self._rng = random.Random(self._config.seed)
        self._stopped = threading.Event()
        self._records: list[RequestRecord] = []
        self._stats: Counter[str] = Counter()
        self._connections: set[socket.socket] = set()
        self._connections_opened = 0
        self._rpm_bucket, self._tpm_bucket = self._buckets(self._config)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None

    # lifecycle

    def start(self) -> Self:
        """Bind 127.0.0.1, serve on a daemon thread and arm the max-lifetime timer."""
        if self._httpd is not None or self._stopped.is_set():
            raise RuntimeError("a FakeOpenAI starts once; make a new one to serve again")
        self._httpd = _HTTPServer(("127.0.0.1", self._port), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self._timer = threading.Timer(self._config.max_lifetime_s, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake hanging handlers and close open keep-alive connections."""
        with self._lock:
            if self._stopped.is_set() or self._httpd is None:
                self._stopped.set()
                return
            self._stopped.set()
            connections = list(self._connections)
        if self._timer is not None:
            self._timer.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server has stopped (or `timeout`); True when stopped."""
        return self._stopped.wait(timeout)

    def __enter__(self) -> Self:
        return self if self._httpd is not None else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None and not self._stopped.is_set()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeOpenAI not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def config(self) -> FakeConfig:
        return self._config

    def reconfigure(self, **changes: Any) -> None:
        """Change behaviour while running (e.g. stop refusing); limiters restart full."""
        with self._lock:
            self._config = replace(self._config, **changes)
            self._rpm_bucket, self._tpm_bucket = self._buckets(self._config)

    # observability

    def stats(self) -> dict[str, int]:
        """Chat requests per outcome: ok, http_429_limit, a fault kind, refused_<mode>, …"""
        with self._lock:
            return dict(self._stats)

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    @property
    def connections_opened(self) -> int:
        """TCP connections accepted so far; 1 for many requests means keep-alive works."""
        with self._lock:
            return self._connections_opened

    def reset(self) -> None:
        """Forget records and counters (not the limiters), e.g. between benchmark phases."""
        with self._lock:
            self._records.clear()
            self._stats.clear()
            self._connections_opened = 0

    def achieved_rpm(self, outcomes: Collection[str] | None = None) -> float:
        """Requests per minute between the first and last arrival (0.0 with fewer than 2)."""
        # Sorted: handler threads may append records slightly out of arrival order.
        times = sorted(r.t for r in self.requests if outcomes is None or r.outcome in outcomes)
        if len(times) < 2 or times[-1] <= times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0]) * 60.0

    # request handling (called from handler threads)

    def handle_get(self, path: str, headers: Mapping[str, str]) -> Reply:
        """GET /v1/models and /v1/models/<id>."""
        denied = self._unauthorized(headers)
        if denied is not None:
            return denied
        models = [
            {"id": m, "object": "model", "created": 0, "owned_by": "fake"}
            for m in self._config.models
        ]
        if path.rstrip("/") == "/v1/models":
            return Reply(200, {"object": "list", "data": models})
        for model in models:
            if path == f"/v1/models/{model['id']}":
                return Reply(200, model)
        return _not_found(path)

    def handle_post(self, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """POST /v1/chat/completions: checks, limiter, refusals, then a (maybe faulty) answer."""
        if path.rstrip("/") != "/v1/chat/completions":
            return _not_found(path)
        arrived = time.monotonic()
        try:
            request = json.loads(body or b"null")
        except ValueError:
            request = None
        if not isinstance(request, dict):
            self._record(arrived, None, "bad_request")
            return Reply(400, openai_error("We could not parse the JSON body.", "invalid_request"))
        parsed = self._parse(request)
        reply, outcome = self._gate(parsed, headers)
        if reply is not None:
            self._record(arrived, parsed, outcome)
            return reply
        return self._answer(parsed, arrived)

    # internals

    @staticmethod
    def _buckets(config: FakeConfig) -> tuple[TokenBucket | None, TokenBucket | None]:
        rpm = TokenBucket(config.burst, config.rpm / 60.0) if config.rpm else None
        tpm = TokenBucket(config.tpm, config.tpm / 60.0) if config.tpm else None
        return rpm, tpm

    def _parse(self, request: dict[str, Any]) -> _Parsed:
        mode = detect_mode(request)
        messages = request.get("messages") or []
        return _Parsed(
            request=request,
            model=str(request.get("model", "")),
            mode=mode,
            schema=find_schema(mode, request),
            tool_name=chosen_tool(request)[0] if mode == "tool" else "",
            messages_sha256=canonical_sha256(messages),
        )

    def _gate(self, parsed: _Parsed, headers: Mapping[str, str]) -> tuple[Reply | None, str]:
        """The checks before answering, in a real server's order: auth, model, limits, mode."""
        denied = self._unauthorized(headers)
        if denied is not None:
            return denied, "unauthorized"
        if parsed.model not in self._config.models:
            message = f"The model '{parsed.model}' does not exist"
            body = openai_error(message, "invalid_request_error", code="model_not_found")
            return Reply(404, body), "not_found"
        limited = self._rate_limited(parsed)
        if limited is not None:
            return limited, "http_429_limit"
        if parsed.mode in self._config.refuse_modes:
            return refusal_reply(parsed.mode), f"refused_{parsed.mode}"
        return None, ""

    def _unauthorized(self, headers: Mapping[str, str]) -> Reply | None:
        expected = self._config.api_key
        if expected is None or headers.get("Authorization") == f"Bearer {expected}":
            return None
        message = "Incorrect API key provided. You can find your API key in your settings."
        return Reply(401, openai_error(message, "invalid_request_error", code="invalid_api_key"))

    def _prompt_tokens(self, parsed: _Parsed) -> int:
        messages = parsed.request.get("messages") or []
        return estimate_tokens(sum(len(message_text(m)) for m in messages if isinstance(m, dict)))

    def _rate_limited(self, parsed: _Parsed) -> Reply | None:
        """A 429 when the requests or tokens bucket is empty, saying how long until it is not."""
        checks = (
            (self._rpm_bucket, 1, "requests", self._config.rpm),
            (self._tpm_bucket, self._prompt_tokens(parsed), "tokens", self._config.tpm),
        )
        for bucket, cost, unit, limit in checks:
            wait = bucket.take(cost) if bucket is not None else 0.0
            if wait > 0:
                message = (
                    f"Rate limit reached for {unit}: limit {limit}/min. "
                    f"Please try again in {math.ceil(wait * 1000)}ms."
                )
                body = openai_error(message, unit, code="rate_limit_exceeded")
                headers = retry_after_headers(wait, self._config.retry_after_header)
                return Reply(429, body, headers)
        return None

    def _draw(self) -> tuple[str | None, float, random.Random]:
        """(fault or None, latency, rng for this answer), drawn under the lock for determinism."""
        config = self._config
        with self._lock:
            fault = None
            if config.fault_rate > 0 and self._rng.random() < config.fault_rate:
                fault = self._rng.choice(config.fault_kinds)
            latency = self._rng.uniform(*config.latency) if config.latency[1] > 0 else 0.0
            return fault, latency, random.Random(self._rng.getrandbits(64))

    def _answer(self, parsed: _Parsed, arrived: float) -> Reply:
        fault, latency, rng = self._draw()
        self._record(arrived, parsed, fault or "ok")
        if self._stopped.wait(latency):
            return Reply(drop=True)
        if fault in _HTTP_FAULTS:
            status, body = _HTTP_FAULTS[fault]
            headers = retry_after_headers(1.0, self._config.retry_after_header)
            return Reply(status, body, headers if status == 429 else {})
        if fault == "drop" or (fault == "hang" and self._stopped.wait(self._config.hang_s)):
            return Reply(drop=True)
        if fault == "plain_text":
            return Reply(
                200, raw=b"upstream connect error or disconnect", content_type="text/plain"
            )
        answer = self._make_answer(parsed, rng)
        text, finish = render_answer(fault, answer, parsed.schema, rng)
        body = completion_body(parsed, text, finish, self._prompt_tokens(parsed))
        if fault == "cut_body":
            whole = json.dumps(body).encode()
            return Reply(200, raw=whole[: len(whole) // 2])
        return Reply(200, body)

    def _make_answer(self, parsed: _Parsed, rng: random.Random) -> Any:
        if self._config.answerer is not None:
            return self._config.answerer(parsed.schema, parsed.request)
        return fill(parsed.schema, rng) if parsed.schema else dict(NO_SCHEMA_ANSWER)

    def _record(self, arrived: float, parsed: _Parsed | None, outcome: str) -> None:
        record = RequestRecord(
            t=arrived,
            model=parsed.model if parsed else "",
            mode=parsed.mode if parsed else "",
            messages_sha256=parsed.messages_sha256 if parsed else "",
            outcome=outcome,
        )
        with self._lock:
            self._records.append(record)
            self._stats[outcome] += 1

    def _track(self, conn: socket.socket, opened: bool) -> None:
        with self._lock:
            if opened:
                self._connections.add(conn)
                self._connections_opened += 1
            else:
                self._connections.discard(conn)


def _not_found(path: str) -> Reply:
    message = f"Invalid URL (POST {path})" if path else "Not found"
    return Reply(404, openai_error(message, "invalid_request_error"))


class _HTTPServer(ThreadingHTTPServer):
    """One daemon thread per connection, so a stuck client never keeps the process alive."""

    daemon_threads = True
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with exact Content-Length, so the SDK's pooled keep-alive connections work."""

    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1.0"
    timeout = IDLE_TIMEOUT_S
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (~40 ms per request on Linux), which would distort every benchmark.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, opened=True)

    def finish(self) -> None:
        self.server.fake._track(self.connection, opened=False)
        with contextlib.suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        self._send(self.server.fake.handle_get(self.path, self.headers))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client died mid-request (kill -9): nothing to answer
            self._drop()
            return
        self._send(self.server.fake.handle_post(self.path, self.headers, body))

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests read stats() instead of a request log on stderr."""

    def _send(self, reply: Reply) -> None:
        if reply.drop:
            self._drop()
            return
        data = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-request-id", f"req_{uuid.uuid4().hex}")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout) and closed its end
            self.close_connection = True

    def _drop(self) -> None:
        """Close the socket with nothing written; the client sees the server disconnect."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        self.connection.close()
