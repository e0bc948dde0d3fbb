"""Evidence for the rules analyst: what a compiled profile finds in one tender.

A `ProfileMatcher` compiles a profile once; `matcher_for` caches it on the profile's JSON, so
an edited profile is recompiled and an unchanged one never is. Matches are cached on the
tender's text and codes, because filter, rate and write each ask for the same match.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from core.analysts.rules.cpv import CpvHit, PrefixIndex, normalise_cpv
from core.analysts.rules.text import KeywordHit, KeywordIndex, keyword_hits, keyword_rule
from core.models import Tender
from core.profile.company import CompanyProfile

# Extra CPV codes for the same capability add a little, never as much as the first one.
EXTRA_CPV_WEIGHT = 0.5
MAX_EXTRA_CPV_WEIGHT = 1.0
EXCLUSIONS = -1


# Not slotted: cached_property needs an instance dict, and each match is read several times.
@dataclass(frozen=True)
class Evidence:
    """What one side (a capability, or the exclusions) found in a tender."""

    name: str
    cpv_hits: tuple[CpvHit, ...] = ()
    keyword_hits: tuple[KeywordHit, ...] = ()

    @cached_property
    def cpv_score(self) -> float:
        if not self.cpv_hits:
            return 0.0
        weights = sorted((hit.weight for hit in self.cpv_hits), reverse=True)
        extra = min(EXTRA_CPV_WEIGHT * (len(weights) - 1), MAX_EXTRA_CPV_WEIGHT)
        return weights[0] + extra

    @cached_property
    def score(self) -> float:
        return self.cpv_score + sum(hit.weight for hit in self.keyword_hits)

    @cached_property
    def keywords(self) -> tuple[str, ...]:
        return tuple(hit.keyword for hit in self.keyword_hits)

    def __bool__(self) -> bool:
        return bool(self.cpv_hits or self.keyword_hits)


@dataclass(frozen=True)
class TenderMatch:
    """All evidence for one tender: matched capabilities, strongest first, and exclusions."""

    capabilities: tuple[Evidence, ...]
    exclusion: Evidence
    positive: float
    negative: float

    @property
    def category_names(self) -> list[str]:
        return [capability.name for capability in self.capabilities]

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
        self._exclusion_prefixes = PrefixIndex({p: [0] for p in profile.exclusions.cpv_prefixes})

    def match(self, tender: Tender) -> TenderMatch:
        return _cached_match(self, tender.title, tender.description, tuple(tender.cpv_codes))

    def match_text(self, title: str, description: str, cpv_codes: tuple[str, ...]) -> TenderMatch:
        cpv: list[list[CpvHit]] = [[] for _ in self.names]
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
        words: list[list[KeywordHit]] = [[] for _ in self.names]
        excluded_words: list[KeywordHit] = []
        for owner, keyword_hit in keyword_hits(self._keywords, title, description):
            (excluded_words if owner == EXCLUSIONS else words[owner]).append(keyword_hit)
        found = [
            Evidence(name, tuple(cpv[owner]), tuple(words[owner]))
            for owner, name in enumerate(self.names)
        ]
        capabilities = tuple(sorted((c for c in found if c), key=lambda c: -c.score))
        exclusion = Evidence("exclusions", tuple(excluded), tuple(excluded_words))
        positive = sum(capability.score for capability in capabilities)
        return TenderMatch(capabilities, exclusion, positive, exclusion.score)


@lru_cache(maxsize=1024)
def _cached_match(
    matcher: ProfileMatcher, title: str, description: str, cpv_codes: tuple[str, ...]
) -> TenderMatch:
    return matcher.match_text(title, description, cpv_codes)


@lru_cache(maxsize=16)
def _compiled(profile_json: str) -> ProfileMatcher:
    return ProfileMatcher(CompanyProfile.model_validate_json(profile_json))


def matcher_for(profile: CompanyProfile) -> ProfileMatcher:
    """The compiled matcher for this profile's current content (thread-safe, cached)."""
    return _compiled(profile.model_dump_json())
