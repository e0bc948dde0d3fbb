"""A TED award (or corrigendum) joins the tender of the contract notice it names by OJ number."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext
from core.imports.service import import_paths
from core.ingest import parse_path
from core.models import NoticeType, Tender

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ted"
CONTRACT_NOTICE = "2024/S 010-123456"  # minimal_f02.xml, with the buyer's file number ECC/2024/7


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """The contract notice, and an award that names it the way a buyer typed it, without the
    file number and under another spelling of the buyer: only the OJ number links them."""
    notice = FIXTURES / "minimal_f02.xml"
    award = (FIXTURES / "award_f03.xml").read_text(encoding="utf-8")
    award = (
        award.replace("2023/S 040-100001", "2024/S 10-123456")
        .replace("2023/S 130-300001", "2024/S 120-300001")
        .replace("20230707", "20240621")
    )
    award_path = tmp_path / "award.xml"
    award_path.write_text(award, encoding="utf-8")
    return notice, award_path


def only_tender(ctx: AppContext) -> Tender:
    (state,) = ctx.tenders.all_states()
    return state.tender


def test_the_award_names_the_contract_notice_by_its_oj_number(files: tuple[Path, Path]) -> None:
    notice, award = (parse_path(path).tenders[0] for path in files)
    assert notice.source_id == CONTRACT_NOTICE
    assert notice.procedure_id != award.procedure_id, "file number against OJ number"
    assert award.related_notices == [CONTRACT_NOTICE]
    assert award.notice_type is NoticeType.AWARD


def test_an_award_imported_after_its_contract_notice_updates_that_tender(
    ctx: AppContext, files: tuple[Path, Path]
) -> None:
    first, second = import_paths(ctx.tenders, files, actor=CLI_ACTOR)
    assert (first.new, second.new, second.updated) == (1, 0, 1)
    tender = only_tender(ctx)
    assert tender.notice_type is NoticeType.AWARD, "closed: no longer sent to the analyst"
    assert tender.procedure_id == parse_path(files[0]).tenders[0].procedure_id
    (version,) = ctx.tenders.versions(tender.id or 0)
    assert version.changes["notice_type"] == {"old": "tender", "new": "award"}
    assert version.source_file == "award.xml"

    again = import_paths(ctx.tenders, files, actor=CLI_ACTOR)
    assert [(s.new, s.updated, s.duplicates) for s in again] == [(0, 0, 1), (0, 0, 1)]
    assert ctx.tenders.count() == 1


def test_an_award_imported_first_takes_in_its_contract_notice(
    ctx: AppContext, files: tuple[Path, Path]
) -> None:
    notice, award = files
    first, second = import_paths(ctx.tenders, [award, notice], actor=CLI_ACTOR)
    assert (first.new, second.new, second.updated) == (1, 0, 1)
    assert ctx.tenders.count() == 1
    tender = only_tender(ctx)
    contract_notice = parse_path(notice).tenders[0]
    assert tender.notice_type is NoticeType.AWARD, "the older notice does not reopen it"
    assert tender.title == "Nettoyage des bâtiments communaux", "the award's own title stays"
    assert contract_notice.deadline is not None
    assert tender.deadline == contract_notice.deadline, "what the award left out is filled in"
    (version,) = ctx.tenders.versions(tender.id or 0)
    assert "deadline" in version.changes and "notice_type" not in version.changes


def test_both_notices_in_one_batch_make_one_tender(
    ctx: AppContext, files: tuple[Path, Path]
) -> None:
    notice, award = (parse_path(path).tenders[0] for path in files)
    counts = ctx.tenders.import_tenders([award, notice], "both")
    assert (counts.new, counts.updated) == (1, 1)
    tender = only_tender(ctx)
    assert tender.notice_type is NoticeType.AWARD
    assert tender.procedure_id == notice.procedure_id, "the tender keeps the notice's procedure"
