"""TED R2.0.9 export XML: one notice per file, the original-language form, hostile XML refused."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.ingest import ImportFileError
from core.ingest.content import Content
from core.ingest.ted import parse_ted, sniff_ted
from core.models import Lot, NoticeDocument, NoticeType, ParsedFile, Tender

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ted"
DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
REAL = DATA / "ted-r209"
REAL_FILES = sorted(REAL.glob("*.xml")) if REAL.is_dir() else []
needs_data = pytest.mark.skipif(not REAL_FILES, reason="shared/data/ted-r209 is not present")
NS = "http://publications.europa.eu/resource/schema/ted/R2.0.9/publication"


def read(name: str) -> ParsedFile:
    return parse_ted(Content((FIXTURES / name).read_bytes(), name), "ted")


def read_bytes(data: bytes, name: str = "notice.xml") -> ParsedFile:
    return parse_ted(Content(data, name), "ted")


def one(parsed: ParsedFile) -> Tender:
    assert len(parsed.tenders) == 1
    return parsed.tenders[0]


def notice(
    *,
    form: str = "F02",
    body: str = "",
    title: str = "Snow clearing",
    td: str = '<TD_DOCUMENT_TYPE CODE="3">Contract notice</TD_DOCUMENT_TYPE>',
    procedure: str = "",
) -> bytes:
    """A small TED export built in the test, for the cases the fixtures do not cover."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<TED_EXPORT xmlns="{NS}" DOC_ID="900009-2024">
  <CODED_DATA_SECTION>
    <NOTICE_DATA><NO_DOC_OJS>2024/S 001-900009</NO_DOC_OJS><LG_ORIG>EN</LG_ORIG></NOTICE_DATA>
    <CODIF_DATA>{td}</CODIF_DATA>
  </CODED_DATA_SECTION>
  <FORM_SECTION>
    <{form}_2014 CATEGORY="ORIGINAL" FORM="{form}" LG="EN">
      {body}
      <OBJECT_CONTRACT><TITLE><P>{title}</P></TITLE></OBJECT_CONTRACT>
      <PROCEDURE>{procedure}</PROCEDURE>
    </{form}_2014>
  </FORM_SECTION>
</TED_EXPORT>""".encode()


# ----------------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    "name", ["minimal_f02.xml", "award_f03.xml", "multilanguage.xml", "lots_f05.xml"]
)
def test_sniff_claims_ted_exports(name: str) -> None:
    assert sniff_ted(Content((FIXTURES / name).read_bytes(), name)) == 100


@pytest.mark.parametrize(
    "head",
    [
        b"<TED_EXPORT>",
        b"\xef\xbb\xbf  <?xml version='1.0'?>\n<!-- exported -->\n<ted:TED_EXPORT xmlns:ted='x'>",
        b"<?xml version='1.0'?><!DOCTYPE TED_EXPORT [<!ENTITY a 'b'>]><TED_EXPORT/>",
        "<?xml version='1.0' encoding='UTF-16'?><TED_EXPORT/>".encode("utf-16"),
    ],
)
def test_sniff_reads_the_root_past_declarations_comments_and_doctype(head: bytes) -> None:
    assert sniff_ted(Content(head, "notice.xml")) == 100


@pytest.mark.parametrize(
    "data",
    [
        b"<?xml version='1.0'?><catalog><TED_EXPORT/></catalog>",
        b"<TED_EXPORTS/>",
        b"title,buyer\nRoads,Council\n",
        b'[{"title": "TED_EXPORT"}]',
        b"<!-- a comment that never ends <TED_EXPORT>",
        b"",
    ],
)
def test_sniff_leaves_other_files_alone(data: bytes) -> None:
    assert sniff_ted(Content(data, "notice.xml")) == 0


def test_sniff_leaves_the_not_ted_fixture_alone() -> None:
    assert sniff_ted(Content((FIXTURES / "not_ted.xml").read_bytes(), "not_ted.xml")) == 0


@needs_data
def test_sniff_leaves_eforms_notices_to_their_importer() -> None:
    eforms = sorted((DATA / "eforms").glob("*.xml"))
    assert eforms
    assert all(sniff_ted(Content(path.read_bytes(), path.name)) == 0 for path in eforms)


# ------------------------------------------------------------------------------------ mapping


def test_minimal_contract_notice_maps_every_field() -> None:
    parsed = read("minimal_f02.xml")
    tender = one(parsed)
    assert parsed.format == "ted"
    assert tender.source == "ted"
    assert tender.source_id == "2024/S 010-123456"
    assert tender.title == "Road maintenance framework 2024"
    assert tender.description.startswith("Repair of all council roads.\nFour-year framework.")
    assert "Patching and resurfacing of local roads." in tender.description
    assert tender.buyer == "Example City Council"
    assert tender.value_amount == 250_000 and tender.value_currency == "GBP"
    assert tender.cpv_codes == ["45233141", "45233142"]
    assert tender.country == "GB"  # TED writes UK
    assert tender.language == "en"
    assert tender.url == "https://ted.europa.eu/udl?uri=TED:NOTICE:123456-2024:TEXT:EN:HTML"
    # 12:00 local time for a UK buyer in February is GMT, UTC+0 (not Brussels time).
    assert tender.deadline == datetime(2024, 2, 20, 12, 0, tzinfo=UTC)
    assert tender.deadline.utcoffset() == timedelta(0)
    assert tender.published_at == datetime(2024, 1, 15, tzinfo=UTC)
    assert tender.notice_type is NoticeType.TENDER and tender.notice_type.biddable
    assert tender.form_type == "F02"
    assert tender.procedure_id == "GB|example city council|ECC/2024/7"
    assert tender.lots == []  # one OBJECT_DESCR without LOT_NO: the notice is not divided
    # Only web links become documents: the javascript: participation link is left out.
    assert tender.documents == [
        NoticeDocument(title="Procurement documents", url="https://docs.example.org/tenders/42")
    ]
    assert [error.level for error in parsed.errors] == ["warning"]
    assert "URL_PARTICIPATION 'javascript:alert(1)' is not a web address" in (
        parsed.errors[0].message
    )


def test_raw_is_compact_json_with_coded_data_and_form_fields() -> None:
    tender = one(read("minimal_f02.xml"))
    raw = json.loads(json.dumps(tender.raw))
    assert raw["doc_id"] == "123456-2024" and raw["version"] == "R2.0.9.S05.E01"
    assert raw["form"] == {
        "tag": "F02_2014",
        "form": "F02",
        "language": "EN",
        "category": "ORIGINAL",
    }
    assert raw["coded_data"]["CODIF_DATA/TD_DOCUMENT_TYPE@CODE"] == "3"
    assert raw["coded_data"]["NOTICE_DATA/NO_DOC_OJS"] == "2024/S 010-123456"
    assert raw["fields"]["OBJECT_CONTRACT/REFERENCE_NUMBER"] == "ECC/2024/7"
    assert raw["fields"]["OBJECT_CONTRACT/CPV_MAIN/CPV_CODE@CODE"] == "45233141"
    assert raw["fields"]["PROCEDURE/PT_OPEN"] is True
    assert raw["translations"] == {}
    assert "truncated" not in raw


def test_award_notice() -> None:
    tender = one(read("award_f03.xml"))
    assert tender.notice_type is NoticeType.AWARD and not tender.notice_type.biddable
    assert tender.form_type == "F03"
    assert tender.title == "Nettoyage des bâtiments communaux"
    assert tender.description == "Nettoyage des écoles et de la mairie."  # the copy is not repeated
    assert tender.buyer == "Ville d'Exemple"
    assert tender.country == "FR"  # no ISO_COUNTRY: the buyer's country
    assert tender.language == "fr"
    assert tender.value_amount == 98_000 and tender.value_currency == "EUR"
    assert tender.deadline is None
    assert tender.published_at == datetime(2023, 7, 7, tzinfo=UTC)
    # No reference number: the procedure is named by the notice that opened it.
    assert tender.procedure_id == "2023/S 040-100001"
    assert tender.cpv_codes == ["90910000"]


def test_multilanguage_notice_reads_the_original_and_keeps_translated_titles() -> None:
    parsed = read("multilanguage.xml")
    tender = one(parsed)
    assert tender.title == "Fourniture de mobilier scolaire"
    assert tender.description == "Tables et chaises pour les écoles."
    assert tender.language == "fr"
    assert tender.url.endswith(":TEXT:FR:HTML")
    assert tender.raw["translations"] == {
        "de": "Lieferung von Schulmöbeln",
        "en": "Supply of school furniture",
    }
    assert tender.raw["form"]["language"] == "FR"
    # 10:00 in Brussels in September is CEST, UTC+2.
    assert tender.deadline == datetime(2024, 9, 2, 8, 0, tzinfo=UTC)
    assert tender.documents == [
        NoticeDocument(
            title="Procurement documents", url="https://www.example.be/marches/mobilier"
        ),
        NoticeDocument(
            title="Submit tenders or requests to participate",
            url="https://eproc.example.be/submit",
        ),
    ]
    assert parsed.errors == []


def test_lots_with_values_sum_to_the_notice_value() -> None:
    parsed = read("lots_f05.xml")
    tender = one(parsed)
    assert tender.form_type == "F05" and tender.notice_type is NoticeType.TENDER
    assert tender.lots == [
        Lot(
            id="1",
            title="Vandledninger",
            description="Reparation af vandledninger.",
            value_amount=100_000,
            value_currency="EUR",
            cpv_codes=["45232151"],
        ),
        Lot(
            id="2",
            title="Kloakledninger",
            description="Reparation af kloakledninger.",
            value_amount=250_000.5,
            value_currency="EUR",
            cpv_codes=["45232411", "45232151"],
        ),
        Lot(
            id="3",
            title="Fjernvarme",
            description="Reparation af fjernvarmerør.",
            value_amount=50_000,
            value_currency="EUR",
            cpv_codes=[],
        ),
    ]
    assert tender.value_amount == 400_000.5 and tender.value_currency == "EUR"
    assert tender.cpv_codes == ["45232150", "45232151", "45232411"]  # check digit dropped
    assert "Lot 2: Kloakledninger\nReparation af kloakledninger." in tender.description
    assert tender.deadline == datetime(2024, 11, 5, 8, 30, tzinfo=UTC)  # "9:30" CET
    # a buyer's own file number is scoped by country and buyer
    assert tender.procedure_id == "DK|eksempel forsyning a/s|EF-2024-12"
    assert parsed.errors == []


def test_lots_in_different_currencies_give_no_total() -> None:
    lots = "".join(
        f'<OBJECT_DESCR><LOT_NO>{n}</LOT_NO><VAL_OBJECT CURRENCY="{c}">10</VAL_OBJECT>'
        "</OBJECT_DESCR>"
        for n, c in ((1, "EUR"), (2, "DKK"))
    )
    data = notice().replace(
        b"</TITLE></OBJECT_CONTRACT>", f"</TITLE>{lots}</OBJECT_CONTRACT>".encode()
    )
    tender = one(read_bytes(data))
    assert [lot.value_currency for lot in tender.lots] == ["EUR", "DKK"]
    assert tender.value_amount is None and tender.value_currency is None


def test_a_bad_value_or_date_keeps_the_notice_with_warnings() -> None:
    body = "<CONTRACTING_BODY><URL_DOCUMENT>file:///etc/passwd</URL_DOCUMENT></CONTRACTING_BODY>"
    data = notice(
        body=body,
        procedure="<DATE_RECEIPT_TENDERS>31.02.2024</DATE_RECEIPT_TENDERS>"
        "<TIME_RECEIPT_TENDERS>12:00</TIME_RECEIPT_TENDERS>",
    ).replace(
        b"</TITLE></OBJECT_CONTRACT>",
        b'</TITLE><VAL_ESTIMATED_TOTAL CURRENCY="EUR">about a million</VAL_ESTIMATED_TOTAL>'
        b"</OBJECT_CONTRACT>",
    )
    parsed = read_bytes(data)
    tender = one(parsed)
    assert tender.deadline is None and tender.value_amount is None and tender.documents == []
    messages = " | ".join(error.message for error in parsed.errors)
    assert all(error.level == "warning" and error.row == 1 for error in parsed.errors)
    assert "deadline '31.02.2024' is not a date" in messages
    assert "value 'about a million' is not an amount" in messages
    assert "URL_DOCUMENT 'file:///etc/passwd' is not a web address" in messages


@pytest.mark.parametrize(
    ("procedure", "expected", "warned"),
    [
        ("<DATE_RECEIPT_TENDERS>2024-07-01</DATE_RECEIPT_TENDERS>", (2024, 7, 1, 21, 59), True),
        (
            "<DATE_RECEIPT_TENDERS>2024-12-31</DATE_RECEIPT_TENDERS>"
            "<TIME_RECEIPT_TENDERS>24:00</TIME_RECEIPT_TENDERS>",
            (2024, 12, 31, 22, 59),
            False,
        ),
        (
            "<DATE_RECEIPT_TENDERS>2024-03-31</DATE_RECEIPT_TENDERS>"
            "<TIME_RECEIPT_TENDERS>14h30</TIME_RECEIPT_TENDERS>",
            (2024, 3, 31, 12, 30),  # the day summer time starts: already CEST
            False,
        ),
        (
            "<DATE_RECEIPT_TENDERS>2024-10-27</DATE_RECEIPT_TENDERS>"
            "<TIME_RECEIPT_TENDERS>noon</TIME_RECEIPT_TENDERS>",
            (2024, 10, 27, 22, 59),  # back to CET that day; a bad time means end of day
            True,
        ),
    ],
)
def test_deadlines_are_brussels_time_and_aware(
    procedure: str, expected: tuple[int, ...], warned: bool
) -> None:
    parsed = read_bytes(notice(procedure=procedure))
    tender = one(parsed)
    assert tender.deadline is not None and tender.deadline.utcoffset() is not None
    assert tender.deadline.astimezone(UTC) == datetime(*expected, tzinfo=UTC)
    assert bool(parsed.errors) is warned


def test_deadline_falls_back_to_the_coded_submission_date() -> None:
    data = notice(td="<DT_DATE_FOR_SUBMISSION>20240506 17:00</DT_DATE_FOR_SUBMISSION>")
    assert one(read_bytes(data)).deadline == datetime(2024, 5, 6, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("form", "notice_attribute", "expected"),
    [
        ("F01", "PRI_ONLY", NoticeType.PLANNING),
        ("F01", "PRI_CALL_COMPETITION", NoticeType.TENDER),
        ("F04", "PER_REDUCING_TIME_LIMITS", NoticeType.PLANNING),
        ("F21", "PRI_ONLY", NoticeType.PLANNING),
        ("F21", "CONTRACT", NoticeType.TENDER),
        ("F21", "AWARD_CONTRACT", NoticeType.AWARD),
        ("F22", "QSU_ONLY", NoticeType.TENDER),
        ("F23", "AWARD_CONCESSION", NoticeType.AWARD),
        ("F16", "", NoticeType.PLANNING),
        ("F12", "", NoticeType.TENDER),
        ("F24", "", NoticeType.TENDER),
        ("F06", "", NoticeType.AWARD),
        ("F13", "", NoticeType.AWARD),
        ("F15", "", NoticeType.AWARD),
        ("F25", "", NoticeType.AWARD),
        ("F14", "", NoticeType.MODIFICATION),
        ("F20", "", NoticeType.MODIFICATION),
    ],
)
def test_notice_type_follows_the_form(
    form: str, notice_attribute: str, expected: NoticeType
) -> None:
    body = f'<NOTICE TYPE="{notice_attribute}"/>' if notice_attribute else ""
    tender = one(read_bytes(notice(form=form, body=body, td="")))
    assert tender.form_type == form
    assert tender.notice_type is expected


def test_document_type_decides_for_an_unknown_form_and_cross_checks_a_known_one() -> None:
    unknown = one(
        read_bytes(
            notice(
                form="XX", td='<TD_DOCUMENT_TYPE CODE="7">Contract award notice</TD_DOCUMENT_TYPE>'
            )
        )
    )
    assert unknown.form_type == "XX" and unknown.notice_type is NoticeType.AWARD
    labelled = one(
        read_bytes(
            notice(
                form="XX",
                td='<TD_DOCUMENT_TYPE CODE="Z">Prior information notice</TD_DOCUMENT_TYPE>',
            )
        )
    )
    assert labelled.notice_type is NoticeType.PLANNING
    assert one(read_bytes(notice(form="XX", td=""))).notice_type is NoticeType.OTHER

    conflict = read_bytes(
        notice(form="F02", td='<TD_DOCUMENT_TYPE CODE="7">Contract award notice</TD_DOCUMENT_TYPE>')
    )
    assert one(conflict).notice_type is NoticeType.TENDER  # the form wins
    assert "form F02 is a call for tenders but TED's document type" in conflict.errors[0].message


# ------------------------------------------------------------------------ broken and hostile


def test_billion_laughs_is_refused_without_expanding_anything() -> None:
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        read("billion_laughs.xml")
    assert time.perf_counter() - started < 1
    message = str(caught.value)
    assert message.startswith("billion_laughs.xml declares a DTD or entities")
    assert "not accepted" in message and "\n" not in message
    assert sniff_ted(Content((FIXTURES / "billion_laughs.xml").read_bytes(), "b.xml")) == 100


def test_external_entities_are_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE TED_EXPORT [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<TED_EXPORT><FORM_SECTION><F02_2014><OBJECT_CONTRACT><TITLE><P>&x;</P></TITLE>"
        b"</OBJECT_CONTRACT></F02_2014></FORM_SECTION></TED_EXPORT>"
    )
    with pytest.raises(ImportFileError, match="DTD or entities"):
        read_bytes(data)


def test_truncated_xml_is_refused_with_its_position() -> None:
    with pytest.raises(ImportFileError) as caught:
        read("truncated.xml")
    message = str(caught.value)
    assert message.startswith("truncated.xml is not valid XML (line ")
    assert "column" in message and "\n" not in message


def test_malformed_xml_names_line_and_column() -> None:
    with pytest.raises(
        ImportFileError, match=r"\(line 2, column 8\); the parser stopped at .mismatched tag."
    ):
        read_bytes(b"<TED_EXPORT>\n  <A></B></A></TED_EXPORT>")


def test_xml_that_is_not_a_ted_export_is_refused() -> None:
    with pytest.raises(ImportFileError, match=r"not a TED export \(its root element is <catalog>"):
        read("not_ted.xml")


def test_a_notice_without_a_title_is_refused_in_one_sentence() -> None:
    with pytest.raises(ImportFileError) as caught:
        read("no_title.xml")
    message = str(caught.value)
    assert message.startswith("no_title.xml is a TED notice without a title")
    assert "\n" not in message


def test_an_export_without_forms_is_refused() -> None:
    data = b"<TED_EXPORT><CODED_DATA_SECTION/><FORM_SECTION/></TED_EXPORT>"
    with pytest.raises(ImportFileError, match="without a notice form"):
        read_bytes(data)


def test_deep_nesting_neither_crashes_nor_hangs() -> None:
    depth = 50_000
    deep = "<X>" * depth + "</X>" * depth
    data = notice(body=deep)
    started = time.perf_counter()
    tender = one(read_bytes(data))
    assert time.perf_counter() - started < 10
    assert tender.title == "Snow clearing"


def test_raw_of_a_huge_notice_stays_bounded() -> None:
    lots = "".join(
        f"<OBJECT_DESCR><LOT_NO>{n}</LOT_NO><SHORT_DESCR><P>{'x' * 400} {n}</P></SHORT_DESCR>"
        "</OBJECT_DESCR>"
        for n in range(1, 1_201)
    )
    data = notice().replace(
        b"</TITLE></OBJECT_CONTRACT>", f"</TITLE>{lots}</OBJECT_CONTRACT>".encode()
    )
    parsed = read_bytes(data)
    tender = one(parsed)
    assert len(tender.lots) == 1_000
    assert any("1,200 lots" in error.message for error in parsed.errors)
    assert tender.raw["truncated"] is True
    assert len(json.dumps(tender.raw)) < 100_000
    assert len(tender.description) < 5_000


# ----------------------------------------------------------------------------------- real data


def parse_real(path: Path) -> ParsedFile:
    return parse_ted(Content(path.read_bytes(), path.name), "ted")


# form, notice type: read off each file's FORM attribute and CODIF_DATA/TD_DOCUMENT_TYPE label.
REAL_FORMS: dict[str, tuple[str, NoticeType]] = {
    "18-151256": ("F12", NoticeType.TENDER),  # D Design contest
    "18-168448": ("F02", NoticeType.TENDER),  # 3 Contract notice
    "18-536293": ("F13", NoticeType.AWARD),  # R Results of design contests
    "19-099886": ("F08", NoticeType.PLANNING),  # B Buyer profile
    "19-271873": ("F03", NoticeType.AWARD),  # 7 Contract award notice
    "19-318420": ("F25", NoticeType.AWARD),  # J Concession award notice
    "20-156049": ("F02", NoticeType.TENDER),
    "20-157399": ("F03", NoticeType.AWARD),
    "20-162034": ("F02", NoticeType.TENDER),
    "20-168879": ("F03", NoticeType.AWARD),
    "20-198944": ("F02", NoticeType.TENDER),
    "20-246700": ("F02", NoticeType.TENDER),
    "20-271232": ("F07", NoticeType.TENDER),  # O Qualification system with call for competition
    "20-318547": ("F22", NoticeType.TENDER),  # Q Qualification system without call (QSU_ONLY)
    "20-377805": ("F02", NoticeType.TENDER),
    "20-560391": ("F21", NoticeType.TENDER),  # NOTICE TYPE="CONTRACT"
    "20-587026": ("F02", NoticeType.TENDER),
    "21-000061": ("F03", NoticeType.AWARD),
    "21-010961": ("F03", NoticeType.AWARD),
    "21-050204": ("F03", NoticeType.AWARD),
    "21-064844": ("F02", NoticeType.TENDER),
    "21-119240": ("F05", NoticeType.TENDER),
    "21-120407": ("F02", NoticeType.TENDER),
    "21-149886": ("F15", NoticeType.AWARD),  # V Voluntary ex ante transparency notice
    "21-205737": ("F25", NoticeType.AWARD),
    "21-357646": ("F03", NoticeType.AWARD),
    "21-362774": ("F02", NoticeType.TENDER),
    "21-363066": ("F02", NoticeType.TENDER),
    "21-364082": ("F05", NoticeType.TENDER),
    "21-364236": ("F02", NoticeType.TENDER),
    "21-364516": ("F12", NoticeType.TENDER),
    "21-635824": ("F21", NoticeType.AWARD),  # NOTICE TYPE="AWARD_CONTRACT"
    "22-023722": ("F15", NoticeType.AWARD),
    "22-086633": ("F03", NoticeType.AWARD),
    "22-104446": ("F02", NoticeType.TENDER),
    "22-434184": ("F04", NoticeType.PLANNING),  # P Periodic indicative notice without call
}


@needs_data
def test_every_real_export_imports_as_one_tender() -> None:
    assert len(REAL_FILES) == 36
    tenders = [one(parse_real(path)) for path in REAL_FILES]
    share = lambda test: sum(1 for t in tenders if test(t)) / len(tenders)  # noqa: E731
    assert share(lambda t: t.title.strip()) == 1
    assert share(lambda t: t.buyer) >= 0.95
    assert share(lambda t: t.cpv_codes) >= 0.90
    assert share(lambda t: t.source_id) == 1
    assert share(lambda t: t.published_at) == 1
    assert share(lambda t: t.url) == 1
    assert all(len(code) == 8 and code.isdigit() for t in tenders for code in t.cpv_codes)
    assert len({t.language for t in tenders}) >= 8
    assert len({t.source_id for t in tenders}) == 36


@needs_data
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda path: path.name[:9])
def test_real_form_and_notice_types_match_their_files(path: Path) -> None:
    parsed = parse_real(path)
    tender = one(parsed)
    form, notice_type = REAL_FORMS[path.name[:9]]
    assert tender.form_type == form
    assert tender.notice_type is notice_type
    # The form and TED's own document type agree on every real file.
    assert not any("document type" in error.message for error in parsed.errors)
    if form in ("F03", "F13", "F15", "F25"):
        assert tender.notice_type is NoticeType.AWARD
    assert tender.deadline is None or tender.deadline.utcoffset() is not None
    assert tender.published_at is not None and tender.published_at.utcoffset() is not None
    assert all(error.level == "warning" for error in parsed.errors)
    raw = json.dumps(tender.raw)
    assert len(raw) < 150_000
    assert json.loads(raw)["form"]["form"] == form


@needs_data
def test_real_originals_are_chosen_and_translations_kept() -> None:
    by_id = {path.name[:9]: one(parse_real(path)) for path in REAL_FILES}
    echa = by_id["18-168448"]  # English original, 23 translations
    assert echa.language == "en"
    assert echa.title == "Public sale of ECHA Service Car (BMW Active Hybrid 5 Sedan)"
    assert len(echa.raw["translations"]) == 23 and "en" not in echa.raw["translations"]
    assert echa.url.endswith(":TEXT:EN:HTML")
    # Two forms are both CATEGORY="ORIGINAL" (FR and DE); LG_ORIG says French.
    swiss = by_id["20-162034"]
    assert swiss.language == "fr" and swiss.title.startswith("Testeur de radiocommunication")
    assert set(swiss.raw["translations"]) == {"de"}
    assert by_id["22-104446"].language == "en"
    assert set(by_id["22-104446"].raw["translations"]) == {"de", "fr"}
    assert by_id["21-362774"].language == "de"
    assert by_id["20-156049"].language == "hu"


@needs_data
def test_real_values_deadlines_and_lots() -> None:
    by_id = {path.name[:9]: one(parse_real(path)) for path in REAL_FILES}
    balzers = by_id["18-151256"]
    assert balzers.deadline == datetime(2018, 5, 7, 15, 0, tzinfo=UTC)  # 17:00 CEST
    assert balzers.buyer == "Gemeinde Balzers" and balzers.country == "LI"
    assert by_id["20-377805"].deadline == datetime(2020, 9, 18, 7, 0, tzinfo=UTC)  # "9:00"
    sykehus = by_id["20-560391"]
    assert sykehus.deadline == datetime(2020, 12, 11, 11, 0, tzinfo=UTC)  # 12:00 CET
    assert [lot.id for lot in sykehus.lots] == ["1", "2", "3"]
    assert by_id["20-198944"].value_amount == 1_200_000
    assert by_id["20-198944"].value_currency == "GBP"
    assert by_id["20-198944"].country == "GB"
    assert by_id["21-010961"].value_amount == 1_900_000  # VAL_RANGE_TOTAL: the low end
    messina = by_id["22-434184"]
    assert [lot.value_amount for lot in messina.lots] == [1_300_000, 1_450_000]
    assert messina.value_amount == 2_695_980
    romsilva = by_id["20-168879"]
    assert len(romsilva.lots) == 652
    assert romsilva.value_amount == 12_130_675.84 and romsilva.value_currency == "RON"
    assert (by_id["19-271873"].procedure_id or "").endswith("|10/2019")
    assert by_id["21-205737"].procedure_id == "2020/S 014-029577"  # the earlier notice
    first = by_id["22-104446"]  # a contract notice with no file number and no earlier notice
    assert first.procedure_id == first.source_id == "2022/S 041-107804", "cited by later ones"
    assert by_id["21-000061"].related_notices == ["2019/S 176-428607"]


# --------------------------------------------------------------------------------------- fuzz

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MINIMAL = (FIXTURES / "minimal_f02.xml").read_bytes()


def parse_or_refuse(data: bytes) -> ParsedFile | None:
    content = Content(data, "notice.xml")
    assert sniff_ted(content) in (0, 100)
    try:
        parsed = parse_ted(content, "ted")
    except ImportFileError as exc:
        assert "\n" not in str(exc)
        return None
    tender = one(parsed)
    assert tender.title.strip()
    assert all(error.row == 1 for error in parsed.errors)
    json.dumps(tender.raw)
    return parsed


@FUZZ
@given(data=st.binary(max_size=2_000))
def test_random_bytes_only_raise_import_file_errors(data: bytes) -> None:
    parse_or_refuse(data)


@FUZZ
@given(
    cut=st.integers(min_value=0, max_value=len(MINIMAL)),
    flips=st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(MINIMAL) - 1), st.integers(0, 255)),
        max_size=12,
    ),
    insert=st.sampled_from([b"", b"<!DOCTYPE x>", b"&amp;", b"&bogus;", b"<P>", b"</P>", b"\x00"]),
    where=st.integers(min_value=0, max_value=len(MINIMAL)),
)
def test_mangled_ted_xml_parses_or_is_refused(
    cut: int, flips: list[tuple[int, int]], insert: bytes, where: int
) -> None:
    data = bytearray(MINIMAL)
    for position, byte in flips:
        data[position] = byte
    data[where:where] = insert
    parse_or_refuse(bytes(data[:cut]) if cut else bytes(data))


FIELD = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", "2024-02-30", "20241301", "25:61", "9:5", "-5", "1e309", "1,5 Mio. EUR", "99999999-9"]
    ),
)


@FUZZ
@given(
    title=FIELD,
    date=FIELD,
    clock=FIELD,
    amount=FIELD,
    currency=FIELD,
    cpv=FIELD,
    country=FIELD,
    language=FIELD,
    link=FIELD,
    form=st.sampled_from(["F01", "F02", "F03", "F21", "F99", "", "x y"]),
)
def test_random_field_values_never_escape_as_other_errors(
    title: str,
    date: str,
    clock: str,
    amount: str,
    currency: str,
    cpv: str,
    country: str,
    language: str,
    link: str,
    form: str,
) -> None:
    def attr(value: str) -> str:
        return escape(value, {'"': "&quot;"})

    data = f"""<TED_EXPORT xmlns="{NS}">
  <CODED_DATA_SECTION><REF_OJS><DATE_PUB>{escape(date)}</DATE_PUB></REF_OJS>
    <NOTICE_DATA><ISO_COUNTRY VALUE="{attr(country)}"/><LG_ORIG>{escape(language)}</LG_ORIG>
      <URI_LIST><URI_DOC LG="{attr(language)}">{escape(link)}</URI_DOC></URI_LIST></NOTICE_DATA>
  </CODED_DATA_SECTION>
  <FORM_SECTION><F_2014 FORM="{attr(form)}" LG="{attr(language)}" CATEGORY="ORIGINAL">
    <CONTRACTING_BODY><URL_DOCUMENT>{escape(link)}</URL_DOCUMENT></CONTRACTING_BODY>
    <OBJECT_CONTRACT><TITLE><P>{escape(title)}</P></TITLE>
      <CPV_MAIN><CPV_CODE CODE="{attr(cpv)}"/></CPV_MAIN>
      <VAL_ESTIMATED_TOTAL CURRENCY="{attr(currency)}">{escape(amount)}</VAL_ESTIMATED_TOTAL>
      <OBJECT_DESCR><LOT_NO>{escape(title)}</LOT_NO>
        <VAL_OBJECT CURRENCY="{attr(currency)}">{escape(amount)}</VAL_OBJECT></OBJECT_DESCR>
    </OBJECT_CONTRACT>
    <PROCEDURE><DATE_RECEIPT_TENDERS>{escape(date)}</DATE_RECEIPT_TENDERS>
      <TIME_RECEIPT_TENDERS>{escape(clock)}</TIME_RECEIPT_TENDERS></PROCEDURE>
  </F_2014></FORM_SECTION>
</TED_EXPORT>""".encode("utf-8", errors="surrogatepass")
    parsed = parse_or_refuse(data)
    if parsed is not None:
        tender = parsed.tenders[0]
        assert tender.deadline is None or tender.deadline.utcoffset() is not None
        assert tender.country is None or len(tender.country) == 2
