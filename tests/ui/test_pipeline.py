from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext
from core.imports.service import load_demo
from core.models import StageOutcome, TenderStatus
from tests.ui.helpers import metrics, texts


def test_empty_database(open_page: Callable[[str], AppTest], ctx: AppContext) -> None:
    at = open_page("pages/pipeline.py")
    assert not at.exception
    assert at.title[0].value == "Pipeline"
    assert metrics(at)["Waiting"] == "0"
    assert any("rules: offline CPV + keyword analyst" in t for t in texts(at))


def test_pause_and_start_toggle_the_stored_flag(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/pipeline.py")
    assert not ctx.controls().is_paused()
    at.button[0].click().run()  # "Pause analysis"
    assert not at.exception
    assert ctx.controls().is_paused()
    assert at.button[0].label == "Start analysis"
    assert any("paused" in w.value for w in at.warning)
    at.button[0].click().run()
    assert not ctx.controls().is_paused()
    assert at.button[0].label == "Pause analysis"


def test_mid_analysis_counts_come_from_the_database(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    ctx.controls().set_paused(True, actor=CLI_ACTOR)  # the worker leaves the tenders pending
    summary = load_demo(ctx.tenders, actor=CLI_ACTOR)
    at = open_page("pages/pipeline.py")
    assert not at.exception
    shown = metrics(at)
    # one metric per status, labelled with the status label; the name is in its help
    assert shown[TenderStatus.PENDING.label] == str(summary.new)
    assert shown[TenderStatus.COMPLETE.label] == "0"
    assert shown["Waiting"] == str(summary.new)
    assert shown["Time left"] == "paused"
    assert at.get("progress")[0].proto.value == 0


def test_retry_sends_tenders_in_error_back(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    ctx.controls().set_paused(True, actor=CLI_ACTOR)
    load_demo(ctx.tenders, actor=CLI_ACTOR)
    failed = ctx.tenders.claim(2, 60)
    ctx.tenders.save_outcomes(
        [
            StageOutcome(tender_id=c.state.tender.id or 0, status=TenderStatus.ERROR, error="boom")
            for c in failed
        ]
    )
    at = open_page("pages/pipeline.py")
    assert metrics(at)[TenderStatus.ERROR.label] == "2"
    errors = at.dataframe[0].value
    assert len(errors) == 2
    assert set(errors["error"]) == {"boom"}

    at.button[1].click().run()  # "Retry tenders in error"
    assert not at.exception
    assert ctx.tenders.counts_by_status().get("error", 0) == 0
    assert metrics(at)[TenderStatus.ERROR.label] == "0"
