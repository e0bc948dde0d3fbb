"""Evidence for the rules analyst: what a compiled profile finds in one tender.

A `ProfileMatcher` compiles a profile once; `matcher_for` caches it on the profile's JSON, so
an edited profile is recompiled and an unchanged one never is. Matches are cached on the
tender's text and codes, because filter, rate and write each ask for the same match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from core.analysts.rules.cpv import CpvHit, PrefixIndex, normalise_cpv
from core.analysts.rules.semantic import Reading, SemanticReader, reader_for
from core.analysts.rules.text import KeywordHit, KeywordIndex, keyword_hits, keyword_rule
from core.analysts.wording import language_code, same_language
from core.models import Tender
from core.profile.company import CompanyProfile

# Extra CPV codes for the same capability add a little, never as much as the first one.
EXTRA_CPV_WEIGHT = 0.5
MAX_EXTRA_CPV_WEIGHT = 1.0
EXCLUSIONS = -1
# What a tender's wording is worth, by how much closer it reads to our work than to other work
# (core.analysts.rules.semantic): strong enough alone, enough with one keyword, a hint.
READING_WEIGHTS = ((0.05, 2.0), (0.0, 1.0), (-0.04, 0.5))
READ_LANGUAGES = ("en",)
# A code none of our prefixes claims, in another class of the same CPV group as a class we
# list (our prefix has 4 digits, the code shares 3: 72212000 next to 7223), is work next to
# ours: a hint, like wording that reads close. Measured with `evaluate` on real notices: a
# division-wide neighbour, or one next to a narrow 5-digit category ("79417", security
# consultancy, next to all business consultancy), found no IT notice and added false ones.
NEIGHBOUR_WEIGHTS = ((3, 0.5),)
NEIGHBOUR_PREFIX_DIGITS = 4


@dataclass(frozen=True, slots=True)
class NeighbourHit:
    """A tender's CPV code that sits in the same group or division as one of our prefixes."""

    code: str
    ours: str  # our prefix it sits next to
    shared: int  # how many leading digits they share (3: group, 2: division)

    @property
    def weight(self) -> float:
        return dict(NEIGHBOUR_WEIGHTS)[self.shared]


def reading_weight(reading: Reading | None) -> float:
    if reading is None:
        return 0.0
    return next((weight for margin, weight in READING_WEIGHTS if reading.margin >= margin), 0.0)


# Not slotted: cached_property needs an instance dict, and each match is read several times.
@dataclass(frozen=True)
class Evidence:
    """What one side (a capability, or the exclusions) found in a tender."""

    name: str
    cpv_hits: tuple[CpvHit, ...] = ()
    keyword_hits: tuple[KeywordHit, ...] = ()
    neighbour_hits: tuple[NeighbourHit, ...] = ()

    @cached_property
    def cpv_score(self) -> float:
        if not self.cpv_hits:
            return 0.0
        weights = sorted((hit.weight for hit in self.cpv_hits), reverse=True)
        extra = min(EXTRA_CPV_WEIGHT * (len(weights) - 1), MAX_EXTRA_CPV_WEIGHT)
        return weights[0] + extra

    @cached_property
    def score(self) -> float:
        near = max((hit.weight for hit in self.neighbour_hits), default=0.0)
        return self.cpv_score + sum(hit.weight for hit in self.keyword_hits) + near

    @cached_property
    def keywords(self) -> tuple[str, ...]:
        return tuple(hit.keyword for hit in self.keyword_hits)

    def __bool__(self) -> bool:
        return bool(self.cpv_hits or self.keyword_hits or self.neighbour_hits)


@dataclass(frozen=True)
class TenderMatch:
    """All evidence for one tender: matched capabilities, strongest first, and exclusions."""

    capabilities: tuple[Evidence, ...]
    exclusion: Evidence
    positive: float
    negative: float
    reading: Reading | None = None  # how the wording reads (None: not read, e.g. other language)
    reads_like: str | None = None  # the capability the closest wording of our work belongs to
    coded: bool = False  # the tender has CPV codes (whether or not any is ours)

    @property
    def reading_weight(self) -> float:
        return reading_weight(self.reading)

    @property
    def category_names(self) -> list[str]:
        names = [capability.name for capability in self.capabilities]
        if self.reads_like and self.reading_weight and self.reads_like not in names:
            names.append(self.reads_like)
        return names

    @cached_property
    def has_cpv_match(self) -> bool:
        return any(capability.cpv_hits for capability in self.capabilities)

    @cached_property
    def keyword_hits(self) -> tuple[KeywordHit, ...]:
        """Every matched keyword, strongest first."""
        hits = [hit for capability in self.capabilities for hit in capability.keyword_hits]
        return tuple(sorted(hits, key=lambda hit: -hit.weight))

    @cached_property
    def keywords(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(hit.keyword for hit in self.keyword_hits))


class ProfileMatcher:
    """A profile compiled once: a keyword index and CPV prefix indexes."""

    def __init__(self, profile: CompanyProfile) -> None:
        self.names = tuple(profile.category_names)
        rules = [
            keyword_rule(keyword, owner)
            for owner, capability in enumerate(profile.capabilities)
            for keyword in capability.keywords
        ]
        rules += [keyword_rule(keyword, EXCLUSIONS) for keyword in profile.exclusions.keywords]
        self._keywords = KeywordIndex(rules)
        owners: dict[str, list[int]] = {}
        for owner, capability in enumerate(profile.capabilities):
            for prefix in capability.cpv_prefixes:
                owners.setdefault(prefix, []).append(owner)
        self._capability_prefixes = PrefixIndex(owners)
        self._neighbours: dict[str, tuple[str, int]] = {}  # group or division → (prefix, owner)
        for prefix, prefix_owners in owners.items():
            for digits, _ in NEIGHBOUR_WEIGHTS:
                if len(prefix) == NEIGHBOUR_PREFIX_DIGITS:
                    self._neighbours.setdefault(prefix[:digits], (prefix, prefix_owners[0]))
        self._exclusion_prefixes = PrefixIndex({p: [0] for p in profile.exclusions.cpv_prefixes})
        self.languages = tuple(profile.languages)
        self.first_language = profile.languages[0]
        self._ours = tuple(dict.fromkeys(p for c in profile.capabilities for p in c.cpv_prefixes))
        self._not_ours = tuple(profile.exclusions.cpv_prefixes)
        self._own_words: dict[str, int] = {}
        for owner, capability in enumerate(profile.capabilities):
            for text in (capability.description, *capability.keywords):
                if text:
                    self._own_words.setdefault(text, owner)
        self._excluded_words = tuple(profile.exclusions.keywords)

    @cached_property
    def reader(self) -> SemanticReader:
        """Built on first use: the CPV vocabulary and this profile's own words."""
        return reader_for(self._ours, self._not_ours, tuple(self._own_words), self._excluded_words)

    def read_ahead(self, tenders: Sequence[Tender]) -> None:
        """Read the wording of many tenders at once (a batch costs about one matrix product)."""
        texts = [(t.title, t.description) for t in tenders if self.reads_in_working_language(t)]
        texts = [text for text in dict.fromkeys(texts) if (text[0] or text[1]).strip()]
        if texts and self.reader.ready:
            self.reader.read_many(texts)

    def reads_in_working_language(self, tender: Tender) -> bool:
        """The embeddings and the CPV vocabulary are English: only English wording is read
        (a notice that does not say is in the profile's first working language)."""
        code = language_code(tender.language) or self.first_language
        return same_language(code, READ_LANGUAGES) and same_language(code, self.languages)

    def _neighbour(self, code: str) -> tuple[NeighbourHit, int] | None:
        """The closest of our prefixes sharing the code's group, else its division."""
        for digits, _ in NEIGHBOUR_WEIGHTS:
            found = self._neighbours.get(code[:digits]) if len(code) > digits else None
            if found is not None:
                return NeighbourHit(code, found[0], digits), found[1]
        return None

    def _owner_of(self, wording: str) -> str | None:
        code = wording.split(" ", 1)[0]
        if code.isdigit():
            hit = self._capability_prefixes.lookup(code)
            return self.names[self._capability_prefixes.owners(hit.prefix)[0]] if hit else None
        owner = self._own_words.get(wording.strip("“”"))
        return self.names[owner] if owner is not None else None

    def match(self, tender: Tender) -> TenderMatch:
        read = self.reads_in_working_language(tender)
        return _cached_match(self, tender.title, tender.description, tuple(tender.cpv_codes), read)

    def match_text(
        self, title: str, description: str, cpv_codes: tuple[str, ...], read: bool = True
    ) -> TenderMatch:
        cpv: list[list[CpvHit]] = [[] for _ in self.names]
        near: list[list[NeighbourHit]] = [[] for _ in self.names]
        excluded: list[CpvHit] = []
        for code in dict.fromkeys(normalise_cpv(code) for code in cpv_codes):
            # Only the most specific capability claims a code: 72212730 is security, not "722".
            hit = self._capability_prefixes.lookup(code)
            if hit:
                for owner in self._capability_prefixes.owners(hit.prefix):
                    cpv[owner].append(hit)
            exclusion_hit = self._exclusion_prefixes.lookup(code)
            if exclusion_hit:
                excluded.append(exclusion_hit)
            elif not hit:
                neighbour = self._neighbour(code)
                if neighbour is not None:
                    near[neighbour[1]].append(neighbour[0])
        words: list[list[KeywordHit]] = [[] for _ in self.names]
        excluded_words: list[KeywordHit] = []
        for owner, keyword_hit in keyword_hits(self._keywords, title, description):
            (excluded_words if owner == EXCLUSIONS else words[owner]).append(keyword_hit)
        found = [
            Evidence(name, tuple(cpv[owner]), tuple(words[owner]), tuple(near[owner]))
            for owner, name in enumerate(self.names)
        ]
        capabilities = tuple(sorted((c for c in found if c), key=lambda c: -c.score))
        exclusion = Evidence("exclusions", tuple(excluded), tuple(excluded_words))
        reading = self.reader.read(title, description) if read else None
        reads_like = self._owner_of(reading.ours) if reading else None
        positive = sum(capability.score for capability in capabilities) + reading_weight(reading)
        return TenderMatch(
            capabilities, exclusion, positive, exclusion.score, reading, reads_like, bool(cpv_codes)
        )


@lru_cache(maxsize=1024)
def _cached_match(
    matcher: ProfileMatcher, title: str, description: str, cpv_codes: tuple[str, ...], read: bool
) -> TenderMatch:
    return matcher.match_text(title, description, cpv_codes, read)


@lru_cache(maxsize=16)
def _compiled(profile_json: str) -> ProfileMatcher:
    return ProfileMatcher(CompanyProfile.model_validate_json(profile_json))


def matcher_for(profile: CompanyProfile) -> ProfileMatcher:
    """The compiled matcher for this profile's current content (thread-safe, cached)."""
    return _compiled(profile.model_dump_json())
