"""TED export XML, schema R2.0.9 (`TED_EXPORT` root): one file is one notice, imported as row 1.

A TED_EXPORT holds CODED_DATA_SECTION (publication reference, notice number, original language,
country, document type…), TRANSLATION_SECTION and FORM_SECTION with one form element per language
(`<F02_2014 FORM="F02" LG="DE" CATEGORY="ORIGINAL">`, then CATEGORY="TRANSLATION" copies). The
original-language form is read; the translations' titles are kept in `raw["translations"]`.

The XML is parsed by defusedxml with DTDs forbidden: a file that declares a DTD or entities is
refused before anything is expanded (billion laughs, external entities). Element names are matched
by local name, so every R2.0.9 namespace spelling ("ted/R2.0.9.S02/publication", the full
publications.europa.eu URI, or none) reads the same.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from core.ingest.content import Content
from core.ingest.errors import FieldProblem, ImportFileError
from core.ingest.fields import currency_code
from core.ingest.rows import DESCRIPTION_LIMIT, SHORT_LIMIT, TenderBuilder
from core.ingest.values import parse_cpv, parse_money
from core.models import Lot, NoticeDocument, NoticeType, ParsedFile

FORMAT = "ted"
ROOT = "TED_EXPORT"

# TED dates and times carry no zone; forms label the time "local time", meaning the buyer's.
# Deadlines are read in the buyer country's zone (Helsinki for a Finnish buyer, Lisbon for a
# Portuguese one), else Brussels time as the Publications Office's own converter assumes, and
# stored timezone-aware. Reading a Helsinki 12:00 as Brussels time would make it an hour late.
try:
    NOTICE_ZONE: tzinfo = ZoneInfo("Europe/Brussels")
except ZoneInfoNotFoundError:  # no tz database on this system (tzdata comes with pandas)
    NOTICE_ZONE = timezone(timedelta(hours=1), "CET")
# Countries whose time differs from Brussels time; every other EU/EEA country keeps CET/CEST.
_COUNTRY_ZONES = {
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "PT": "Europe/Lisbon",
    "IS": "Atlantic/Reykjavik",
    "FI": "Europe/Helsinki",
    "EE": "Europe/Tallinn",
    "LV": "Europe/Riga",
    "LT": "Europe/Vilnius",
    "BG": "Europe/Sofia",
    "RO": "Europe/Bucharest",
    "GR": "Europe/Athens",
    "CY": "Asia/Nicosia",
    "UA": "Europe/Kyiv",
    "MD": "Europe/Chisinau",
    "TR": "Europe/Istanbul",
}


def zone_for(country: str) -> tzinfo:
    """The buyer's time zone for a notice's "local time"; Brussels time when not known."""
    name = _COUNTRY_ZONES.get(country)
    if name is None:
        return NOTICE_ZONE
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return NOTICE_ZONE


# Lot descriptions are added to the notice description while it stays this short; the lots keep
# their full text either way.
LOT_TEXT_BUDGET = 4_000
MAX_LOTS = 1_000
# raw keeps the coded data and the original form flattened to path → text, up to this many
# characters: a 650-lot award notice must not become a megabyte per row.
RAW_TEXT_BUDGET = 60_000
_MAX_DEPTH = 40  # deeper elements are no part of any TED form; not followed into raw

# Form → what the notice announces. F21/F22/F23 (social services) and F01/F04 (prior information)
# also say it in NOTICE/@TYPE, read by _notice_type_attribute.
_FORM_TYPES: dict[str, NoticeType] = {
    "F01": NoticeType.PLANNING,  # prior information notice
    "F04": NoticeType.PLANNING,  # periodic indicative notice – utilities
    "F08": NoticeType.PLANNING,  # notice on a buyer profile (announces a PIN published there)
    "F16": NoticeType.PLANNING,  # prior information notice – defence
    "T01": NoticeType.PLANNING,  # prior information notice – public passenger transport
    "F02": NoticeType.TENDER,  # contract notice
    "F05": NoticeType.TENDER,  # contract notice – utilities
    "F07": NoticeType.TENDER,  # qualification system – utilities
    "F12": NoticeType.TENDER,  # design contest notice
    "F17": NoticeType.TENDER,  # contract notice – defence
    "F19": NoticeType.TENDER,  # subcontract notice – defence
    "F24": NoticeType.TENDER,  # concession notice
    "F21": NoticeType.TENDER,  # social services – public contracts (contract-notice variant)
    "F22": NoticeType.TENDER,  # social services – utilities (contract-notice variant)
    "F23": NoticeType.TENDER,  # social services – concessions (contract-notice variant)
    "F03": NoticeType.AWARD,  # contract award notice
    "F06": NoticeType.AWARD,  # contract award notice – utilities
    "F13": NoticeType.AWARD,  # results of a design contest
    "F15": NoticeType.AWARD,  # voluntary ex ante transparency notice
    "F18": NoticeType.AWARD,  # contract award notice – defence
    "F25": NoticeType.AWARD,  # concession award notice
    "T02": NoticeType.AWARD,  # contract award notice – public passenger transport
    "F14": NoticeType.MODIFICATION,  # corrigendum
    "F20": NoticeType.MODIFICATION,  # modification notice
}
# CODIF_DATA/TD_DOCUMENT_TYPE/@CODE, the Publications Office's own classification of the notice:
# used when the form is unknown, and as a cross-check otherwise. Codes seen in real exports;
# other codes are read from the element's English label (_label_notice_type).
_DOCUMENT_TYPES: dict[str, NoticeType] = {
    "0": NoticeType.PLANNING,  # prior information notice
    "P": NoticeType.PLANNING,  # periodic indicative notice without call for competition
    "B": NoticeType.PLANNING,  # buyer profile
    "3": NoticeType.TENDER,  # contract notice
    "D": NoticeType.TENDER,  # design contest
    "O": NoticeType.TENDER,  # qualification system with call for competition
    "Q": NoticeType.TENDER,  # qualification system without call for competition
    "7": NoticeType.AWARD,  # contract award notice
    "J": NoticeType.AWARD,  # concession award notice
    "R": NoticeType.AWARD,  # results of design contests
    "V": NoticeType.AWARD,  # voluntary ex ante transparency notice
    "1": NoticeType.MODIFICATION,  # corrigendum
    "K": NoticeType.MODIFICATION,  # modification of a contract/concession during its term
}
# TED writes a few country codes its own way; Tender.country holds ISO 3166-1 alpha-2.
_COUNTRIES = {"UK": "GB", "EL": "GR"}
_FORM_CODE = re.compile(r"^([FT]\d\d)")
_TIME = re.compile(r"^(\d{1,2})[:.h](\d{2})(?::\d{2})?$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2}$")
_NAME = re.compile(r"[A-Za-z_][\w.:-]*")
_OJ_NUMBER = re.compile(r"\b(\d{4})\s*/\s*S\s*(\d{1,3})\s*[-–—]\s*(\d{1,6})\b", re.IGNORECASE)
_DOCUMENT_LINKS = (
    ("URL_DOCUMENT", "Procurement documents"),
    ("URL_PARTICIPATION", "Submit tenders or requests to participate"),
)


# ---------------------------------------------------------------------------------------- sniff


def sniff_ted(content: Content) -> int:
    """100 when the first element (or the DOCTYPE) of the file is a TED_EXPORT, else 0.

    A DOCTYPE naming TED_EXPORT counts too, so that parse_ted refuses it with the right reason
    instead of the file being called an unknown format.
    """
    text = content.head_text
    if not text or not text.startswith("<"):
        return 0
    position = _skip_prolog(text)
    if position is None:
        return 0
    rest = text[position:]
    if rest.startswith("<!DOCTYPE"):
        name = _NAME.match(rest[len("<!DOCTYPE") :].lstrip())
    elif rest.startswith("<"):
        name = _NAME.match(rest, 1)
    else:
        return 0
    return 100 if name and name[0].rsplit(":", 1)[-1] == ROOT else 0


def _skip_prolog(text: str) -> int | None:
    """Where the first element or DOCTYPE starts, past the XML declaration, PIs and comments."""
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        for start, end in (("<?", "?>"), ("<!--", "-->")):
            if text.startswith(start, position):
                found = text.find(end, position + len(start))
                if found < 0:
                    return None  # the prolog goes past the head: not a file we recognise
                position = found + len(end)
                break
        else:
            return position


# ---------------------------------------------------------------------------------------- parse


def parse_ted(content: Content, source: str) -> ParsedFile:
    """The notice as one Tender (row 1), with warnings for fields that were left out."""
    name = content.filename
    root = _parse_xml(content)
    if _local(root.tag) != ROOT:
        raise ImportFileError(
            name,
            f"{name} is XML but not a TED export (its root element is <{_local(root.tag)[:40]}>, "
            "not <TED_EXPORT>); download the notice from TED as XML and import that file.",
        )
    notice = _Notice(root, name)
    builder = TenderBuilder(name, FORMAT, source)
    builder.add(1, notice.values, notice.raw, None, notice.extra)
    for warning in notice.warnings:
        builder.warn(1, warning)
    return builder.result()


def _parse_xml(content: Content) -> ET.Element:
    name = content.filename
    try:
        return DefusedET.fromstring(content.read(), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ImportFileError(
            name,
            f"{name} declares a DTD or entities, which are not accepted because they can expand "
            "without limit or read other files; genuine TED exports have none, so download the "
            "notice from TED again.",
        ) from exc
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, -1))
        reason = str(exc).split(":", 1)[0].strip() or "unreadable"
        raise ImportFileError(
            name,
            f"{name} is not valid XML (line {line}, column {column + 1}); the parser stopped at "
            f"'{reason[:60]}', so the file is damaged or cut short: download it from TED again.",
        ) from exc
    except (ValueError, LookupError, RecursionError) as exc:  # odd encodings, absurd nesting
        raise ImportFileError(
            name,
            f"{name} is not valid XML ({type(exc).__name__}); "
            "download the notice from TED again and import that file.",
        ) from exc


class _Notice:
    """One TED_EXPORT read into TenderBuilder inputs: values, typed extra fields, raw, warnings."""

    def __init__(self, root: ET.Element, filename: str) -> None:
        self.filename = filename
        self.warnings: list[str] = []
        coded = _kid(root, "CODED_DATA_SECTION")
        self.coded = coded
        self.notice_data = _path(coded, "NOTICE_DATA")
        self.codif = _path(coded, "CODIF_DATA")
        self.lg_orig = _text(_kid(self.notice_data, "LG_ORIG")).upper()
        self.translation = _kid(root, "TRANSLATION_SECTION")
        forms = [child for child in _kids(_kid(root, "FORM_SECTION")) if _local(child.tag)]
        if not forms:
            raise ImportFileError(
                filename,
                f"{filename} is a TED export without a notice form (its FORM_SECTION is empty "
                "or missing); download the notice from TED again.",
            )
        form = _original_form(forms, self.lg_orig)
        self.form = form
        contracts = _kids(form, "OBJECT_CONTRACT")
        self.contracts = contracts
        self.items = [item for contract in contracts for item in _kids(contract, "OBJECT_DESCR")]
        title = " ".join(_text(_kid(contract, "TITLE")) for contract in contracts).strip()
        if not title:
            form_name = _form_type(form) or _local(form.tag)
            raise ImportFileError(
                filename,
                f"{filename} is a TED notice without a title (its {form_name} form has no "
                "OBJECT_CONTRACT/TITLE), so it cannot be imported as a tender.",
            )
        language = (form.get("LG") or self.lg_orig or "").strip()
        self.values: dict[str, Any] = {
            "title": title,
            "description": self._description(),
            "buyer": self._buyer(),
            "cpv": self._cpv(),
            "country": self._country(),
            "language": language.lower() if _LANGUAGE.match(language) else "",
            "url": self._url(language.upper()),
            "source_id": oj_number(_text(_kid(self.notice_data, "NO_DOC_OJS")))
            or root.get("DOC_ID"),
            "deadline": self._deadline(),
        }
        self.values.update(self._value())
        lots = self._lots()
        self.extra: dict[str, Any] = {
            "notice_type": self._notice_type(),
            "form_type": _form_type(form),
            "procedure_id": self._procedure_id(),
            "related_notices": self._earlier_notices(),
            "published_at": self._published_at(),
            "lots": lots,
            "documents": self._documents(),
        }
        self.raw = _raw(root, coded, form, forms)

    # -- text fields

    def _description(self) -> str:
        parts = [_text(_kid(contract, "SHORT_DESCR")) for contract in self.contracts]
        parts = [part for part in parts if part]
        seen = set(parts)
        size = sum(len(part) for part in parts)
        divided = self._divided()
        for item in self.items:
            text = _text(_kid(item, "SHORT_DESCR"))
            if not text or text in seen:
                continue
            if parts and size + len(text) > LOT_TEXT_BUDGET:
                break
            seen.add(text)
            if divided:
                label = _lot_label(item)
                text = f"{label}\n{text}" if label else text
            parts.append(text)
            size += len(text)
        return "\n\n".join(parts)

    def _buyer(self) -> str:
        body = _path(self.form, "CONTRACTING_BODY", "ADDRESS_CONTRACTING_BODY")
        name = _text(_kid(body, "OFFICIALNAME"))
        if name:
            return name
        names = _kids(_kid(self.translation, "ML_AA_NAMES"), "AA_NAME")
        preferred = [item for item in names if (item.get("LG") or "").upper() == self.lg_orig]
        return next((_text(item) for item in preferred + names if _text(item)), "")

    def _cpv(self) -> list[str]:
        codes: list[str] = []
        for contract in self.contracts:
            codes.extend(_codes(_path(contract, "CPV_MAIN", "CPV_CODE")))
        for item in self.items:
            for additional in _kids(item, "CPV_ADDITIONAL"):
                codes.extend(_codes(_kid(additional, "CPV_CODE")))
        if not codes:
            for original in _kids(self.notice_data, "ORIGINAL_CPV"):
                codes.extend(_codes(original))
        return parse_cpv(codes)

    def _country(self) -> str:
        code = _attribute(_kid(self.notice_data, "ISO_COUNTRY"), "VALUE") or _attribute(
            _path(self.form, "CONTRACTING_BODY", "ADDRESS_CONTRACTING_BODY", "COUNTRY"), "VALUE"
        )
        code = code.upper()
        code = _COUNTRIES.get(code, code)
        return code if _LANGUAGE.match(code) else ""

    def _url(self, language: str) -> str:
        links = [
            link for link in _kids(_kid(self.notice_data, "URI_LIST"), "URI_DOC") if _text(link)
        ]
        preferred = [link for link in links if _attribute(link, "LG").upper() == language]
        return next((_text(link) for link in preferred + links), "")

    # -- money, dates, lots

    def _value(self) -> dict[str, Any]:
        for contract in self.contracts:
            for tag in ("VAL_ESTIMATED_TOTAL", "VAL_TOTAL"):
                element = _kid(contract, tag)
                if element is not None and _text(element):
                    return {"value": _text(element), "currency": element.get("CURRENCY") or ""}
            ranged = _kid(contract, "VAL_RANGE_TOTAL")
            # A range (award notices: lowest and highest offer considered) → its lower end.
            low = _text(_kid(ranged, "LOW")) or _text(_kid(ranged, "HIGH"))
            if ranged is not None and low:
                return {"value": low, "currency": ranged.get("CURRENCY") or ""}
        for kind in ("ESTIMATED_TOTAL", "PROCUREMENT_TOTAL"):
            for element in _kids(_kid(self.notice_data, "VALUES"), "VALUE"):
                if element.get("TYPE") == kind and _text(element):
                    return {"value": _text(element), "currency": element.get("CURRENCY") or ""}
        return self._lot_total()

    def _lot_total(self) -> dict[str, Any]:
        """The sum of the lots' values when every lot has one, all in one currency."""
        amounts: list[float] = []
        currencies: set[str | None] = set()
        for item in self.items:
            element = _kid(item, "VAL_OBJECT")
            try:
                amount, _ = parse_money(_text(element))
            except FieldProblem:
                return {}
            if amount is None or element is None:
                return {}
            amounts.append(amount)
            currencies.add(currency_code(element.get("CURRENCY") or ""))
        if not amounts or len(currencies) != 1:
            return {}
        return {"value": round(sum(amounts), 2), "currency": currencies.pop() or ""}

    def _deadline(self) -> datetime | None:
        procedure = _kid(self.form, "PROCEDURE")
        day = _text(_kid(procedure, "DATE_RECEIPT_TENDERS"))
        clock = _text(_kid(procedure, "TIME_RECEIPT_TENDERS"))
        if not day:  # the coded copy: "20180507 17:00" or "20180507"
            coded = _text(_kid(self.codif, "DT_DATE_FOR_SUBMISSION"))
            day, _, clock = coded.partition(" ")
        if not day:
            return None
        try:
            date = _day(day)
        except ValueError:
            self.warnings.append(
                f"deadline '{day[:40]}' is not a date; imported without a deadline"
            )
            return None
        hour, minute = 23, 59  # a date without a time: the end of that day
        if clock:
            match = _TIME.match(clock.strip())
            if match and (int(match[1]), int(match[2])) == (24, 0):
                pass  # "24:00" is the end of the day too
            elif match and int(match[1]) < 24 and int(match[2]) < 60:
                hour, minute = int(match[1]), int(match[2])
            else:
                self.warnings.append(
                    f"deadline time '{clock[:20]}' is not a time of day; "
                    "the deadline is taken as the end of that day"
                )
        else:
            self.warnings.append(
                "the deadline has a date but no time; it is taken as 23:59 the buyer's time"
            )
        return date.replace(hour=hour, minute=minute, tzinfo=zone_for(self._country()))

    def _published_at(self) -> datetime | None:
        text = _text(_path(self.coded, "REF_OJS", "DATE_PUB")) or _text(
            _kid(self.codif, "DATE_PUB")
        )
        if not text:
            return None
        try:
            return _day(text).replace(tzinfo=UTC)
        except ValueError:
            self.warnings.append(
                f"publication date '{text[:40]}' is not a date; imported without it"
            )
            return None

    def _divided(self) -> bool:
        return len(self.items) > 1 or any(_kid(item, "LOT_NO") is not None for item in self.items)

    def _lots(self) -> list[Lot]:
        if not self._divided():
            return []
        if len(self.items) > MAX_LOTS:
            self.warnings.append(
                f"the notice has {len(self.items):,} lots; the first {MAX_LOTS:,} were imported"
            )
        lots: list[Lot] = []
        for item in self.items[:MAX_LOTS]:
            amount, currency = None, None
            element = _kid(item, "VAL_OBJECT")
            if element is not None and _text(element):
                try:
                    amount, _ = parse_money(_text(element))
                    currency = currency_code(element.get("CURRENCY") or "")
                except FieldProblem as problem:
                    self.warnings.append(
                        f"lot value '{_text(element)[:40]}' {problem}; lot imported without it"
                    )
            codes = [
                code
                for additional in _kids(item, "CPV_ADDITIONAL")
                for code in _codes(_kid(additional, "CPV_CODE"))
            ]
            lots.append(
                Lot(
                    id=_cut(_text(_kid(item, "LOT_NO")) or item.get("ITEM") or "", SHORT_LIMIT)
                    or None,
                    title=_cut(_text(_kid(item, "TITLE")), SHORT_LIMIT) or None,
                    description=_cut(_text(_kid(item, "SHORT_DESCR")), DESCRIPTION_LIMIT),
                    value_amount=amount,
                    value_currency=currency if amount is not None else None,
                    cpv_codes=parse_cpv(codes),
                )
            )
        return lots

    # -- classification and links

    def _notice_type(self) -> NoticeType:
        form_type = _form_type(self.form) or ""
        from_form = _FORM_TYPES.get(form_type)
        notice = _kid(self.form, "NOTICE")
        if notice is not None and form_type in ("F01", "F04", "F21", "F22", "F23"):
            from_form = _notice_type_attribute(notice.get("TYPE") or "") or from_form
        document = _kid(self.codif, "TD_DOCUMENT_TYPE")
        from_document = None
        if document is not None:
            code = (document.get("CODE") or "").strip().upper()
            from_document = _DOCUMENT_TYPES.get(code) or _label_notice_type(_text(document))
        if from_form and from_document and from_form != from_document:
            self.warnings.append(
                f"form {form_type} is a {from_form.label.lower()} but TED's document type "
                f"'{_text(document)[:60]}' says {from_document.label.lower()}; "
                f"imported as {from_form.label.lower()}"
            )
        return from_form or from_document or NoticeType.OTHER

    def _procedure_id(self) -> str | None:
        """The procedure across notices. A buyer's own file number ("10/2019") is only unique
        for that buyer, so it is scoped by country and buyer; OJ notice numbers are unique.

        Without a file number, the procedure is named by the first notice this one follows or,
        for a first notice, by its own OJ number, which is what later notices cite.
        """
        for contract in self.contracts:
            reference = _text(_kid(contract, "REFERENCE_NUMBER"))
            if reference:
                buyer = " ".join(self._buyer().casefold().split())
                return _cut(f"{self._country()}|{buyer}|{reference}", SHORT_LIMIT)
        earlier = self._earlier_notices()
        if earlier:
            return earlier[0]
        return oj_number(_text(_kid(self.notice_data, "NO_DOC_OJS"))) or None

    def _earlier_notices(self) -> list[str]:
        """OJ numbers of the notices this one follows: the previous publication an award or
        a contract notice names, and the notice a corrigendum or modification changes."""
        found: list[str] = []
        for section in ("PROCEDURE", "COMPLEMENTARY_INFO"):
            found.append(_text(_kid(_kid(self.form, section), "NOTICE_NUMBER_OJ")))
        for holder in (self.notice_data, self.coded):
            found.append(_text(_path(holder, "REF_NOTICE", "NO_DOC_OJS")))
        numbers = (oj_number(text) for text in found if text)
        return list(dict.fromkeys(number for number in numbers if number))

    def _documents(self) -> list[NoticeDocument]:
        body = _kid(self.form, "CONTRACTING_BODY")
        documents: list[NoticeDocument] = []
        seen: set[str] = set()
        for tag, title in _DOCUMENT_LINKS:
            for element in _kids(body, tag):
                link = _web_link(_text(element))
                if link is None:
                    if _text(element):
                        self.warnings.append(
                            f"{tag} '{_text(element)[:40]}' is not a web address; left out"
                        )
                    continue
                if link not in seen:
                    seen.add(link)
                    documents.append(NoticeDocument(title=title, url=link))
        return documents


def _original_form(forms: list[ET.Element], lg_orig: str) -> ET.Element:
    """CATEGORY="ORIGINAL" (the one in LG_ORIG when several), else the LG_ORIG form, else first."""
    originals = [form for form in forms if (form.get("CATEGORY") or "").upper() == "ORIGINAL"]
    for group in (originals, forms):
        for form in group:
            if lg_orig and (form.get("LG") or "").strip().upper() == lg_orig:
                return form
        if group:
            return group[0]
    return forms[0]


def _form_type(form: ET.Element) -> str | None:
    """FORM="F02", else the tag's prefix (F02_2014 → F02), else the tag."""
    attribute = (form.get("FORM") or "").strip()
    if attribute:
        return attribute[:40]
    tag = _local(form.tag)
    match = _FORM_CODE.match(tag)
    return match[1] if match else (tag[:40] or None)


def _notice_type_attribute(value: str) -> NoticeType | None:
    """NOTICE/@TYPE of F01/F04/F21/F22/F23: PRI_ONLY, PER_CALL_COMPETITION, CONTRACT, AWARD_…"""
    kind = value.strip().upper()
    if kind.endswith("CALL_COMPETITION"):
        # The notice is itself the call: operators must express interest now (the OCDS EU
        # profile tags it planning *and* tender). So it can be bid for.
        return NoticeType.TENDER
    if kind.startswith(("PRI", "PER")):
        return NoticeType.PLANNING
    if kind.startswith("AWARD"):
        return NoticeType.AWARD
    if kind in ("CONTRACT", "CONCESSION") or kind.startswith("QSU"):
        return NoticeType.TENDER
    return None


def _label_notice_type(label: str) -> NoticeType | None:
    """TD_DOCUMENT_TYPE's English label, for codes not in _DOCUMENT_TYPES."""
    text = label.lower()
    if "award" in text or "result" in text or "ex ante" in text:
        return NoticeType.AWARD
    if "corrigendum" in text or "modification" in text or "additional information" in text:
        return NoticeType.MODIFICATION
    if "with call for competition" in text:
        return NoticeType.TENDER
    if "prior information" in text or "periodic indicative" in text or "buyer profile" in text:
        return NoticeType.PLANNING
    if "contract notice" in text or "contest" in text or "concession" in text:
        return NoticeType.TENDER
    return None


# ------------------------------------------------------------------------------------ raw data


def _raw(
    root: ET.Element, coded: ET.Element | None, form: ET.Element, forms: list[ET.Element]
) -> dict[str, Any]:
    """A compact, JSON-able copy: export attributes, coded data, the original form as
    path → text, and the other forms' titles by language."""
    budget = [RAW_TEXT_BUDGET]
    translations: dict[str, str] = {}
    for other in forms:
        if other is form:
            continue
        language = (other.get("LG") or "").strip().lower()
        title = " ".join(_text(_kid(item, "TITLE")) for item in _kids(other, "OBJECT_CONTRACT"))
        if language and title.strip() and language not in translations:
            translations[language] = _cut(title.strip(), SHORT_LIMIT)
    raw: dict[str, Any] = {
        "format": "TED R2.0.9",
        "version": root.get("VERSION"),
        "doc_id": root.get("DOC_ID"),
        "edition": root.get("EDITION"),
        "form": {
            "tag": _local(form.tag),
            "form": form.get("FORM"),
            "language": form.get("LG"),
            "category": form.get("CATEGORY"),
        },
        "translations": translations,
        "coded_data": _flatten(coded, budget),
        "fields": _flatten(form, budget),
    }
    if budget[0] <= 0:
        raw["truncated"] = True
    return raw


def _flatten(element: ET.Element | None, budget: list[int]) -> dict[str, Any]:
    """Leaf elements as "A/B/C" → text ("A/B@ATTR" for attributes, True for empty markers such
    as PT_OPEN); repeated paths collect a list. Paragraphs (P) join into one text."""
    fields: dict[str, Any] = {}
    if element is None:
        return fields
    stack: list[tuple[ET.Element, str, int]] = [
        (child, _local(child.tag), 1) for child in reversed(list(element))
    ]
    while stack and budget[0] > 0:
        node, path, depth = stack.pop()
        if not path:
            continue
        for attribute, value in node.attrib.items():
            _put(fields, f"{path}@{_local(attribute)}", value, budget)
        children = [child for child in node if _local(child.tag)]
        if children and all(_local(child.tag) == "P" for child in children):
            _put(fields, path, _text(node), budget)
        elif children:
            if depth < _MAX_DEPTH:
                stack.extend(
                    (child, f"{path}/{_local(child.tag)}", depth + 1)
                    for child in reversed(children)
                )
        else:
            text = " ".join((node.text or "").split())
            if text or not node.attrib:
                _put(fields, path, text or True, budget)
    return fields


def _put(fields: dict[str, Any], key: str, value: Any, budget: list[int]) -> None:
    budget[0] -= len(value) if isinstance(value, str) else 1
    if key not in fields:
        budget[0] -= len(key)
        fields[key] = value
    elif isinstance(fields[key], list):
        fields[key].append(value)
    else:
        fields[key] = [fields[key], value]


# ------------------------------------------------------------------------------------- helpers


def _local(tag: Any) -> str:
    """'{namespace}NAME' → 'NAME'; comments and processing instructions → ''."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _kids(element: ET.Element | None, name: str | None = None) -> list[ET.Element]:
    if element is None:
        return []
    return [child for child in element if name is None or _local(child.tag) == name]


def _kid(element: ET.Element | None, name: str) -> ET.Element | None:
    if element is None:
        return None
    return next((child for child in element if _local(child.tag) == name), None)


def _path(element: ET.Element | None, *names: str) -> ET.Element | None:
    for name in names:
        element = _kid(element, name)
    return element


def _text(element: ET.Element | None) -> str:
    """An element's text, whitespace collapsed; P paragraphs kept apart by line breaks."""
    if element is None:
        return ""
    paragraphs = _kids(element, "P")
    if paragraphs:
        lines = (" ".join("".join(p.itertext()).split()) for p in paragraphs)
        return "\n".join(line for line in lines if line)
    return " ".join("".join(element.itertext()).split())


def _attribute(element: ET.Element | None, name: str) -> str:
    return (element.get(name) or "").strip() if element is not None else ""


def _codes(element: ET.Element | None) -> Iterable[str]:
    code = (element.get("CODE") or "").strip() if element is not None else ""
    return [code] if code else []


def _day(text: str) -> datetime:
    """'2018-05-07' or '20180507' → naive midnight; ValueError otherwise."""
    cleaned = text.strip()
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            moment = datetime.strptime(cleaned, pattern)  # naive: the caller adds the zone
        except ValueError:
            continue
        if 1900 <= moment.year <= 2999:
            return moment
    raise ValueError(text)


def _lot_label(item: ET.Element) -> str:
    number = _text(_kid(item, "LOT_NO"))
    title = _text(_kid(item, "TITLE")).replace("\n", " ")
    if number and title:
        return f"Lot {number}: {title}"
    return f"Lot {number}" if number else title


def _web_link(text: str) -> str | None:
    link = text.strip()
    if link.lower().startswith("www."):
        link = "https://" + link
    if link.lower().startswith(("http://", "https://")) and " " not in link and len(link) <= 2000:
        return link
    return None


def oj_number(text: str) -> str:
    """A notice number of the OJ S in TED's spelling ("2019/S 076-012345"), however a buyer
    typed it ("2019/S76-12345", "2019 / S 076 – 012345 z dnia 29.03.2019"); other text is
    kept as it is."""
    match = _OJ_NUMBER.search(text)
    if match is None:
        return _cut(" ".join(text.split()), SHORT_LIMIT)
    year, issue, number = match.groups()
    return f"{year}/S {int(issue):03d}-{int(number):06d}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
