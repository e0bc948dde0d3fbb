"""BidEditor over in-memory fakes: roles, text limits, conflicts, regeneration, approval, ZIP."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import docx
import pytest

from core.access.roles import Actor, NotAllowed
from core.bids.editor import BidEditError, BidEditor, NothingChanged
from core.errors import AnalystUnavailable
from core.models import (
    BidConflict,
    BidDocument,
    BidStatus,
    BidVersion,
    FilterResult,
    RatingResult,
    Recommendation,
    Role,
    Tender,
    TenderState,
    TenderStatus,
)
from core.profile.company import CompanyProfile, default_profile
from tests.fakes import ScriptedAnalyst, tender

NOW = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)
ALICE = Actor(name="Alice", role=Role.APPROVER)
BOB = Actor(name="Bob", role=Role.BID_MANAGER)
VIOLET = Actor(name="Violet", role=Role.VIEWER)
SECTIONS = ("executive_summary", "technical_approach", "value_proposition", "timeline_estimate")


class FakeBidStore:
    """storage.bids.BidRepository's behaviour over a dict: versions, conflicts, statuses."""

    def __init__(self) -> None:
        self.rows: dict[tuple[int, int], BidVersion] = {}

    def seed(self, tender_id: int, document: BidDocument) -> BidVersion:
        """What the pipeline does: a new analyst version on top of whatever exists."""
        newest = max((v for t, v in self.rows if t == tender_id), default=0)
        saved = BidVersion(tender_id=tender_id, version=newest + 1, document=document)
        self.rows[(tender_id, saved.version)] = saved
        return saved

    def versions(self, tender_id: int) -> list[BidVersion]:
        found = [v for (t, _), v in self.rows.items() if t == tender_id]
        return sorted(found, key=lambda v: v.version, reverse=True)

    def latest(self, tender_id: int) -> BidVersion | None:
        versions = self.versions(tender_id)
        return versions[0] if versions else None

    def version(self, tender_id: int, version: int) -> BidVersion | None:
        return self.rows.get((tender_id, version))

    def all_latest(self, statuses: Sequence[BidStatus] | None = None) -> list[BidVersion]:
        ids = sorted({t for t, _ in self.rows})
        latest = [v for v in (self.latest(t) for t in ids) if v is not None]
        return [v for v in latest if not statuses or v.status in statuses]

    def counts_by_status(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for latest in self.all_latest():
            counts[latest.status.value] = counts.get(latest.status.value, 0) + 1
        return counts

    def add_version(
        self,
        tender_id: int,
        document: BidDocument,
        *,
        based_on: int,
        edited_by: str | None,
        note: str | None = None,
    ) -> BidVersion:
        latest = self.latest(tender_id)
        if (latest.version if latest else 0) != based_on:
            raise BidConflict(latest)
        saved = BidVersion(
            tender_id=tender_id,
            version=based_on + 1,
            document=document,
            edited_by=edited_by,
            note=note,
        )
        self.rows[(tender_id, saved.version)] = saved
        return saved

    def approve(self, tender_id: int, version: int, by: str, at: datetime) -> BidVersion:
        latest = self.latest(tender_id)
        if latest is None or latest.version != version or latest.status is not BidStatus.DRAFT:
            raise BidConflict(latest)
        approved = latest.model_copy(
            update={"status": BidStatus.APPROVED, "approved_by": by, "approved_at": at}
        )
        self.rows[(tender_id, version)] = approved
        return approved

    def mark_exported(self, keys: Sequence[tuple[int, int]], at: datetime) -> int:
        marked = 0
        for key in keys:
            row = self.rows.get(key)
            if row is not None and row.status in (BidStatus.APPROVED, BidStatus.EXPORTED):
                self.rows[key] = row.model_copy(
                    update={"status": BidStatus.EXPORTED, "exported_at": at}
                )
                marked += 1
        return marked


class FakeTenders:
    """The two reads BidEditor needs; each tender's bid is the store's newest version."""

    def __init__(self, bids: FakeBidStore) -> None:
        self.bids = bids
        self.by_id: dict[int, TenderState] = {}

    def add(self, tender_: Tender, *, analysed: bool = True) -> int:
        tender_id = len(self.by_id) + 1
        self.by_id[tender_id] = TenderState(
            tender=tender_.model_copy(update={"id": tender_id}),
            status=TenderStatus.COMPLETE,
            filter=FilterResult(is_relevant=True, confidence=0.9) if analysed else None,
            rating=_rating() if analysed else None,
        )
        return tender_id

    def get(self, tender_id: int) -> TenderState | None:
        state = self.by_id.get(tender_id)
        if state is None:
            return None
        latest = self.bids.latest(tender_id)
        return state.model_copy(update={"bid": latest.document if latest else None})

    def states(self, tender_ids: Sequence[int]) -> list[TenderState]:
        return [s for s in (self.get(i) for i in sorted(tender_ids)) if s is not None]


class DownAnalyst(ScriptedAnalyst):
    name = "llm:gpt-test@down.example"

    def write(self, *args: object) -> BidDocument:  # type: ignore[override]
        raise AnalystUnavailable("The LLM endpoint is not answering; try again in a minute.")


def _rating() -> RatingResult:
    return RatingResult(
        overall_score=7,
        strategic_fit=7,
        win_probability=6,
        effort_required=4,
        recommendation=Recommendation.BID,
    )


def _document(**fields: str) -> BidDocument:
    values = {
        "executive_summary": "Summary by the analyst",
        "technical_approach": "Approach by the analyst",
        "value_proposition": "Value by the analyst",
        "timeline_estimate": "Timeline by the analyst",
        "analyst": "llm:gpt-4o-mini@api.example.test",
        "model": "gpt-4o-mini",
        "prompt_version": "write-1",
        "created_at": datetime(2026, 11, 1, tzinfo=UTC),
    }
    return BidDocument.model_validate(values | fields)


class World:
    def __init__(self) -> None:
        self.bids = FakeBidStore()
        self.tenders = FakeTenders(self.bids)
        self.analyst: ScriptedAnalyst = ScriptedAnalyst()
        self.profile: CompanyProfile = default_profile()
        self.clock = NOW
        self.editor = BidEditor(
            self.tenders,
            self.bids,
            lambda: self.profile,
            lambda: self.analyst,
            now=lambda: self.clock,
        )

    def bid(self, title: str = "Cloud hosting", **tender_fields: object) -> int:
        tender_id = self.tenders.add(tender(title, **tender_fields))
        self.bids.seed(tender_id, _document())
        return tender_id


@pytest.fixture
def world() -> World:
    return World()


# --- list ------------------------------------------------------------------------------------


def test_documents_are_the_newest_versions_with_their_tenders_by_deadline(world: World) -> None:
    late = world.bid("Late", deadline=datetime(2027, 3, 1, tzinfo=UTC))
    soon = world.bid("Soon", deadline=datetime(2027, 1, 2, tzinfo=UTC))
    undated = world.bid("Undated", deadline=None)
    world.tenders.add(tender("No bid at all"))
    world.editor.save_sections(soon, 1, {"executive_summary": "Edited"}, BOB)

    rows = world.editor.documents()

    assert [r.tender_id for r in rows] == [soon, late, undated]
    assert [r.latest.version for r in rows] == [2, 1, 1]
    assert rows[0].tender.title == "Soon" and rows[0].tender.buyer == "Test Council"
    assert rows[0].state.status is TenderStatus.COMPLETE


def test_documents_filter_by_status_and_counts_cover_every_status(world: World) -> None:
    first, second = world.bid("First"), world.bid("Second")
    world.editor.approve(second, 1, ALICE)

    assert [r.tender_id for r in world.editor.documents([BidStatus.APPROVED])] == [second]
    assert [r.tender_id for r in world.editor.documents([BidStatus.DRAFT])] == [first]
    assert world.editor.counts() == {
        BidStatus.DRAFT: 1,
        BidStatus.APPROVED: 1,
        BidStatus.EXPORTED: 0,
    }


# --- save_sections ---------------------------------------------------------------------------


def test_saving_sections_makes_a_draft_version_with_the_base_provenance(world: World) -> None:
    tender_id = world.bid()

    saved = world.editor.save_sections(
        tender_id,
        1,
        {"executive_summary": "  Our own summary\r\nsecond line  "},
        BOB,
        note="  tightened   the summary ",
    )

    assert saved.version == 2 and saved.status is BidStatus.DRAFT
    assert saved.edited_by == "Bob" and saved.note == "tightened the summary"
    assert saved.document.executive_summary == "Our own summary\nsecond line"
    assert saved.document.technical_approach == "Approach by the analyst"
    assert saved.document.analyst == "llm:gpt-4o-mini@api.example.test"
    assert saved.document.prompt_version == "write-1"
    assert saved.document.created_at == NOW
    assert [v.version for v in world.editor.versions(tender_id)] == [2, 1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   \n ", "Technical approach is empty"),
        ("x" * 20_001, "20,001 characters, more than the 20,000"),
    ],
)
def test_a_section_must_hold_text_within_the_limit(world: World, text: str, message: str) -> None:
    tender_id = world.bid()
    with pytest.raises(BidEditError, match=message):
        world.editor.save_sections(tender_id, 1, {"technical_approach": text}, BOB)
    assert len(world.editor.versions(tender_id)) == 1


def test_a_section_of_exactly_the_limit_is_kept(world: World) -> None:
    tender_id = world.bid()
    saved = world.editor.save_sections(tender_id, 1, {"technical_approach": "x" * 20_000}, BOB)
    assert len(saved.document.technical_approach) == 20_000


def test_unchanged_text_is_not_a_new_version(world: World) -> None:
    tender_id = world.bid()
    with pytest.raises(NothingChanged, match="Nothing changed"):
        world.editor.save_sections(
            tender_id, 1, {"executive_summary": "Summary by the analyst  \n"}, BOB
        )
    assert len(world.editor.versions(tender_id)) == 1


def test_an_unknown_section_is_refused(world: World) -> None:
    tender_id = world.bid()
    with pytest.raises(BidEditError, match="no section 'pricing'"):
        world.editor.save_sections(tender_id, 1, {"pricing": "cheap"}, BOB)


def test_a_stale_edit_names_who_saved_meanwhile(world: World) -> None:
    tender_id = world.bid()
    world.editor.save_sections(tender_id, 1, {"executive_summary": "Alice's words"}, ALICE)

    with pytest.raises(BidEditError, match="Version 2 was saved by Alice meanwhile; reload"):
        world.editor.save_sections(tender_id, 1, {"executive_summary": "Bob's words"}, BOB)
    assert world.editor.versions(tender_id)[0].document.executive_summary == "Alice's words"


def test_editing_an_approved_bid_starts_a_new_draft(world: World) -> None:
    tender_id = world.bid()
    world.editor.approve(tender_id, 1, ALICE)
    saved = world.editor.save_sections(tender_id, 1, {"value_proposition": "Better value"}, BOB)
    assert saved.version == 2 and saved.status is BidStatus.DRAFT
    assert world.editor.counts()[BidStatus.DRAFT] == 1


def test_a_viewer_may_not_edit_regenerate_restore_or_approve(world: World) -> None:
    tender_id = world.bid()
    with pytest.raises(NotAllowed, match=r"Violet is a viewer, and only .* can edit bids"):
        world.editor.save_sections(tender_id, 1, {"executive_summary": "Mine"}, VIOLET)
    with pytest.raises(NotAllowed, match="can edit bids"):
        world.editor.regenerate_section(tender_id, 1, "executive_summary", VIOLET)
    with pytest.raises(NotAllowed, match="can edit bids"):
        world.editor.restore(tender_id, 1, 1, VIOLET)
    with pytest.raises(NotAllowed, match="can approve bids"):
        world.editor.approve(tender_id, 1, VIOLET)
    assert world.analyst.calls["write"] == 0
    assert len(world.editor.versions(tender_id)) == 1


def test_a_bid_manager_may_edit_but_not_approve(world: World) -> None:
    tender_id = world.bid()
    world.editor.save_sections(tender_id, 1, {"executive_summary": "Mine"}, BOB)
    with pytest.raises(NotAllowed, match="only admins and approvers can approve bids"):
        world.editor.approve(tender_id, 2, BOB)


def test_a_long_note_is_refused(world: World) -> None:
    tender_id = world.bid()
    with pytest.raises(BidEditError, match="The note has 501 characters"):
        world.editor.save_sections(tender_id, 1, {"executive_summary": "New"}, BOB, "n" * 501)


# --- regenerate ------------------------------------------------------------------------------


def test_regenerating_replaces_only_that_section(world: World) -> None:
    tender_id = world.bid("Cloud hosting")
    world.editor.save_sections(tender_id, 1, {"value_proposition": "Hand-written value"}, BOB)

    saved = world.editor.regenerate_section(tender_id, 2, "executive_summary", ALICE)

    assert saved.version == 3 and saved.edited_by == "Alice"
    assert saved.note == "Regenerated Executive summary with scripted"
    assert saved.document.executive_summary == "Bid for Cloud hosting"
    assert saved.document.value_proposition == "Hand-written value"
    assert saved.document.technical_approach == "Approach by the analyst"
    assert saved.document.timeline_estimate == "Timeline by the analyst"
    assert saved.document.analyst == "scripted" and saved.document.model is None
    assert world.analyst.calls["write"] == 1


def test_regenerating_the_same_text_saves_nothing(world: World) -> None:
    tender_id = world.bid()
    world.editor.save_sections(tender_id, 1, {"technical_approach": "approach"}, BOB)
    with pytest.raises(NothingChanged, match="wrote the same Technical approach again"):
        world.editor.regenerate_section(tender_id, 2, "technical_approach", BOB)
    assert len(world.editor.versions(tender_id)) == 2


def test_regenerating_needs_relevance_and_rating(world: World) -> None:
    tender_id = world.tenders.add(tender("Not analysed"), analysed=False)
    world.bids.seed(tender_id, _document())
    with pytest.raises(BidEditError, match="re-analyse it first"):
        world.editor.regenerate_section(tender_id, 1, "executive_summary", BOB)
    assert world.analyst.calls["write"] == 0


def test_regenerating_on_a_stale_version_does_not_call_the_analyst(world: World) -> None:
    tender_id = world.bid()
    world.editor.save_sections(tender_id, 1, {"executive_summary": "Newer"}, ALICE)
    with pytest.raises(BidEditError, match="Version 2 was saved by Alice meanwhile"):
        world.editor.regenerate_section(tender_id, 1, "timeline_estimate", BOB)
    assert world.analyst.calls["write"] == 0


def test_an_unavailable_analyst_is_one_sentence(world: World) -> None:
    tender_id = world.bid()
    world.analyst = DownAnalyst()
    with pytest.raises(BidEditError, match=r"^The LLM endpoint is not answering; try again"):
        world.editor.regenerate_section(tender_id, 1, "executive_summary", BOB)
    assert len(world.editor.versions(tender_id)) == 1


def test_regenerating_an_unknown_section_is_refused(world: World) -> None:
    tender_id = world.bid()
    with pytest.raises(BidEditError, match="no section 'appendix'"):
        world.editor.regenerate_section(tender_id, 1, "appendix", BOB)


# --- approve ---------------------------------------------------------------------------------


def test_approving_records_who_and_when(world: World) -> None:
    tender_id = world.bid()
    approved = world.editor.approve(tender_id, 1, ALICE)
    assert approved.status is BidStatus.APPROVED
    assert (approved.approved_by, approved.approved_at) == ("Alice", NOW)


def test_approving_twice_says_who_approved_first(world: World) -> None:
    tender_id = world.bid()
    world.editor.approve(tender_id, 1, ALICE)
    admin = Actor(name="Ada", role=Role.ADMIN)
    with pytest.raises(
        BidEditError, match="Version 1 was already approved by Alice at 2026-11-21 10:30 UTC"
    ):
        world.editor.approve(tender_id, 1, admin)


def test_only_the_newest_version_can_be_approved(world: World) -> None:
    tender_id = world.bid()
    world.editor.save_sections(tender_id, 1, {"executive_summary": "Newer"}, BOB)
    with pytest.raises(BidEditError, match=r"Version 2 was saved by Bob meanwhile.*approve"):
        world.editor.approve(tender_id, 1, ALICE)
    with pytest.raises(BidEditError, match="has no version 7"):
        world.editor.approve(tender_id, 7, ALICE)
    with pytest.raises(BidEditError, match="Tender 99 has no bid"):
        world.editor.approve(99, 1, ALICE)


# --- restore ---------------------------------------------------------------------------------


def test_restoring_an_old_version_adds_a_draft_with_its_text(world: World) -> None:
    tender_id = world.bid()
    world.editor.save_sections(tender_id, 1, {"executive_summary": "Second try"}, BOB)
    world.editor.approve(tender_id, 2, ALICE)
    world.clock = NOW + timedelta(hours=1)

    restored = world.editor.restore(tender_id, 1, 2, BOB)

    assert restored.version == 3 and restored.status is BidStatus.DRAFT
    assert restored.note == "Restored version 1" and restored.edited_by == "Bob"
    assert restored.document.executive_summary == "Summary by the analyst"
    assert restored.document.created_at == NOW + timedelta(hours=1)
    assert [v.version for v in world.editor.versions(tender_id)] == [3, 2, 1]


def test_restoring_the_current_text_saves_nothing(world: World) -> None:
    tender_id = world.bid()
    with pytest.raises(NothingChanged, match="same text"):
        world.editor.restore(tender_id, 1, 1, BOB)
    with pytest.raises(BidEditError, match="has no version 5"):
        world.editor.restore(tender_id, 5, 1, BOB)


# --- approved ZIP ----------------------------------------------------------------------------


def test_the_zip_holds_only_approved_versions_and_marks_them_exported(world: World) -> None:
    approved = world.bid("Approved one")
    world.bid("Still a draft")
    exported = world.bid("Exported before")
    world.editor.save_sections(approved, 1, {"executive_summary": "Approved words"}, BOB)
    world.editor.approve(approved, 2, ALICE)
    world.editor.approve(exported, 1, ALICE)
    world.bids.mark_exported([(exported, 1)], NOW)

    data, count = world.editor.approved_zip("md", actor=BOB)

    assert count == 2
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == ["tender-1-approved-one.md", "tender-3-exported-before.md"]
        text = archive.read(names[0]).decode()
    assert "Approved words" in text and "Summary by the analyst" not in text
    assert "- **Version:** 2\n" in text and "not yet approved" not in text
    assert world.editor.counts() == {
        BidStatus.DRAFT: 1,
        BidStatus.APPROVED: 0,
        BidStatus.EXPORTED: 2,
    }


def test_the_docx_zip_names_the_version_and_leaves_out_a_newer_draft(world: World) -> None:
    tender_id = world.bid("Cloud hosting")
    redrafted = world.bid("Redrafted after approval")
    world.editor.approve(tender_id, 1, ALICE)
    world.editor.approve(redrafted, 1, ALICE)
    world.editor.save_sections(redrafted, 1, {"executive_summary": "Reworked"}, BOB)
    data, count = world.editor.approved_zip("docx", actor=BOB)
    assert count == 1
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        [name] = archive.namelist()
        document = docx.Document(io.BytesIO(archive.read(name)))
    texts = [p.text for p in document.paragraphs]
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["Version", "1"] in rows
    assert "Summary by the analyst" in texts
    assert "Submitted by " + world.profile.company_name in texts


def test_a_zip_without_approved_bids_is_refused(world: World) -> None:
    world.bid()
    with pytest.raises(BidEditError, match="No bid is approved yet"):
        world.editor.approved_zip("docx", actor=BOB)
    assert world.editor.counts()[BidStatus.EXPORTED] == 0


def test_a_bid_with_a_mandatory_requirement_open_is_approved_only_with_a_reason(
    world: World,
) -> None:
    from core.access.audit import AuditLog
    from tests.fakes import InMemoryAuditStore

    store = InMemoryAuditStore()
    editor = BidEditor(
        world.tenders,
        world.bids,
        lambda: world.profile,
        lambda: world.analyst,
        now=lambda: world.clock,
        audit=AuditLog(store),
        blocking=lambda _tender_id: ["R-002", "R-007"],
    )
    tender_id = world.bid()
    with pytest.raises(
        BidEditError, match=r"2 mandatory requirements open or non-compliant \(R-002, R-007\)"
    ):
        editor.approve(tender_id, 1, ALICE)
    assert editor.counts()[BidStatus.APPROVED] == 0
    approved = editor.approve(tender_id, 1, ALICE, reason="  insurance certificate follows  ")
    assert approved.status is BidStatus.APPROVED
    [event] = [r for r in store.rows if r["action"] == "bid_approved"]
    assert (
        "2 mandatory requirements not met, because: insurance certificate follows"
        in event["detail"]
    )
