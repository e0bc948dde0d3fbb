"""The buyer's requirements and evaluation criteria, found offline in a tender's documents.

A requirement is an obligation sentence ("the supplier shall / must / is required to / will be
expected to …"), or an item listed under a requirements heading. "Shall", "must" and
"required" make it mandatory; "should", "desirable", "may" and "preferred" optional. A
sentence holding two obligations ("must hold ISO 27001 and must host in the UK") is split.
What the buyer says of itself ("the Authority will evaluate…", "the Council may…",
"… may be reused by the Council"), definitions ("'Supplier' shall mean…"), how the document
words its requirements ("requirements marked 'mandatory'…", "M = Mandatory") and instructions
about the procurement itself (questions through the portal, tenders due by, late tenders,
scores, confidentiality of the tender) are not asked of the supplier and are left out.
Items listed after "the tenderer must:" are requirements with the lead-in's force.
Requirement tables (with an M/D or priority column) and weighting tables are read by their
header (core.documents.tables). Evaluation criteria are also named weights in a sentence
about evaluation ("a weighting of Quality 60% / Price 40%", "price 40 points"), unless a
weighting table on the page already gives them.
Every row keeps its document, page, section (clause number or heading) and exact quote, and a
ref (R-001…) stable for as long as the documents stay the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from core.documents.asked import asked as _asked
from core.documents.tables import as_rows, read_table
from core.models.documents import PageText

Kind = Literal["obligation", "evaluation"]

_CLAUSE = re.compile(
    r"^(?P<num>(?:[A-Z]\.)?(?:\d{1,3}\.)+\d{0,3}|\d{1,3}[.)]|[A-Z]\d{1,3}[.)]?)\s+"
)
_BULLET = re.compile(r"^(?:[-•*▪–●○■□◦·➢►✓\x7f\uf0b7\uf0a7\uf0d8]|\(?[a-z0-9ivx]{1,4}\))\s+")
_MANDATORY = re.compile(
    r"\b(?:shall|must|is required to|are required to|will be required to|is expected to|"
    r"will be expected to|are expected to|mandatory|it is essential|is a requirement|"
    r"(?:will )?needs? to|has to|have to)\b",
    re.IGNORECASE,
)
_OPTIONAL = re.compile(
    r"\b(?:should|could|desirable|(?<!\d )may(?! \d)|(?:is|are|would be) preferred|"
    r"preferably|would be an advantage|ideally|optional|it is a wish)\b",
    re.IGNORECASE,
)
_SPLIT = re.compile(r";\s+|\s+and\s+(?=(?:shall|must|should|will|is required)\b)", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
# A heading over a list of requirements: "Mandatory requirements", "Technical requirements".
_HEADING_WORDS = re.compile(
    r"^(?:[\w.]+\s+)?(?:(?:the|our|technical|functional|non-functional|service|general|key|"
    r"minimum|core|mandatory|essential|desirable|optional|specific|detailed|other|additional)"
    r"\s+)*requirements?(?:\s*\(.*\))?$",
    re.IGNORECASE,
)
# The supplier as the subject: "expected to" is asked of it, not of staff or the contract.
_SUPPLIER = re.compile(
    r"\b(?:suppliers?|contractors?|providers?|tenderers?|bidders?|vendors?|offerors?|"
    r"respondents?|consultants?|you|applicants?)\b",
    re.IGNORECASE,
)
# Weak markers, asked of the supplier only when it is their subject ("residents have to…").
_EXPECTED = re.compile(
    r"\b(?:(?:is|are|will be) expected to|(?:will )?needs? to|has to|have to)\b", re.IGNORECASE
)
_LISTED_CRITERION = re.compile(
    r"^(?P<name>[A-Za-z][^()]{2,120}?)\s*\((?P<w>\d{1,3}(?:\.\d+)?)\s*(?:%|per ?cent|points)\)"
)
_HEADING_OPTIONAL = re.compile(
    r"\b(?:desirable|optional|nice to have|preferred|should)\b", re.IGNORECASE
)
_HEADING_MANDATORY = re.compile(r"\b(?:mandatory|essential|minimum|must)\b", re.IGNORECASE)
_VERB = re.compile(
    r"\b(?:shall|must|should|could|may|will|is required|are required|(?:is|are) expected)\b",
    re.IGNORECASE,
)
_EVALUATION = re.compile(
    r"evaluat|criteri|weighting|scor|award|economically advantageous", re.IGNORECASE
)
_WEIGHT = re.compile(
    r"(?P<name>[A-Za-z][A-Za-z][\w &/,'-]{1,60}?)\s*(?:[:\-–]|\()?\s*"
    r"(?P<w>\d{1,3}(?:\.\d+)?)\s*(?:%|points\b|per cent\b)"
)
_LEAD_IN = re.compile(r":\s*$")
# Running headers and footers: "Page 2 of 3", "ITT Ref: … — Specification", "OFFICIAL".
_RUNNING = re.compile(
    r"^(?:page \d+(?: of \d+)?|\d+ of \d+|official(?:[\s-]+sensitive)?|confidential)$", re.I
)
_NOT_A_CRITERION = re.compile(
    r"\b(?:vat|discount|increase|reduction|of the|tolerance|at least|minimum|more than|less "
    r"than|achieve|threshold)\b",
    re.IGNORECASE,
)


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
        read = [(page, *_table_rows(source, page)) for page in _without_running(pages)]
        # A page whose weighting table gives the criteria: its sentences' weights are totals.
        weighted = {p.number for p, found, _ in read if any(r.kind == "evaluation" for r in found)}
        for page, found, prose in read:
            later = _prose_rows(source, page, prose, tabled=page.number in weighted)
            for row in [*found, *later]:
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


def _without_running(pages: Sequence[PageText]) -> list[PageText]:
    """The pages without their running headers and footers: lines among the first or last
    three of two or more pages (page numbers aside), such as "RFT 2027/003 Cloud Records"."""

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.split()).lower())

    seen: dict[str, int] = {}
    for page in pages:
        lines = [line for line in page.text.splitlines() if line.strip()]
        for line in {key(line) for line in lines[:3] + lines[-3:]}:
            seen[line] = seen.get(line, 0) + 1
    one_part_per_page = len({page.number for page in pages}) == len(pages)  # PDF, text
    running = {line for line, count in seen.items() if count >= 2 and one_part_per_page}
    if not running:
        return list(pages)
    return [
        PageText(
            page.number,
            "\n".join(line for line in page.text.splitlines() if key(line) not in running),
            page.section,
        )
        for page in pages
    ]


def _table_rows(source: str, page: PageText) -> tuple[list[Found], str]:
    """The rows of the page's requirement and weighting tables, and the rest of its text."""
    tables: list[Found] = []
    prose: list[str] = []
    evaluation = bool(_EVALUATION.search(page.text))
    for kind, lines in _runs(as_rows(page.text, evaluation=evaluation)):
        if kind == "prose":
            prose.extend(lines)
            continue
        read = read_table([line.split("\t") for line in lines], evaluation=evaluation)
        if read is None and _short_cells(lines):
            continue  # a timetable or key facts: no requirements in it (dates are read apart)
        if read is None:  # prose laid out in columns: read it column by column
            cells = [line.split("\t") for line in lines]
            width = max(len(row) for row in cells)
            columns = zip(*(row + [""] * (width - len(row)) for row in cells), strict=True)
            prose.extend(" ".join(cell for cell in column if cell) for column in columns)
            continue
        what, cells = read
        for cell in cells:
            section = _join(page.section, cell.ref)
            if what == "criteria":
                tables.append(
                    Found(
                        "", cell.text, source, page.number, section, True, "evaluation", cell.weight
                    )
                )
                continue
            for part in _parts(cell.text):
                row = _obligation(source, page.number, section, part, flag=cell.mandatory)
                if row is not None:
                    tables.append(row)
    return tables, "\n".join(prose)


def _short_cells(lines: list[str]) -> bool:
    cells = [cell for line in lines for cell in line.split("\t") if cell.strip()]
    return sum(len(cell.split()) for cell in cells) < 8 * max(len(cells), 1)


def _runs(text: str) -> Iterable[tuple[str, list[str]]]:
    """("prose" | "table", lines): consecutive tab-separated lines are a table."""
    kind, lines = "prose", []
    for line in text.splitlines():
        this = "table" if "\t" in line else "prose"
        if this != kind and lines:
            yield kind, lines
            lines = []
        kind = this
        lines.append(line)
    if lines:
        yield kind, lines


def _prose_rows(source: str, page: PageText, text: str, *, tabled: bool) -> Iterable[Found]:
    section = page.section
    # While items are listed under a requirements heading: (mandatory, sure from the heading).
    under_requirements: tuple[bool, bool] | None = None
    lead_in: bool | None = None  # "the tenderer must:" — its items are requirements
    evaluation_page = bool(_EVALUATION.search(text))
    for clause, block, bulleted in _blocks(text):
        if clause:
            section = _join(page.section, clause)
        heading = None if bulleted else _heading(block)
        if heading is not None and not (evaluation_page and _weights_only(block)):
            under_requirements = (
                None
                if not _HEADING_WORDS.search(heading)
                else (False, True)
                if _HEADING_OPTIONAL.search(heading)
                else (True, bool(_HEADING_MANDATORY.search(heading)))
            )
            lead_in = None
            continue
        weighted = list(_criteria(source, page.number, section, block, evaluation_page))
        if tabled and _criteria_named(block):
            continue  # the page's weighting table gives the criteria, sub-criteria and all
        if weighted:
            yield from weighted
            continue
        if lead_in is not None and bulleted and _is_item(block) and not _VERB.search(block):
            yield Found(
                "", block.rstrip(" ;,."), source, page.number, section, lead_in, "obligation"
            )
            continue
        lead_in = None
        found_any = False
        for sentence in _SENTENCE.split(block):
            sentence = sentence.strip()
            if _LEAD_IN.search(sentence) and _asked(sentence) and _VERB.search(sentence):
                lead_in = bool(_MANDATORY.search(sentence))
                found_any = True
                continue
            if not _asked(sentence):
                found_any = found_any or bool(
                    _MANDATORY.search(sentence) or _OPTIONAL.search(sentence)
                )
                continue
            for part in _parts(sentence):
                row = _obligation(source, page.number, section, part)
                if row is not None:
                    found_any = True
                    yield row
        if (
            not found_any
            and under_requirements is not None
            and (bulleted or clause is not None)
            and not _VERB.search(block)  # a sentence the obligation rules already judged
            and _is_item(block)
            and _asked(block)
        ):
            mandatory, sure = under_requirements
            yield Found(
                "",
                block.rstrip(" ;,."),
                source,
                page.number,
                section,
                mandatory,
                "obligation",
                sure=sure,
            )


def _parts(sentence: str) -> list[str]:
    return [part.strip(" ;") for part in _SPLIT.split(sentence) if part.strip(" ;")]


def _join(section: str | None, clause: str | None) -> str | None:
    if not clause:
        return section
    return clause if section is None else f"{section} · {clause}"


def _blocks(text: str) -> Iterable[tuple[str | None, str, bool]]:
    """(clause number or None, text, listed) per paragraph: a line that starts with a number or
    bullet begins one (listed), and so does a line after one that ends a sentence."""
    current: list[str] = []
    clause: str | None = None
    listed = False
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line or _RUNNING.match(line):
            continue
        number = _CLAUSE.match(line)
        starts = bool(number or _BULLET.match(line))
        ends = bool(current) and current[-1].endswith((".", ":", ";", "%"))
        if current and (starts or ends or (not listed and _heading(current[-1]) is not None)):
            yield clause, " ".join(current), listed
            current, clause, listed = [], None, False
        if not current:
            listed = not number and bool(_BULLET.match(line))
        if number:
            clause = number["num"].rstrip(".)")
            line = line[number.end() :]
        elif _BULLET.match(line):
            line = _BULLET.sub("", line, count=1)
        if current and re.search(r"[a-z]-$", current[-1]) and line[:1].islower():
            current[-1] = current[-1][:-1] + line  # "certifi-" / "cation" is one word
            continue
        current.append(line)
    if current:
        yield clause, " ".join(current), listed


def _heading(block: str) -> str | None:
    """A short line without a sentence's verb and full stop: a heading."""
    words = block.split()
    if not words or len(words) > 10 or block.endswith((".", ";", ":")) or _VERB.search(block):
        return None
    return block.rstrip(":")


def _is_item(block: str) -> bool:
    return 2 <= len(block.split()) <= 40


def _obligation(
    source: str, page: int, section: str | None, text: str, flag: bool | None = None
) -> Found | None:
    if len(text.split()) < 4:
        return None
    mandatory = _MANDATORY.search(text)
    optional = _OPTIONAL.search(text)
    if flag is not None:  # a requirement table's M/D column says it
        return Found("", text, source, page, section, flag, "obligation")
    if mandatory is None and optional is None:
        return None
    if mandatory is not None and _EXPECTED.match(text, mandatory.start()):
        subject = text[: mandatory.start()]
        alone = not _MANDATORY.search(text, mandatory.end()) and optional is None
        if alone and not _SUPPLIER.search(subject):
            return None  # "60 staff are expected to use it": background, not an ask
    # "must" beats "may" when both are there ("must, where it may, …")
    is_mandatory = mandatory is not None and (
        optional is None or mandatory.start() <= optional.start()
    )
    sure = not (mandatory and optional)
    return Found("", text, source, page, section, is_mandatory, "obligation", sure=sure)


def _criteria(
    source: str, page: int, section: str | None, block: str, evaluation_page: bool
) -> Iterable[Found]:
    """Named weights in a sentence about evaluation ("a weighting of Quality 60% / Price 40%"),
    or on a line of their own ("Technical approach 30%") on a page about evaluation."""
    listed = _LISTED_CRITERION.match(block) if evaluation_page else None
    if listed is not None:  # "• Proposed technical solution, including … (35%)"
        name = re.split(r",|\s[–-]\s|:", listed["name"])[0].strip()
        if 0 < float(listed["w"]) <= 100 and len(name.split()) <= 8:
            yield Found("", name, source, page, section, True, "evaluation", float(listed["w"]))
            return
    if not (_EVALUATION.search(block) or (evaluation_page and _weights_only(block))):
        return
    for match in _WEIGHT.finditer(block):
        name = match["name"].strip(" :-–(,")
        name = re.sub(r"^(?:and|or|with|of|a|the|weighting of|weighting)\s+", "", name, flags=re.I)
        weight = float(match["w"])
        if not 0 < weight <= 100 or _NOT_A_CRITERION.search(name) or len(name.split()) > 6:
            continue
        yield Found(
            "", name[:1].upper() + name[1:], source, page, section, True, "evaluation", weight
        )


def _weights_only(block: str) -> bool:
    """A line of named weights and little else ("Quality 60% / Price 40%")."""
    rest = _WEIGHT.sub(" ", block)
    return bool(_WEIGHT.search(block)) and len(re.findall(r"[A-Za-z]{2,}", rest)) <= 2


def _criteria_named(block: str) -> bool:
    """A sentence that names weights (a table on the page gives them already)."""
    return bool(_EVALUATION.search(block) and _WEIGHT.search(block))
