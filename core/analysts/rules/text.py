"""Keyword matching for the rules analyst: whole words, case rules for acronyms, phrases.

- Whole words, case-insensitive, with an optional plural "s"/"es" on the last word.
- All-caps acronyms of up to four letters (AI, SOC, API) match case-sensitively, so "said",
  the French "soc…" and a lower-case "api" do not count.
- Phrases match with any run of spaces or hyphens between words ("cyber-security").

A `KeywordIndex` looks words up in a set built once per text instead of running every
regex: only keywords whose first word occurs in the text are checked further.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_ACRONYM = re.compile(r"[A-Z]{2,4}")
_WORD = re.compile(r"\w+")
_TOKEN_SPLIT = re.compile(r"[\s\-‐‑–]+")
_SEPARATOR = r"[\s\-‐‑–]+"


@dataclass(frozen=True, slots=True)
class KeywordRule:
    keyword: str
    owner: int  # which capability (or the exclusions) the keyword belongs to
    pattern: re.Pattern[str]
    probe: str  # the first word, lower-cased unless case-sensitive
    case_sensitive: bool
    # For a single plain word the word-set lookup is the whole test: no regex needed.
    single_word: bool


def keyword_rule(keyword: str, owner: int) -> KeywordRule:
    tokens = [token for token in _TOKEN_SPLIT.split(keyword.strip()) if token]
    body = _SEPARATOR.join(re.escape(token) for token in tokens)
    plural = tokens[-1][-1:].isalpha()
    if plural:
        body += "(?:e?s)?"
    case_sensitive = _ACRONYM.fullmatch(keyword) is not None
    flags = 0 if case_sensitive else re.IGNORECASE
    pattern = re.compile(rf"(?<!\w){body}(?!\w)", flags)
    probe = tokens[0] if case_sensitive else tokens[0].lower()
    single_word = len(tokens) == 1 and plural and _WORD.fullmatch(tokens[0]) is not None
    return KeywordRule(keyword, owner, pattern, probe, case_sensitive, single_word)


@dataclass(frozen=True, slots=True)
class TextWords:
    text: str
    exact: set[str]
    folded: set[str]


def text_words(text: str) -> TextWords:
    words = set(_WORD.findall(text))
    return TextWords(text, words, {word.lower() for word in words})


def _index_keys(rule: KeywordRule) -> tuple[str, ...]:
    # Mirrors the regex's optional plural, so that "firewalls" finds the keyword "firewall".
    if rule.single_word:
        return (rule.probe, f"{rule.probe}s", f"{rule.probe}es")
    return (rule.probe,)


class KeywordIndex:
    """All keywords of a profile, found by their first word."""

    def __init__(self, rules: Iterable[KeywordRule]) -> None:
        self.rules = tuple(rules)
        self._folded: dict[str, list[int]] = {}
        self._exact: dict[str, list[int]] = {}
        self._unindexed: list[int] = []  # first word is not a plain word ("C++"): always checked
        for number, rule in enumerate(self.rules):
            if _WORD.fullmatch(rule.probe) is None:
                self._unindexed.append(number)
            else:
                table = self._exact if rule.case_sensitive else self._folded
                for key in _index_keys(rule):
                    table.setdefault(key, []).append(number)

    def found(self, words: TextWords) -> set[int]:
        """Numbers of the rules that match the text."""
        candidates = list(self._unindexed)
        for probe in words.folded & self._folded.keys():
            candidates += self._folded[probe]
        for probe in words.exact & self._exact.keys():
            candidates += self._exact[probe]
        return {
            number
            for number in candidates
            if self.rules[number].single_word
            or self.rules[number].pattern.search(words.text) is not None
        }


def _found(index: KeywordIndex, text: str) -> set[int]:
    """The rules matching `text`; in shouted text ("FOSSE PRIMARY SCHOOL IT SUITE"), acronyms
    are only capitals like every other word, so they do not count."""
    found = index.found(text_words(text))
    if found and shouted(text):
        found = {n for n in found if not index.rules[n].case_sensitive}
    return found


@dataclass(frozen=True, slots=True)
class KeywordHit:
    keyword: str
    in_title: bool
    in_description: bool

    @property
    def weight(self) -> float:
        # A keyword in the title says what the tender is about; in the description, less so.
        if self.in_title and self.in_description:
            return 2.5
        return 2.0 if self.in_title else 1.0

    @property
    def where(self) -> str:
        if self.in_title and self.in_description:
            return "title and description"
        return "title" if self.in_title else "description"


# Sentences about how to take part, not about the work: links, e-mail addresses, portals to
# register on, how to submit. Their words ("portal", "website", "helpdesk") say nothing of
# what is bought, so description keywords are looked for in the other sentences only.
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+|(?<=\w)rn(?=[A-Z])")
_HOW_TO_TAKE_PART = re.compile(
    r"https?://|www\.|\S@\S|\b(?:register|registered|registration|log ?in|sign ?in|"
    r"submit|submitted|submission|e-?tender|tender documents?|tender portal|"
    r"procurement portal|clarifications?|expressions? of interest|to access this)\b",
    re.IGNORECASE,
)
SHOUTED = 0.6  # a text with more upper-case letters than this is shouted: acronyms mean nothing


def about_the_work(description: str) -> str:
    """The description without its sentences on how to take part."""
    sentences = _SENTENCE.split(description)
    return " ".join(s for s in sentences if s and not _HOW_TO_TAKE_PART.search(s))


def shouted(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) > SHOUTED * len(letters)


def keyword_hits(index: KeywordIndex, title: str, description: str) -> list[tuple[int, KeywordHit]]:
    """(owner, hit) for every keyword found, in profile order."""
    in_title = _found(index, title)
    in_description = _found(index, about_the_work(description)) if description else set()
    return [
        (
            index.rules[number].owner,
            KeywordHit(index.rules[number].keyword, number in in_title, number in in_description),
        )
        for number in sorted(in_title | in_description)
    ]
