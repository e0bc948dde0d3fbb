"""eForms (UBL 2.3) notices: one notice file → one tender with its lots; hostile XML refused."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.ingest.content import Content
from core.ingest.eforms import parse_eforms, sniff_eforms
from core.ingest.errors import ImportFileError
from core.ingest.rows import DESCRIPTION_LIMIT
from core.models import Classification, NoticeDocument, NoticeType, ParsedFile, Tender
from tests.unit.ingest_checks import one_sentence_refusal

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eforms"
DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
REAL = DATA / "eforms"
REAL_FILES = sorted(REAL.glob("*.xml")) if REAL.is_dir() else []
needs_real_data = pytest.mark.skipif(not REAL_FILES, reason="shared eForms data is absent")

CN_NS = "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(data: bytes, filename: str = "notice.xml") -> ParsedFile:
    return parse_eforms(Content(data=data, filename=filename), "eforms")


def only_tender(data: bytes, filename: str = "notice.xml") -> Tender:
    parsed = parse(data, filename)
    assert parsed.format == "eforms"
    assert len(parsed.tenders) == 1
    return parsed.tenders[0]


def refusal(data: bytes, filename: str = "notice.xml") -> str:
    """The refusal message, checked to be one sentence that names the file."""
    return one_sentence_refusal(parse, data, filename)


def sniff(data: bytes, filename: str = "notice.xml") -> int:
    return sniff_eforms(Content(data=data, filename=filename))


# --- the real notices (OP-TED eForms SDK examples) -----------------------------------------


@needs_real_data
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda path: path.name)
def test_real_notice_imports_as_one_biddable_tender(path: Path) -> None:
    data = path.read_bytes()
    assert sniff(data, path.name) == 100
    parsed = parse(data, path.name)
    assert parsed.errors == []
    (tender,) = parsed.tenders
    assert tender.title.strip()
    assert tender.source == "eforms"
    assert tender.notice_type is NoticeType.TENDER
    assert tender.notice_type.biddable
    assert tender.form_type == "cn-standard"
    assert tender.source_id and tender.source_id == tender.raw["notice_id"]
    assert tender.procedure_id and tender.procedure_id == tender.raw["procedure_id"]
    assert tender.deadline is not None and tender.deadline.utcoffset() is not None
    assert tender.published_at is not None and tender.published_at.utcoffset() is not None
    assert tender.language is not None and len(tender.language) == 2
    assert all(len(code) == 8 and code.isdigit() for code in tender.cpv_codes)
    assert tender.lots and all(lot.id and lot.id.startswith("LOT-") for lot in tender.lots)
    assert all(doc.url.startswith(("http://", "https://")) for doc in tender.documents)
    assert tender.url is None or tender.url.startswith(("http://", "https://"))
    assert len(tender.description) <= DESCRIPTION_LIMIT
    Tender.model_validate_json(tender.model_dump_json())  # raw and all fields round-trip


@needs_real_data
def test_real_notices_name_their_buyer_and_cpv_codes() -> None:
    tenders = [only_tender(path.read_bytes(), path.name) for path in REAL_FILES]
    assert len(tenders) == 9
    with_buyer = sum(1 for tender in tenders if tender.buyer)
    with_cpv = sum(1 for tender in tenders if tender.cpv_codes)
    with_country = sum(1 for tender in tenders if tender.country and len(tender.country) == 2)
    assert with_buyer / len(tenders) >= 0.95
    assert with_cpv / len(tenders) >= 0.90
    assert with_country == len(tenders)


@needs_real_data
def test_real_hundred_lot_notice_keeps_every_lot() -> None:
    tender = only_tender((REAL / "cn_24_maximal_100_lots.xml").read_bytes())
    assert len(tender.lots) == 100
    assert len({lot.id for lot in tender.lots}) == 100
    assert tender.value_amount == 9_999_999.99 and tender.value_currency == "EUR"
    assert tender.description.startswith("Description ---\n\nLots:\n- LOT-0001:")
    # Restricted procedure: the first deadline is for requests to participate.
    assert tender.raw["deadline_for"] == "requests to participate"
    assert tender.deadline == datetime(2023, 5, 22, 20, 59, 32, tzinfo=CET)


@needs_real_data
def test_real_maximal_notice_skips_its_lot_group() -> None:
    tender = only_tender((REAL / "cn_24_maximal.xml").read_bytes())
    assert [lot.id for lot in tender.lots] == ["LOT-0001", "LOT-0002"]
    assert tender.raw["lot_groups"] == ["GLO-0001"]  # a group of lots is not a lot
    assert tender.url == "https://profile.example.com"
    assert {doc.title for doc in tender.documents} >= {"Procurement documents"}


@needs_real_data
def test_real_multilingual_notice_reads_the_notice_language() -> None:
    tender = only_tender((REAL / "cn_24_multilingual.xml").read_bytes())
    assert tender.language == "en"
    assert tender.title.startswith("Provision of IT Services Related to OP IT Systems")
    assert tender.buyer == "Publications Office of the European Union"
    assert tender.description.startswith("Provision of IT services")
    titles = tender.raw["titles"]
    assert len(titles) == 24
    assert titles["DEU"].startswith("Bereitstellung von IT-Dienstleistungen")
    assert tender.raw["buyer_names"]["FRA"] == "Office des publications de l'Union européenne"
    assert tender.country == "LU"
    assert tender.cpv_codes == ["72230000", "72260000"]
    assert tender.url == "http://publications.europa.eu/en/web/about-us/procurement"


@needs_real_data
def test_real_french_and_italian_notices_keep_their_language() -> None:
    french = only_tender((REAL / "cn_24_FRA_comments.xml").read_bytes())
    assert (french.language, french.country, french.buyer) == ("fr", "FR", "Rouen Habitat")
    assert french.deadline == datetime(2019, 6, 24, 16, 0, tzinfo=UTC)
    italian = only_tender((REAL / "cn_24_open_accel.xml").read_bytes())
    assert (italian.language, italian.country) == ("it", "IT")
    assert (italian.value_amount, italian.value_currency) == (291_934.60, "EUR")


@pytest.mark.skipif(not DATA.is_dir(), reason="shared data is absent")
def test_no_other_shared_file_is_sniffed_as_eforms() -> None:
    others = [
        path
        for path in DATA.rglob("*")
        if path.is_file() and path.suffix in (".xml", ".json") and REAL not in path.parents
    ]
    assert others, "expected the TED and OCDS samples next to the eForms ones"
    assert [path.name for path in others if sniff(path.read_bytes(), path.name)] == []


# --- hand-written notices ------------------------------------------------------------------


def test_minimal_contract_notice() -> None:
    data = fixture("cn_minimal.xml")
    assert sniff(data) == 100
    parsed = parse(data, "cn_minimal.xml")
    assert parsed.errors == []
    (tender,) = parsed.tenders
    assert tender.title == "Harbour wall repairs"
    assert tender.description == "Repair of the north harbour wall."
    assert tender.buyer == "Harbour Town Council"
    assert (tender.country, tender.language) == ("IE", "en")
    assert (tender.value_amount, tender.value_currency) == (250_000, "EUR")
    assert tender.deadline == datetime(2026, 4, 15, 12, 0, tzinfo=CET)
    assert tender.published_at == datetime(2026, 3, 2, 9, 30, tzinfo=CET)
    assert tender.cpv_codes == ["45241000"]
    assert tender.source_id == "11111111-2222-3333-4444-555555555555"
    assert tender.procedure_id == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    assert (tender.notice_type, tender.form_type) == (NoticeType.TENDER, "cn-standard")
    assert [(lot.id, lot.title, lot.cpv_codes) for lot in tender.lots] == [
        ("LOT-0001", "Harbour wall repairs", ["45241000"])
    ]
    assert tender.documents == [] and tender.url is None
    assert tender.raw["root"] == "ContractNotice"
    assert tender.raw["lots"] == ["LOT-0001"]
    assert tender.raw["value_source"] == "procedure"


def test_notice_with_lots_reads_the_notice_language_and_sums_the_lots() -> None:
    tender = only_tender(fixture("cn_lots.xml"))
    # The notice language is German; English translations stay in raw.
    assert tender.language == "de"
    assert tender.title == "IT-Ausstattung für Schulen"
    assert tender.raw["titles"] == {
        "ENG": "School IT equipment",
        "DEU": "IT-Ausstattung für Schulen",
    }
    assert tender.buyer == "Stadt Musterstadt"  # ORG-0002, not the first organisation listed
    assert tender.raw["buyer_names"]["ENG"] == "City of Musterstadt"
    assert tender.country == "DE"
    # No procedure value: the two lots (not the lot group) are summed.
    assert (tender.value_amount, tender.value_currency) == (500_000.50, "EUR")
    assert tender.raw["value_source"] == "lots"
    # The earliest lot deadline, in its own zone.
    assert tender.deadline == datetime(2026, 6, 3, 14, 30, tzinfo=CEST)
    assert tender.published_at == datetime(2026, 5, 4, tzinfo=UTC)
    assert set(tender.raw["lot_deadlines"]) == {"LOT-0001", "LOT-0002"}
    assert tender.cpv_codes == ["30213100", "32420000", "32422000"]
    assert tender.classifications == [Classification(scheme="unspsc", code="43211503")]
    assert [(lot.id, lot.title, lot.value_amount) for lot in tender.lots] == [
        ("LOT-0001", "Laptops für Schüler", 420_000),
        ("LOT-0002", "Netzwerktechnik", 80_000.50),
    ]
    assert tender.lots[1].cpv_codes == ["32420000", "32422000"]
    assert tender.raw["lot_groups"] == ["GLO-0001"]
    assert tender.raw["lot_titles"] == {
        "LOT-0001": {"ENG": "Laptops", "DEU": "Laptops für Schüler"}
    }
    # One document (the lots share it); the javascript: link is dropped.
    assert tender.documents == [
        NoticeDocument(
            title="Procurement documents",
            url="https://vergabe.musterstadt.example/docs/17",
            kind="non-restricted-document",
        )
    ]
    assert tender.url == "https://vergabe.musterstadt.example/profil"  # the buyer profile
    assert tender.description == (
        "Laptops und Netzwerktechnik\nfür zwölf Schulen.\n\n"
        "Lots:\n"
        "- LOT-0001: Laptops für Schüler — 600 Laptops mit drei Jahren Garantie.\n"
        "- LOT-0002: Netzwerktechnik"
    )


def test_prior_information_notice_is_planning() -> None:
    data = fixture("pin_only.xml")
    assert sniff(data) == 100
    tender = only_tender(data)
    assert (tender.notice_type, tender.form_type) == (NoticeType.PLANNING, "pin-only")
    assert not tender.notice_type.biddable
    assert tender.title == "Snöröjning 2027–2030"
    assert (tender.buyer, tender.country, tender.language) == ("Region Norrland", "SE", "sv")
    assert (tender.value_amount, tender.value_currency) == (12_000_000, "SEK")
    assert tender.deadline is None and tender.procedure_id is None
    assert [lot.id for lot in tender.lots] == ["PAR-0000"]  # a PIN's parts are its lots
    assert tender.raw["root"] == "PriorInformationNotice"


def test_contract_award_notice_is_an_award_valued_at_its_result() -> None:
    data = fixture("can_standard.xml")
    assert sniff(data) == 100
    tender = only_tender(data)
    assert (tender.notice_type, tender.form_type) == (NoticeType.AWARD, "can-standard")
    assert (tender.buyer, tender.country, tender.language) == ("Ville de Lyonnais", "FR", "fr")
    assert (tender.value_amount, tender.value_currency) == (187_500.25, "EUR")
    assert tender.raw["value_source"] == "result"
    assert tender.published_at == datetime(2026, 2, 11, 16, 45, tzinfo=CET)


def with_type(code: str, list_name: str = "competition", root: str = "ContractNotice") -> bytes:
    data = fixture("cn_minimal.xml").decode()
    data = data.replace(
        '<cbc:NoticeTypeCode listName="competition">cn-standard</cbc:NoticeTypeCode>',
        f'<cbc:NoticeTypeCode listName="{list_name}">{code}</cbc:NoticeTypeCode>',
    )
    return data.replace("ContractNotice", root).encode()


@pytest.mark.parametrize(
    ("code", "list_name", "root", "expected"),
    [
        ("cn-social", "competition", "ContractNotice", NoticeType.TENDER),
        ("cn-desg", "competition", "ContractNotice", NoticeType.TENDER),
        ("pin-cfc-standard", "competition", "PriorInformationNotice", NoticeType.TENDER),
        ("pin-buyer", "planning", "PriorInformationNotice", NoticeType.PLANNING),
        ("pmc", "planning", "PriorInformationNotice", NoticeType.PLANNING),
        ("can-social", "result", "ContractAwardNotice", NoticeType.AWARD),
        ("veat", "dir-awa-pre", "ContractAwardNotice", NoticeType.AWARD),
        ("can-modif", "cont-modif", "ContractAwardNotice", NoticeType.MODIFICATION),
        ("corr", "change", "ContractNotice", NoticeType.MODIFICATION),
        ("compl", "completion", "ContractAwardNotice", NoticeType.OTHER),
        ("some-new-code", "result", "ContractNotice", NoticeType.AWARD),  # listName decides
        ("", "", "PriorInformationNotice", NoticeType.PLANNING),  # then the root element
        ("", "", "ContractAwardNotice", NoticeType.AWARD),
    ],
)
def test_notice_type_from_code_list_and_root(
    code: str, list_name: str, root: str, expected: NoticeType
) -> None:
    data = with_type(code, list_name, root)
    assert sniff(data) == 100
    tender = only_tender(data)
    assert tender.notice_type is expected
    assert tender.form_type == (code or None)


def test_change_notice_keeps_its_type_and_records_the_change() -> None:
    """eForms republishes a corrected notice in full with efac:Changes: still a call for tenders."""
    change = (
        "<efac:Changes>"
        "<efbc:ChangedNoticeIdentifier>11111111-2222-3333-4444-000000000000-01"
        "</efbc:ChangedNoticeIdentifier>"
        '<efac:ChangeReason><cbc:ReasonCode listName="change-corrig-justification">'
        "update-add</cbc:ReasonCode></efac:ChangeReason>"
        "<efac:Change><efbc:ChangedSectionIdentifier>LOT-0001</efbc:ChangedSectionIdentifier>"
        "</efac:Change>"
        "</efac:Changes>"
    )
    data = fixture("cn_minimal.xml").replace(
        b"<efac:Organizations>", change.encode() + b"<efac:Organizations>"
    )
    tender = only_tender(data)
    assert tender.notice_type is NoticeType.TENDER
    assert tender.raw["changes"] == {
        "changed_notice": "11111111-2222-3333-4444-000000000000-01",
        "reasons": ["update-add"],
        "sections": ["LOT-0001"],
    }


def test_unreadable_values_keep_the_notice_with_warnings() -> None:
    data = (
        fixture("cn_minimal.xml")
        .replace(b">250000<", b">about a quarter million<")
        .replace(b"<cbc:EndDate>2026-04-15+01:00", b"<cbc:EndDate>mid April")
        .replace(b">45241000<", b">4524<")
    )
    parsed = parse(data)
    (tender,) = parsed.tenders
    assert tender.value_amount is None and tender.deadline is None and tender.cpv_codes == []
    warnings = [error.message for error in parsed.errors]
    assert all(error.level == "warning" and error.row == 1 for error in parsed.errors)
    assert any(message.startswith("warning: value") for message in warnings)
    assert any(message.startswith("warning: deadline") for message in warnings)
    assert any(message.startswith("warning: cpv") for message in warnings)


def test_amounts_are_xs_decimals_not_grouped_thousands() -> None:
    tender = only_tender(fixture("cn_minimal.xml").replace(b">250000<", b">1234.567<"))
    assert tender.value_amount == 1234.567


def test_lots_in_different_currencies_are_not_summed() -> None:
    data = fixture("cn_lots.xml").replace(
        b'currencyID="EUR">80000.50', b'currencyID="CHF">80000.50'
    )
    tender = only_tender(data)
    assert tender.value_amount is None and tender.value_currency is None
    assert "value_source" not in tender.raw
    assert [lot.value_currency for lot in tender.lots] == ["EUR", "CHF"]


def test_buyer_named_in_place_without_the_eforms_extension() -> None:
    """Plain UBL names the party where it stands; no organisation list to resolve against."""
    data = re.sub(
        rb"<ext:UBLExtensions>.*</ext:UBLExtensions>", b"", fixture("cn_minimal.xml"), flags=re.S
    ).replace(
        b"</cac:PartyIdentification>\n    </cac:Party>",
        b"</cac:PartyIdentification>\n"
        b"      <cac:PartyName><cbc:Name>Port Authority</cbc:Name></cac:PartyName>\n"
        b"      <cac:PostalAddress><cac:Country>"
        b"<cbc:IdentificationCode>NOR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>\n"
        b"    </cac:Party>",
    )
    tender = only_tender(data)
    assert (tender.buyer, tender.country) == ("Port Authority", "NO")


def test_title_falls_back_to_the_first_lot_name() -> None:
    data = fixture("cn_minimal.xml").replace(
        b'<cbc:Name languageID="ENG">Harbour wall repairs</cbc:Name>\n    <cbc:Description',
        b"<cbc:Description",
        1,
    )
    tender = only_tender(data)
    assert tender.title == "Harbour wall repairs"


# --- refusals ----------------------------------------------------------------------------


def test_notice_without_any_name_is_refused() -> None:
    data = fixture("cn_minimal.xml").replace(
        b'<cbc:Name languageID="ENG">Harbour wall repairs</cbc:Name>', b""
    )
    assert sniff(data) == 100
    message = refusal(data, "nameless.xml")
    assert "without a title" in message


def test_billion_laughs_is_refused_without_expanding() -> None:
    data = fixture("billion_laughs.xml")
    assert sniff(data, "laughs.xml") == 100  # the root is a notice: the parser must refuse it
    started = time.perf_counter()
    message = refusal(data, "laughs.xml")
    assert time.perf_counter() - started < 1
    assert "DOCTYPE" in message


def test_external_entities_are_refused() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE ContractNotice [<!ENTITY secret SYSTEM '
        b'"file:///etc/passwd">]>\n<ContractNotice xmlns="' + CN_NS.encode() + b'" '
        b'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
        b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        b"<cac:ProcurementProject><cbc:Name>&secret;</cbc:Name></cac:ProcurementProject>"
        b"</ContractNotice>"
    )
    assert "DOCTYPE" in refusal(data, "xxe.xml")


def test_undeclared_entity_is_malformed_xml() -> None:
    data = fixture("cn_minimal.xml").replace(b"Harbour wall repairs", b"&boom;", 1)
    assert "not well-formed XML" in refusal(data)


def test_truncated_notice_is_refused_with_line_and_column() -> None:
    data = fixture("cn_truncated.xml")
    assert sniff(data) == 100
    message = refusal(data, "cn_truncated.xml")
    assert "not well-formed XML (line " in message
    assert ", column " in message


@pytest.mark.parametrize("cut", [1, 50, 400, 1500, 3000])
def test_notice_cut_anywhere_is_refused(cut: int) -> None:
    refusal(fixture("cn_minimal.xml")[:cut])


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><TED_EXPORT xmlns="http://publications.europa.eu/resource/schema/ted/R2.0.9/publication"><CODED_DATA_SECTION/></TED_EXPORT>',
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
        b'<ContractNotice xmlns="urn:example:not-ubl"/>',
        b"<ContractNotice/>",
        b'<cn:ContractNotice xmlns="' + CN_NS.encode() + b'" xmlns:cn="urn:example:other"/>',
        b"<html><body>Not found</body></html>",
    ],
    ids=["ted-r209", "ubl-invoice", "wrong-namespace", "no-namespace", "wrong-prefix", "html"],
)
def test_other_xml_is_not_sniffed_and_is_refused(data: bytes) -> None:
    assert sniff(data) == 0
    assert "not an eForms notice" in refusal(data)


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"title,buyer\nRoads,Council\n", "t.csv"),
        (b'[{"title": "Roads"}]', "t.json"),
        (b"", "t.xml"),
        (b"\x00\x01\x02", "t.xml"),
        (b"PK\x03\x04", "t.xlsx"),
    ],
)
def test_other_content_is_not_sniffed(data: bytes, filename: str) -> None:
    assert sniff(data, filename) == 0


def test_sniff_reads_past_long_leading_comments() -> None:
    data = fixture("cn_minimal.xml")
    comment = b"<!-- " + b"licence text " * 600 + b"-->\n"
    padded = data.replace(b"?>\n", b"?>\n" + comment, 1)
    assert len(comment) > 4096
    assert sniff(padded) == 100
    assert only_tender(padded).title == "Harbour wall repairs"


def test_sniff_and_parse_utf16_with_bom() -> None:
    text = fixture("cn_minimal.xml").decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    data = text.encode("utf-16")
    assert sniff(data) == 100
    assert only_tender(data).title == "Harbour wall repairs"


def test_prefixed_root_is_sniffed() -> None:
    assert sniff(fixture("cn_lots.xml")) == 100


# --- fuzzing -----------------------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = [
    fixture(name) for name in ("cn_minimal.xml", "cn_lots.xml", "pin_only.xml", "can_standard.xml")
]
SNIPPETS = st.sampled_from(
    [
        b"<",
        b">",
        b"&",
        b"&amp;",
        b"]]>",
        b"<![CDATA[x]]>",
        b"<!DOCTYPE x>",
        b'<!ENTITY e "e">',
        b"</cac:ProcurementProject>",
        b"<cbc:Name>",
        b'<cbc:EstimatedOverallContractAmount currencyID="X">-1e999'
        b"</cbc:EstimatedOverallContractAmount>",
        b"<cbc:EndDate>9999-99-99+99:99</cbc:EndDate>",
        b'languageID="ENG"',
        b"\xff\xfe",
        b"\x00",
        "é€😀".encode(),
    ]
)


def parse_or_refuse(data: bytes) -> None:
    sniff(data)  # never raises
    try:
        parsed = parse(data)
    except ImportFileError as exc:
        assert "\n" not in str(exc)
        return
    assert len(parsed.tenders) == 1
    assert parsed.tenders[0].title.strip()
    assert all(error.row == 1 for error in parsed.errors)


@FUZZ
@given(data=st.binary(max_size=2_000))
def test_random_bytes_only_raise_import_file_errors(data: bytes) -> None:
    parse_or_refuse(data)


@FUZZ
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1), st.integers(0, 3), SNIPPETS),
        max_size=6,
    ),
    cut=st.floats(min_value=0.05, max_value=1),
)
def test_mangled_notices_only_raise_import_file_errors(
    seed: bytes, edits: list[tuple[float, int, bytes]], cut: float
) -> None:
    data = bytearray(seed)
    for where, mode, snippet in edits:
        position = int(where * (len(data) - 1))
        if mode == 0:  # insert
            data[position:position] = snippet
        elif mode == 1:  # overwrite
            data[position : position + len(snippet)] = snippet
        elif mode == 2:  # delete a run
            del data[position : position + len(snippet) * 4]
        else:  # flip one byte
            data[position] = snippet[0] if snippet else 0
    parse_or_refuse(bytes(data[: max(1, int(len(data) * cut))]))


@FUZZ
@given(
    texts=st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
        min_size=6,
        max_size=6,
    )
)
def test_any_element_text_parses_or_refuses(texts: list[str]) -> None:
    """Well-formed notices with arbitrary text in the fields the importer reads."""
    title, buyer, amount, currency, end_date, cpv = (
        escape(text.replace("\x00", "")).encode("utf-8", errors="ignore") for text in texts
    )
    data = (
        fixture("cn_minimal.xml")
        .replace(b">Harbour wall repairs<", b">" + title + b"<")
        .replace(b">Harbour Town Council<", b">" + buyer + b"<")
        .replace(b">250000<", b">" + amount + b"<")
        .replace(b'currencyID="EUR"', b'currencyID="' + currency.replace(b'"', b"") + b'"')
        .replace(b">2026-04-15+01:00<", b">" + end_date + b"<")
        .replace(b">45241000<", b">" + cpv + b"<")
    )
    parse_or_refuse(data)
