"""BidRepository on a real DuckDB file: versions, conflicts, approval and export marks."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.access.roles import Actor
from core.analysts.rules.analyst import RulesAnalyst
from core.bids.editor import BidEditor
from core.models import (
    BidConflict,
    BidDocument,
    BidStatus,
    Role,
    StageOutcome,
    TenderStatus,
)
from core.profile.company import default_profile
from storage.bids import BidRepository
from storage.db import Database, close_database, open_database
from storage.tenders import TenderRepository
from tests.fakes import tender

APPROVED_AT = datetime(2026, 11, 21, 9, 15, tzinfo=UTC)
EXPORTED_AT = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "bids.duckdb"
    yield open_database(path)
    close_database(path)


@pytest.fixture
def tenders(db: Database) -> TenderRepository:
    repository = TenderRepository(db)
    repository.add_tenders([tender("Cloud hosting"), tender("Data platform"), tender("Catering")])
    return repository


@pytest.fixture
def bids(db: Database, tenders: TenderRepository) -> BidRepository:
    """Tenders 1 and 2 have an analyst's bid (version 1); tender 3 has none."""
    tenders.save_outcomes(
        [
            StageOutcome(tender_id=i, bid=_document(f"Draft {i}"), status=TenderStatus.COMPLETE)
            for i in (1, 2)
        ]
    )
    return BidRepository(db)


def _document(summary: str) -> BidDocument:
    return BidDocument(
        executive_summary=summary,
        technical_approach="Approach",
        value_proposition="Value",
        timeline_estimate="Timeline",
        analyst="rules",
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )


def test_the_pipeline_bid_is_version_one_a_draft_by_the_analyst(bids: BidRepository) -> None:
    [first] = bids.versions(1)
    assert first.version == 1 and first.status is BidStatus.DRAFT
    assert first.edited_by is None and first.note is None
    assert first.document.executive_summary == "Draft 1"
    assert first.document.created_at == datetime(2026, 11, 1, tzinfo=UTC)
    assert bids.versions(3) == [] and bids.latest(3) is None


def test_add_version_keeps_every_version_newest_first(
    bids: BidRepository, tenders: TenderRepository
) -> None:
    saved = bids.add_version(1, _document("Edited"), based_on=1, edited_by="Bob", note="tone")
    third = bids.add_version(1, _document("Again"), based_on=2, edited_by="Alice")

    assert (saved.version, saved.edited_by, saved.note) == (2, "Bob", "tone")
    assert [v.version for v in bids.versions(1)] == [3, 2, 1]
    assert bids.latest(1) == third
    assert bids.version(1, 2) == saved
    assert bids.version(1, 9) is None
    state = tenders.get(1)
    assert state is not None and state.bid is not None
    assert state.bid.executive_summary == "Again", "a tender shows its newest version"


def test_a_stale_based_on_is_a_conflict_naming_the_newest_version(bids: BidRepository) -> None:
    bids.add_version(1, _document("Alice's"), based_on=1, edited_by="Alice")

    with pytest.raises(BidConflict) as raised:
        bids.add_version(1, _document("Bob's"), based_on=1, edited_by="Bob")

    assert raised.value.latest is not None
    assert (raised.value.latest.version, raised.value.latest.edited_by) == (2, "Alice")
    assert [v.version for v in bids.versions(1)] == [2, 1]


def test_only_the_newest_draft_can_be_approved(bids: BidRepository) -> None:
    bids.add_version(1, _document("Edited"), based_on=1, edited_by="Bob")

    with pytest.raises(BidConflict):
        bids.approve(1, 1, by="Alice", at=APPROVED_AT)
    approved = bids.approve(1, 2, by="Alice", at=APPROVED_AT)
    with pytest.raises(BidConflict) as twice:
        bids.approve(1, 2, by="Ada", at=EXPORTED_AT)
    with pytest.raises(BidConflict) as no_bid:
        bids.approve(3, 1, by="Alice", at=APPROVED_AT)

    assert approved.status is BidStatus.APPROVED
    assert (approved.approved_by, approved.approved_at) == ("Alice", APPROVED_AT)
    assert twice.value.latest is not None and twice.value.latest.approved_by == "Alice"
    assert no_bid.value.latest is None
    assert bids.version(1, 1).status is BidStatus.DRAFT  # type: ignore[union-attr]


def test_mark_exported_touches_only_approved_versions(bids: BidRepository) -> None:
    bids.approve(1, 1, by="Alice", at=APPROVED_AT)

    marked = bids.mark_exported([(1, 1), (2, 1), (3, 1)], at=EXPORTED_AT)

    assert marked == 1
    exported = bids.version(1, 1)
    assert exported is not None and exported.status is BidStatus.EXPORTED
    assert exported.exported_at == EXPORTED_AT and exported.approved_by == "Alice"
    assert bids.version(2, 1).status is BidStatus.DRAFT  # type: ignore[union-attr]
    assert bids.mark_exported([], at=EXPORTED_AT) == 0
    assert bids.mark_exported([(1, 1)], at=EXPORTED_AT) == 1, "exporting again is allowed"


def test_all_latest_and_counts_follow_the_newest_version(bids: BidRepository) -> None:
    bids.approve(1, 1, by="Alice", at=APPROVED_AT)
    assert bids.counts_by_status() == {"approved": 1, "draft": 1}

    bids.add_version(1, _document("Reworked"), based_on=1, edited_by="Bob")

    assert bids.counts_by_status() == {"draft": 2}
    assert [(v.tender_id, v.version) for v in bids.all_latest()] == [(1, 2), (2, 1)]
    assert bids.all_latest([BidStatus.APPROVED]) == []
    assert [v.tender_id for v in bids.all_latest([BidStatus.DRAFT])] == [1, 2]


def test_the_editor_over_the_real_repositories(
    bids: BidRepository, tenders: TenderRepository
) -> None:
    editor = BidEditor(tenders, bids, default_profile, RulesAnalyst, now=lambda: APPROVED_AT)
    alice = Actor(name="Alice", role=Role.APPROVER)
    editor.save_sections(1, 1, {"executive_summary": "Approved words"}, alice, note="final")
    editor.approve(1, 2, alice)

    data, count = editor.approved_zip("md", actor=alice)

    assert count == 1
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        [name] = archive.namelist()
        text = archive.read(name).decode()
    assert name == "tender-1-cloud-hosting.md"
    assert "Approved words" in text
    assert "- **Version:** 2\n" in text and "not yet approved" not in text
    assert editor.counts() == {BidStatus.DRAFT: 1, BidStatus.APPROVED: 0, BidStatus.EXPORTED: 1}
    assert [row.tender_id for row in editor.documents([BidStatus.EXPORTED])] == [1]


def _save_at_once(bids: BidRepository, based_on: int, text: str) -> list[str]:
    """Two people save on top of the same version at the same moment."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(who: str) -> None:
        barrier.wait()
        try:
            bids.add_version(1, _document(f"{who} {text}"), based_on=based_on, edited_by=who)
            outcomes.append("saved")
        except BidConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(who,)) for who in ("ann", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_saves_on_the_same_version_at_once_give_one_version_and_one_conflict(
    bids: BidRepository,
) -> None:
    for round_ in range(10):
        based_on = bids.latest(1).version  # type: ignore[union-attr]
        assert sorted(_save_at_once(bids, based_on, str(round_))) == ["conflict", "saved"]
        assert bids.latest(1).version == based_on + 1  # type: ignore[union-attr]
