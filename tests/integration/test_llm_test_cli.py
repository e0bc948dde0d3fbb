"""`llm test`: the configured key goes only to the host it was configured for; every probe is
audited; only admins may probe."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.access.audit import AuditAction
from core.access.roles import CLI_ACTOR, Actor, NotAllowed
from core.bootstrap import open_context
from core.cli.main import main
from core.config import get_settings
from core.llm.health import health_for
from core.models import Role
from core.views import llm_settings
from storage.db import close_database
from tests.fake_openai import FakeConfig, FakeOpenAI

KEY = "sk-configured-0123456789"


class Listener:
    """A server on 127.0.0.1 that records every header it is sent and answers 404."""

    def __init__(self) -> None:
        self.headers: list[dict[str, str]] = []
        seen = self.headers

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                seen.append({k.lower(): v for k, v in self.headers.items()})
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": {"message": "no such thing"}}')

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(FakeConfig(api_key=KEY)).start()
    monkeypatch.setenv("LLM_BASE_URL", server.base_url)
    monkeypatch.setenv("LLM_API_KEY", KEY)
    monkeypatch.setenv("LLM_MODEL", "fake-model")
    monkeypatch.setenv("LLM_TIMEOUT_S", "5")
    get_settings.cache_clear()
    try:
        yield server
    finally:
        server.stop()
        health_for(server.base_url).clear()
        get_settings.cache_clear()


def test_the_key_never_reaches_another_host_and_both_probes_are_audited(
    configured: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "llm.duckdb"
    listener = Listener()
    try:
        assert main(["--db", str(db), "llm", "test", "--json"]) == 0
        answered = json.loads(capsys.readouterr().out)
        assert answered["ok"] and answered["models"] == ["fake-model"]  # the key was accepted
        assert main(["--db", str(db), "llm", "test", "--base-url", listener.url]) == 3
        said = capsys.readouterr().out
        assert "The configured key was not sent" in said
    finally:
        listener.stop()
    assert listener.headers, "the other host was probed"
    for headers in listener.headers:
        assert all(KEY not in value for value in headers.values()), headers
    ctx = open_context(db_path=db)
    try:
        probes = ctx.audit().events(CLI_ACTOR, action=AuditAction.LLM_TEST)
        details = [e.detail for e in probes]
        host = listener.url.split("//")[1].split("/")[0]
        assert any(f"to {host} with no key" in d for d in details)
        assert any("with the configured key: answered" in d for d in details)
        assert {e.outcome for e in probes} == {"ok", "failed"}
    finally:
        close_database(db)


def test_a_key_typed_for_another_host_is_used_once_and_never_stored(
    configured: FakeOpenAI, tmp_path: Path
) -> None:
    listener = Listener()
    ctx = open_context(db_path=tmp_path / "typed.duckdb")
    try:
        llm_settings.probe_connection(
            ctx, listener.url, "fake-model", actor=CLI_ACTOR, api_key="sk-typed-for-this"
        )
        assert any(
            h.get("authorization") == "Bearer sk-typed-for-this" for h in listener.headers
        ), listener.headers
        rows = ctx.db.cursor().execute("SELECT value FROM app_state").fetchall()
        assert all("sk-typed-for-this" not in str(row) for row in rows)
        events = ctx.audit().events(CLI_ACTOR, action=AuditAction.LLM_TEST)
        assert "with the key typed for it" in events[0].detail
        assert "sk-typed" not in events[0].detail
    finally:
        listener.stop()
        close_database(tmp_path / "typed.duckdb")


def test_only_admins_test_the_connection(configured: FakeOpenAI, tmp_path: Path) -> None:
    ctx = open_context(db_path=tmp_path / "roles.duckdb")
    try:
        with pytest.raises(NotAllowed, match="only admins can test the LLM connection"):
            llm_settings.probe_connection(
                ctx, configured.base_url, "m", actor=Actor(name="alice", role=Role.APPROVER)
            )
        assert configured.requests == [], "refused before any request"
    finally:
        close_database(tmp_path / "roles.duckdb")


def test_without_an_endpoint_llm_test_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        assert main(["--db", str(tmp_path / "none.duckdb"), "llm", "test"]) == 1
        assert "No LLM endpoint is configured" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


def test_the_analyst_never_sends_the_key_to_a_host_saved_over_the_configured_one() -> None:
    from pydantic import SecretStr

    from core.config import Settings
    from core.llm.endpoint import EndpointOverrides, resolve_endpoint

    settings = Settings(llm_base_url="https://api.example.com/v1", llm_api_key=SecretStr(KEY))
    same = resolve_endpoint(settings, EndpointOverrides(base_url="https://API.example.com/v2"))
    other = resolve_endpoint(settings, EndpointOverrides(base_url="http://127.0.0.1:9/v1"))
    assert same is not None and same.key_value() == KEY
    assert other is not None and other.api_key is None
    unset = Settings(llm_api_key=SecretStr(KEY))  # no LLM_BASE_URL: the saved URL is the host
    saved = resolve_endpoint(unset, EndpointOverrides(base_url="http://127.0.0.1:9/v1"))
    assert saved is not None and saved.key_value() == KEY
