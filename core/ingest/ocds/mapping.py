"""One release → the Tender's fields: title, description, value, deadline, lots, documents and
the rest, with the warnings for values left out. Buyers, classifications and notice types are
read in parties, codes and notices."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from core.ingest.errors import FieldProblem
from core.ingest.fields import currency_code
from core.ingest.links import FoundLink, document_links
from core.ingest.ocds.codes import classifications_of, cpv_codes, is_cpv_scheme
from core.ingest.ocds.json_values import cap, dict_of, first_text, list_of, text_of
from core.ingest.ocds.notices import form_type, notice_type_of, notice_url
from core.ingest.ocds.parties import buyer_of
from core.ingest.rows import DESCRIPTION_LIMIT, SHORT_LIMIT, quote
from core.ingest.values import parse_date, parse_money
from core.models import Lot, NoticeDocument, NoticeType

# An award or contract titled by a bare reference ("NBM51620779", "CN-2025-0113"): one token
# with a digit. A description says more, so it is preferred when there is one.
_REFERENCE = re.compile(r"(?=\S*[0-9])[A-Za-z0-9][A-Za-z0-9._/-]*")
_BLOCK_TAG = re.compile(r"<(?:br|/p|/div|/li|/h[1-6]|/tr)\b[^<>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# A sentence ends at . ! ? after a word of three characters or more, before a capital letter:
# "at St. Mary's", "e.g. the" and "approx. 5" do not end one.
_SENTENCE_END = re.compile(r"[^\s.!?]{3}[.!?](?=\s+[A-Z])")
_SHORTEST_SENTENCE = 25  # a shorter first sentence ("Summary.") is no title on its own
DERIVED_TITLE_LIMIT = 150  # characters of a title taken from a description


@dataclass
class _Mapped:
    values: dict[str, Any]
    extra: dict[str, Any]
    warnings: list[str]
    title: str
    ocid: str

    def no_title_message(self) -> str:
        where = f" {quote(self.ocid)}" if self.ocid else ""
        return f"no title: release{where} has no title and no description to take one from"


def map_release(release: dict[str, Any]) -> _Mapped:
    tender = dict_of(release.get("tender"))
    planning = dict_of(release.get("planning"))
    budget = dict_of(planning.get("budget"))
    awards = [a for a in list_of(release.get("awards")) if isinstance(a, dict)]
    contracts = [c for c in list_of(release.get("contracts")) if isinstance(c, dict)]
    items = [i for i in list_of(tender.get("items")) if isinstance(i, dict)]
    lots = [lot for lot in list_of(tender.get("lots")) if isinstance(lot, dict)]
    # Award and contract items: where contract notices (NSW eTendering) put what was bought.
    later_items = [
        item
        for holder in (*awards, *contracts)
        for item in list_of(holder.get("items"))
        if isinstance(item, dict)
    ]
    warnings: list[str] = []
    ocid = text_of(release.get("ocid"))
    notice_type = notice_type_of(release, tender, awards, contracts, planning)

    title = _title(release, tender, budget, lots, items, awards, contracts, later_items)
    if not title and notice_type is NoticeType.CANCELLATION and ocid:
        # Find a Tender publishes cancellations as stubs ({"tag": ["tenderCancellation"],
        # "tender": {"status": "cancelled"}}): the procedure they stop is all there is to name.
        title = f"{notice_type.label} for {ocid}"
    description = first_text(
        [tender.get("description")],
        [award.get("description") for award in awards],
        [contract.get("description") for contract in contracts],
        [item.get("description") for item in later_items],
    )
    buyer, country = buyer_of(release, tender, awards, contracts)
    cpv, classifications = classifications_of(tender, items, later_items, warnings)
    values: dict[str, Any] = {
        "title": title,
        "description": description,
        "buyer": buyer,
        "value": _value(tender, budget, lots),
        "deadline": _deadline(tender),
        "cpv": cpv,
        "country": country,
        "language": _language(release.get("language")),
        "url": notice_url(release, tender, planning, awards, contracts),
        "source_id": ocid,
    }
    extra: dict[str, Any] = {
        "notice_type": notice_type,
        "form_type": form_type(release, (planning, tender, *awards, *contracts)),
        "procedure_id": ocid or None,
        "published_at": _published(release.get("date"), warnings),
        "classifications": classifications,
        "lots": _lots(lots, items, warnings),
        "documents": _documents(tender, planning),
        # Only tender.title is the procedure's published title; any other is derived, and a
        # later notice's derived title does not replace a stored one (OCDS merge rule).
        "title_derived": not text_of(tender.get("title")),
    }
    return _Mapped(values, extra, warnings, title, ocid)


def _title(
    release: dict[str, Any],
    tender: dict[str, Any],
    budget: dict[str, Any],
    lots: list[dict[str, Any]],
    items: list[dict[str, Any]],
    awards: list[dict[str, Any]],
    contracts: list[dict[str, Any]],
    later_items: list[dict[str, Any]],
) -> str:
    """The tender's own title; else a lot, item or budget naming it; else an award or contract
    title; else the first sentence of a description. An award titled only by a reference number
    gives its reference when nothing describes it. Nothing is made up: every title is text the
    publisher wrote."""
    named = first_text(
        [tender.get("title")],
        [lot.get("title") for lot in lots],
        [item.get("description") for item in items],
        [budget.get("description"), budget.get("project"), release.get("title")],
    )
    if named:
        return named
    closing = [text_of(holder.get("title")) for holder in (*awards, *contracts)]
    for title in closing:
        if title and not _REFERENCE.fullmatch(title):
            return title
    texts = [
        tender.get("description"),
        *(holder.get("description") for holder in (*awards, *contracts)),
        *(item.get("description") for item in later_items),
    ]
    for text in texts:
        headline = _headline(text)
        if headline:
            return headline
    return next((title for title in closing if title), "")


def _headline(value: Any) -> str:
    """The first line of a description, cut at the end of its first sentence and at
    DERIVED_TITLE_LIMIT characters (on a word boundary); HTML tags are dropped."""
    text = text_of(value)
    if "<" in text and ">" in text:
        text = _ANY_TAG.sub(" ", _BLOCK_TAG.sub("\n", text))
    if "&" in text:
        text = html.unescape(text)
    line = next((" ".join(part.split()) for part in text.splitlines() if part.strip()), "")
    for end in _SENTENCE_END.finditer(line):
        if end.end() >= _SHORTEST_SENTENCE:
            line = line[: end.end()]
            break
    line = line.removesuffix(".").rstrip()
    if len(line) > DERIVED_TITLE_LIMIT:
        cut = line[: DERIVED_TITLE_LIMIT - 1]
        space = cut.rfind(" ")
        line = (cut[:space] if space > DERIVED_TITLE_LIMIT // 2 else cut).rstrip(" ,;:-") + "…"
    return line


def _language(value: Any) -> str | None:
    """'en-GB', 'EN', 'uk' → 'en', 'en', 'uk': the language subtag the analysts use."""
    text = text_of(value)
    primary = re.split(r"[-_]", text, maxsplit=1)[0]
    if 2 <= len(primary) <= 3 and primary.isascii() and primary.isalpha():
        return primary.lower()
    return None


def _amount(money: Any) -> float | None:
    """A positive amount in an OCDS Value object; 0 means "not stated" in most publications."""
    try:
        amount, _ = parse_money(dict_of(_net_or_gross(money)).get("amount"))
    except FieldProblem:
        return None
    return amount if amount else None


def _net_or_gross(money: Any) -> Any:
    """An OCDS Value, with the UK extension's amountGross (VAT included) standing in for a
    missing amount: Find a Tender gives only the gross value on about one tender notice in six."""
    if not isinstance(money, dict) or money.get("amount") not in (None, "", 0):
        return money
    gross = money.get("amountGross")
    if gross in (None, "", 0):
        return money
    return {"amount": gross, "currency": money.get("currency")}


def _total(holders: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The sum of the holders' values when every one has a value, all in the same currency."""
    values = [dict_of(_net_or_gross(holder.get("value"))) for holder in holders]
    currencies = {text_of(money.get("currency")).upper() for money in values}
    amounts = [_amount(money) for money in values]
    if holders and len(currencies) == 1 and all(amounts):
        return {"amount": sum(a for a in amounts if a), "currency": currencies.pop()}
    return None


def _value(tender: dict[str, Any], budget: dict[str, Any], lots: list[dict[str, Any]]) -> Any:
    """tender.value; else the budget (OCDS 1.1 budget.amount, 1.0 budget.value); else the sum of
    the lots' values when every lot has one in the same currency. An amount of 0 means "not
    stated" in most publications and is passed over. An award's value is not the estimate."""
    value = _net_or_gross(tender.get("value"))
    if isinstance(value, dict) and value.get("amount") not in (None, ""):
        try:
            amount, _ = parse_money(value.get("amount"))
        except FieldProblem:
            return value  # the builder keeps the tender and says why the value was left out
        if amount:
            return value
    for money in (budget.get("amount"), budget.get("value")):
        if _amount(money):
            return _net_or_gross(money)
    return _total(lots)


def _deadline(tender: dict[str, Any]) -> Any:
    """tenderPeriod.endDate; else the deadline for expressions of interest, the first one a
    bidder must meet in Find a Tender's two-stage (competitive flexible) procedures."""
    end = dict_of(tender.get("tenderPeriod")).get("endDate")
    if end not in (None, ""):
        return end
    return tender.get("expressionOfInterestDeadline")


def _lots(
    lots: list[dict[str, Any]], items: list[dict[str, Any]], warnings: list[str]
) -> list[Lot]:
    result: list[Lot] = []
    for lot in lots:
        lot_id = text_of(lot.get("id"))
        label = quote(lot_id or text_of(lot.get("title")) or f"{len(result) + 1}")
        amount, currency = None, None
        money = _net_or_gross(lot.get("value"))
        if isinstance(money, dict) and money.get("amount") not in (None, ""):
            try:
                amount, currency = parse_money(money)
            except FieldProblem as problem:
                warnings.append(
                    f"lot {label} value {quote(money.get('amount'))} {problem}; "
                    "imported without its value"
                )
        codes: list[str] = []
        for item in items:
            if not lot_id or text_of(item.get("relatedLot")) != lot_id:
                continue
            # Find a Tender puts a lot's CPV codes in additionalClassifications only.
            entries = [item.get("classification"), *list_of(item.get("additionalClassifications"))]
            for entry in entries:
                classification = dict_of(entry)
                if is_cpv_scheme(text_of(classification.get("scheme"))):
                    found = cpv_codes(text_of(classification.get("id")))
                    codes.extend(c for c in found if c not in codes)
        try:
            result.append(
                Lot(
                    id=cap(lot_id, SHORT_LIMIT) or None,
                    title=cap(text_of(lot.get("title")), SHORT_LIMIT) or None,
                    description=cap(text_of(lot.get("description")), DESCRIPTION_LIMIT),
                    value_amount=amount,
                    value_currency=currency_code(currency) if amount is not None else None,
                    cpv_codes=codes,
                )
            )
        except ValidationError:
            warnings.append(f"lot {label} could not be read; imported without it")
    return result


def _documents(*sections: dict[str, Any]) -> list[NoticeDocument]:
    """tender.documents, then planning.documents: each document with a web address, once."""
    return document_links(
        FoundLink(
            url=text_of(document.get("url")),
            title=text_of(document.get("title")),
            kind=text_of(document.get("documentType")),
            format=text_of(document.get("format")),
        )
        for section in sections
        for document in list_of(section.get("documents"))
        if isinstance(document, dict)
    )


def _published(value: Any, warnings: list[str]) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_date(value)
    except FieldProblem as problem:
        warnings.append(f"release date {quote(value)} {problem}; imported without it")
        return None
