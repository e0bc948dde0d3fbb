"""The key dates a tender's documents state: questions, tenders due, site visit, award, contract.

A date counts only where its sentence (or timetable row) says what it is: "clarification
questions by…", "tenders must be received by…", "the contract will commence on…". Dates are
read day first, as UK and EU buyers write them, and month first only where day first is
impossible ("03/15/2027"); a time next to the date ("by 17:00 on", "at 12 noon") is kept. A
date with no such words, or words that place it in the past or in someone else's hands
("was published on", "the current contract expires"), is left out. Nothing here looks at the
clock: whether a date has passed is for the caller to say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Literal

from core.models.documents import PageText

Kind = Literal[
    "clarification", "submission", "contract_start", "site_visit", "award", "contract_end"
]
_Cue = Kind | Literal["other"]  # "other": words that rule a date out ("go-live", "published on")

LABELS: dict[Kind, str] = {
    "clarification": "Clarification questions by",
    "submission": "Tenders due",
    "site_visit": "Site visit",
    "award": "Contract award",
    "contract_start": "Contract starts",
    "contract_end": "Contract ends",
}
_QUOTE_LIMIT = 300
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_WEEKDAY = (
    r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?,?\s+(?:the\s+)?)?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    r"(?<![\w/.-])" + _WEEKDAY + r"(?:"
    rf"(?P<d1>\d{{1,2}}){_ORDINAL}(?:\s+of)?(?:\s*[-/.]\s*|\s+)(?P<mon1>{_MONTH})"
    r"(?:\s*[-/.,]\s*|\s+)(?P<y1>\d{4})"
    rf"|(?P<mon2>{_MONTH})\s+(?P<d2>\d{{1,2}}){_ORDINAL},?\s+(?P<y2>\d{{4}})"
    r"|(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y3>\d{4})"
    r"|(?P<y4>\d{4})-(?P<m4>\d{1,2})-(?P<d4>\d{1,2})(?:[ T]00:00(?::00)?)?"  # a spreadsheet's date
    r")(?![\w/]|[.-]\d)",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"(?<![\w£$€.,:/-])(?:"
    r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2})(?::\d{2})?)?\s*(?P<ap>[ap]\.?m\b\.?)?"
    r"(?:\s*(?P<noon>noon|midday)\b|\s*(?:hrs|hours)\b)?"
    r"|(?P<word>noon|midday|midnight)\b"
    r")(?:\s*\((?:[a-z ]{0,20}time|[a-z]{2,5})\)|\s+(?:uk|london|local)\s+time\b"
    r"|\s+(?-i:GMT|BST|CET|CEST|UTC)\b)?(?![\d:]|\.\d)",
    re.IGNORECASE,
)
# What may stand between a date and its time: "5 March 2027 at 12:00", "by 17:00 on 5 March".
_TIME_GAP = re.compile(
    r"[\s,|(]*(?:(?:at|by|on|before|no later than|not later than|latest|the|[-–—])[\s,|(]*)*",
    re.IGNORECASE,
)
_RANGE_GAP = re.compile(r"\s*(?:to|until|till|through|and|[-–—])\s*", re.IGNORECASE)
_CONTRACT_WORD = re.compile(r"\b(?:contract|framework|agreement|term|period)\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;,:|]|\s[-–—]\s|\.\s")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_ENDS_ON_NUMBER = re.compile(r"(?:\d|noon|midday|midnight|[ap]\.?m\.?|hrs|time\))\W{0,2}$", re.I)

_NOUN = r"(?:tenders?|bids?|responses?|proposals?|offers?|quotes?|quotations?)"
_ANY = r"(?:[\w'-]+\s+){0,3}?"  # up to three words in between: "the contract is expected to"
# (tier, cue, pattern): the lowest tier in a clause decides, and within it the nearest cue.
# Clarification and site visit sentences often mention the tender as well, so they go first.
_CUES: tuple[tuple[int, _Cue, re.Pattern[str]], ...] = tuple(
    (tier, cue, re.compile(pattern, re.IGNORECASE))
    for tier, cue, pattern in (
        (
            0,
            "other",
            r"\b(?:was|were|has been|have been|had been)\s+(?:published|issued|let|awarded|signed"
            r"|dispatched|advertised|sent)\b|\b(?:published|dispatched|advertised)\s+on\b"
            r"|\bdate of (?:this|publication|dispatch|issue)\b|\b(?:dated|last updated)\b"
            r"|\b(?:current|existing|incumbent|previous|present)\s+(?:contract|service|framework"
            r"|arrangement|provider|supplier)"
            r"|\bclarification (?:responses|answers)|\b(?:responses|answers|replies)\s+to\s+"
            rf"{_ANY}(?:questions|queries|clarifications?)|\b(?:responses|answers|replies)\s+"
            r"(?:will be|are|shall be)\s+(?:published|circulated|shared|issued|posted|made)",
        ),
        (
            1,
            "clarification",
            r"\bclarifications?\b|\bdeadline for (?:\w+\s+)?(?:questions|queries)"
            rf"|\bquer(?:y|ies)\b|\bquestions?\s+{_ANY}(?:must|should|shall|may|can|are to)\s+"
            r"be\s+(?:submitted|raised|received|asked|sent|put|emailed|e-mailed|directed|addressed)"
            r"|\brequests? for (?:further )?(?:information|clarification)"
            r"|\b(?:last|final) (?:date|day) for (?:questions|queries)"
            r"|\b(?:questions|queries|enquiries)\s+(?:are\s+)?(?:due|close)",
        ),
        (1, "site_visit", r"\bsite[- ](?:visits?|inspections?|meetings?|tours?)\b"),
        (
            2,
            "award",
            r"\bcontract award|\baward (?:of|decision|notice|notification|date)\b"
            r"|\b(?:notification|notice|letters?) of (?:the )?(?:contract )?(?:award|intention"
            r"|outcome)|\bintention to award|\bto award\b|\bstandstill"
            r"|\bnotified of (?:the )?outcome|\b(?:expected|anticipated|planned) award"
            r"|\bpreferred (?:bidder|supplier)",
        ),
        (
            2,
            "contract_start",
            r"\bcontract (?:start|commencement|period|term|duration)"
            rf"|\b(?:contract|services?|framework|agreement|works?)\s+{_ANY}(?:commenc|start|begin)"
            r"|\bcommencement (?:date|of)\b|\b(?:expected|anticipated|planned|proposed|estimated)"
            r" (?:contract )?start|\bstart date\b|\bstart of the (?:contract|services?|framework)"
            r"|\bperiod of performance (?:begins|starts|commences)",
        ),
        (
            2,
            "contract_end",
            r"\bcontract (?:end|expiry|completion|termination)|\b(?:end|expiry|completion) date\b"
            rf"|\b(?:contract|framework|agreement|services?)\s+{_ANY}(?:end|expire|terminate)s?\b"
            rf"|\b(?:contract|framework|agreement)\s+{_ANY}runs?\s+(?:until|to)\b"
            r"|\b(?:ending|expiring|ends|expires) on\b",
        ),
        (2, "other", r"\bgo[- ]live\b"),
        (
            3,
            "submission",
            rf"\b{_NOUN}\s+{_ANY}(?:must|shall|should|are to|is to|need to|has to|have to)\s+be\s+"
            r"(?:submitted|received|returned|uploaded|lodged|delivered)"
            r"|\bsubmission (?:deadline|date)|\bdeadline for (?:the )?(?:submission|receipt|return)"
            rf"|\bdeadline for {_NOUN}|\bclosing (?:date|time)\b|\b(?:tender )?return date\b"
            rf"|\btime limit for receipt|\b{_NOUN}\s+(?:are\s+|is\s+)?due\b|\bdeadline\b",
        ),
        (3, "other", r"\b(?:issued|published|released|launched)\b"),
    )
)


@dataclass(frozen=True, slots=True)
class KeyDate:
    """A date the buyer set for the tender, with the words it was read from."""

    kind: Kind
    label: str
    on: date
    at: time | None
    source: str
    page: int
    quote: str

    @property
    def when(self) -> str:
        """'Fri 5 Mar 2027, 12:00' for a deadline with a time, '1 Apr 2027' for a day."""
        day = f"{self.on.day} {_MONTHS[self.on.month - 1].title()} {self.on.year}"
        if self.at is None:
            return day
        return f"{_WEEKDAYS[self.on.weekday()]} {day}, {self.at:%H:%M}"


@dataclass(frozen=True, slots=True)
class _Stated:
    """A date in a sentence, with the span it covers there (its time included)."""

    start: int
    end: int
    on: date
    at: time | None


def find_key_dates(documents: Sequence[tuple[str, Sequence[PageText]]]) -> list[KeyDate]:
    """Key dates over (document name, pages), one per kind, sorted by date then time.

    Of the dates given for a kind, one with a time beats one without (the timetable says
    "12:00 on 5 March" where the summary said "5 March"); otherwise the first stated wins.
    """
    chosen: dict[Kind, KeyDate] = {}
    for source, pages in documents:
        month_first = _month_first(pages)
        for page in pages:
            for found in _page_dates(source, page, month_first):
                held = chosen.get(found.kind)
                if held is None or (held.at is None and found.at is not None):
                    chosen[found.kind] = found
    return soonest_first(list(chosen.values()))


def soonest_first(dates: Sequence[KeyDate]) -> list[KeyDate]:
    """Dates by day and time; a day without a time sorts as its end, when such a deadline falls."""
    return sorted(dates, key=lambda d: (d.on, d.at or time.max))


def _month_first(pages: Sequence[PageText]) -> bool:
    """A document that writes 01/21/2027 (and never 21/01/2027) writes 02/12/2027 month first,
    as US buyers do; any other is read day first."""
    pairs = [
        (int(m["a"]), int(m["b"]))
        for page in pages
        for m in _DATE.finditer(page.text)
        if m["y3"] and m["a"] and m["b"]
    ]
    return any(b > 12 >= a for a, b in pairs) and not any(a > 12 >= b for a, b in pairs)


def _page_dates(source: str, page: PageText, month_first: bool = False) -> Iterable[KeyDate]:
    for unit in _units(page.text):
        stated = _dates_in(unit, month_first)
        for one, kind in zip(stated, _kinds(unit, stated), strict=True):
            if kind is not None:
                quote = _quote(unit, one.start, one.end)
                yield KeyDate(kind, LABELS[kind], one.on, one.at, source, page.number, quote)


_LISTED = re.compile(r"^[-•*▪–●○■◦·\x7f\uf0b7]\s+")


def _units(text: str) -> Iterable[str]:
    """Sentences of the page's prose, and each table row (tab-separated cells) on its own."""
    lines: list[str] = []

    def flush() -> Iterable[str]:
        yield from (s for s in _SENTENCE.split(" ".join(lines)) if s)
        lines.clear()

    for raw in text.splitlines():
        if "\t" in raw:
            yield from flush()
            yield " | ".join(cell for c in raw.split("\t") if (cell := " ".join(c.split())))
            continue
        line = " ".join(raw.split())
        if _LISTED.match(line):  # each item of a bulleted timetable is its own statement
            yield from flush()
        ends = (
            bool(lines)
            and (
                lines[-1].endswith((".", "!", "?", ";"))
                # a timetable line ("Site visit: 24 February 2027") with the next one under it
                or (bool(_ENDS_ON_NUMBER.search(lines[-1])) and line[:1].isupper())
            )
        )
        if not line or ends:
            yield from flush()
        if line:
            lines.append(line)
    yield from flush()


def _dates_in(unit: str, month_first: bool = False) -> list[_Stated]:
    """The valid dates in a sentence, each with the time written next to it, if any."""
    found = [
        (m.start(), m.end(), on) for m in _DATE.finditer(unit) if (on := _date_of(m, month_first))
    ]
    masked = list(unit)
    for start, end, _ in found:
        masked[start:end] = " " * (end - start)  # so that "12.03" in "12.03.2027" is no time
    spans = [(start, end) for start, end, _ in found]
    times: list[time | None] = [None] * len(found)
    for match in _TIME.finditer("".join(masked)):
        at = _time_of(match)
        if at is None:
            continue
        options: list[tuple[int, int, tuple[int, int]]] = []  # (gap, date, its span with time)
        before = [n for n, (_, end) in enumerate(spans) if end <= match.start()]
        after = [n for n, (start, _) in enumerate(spans) if start >= match.end()]
        if before and times[n := before[-1]] is None:
            gap = unit[spans[n][1] : match.start()]
            if _TIME_GAP.fullmatch(gap):
                options.append((len(gap), n, (spans[n][0], match.end())))
        if after and times[n := after[0]] is None:
            gap = unit[match.end() : spans[n][0]]
            if _TIME_GAP.fullmatch(gap):
                options.append((len(gap), n, (match.start(), spans[n][1])))
        if options:
            _, n, span = min(options)
            times[n], spans[n] = at, span
    return [
        _Stated(start, end, on, at)
        for (start, end), (_, _, on), at in zip(spans, found, times, strict=True)
    ]


def _date_of(match: re.Match[str], month_first: bool = False) -> date | None:
    if match["y1"] or match["y2"]:
        day, month = match["d1"] or match["d2"], match["mon1"] or match["mon2"]
        numbers = (int(match["y1"] or match["y2"]), _MONTHS.index(month[:3].lower()) + 1, int(day))
    elif match["y3"]:
        first, second = int(match["a"]), int(match["b"])
        # day first if it can be, unless the document writes month first
        day, month = (second, first) if second > 12 or month_first else (first, second)
        numbers = (int(match["y3"]), month, day)
    else:
        numbers = (int(match["y4"]), int(match["m4"]), int(match["d4"]))
    if not 2000 <= numbers[0] <= 2100:
        return None
    try:
        return date(*numbers)
    except ValueError:  # 31/02/2027
        return None


def _time_of(match: re.Match[str]) -> time | None:
    if match["word"]:
        # midnight is read as the end of the day named, as a bid team would plan for it
        return time(12) if match["word"].lower() != "midnight" else time(23, 59)
    hour, minute = int(match["h"]), int(match["m"] or 0)
    meridiem = (match["ap"] or "").lower()[:1]
    if match["noon"]:
        return time(12, minute) if hour == 12 else None
    if meridiem:
        return time(hour % 12 + (12 if meridiem == "p" else 0), minute) if 1 <= hour <= 12 else None
    if match["m"] is None or hour > 23:
        return None  # a bare number is no time of day
    return time(hour, minute)


def _kinds(unit: str, stated: Sequence[_Stated]) -> list[Kind | None]:
    """What each date in the sentence is, read from the words before it (or just after it)."""
    kinds: list[Kind | None] = []
    for n, one in enumerate(stated):
        before = unit[stated[n - 1].end if n else 0 : one.start]
        after = unit[one.end : stated[n + 1].start if n + 1 < len(stated) else len(unit)]
        cue = _cue_before(before)
        if cue is None:
            first_clause = _CLAUSE_BREAK.split(after, maxsplit=1)[0]
            cue = _cue_in(re.split(r"\band\b|\(", first_clause, maxsplit=1)[0], nearest_end=False)
        kinds.append(None if cue == "other" else cue)
    for n in range(len(stated) - 1):
        if not _RANGE_GAP.fullmatch(unit[stated[n].end : stated[n + 1].start]):
            continue
        if kinds[n] in (None, "contract_start", "contract_end") and _CONTRACT_WORD.search(unit):
            kinds[n], kinds[n + 1] = "contract_start", "contract_end"  # the contract period
        else:
            kinds[n + 1] = None  # the end of a window whose start was the date
    return kinds


def _cue_before(text: str) -> _Cue | None:
    """The cue in the nearest clause before a date that has one."""
    for clause in reversed(_CLAUSE_BREAK.split(text)):
        cue = _cue_in(clause, nearest_end=True)
        if cue is not None:
            return cue
    return None


def _cue_in(clause: str, *, nearest_end: bool) -> _Cue | None:
    hits = [
        (tier, -m.end() if nearest_end else m.start(), cue)
        for tier, cue, pattern in _CUES
        for m in pattern.finditer(clause)
    ]
    return min(hits)[2] if hits else None


def _quote(unit: str, start: int, end: int) -> str:
    """The sentence, or the part of it around the date when it is too long to show."""
    if len(unit) <= _QUOTE_LIMIT:
        return unit
    room = _QUOTE_LIMIT - 2 - (end - start)  # two ellipses
    left = max(0, min(start - room // 2, len(unit) - (_QUOTE_LIMIT - 2)))
    right = min(len(unit), left + _QUOTE_LIMIT - 2)
    return ("…" if left else "") + unit[left:right].strip() + ("…" if right < len(unit) else "")
