"""Lots and values: the notice's value (the total, else the lots' sum) and its lots."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from core.ingest.errors import FieldProblem
from core.ingest.fields import currency_code
from core.ingest.rows import DESCRIPTION_LIMIT, SHORT_LIMIT
from core.ingest.ted.tree import codes_of, cut, kid, kids, text_of
from core.ingest.values import parse_cpv, parse_money
from core.models import Lot

MAX_LOTS = 1_000


def value_of(
    contracts: list[ET.Element], notice_data: ET.Element | None, items: list[ET.Element]
) -> dict[str, Any]:
    for contract in contracts:
        for tag in ("VAL_ESTIMATED_TOTAL", "VAL_TOTAL"):
            element = kid(contract, tag)
            if element is not None and text_of(element):
                return {"value": text_of(element), "currency": element.get("CURRENCY") or ""}
        ranged = kid(contract, "VAL_RANGE_TOTAL")
        # A range (award notices: lowest and highest offer considered) → its lower end.
        low = text_of(kid(ranged, "LOW")) or text_of(kid(ranged, "HIGH"))
        if ranged is not None and low:
            return {"value": low, "currency": ranged.get("CURRENCY") or ""}
    for kind in ("ESTIMATED_TOTAL", "PROCUREMENT_TOTAL"):
        for element in kids(kid(notice_data, "VALUES"), "VALUE"):
            if element.get("TYPE") == kind and text_of(element):
                return {"value": text_of(element), "currency": element.get("CURRENCY") or ""}
    return _lot_total(items)


def _lot_total(items: list[ET.Element]) -> dict[str, Any]:
    """The sum of the lots' values when every lot has one, all in one currency."""
    amounts: list[float] = []
    currencies: set[str | None] = set()
    for item in items:
        element = kid(item, "VAL_OBJECT")
        try:
            amount, _ = parse_money(text_of(element))
        except FieldProblem:
            return {}
        if amount is None or element is None:
            return {}
        amounts.append(amount)
        currencies.add(currency_code(element.get("CURRENCY") or ""))
    if not amounts or len(currencies) != 1:
        return {}
    return {"value": round(sum(amounts), 2), "currency": currencies.pop() or ""}


def is_divided(items: list[ET.Element]) -> bool:
    return len(items) > 1 or any(kid(item, "LOT_NO") is not None for item in items)


def lots_of(items: list[ET.Element], warnings: list[str]) -> list[Lot]:
    if not is_divided(items):
        return []
    if len(items) > MAX_LOTS:
        warnings.append(f"the notice has {len(items):,} lots; the first {MAX_LOTS:,} were imported")
    lots: list[Lot] = []
    for item in items[:MAX_LOTS]:
        amount, currency = None, None
        element = kid(item, "VAL_OBJECT")
        if element is not None and text_of(element):
            try:
                amount, _ = parse_money(text_of(element))
                currency = currency_code(element.get("CURRENCY") or "")
            except FieldProblem as problem:
                warnings.append(
                    f"lot value '{text_of(element)[:40]}' {problem}; lot imported without it"
                )
        codes = [
            code
            for additional in kids(item, "CPV_ADDITIONAL")
            for code in codes_of(kid(additional, "CPV_CODE"))
        ]
        lots.append(
            Lot(
                id=cut(text_of(kid(item, "LOT_NO")) or item.get("ITEM") or "", SHORT_LIMIT) or None,
                title=cut(text_of(kid(item, "TITLE")), SHORT_LIMIT) or None,
                description=cut(text_of(kid(item, "SHORT_DESCR")), DESCRIPTION_LIMIT),
                value_amount=amount,
                value_currency=currency if amount is not None else None,
                cpv_codes=parse_cpv(codes),
            )
        )
    return lots


def lot_label(item: ET.Element) -> str:
    number = text_of(kid(item, "LOT_NO"))
    title = text_of(kid(item, "TITLE")).replace("\n", " ")
    if number and title:
        return f"Lot {number}: {title}"
    return f"Lot {number}" if number else title
