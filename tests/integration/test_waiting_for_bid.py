"""The Bids page watches for bids being written until they land, claimed ones included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.access.roles import CLI_ACTOR
from core.bids.editor import BidEditor
from core.bootstrap import AppContext, open_context
from core.models import DecisionAction
from core.pipeline.worker import run_until_idle
from storage.db import close_database
from tests.fakes import analyse_demo


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    path = tmp_path / "bids.duckdb"
    context = analyse_demo(open_context(db_path=path))
    yield context
    close_database(path)


def test_an_approved_tender_counts_while_its_bid_is_being_written(ctx: AppContext) -> None:
    editor = BidEditor.from_context(ctx)
    assert editor.waiting_for_bid() == 0
    first = ctx.review().queue()[0]
    ctx.review().decide(first.tender_id, DecisionAction.GO, CLI_ACTOR, reason="known buyer")
    assert editor.waiting_for_bid() == 1
    claims = ctx.tenders.claim(10, lease_s=60)  # the worker picks it up
    assert [c.state.tender.id for c in claims] == [first.tender_id]
    assert editor.waiting_for_bid() == 1, "still coming: the page keeps watching"
    ctx.tenders.release_stale(everything=True)
    run_until_idle(ctx.tenders, ctx.make_pipeline, batch_size=50, lease_s=60)
    assert editor.waiting_for_bid() == 0
    assert ctx.tenders.get(first.tender_id).bid is not None  # type: ignore[union-attr]
