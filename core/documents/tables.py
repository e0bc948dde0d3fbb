"""Tables in tender documents: requirement tables and weighting tables, read by their header.

A requirement table has a column of requirements and one that says how binding each is
("M/D", "Priority: Must/Should", "Mandatory/Desirable"); every row is a requirement, with
that column's word deciding mandatory or optional. A weighting table has a column of criteria
(or sub-criteria) and one of weights ("Weighting", "Max points", "%"); every row with a weight
is an evaluation criterion, except the total. Any other table (a timetable, key facts, prose
laid out in two columns) is left to be read as text, column by column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_WEIGHT_HEAD = re.compile(r"weight|points|marks|score|%|percentage", re.IGNORECASE)
_NAME_HEAD = re.compile(r"criteri|question|element|area|aspect|theme|factor|section", re.IGNORECASE)
_SUB_HEAD = re.compile(r"sub[\s-]?criteri", re.IGNORECASE)
_TEXT_HEAD = re.compile(r"requirement|specification|description|service", re.IGNORECASE)
_FLAG_HEAD = re.compile(
    r"\bm\s*/\s*[do]\b|priority|mandatory|\btype\b|moscow|\bmust\b|essential|desirable|"
    r"\brequired\b|preferred|\by\s*/\s*n\b|category|classification|\blevel\b",
    re.IGNORECASE,
)
_REF_HEAD = re.compile(
    r"^(?:ref(?:erence)?\.?|no\.?|id|#|item|req(?:uirement)?\.? ?(?:no|ref|id))$", re.I
)
_MANDATORY_FLAGS = frozenset(
    {"m", "must", "mandatory", "essential", "required", "yes", "y", "minimum", "shall", "e"}
    | {"k.o", "ko", "knock-out", "knock out", "pass/fail"}
)
_OPTIONAL_FLAGS = frozenset(
    {"d", "o", "should", "could", "desirable", "optional", "nice to have", "no", "n", "may"}
    | {"preferred", "recommended", "s", "c", "wish", "w", "scored"}
)
_CODE = re.compile(r"^(?:[A-Z]{1,3}[\s.-]?)?\d{1,3}(?:\.\d{1,3})*[a-z]?$")
_WEIGHT = re.compile(r"^(?P<w>\d{1,4}(?:[.,]\d+)?)\s*(?:%|per ?cent|points?|pts|marks)?$", re.I)
_TOTAL = re.compile(
    r"^(?:(?:grand )?total|sum|overall)(?:\s+(?:score|weighting|weight|points|marks))?\s*:?$",
    re.IGNORECASE,
)
_GROUP_PREFIX = re.compile(
    r"^(?:quality|technical|commercial|qualitative|quantitative)\s*[:–-]\s+"
    r"|^(?:factor|criterion|question|section|part)\s*\d+[a-z]?\s*[:.–-]\s*|^q\d+[a-z]?[:.]?\s+",
    re.IGNORECASE,
)
_PRICE_GROUP = re.compile(r"^(?:price|cost|commercial|financial|pricing)$", re.IGNORECASE)
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass(frozen=True, slots=True)
class Cell:
    """One requirement or criterion read from a table row."""

    text: str
    mandatory: bool | None  # None: the row does not say; its wording decides
    weight: float | None
    ref: str | None


_NUMBERED = re.compile(r"^(?:[A-Z]\.)?\d{1,3}(?:\.\d{1,3})*\.?$")
_WEIGHT_LINE = re.compile(
    r"^(?P<name>[A-Za-z][^\t]{1,90}?)\s*[–-]?\s+(?P<w>\d{1,4}(?:[.,]\d+)?)\s*"
    r"(?:%|per ?cent|points?|marks)?$",
    re.IGNORECASE,
)
_WEIGHT_WORDS = re.compile(r"weight|points|marks|score|%", re.IGNORECASE)
_FLAG_LINE = re.compile(
    r"^(?P<ref>(?:[A-Z]{1,4}[-.]?)?\d{1,3}(?:\.\d{1,3})*\.?)\s+(?P<text>.{10,}?)\s+"
    r"(?P<flag>K\.O\.|KO|Wish|M|D|Must|Should|Could|Mandatory|Desirable|Essential|Optional|"
    r"Required|Preferred|Y|N|Yes|No)$"
)


def as_rows(text: str, *, evaluation: bool) -> str:
    """The page's text with two kinds of tables made tab-separated rows like the others:
    numbered paragraphs that Word separates with a tab ("5.1<TAB>The Contractor shall…")
    become prose again; and, on a page about evaluation, lines of names and weights that a
    PDF writer laid out without column gaps ("Functionality 30") become a weighting table."""
    lines = []
    for line in text.splitlines():
        cells = line.split("\t")
        if len(cells) == 2 and _NUMBERED.match(cells[0].strip()):
            line = f"{cells[0].strip()} {cells[1].strip()}"
        lines.append(line)
    lines = _flag_lines(lines)
    if not evaluation:
        return "\n".join(lines)
    out: list[str] = []
    index = 0
    while index < len(lines):
        run = index
        while run < len(lines) and "\t" not in lines[run] and _short_weight(lines[run]):
            run += 1
        if run - index >= 2:
            header = (
                out[-1] if out and _WEIGHT_WORDS.search(out[-1]) and "\t" not in out[-1] else None
            )
            if header is not None:
                out[-1] = (
                    "Criterion\tWeight (%)"
                    if "%" in "".join(lines[index:run])
                    else "Criterion\tWeight"
                )
            else:
                out.append("Criterion\tWeight")
            for line in lines[index:run]:
                match = _WEIGHT_LINE.match(" ".join(line.split()))
                assert match is not None
                out.append(f"{match['name'].strip(' –-:')}\t{match['w']}")
            index = run
            continue
        out.append(lines[index])
        index += 1
    return "\n".join(out)


def _flag_lines(lines: list[str]) -> list[str]:
    """Requirement tables a PDF writer laid out without column gaps: two or more lines of
    "F-01 <requirement> K.O." become rows "F-01<TAB><requirement><TAB>K.O." under a header."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        run = index
        while run < len(lines) and "\t" not in lines[run] and _FLAG_LINE.match(lines[run].strip()):
            run += 1
        if run - index < 2:
            out.append(lines[index])
            index += 1
            continue
        if out and _FLAG_HEAD.search(out[-1]) and "\t" not in out[-1]:
            out.pop()  # the table's own header, in words
        out.append("Ref\tRequirement\tType")
        for line in lines[index:run]:
            match = _FLAG_LINE.match(line.strip())
            assert match is not None
            out.append(f"{match['ref']}\t{match['text']}\t{match['flag']}")
        index = run
    return out


def _short_weight(line: str) -> bool:
    match = _WEIGHT_LINE.match(" ".join(line.split()))
    return match is not None and len(match["name"].split()) <= 10


def read_table(
    rows: Sequence[Sequence[str]], *, evaluation: bool = False
) -> tuple[str, list[Cell]] | None:
    """("requirements" | "criteria", cells) for a table of either kind, else None. On a page
    about evaluation, a table without a header whose last column is all weights is one of
    criteria."""
    if len(rows) < 2:
        return None
    width = max(len(row) for row in rows)
    cells = [[c.strip() for c in row] + [""] * (width - len(row)) for row in rows]
    if _is_header(cells[0]):
        header, body = cells[0], cells[1:]
    else:  # the header wrapped above the table, or the table runs on from the page before
        header, body = [""] * width, cells
    criteria = _criteria(header, body)
    if criteria is None and evaluation and not any(header) and _weights_column(body):
        named = ["Criterion", *([""] * (width - 2)), "Weight"]
        criteria = _criteria(named, body)
    if criteria is not None:
        return "criteria", criteria
    requirements = _requirements(header, body)
    if requirements is not None:
        return "requirements", requirements
    return None


def _criteria(header: list[str], body: list[list[str]]) -> list[Cell] | None:
    weight = _last(header, _WEIGHT_HEAD)
    names = [i for i, cell in enumerate(header) if _NAME_HEAD.search(cell) and i != weight]
    if weight is None or not names:
        return None
    sub = next((i for i in names if _SUB_HEAD.search(header[i])), None)
    name, group = (sub, names[0] if names[0] != sub else None) if sub else (names[0], None)
    codes = [bool(_CODE.match(row[name])) for row in body if row[name]]
    by_number = sub is None and bool(codes) and sum(codes) * 2 > len(codes)
    if by_number:  # "Q1 | Proposed solution: how … | 40%": the name is in the next column
        words = [i for i in range(name + 1, len(header)) if i != weight]
        if not words:
            return None
        name, group = words[0], name
    stated = [_number(m["w"]) for row in body if (m := _WEIGHT.match(row[weight].strip()))]
    marks = re.search(r"points|marks|score", header[weight], re.I) or sum(stated) > 101
    most = 1000.0 if marks else 100.0
    cells = []
    for row in body:
        match = _WEIGHT.match(row[weight].strip())
        text = " ".join(row[name].split())
        label = " ".join(row[group].split()) if group is not None else ""
        if match is None or _TOTAL.match(label if group is not None and label else text):
            continue
        if label and (_PRICE_GROUP.match(label) or (by_number and not _CODE.match(label))):
            # "Price | Total cost of ownership … | 40%" is the price criterion, and so is a
            # row named in a column of question numbers
            text = label
        text = _TRAILING_NOTE.sub("", _GROUP_PREFIX.sub("", text)).strip(" :-–")
        head, colon, _ = text.partition(": ")
        if colon and len(head.split()) <= 6:
            text = head  # "Proposed Solution: how the Platform meets …"
        value = _number(match["w"])
        if text and 0 < value <= most:
            cells.append(Cell(text, True, value, None))
    return _without_group_totals(cells) or None


def _without_group_totals(cells: list[Cell]) -> list[Cell]:
    """'Quality 60%' above 'Q1 25%, Q2 15%, Q3 20%' is their total, not a criterion."""
    weights = [c.weight or 0 for c in cells]
    if sum(weights) <= 100.5 or len(cells) < 3:
        return cells
    kept = []
    for index, cell in enumerate(cells):
        run, total = 0.0, cell.weight or 0
        for after in weights[index + 1 :]:
            run += after
            if abs(run - total) < 0.01 or run > total:
                break
        if not (abs(run - total) < 0.01 and index + 1 < len(cells)):
            kept.append(cell)
    return kept


def _requirements(header: list[str], body: list[list[str]]) -> list[Cell] | None:
    text = _first(header, _TEXT_HEAD)
    flag = _first(header, _FLAG_HEAD)
    if text is None:  # no header: the column with the longest cells
        text = max(range(len(header)), key=lambda i: sum(len(row[i]) for row in body))
    if flag is None:  # a column whose every cell is M/D, Must/Should… says it without a header
        flag = next(
            (
                i
                for i in range(len(header))
                if i != text
                and all(_flag(row[i]) is not None for row in body if row[i].strip())
                and any(row[i].strip() for row in body)
            ),
            None,
        )
    named = _first(header, _TEXT_HEAD)
    if flag is None and named is not None:
        # "Ref | Minimum requirement": binding by its header, else by each row's wording
        binding = re.search(r"minimum|mandatory|essential|pass", header[named], re.I)
        return _cells(body, named, None, _first(header, _REF_HEAD), True if binding else None)
    if text is None or flag is None or text == flag:
        return None
    return _cells(body, text, flag, _first(header, _REF_HEAD), None)


def _cells(
    body: list[list[str]], text: int, flag: int | None, ref: int | None, force: bool | None
) -> list[Cell] | None:
    cells = []
    for row in body:
        words = " ".join(row[text].split())
        if len(words.split()) < 3:
            continue
        label = row[ref].strip() if ref is not None and ref != text else None
        mandatory = _flag(row[flag]) if flag is not None else force
        cells.append(Cell(words, mandatory, None, label or None))
    return cells or None


def _number(text: str) -> float:
    """'1,000' is a thousand, '2,5' two and a half."""
    return float(text.replace(",", "") if re.search(r",\d{3}$", text) else text.replace(",", "."))


def _weights_column(body: list[list[str]]) -> bool:
    cells = [row[-1].strip() for row in body if row[-1].strip()]
    return len(cells) >= 2 and all(_WEIGHT.match(cell) for cell in cells)


def _is_header(row: list[str]) -> bool:
    """Short labels, none of them a flag value: a header, not the table's first row."""
    values = _MANDATORY_FLAGS | _OPTIONAL_FLAGS
    return all(
        (cell.strip() == "No." or " ".join(cell.lower().split()).rstrip(".") not in values)
        and len(cell.split()) <= 8
        and not _WEIGHT.match(cell.strip())
        for cell in row
    )


def _flag(cell: str) -> bool | None:
    word = " ".join(cell.lower().replace("(", " ").replace(")", " ").split()).rstrip(".")
    first = word.split(" ")[0] if word else ""
    if word in _MANDATORY_FLAGS or first in ("mandatory", "must", "essential"):
        return True
    if word in _OPTIONAL_FLAGS or first in ("desirable", "should", "could", "optional"):
        return False
    return None


def _first(header: list[str], pattern: re.Pattern[str]) -> int | None:
    return next((i for i, cell in enumerate(header) if pattern.search(cell)), None)


def _last(header: list[str], pattern: re.Pattern[str]) -> int | None:
    found = [i for i, cell in enumerate(header) if pattern.search(cell)]
    return found[-1] if found else None
