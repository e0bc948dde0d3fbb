"""The bid's answer to the compliance matrix: one part per evaluation criterion, longest for the
heaviest, each citing the refs of the requirements it answers.

Every requirement is put under the criterion its words and section share most with (or the
heaviest quality criterion when none does; price criteria are answered in the pricing
schedule). What a requirement gets is, in order: the bid team's response in the matrix; for a
row marked compliant, the requirement as our commitment ("We will provide a UK-based service
desk"); otherwise a gap to fill. Each criterion gets a share of the words in proportion to its
weight, and the gap says how many more words it is worth. The block sits at the end of the
technical approach, under its own heading, so it can be written again on its own, or one
criterion at a time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.analysts.bid_writer import GAP
from core.models.documents import RequirementRow

HEADING = "### Our response to your requirements and evaluation criteria"
WORDS = 1_500  # the words a full response runs to, shared out by weight
_PRICE = re.compile(r"\b(?:price|cost|pricing|commercial|financial|value for money)\b", re.I)
_QUALITY = re.compile(r"\b(?:quality|technical|solution|approach|functional)\b", re.I)
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "for",
        "on",
        "with",
        "by",
        "at",
        "be",
        "is",
        "are",
        "will",
        "shall",
        "must",
        "should",
        "may",
        "our",
        "your",
        "their",
        "its",
        "this",
        "that",
        "all",
        "any",
        "each",
        "supplier",
        "contractor",
        "provider",
        "tenderer",
        "bidder",
        "service",
        "services",
        "requirement",
        "requirements",
    ]
)
_COMMIT = re.compile(
    r"^(?:the\s+)?(?:successful\s+)?(?:supplier|contractor|service provider|provider|tenderer|"
    r"bidder|vendor|offeror|respondent|consultant)s?\s+(?:shall|must|will|is required to|"
    r"are required to|will be required to|is expected to|will be expected to|will need to|"
    r"should)\s+(?:be able to\s+)?",
    re.IGNORECASE,
)


@dataclass
class CriterionPart:
    name: str
    ref: str | None  # the criterion's row, None for requirements without criteria
    weight: float | None
    words: int  # its share of WORDS
    rows: list[RequirementRow] = field(default_factory=list)

    @property
    def heading(self) -> str:
        weight = f" ({self.weight:g}%)" if self.weight is not None else ""
        return f"#### {self.name}{weight}"


def plan(rows: Sequence[RequirementRow]) -> list[CriterionPart]:
    """The parts of the answer, heaviest criterion first, each with its requirements."""
    kept = [r for r in rows if not r.dropped]
    criteria = sorted((r for r in kept if r.kind == "evaluation"), key=lambda r: -(r.weight or 0))
    total = sum(r.weight or 0 for r in criteria) or 1.0
    parts = [
        CriterionPart(r.text, r.ref, r.weight, round(WORDS * (r.weight or 0) / total))
        for r in criteria
    ]
    answerable = [p for p in parts if not _PRICE.search(p.name)]
    fallback = next((p for p in answerable if _QUALITY.search(p.name)), None) or (
        answerable[0] if answerable else None
    )
    other = CriterionPart("Requirements", None, None, 0)
    for row in (r for r in kept if r.kind == "obligation"):
        target = _best(row, answerable) or fallback or other
        target.rows.append(row)
    return parts + ([other] if other.rows else [])


def response_block(rows: Sequence[RequirementRow]) -> str:
    """The whole block, or "" when the matrix is empty."""
    parts = plan(rows)
    if not parts:
        return ""
    return "\n\n".join([HEADING, *(part_text(p) for p in parts)])


def part_text(part: CriterionPart) -> str:
    lines = [part.heading]
    if _PRICE.search(part.name) and not part.rows:
        lines.append(f"Our price is set out in full in the pricing schedule ({part.ref}).")
        return "\n\n".join(lines)
    written = 0
    for row in part.rows:
        line = _answer(row)
        written += len(line.split())
        lines.append(f"- {line}")
    if part.ref is not None:
        more = max(part.words - written, 0)
        if more >= 40:
            lines.append(
                f"{GAP} About {more} more words on how we meet {part.name} ({part.ref}), "
                "with evidence from similar contracts."
            )
    return "\n\n".join(lines)


MAX_SECTION = 19_000  # a bid section holds up to 20,000 characters


def with_block(section: str, rows: Sequence[RequirementRow]) -> str:
    """The technical approach with the block (re)written at its end."""
    before = section.split(HEADING)[0].rstrip()
    block = response_block(rows)
    text = f"{before}\n\n{block}" if before and block else before or block
    if len(text) > MAX_SECTION:  # a matrix of hundreds of rows: the rest stay in the matrix
        cut = text.rfind("\n\n", 0, MAX_SECTION)
        text = f"{text[:cut]}\n\n- {GAP} The other requirements are in the compliance matrix."
    return text


def with_part(section: str, rows: Sequence[RequirementRow], criterion_ref: str) -> str | None:
    """The technical approach with one criterion's part written again from the matrix; None
    when the matrix has no such criterion."""
    part = next((p for p in plan(rows) if p.ref == criterion_ref), None)
    if part is None:
        return None
    if HEADING not in section:
        return with_block(section, rows)
    head, block = section.split(HEADING, 1)
    pieces = re.split(r"(?m)^(?=#### )", block)
    name = f"#### {part.name}"
    for index, piece in enumerate(pieces):
        if piece.startswith(name):
            pieces[index] = part_text(part) + "\n\n"
            break
    else:
        pieces.append("\n\n" + part_text(part) + "\n\n")
    return (head + HEADING + "".join(pieces)).rstrip()


def _answer(row: RequirementRow) -> str:
    tag = f"({row.ref}{', mandatory' if row.mandatory else ''})"
    if row.response.strip():
        return f"{' '.join(row.response.split())} {tag}"
    if row.status == "compliant":
        return f"{_commitment(row.text)} {tag}"
    if row.status == "not applicable":
        return f"This does not apply to our solution: {_quoted(row.text)} {tag}"
    return f"{GAP} How we meet: {_quoted(row.text)} {tag}"


def _commitment(text: str) -> str:
    match = _COMMIT.match(" ".join(text.split()))
    if match is None:
        return f"We meet this requirement: {_quoted(text)}"
    rest = " ".join(text.split())[match.end() :].rstrip(".;")
    return f"We will {rest}."


def _quoted(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


def _best(row: RequirementRow, parts: Sequence[CriterionPart]) -> CriterionPart | None:
    words = _words(f"{row.text} {row.section or ''}")
    scored = [(len(words & _words(p.name)), p) for p in parts]
    best = max(scored, key=lambda s: s[0], default=(0, None))
    return best[1] if best[0] > 0 else None


def _words(text: str) -> set[str]:
    """Content words, roughly stemmed: 'hosted' and 'hosting', 'implementation' and
    'implementing' agree."""
    return {
        re.sub(r"(?:ing|ed|es|s|ions?|ments?)$", "", w)[:6]
        for w in re.findall(r"[a-z]{3,}", text.lower())
        if w not in _STOP
    }
