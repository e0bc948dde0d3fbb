"""eForms importer: one UBL 2.3 notice (TED's format since 2023) → one Tender with its lots.

A notice file holds one notice: a ContractNotice, PriorInformationNotice or ContractAwardNotice
root in the UBL namespaces. Organisations live in the eForms extension and are referenced by id
(ORG-0001) from the contracting party; texts may repeat in several languages (languageID="ENG"),
and the one in the notice language (cbc:NoticeLanguageCode) is used, the others kept in `raw`.

XML is parsed with defusedxml and DTDs are refused outright: a notice never needs one, and a
DOCTYPE is how entity-expansion attacks (billion laughs) and external references get in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from core.ingest.content import Content
from core.ingest.errors import FieldProblem, ImportFileError
from core.ingest.rows import DESCRIPTION_LIMIT, TenderBuilder
from core.ingest.values import parse_cpv, parse_date
from core.models import Classification, Lot, NoticeDocument, NoticeType, ParsedFile

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

FORMAT = "eforms"

_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
NOTICE_ROOTS: dict[str, str] = {
    f"{_UBL}{name}-2": name
    for name in ("ContractNotice", "PriorInformationNotice", "ContractAwardNotice")
}
NS = {
    "cbc": f"{_UBL}CommonBasicComponents-2",
    "cac": f"{_UBL}CommonAggregateComponents-2",
    "ext": f"{_UBL}CommonExtensionComponents-2",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
}
_EXTENSION = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
_REFETCH = "download the notice again from TED and import that file"

# ISO 3166 alpha-3 (eForms country codes) → alpha-2: Europe, and the countries buyers most often
# name besides. Others stay out of Tender.country (and in raw["buyer_country"]).
COUNTRIES: dict[str, str] = {
    # EU
    "AUT": "AT", "BEL": "BE", "BGR": "BG", "HRV": "HR", "CYP": "CY", "CZE": "CZ", "DNK": "DK",
    "EST": "EE", "FIN": "FI", "FRA": "FR", "DEU": "DE", "GRC": "GR", "HUN": "HU", "IRL": "IE",
    "ITA": "IT", "LVA": "LV", "LTU": "LT", "LUX": "LU", "MLT": "MT", "NLD": "NL", "POL": "PL",
    "PRT": "PT", "ROU": "RO", "SVK": "SK", "SVN": "SI", "ESP": "ES", "SWE": "SE",
    # EEA, Switzerland, UK, US
    "ISL": "IS", "LIE": "LI", "NOR": "NO", "CHE": "CH", "GBR": "GB", "USA": "US",
    # the rest of Europe and neighbours
    "ALB": "AL", "AND": "AD", "ARM": "AM", "AZE": "AZ", "BIH": "BA", "BLR": "BY", "GEO": "GE",
    "MCO": "MC", "MDA": "MD", "MKD": "MK", "MNE": "ME", "RUS": "RU", "SMR": "SM", "SRB": "RS",
    "TUR": "TR", "UKR": "UA", "VAT": "VA", "XKX": "XK", "1A0": "XK",
    # frequent elsewhere
    "AUS": "AU", "BRA": "BR", "CAN": "CA", "CHN": "CN", "EGY": "EG", "IND": "IN", "ISR": "IL",
    "JPN": "JP", "KOR": "KR", "MAR": "MA", "MEX": "MX", "NZL": "NZ", "TUN": "TN", "ZAF": "ZA",
}  # fmt: skip

# ISO 639-2 (eForms language codes, both /T and /B spellings) → ISO 639-1.
LANGUAGES: dict[str, str] = {
    "BUL": "bg", "CES": "cs", "CZE": "cs", "DAN": "da", "DEU": "de", "GER": "de", "ELL": "el",
    "GRE": "el", "ENG": "en", "EST": "et", "FIN": "fi", "FRA": "fr", "FRE": "fr", "GLE": "ga",
    "HRV": "hr", "HUN": "hu", "ITA": "it", "LAV": "lv", "LIT": "lt", "MLT": "mt", "NLD": "nl",
    "DUT": "nl", "POL": "pl", "POR": "pt", "RON": "ro", "RUM": "ro", "SLK": "sk", "SLO": "sk",
    "SLV": "sl", "SPA": "es", "SWE": "sv", "NOR": "no", "NOB": "nb", "NNO": "nn", "ISL": "is",
    "ICE": "is", "TUR": "tr", "UKR": "uk", "RUS": "ru", "SRP": "sr", "MKD": "mk", "MAC": "mk",
    "SQI": "sq", "ALB": "sq", "BOS": "bs", "CAT": "ca", "EUS": "eu", "BAQ": "eu", "GLG": "gl",
    "LTZ": "lb",
}  # fmt: skip

# cbc:NoticeTypeCode → what the notice announces. A code decides before its listName, and the
# listName before the root element: a PriorInformationNotice used as a call for competition
# (pin-cfc-*) is biddable, and a ContractAwardNotice with can-modif modifies a contract.
_CODE_TYPES: dict[str, NoticeType] = {
    "pin-cfc-standard": NoticeType.TENDER,
    "pin-cfc-social": NoticeType.TENDER,
    "qu-sy": NoticeType.TENDER,  # qualification system: suppliers may apply to join
    "subco": NoticeType.TENDER,  # subcontracting notice: a call to subcontractors
    "pmc": NoticeType.PLANNING,  # pre-market consultation
    "veat": NoticeType.AWARD,  # voluntary ex-ante transparency: a direct award, announced
    "can-modif": NoticeType.MODIFICATION,
    "corr": NoticeType.MODIFICATION,
    "compl": NoticeType.OTHER,  # contract completion
}
_PREFIX_TYPES: tuple[tuple[str, NoticeType], ...] = (
    ("pin-", NoticeType.PLANNING),
    ("cn-", NoticeType.TENDER),
    ("can-", NoticeType.AWARD),
    ("brin-", NoticeType.OTHER),  # business registration notices: not procurement
)
_LIST_TYPES: dict[str, NoticeType] = {
    "planning": NoticeType.PLANNING,
    "competition": NoticeType.TENDER,
    "result": NoticeType.AWARD,
    "dir-awa-pre": NoticeType.AWARD,
    "cont-modif": NoticeType.MODIFICATION,
    "change": NoticeType.MODIFICATION,
    "completion": NoticeType.OTHER,
}
_ROOT_TYPES: dict[str, NoticeType] = {
    "ContractNotice": NoticeType.TENDER,
    "PriorInformationNotice": NoticeType.PLANNING,
    "ContractAwardNotice": NoticeType.AWARD,
}

_DOCUMENT_REFERENCES: tuple[tuple[str, str], ...] = (
    ("cac:CallForTendersDocumentReference", "Procurement documents"),
    ("cac:FiscalLegislationDocumentReference", "Fiscal legislation"),
    ("cac:EnvironmentalLegislationDocumentReference", "Environmental legislation"),
    ("cac:EmploymentLegislationDocumentReference", "Employment legislation"),
)
_DOCUMENT_KINDS = {"restricted-document": "Restricted procurement documents"}

# Model limits, so that a long or odd value shortens a field instead of refusing the notice.
_SHORT = 500
_URL_LIMIT = 2_000
_SCHEME_LIMIT = 40
_CODE_LIMIT = 80
_LOT_SUMMARY = 200

# --- sniffing ---------------------------------------------------------------------------------

_SNIFF_LIMIT = 65_536
_PROLOG_SKIP = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>)", re.DOTALL | re.IGNORECASE
)
_START_TAG = re.compile(r"<(?:(?P<prefix>[A-Za-z_][\w.-]*):)?(?P<local>[A-Za-z_][\w.-]*)")
_XMLNS = re.compile(r"""\sxmlns(?::(?P<prefix>[\w.-]+))?\s*=\s*(?P<q>["'])(?P<uri>.*?)(?P=q)""")


def _longer_head(content: Content) -> str:
    """Up to 64 KB of the file as text: for notices whose leading comments fill the 4 KB head."""
    start = content.prefix(_SNIFF_LIMIT)
    encoding = "utf-16" if start.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    return start.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")


def _root_tag(text: str) -> str | None:
    """The root element's start tag (up to 4 KB of it), after the XML declaration, comments,
    processing instructions and a DOCTYPE; None when the text does not start with markup."""
    position = 0
    while True:
        skipped = _PROLOG_SKIP.match(text, position)
        if skipped is None or skipped.end() == position:
            break
        position = skipped.end()
    while position < len(text) and text[position].isspace():
        position += 1
    if not text.startswith("<", position):
        return None
    end = text.find(">", position)
    return text[position : end if end >= 0 else position + 4096]


def _notice_root(text: str) -> bool:
    tag = _root_tag(text)
    start = _START_TAG.match(tag) if tag else None
    if start is None:
        return False
    namespaces = {match["prefix"] or "": match["uri"] for match in _XMLNS.finditer(tag or "")}
    return NOTICE_ROOTS.get(namespaces.get(start["prefix"] or "", "")) == start["local"]


def sniff_eforms(content: Content) -> int:
    """100 when the root element is an eForms notice in its UBL namespace, else 0."""
    text = content.head_text
    if not text or not text.startswith("<"):
        return 0
    if _notice_root(text):
        return 100
    if content.size > len(content.head) and _notice_root(_longer_head(content)):
        return 100
    return 0


# --- reading the tree -------------------------------------------------------------------------


def _line(element: Element | None) -> str:
    """An element's text on one line."""
    if element is None or not element.text:
        return ""
    return " ".join(element.text.split())


def _paragraphs(element: Element | None) -> str:
    """An element's text with its line breaks kept and each line's indentation dropped."""
    if element is None or not element.text:
        return ""
    lines = (" ".join(line.split()) for line in element.text.splitlines())
    return "\n".join(line for line in lines if line)


def _find(element: Element | None, path: str) -> Element | None:
    return None if element is None else element.find(path, NS)


def _findall(element: Element | None, path: str) -> list[Element]:
    return [] if element is None else element.findall(path, NS)


def _text(element: Element | None, path: str) -> str:
    return _line(_find(element, path))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class _Texts:
    """One text in every language the notice gives it, and the one to show."""

    chosen: str = ""
    by_language: dict[str, str] = field(default_factory=dict)


def _texts(elements: Iterable[Element], language: str, *, keep_lines: bool = False) -> _Texts:
    """The text in the notice language, else one without a language, else the first given."""
    by_language: dict[str, str] = {}
    for element in elements:
        text = _paragraphs(element) if keep_lines else _line(element)
        if text:
            by_language.setdefault((element.get("languageID") or "").strip().upper(), text)
    if not by_language:
        return _Texts()
    chosen = by_language.get(language) or by_language.get("") or next(iter(by_language.values()))
    return _Texts(chosen, by_language)


def _language_code(code: str) -> str | None:
    code = code.strip()
    if len(code) == 2 and code.isalpha():
        return code.lower()
    return LANGUAGES.get(code.upper())


def _country_code(code: str) -> str | None:
    code = code.strip().upper()
    if len(code) == 2 and code.isalpha():
        return code
    return COUNTRIES.get(code)


_DATE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})(?P<zone>Z|[+-]\d{2}:\d{2})?$")
_TIME = re.compile(r"^(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?P<zone>Z|[+-]\d{2}:\d{2})?$")


def _moment_text(date_text: str, time_text: str) -> str:
    """eForms splits a moment in two, each with its zone: '2019-11-15+01:00' and
    '10:00:00+01:00' → '2019-11-15T10:00:00+01:00'. The time's zone wins; without a time the
    moment is the start of the day. Text that is not of this shape is returned as it is."""
    day = _DATE.match(date_text)
    if day is None:
        return date_text
    clock = _TIME.match(time_text) if time_text else None
    zone = (clock["zone"] if clock else None) or day["zone"] or "Z"
    return f"{day['date']}T{clock['time'] if clock else '00:00:00'}{zone}"


def _moment(date_text: str, time_text: str) -> datetime | None:
    if not date_text:
        return None
    try:
        return parse_date(_moment_text(date_text, time_text))
    except FieldProblem:
        return None


_DECIMAL = re.compile(r"^\+?(?:\d+(?:\.\d*)?|\.\d+)$")


def _amount(element: Element | None) -> tuple[float | None, str | None]:
    """An amount (xs:decimal: '1234.567' is not a thousands grouping) with its currencyID;
    (None, None) when absent, unreadable or negative."""
    text = _line(element)
    if element is None or not _DECIMAL.match(text):
        return None, None
    amount = float(text)
    if not math.isfinite(amount):
        return None, None
    currency = (element.get("currencyID") or "").strip().upper()
    return amount, currency if len(currency) == 3 and currency.isalpha() else None


def _web_link(text: str) -> str | None:
    text = text.strip()
    if text.lower().startswith(("http://", "https://")) and " " not in text:
        return text if len(text) <= _URL_LIMIT else None
    return None


@dataclass
class _Codes:
    """Classification codes of a project: CPV first (main before additional), then the rest."""

    cpv: list[str] = field(default_factory=list)
    other: list[Classification] = field(default_factory=list)


def _classifications(project: Element | None) -> _Codes:
    codes = _Codes()
    paths = (
        "cac:MainCommodityClassification/cbc:ItemClassificationCode",
        "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode",
    )
    for path in paths:
        for element in _findall(project, path):
            code = _line(element)
            scheme = (element.get("listName") or "").strip()
            if not code:
                continue
            if not scheme or scheme.lower() == "cpv":
                codes.cpv.append(code)
            else:
                codes.other.append(
                    Classification(scheme=_cut(scheme, _SCHEME_LIMIT), code=_cut(code, _CODE_LIMIT))
                )
    return codes


# The deadline a bidder must meet first: tenders in an open procedure; requests to participate
# in a restricted or negotiated one, whose notice has no tender deadline yet.
_DEADLINE_PERIODS: tuple[tuple[str, str], ...] = (
    ("cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod", "tenders"),
    ("cac:TenderingProcess/cac:ParticipationRequestReceptionPeriod", "requests to participate"),
)


def _deadline_parts(element: Element | None) -> tuple[str, str, str]:
    """(EndDate, EndTime, what is due) of the first deadline period given, else empty."""
    for path, kind in _DEADLINE_PERIODS:
        period = _find(element, path)
        end_date = _text(period, "cbc:EndDate")
        if end_date:
            return end_date, _text(period, "cbc:EndTime"), kind
    return "", "", ""


@dataclass
class _LotInfo:
    lot: Lot
    deadline_text: str | None
    deadline: datetime | None
    deadline_kind: str
    titles: dict[str, str]
    codes: _Codes


def _lot(element: Element, language: str) -> _LotInfo:
    project = _find(element, "cac:ProcurementProject")
    titles = _texts(_findall(project, "cbc:Name"), language)
    description = _texts(_findall(project, "cbc:Description"), language, keep_lines=True)
    amount, currency = _amount(
        _find(project, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount")
    )
    end_date, end_time, kind = _deadline_parts(element)
    codes = _classifications(project)
    lot = Lot(
        id=_cut(_text(element, "cbc:ID"), _SHORT) or None,
        title=_cut(titles.chosen, _SHORT) or None,
        description=_cut(description.chosen, DESCRIPTION_LIMIT),
        value_amount=amount,
        value_currency=currency if amount is not None else None,
        cpv_codes=parse_cpv(codes.cpv),
    )
    return _LotInfo(
        lot=lot,
        deadline_text=_moment_text(end_date, end_time) if end_date else None,
        deadline=_moment(end_date, end_time),
        deadline_kind=kind,
        titles=titles.by_language if len(titles.by_language) > 1 else {},
        codes=codes,
    )


def _is_group(element: Element) -> bool:
    """Lot groups (GLO-0001) share the element of lots but only bundle them."""
    id_element = _find(element, "cbc:ID")
    scheme = (id_element.get("schemeName") or "") if id_element is not None else ""
    return scheme.lower() == "lotsgroup" or _line(id_element).upper().startswith("GLO-")


def _documents(holders: Iterable[Element]) -> list[NoticeDocument]:
    documents: dict[str, NoticeDocument] = {}
    for holder in holders:
        for path, label in _DOCUMENT_REFERENCES:
            for reference in _findall(holder, f"cac:TenderingTerms/{path}"):
                url = _web_link(_text(reference, "cac:Attachment/cac:ExternalReference/cbc:URI"))
                if url is None or url in documents:
                    continue
                kind = _text(reference, "cbc:DocumentType")
                documents[url] = NoticeDocument(title=_DOCUMENT_KINDS.get(kind, label), url=url)
    return list(documents.values())


@dataclass
class _Buyer:
    id: str = ""
    name: _Texts = field(default_factory=_Texts)
    country: str = ""
    profile: str = ""


def _organisations(root: Element) -> dict[str, Element]:
    companies: dict[str, Element] = {}
    for extension in _findall(root, _EXTENSION):
        for company in _findall(extension, "efac:Organizations/efac:Organization/efac:Company"):
            companies.setdefault(_text(company, "cac:PartyIdentification/cbc:ID"), company)
    return companies


def _buyers(root: Element, language: str) -> list[_Buyer]:
    """Every contracting party, resolved to its organisation in the eForms extension; a party
    that names itself (plain UBL) is read in place."""
    companies = _organisations(root)
    buyers = []
    for party in _findall(root, "cac:ContractingParty"):
        own = _find(party, "cac:Party")
        organisation_id = _text(own, "cac:PartyIdentification/cbc:ID")
        company = companies.get(organisation_id) if organisation_id else None
        source = company if company is not None else own
        buyers.append(
            _Buyer(
                id=organisation_id,
                name=_texts(_findall(source, "cac:PartyName/cbc:Name"), language),
                country=_text(source, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
                profile=_text(party, "cbc:BuyerProfileURI"),
            )
        )
    return buyers


def _notice_type(root_name: str, code: str, list_name: str) -> NoticeType:
    """A change notice (efac:Changes) is the corrected notice republished in full: it keeps the
    type of what it corrects, so a corrected call for tenders stays biddable."""
    code, list_name = code.lower(), list_name.lower()
    if code in _CODE_TYPES:
        return _CODE_TYPES[code]
    for prefix, notice_type in _PREFIX_TYPES:
        if code.startswith(prefix):
            return notice_type
    return _LIST_TYPES.get(list_name) or _ROOT_TYPES.get(root_name, NoticeType.OTHER)


def _changes(root: Element, language: str) -> dict[str, Any]:
    found = [
        changes
        for extension in _findall(root, _EXTENSION)
        for changes in _findall(extension, "efac:Changes")
    ]
    if not found:
        return {}
    changed = [_text(changes, "efbc:ChangedNoticeIdentifier") for changes in found]
    reasons = [
        _text(reason, "cbc:ReasonCode")
        or _texts(_findall(reason, "efbc:ReasonDescription"), language).chosen
        for changes in found
        for reason in _findall(changes, "efac:ChangeReason")
    ]
    sections = [
        _text(change, "efbc:ChangedSectionIdentifier")
        or _text(change, "efac:ChangedSection/efbc:ChangedSectionIdentifier")
        for changes in found
        for change in _findall(changes, "efac:Change")
    ]
    summary = {
        "changed_notice": next((item for item in changed if item), None),
        "reasons": [item for item in reasons if item],
        "sections": [item for item in sections if item],
    }
    return {key: value for key, value in summary.items() if value} or {"changed": True}


def _lot_summaries(lots: list[Lot], description: str, budget: int) -> str:
    """'Lots:' and one line per lot, as many as fit in `budget` characters."""
    lines = ["Lots:"]
    used = len(lines[0])
    for number, lot in enumerate(lots):
        label = lot.title or "(untitled)"
        line = f"- {lot.id}: {label}" if lot.id else f"- {label}"
        if lot.description and lot.description not in (description, lot.title):
            line += f" — {_cut(' '.join(lot.description.split()), _LOT_SUMMARY)}"
        if used + len(line) + 1 > budget - 40:
            lines.append(f"… and {len(lots) - number:,} more lots")
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def _describe(description: str, title: str, lots: list[Lot]) -> str:
    only = lots[0] if len(lots) == 1 else None
    if not lots or (
        only is not None and only.title in (None, title) and only.description in ("", description)
    ):
        return description
    budget = DESCRIPTION_LIMIT - len(description) - 2
    if budget < 200:
        return description
    summaries = _lot_summaries(lots, description, budget)
    return f"{description}\n\n{summaries}" if description else summaries


def _compact(raw: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in raw.items() if value not in (None, "", [], {})}


# --- the importer -----------------------------------------------------------------------------


def _parse_xml(content: Content) -> Element:
    name = content.filename
    try:
        return SafeET.fromstring(content.read(), forbid_dtd=True)
    except SafeET.ParseError as exc:
        line, column = exc.position
        reason = re.sub(r":\s*line \d+, column \d+$", "", str(exc)) or "unreadable XML"
        raise ImportFileError(
            name,
            f"{name} is not well-formed XML (line {line}, column {column + 1}: {reason}); "
            f"{_REFETCH}.",
        ) from exc
    except DefusedXmlException as exc:
        raise ImportFileError(
            name,
            f"{name} declares a DOCTYPE or entities, which Tenderwise refuses for safety; "
            f"{_REFETCH}.",
        ) from exc
    except (ValueError, LookupError) as exc:  # an encoding expat cannot read, and the like
        raise ImportFileError(
            name, f"{name} could not be read as XML ({exc}); {_REFETCH}."
        ) from exc


def parse_eforms(content: Content, source: str) -> ParsedFile:
    name = content.filename
    root = _parse_xml(content)
    namespace, _, root_name = root.tag[1:].partition("}") if root.tag[:1] == "{" else ("", "", "")
    if NOTICE_ROOTS.get(namespace) != root_name:
        shown = root_name or root.tag
        raise ImportFileError(
            name,
            f"{name} is XML but not an eForms notice (its root element is <{shown}>, not a "
            "ContractNotice, PriorInformationNotice or ContractAwardNotice in the UBL "
            "namespace); import eForms notices as published by TED.",
        )

    language_code = _text(root, "cbc:NoticeLanguageCode").upper()
    project = _find(root, "cac:ProcurementProject")
    names = _texts(_findall(project, "cbc:Name"), language_code)
    description = _texts(_findall(project, "cbc:Description"), language_code, keep_lines=True)

    lot_elements = _findall(root, "cac:ProcurementProjectLot")
    groups = [_text(element, "cbc:ID") for element in lot_elements if _is_group(element)]
    lot_elements = [element for element in lot_elements if not _is_group(element)]
    lot_infos = [_lot(element, language_code) for element in lot_elements]
    lots = [info.lot for info in lot_infos]

    title = names.chosen or next((lot.title for lot in lots if lot.title), "")
    if not title:
        raise ImportFileError(
            name,
            f"{name} is an eForms notice without a title (no cbc:Name for the procedure or any "
            "lot), so it cannot be imported; fix the notice or download it again from TED.",
        )

    buyers = _buyers(root, language_code)
    buyer = next((b for b in buyers if b.name.chosen), buyers[0] if buyers else _Buyer())
    country = buyer.country or _text(
        project, "cac:RealizedLocation/cac:Address/cac:Country/cbc:IdentificationCode"
    )

    cpv: list[str] = []
    classifications: dict[tuple[str, str], Classification] = {}
    for codes in (_classifications(project), *(info.codes for info in lot_infos)):
        cpv.extend(codes.cpv)
        for item in codes.other:
            classifications.setdefault((item.scheme, item.code), item)

    # The procedure's estimate; else the lots' estimates when every lot has one, in one
    # currency; else, on an award notice, the total awarded.
    value_element = _find(project, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount")
    currency_text = value_element.get("currencyID") if value_element is not None else None
    result_amount, result_currency = _amount(
        next(
            (
                total
                for extension in _findall(root, _EXTENSION)
                for total in _findall(extension, "efac:NoticeResult/cbc:TotalAmount")
            ),
            None,
        )
    )
    currencies = {lot.value_currency for lot in lots}
    value: Any = None
    currency: str | None = None
    value_source = ""
    procedure_amount, _ = _amount(value_element)
    if procedure_amount is not None:
        value, currency, value_source = procedure_amount, currency_text, "procedure"
    elif lots and all(lot.value_amount is not None for lot in lots) and len(currencies) == 1:
        value = round(sum(lot.value_amount or 0.0 for lot in lots), 2)
        currency, value_source = currencies.pop(), "lots"
    elif result_amount is not None:
        value, currency, value_source = result_amount, result_currency, "result"
    elif _line(value_element):  # unreadable: the builder keeps the notice and says why
        value, currency = _line(value_element), currency_text

    deadlines = [(info.deadline, info.deadline_kind) for info in lot_infos if info.deadline]
    end_date, end_time, kind = _deadline_parts(root)  # not where eForms puts it, but seen
    procedure_deadline = _moment(end_date, end_time)
    if procedure_deadline is not None:
        deadlines.append((procedure_deadline, kind))
    earliest = min(deadlines, key=lambda pair: pair[0]) if deadlines else None
    # No readable deadline: hand the first unreadable one to the builder, which says so.
    deadline: Any = (
        earliest[0]
        if earliest
        else next((info.deadline_text for info in lot_infos if info.deadline_text), None)
    )

    documents = _documents([root, *lot_elements])
    url = next(
        (link for link in (_web_link(b.profile) for b in buyers) if link),
        documents[0].url if documents else None,
    )

    type_element = _find(root, "cbc:NoticeTypeCode")
    type_code = _line(type_element)
    type_list = (type_element.get("listName") or "") if type_element is not None else ""
    notice_type = _notice_type(root_name, type_code, type_list)
    changes = _changes(root, language_code)

    lot_deadlines = {
        info.lot.id or str(number): info.deadline.isoformat()
        for number, info in enumerate(lot_infos, start=1)
        if info.deadline is not None
    }
    raw = _compact(
        {
            "format": FORMAT,
            "root": root_name,
            "notice_id": _text(root, "cbc:ID"),
            "version": _text(root, "cbc:VersionID"),
            "procedure_id": _text(root, "cbc:ContractFolderID"),
            "customization": _text(root, "cbc:CustomizationID"),
            "notice_type_code": type_code,
            "notice_type_list": type_list,
            "notice_subtype": next(
                (
                    _text(extension, "efac:NoticeSubType/cbc:SubTypeCode")
                    for extension in _findall(root, _EXTENSION)
                ),
                "",
            ),
            "notice_language": language_code,
            "additional_languages": [
                _text(item, "cbc:ID") for item in _findall(root, "cac:AdditionalNoticeLanguage")
            ],
            "issue_date": _text(root, "cbc:IssueDate"),
            "issue_time": _text(root, "cbc:IssueTime"),
            "regulatory_domain": _text(root, "cbc:RegulatoryDomain"),
            "procedure_code": _text(root, "cac:TenderingProcess/cbc:ProcedureCode"),
            "contract_nature": _text(project, "cbc:ProcurementTypeCode"),
            "internal_id": _text(project, "cbc:ID"),
            "titles": names.by_language if len(names.by_language) > 1 else {},
            "buyer_id": buyer.id,
            "buyer_names": buyer.name.by_language if len(buyer.name.by_language) > 1 else {},
            "buyer_country": buyer.country,
            "other_buyers": [b.name.chosen for b in buyers if b is not buyer and b.name.chosen],
            "lots": [lot.id for lot in lots if lot.id],
            "lot_groups": [group for group in groups if group],
            "lot_titles": {
                info.lot.id: info.titles for info in lot_infos if info.titles and info.lot.id
            },
            "deadline_for": earliest[1] if earliest else "",
            "lot_deadlines": lot_deadlines if len(set(lot_deadlines.values())) > 1 else {},
            "value_source": value_source,
            "result_total": (
                {"amount": result_amount, "currency": result_currency}
                if result_amount is not None
                else {}
            ),
            "changes": changes,
        }
    )

    builder = TenderBuilder(name, FORMAT, source)
    builder.add(
        1,
        {
            "source_id": _text(root, "cbc:ID"),
            "title": title,
            "description": _describe(description.chosen, title, lots),
            "buyer": buyer.name.chosen,
            "value": value,
            "currency": currency,
            "deadline": deadline,
            "cpv": cpv,
            "country": _country_code(country) if country else None,
            "language": _language_code(language_code) if language_code else None,
            "url": url,
        },
        raw,
        None,
        {
            "notice_type": notice_type,
            "form_type": type_code or None,
            "procedure_id": _text(root, "cbc:ContractFolderID") or None,
            "published_at": _moment(_text(root, "cbc:IssueDate"), _text(root, "cbc:IssueTime")),
            "classifications": list(classifications.values()),
            "lots": lots,
            "documents": documents,
        },
    )
    return builder.result()
