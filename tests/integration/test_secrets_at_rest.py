"""The LLM API key never comes to rest: not in the database, the data folder, the logs or output.

`python -m core.cli` runs the LLM analyst against the fake endpoint (which demands the key,
so the key really was used) with logging set up as the app does it, the database and logs
under a tmp folder, and some transient faults so error paths log too. Then every file there
is searched for the key's bytes, every text column of the DuckDB file is searched with SQL
(DuckDB compresses strings, so bytes alone could miss it), and so is everything the CLI
printed. A second endpoint echoes the key it was sent in its 401 error, as some proxies do.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import duckdb
import pytest

from core.bootstrap import open_context
from core.config import PROJECT_ROOT, Settings
from core.ingest import parse_path
from core.llm.health import health_for
from core.views.llm_settings import endpoint_form
from storage.db import close_database
from tests.fake_openai import FakeConfig, FakeOpenAI, keen
from tests.fake_openai.server import Reply, openai_error
from tests.fakes import open_deadline

SECRET = "sk-test-SECRET-4242-b7f3c9e1d2a84f6e9c0b5a7d3e1f2a4c"
# Distinctive parts too: a store that cut or masked the key must not keep its middle.
FRAGMENTS = (SECRET, "SECRET-4242-b7f3c9e1", "b7f3c9e1d2a84f6e9c0b5a7d3e1f2a4c")
TENDERS = 8


class EchoingProxy(FakeOpenAI):
    """An endpoint that refuses the key and repeats it in the error, like some proxies."""

    def _unauthorized(self, headers: Mapping[str, str]) -> Reply | None:
        sent = headers.get("Authorization", "")
        message = f"Incorrect API key provided: {sent.removeprefix('Bearer ')}; check it."
        return Reply(401, openai_error(message, "invalid_request_error", code="invalid_api_key"))


def write_tenders(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "buyer", "description", "deadline", "cpv"])
        for n in range(TENDERS):
            writer.writerow(
                [
                    f"Managed cloud hosting and software support, lot {n}",
                    "City of Ely",
                    "Managed cloud hosting, software maintenance and IT support.",
                    open_deadline(),
                    "72000000",
                ]
            )
    return path


class Workspace:
    """A data folder, a logs folder and the CLI run as a separate process, as a user runs it."""

    def __init__(self, root: Path, base_url: str) -> None:
        self.root = root
        self.data = root / "data"
        self.logs = root / "logs"
        self.db = self.data / "tenderwise.duckdb"
        self.outputs: list[str] = []
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("LLM_", "OPENAI_", "DUCKDB_", "TENDERWISE_", "WORKER_"))
        }
        self.env = inherited | {
            "PYTHONPATH": str(PROJECT_ROOT),
            "DUCKDB_PATH": str(self.db),
            "TENDERWISE_LOG_DIR": str(self.logs),
            "LLM_BASE_URL": base_url,
            "LLM_API_KEY": SECRET,
            "LLM_MODEL": "fake-model",
            "LLM_TIMEOUT_S": "5",
            "LLM_MAX_RETRIES": "3",
            "LLM_RETRY_BUDGET_S": "10",
        }

    def import_tenders(self, source: Path) -> None:
        """Import in this process (no key involved) to keep the test quick."""
        ctx = open_context(Settings(llm_base_url=None), self.db)
        try:
            counts = ctx.tenders.import_tenders(parse_path(source).tenders, source.name)
            assert counts.new == TENDERS, counts
        finally:
            close_database(self.db)

    def cli(self, *argv: str, ok: tuple[int, ...] = (0,)) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "core.cli", "--db", str(self.db), *argv],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        self.outputs.append(done.stdout + done.stderr)
        assert done.returncode in ok, (argv, done.returncode, done.stderr[-2000:])
        return done.stdout

    def assert_no_secret(self) -> None:
        files = [p for p in self.root.rglob("*") if p.is_file()]
        assert self.db in files and any(p.suffix == ".log" for p in files), files
        for path in files:
            data = path.read_bytes()
            for fragment in FRAGMENTS:
                for encoded in (fragment.encode(), fragment.encode("utf-16-le")):
                    assert encoded not in data, f"the key is in {path}"
        for text in self.outputs:
            assert not any(f in text for f in FRAGMENTS), text[-2000:]
        rows = text_cells(self.db)
        assert rows, "the database was searched"
        leaks = [(t, c) for t, c, value in rows if any(f in value for f in FRAGMENTS)]
        assert not leaks, f"the key is stored in {leaks}"


def text_cells(db: Path) -> list[tuple[str, str, str]]:
    """(table, column, value) for every non-null cell of every table, as text."""
    cells: list[tuple[str, str, str]] = []
    with duckdb.connect(str(db), read_only=True) as conn:
        columns = conn.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database()"
        ).fetchall()
        for schema, table, column in columns:
            values = conn.execute(
                f'SELECT CAST("{column}" AS VARCHAR) FROM "{schema}"."{table}" '
                f'WHERE "{column}" IS NOT NULL'
            ).fetchall()
            cells += [(table, column, value) for (value,) in values]
    return cells


@pytest.fixture
def servers() -> Iterator[list[FakeOpenAI]]:
    started: list[FakeOpenAI] = []
    yield started
    for server in started:
        server.stop()
        health_for(server.base_url).clear()


def test_an_llm_run_leaves_the_key_nowhere(tmp_path: Path, servers: list[FakeOpenAI]) -> None:
    config = FakeConfig(
        api_key=SECRET,
        answerer=keen,
        fault_rate=0.2,
        fault_kinds=("http_500", "http_429", "malformed", "drop"),
        seed=42,
    )
    server = FakeOpenAI(config).start()
    servers.append(server)
    work = Workspace(tmp_path, server.base_url)
    source = write_tenders(tmp_path / "tenders.csv")

    work.import_tenders(source)
    work.cli("run", "--wait", "30")
    status = json.loads(work.cli("status", "--json"))
    records = json.loads(work.cli("tenders", "--json"))
    work.cli("export", "table", "--format", "csv", "--out", str(work.data / "table.csv"))

    assert status["tenders"] == TENDERS
    assert "fake-model" in status["analyst"]
    assert all(r["status"] != "pending" for r in records), "the key was accepted"
    assert server.stats().get("unauthorized", 0) == 0
    work.assert_no_secret()


def test_a_proxy_that_echoes_the_key_does_not_get_it_stored(
    tmp_path: Path, servers: list[FakeOpenAI]
) -> None:
    server = EchoingProxy(FakeConfig(api_key="the-right-key", answerer=keen)).start()
    servers.append(server)
    work = Workspace(tmp_path, server.base_url)
    work.import_tenders(write_tenders(tmp_path / "tenders.csv"))
    work.cli("run", "--wait", "2", ok=(0, 1, 3))
    work.cli("status", "--json")
    assert server.stats().get("unauthorized", 0) >= 1, "the endpoint saw (and echoed) the key"
    logged = "".join(p.read_text(encoding="utf-8") for p in work.logs.glob("*.log"))
    assert "401" in logged, "the refusal was logged, so the log was really searched"
    work.assert_no_secret()


def test_settings_and_their_description_never_show_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_API_KEY", SECRET)
    settings = Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="fake-model")
    assert settings.llm_api_key is not None
    assert settings.llm_api_key.get_secret_value() == SECRET, "the key is read"
    shown = [repr(settings), str(settings), settings.model_dump_json()]
    db = tmp_path / "tw.duckdb"
    ctx = open_context(settings, db)
    try:
        endpoint = ctx.analyst_settings().endpoint()
        assert endpoint is not None
        form = endpoint_form(ctx)
        shown += [repr(endpoint), endpoint.name, form.api_key_text, repr(form)]
        shown += [json.dumps(form.source_rows()), ctx.analyst_settings().analyst_name() or ""]
        assert form.api_key_set and "set" in form.api_key_text
    finally:
        close_database(db)
    for text in shown:
        assert not any(f in text for f in FRAGMENTS), text
