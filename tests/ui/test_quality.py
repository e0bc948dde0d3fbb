"""Quality: agreement with the team, the team model, the suggested level, evaluations."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext
from core.models import TenderStatus
from core.quality.evaluate import Evaluation, remember
from core.quality.metrics import Scored, score
from tests.ui.helpers import USERS, app_test, metrics, texts


def test_only_approvers_and_admins_have_it_in_the_sidebar(ctx: AppContext) -> None:
    for user, listed in (("carol", False), ("vera", False), ("alice", True), ("ann", True)):
        at = app_test(user).run()
        assert not at.exception
        if listed:
            at.switch_page("pages/quality.py").run()
            assert at.title[0].value == "Quality"
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page("pages/quality.py")


def test_labels_agreement_and_the_untrained_model(
    open_page: Callable[..., AppTest], analysed_demo: AppContext
) -> None:
    states = [s for s in analysed_demo.tenders.all_states() if s.filter is not None]
    for state in states[:6]:  # two disagree with the analyst
        word = state.filter.is_relevant if state.filter else True
        analysed_demo.feedback().give(state.tender.id or 0, word, USERS["carol"])
    for state in states[6:8]:
        word = not state.filter.is_relevant if state.filter else True
        analysed_demo.feedback().give(state.tender.id or 0, word, USERS["carol"])
    at = open_page("pages/quality.py", user="alice")
    assert not at.exception, [e.value for e in at.exception]
    shown = metrics(at)
    assert shown["Labels from the team"] == "8"
    assert shown["Agree with the analyst"] == "75%"
    assert shown["Relevance overrides"] == "2"
    assert any(t.startswith("Not trained yet: it needs 30 labels") for t in texts(at))
    at.button[0].click().run()  # train now: not enough labels, one sentence
    assert any("Give feedback on more tenders" in t for t in texts(at))
    assert any(t.startswith("No level yet") for t in texts(at))


def test_the_newest_evaluation_is_shown_with_its_charts(
    open_page: Callable[..., AppTest], ctx: AppContext
) -> None:
    rows = [
        Scored(
            notice_id=str(i),
            relevant=i < 5,
            predicted=i < 4,
            verdict=i < 4,
            confidence=0.55 + i / 40,
            review=False,
        )
        for i in range(20)
    ]
    result = Evaluation(
        scores=score(rows),
        analyst="rules",
        hide_cpv=True,
        files=["notices.json"],
        unlabelled=0,
        missing=0,
        rows=rows,
    )
    remember(ctx.evaluations, result, CLI_ACTOR, ctx.clock(), ctx.audit())
    at = open_page("pages/quality.py")
    assert not at.exception, [e.value for e in at.exception]
    shown = metrics(at)
    assert shown["Notices"] == "20" and shown["Recall"] == "0.80"
    assert len(at.get("plotly_chart")) == 2  # the confusion matrix and the reliability diagram
    assert any("notices.json (text only) by cli" in t for t in texts(at))
    assert ctx.tenders.counts_by_status().get(TenderStatus.PENDING.value, 0) == 0
