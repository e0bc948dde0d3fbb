"""The Pipeline page's throughput: a rate while work is waiting, zero once the pipeline idles."""

from __future__ import annotations

from core.bootstrap import AppContext
from core.pipeline.status import pipeline_status
from tests.fakes import run_all, tender


def test_throughput_is_a_rate_while_work_waits_and_zero_when_idle(ctx: AppContext) -> None:
    ctx.tenders.add_tenders([tender(f"Cloud hosting {i}") for i in range(6)])
    pipeline = ctx.make_pipeline()
    pipeline.run_once(batch_size=3, lease_s=60)  # half done: three still waiting
    busy = pipeline_status(ctx)
    assert busy.waiting == 3 and busy.throughput_per_s > 0

    run_all(ctx)
    idle = pipeline_status(ctx)
    assert idle.waiting == 0
    assert idle.throughput_per_s == 0.0 and idle.eta_s == 0.0
