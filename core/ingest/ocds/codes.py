"""Classification codes: CPV codes (CPV and ДК021 schemes) and every other scheme's codes."""

from __future__ import annotations

import functools
import re
from typing import Any

from core.ingest.ocds.json_values import cap, list_of, text_of
from core.ingest.rows import SHORT_LIMIT, quote
from core.ingest.values import parse_cpv
from core.models import Classification

_PLAIN_CPV = re.compile(r"[0-9]{8}(?:-[0-9])?")
# Scheme names whose codes are CPV codes: Prozorro's ДК021 is the Ukrainian edition of CPV 2008.
_CPV_SCHEMES = frozenset({"CPV", "CPV2008", "EUCPV", "ДК021", "DK021", "ДК0212015", "DK0212015"})
# Other schemes as the analysts and filters spell them, whatever case the publisher used.
_SCHEME_NAMES = {name.upper(): name for name in ("UNSPSC", "NAICS", "PSC", "NIGP", "GSIN", "CPVS")}


@functools.lru_cache(maxsize=256)
def is_cpv_scheme(scheme: str) -> bool:
    return re.sub(r"[\s_:.\-]", "", scheme).upper() in _CPV_SCHEMES


def cpv_codes(code: str) -> list[str]:
    if _PLAIN_CPV.fullmatch(code):
        return [code[:8]]  # "45233141-9", "45233141": most codes, without a regex search
    return parse_cpv(code)


def classifications_of(
    tender: dict[str, Any],
    items: list[dict[str, Any]],
    later_items: list[dict[str, Any]],
    warnings: list[str],
) -> tuple[list[str], list[Classification]]:
    """CPV codes (CPV and ДК021 schemes) and every other scheme's codes, from the tender, its
    items and their additional classifications; award and contract items when the tender has
    no code. A code in the CPV scheme that is not a CPV code stays a classification, with a
    warning. Well-known scheme names are spelt one way ("unspsc" → "UNSPSC").
    """

    def entries(holders: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found: list[Any] = []
        for holder in holders:
            found.append(holder.get("classification"))
            found.extend(list_of(holder.get("additionalClassifications")))
        return [entry for entry in found if isinstance(entry, dict)]

    found = entries([tender, *items])
    if not any(text_of(entry.get("id")) for entry in found):
        found = entries(later_items)
    cpv: list[str] = []
    others: dict[tuple[str, str], Classification] = {}
    for entry in found:
        scheme = text_of(entry.get("scheme"))
        code = text_of(entry.get("id"))
        if not code:
            continue
        if is_cpv_scheme(scheme) or (not scheme and re.fullmatch(r"\d{8}-\d", code)):
            codes = cpv_codes(code)
            if codes:
                cpv.extend(c for c in codes if c not in cpv)
                continue
            # Kept as the publisher wrote it, so nobody has to open the raw JSON to see it.
            warnings.append(
                f"CPV code {quote(code)} is not an 8-digit CPV code; "
                "kept as given under other classifications"
            )
        scheme = _SCHEME_NAMES.get(scheme.upper(), scheme) if scheme else "unknown"
        if (scheme, code) in others:
            continue
        if len(code) > 80 or len(scheme) > 40:
            warnings.append(f"{quote(scheme)} code {quote(code)} is too long to keep; left out")
            continue
        description = cap(text_of(entry.get("description")), SHORT_LIMIT) or None
        others[(scheme, code)] = Classification(scheme=scheme, code=code, description=description)
    return cpv, list(others.values())
