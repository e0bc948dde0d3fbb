"""OCDS as the public portals publish it in 2025: every release imported, with what bid teams need.

The fixtures in tests/fixtures/ocds/portals are synthetic but shaped like each portal's releases
(see the README there). The last tests read the real OCDS files in ../shared/data when present.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from core.ingest import parse_file
from core.ingest.ocds import DERIVED_TITLE_LIMIT
from core.models import Classification, NoticeType, ParsedFile, Tender

PORTALS = Path(__file__).resolve().parents[1] / "fixtures" / "ocds" / "portals"
PORTAL_FILES = sorted(PORTALS.glob("*.json"))
SHARED_OCDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "ocds"
needs_shared_data = pytest.mark.skipif(
    not SHARED_OCDS.is_dir(), reason="shared OCDS data is absent"
)

# What issue 5 asks of real portal files: every release a tender, and these shares of them.
TITLED, WITH_BUYER, CLASSIFIED = 0.98, 0.95, 0.90
BST = timezone(timedelta(hours=1))
AEST = timezone(timedelta(hours=10))


def read(path: Path) -> ParsedFile:
    return parse_file(path.read_bytes(), path.name)


def portal(name: str) -> dict[str, Tender]:
    """The fixture's tenders by release id (PCS releases have none: by ocid)."""
    parsed = read(PORTALS / name)
    assert refused(parsed) == []
    return {str(t.raw.get("id") or t.source_id): t for t in parsed.tenders}


def refused(parsed: ParsedFile) -> list[tuple[int, str]]:
    return [(e.row, e.message) for e in parsed.errors if e.level != "warning"]


def releases_in(path: Path) -> int:
    document = json.loads(path.read_bytes())
    if isinstance(document, list):
        return len(document)
    for key in ("releases", "records"):
        if isinstance(document.get(key), list):
            return len(document[key])
    return 1


def shares(tenders: Sequence[Tender]) -> dict[str, float]:
    count = len(tenders)
    return {
        "title": sum(bool(t.title.strip()) for t in tenders) / count,
        "buyer": sum(bool(t.buyer) for t in tenders) / count,
        "classification": sum(bool(t.cpv_codes or t.classifications) for t in tenders) / count,
    }


def assert_coverage(tenders: Sequence[Tender], where: str) -> None:
    found = shares(tenders)
    missing = {
        field: [t.source_id for t in tenders if not ok(t)]
        for field, ok in (
            ("buyer", lambda t: bool(t.buyer)),
            ("classification", lambda t: bool(t.cpv_codes or t.classifications)),
        )
    }
    assert found["title"] >= TITLED, (where, found)
    assert found["buyer"] >= WITH_BUYER, (where, found, missing["buyer"])
    assert found["classification"] >= CLASSIFIED, (where, found, missing["classification"])


def package(*releases: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "uri": "https://example.org/p",
            "publishedDate": "2025-06-02T00:00:00Z",
            "releases": releases,
        }
    ).encode()


# --------------------------------------------------------------------------- every portal file


@pytest.mark.parametrize("path", PORTAL_FILES, ids=lambda path: path.name)
def test_every_release_of_a_portal_file_becomes_a_tender(path: Path) -> None:
    parsed = read(path)
    assert parsed.format == "ocds"
    assert refused(parsed) == []
    assert len(parsed.tenders) == releases_in(path)
    assert_coverage(parsed.tenders, path.name)


def test_the_portal_files_cover_every_portal() -> None:
    prefixes = {
        (t.procedure_id or "")[: len("ocds-h6vhtk")]
        for path in PORTAL_FILES
        for t in read(path).tenders
    }
    assert prefixes == {"ocds-h6vhtk", "ocds-b5fd17", "ocds-r6ebe6", "ocds-kuma6s", "ocds-43qwtd"}


# --------------------------------------------------------------------------- Find a Tender


def test_find_a_tender_procurement_act_tender_notice() -> None:
    tender = portal("find_a_tender_2025.json")["031010-2025"]
    assert tender.title == "Grounds maintenance of parks and cemeteries"
    assert (tender.buyer, tender.country) == ("Northvale Borough Council", "GB")  # address.country
    assert tender.deadline == datetime(2025, 7, 14, 12, tzinfo=BST)
    assert tender.deadline.utcoffset() == timedelta(hours=1)
    assert (tender.value_amount, tender.value_currency) == (850_000, "GBP")  # net, not amountGross
    # UKPGA notices carry CPV only in items[].additionalClassifications, lot by lot.
    assert tender.cpv_codes == ["77313000", "77311000"]
    assert [(lot.id, lot.value_amount, lot.cpv_codes) for lot in tender.lots] == [
        ("1", 510_000, ["77313000"]),
        ("2", 408_000, ["77311000"]),  # only amountGross given
    ]
    assert (tender.notice_type, tender.form_type) == (NoticeType.TENDER, "UK4,tender")
    assert tender.url == "https://www.find-tender.service.gov.uk/Notice/031010-2025"
    assert tender.procedure_id == "ocds-h6vhtk-05a110"
    assert tender.published_at == datetime(2025, 6, 2, 10, tzinfo=BST)


def test_find_a_tender_two_stage_tender_has_the_interest_deadline_and_gross_value() -> None:
    tender = portal("find_a_tender_2025.json")["031011-2025"]
    assert tender.deadline == datetime(2025, 6, 30, 17, tzinfo=BST)  # expressionOfInterestDeadline
    assert (tender.value_amount, tender.value_currency) == (1_200_000, "GBP")  # amountGross only
    assert tender.cpv_codes == ["71351000"]


def test_find_a_tender_notice_types_and_their_uk_numbers() -> None:
    notices = portal("find_a_tender_2025.json")
    expected = {
        "031001-2025": (NoticeType.PLANNING, "UK1,planning"),
        "031002-2025": (NoticeType.PLANNING, "UK2,planning"),
        "031003-2025": (NoticeType.PLANNING, "UK3,planning"),
        "031013-2025": (NoticeType.TENDER, "UK4,tenderUpdate"),
        "031017-2025": (NoticeType.TENDER, "planning,tender"),
        "031020-2025": (NoticeType.AWARD, "UK5,award,contract"),
        "031021-2025": (NoticeType.AWARD, "UK6,award,contract"),
        "031023-2025": (NoticeType.AWARD, "UK7,award,contract"),
        "031025-2025": (NoticeType.AWARD, "UK14,award,contract"),
        "031026-2025": (NoticeType.MODIFICATION, "UK10,contractAmendment"),
        "031031-2025": (NoticeType.CANCELLATION, "UK12,tenderCancellation"),
    }
    assert {key: (notices[key].notice_type, notices[key].form_type) for key in expected} == expected


def test_find_a_tender_update_is_a_later_version_of_the_same_procedure() -> None:
    notices = portal("find_a_tender_2025.json")
    first, update = notices["031010-2025"], notices["031013-2025"]
    assert first.procedure_id == update.procedure_id
    assert update.deadline == datetime(2025, 7, 21, 12, tzinfo=BST)


def test_find_a_tender_award_and_contract_releases() -> None:
    notices = portal("find_a_tender_2025.json")
    award = notices["031021-2025"]
    assert (award.title, award.cpv_codes) == ("Arboricultural services", ["77211400"])
    assert award.value_amount is None  # an award's value is not the tender's estimate
    # CPV only on the award's or the contract's items.
    assert notices["031022-2025"].cpv_codes == ["45241000"]
    assert notices["031023-2025"].cpv_codes == ["77211400"]
    # A correction published as a delta: named, but nothing else is made up.
    delta = notices["031024-2025"]
    assert (delta.title, delta.cpv_codes, delta.classifications) == (
        "Student enrolment system",
        [],
        [],
    )


def test_find_a_tender_cancellation_stub_is_kept_and_named_by_its_procedure() -> None:
    stub = portal("find_a_tender_2025.json")["031030-2025"]
    assert stub.title == "Cancellation notice for ocds-h6vhtk-05a130"
    assert stub.notice_type is NoticeType.CANCELLATION
    assert (stub.buyer, stub.cpv_codes, stub.description) == (None, [], "")


def test_find_a_tender_buyer_fallbacks_and_country() -> None:
    notices = portal("find_a_tender_2025.json")
    assert notices["031018-2025"].buyer == "Fenwick College of Arts"  # parties only, no buyer
    # The buyer, not the central purchasing body beside it.
    assert notices["031019-2025"].buyer == "Eastmere Hospitals NHS Foundation Trust"
    forwarded = notices["031016-2025"]  # forwarded from Public Contracts Scotland
    assert (forwarded.buyer, forwarded.country) == ("Loch Arden College", "GB")  # NUTS UKM75
    assert forwarded.cpv_codes == ["55520000", "55523100"]
    assert forwarded.url == "https://api.publiccontractsscotland.gov.uk/v1/Notice?id=JUN512345"


def test_find_a_tender_record_package_reads_the_compiled_release() -> None:
    (tender,) = read(PORTALS / "find_a_tender_record_2025.json").tenders
    assert tender.title == "Street cleansing contract 2026"
    assert (tender.notice_type, tender.form_type) == (NoticeType.TENDER, "UK4,compiled")
    assert tender.url == "https://www.find-tender.service.gov.uk/Notice/033690-2025"
    assert (tender.value_amount, tender.cpv_codes) == (6_400_000, ["90610000"])


# --------------------------------------------------------------------------- Contracts Finder


def test_contracts_finder_opportunity() -> None:
    ocid = "ocds-b5fd17-4b1d2c3e-0001-4aaa-9bbb-000000000001"
    tender = portal("contracts_finder_2025.json")[ocid.removeprefix("ocds-b5fd17-") + "-901101"]
    assert tender.title == "Public toilet cleaning and maintenance"
    assert (tender.buyer, tender.country) == ("Ashcombe Town Council", "GB")  # "England"
    assert tender.cpv_codes == ["90911200", "50700000"]  # classification + additional
    assert (tender.value_amount, tender.value_currency) == (153_673.47, "GBP")
    assert tender.deadline == datetime(2025, 4, 7, 12, tzinfo=BST)
    assert tender.url == f"https://www.contractsfinder.service.gov.uk/Notice/{ocid[12:]}"
    assert tender.procedure_id == ocid


def test_contracts_finder_award_planning_and_withdrawn_notices() -> None:
    notices = {t.source_id[-2:]: t for t in portal("contracts_finder_2025.json").values()}
    award = notices["03"]
    assert award.notice_type is NoticeType.AWARD
    # The award notice link sits on the award, not the tender.
    assert award.url == (
        "https://www.contractsfinder.service.gov.uk/Notice/9c2e7f10-aaaa-4bbb-8ccc-000000000003"
    )
    assert notices["06"].notice_type is NoticeType.PLANNING
    assert notices["06"].value_amount is None  # 0 means "not stated"
    assert notices["08"].notice_type is NoticeType.CANCELLATION  # status "withdrawn"


# --------------------------------------------------------------------------- Scotland and Wales


def test_public_contracts_scotland_contract_notice() -> None:
    notices = portal("public_contracts_scotland_2025.json")  # no release ids: keyed by ocid
    tender = notices["ocds-r6ebe6-0000790001"]
    assert tender.title == "Winter gritting salt supply 2025 to 2027"
    assert (tender.buyer, tender.country, tender.language) == ("Glenmuir Council", "GB", "en")
    assert tender.cpv_codes == ["34927100"]
    assert tender.deadline == datetime(2025, 6, 9, 12, tzinfo=BST)
    # The notice page, not the canonical link to the JSON API.
    assert tender.url == (
        "https://www.publiccontractsscotland.gov.uk/search/show/search_view.aspx?ID=MAY512001"
    )
    assert not tender.description.startswith("NOTE")  # the release's boilerplate is not it
    lots = notices["ocds-r6ebe6-0000790002"].lots
    assert [(lot.title, lot.value_amount, lot.cpv_codes) for lot in lots] == [
        ("North estate", 1_500_000, ["45261210"]),
        ("South estate", 800_000, ["45261910"]),
    ]
    assert notices["ocds-r6ebe6-0000790003"].notice_type is NoticeType.AWARD
    assert notices["ocds-r6ebe6-0000790004"].notice_type is NoticeType.PLANNING


def test_sell2wales_notices() -> None:
    notices = {t.source_id: t for t in portal("sell2wales_2025.json").values()}
    framework = notices["ocds-kuma6s-151201"]
    assert (framework.buyer, framework.country) == ("Hafan Homes Cyf", "GB")  # region "UK"
    assert framework.cpv_codes == ["45000000", "45261000", "45330000", "45310000"]
    assert [lot.title for lot in framework.lots] == [
        "Roofing",
        "Heating and plumbing",
        "Electrical",
    ]
    welsh = notices["ocds-kuma6s-151202"]
    assert (welsh.title, welsh.language) == ("Gwasanaethau glanhau swyddfeydd", "cy")


# --------------------------------------------------------------------------- NSW eTendering


def nsw(kind: str, suffix: str) -> Tender:
    notices = portal("nsw_etendering_2025.json")
    return next(t for key, t in notices.items() if key.startswith(kind) and key.endswith(suffix))


def test_nsw_request_for_tender() -> None:
    tender = nsw("RFT", "4E01")
    assert tender.title == "Bridge bearing replacement, Great Western Highway"
    assert (tender.buyer, tender.country, tender.language) == ("Transport for NSW", "AU", "en")
    assert tender.cpv_codes == []  # UNSPSC is not CPV, though both have eight digits
    assert tender.classifications == [
        Classification(
            scheme="UNSPSC",
            code="72141100",
            description="Infrastructure building and surfacing and paving services",
        )
    ]
    assert tender.deadline == datetime(2025, 8, 21, 11, tzinfo=AEST)
    assert tender.deadline.astimezone(UTC) == datetime(2025, 8, 21, 1, tzinfo=UTC)
    assert tender.url is None  # NSW documents have relative links only
    assert tender.notice_type is NoticeType.TENDER
    assert tender.procedure_id == "ocds-43qwtd-RFT-5A1C0E20-1B2C-4D3E-8F90-0A1B2C3D4E01"


def test_nsw_unspsc_spellings_values_and_cancellation() -> None:
    scheme = nsw("RFT", "4E02")
    assert [(c.scheme, c.code) for c in scheme.classifications] == [
        ("UNSPSC", "90101600"),  # published as "unspsc"
        ("UNSPSC", "50192100"),  # published as a number
    ]
    priced = nsw("RFT", "4E03")
    assert (priced.value_amount, priced.value_currency) == (3_500_000, "AUD")
    assert nsw("RFT", "4E04").notice_type is NoticeType.CANCELLATION


def test_nsw_planned_procurements() -> None:
    planned = nsw("PP", "5E01")
    assert (planned.title, planned.notice_type) == (
        "Ferry wharf upgrade program, stage 3",
        NoticeType.PLANNING,
    )
    untitled = nsw("PP", "5E02")  # no title: the description's first sentence, without HTML
    assert untitled.title == "Statewide linen & laundry services for public hospitals"
    assert untitled.classifications == [
        Classification(scheme="UNSPSC", code="91111500", description="Laundering services")
    ]


def test_nsw_contract_notices_without_a_tender() -> None:
    cleaning = nsw("CN", "6F01")
    assert cleaning.title == "Cleaning services for regional health facilities"
    assert (cleaning.buyer, cleaning.notice_type) == ("HealthShare NSW", NoticeType.AWARD)
    assert cleaning.description == "Cleaning of 14 community health centres"  # the item's
    assert [(c.scheme, c.code) for c in cleaning.classifications] == [("UNSPSC", "76111501")]
    assert cleaning.value_amount is None  # the contract value is not an estimate
    # The buyer given only on the award.
    assert nsw("CN", "6F02").buyer == "Transport for NSW"
    # An award titled by its reference number: the item says what was bought.
    assert nsw("CN", "6F03").title == (
        "Repainting works on the helipad and its access ramp at a regional hospital"
    )
    # No title anywhere: the first sentence of the tender's description.
    assert nsw("CN", "6F04").title == "Supply of modular classrooms for growth schools"
    standing = nsw("SON", "7A01")
    assert standing.title == "Traffic control services standing offer"
    assert [c.code for c in standing.classifications] == ["92101900", "78181900"]


# --------------------------------------------------------------------------- titles


def untitled(number: int, **sections: Any) -> dict[str, Any]:
    return {
        "ocid": f"ocds-test99-{number}",
        "id": str(number),
        "date": "2025-06-02T00:00:00Z",
        "tag": ["tender"],
        "buyer": {"name": "Example Council"},
        **sections,
    }


def test_a_title_from_a_description_is_its_first_sentence_cut_on_a_word() -> None:
    long_line = "Provision of " + "grounds maintenance and " * 12 + "litter picking"
    parsed = parse_file(
        package(
            untitled(1, tender={"description": "Repairs at St. Mary's school. Works in summer."}),
            untitled(2, tender={"description": f"{long_line}\nSecond line."}),
            untitled(3, tender={"description": "\n\n  Supply of grit salt.  "}),
        ),
        "releases.json",
    )
    titles = [t.title for t in parsed.tenders]
    assert titles[0] == "Repairs at St. Mary's school"
    assert titles[1].endswith("…") and len(titles[1]) <= DERIVED_TITLE_LIMIT
    assert long_line.startswith(titles[1].removesuffix("…"))
    assert titles[2] == "Supply of grit salt"


def test_a_bare_reference_is_the_title_only_when_nothing_describes_the_award() -> None:
    parsed = parse_file(
        package(untitled(1, tag=["award"], awards=[{"id": "1", "title": " NBM51620779"}])),
        "releases.json",
    )
    assert [t.title for t in parsed.tenders] == ["NBM51620779"]


def test_a_release_with_nothing_to_name_it_is_still_refused() -> None:
    parsed = parse_file(
        package(
            untitled(1, tender={"status": "active"}),
            untitled(2, tender={"title": "Grit salt"}),
        ),
        "releases.json",
    )
    assert [t.title for t in parsed.tenders] == ["Grit salt"]
    assert refused(parsed) == [
        (
            1,
            "no title: release 'ocds-test99-1' has no title and no description to take one from",
        )
    ]


def test_a_central_purchasing_body_names_the_buyer_when_no_one_else_does() -> None:
    cpb = {
        "id": "cpb",
        "name": "Regional Purchasing Consortium",
        "roles": ["centralPurchasingBody"],
    }
    release = untitled(1, tender={"title": "Office paper"}, parties=[cpb])
    del release["buyer"]
    (tender,) = parse_file(package(release), "releases.json").tenders
    assert tender.buyer == "Regional Purchasing Consortium"


# --------------------------------------------------------------------------- shared real data


@needs_shared_data
def test_every_shared_ocds_file_imports_every_release() -> None:
    tenders: list[Tender] = []
    by_folder: dict[str, list[Tender]] = {}
    files = sorted(p for p in SHARED_OCDS.rglob("*") if p.suffix in (".json", ".jsonl"))
    assert files
    for path in files:
        parsed = read(path)
        assert refused(parsed) == [], path.name
        if path.suffix == ".json":
            assert len(parsed.tenders) == releases_in(path), path.name
        tenders.extend(parsed.tenders)
        by_folder.setdefault(path.parent.name, []).extend(parsed.tenders)
    assert_coverage(tenders, "shared/data/ocds")
    for folder, found in by_folder.items():
        assert_coverage(found, folder)
