"""The background worker over a real DuckDB file."""

from __future__ import annotations

import time

from core.access.roles import CLI_ACTOR
from core.imports.service import load_demo
from core.models import RESTING_STATUSES, TenderStatus
from core.pipeline.worker import run_until_idle


def _wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def _all_resting(ctx) -> bool:
    counts = ctx.tenders.counts_by_status()
    return bool(counts) and all(TenderStatus(s) in RESTING_STATUSES for s in counts)


def test_worker_analyses_imports_in_the_background(ctx):
    worker = ctx.make_worker()
    worker.poll_s = 0.05
    worker.start()
    try:
        load_demo(ctx.tenders, actor=CLI_ACTOR)
        worker.wake()
        _wait_until(lambda: _all_resting(ctx))
    finally:
        worker.stop()
    assert not worker.running
    assert worker.stats.processed == ctx.tenders.count()


def test_paused_worker_claims_nothing_until_resumed(ctx):
    load_demo(ctx.tenders, actor=CLI_ACTOR)
    ctx.controls().set_paused(True, actor=CLI_ACTOR)
    worker = ctx.make_worker()
    worker.poll_s = 0.05
    worker.start()
    try:
        time.sleep(0.5)
        assert ctx.tenders.counts_by_status() == {"pending": ctx.tenders.count()}
        ctx.controls().set_paused(False, actor=CLI_ACTOR)
        _wait_until(lambda: _all_resting(ctx))
    finally:
        worker.stop()


def test_restart_recovers_interrupted_claims(ctx):
    load_demo(ctx.tenders, actor=CLI_ACTOR)
    total = ctx.tenders.count()
    # a process died holding claims with long leases
    claims = ctx.tenders.claim(10, lease_s=3600)
    assert len(claims) == 10
    worker = ctx.make_worker()
    worker.poll_s = 0.05
    worker.start()
    try:
        _wait_until(lambda: _all_resting(ctx))
    finally:
        worker.stop()
    assert sum(ctx.tenders.counts_by_status().values()) == total


def test_foreground_run_matches_background(ctx):
    load_demo(ctx.tenders, actor=CLI_ACTOR)
    report = run_until_idle(ctx.tenders, ctx.make_pipeline, batch_size=7, lease_s=60)
    assert report.claimed == ctx.tenders.count()
    assert _all_resting(ctx)
    complete = ctx.tenders.counts_by_status().get("complete", 0)
    assert ctx.tenders.count_bids() == complete
