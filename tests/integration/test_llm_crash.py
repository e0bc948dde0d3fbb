"""`python -m core.cli run` killed with SIGKILL mid-way, three times, then run to the end.

A crash may repeat at most the calls that were in flight; every tender comes to rest with
exactly one bid per complete tender. The fake server runs in this process, so its request
log sees every run (the database cannot be read while a run holds its lock).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.synthetic import write_csv
from core.access.roles import CLI_ACTOR
from core.bootstrap import open_context
from core.imports.service import import_paths
from core.models import RESTING_STATUSES
from storage.db import close_database
from tests.fake_openai import FakeConfig, FakeOpenAI, keen
from tests.fakes import route_without_review

ROOT = Path(__file__).resolve().parents[2]
CONCURRENCY = 8
KILLS = 3
TENDERS = 100
REQUESTS_PER_RUN = 20
LATENCY = (0.2, 0.5)


def _env(base_url: str, workdir: Path) -> dict[str, str]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LLM_", "OPENAI_", "DUCKDB_", "WORKER_"))
    }
    return {
        **inherited,
        "PYTHONPATH": str(ROOT),
        "TENDERWISE_LOG_DIR": str(workdir / "logs"),
        "LLM_BASE_URL": base_url,
        "LLM_MODEL": "fake-model",
        "LLM_MAX_CONCURRENCY": str(CONCURRENCY),
    }


def _start_run(db: Path, env: dict[str, str], workdir: Path, n: int) -> subprocess.Popen[bytes]:
    log = (workdir / f"run{n}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "core.cli", "--db", str(db), "run"],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_for_requests(server: FakeOpenAI, count: int, run: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while len(server.requests) < count:
        assert run.poll() is None, f"the run ended early with exit code {run.returncode}"
        assert time.monotonic() < deadline, "the run made too few requests in 60 s"
        time.sleep(0.02)


def test_killed_runs_repeat_only_calls_in_flight(tmp_path: Path) -> None:
    # ~15 s: four interpreter start-ups plus ~150 calls of 0.2-0.5 s at 8 in flight
    db = tmp_path / "tw.duckdb"
    ctx = open_context(db_path=db)
    route_without_review(ctx.state)  # every relevant tender gets its bid in the run
    import_paths(ctx.tenders, [write_csv(tmp_path / "tenders.csv", TENDERS)], actor=CLI_ACTOR)
    close_database(db)

    config = FakeConfig(latency=LATENCY, answerer=keen, seed=30, max_lifetime_s=300)
    with FakeOpenAI(config) as server:
        env = _env(server.base_url, tmp_path)
        in_flight_at_kill: list[int] = []
        for n in range(KILLS):
            run = _start_run(db, env, tmp_path, n)
            try:
                _wait_for_requests(server, len(server.requests) + REQUESTS_PER_RUN, run)
            finally:
                run.kill()  # SIGKILL: no handler, no cleanup
                run.wait(timeout=30)
            killed_at = time.monotonic()
            # a call that arrived within the longest latency may not have been answered yet
            in_flight_at_kill.append(
                sum(1 for r in server.requests if r.t > killed_at - LATENCY[1] - 0.1)
            )
        final = _start_run(db, env, tmp_path, KILLS)
        assert final.wait(timeout=120) == 0, (tmp_path / f"run{KILLS}.log").read_text()
        requests = server.requests

    outcomes = Counter(r.outcome for r in requests)
    assert set(outcomes) == {"ok"}, outcomes
    repeats = sum(n - 1 for n in Counter(r.messages_sha256 for r in requests).values())
    assert repeats <= CONCURRENCY * KILLS, (
        f"{repeats} repeated requests; in flight at the kills: {in_flight_at_kill}"
    )

    ctx = open_context(db_path=db)
    try:
        counts = ctx.tenders.counts_by_status()
        resting = {s.value for s in RESTING_STATUSES}
        assert {s for s, n in counts.items() if n} <= resting, counts
        assert sum(counts.values()) == TENDERS
        bids_per_tender = (
            ctx.db.cursor().execute("SELECT tender_id, count(*) FROM bids GROUP BY 1").fetchall()
        )
        assert all(n == 1 for _, n in bids_per_tender), "one bid per tender, never two"
        assert len(bids_per_tender) == counts.get("complete", 0) > 0
    finally:
        close_database(db)
