"""The buyer's requirements and evaluation criteria, found offline in a tender's documents.

A requirement is an obligation sentence ("the supplier shall / must / is required to / will be
expected to …"), or an item listed under a requirements heading. "Shall", "must" and
"required" make it mandatory; "should", "desirable", "may" and "preferred" optional. A
sentence holding two obligations ("must hold ISO 27001 and must host in the UK") is split.
What the buyer says of itself ("the Authority will evaluate…", "the Council may…") is not
asked of the supplier and is left out. Evaluation criteria are named weights ("Quality 60% /
Price 40%", "Technical approach (25%)") on a page that speaks of evaluation, scoring or award.
Every row keeps its document, page, section (clause number or heading) and exact quote, and a
ref (R-001…) stable for as long as the documents stay the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from core.models.documents import PageText

Kind = Literal["obligation", "evaluation"]

_CLAUSE = re.compile(r"^(?P<num>(?:\d{1,3}\.)+\d{0,3}|\d{1,3}[.)]|[A-Z]\d{1,3}[.)]?)\s+")
_BULLET = re.compile(r"^(?:[-•*▪–]|\(?[a-z0-9ivx]{1,4}\))\s+")
_MANDATORY = re.compile(
    r"\b(?:shall|must|is required to|are required to|will be required to|is expected to|"
    r"will be expected to|are expected to|mandatory|it is essential|is a requirement)\b",
    re.IGNORECASE,
)
_OPTIONAL = re.compile(
    r"\b(?:should|desirable|may|preferred|preferably|would be an advantage|ideally|optional)\b",
    re.IGNORECASE,
)
# The buyer speaking of itself: not an obligation of the supplier.
_BUYER_SUBJECT = re.compile(
    r"^(?:the\s+)?(?:authority|council|buyer|contracting authority|customer|department|trust|"
    r"we|our evaluation panel|the panel|evaluators?)\b",
    re.IGNORECASE,
)
_SPLIT = re.compile(r";\s+|\s+and\s+(?=(?:shall|must|should|will|is required)\b)", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_HEADING_WORDS = re.compile(r"\brequirements?\b|\bspecification\b", re.IGNORECASE)
_HEADING_OPTIONAL = re.compile(r"\b(?:desirable|optional|nice to have)\b", re.IGNORECASE)
_EVALUATION_PAGE = re.compile(r"evaluat|criteri|weighting|scor|award", re.IGNORECASE)
_WEIGHT = re.compile(
    r"(?P<name>[A-Z][A-Za-z][\w &/,'-]{1,60}?)\s*(?:[:\-–]|\()?\s*(?P<w>\d{1,3}(?:\.\d+)?)\s*%"
)
_NOT_A_CRITERION = re.compile(r"\b(?:vat|discount|increase|reduction|of the|tolerance)\b", re.I)


@dataclass(frozen=True, slots=True)
class Found:
    """One row of the compliance matrix as the extractor found it."""

    ref: str
    text: str
    source: str
    page: int
    section: str | None
    mandatory: bool
    kind: Kind
    weight: float | None = None
    sure: bool = True  # False where the rules guessed (an LLM may refine these)


def find_requirements(documents: Sequence[tuple[str, Sequence[PageText]]]) -> list[Found]:
    """Rows over (document name, pages) in document order; refs R-001, R-002…"""
    rows: list[Found] = []
    seen: set[str] = set()
    for source, pages in documents:
        for page in pages:
            for row in _page_rows(source, page):
                key = " ".join(row.text.lower().split())
                if key in seen:
                    continue
                seen.add(key)
                rows.append(row)
    return [
        Found(
            f"R-{n:03d}", r.text, r.source, r.page, r.section, r.mandatory, r.kind, r.weight, r.sure
        )
        for n, r in enumerate(rows, start=1)
    ]


def _page_rows(source: str, page: PageText) -> Iterable[Found]:
    evaluation_page = bool(_EVALUATION_PAGE.search(page.text))
    section = page.section
    under_requirements: bool | None = None  # the heading's flag while items are listed under it
    for clause, block in _blocks(page.text):
        if clause:
            section = clause if page.section is None else f"{page.section} · {clause}"
        heading = _heading(block)
        if heading is not None:
            under_requirements = (
                None
                if not _HEADING_WORDS.search(heading)
                else not _HEADING_OPTIONAL.search(heading)
            )
            if evaluation_page:
                yield from _criteria(source, page.number, section, block)
            continue
        weighted = list(_criteria(source, page.number, section, block)) if evaluation_page else []
        if weighted:
            yield from weighted
            continue
        found_any = False
        for sentence in _SENTENCE.split(block):
            for part in _SPLIT.split(sentence):
                row = _obligation(source, page.number, section, part.strip(" ;"))
                if row is not None:
                    found_any = True
                    yield row
        if not found_any and under_requirements is not None and _is_item(block):
            yield Found(
                "",
                block,
                source,
                page.number,
                section,
                under_requirements,
                "obligation",
                sure=False,
            )


def _blocks(text: str) -> Iterable[tuple[str | None, str]]:
    """(clause number or None, text) per paragraph: a line that starts with a number or bullet
    begins one, and so does a line after one that ends a sentence."""
    current: list[str] = []
    clause: str | None = None
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        number = _CLAUSE.match(line)
        starts = bool(number or _BULLET.match(line))
        ends = bool(current) and current[-1].endswith((".", ":", ";", "%"))
        if current and (starts or ends or _heading(current[-1]) is not None):
            yield clause, " ".join(current)
            current, clause = [], None
        if number:
            clause = number["num"].rstrip(".)")
            line = line[number.end() :]
        elif _BULLET.match(line):
            line = _BULLET.sub("", line, count=1)
        current.append(line)
    if current:
        yield clause, " ".join(current)


def _heading(block: str) -> str | None:
    """A short line without a sentence's verb and full stop: a heading."""
    words = block.split()
    if not words or len(words) > 10 or block.endswith((".", ";")) or _MANDATORY.search(block):
        return None
    return block.rstrip(":")


def _is_item(block: str) -> bool:
    return 2 <= len(block.split()) <= 40


def _obligation(source: str, page: int, section: str | None, text: str) -> Found | None:
    if len(text.split()) < 4:
        return None
    mandatory = _MANDATORY.search(text)
    optional = _OPTIONAL.search(text)
    if mandatory is None and optional is None:
        return None
    if _BUYER_SUBJECT.match(text):
        return None
    # "must" beats "may" when both are there ("must, where it may, …")
    is_mandatory = mandatory is not None and (
        optional is None or mandatory.start() <= optional.start()
    )
    sure = not (mandatory and optional)
    return Found("", text, source, page, section, is_mandatory, "obligation", sure=sure)


def _criteria(source: str, page: int, section: str | None, block: str) -> Iterable[Found]:
    for match in _WEIGHT.finditer(block):
        name = match["name"].strip(" :-–(,")
        weight = float(match["w"])
        if not 0 < weight <= 100 or _NOT_A_CRITERION.search(name) or len(name.split()) > 8:
            continue
        yield Found("", name, source, page, section, True, "evaluation", weight)
