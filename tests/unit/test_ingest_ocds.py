"""OCDS: release and record packages, single releases and JSON Lines → one tender per release."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.ingest.content import Content
from core.ingest.errors import ImportFileError
from core.ingest.ocds import MAX_DEPTH, RAW_LIMIT, parse_ocds, sniff_ocds
from core.ingest.ocds.stream import walk as _walk
from core.ingest.registry import sniff_json
from core.models import Classification, Lot, NoticeDocument, NoticeType, ParsedFile, Tender
from tests.unit.ingest_checks import one_sentence_refusal

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ocds"
DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
REAL = DATA / "ocds"
REAL_FOLDERS = ("uk-contracts-finder", "nigeria", "ukraine")
needs_real_data = pytest.mark.skipif(not REAL.exists(), reason="shared OCDS data is absent")


def parse(data: bytes, filename: str = "releases.json") -> ParsedFile:
    return parse_ocds(Content(data, filename), "ocds")


def parse_fixture(name: str) -> ParsedFile:
    return parse((FIXTURES / name).read_bytes(), name)


def refusal(data: bytes, filename: str = "releases.json") -> str:
    """The refusal message, checked to be one sentence that names the file."""
    return one_sentence_refusal(parse, data, filename)


def problems(parsed: ParsedFile) -> list[tuple[int, str, str]]:
    return [(error.row, error.level, error.message) for error in parsed.errors]


def release(number: int, **changes: Any) -> dict[str, Any]:
    """A small valid tender release; `changes` replace top-level fields."""
    body: dict[str, Any] = {
        "ocid": f"ocds-gen-{number:05d}",
        "id": f"r{number}",
        "date": "2026-01-01T00:00:00Z",
        "tag": ["tender"],
        "buyer": {"name": f"Buyer {number % 50}"},
        "tender": {
            "title": f"Generated tender {number}",
            "description": "Road maintenance and resurfacing. " * 5,
            "value": {"amount": 1000 + number, "currency": "EUR"},
            "tenderPeriod": {"endDate": "2026-12-31T12:00:00Z"},
            "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "45233141-9"}}],
        },
    }
    body.update(changes)
    return body


def package(releases: list[Any], **meta: Any) -> bytes:
    document = {"uri": "https://example.org/p.json", "publishedDate": "2026-01-01T00:00:00Z"}
    document.update(meta)
    document["releases"] = releases
    return json.dumps(document, ensure_ascii=False).encode()


def only_tender(data: bytes) -> Tender:
    parsed = parse(data)
    assert len(parsed.tenders) == 1, problems(parsed)
    return parsed.tenders[0]


# --------------------------------------------------------------------------- hand-written files


def test_release_package_maps_every_field() -> None:
    parsed = parse_fixture("release_package.json")
    assert (parsed.filename, parsed.format) == ("release_package.json", "ocds")
    assert [t.source_id for t in parsed.tenders] == [
        "ocds-test01-0001",
        "ocds-test01-0002",
        "ocds-test01-0003",
    ]
    first = parsed.tenders[0]
    assert first.source == "ocds"
    assert first.title == "Cloud hosting for the county archive"  # spaces and line break folded
    assert first.description == "Managed hosting of the digitised archive for four years."
    assert first.buyer == "Northshire County Council"
    assert (first.value_amount, first.value_currency) == (480_000, "GBP")
    assert first.deadline == datetime(2026, 2, 27, 12, tzinfo=UTC)
    assert first.published_at == datetime(2026, 1, 10, 8, 30, tzinfo=UTC)
    assert first.cpv_codes == ["72415000", "72317000"]
    # CPV supplementary codes are not CPV codes: kept with their scheme.
    assert first.classifications == [
        Classification(scheme="CPVS", code="AA01-1", description="Metal")
    ]
    assert (first.country, first.language) == ("GB", "en")
    assert first.url == "https://example.org/notices/0001"  # the tender notice document
    # Only web links, each once.
    assert first.documents == [
        NoticeDocument(
            title="Specification",
            url="https://example.org/docs/spec.pdf",
            kind="technicalSpecifications",
        ),
        NoticeDocument(
            title="Contract notice", url="https://example.org/notices/0001", kind="tenderNotice"
        ),
    ]
    assert (first.notice_type, first.form_type) == (NoticeType.TENDER, "tender")
    assert first.procedure_id == "ocds-test01-0001"
    assert first.raw["tender"]["title"] == "  Cloud hosting\nfor the county archive "
    assert first.raw["id"] == "ocds-test01-0001-tender"


def test_release_package_falls_back_for_buyer_country_and_title() -> None:
    parsed = parse_fixture("release_package.json")
    meals, plan = parsed.tenders[1], parsed.tenders[2]
    # No `buyer` object: the party with the buyer role; "FR" is already a country code.
    assert (meals.buyer, meals.country) == ("Ville de Lacombe", "FR")
    assert meals.deadline == datetime(2026, 3, 2, 17, tzinfo=timezone(timedelta(hours=1)))
    # A planning release has no tender: the budget gives the title and the value.
    assert plan.title == "Resurfacing of the B1234 road"
    assert (plan.value_amount, plan.value_currency) == (2_500_000, "GBP")
    assert plan.notice_type is NoticeType.PLANNING
    assert not plan.notice_type.biddable


def test_lots_keep_their_values_and_cpv_codes() -> None:
    parsed = parse_fixture("release_package.json")
    meals = parsed.tenders[1]
    assert meals.lots == [
        Lot(
            id="L1",
            title="North schools",
            description="Meals for 12 schools",
            value_amount=120_000,
            value_currency="EUR",
            cpv_codes=["55524000"],
        ),
        Lot(
            id="L2",
            title="South schools",
            value_amount=95_000.5,
            value_currency="EUR",
            cpv_codes=["55524000"],
        ),
        Lot(id="L3", title="Kitchens", cpv_codes=["39310000"]),
    ]
    assert meals.cpv_codes == ["55524000", "39310000"]
    # One lot value is unreadable, so the lots are not summed into a tender value.
    assert meals.value_amount is None
    assert problems(parsed) == [
        (
            2,
            "warning",
            "warning: lot 'L3' value 'a lot' is not an amount; imported without its value",
        )
    ]


def test_tender_value_is_the_sum_of_the_lots_when_all_have_one() -> None:
    lots = [
        {"id": "1", "title": "A", "value": {"amount": 100, "currency": "EUR"}},
        {"id": "2", "title": "B", "value": {"amount": 250.5, "currency": "EUR"}},
    ]
    body = release(1)
    body["tender"] = {"title": "Two lots", "lots": lots}
    tender = only_tender(package([body]))
    assert (tender.value_amount, tender.value_currency) == (350.5, "EUR")
    assert [lot.value_amount for lot in tender.lots] == [100, 250.5]


def test_record_package_uses_compiled_release_else_the_latest_release() -> None:
    parsed = parse_fixture("record_package.json")
    dredging, meters = parsed.tenders
    assert dredging.source_id == "ocds-test02-0001"
    assert dredging.title == "Dredging of the inner harbour"
    assert dredging.form_type == "compiled"
    # A compiled release has no stage tag: a complete tender with awards is an award.
    assert dredging.notice_type is NoticeType.AWARD
    assert dredging.cpv_codes == ["45252124"]
    assert dredging.raw["id"] == "ocds-test02-0001-compiled"  # the compiled release, not the record
    # No compiledRelease: the release with the latest date, whatever its place in the list.
    assert meters.title == "Water meters (amended)"
    assert meters.deadline == datetime(2026, 2, 20, 12, tzinfo=UTC)
    assert (meters.notice_type, meters.form_type) == (NoticeType.TENDER, "tenderAmendment")
    assert problems(parsed) == [
        (
            3,
            "error",
            "no title: record 'ocds-test02-0003' has no compiledRelease and its releases are "
            "only links; import the release package instead",
        )
    ]


def test_single_release_with_unspsc_naics_and_a_buyer_found_by_id() -> None:
    parsed = parse_fixture("single_release.json")
    assert parsed.errors == []
    (tender,) = parsed.tenders
    assert tender.title == "Laptops for the city libraries"
    assert tender.buyer == "City of Riverton"  # buyer {"id"} resolved through parties
    assert tender.country == "US"
    assert tender.cpv_codes == ["30213100"]
    assert tender.classifications == [
        Classification(scheme="UNSPSC", code="43211503", description="Notebook computers"),
        Classification(scheme="NAICS", code="334111"),
    ]
    assert tender.form_type == "tender"  # a tag written as one string
    eastern = timezone(timedelta(hours=-5))
    assert tender.deadline == datetime(2026, 3, 1, 17, tzinfo=eastern)
    assert tender.published_at == datetime(2026, 2, 1, 9, 15, tzinfo=eastern)
    assert tender.url == "https://riverton.example.gov/bids/2026-17"  # from the release's links
    assert tender.language is None


def test_award_only_release_is_an_award_notice() -> None:
    (tender,) = parse_fixture("award_release.json").tenders
    assert tender.notice_type is NoticeType.AWARD
    assert not tender.notice_type.biddable
    assert tender.title == "Adquisición de ambulancias"  # from the award
    assert tender.description == "Dos ambulancias equipadas"
    assert tender.buyer == "Municipalidad de San Lorenzo"
    assert tender.language == "es"
    # The tender has no items: the award's items give the classification.
    assert tender.classifications == [
        Classification(scheme="UNSPSC", code="25101703", description="Ambulancias")
    ]
    assert tender.value_amount is None  # an award value is not the tender's estimate


def test_ukrainian_release_keeps_its_text_and_reads_dk021_as_cpv() -> None:
    (tender,) = parse_fixture("ukrainian_release.json").tenders
    assert tender.title == "Ремонт водопровідної мережі"
    assert tender.description == "Поточний ремонт мережі по вул. Соборності"
    assert tender.buyer == "Комунальне підприємство «Міськводоканал»"
    assert (tender.country, tender.language) == ("UA", "uk")
    assert (tender.value_amount, tender.value_currency) == (1_250_000, "UAH")
    assert tender.cpv_codes == ["45231300"]  # ДК021 codes are CPV codes
    assert tender.classifications == [
        Classification(
            scheme="ДКПП", code="42.21.2", description="Роботи з будівництва трубопроводів"
        )
    ]


def test_json_lines_a_bad_line_costs_only_that_line() -> None:
    parsed = parse_fixture("releases.jsonl")
    assert [t.source_id for t in parsed.tenders] == [
        "ocds-test06-0001",
        "ocds-test06-0003",
        "ocds-test06-0004",
    ]
    assert [t.notice_type for t in parsed.tenders] == [
        NoticeType.TENDER,
        NoticeType.TENDER,
        NoticeType.AWARD,
    ]
    # Rows count releases; the blank line is no release, the cut-off line stood for one.
    assert problems(parsed) == [
        (2, "error", "line 3 is not valid JSON (it ends in the middle of a value); skipped")
    ]


def test_json_lines_whose_last_line_is_cut_off() -> None:
    lines = [json.dumps(release(n)) for n in range(1, 4)]
    data = ("\n".join(lines[:2]) + "\n" + lines[2][:50]).encode()
    parsed = parse(data, "releases.jsonl")
    assert len(parsed.tenders) == 2
    assert problems(parsed) == [
        (
            3,
            "error",
            "line 3 ends in the middle of a release; "
            "the download may have been cut off, so download the file again",
        )
    ]


def test_top_level_list_of_releases_and_byte_order_marks() -> None:
    data = json.dumps([release(1), release(2)]).encode()
    assert len(parse(data).tenders) == 2
    assert len(parse(b"\xef\xbb\xbf" + package([release(1)])).tenders) == 1
    utf16 = json.dumps(release(3, tender={"title": "Прибирання"}), ensure_ascii=False)
    (tender,) = parse(utf16.encode("utf-16")).tenders
    assert tender.title == "Прибирання"


# --------------------------------------------------------------------------- notice types


@pytest.mark.parametrize(
    ("tags", "status", "expected"),
    [
        (["planning"], None, NoticeType.PLANNING),
        (["planningUpdate"], None, NoticeType.PLANNING),
        (["tender"], "active", NoticeType.TENDER),
        (["tenderUpdate"], None, NoticeType.TENDER),
        (["tenderAmendment"], None, NoticeType.TENDER),
        (["tenderCancellation"], None, NoticeType.CANCELLATION),
        (["award"], None, NoticeType.AWARD),
        (["contract", "contractUpdate"], None, NoticeType.AWARD),
        (["implementation"], None, NoticeType.AWARD),
        (["tender", "award", "contract"], "complete", NoticeType.AWARD),  # latest stage wins
        (["contractAmendment"], None, NoticeType.MODIFICATION),
        (["tender", "award"], "cancelled", NoticeType.CANCELLATION),  # the status overrides
        (["tender"], "unsuccessful", NoticeType.TENDER),  # the tag says it was a call
        (["compiled"], "complete", NoticeType.AWARD),
        (["compiled"], "unsuccessful", NoticeType.OTHER),
        (["compiled"], "planning", NoticeType.PLANNING),
        (["compiled"], "active", NoticeType.TENDER),
        ([], None, NoticeType.TENDER),  # no tag, a tender section: a call
    ],
)
def test_notice_type_from_tags_and_status(
    tags: list[str], status: str | None, expected: NoticeType
) -> None:
    body = release(1, tag=tags)
    if status:
        body["tender"]["status"] = status
    tender = only_tender(package([body]))
    assert tender.notice_type is expected
    assert tender.form_type == (",".join(tags) or None)


# --------------------------------------------------------------------------- rows and warnings


def test_release_without_any_text_is_refused_and_the_rest_kept() -> None:
    untitled = release(2, tender={"status": "active"})
    parsed = parse(package([release(1), untitled, release(3)]))
    assert [t.source_id for t in parsed.tenders] == ["ocds-gen-00001", "ocds-gen-00003"]
    assert problems(parsed) == [
        (
            2,
            "error",
            "no title: release 'ocds-gen-00002' has no title and no description to take one from",
        )
    ]


def test_a_release_with_only_a_description_is_named_by_its_first_sentence() -> None:
    described = release(2, tender={"description": "<p>Grass cutting in parks.</p> Two lots."})
    (tender,) = parse(package([described])).tenders
    assert tender.title == "Grass cutting in parks"


def test_bad_values_become_warnings_and_keep_the_tender() -> None:
    body = release(1, date="yesterday")
    body["tender"]["value"] = {"amount": -5, "currency": "EUR"}
    body["tender"]["tenderPeriod"] = {"endDate": "soon"}
    body["tender"]["items"] = [{"classification": {"scheme": "CPV", "id": "441055482"}}]
    parsed = parse(package([body, "not a release", 42]))
    (tender,) = parsed.tenders
    assert (tender.value_amount, tender.deadline, tender.published_at) == (None, None, None)
    assert tender.cpv_codes == []
    # A code in the CPV scheme that is no CPV code is kept as the publisher wrote it.
    assert tender.classifications == [Classification(scheme="CPV", code="441055482")]
    messages = [message for _, _, message in problems(parsed)]
    assert messages == [
        'warning: value \'{"amount": -5, "currency": "EUR"}\' is negative; '
        "imported without a value",
        "warning: deadline 'soon' is not a date (use 31/12/2026 or 2026-12-31); "
        "imported without a deadline",
        "warning: CPV code '441055482' is not an 8-digit CPV code; "
        "kept as given under other classifications",
        "warning: release date 'yesterday' is not a date (use 31/12/2026 or 2026-12-31); "
        "imported without it",
        "not a JSON object but text",
        "not a JSON object but a number",
    ]
    assert [row for row, _, _ in problems(parsed)] == [1, 1, 1, 1, 2, 3]


def test_zero_tender_value_falls_back_to_the_budget() -> None:
    body = release(1, planning={"budget": {"value": {"amount": 7_000, "currency": "NGN"}}})
    body["tender"]["value"] = {"amount": 0, "currency": "NGN"}
    tender = only_tender(package([body]))
    assert (tender.value_amount, tender.value_currency) == (7_000, "NGN")


def test_odd_types_in_a_release_never_break_the_import() -> None:
    body = {
        "ocid": 12345,
        "tag": "tender",
        "buyer": ["not", "an", "object"],
        "parties": [None, {"roles": "buyer", "name": 5}],
        "tender": {
            "title": 2026,
            "items": [None, {"classification": "CPV 72000000"}, {"classification": {"id": 5}}],
            "lots": "three",
            "documents": {"url": "https://example.org"},
            "value": "lots",
            "tenderPeriod": [],
        },
        "language": 7,
        "date": 20260101,
    }
    parsed = parse(package([body]))
    (tender,) = parsed.tenders
    assert (tender.title, tender.source_id) == ("2026", "12345")
    assert tender.classifications == [Classification(scheme="unknown", code="5")]


def test_very_large_release_keeps_only_identifying_fields_in_raw() -> None:
    body = release(1)
    body["tender"]["description"] = "x" * (RAW_LIMIT + 10)
    tender, small = parse(package([body, release(2)])).tenders
    assert set(tender.raw) == {"ocid", "id", "date", "tag", "tenderwise_note"}
    assert small.raw == release(2)
    assert "bytes of JSON" in tender.raw["tenderwise_note"]
    assert len(tender.description) == 20_000  # the builder caps the text itself


# --------------------------------------------------------------------------- broken files


def test_truncated_package_keeps_the_releases_read_before_the_cut() -> None:
    data = package([release(n) for n in range(1, 42)])
    cut = data[: data.index(b'"ocds-gen-00041"') + 200]
    parsed = parse(cut)
    assert len(parsed.tenders) == 40
    assert problems(parsed)[-1] == (
        41,
        "error",
        "the file ends early, after release 40: the download may have been cut off, "
        "so any later releases are missing",
    )


def test_package_broken_in_the_middle_keeps_the_good_releases() -> None:
    data = package([release(n) for n in range(1, 6)])
    broken = data.replace(b'"ocds-gen-00004"', b"ocds-gen-00004", 1)
    parsed = parse(broken)
    assert len(parsed.tenders) == 3
    assert problems(parsed)[-1] == (
        4,
        "error",
        "the file is not valid JSON after release 3 (invalid char in json text); "
        "later releases were not read",
    )


def test_cut_before_the_first_release_refuses_the_file() -> None:
    data = package([release(1)])
    message = refusal(data[: len(data) // 2])
    assert message == (
        "releases.json ends before its first release is complete; "
        "the download may have been cut off, so download the file again."
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"{oops", "releases.json is not valid JSON (invalid char in json text); "),
        (b'{"releases": [\xff]}', "releases.json is not valid JSON (invalid char in json text); "),
        (
            b'{"releases": ["\xff"]}',
            "releases.json is not valid JSON (it holds bytes that are not UTF-8 text); ",
        ),
        (b'{"a": 1e999}', "releases.json is not valid JSON (a number is too large to read); "),
        (
            b"[" * (MAX_DEPTH + 1),
            f"releases.json is not valid JSON (it is nested more than {MAX_DEPTH}",
        ),
        (b'{"uri": "x", "releases": []}', "releases.json is an OCDS package without releases; "),
        (b'{"uri": "x", "records": []}', "releases.json is an OCDS package without releases; "),
        (
            b'{"tenders": [{"title": "Roads"}]}',
            "releases.json is JSON but not OCDS (no releases, records or ocid were found); ",
        ),
        (b"[1, 2, 3]", "releases.json is JSON but not OCDS"),
        (b'"text"', "releases.json is JSON but not OCDS"),
        (b" \r\n ", "releases.json is empty; "),
    ],
)
def test_unusable_files_are_refused_in_one_sentence(data: bytes, expected: str) -> None:
    assert refusal(data).startswith(expected)


def test_a_file_nested_very_deeply_is_refused_without_using_memory() -> None:
    # ijson.items would keep a path string per level: this file would need gigabytes.
    data = b"[" * 1_000_000
    tracemalloc.start()
    try:
        message = refusal(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "nested more than" in message
    assert peak < 5_000_000


def test_a_package_with_only_bad_releases_is_refused() -> None:
    message = refusal(package([{"ocid": "x", "tender": {}}, {"ocid": "y"}]))
    assert message.startswith(
        "releases.json has no rows that could be imported (row 1: no title: release 'x'"
    )


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    "name",
    [
        "release_package.json",
        "record_package.json",
        "single_release.json",
        "award_release.json",
        "ukrainian_release.json",
        "releases.jsonl",
    ],
)
def test_sniff_claims_ocds_over_the_generic_json_importer(name: str) -> None:
    content = Content((FIXTURES / name).read_bytes(), name)
    assert sniff_ocds(content) == 100 > sniff_json(content)


@pytest.mark.parametrize(
    "data",
    [
        b'[{"title": "Roads", "buyer": "Council"}]',
        b'{"records": [{"title": "Roads", "value": 5}], "version": 2}',
        b'{"releases": [{"title": "Roads"}]}',
        b'{"tenders": []}',
        b'{"tag": ["music"], "title": "Playlist"}',
        b"title,buyer\nRoads,Council\n",
        b"<xml/>",
        b"",
        b"\x00\x01\x02",
    ],
)
def test_sniff_leaves_other_json_alone(data: bytes) -> None:
    assert sniff_ocds(Content(data, "tenders.json")) == 0


@pytest.mark.parametrize(
    "data",
    [
        # The releases come first; the package metadata is not needed.
        b'{"releases": [{"ocid": "ocds-1", "tag": ["tender"]}]}',
        # The first release lies beyond the head: the package keys decide.
        b'{"publishedDate": "2026-01-01", "publisher": {"name": "P"}, "extensions": ["'
        + b"x" * 70_000
        + b'"], "releases": []}',
        # A release whose ocid comes late: its tags decide.
        b'{"tag": ["tender", "award"], "contracts": [' + b'{"id": 1},' * 9_000 + b'{"id": 2}]}',
        b'[{"id": "1", "ocid": "ocds-1"}]',
        b'{"ocid": "ocds-1", "releases": [{"url": "https://example.org/1.json"}]}',
    ],
)
def test_sniff_recognises_ocds_from_the_head(data: bytes) -> None:
    assert sniff_ocds(Content(data, "x.json")) == 100


# --------------------------------------------------------------------------- size


def test_five_thousand_releases_stream_one_at_a_time() -> None:
    long_text = "Resurfacing, drainage and road markings on the county network. " * 20
    releases = [release(n) for n in range(5_000)]
    for body in releases:
        body["tender"]["description"] = long_text
    data = package(releases)
    started = time.perf_counter()
    parsed = parse(data, "big.json")
    elapsed = time.perf_counter() - started
    assert len(parsed.tenders) == 5_000 and parsed.errors == []
    assert elapsed < 10  # about 0.5 s on a laptop; generous for a loaded CI machine
    # Walking the package holds one release at a time, never the document:
    # json.loads of the same file peaks at about 3x its size.
    tracemalloc.start()
    try:
        count = sum(1 for item in _walk(io.BytesIO(data)) if item.kind == "release")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 5_000
    assert peak < len(data) / 5  # about 0.3 MB for 8 MB: ijson's buffer and one release


# --------------------------------------------------------------------------- fuzz

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OCDS_KEYS = st.sampled_from(
    [
        "ocid",
        "id",
        "date",
        "tag",
        "language",
        "tender",
        "title",
        "description",
        "value",
        "amount",
        "currency",
        "tenderPeriod",
        "endDate",
        "items",
        "classification",
        "additionalClassifications",
        "scheme",
        "lots",
        "relatedLot",
        "documents",
        "documentType",
        "url",
        "buyer",
        "name",
        "parties",
        "roles",
        "address",
        "countryName",
        "planning",
        "budget",
        "awards",
        "contracts",
        "status",
        "releases",
        "records",
        "compiledRelease",
        "links",
        "href",
    ]
)
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
)
OCDS_VALUES = st.recursive(
    SCALARS
    | st.sampled_from(["CPV", "UNSPSC", "ДК021", "45000000-7", "tender", "award", "2026-01-01"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(OCDS_KEYS, children, max_size=6)
    ),
    max_leaves=30,
)


def parse_or_refuse(data: bytes, filename: str = "t.json") -> ParsedFile | None:
    try:
        parsed = parse(data, filename)
    except ImportFileError as exc:
        assert "\n" not in str(exc)
        assert str(exc).startswith(filename)
        return None
    assert parsed.tenders, "a file with no tenders must be refused, not returned empty"
    assert all(tender.title.strip() for tender in parsed.tenders)
    assert all(error.row >= 1 for error in parsed.errors)
    return parsed


@FUZZ
@given(data=st.binary(max_size=2_000))
def test_random_bytes_are_read_or_refused(data: bytes) -> None:
    sniff_ocds(Content(data, "t.json"))
    parse_or_refuse(data)


@FUZZ
@given(document=OCDS_VALUES)
def test_random_json_is_read_or_refused(document: object) -> None:
    data = json.dumps(document, ensure_ascii=False).encode()
    sniff_ocds(Content(data, "t.json"))
    parse_or_refuse(data)


@FUZZ
@given(releases=st.lists(st.dictionaries(OCDS_KEYS, OCDS_VALUES, max_size=8), max_size=5))
def test_random_releases_in_packages_and_lines_are_read_or_refused(
    releases: list[dict[str, Any]],
) -> None:
    parse_or_refuse(package(releases))
    lines = "\n".join(json.dumps(item, ensure_ascii=False) for item in releases)
    parse_or_refuse(lines.encode(), "t.jsonl")


PACKAGE = package([release(n) for n in range(1, 6)])


@FUZZ
@given(cut=st.integers(min_value=1, max_value=len(PACKAGE) - 1))
def test_a_package_cut_anywhere_keeps_what_came_before(cut: int) -> None:
    parsed = parse_or_refuse(PACKAGE[:cut])
    complete = PACKAGE[:cut].count(b'"tenderPeriod"')  # each release's last field but one
    if parsed is None:
        assert complete <= 1
    else:
        assert len(parsed.tenders) in (complete - 1, complete, 5)
        assert len(parsed.tenders) == 5 or parsed.errors[-1].message.startswith("the file ends")


# --------------------------------------------------------------------------- real public data


def real_files(folder: str) -> list[Path]:
    return sorted((REAL / folder).glob("*.json"))


def real_tenders(folder: str) -> list[Tender]:
    tenders: list[Tender] = []
    for path in real_files(folder):
        content = Content(path.read_bytes(), path.name)
        assert sniff_ocds(content) == 100, path.name
        parsed = parse_ocds(content, "ocds")
        assert [e for e in parsed.errors if not e.is_warning] == [], path.name
        tenders.extend(parsed.tenders)
    return tenders


@needs_real_data
@pytest.mark.parametrize("folder", REAL_FOLDERS)
def test_every_real_file_imports_one_release(folder: str) -> None:
    files = real_files(folder)
    assert files
    assert len(real_tenders(folder)) == len(files)


@needs_real_data
def test_real_data_coverage() -> None:
    tenders = [tender for folder in REAL_FOLDERS for tender in real_tenders(folder)]
    count = len(tenders)
    assert count == 44

    def share(found: int) -> float:
        return found / count

    assert share(sum(bool(t.title) for t in tenders)) >= 0.98
    assert share(sum(bool(t.buyer) for t in tenders)) >= 0.95
    assert share(sum(bool(t.cpv_codes or t.classifications) for t in tenders)) >= 0.90
    assert share(sum(t.value_amount is not None for t in tenders)) >= 0.90
    assert share(sum(t.published_at is not None for t in tenders)) == 1
    assert all(t.procedure_id and t.procedure_id == t.source_id for t in tenders)


@needs_real_data
def test_uk_contracts_finder_has_cpv_and_calls_for_tenders() -> None:
    tenders = real_tenders("uk-contracts-finder")
    assert all(t.cpv_codes and all(len(c) == 8 for c in t.cpv_codes) for t in tenders)
    assert {t.notice_type for t in tenders} == {NoticeType.TENDER}
    assert {(t.country, t.language, t.value_currency) for t in tenders} == {("GB", "en", "GBP")}
    assert all(t.deadline is not None for t in tenders)
    # Two versions of one notice: the same tender to the deduplication, whatever the case.
    met_office = [
        t for t in tenders if t.procedure_id == "ocds-b5fd17-2c330cf9-adc8-11e6-9901-0019b9f3037b"
    ]
    assert len(met_office) == 2
    assert met_office[0].dedupe_key == met_office[1].dedupe_key


@needs_real_data
def test_ukrainian_text_is_kept_intact() -> None:
    tenders = real_tenders("ukraine")
    by_id = {t.source_id: t for t in tenders}
    tender = by_id["ocds-be6bcu-UA-2016-06-07-000066-a"]
    assert tender.title == "Профіль для стелі"
    assert tender.buyer is not None and tender.buyer.startswith("Комунальне некомерційне")
    assert (tender.country, tender.language, tender.value_currency) == ("UA", "uk", "UAH")
    assert tender.cpv_codes == ["44115000"]
    assert (
        Classification(
            scheme="ДКПП",
            code="24.42.2",
            description="Напівфабрикати з алюмінію та алюмінієвих сплавів",
        )
        in tender.classifications
    )
    assert tender.lots[0].title == "Профіль для стелі"
    assert tender.documents[0].title == "пропозиції фурнітура-стеля.doc"
    assert all(any("\u0400" <= ch <= "\u04ff" for ch in t.title) for t in tenders)
    kinds = {t.notice_type for t in tenders}
    assert kinds == {NoticeType.TENDER, NoticeType.AWARD, NoticeType.CANCELLATION}


@needs_real_data
def test_nigerian_contract_releases_are_awards() -> None:
    tenders = real_tenders("nigeria")
    assert {t.notice_type for t in tenders} == {NoticeType.AWARD}
    assert all(t.value_currency == "NGN" for t in tenders)
    # Half the "CPV" codes have nine digits: kept as given, never as CPV codes.
    assert all(len(code) == 8 for t in tenders for code in t.cpv_codes)
    odd = [c for t in tenders for c in t.classifications if c.scheme == "CPV"]
    assert odd and all(len(c.code) != 8 for c in odd)
