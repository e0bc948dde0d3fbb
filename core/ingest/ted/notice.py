"""parse_ted and the notice's mapping: one TED_EXPORT, its original-language form read into a
Tender's values, typed extra fields (notice type, procedure, lots, documents), raw and warnings."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from core.ingest.content import Content
from core.ingest.errors import ImportFileError
from core.ingest.rows import SHORT_LIMIT, TenderBuilder
from core.ingest.ted.dates import deadline_of, published_at_of
from core.ingest.ted.forms import form_type_of, notice_type_of, original_form
from core.ingest.ted.links import documents_of, oj_number, url_of
from core.ingest.ted.lots import is_divided, lot_label, lots_of, value_of
from core.ingest.ted.raw import raw_of
from core.ingest.ted.tree import (
    ROOT,
    attribute_of,
    codes_of,
    cut,
    kid,
    kids,
    local,
    parse_xml,
    path_of,
    text_of,
)
from core.ingest.values import parse_cpv
from core.models import ParsedFile

FORMAT = "ted"

# Lot descriptions are added to the notice description while it stays this short; the lots keep
# their full text either way.
LOT_TEXT_BUDGET = 4_000
# TED writes a few country codes its own way; Tender.country holds ISO 3166-1 alpha-2.
_COUNTRIES = {"UK": "GB", "EL": "GR"}
_LANGUAGE = re.compile(r"^[A-Za-z]{2}$")


def parse_ted(content: Content, source: str) -> ParsedFile:
    """The notice as one Tender (row 1), with warnings for fields that were left out."""
    name = content.filename
    root = parse_xml(content)
    if local(root.tag) != ROOT:
        raise ImportFileError(
            name,
            f"{name} is XML but not a TED export (its root element is <{local(root.tag)[:40]}>, "
            "not <TED_EXPORT>); download the notice from TED as XML and import that file.",
        )
    notice = Notice(root, name)
    builder = TenderBuilder(name, FORMAT, source)
    builder.add(1, notice.values, notice.raw, None, notice.extra)
    for warning in notice.warnings:
        builder.warn(1, warning)
    return builder.result()


class Notice:
    """One TED_EXPORT read into TenderBuilder inputs: values, typed extra fields, raw, warnings."""

    def __init__(self, root: ET.Element, filename: str) -> None:
        self.filename = filename
        self.warnings: list[str] = []
        coded = kid(root, "CODED_DATA_SECTION")
        self.coded = coded
        self.notice_data = path_of(coded, "NOTICE_DATA")
        self.codif = path_of(coded, "CODIF_DATA")
        self.lg_orig = text_of(kid(self.notice_data, "LG_ORIG")).upper()
        self.translation = kid(root, "TRANSLATION_SECTION")
        forms = [child for child in kids(kid(root, "FORM_SECTION")) if local(child.tag)]
        if not forms:
            raise ImportFileError(
                filename,
                f"{filename} is a TED export without a notice form (its FORM_SECTION is empty "
                "or missing); download the notice from TED again.",
            )
        form = original_form(forms, self.lg_orig)
        self.form = form
        contracts = kids(form, "OBJECT_CONTRACT")
        self.contracts = contracts
        self.items = [item for contract in contracts for item in kids(contract, "OBJECT_DESCR")]
        title = " ".join(text_of(kid(contract, "TITLE")) for contract in contracts).strip()
        if not title:
            form_name = form_type_of(form) or local(form.tag)
            raise ImportFileError(
                filename,
                f"{filename} is a TED notice without a title (its {form_name} form has no "
                "OBJECT_CONTRACT/TITLE), so it cannot be imported as a tender.",
            )
        language = (form.get("LG") or self.lg_orig or "").strip()
        own_number = oj_number(text_of(kid(self.notice_data, "NO_DOC_OJS")))
        earlier = self._earlier_notices()
        self.values: dict[str, Any] = {
            "title": title,
            "description": self._description(),
            "buyer": self._buyer(),
            "cpv": self._cpv(),
            "country": self._country(),
            "language": language.lower() if _LANGUAGE.match(language) else "",
            "url": url_of(self.notice_data, language.upper()),
            "source_id": own_number or root.get("DOC_ID"),
            "deadline": deadline_of(form, self.codif, self._country(), self.warnings),
        }
        self.values.update(value_of(contracts, self.notice_data, self.items))
        lots = lots_of(self.items, self.warnings)
        self.extra: dict[str, Any] = {
            "notice_type": notice_type_of(form, self.codif, self.warnings),
            "form_type": form_type_of(form),
            "procedure_id": self._procedure_id(own_number, earlier),
            "related_notices": earlier,
            "published_at": published_at_of(coded, self.codif, self.warnings),
            "lots": lots,
            "documents": documents_of(form, self.warnings),
        }
        self.raw = raw_of(root, coded, form, forms)

    # -- text fields

    def _description(self) -> str:
        parts = [text_of(kid(contract, "SHORT_DESCR")) for contract in self.contracts]
        parts = [part for part in parts if part]
        seen = set(parts)
        size = sum(len(part) for part in parts)
        divided = is_divided(self.items)
        for item in self.items:
            text = text_of(kid(item, "SHORT_DESCR"))
            if not text or text in seen:
                continue
            if parts and size + len(text) > LOT_TEXT_BUDGET:
                break
            seen.add(text)
            if divided:
                label = lot_label(item)
                text = f"{label}\n{text}" if label else text
            parts.append(text)
            size += len(text)
        return "\n\n".join(parts)

    def _buyer(self) -> str:
        body = path_of(self.form, "CONTRACTING_BODY", "ADDRESS_CONTRACTING_BODY")
        name = text_of(kid(body, "OFFICIALNAME"))
        if name:
            return name
        names = kids(kid(self.translation, "ML_AA_NAMES"), "AA_NAME")
        preferred = [item for item in names if (item.get("LG") or "").upper() == self.lg_orig]
        return next((text_of(item) for item in preferred + names if text_of(item)), "")

    def _cpv(self) -> list[str]:
        codes: list[str] = []
        for contract in self.contracts:
            codes.extend(codes_of(path_of(contract, "CPV_MAIN", "CPV_CODE")))
        for item in self.items:
            for additional in kids(item, "CPV_ADDITIONAL"):
                codes.extend(codes_of(kid(additional, "CPV_CODE")))
        if not codes:
            for original in kids(self.notice_data, "ORIGINAL_CPV"):
                codes.extend(codes_of(original))
        return parse_cpv(codes)

    def _country(self) -> str:
        code = attribute_of(kid(self.notice_data, "ISO_COUNTRY"), "VALUE") or attribute_of(
            path_of(self.form, "CONTRACTING_BODY", "ADDRESS_CONTRACTING_BODY", "COUNTRY"), "VALUE"
        )
        code = code.upper()
        code = _COUNTRIES.get(code, code)
        return code if _LANGUAGE.match(code) else ""

    # -- the procedure across notices

    def _procedure_id(self, own_number: str, earlier: list[str]) -> str | None:
        """The procedure across notices. A buyer's own file number ("10/2019") is only unique
        for that buyer, so it is scoped by country and buyer; OJ notice numbers are unique.

        Without a file number, the procedure is named by the first notice this one follows or,
        for a first notice, by its own OJ number, which is what later notices cite.
        """
        for contract in self.contracts:
            reference = text_of(kid(contract, "REFERENCE_NUMBER"))
            if reference:
                buyer = " ".join(self._buyer().casefold().split())
                return cut(f"{self._country()}|{buyer}|{reference}", SHORT_LIMIT)
        if earlier:
            return earlier[0]
        return own_number or None

    def _earlier_notices(self) -> list[str]:
        """OJ numbers of the notices this one follows: the previous publication an award or
        a contract notice names, and the notice a corrigendum or modification changes."""
        found: list[str] = []
        for section in ("PROCEDURE", "COMPLEMENTARY_INFO"):
            found.append(text_of(kid(kid(self.form, section), "NOTICE_NUMBER_OJ")))
        for holder in (self.notice_data, self.coded):
            found.append(text_of(path_of(holder, "REF_NOTICE", "NO_DOC_OJS")))
        numbers = (oj_number(text) for text in found if text)
        return list(dict.fromkeys(number for number in numbers if number))
