"""Roles are enforced in core services, whatever a page shows.

Each refusal is one sentence (NotAllowed), leaves the data as it was, and is recorded as a
refused attempt; the role that may do it succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from core.access.audit import AuditAction
from core.access.roles import CLI_ACTOR, Actor, NotAllowed
from core.bootstrap import AppContext
from core.imports.preview import import_files
from core.imports.service import import_bytes, import_paths, load_demo
from core.llm.endpoint import EndpointOverrides
from core.models import DecisionAction, Role
from core.pipeline.controls import PAUSED_KEY
from core.profile.form import form_from_profile, reset_profile, save_profile_form
from core.review.policy import save_policy
from core.review.service import Overrides
from core.views.llm_settings import EndpointFormValues, forget_refusals, save_endpoint_form
from tests.fakes import analyse_demo

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CSV = FIXTURES / "tenders_basic.csv"
ANN = Actor(name="ann", role=Role.ADMIN)
ALICE = Actor(name="alice", role=Role.APPROVER)
CAROL = Actor(name="carol", role=Role.BID_MANAGER)
VERA = Actor(name="vera", role=Role.VIEWER)
POLICY = {
    "min_relevance_confidence": 0.4,
    "auto_accept_confidence": 0.85,
    "min_bid_score": 6.0,
    "score_review_band": 0.5,
    "every_bid_needs_approval": True,
}


@pytest.fixture
def analysed(ctx: AppContext) -> AppContext:
    return analyse_demo(ctx)


def snapshot(ctx: AppContext) -> tuple[object, ...]:
    """Everything the refused actions could have changed."""
    return (
        ctx.tenders.count(),
        ctx.tenders.counts_by_status(),
        ctx.state.profile_version(),
        ctx.state.load_profile_json(),
        ctx.analyst_settings().endpoint_overrides(),
        ctx.analyst_settings().prefilter_enabled(),
        ctx.state.get(PAUSED_KEY, False),
        ctx.decisions.count(),
    )


def refused(ctx: AppContext, actor: Actor, attempt: Callable[[], object], doing: str) -> None:
    """`attempt` raises one NotAllowed sentence, changes nothing and leaves one refused row."""
    before = snapshot(ctx)
    refusals = len(ctx.audit().events(ANN, action=AuditAction.REFUSED))
    with pytest.raises(NotAllowed) as error:
        attempt()
    message = str(error.value)
    assert message.startswith(f"{actor.name} is a {actor.role.label}, and only ")
    assert f"can {doing}:" in message
    assert message.count(".") <= 1 and "\n" not in message, "one sentence"
    assert snapshot(ctx) == before, "nothing changed"
    events = ctx.audit().events(ANN, action=AuditAction.REFUSED)
    assert len(events) == refusals + 1
    assert (events[0].actor, events[0].outcome) == (actor.name, "refused")


def endpoint_values(**changes: object) -> EndpointFormValues:
    values: dict[str, object] = {
        "base_url": "http://127.0.0.1:9/v1",
        "model": "m",
        "model_filter": "",
        "model_rate": "",
        "model_write": "",
        "rpm": None,
        "tpm": None,
        "max_concurrency": 2,
        "timeout_s": 30.0,
        "max_retries": 2,
        "prefilter": False,
    }
    return EndpointFormValues(**(values | changes))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- viewers
@pytest.mark.parametrize(
    "attempt",
    [
        lambda ctx: import_paths(ctx.tenders, [CSV], actor=VERA, audit=ctx.audit()),
        lambda ctx: import_files(
            ctx.tenders, [(CSV.name, CSV.read_bytes())], actor=VERA, audit=ctx.audit()
        ),
        lambda ctx: import_bytes(
            ctx.tenders, CSV.name, CSV.read_bytes(), actor=VERA, audit=ctx.audit()
        ),
        lambda ctx: load_demo(ctx.tenders, actor=VERA, audit=ctx.audit()),
    ],
    ids=["paths", "uploads", "bytes", "demo"],
)
def test_a_viewer_cannot_import(ctx: AppContext, attempt: Callable[[AppContext], object]) -> None:
    refused(ctx, VERA, lambda: attempt(ctx), "import tenders")


def test_without_an_audit_log_the_role_is_still_checked(ctx: AppContext) -> None:
    with pytest.raises(NotAllowed, match="can import tenders"):
        import_paths(ctx.tenders, [CSV], actor=VERA)
    assert ctx.tenders.count() == 0


def test_a_viewer_cannot_reanalyse_retry_or_pause(analysed: AppContext) -> None:
    tender_id = analysed.review().queue()[0].tender_id
    refused(
        analysed,
        VERA,
        lambda: analysed.controls().reanalyse([tender_id], actor=VERA),
        "re-analyse tenders",
    )
    refused(
        analysed,
        VERA,
        lambda: analysed.controls().reanalyse(None, actor=VERA),
        "re-analyse tenders",
    )
    refused(
        analysed,
        VERA,
        lambda: analysed.controls().retry_errors(actor=VERA),
        "retry tenders in error",
    )
    refused(
        analysed,
        VERA,
        lambda: analysed.controls().set_paused(True, actor=VERA),
        "pause the analysis",
    )


def test_a_viewer_cannot_change_settings(ctx: AppContext) -> None:
    form = form_from_profile(ctx.profile()).model_copy(update={"company_name": "Viewer Ltd"})
    for attempt in (
        lambda: save_profile_form(ctx.state, form, actor=VERA, audit=ctx.audit()),
        lambda: reset_profile(ctx.state, actor=VERA, audit=ctx.audit()),
        lambda: save_policy(ctx.state, actor=VERA, audit=ctx.audit(), **POLICY),
        lambda: save_endpoint_form(ctx, endpoint_values(), actor=VERA),
        lambda: ctx.analyst_settings().save_endpoint_overrides(
            EndpointOverrides(rpm=5), actor=VERA
        ),
        lambda: ctx.analyst_settings().set_prefilter(False, actor=VERA),
        lambda: forget_refusals(ctx, actor=VERA),
    ):
        refused(ctx, VERA, attempt, "change settings")


# ------------------------------------------------------------------------ bid managers
def test_a_bid_manager_cannot_decide(analysed: AppContext) -> None:
    review = analysed.review()
    item = review.queue()[0]
    for action in (DecisionAction.ACCEPT, DecisionAction.GO, DecisionAction.NO_GO):
        refused(
            analysed,
            CAROL,
            lambda action=action: review.decide(item.tender_id, action, CAROL, "because"),
            "decide on tenders",
        )
    refused(
        analysed,
        CAROL,
        lambda: review.decide(
            item.tender_id, DecisionAction.GO, CAROL, "mine", Overrides(overall_score=9.0)
        ),
        "decide on tenders",
    )
    analysed.review().decide(item.tender_id, DecisionAction.NO_GO, ALICE, "Not for us")
    refused(
        analysed,
        CAROL,
        lambda: review.reopen(item.tender_id, CAROL, "Look again"),
        "reopen tenders",
    )


def test_a_bid_manager_cannot_change_settings(ctx: AppContext) -> None:
    refused(
        ctx,
        CAROL,
        lambda: save_policy(ctx.state, actor=CAROL, audit=ctx.audit(), **POLICY),
        "change settings",
    )
    refused(
        ctx,
        CAROL,
        lambda: save_endpoint_form(ctx, endpoint_values(), actor=CAROL),
        "change settings",
    )
    refused(
        ctx,
        CAROL,
        lambda: reset_profile(ctx.state, actor=CAROL, audit=ctx.audit()),
        "change settings",
    )


def test_a_bid_manager_may_import_and_reanalyse(ctx: AppContext) -> None:
    [summary] = import_paths(ctx.tenders, [CSV], actor=CAROL, audit=ctx.audit())
    assert summary.new > 0
    ctx.controls().reanalyse(None, actor=CAROL)
    assert ctx.audit().events(ANN, action=AuditAction.REANALYSE)[0].actor == "carol"
    ctx.controls().set_paused(True, actor=CAROL)
    assert ctx.controls().is_paused()


# ------------------------------------------------------------------------------ admins
def test_an_admin_can_do_all_of_it(analysed: AppContext) -> None:
    ctx = analysed
    item = ctx.review().queue()[0]
    ctx.review().decide(item.tender_id, DecisionAction.NO_GO, ANN, "Not for us")
    assert ctx.controls().reanalyse(None, actor=ANN) >= 0
    [summary] = import_paths(ctx.tenders, [CSV], actor=ANN, audit=ctx.audit())
    assert summary.ok
    version = ctx.state.profile_version()
    assert save_policy(ctx.state, actor=ANN, audit=ctx.audit(), **POLICY) == version + 1
    form = form_from_profile(ctx.profile()).model_copy(update={"company_name": "Admin Ltd"})
    assert save_profile_form(ctx.state, form, actor=ANN, audit=ctx.audit()) == version + 2
    assert ctx.profile().company_name == "Admin Ltd"
    assert save_endpoint_form(ctx, endpoint_values(), actor=ANN) is None
    assert ctx.analyst_settings().endpoint_overrides().base_url == "http://127.0.0.1:9/v1"
    assert ctx.analyst_settings().prefilter_enabled() is False
    assert reset_profile(ctx.state, actor=ANN, audit=ctx.audit()) == version + 3
    assert not ctx.audit().events(ANN, action=AuditAction.REFUSED)


def test_the_command_line_acts_as_a_trusted_admin(ctx: AppContext) -> None:
    assert CLI_ACTOR.role is Role.ADMIN and CLI_ACTOR.name == "cli"
    assert save_policy(ctx.state, actor=CLI_ACTOR, audit=ctx.audit(), **POLICY) >= 1
    [event] = ctx.audit().events(ANN)
    assert (event.actor, event.role) == ("cli", None)
