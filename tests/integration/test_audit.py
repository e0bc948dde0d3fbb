"""The audit log over a real DuckDB file: what each action records, filters, append-only.

Each test starts from an empty log and checks the exact rows an action leaves.
"""

from __future__ import annotations

import inspect
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.access.audit import AuditAction, AuditEvent
from core.access.roles import CLI_ACTOR, Actor, NotAllowed
from core.bids.editor import BidEditor
from core.bootstrap import AppContext
from core.cli import main
from core.imports.service import import_paths
from core.models import DecisionAction, Proposal, Role
from core.review.policy import save_policy
from storage import audit as audit_storage
from storage.audit import AuditRepository
from storage.db import close_database
from tests.fakes import analyse_demo, route_without_review

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ANN = Actor(name="ann", role=Role.ADMIN, display_name="Ann Admin")
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


def rows(ctx: AppContext, **filters: object) -> list[AuditEvent]:
    return ctx.audit().events(ANN, **filters)  # type: ignore[arg-type]


def test_a_fresh_database_has_an_empty_log(ctx: AppContext) -> None:
    assert rows(ctx) == []


def test_a_decision_is_one_row(ctx: AppContext) -> None:
    analyse_demo(ctx)
    item = next(i for i in ctx.review().queue() if i.proposal is Proposal.GO)
    before = len(rows(ctx))

    ctx.review().decide(item.tender_id, DecisionAction.NO_GO, ALICE, "Too far from our work")

    [event] = rows(ctx)[: len(rows(ctx)) - before]
    assert (event.actor, event.role, event.action, event.outcome) == (
        "alice",
        Role.APPROVER,
        AuditAction.DECISION,
        "ok",
    )
    assert event.target == f"tender {item.tender_id}"
    assert event.detail == "no_go: needs_review → rejected; reason: Too far from our work"
    assert rows(ctx, action=AuditAction.DECISION) == [event]


def test_a_reopen_is_a_decision_row(ctx: AppContext) -> None:
    analyse_demo(ctx)
    item = ctx.review().queue()[0]
    ctx.review().decide(item.tender_id, DecisionAction.NO_GO, ALICE, "No")
    ctx.review().reopen(item.tender_id, ANN, "Buyer changed the scope")
    newest = rows(ctx, action=AuditAction.DECISION)[0]
    assert (newest.actor, newest.target) == ("ann", f"tender {item.tender_id}")
    assert newest.detail.startswith("reopen: rejected → needs_review")


def test_an_import_is_a_start_and_an_outcome_per_file(ctx: AppContext) -> None:
    files = [FIXTURES / "tenders_basic.csv", FIXTURES / "tenders_partly_bad.csv"]
    summaries = import_paths(ctx.tenders, files, actor=CAROL, audit=ctx.audit())

    events = rows(ctx)
    assert [e.target for e in reversed(events)] == [f"file {p.name}" for p in files for _ in "ab"]
    # the start is recorded before any row is stored: a killed import still says who
    assert [e.detail.startswith("started:") for e in reversed(events)] == [True, False] * 2
    assert all(e.action is AuditAction.IMPORT and e.actor == "carol" for e in events)
    assert all(e.role is Role.BID_MANAGER and e.outcome == "ok" for e in events)
    assert summaries[0].counts_text() in events[-2].detail


def test_a_refused_file_is_recorded_with_its_reason(ctx: AppContext, tmp_path: Path) -> None:
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"%PDF-1.4 not tenders")
    [summary] = import_paths(ctx.tenders, [bad], actor=CLI_ACTOR, audit=ctx.audit())
    [event, _started] = rows(ctx)
    assert summary.failed and "file refused" in event.detail
    assert (event.actor, event.role, event.target) == ("cli", None, "file notes.pdf")


def test_a_settings_change_is_one_row(ctx: AppContext) -> None:
    version = save_policy(ctx.state, actor=ANN, audit=ctx.audit(), **POLICY)
    [event] = rows(ctx)
    assert (event.actor, event.role, event.action) == (
        "ann",
        Role.ADMIN,
        AuditAction.SETTINGS_CHANGED,
    )
    assert event.target == "settings: review policy"
    assert event.detail.startswith(f"profile version {version}: relevance 0.40–0.85")


def test_endpoint_changes_name_the_fields_never_their_values(ctx: AppContext) -> None:
    from core.llm.endpoint import EndpointOverrides

    secret_url = "https://user:s3cret-pass@llm.example/v1"
    ctx.analyst_settings().save_endpoint_overrides(
        EndpointOverrides(base_url=secret_url, rpm=60), actor=ANN
    )
    ctx.analyst_settings().save_endpoint_overrides(
        EndpointOverrides(base_url=secret_url, rpm=60), actor=ANN
    )
    ctx.analyst_settings().set_prefilter(False, actor=ANN)
    events = rows(ctx)
    assert [e.detail for e in events] == ["rules prefilter off", "changed base_url, rpm"]
    assert all("s3cret" not in e.detail and "s3cret" not in e.target for e in events)


def test_a_refused_attempt_is_one_row_and_changes_nothing(ctx: AppContext) -> None:
    version = ctx.state.profile_version()
    with pytest.raises(NotAllowed) as refused:
        save_policy(ctx.state, actor=CAROL, audit=ctx.audit(), **POLICY)
    assert ctx.state.profile_version() == version
    [event] = rows(ctx)
    assert (event.actor, event.role, event.action, event.outcome) == (
        "carol",
        Role.BID_MANAGER,
        AuditAction.REFUSED,
        "refused",
    )
    assert event.target == "settings: review policy"
    assert event.detail == str(refused.value)


def test_a_zip_export_and_a_bid_approval_are_rows(ctx: AppContext) -> None:
    route_without_review(ctx.state)
    analyse_demo(ctx)
    editor = BidEditor.from_context(ctx)
    [row, *_] = editor.documents()
    editor.approve(row.tender_id, row.latest.version, ALICE)
    with pytest.raises(NotAllowed, match="vera is a viewer"):
        editor.approved_zip("md", actor=VERA)  # it marks bids exported: a step of the work
    editor.approved_zip("md", actor=CAROL)

    export, refused, approval = rows(ctx)[:3]
    assert (refused.actor, refused.outcome) == ("vera", "refused")
    assert (approval.action, approval.actor, approval.target) == (
        AuditAction.BID_APPROVED,
        "alice",
        f"tender {row.tender_id}",
    )
    assert (export.action, export.actor, export.role) == (
        AuditAction.EXPORT,
        "carol",
        Role.BID_MANAGER,
    )
    assert export.target == "approved bids (md zip)"
    assert export.detail == f"1 bids: tenders {row.tender_id}"


def test_bid_edits_are_rows(ctx: AppContext) -> None:
    route_without_review(ctx.state)
    analyse_demo(ctx)
    editor = BidEditor.from_context(ctx)
    row = editor.documents()[0]
    editor.save_sections(row.tender_id, 1, {"executive_summary": "New words"}, CAROL, "tone")
    editor.restore(row.tender_id, 1, 2, CAROL)
    edits = rows(ctx, action=AuditAction.BID_EDITED)
    assert [e.detail for e in edits] == [
        "version 3 on version 2: Restored version 1",
        "version 2 on version 1: tone",
    ]


def test_reanalyse_and_retry_are_rows(ctx: AppContext) -> None:
    analyse_demo(ctx)
    tender_id = ctx.review().queue()[0].tender_id
    assert ctx.controls().reanalyse([tender_id], actor=CAROL) == 1
    assert ctx.controls().retry_errors(actor=CAROL) == 0, "nothing in error: no row"
    [event] = rows(ctx, action=AuditAction.REANALYSE)
    assert (event.actor, event.target, event.detail) == (
        "carol",
        f"tender {tender_id}",
        "1 queued for analysis",
    )


def test_cli_exports_and_imports_are_recorded_as_cli(tmp_path: Path, capsys) -> None:
    db = tmp_path / "cli.duckdb"
    assert main(["--db", str(db), "import", str(FIXTURES / "tenders_basic.csv")]) == 0
    out = tmp_path / "table.csv"
    assert main(["--db", str(db), "export", "table", "--format", "csv", "--out", str(out)]) == 0
    capsys.readouterr()

    assert main(["--db", str(db), "audit", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(e["actor"], e["role"], e["action"]) for e in listed] == [
        ("cli", None, "export"),
        ("cli", None, "import"),
        ("cli", None, "import"),
    ]
    assert listed[0]["target"] == "tender table (csv)"

    assert main(["--db", str(db), "audit", "list", "--action", "import"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  cli  import  file tenders_basic.csv", text)
    assert text.rstrip().endswith("2 events, newest first.")

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    assert main(["--db", str(db), "audit", "list", "--since", tomorrow]) == 0
    assert capsys.readouterr().out.strip() == "No audit events match."
    assert main(["--db", str(db), "audit", "list", "--actor", "cli", "--limit", "1"]) == 0
    assert capsys.readouterr().out.count(" cli ") == 1
    close_database(db)


def test_filters_over_the_real_table(ctx: AppContext) -> None:
    log = ctx.audit()
    first = log.record("bob", Role.APPROVER, AuditAction.DECISION, target="tender 1", detail="go")
    second = log.record("cli", None, AuditAction.IMPORT, target="file a.csv", detail="3 new")
    third = log.record_actor(VERA, AuditAction.EXPORT, target="tender table (csv)")
    assert rows(ctx) == [third, second, first]
    assert rows(ctx, actor="BOB") == [first]
    assert rows(ctx, action=AuditAction.IMPORT) == [second]
    assert rows(ctx, since=second.at) == [third, second]
    assert rows(ctx, until=second.at) == [first]
    assert rows(ctx, text="A.CSV") == [second]
    assert rows(ctx, limit=2) == [third, second]
    with pytest.raises(NotAllowed):
        log.events(ALICE)


def test_the_log_is_append_only(ctx: AppContext) -> None:
    source = inspect.getsource(audit_storage)
    assert not re.search(r"\b(UPDATE|DELETE|TRUNCATE|DROP)\b", source)
    public = {n for n in vars(AuditRepository) if not n.startswith("_")}
    assert public == {"append", "list_events", "count"}
    ctx.audit().record("system", None, AuditAction.IMPORT)
    ctx.audit().record("system", None, AuditAction.EXPORT)
    assert [e.id for e in rows(ctx)] == [2, 1]
