"""Pages show only what the signed-in person's role may do (core checks it again).

Users (tests/ui/helpers.USERS): ann admin, alice approver, carol bid manager, vera viewer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from core.access.audit import AuditAction
from core.access.roles import Actor
from core.bootstrap import AppContext
from core.models import Role, TenderStatus
from tests.ui.helpers import APP, TIMEOUT_S, USERS, texts

Open = Callable[..., AppTest]
DECISION_BUTTONS = {"Go", "No-go", "Go with these values", "No-go with these values"}
READ_ONLY_REVIEW = "Only approvers and admins decide; you can read the queue."


def _labels(at: AppTest) -> set[str]:
    return {b.label for b in at.button} - {"Sign out"}


def _page_alone(page: str, user: str) -> AppTest:
    """Run one page script as `user`, the way a link to a page outside their menu would."""
    at = AppTest.from_file(str(APP.parent / page), default_timeout=TIMEOUT_S)
    at.session_state["_tenderwise_app_ran"] = True
    at.session_state["tw_actor"] = USERS[user]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ------------------------------------------------------------------------------ review
def test_a_bid_manager_reads_the_queue_without_decision_buttons(
    open_page: Open, analysed_demo: AppContext
) -> None:
    queue = analysed_demo.review().queue()
    at = open_page("pages/review.py", "carol")
    assert not at.exception
    assert [int(i) for i in at.dataframe[0].value["id"]] == [i.tender_id for i in queue]
    assert READ_ONLY_REVIEW in texts(at)
    labels = _labels(at)
    assert not labels & DECISION_BUTTONS
    assert not any(label.startswith("Accept") for label in labels)
    assert not [a for a in at.text_area if a.key and a.key.startswith("review_reason_")]


def test_a_viewer_reads_the_queue_too(open_page: Open, analysed_demo: AppContext) -> None:
    at = open_page("pages/review.py", "vera")
    assert READ_ONLY_REVIEW in texts(at)
    assert not _labels(at) & DECISION_BUTTONS


def test_an_approver_sees_the_decision_buttons(open_page: Open, analysed_demo: AppContext) -> None:
    at = open_page("pages/review.py", "alice")
    assert READ_ONLY_REVIEW not in texts(at)
    assert {"Go", "No-go"} <= _labels(at)


# ------------------------------------------------------------------------------ import
def test_a_viewer_gets_no_uploader(open_page: Open) -> None:
    at = open_page("pages/import.py", "vera")
    assert not at.exception
    assert not at.get("file_uploader")
    assert not _labels(at), "no demo button either"
    assert any("Only bid managers, approvers and admins import tenders" in t for t in texts(at))


def test_a_bid_manager_gets_the_uploader(open_page: Open) -> None:
    at = open_page("pages/import.py", "carol")
    assert len(at.get("file_uploader")) == 1
    assert "Load demo tenders" in _labels(at)


def test_a_viewer_cannot_load_the_demo_from_home(open_page: Open, ctx: AppContext) -> None:
    at = open_page("pages/home.py", "vera")
    assert "Load demo tenders" not in _labels(at)
    assert ctx.tenders.count() == 0


# ---------------------------------------------------------------------------- pipeline
def test_a_viewer_watches_the_pipeline_without_controls(open_page: Open) -> None:
    at = open_page("pages/pipeline.py", "vera")
    assert not at.exception
    assert not _labels(at)
    assert any("you can watch it here" in t for t in texts(at))


def test_a_bid_manager_controls_the_pipeline(open_page: Open) -> None:
    at = open_page("pages/pipeline.py", "carol")
    assert "Retry tenders in error" in _labels(at)


# ----------------------------------------------------------------------------- tenders
def _tender(ctx: AppContext, status: TenderStatus) -> int:
    return next(s.tender.id or 0 for s in ctx.tenders.all_states() if s.status is status)


def _tender_page(tender_id: int, user: str, open_page: Open) -> AppTest:
    at = open_page("pages/home.py", user)
    at.session_state["tender_id"] = tender_id
    at.switch_page("pages/tenders.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_tenders_page_offers_reopen_to_deciders_and_reanalyse_to_workers(
    open_page: Open, analysed_demo: AppContext
) -> None:
    decided = _tender(analysed_demo, TenderStatus.FILTERED_OUT)
    assert {"Re-analyse", "Reopen for review"} <= _labels(_tender_page(decided, "alice", open_page))
    as_carol = _labels(_tender_page(decided, "carol", open_page))
    assert "Re-analyse" in as_carol and "Reopen for review" not in as_carol
    as_vera = _labels(_tender_page(decided, "vera", open_page))
    assert not as_vera & {"Re-analyse", "Reopen for review"}


# -------------------------------------------------------------------------------- bids
def test_bids_page_by_role(open_page: Open, demo_with_bids: AppContext) -> None:
    assert demo_with_bids.bids.all_latest()
    vera = open_page("pages/bids.py", "vera")
    assert not vera.exception
    labels = _labels(vera)
    assert not any(label.startswith(("Approve", "Regenerate", "Restore")) for label in labels)
    assert "Save as new version" not in labels
    assert any("Only bid managers, approvers and admins edit bids" in t for t in texts(vera))

    carol = _labels(open_page("pages/bids.py", "carol"))
    assert "Save as new version" in carol and "Restore this version" in carol
    assert not any(label.startswith("Approve") for label in carol)

    alice = _labels(open_page("pages/bids.py", "alice"))
    assert any(label.startswith("Approve version") for label in alice)


# ---------------------------------------------------------------------------- settings
def test_settings_are_read_only_for_non_admins(open_page: Open, ctx: AppContext) -> None:
    for user in ("alice", "carol", "vera"):
        at = open_page("pages/settings.py", user)
        assert not at.exception
        assert "Only admins change settings; you can read them." in texts(at)
        labels = _labels(at)
        assert not labels & {
            "Save profile",
            "Save review policy",
            "Save endpoint",
            "Reset to default profile",
        }
        assert not at.text_input and not at.data_editor and not at.slider
        assert ctx.profile().company_name in [t.value for t in at.text]
        assert any(s.value == "Values in force" for s in at.subheader)


def test_an_admin_edits_the_settings(open_page: Open) -> None:
    at = open_page("pages/settings.py", "ann")
    assert "Only admins change settings; you can read them." not in texts(at)
    assert {"Save profile", "Save review policy", "Save endpoint"} <= _labels(at)


# ------------------------------------------------------------------------------- audit
def _seed(ctx: AppContext) -> None:
    log = ctx.audit()
    log.record("cli", None, AuditAction.IMPORT, target="file a.csv", detail="=HYPERLINK(1)")
    log.record_actor(
        Actor(name="carol", role=Role.BID_MANAGER), AuditAction.REFUSED, outcome="refused"
    )
    log.record("bob", Role.APPROVER, AuditAction.DECISION, target="tender 4", detail="go")


def test_the_audit_page_for_an_admin(open_page: Open, ctx: AppContext) -> None:
    _seed(ctx)
    at = open_page("pages/audit.py", "ann")
    assert not at.exception
    assert at.title[0].value == "Audit log"
    table = at.dataframe[0].value
    assert table["actor"].tolist() == ["bob", "carol", "cli"], "newest first"
    assert "3 events, newest first." in texts(at)
    [download] = at.get("download_button")
    assert download.proto.label == "Download CSV"

    at.selectbox(key="audit_action").set_value(AuditAction.IMPORT).run()
    assert at.dataframe[0].value["target"].tolist() == ["file a.csv"]
    assert "1 event, newest first." in texts(at)

    at.selectbox(key="audit_action").set_value(None).run()
    at.text_input(key="audit_actor").input("Carol").run()
    assert at.dataframe[0].value["outcome"].tolist() == ["refused"]

    at.text_input(key="audit_actor").input("").run()
    at.text_input(key="audit_text").input("tender 4").run()
    assert at.dataframe[0].value["actor"].tolist() == ["bob"]

    at.text_input(key="audit_text").input("nothing like this").run()
    assert "No event matches these filters." in texts(at)


def test_the_audit_csv_is_formula_safe(ctx: AppContext) -> None:
    from core.access.audit import events_csv

    _seed(ctx)
    data = events_csv(ctx.audit().events(USERS["ann"])).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(data)) for cell in row]
    assert "'=HYPERLINK(1)" in cells


def test_the_audit_page_for_everyone_else(ctx: AppContext) -> None:
    _seed(ctx)
    for user in ("alice", "carol", "vera"):
        at = _page_alone("pages/audit.py", user)
        assert "Only admins read the audit log." in texts(at)
        assert not at.dataframe and not at.get("download_button")
