"""The company profile: what the bid team sells, what it never bids for, and its thresholds."""

from __future__ import annotations

import re
from typing import Protocol

from pydantic import BaseModel, Field, field_validator, model_validator

from core.analysts.wording import is_known_language
from core.profile.rates import ExchangeRates

_TWO_LETTERS = re.compile(r"[a-z]{2}")


def _clean_terms(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        term = " ".join(str(value).split()).strip()
        if term and term.lower() not in {k.lower() for k in seen}:
            seen[term] = None
    return list(seen)


def _clean_cpv_prefixes(values: list[str]) -> list[str]:
    prefixes = []
    for value in values:
        digits = "".join(ch for ch in str(value) if ch.isdigit())
        # "72000000" means the whole division 72: trailing zeros widen the prefix.
        digits = digits[:8].rstrip("0") or digits[:2]
        if len(digits) >= 2 and digits not in prefixes:
            prefixes.append(digits)
    return prefixes


def _clean_languages(values: list[str]) -> list[str]:
    """Two-letter ISO 639-1 codes, lower-case, each once, in the order given; at least one."""
    codes: list[str] = []
    for value in values:
        code = str(value).strip().lower()
        if not _TWO_LETTERS.fullmatch(code):
            raise ValueError(
                f"“{value}” is not a two-letter ISO 639-1 language code such as en, de or fr"
            )
        if not is_known_language(code):
            raise ValueError(
                f"“{code}” is not a language Tenderwise knows; use an ISO 639-1 code such as "
                "en, de or fr"
            )
        if code not in codes:
            codes.append(code)
    if not codes:
        raise ValueError("choose at least one working language")
    return codes


class _Evidence(BaseModel):
    """Keywords and CPV prefixes that count as evidence about a tender."""

    keywords: list[str] = Field(default_factory=list)
    cpv_prefixes: list[str] = Field(default_factory=list)

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        return _clean_terms(value)

    @field_validator("cpv_prefixes")
    @classmethod
    def _cpv_prefixes(cls, value: list[str]) -> list[str]:
        return _clean_cpv_prefixes(value)


class Capability(_Evidence):
    """A line of business: tenders matching its keywords or CPV prefixes, or reading like its
    description, are relevant."""

    name: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=300)


class Exclusions(_Evidence):
    """Evidence that a tender is "not for us" (supplies, works, catering…)."""


class Thresholds(BaseModel):
    """The routing policy (core.review.policy): when results route themselves, when a person
    decides.

    Relevance verdicts with a confidence between `min_relevance_confidence` and
    `auto_accept_confidence` wait for review, as do overall scores within
    `score_review_band` of `min_bid_score`; with `every_bid_needs_approval`, so does every
    tender the analyst would write a bid for. Teams start with everything unsure reviewed
    (minimum 0) and raise the minimum to let the least confident verdicts drop out unseen.
    """

    min_relevance_confidence: float = Field(default=0.0, ge=0, le=1)
    auto_accept_confidence: float = Field(default=0.8, ge=0, le=1)
    min_bid_score: float = Field(default=6.0, ge=0, le=10)
    score_review_band: float = Field(default=0.5, ge=0, le=5)
    every_bid_needs_approval: bool = True

    @model_validator(mode="after")
    def _review_band(self) -> Thresholds:
        if self.auto_accept_confidence < self.min_relevance_confidence:
            raise ValueError(
                "the auto-accept confidence must be at least the minimum relevance confidence"
            )
        return self


class CompanyProfile(BaseModel):
    company_name: str = Field(min_length=1, max_length=120)
    summary: str = Field(default="", max_length=2_000)
    capabilities: list[Capability] = Field(min_length=1)
    exclusions: Exclusions = Field(default_factory=Exclusions)
    # What the team reads and writes; the first is assumed for notices that do not say.
    languages: list[str] = Field(default_factory=lambda: ["en"])
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    value_min: float = Field(default=0, ge=0)
    value_max: float = Field(default=0, ge=0)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    #: rates to `currency`, for comparing amounts in other currencies (Settings)
    exchange_rates: ExchangeRates = Field(default_factory=ExchangeRates)

    def in_own_currency(self, amount: float, currency: str | None) -> float | None:
        """`amount` in the profile's currency (converted at the team's rates), or None."""
        return self.exchange_rates.convert(amount, currency, self.currency)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return _clean_languages(value)

    @model_validator(mode="after")
    def _value_range(self) -> CompanyProfile:
        if self.value_max and self.value_min > self.value_max:
            raise ValueError("the preferred minimum contract value is above the maximum")
        return self

    @property
    def category_names(self) -> list[str]:
        return [c.name for c in self.capabilities]


def default_profile() -> CompanyProfile:
    """A small technology consultancy doing cybersecurity, AI/ML and software development."""
    return CompanyProfile(
        company_name="Northwind Digital",
        summary=(
            "A 40-person technology consultancy delivering cybersecurity, AI/ML and bespoke "
            "software for public bodies, with ISO 27001 and Cyber Essentials Plus."
        ),
        capabilities=[
            Capability(
                name="Cybersecurity",
                description=(
                    "Information and cyber security services: penetration testing, security "
                    "audits and assessments, security operations and monitoring, incident "
                    "response, identity and access management."
                ),
                keywords=[
                    "cybersecurity",
                    "cyber security",
                    "penetration testing",
                    "pen testing",
                    "SIEM",
                    "SOC",
                    "security operations",
                    "incident response",
                    "vulnerability assessment",
                    "ISO 27001",
                    "threat intelligence",
                    "security audit",
                    "zero trust",
                    "firewall",
                    "identity and access management",
                ],
                cpv_prefixes=["72212730", "48730000", "72810000", "79417000"],
            ),
            Capability(
                name="AI & data",
                description=(
                    "Data and artificial intelligence: data platforms and analytics, business "
                    "intelligence, machine learning models, data science and automation."
                ),
                keywords=[
                    "artificial intelligence",
                    "AI",
                    "machine learning",
                    "data science",
                    "natural language processing",
                    "NLP",
                    "computer vision",
                    "predictive analytics",
                    "chatbot",
                    "data platform",
                    "analytics",
                    "large language model",
                ],
                cpv_prefixes=["72316000", "72320000", "72300000", "48463000"],
            ),
            Capability(
                name="Software development",
                description=(
                    "Design, development and support of software: websites, web and mobile "
                    "applications, digital services, systems integration and cloud software."
                ),
                keywords=[
                    "software development",
                    "bespoke software",
                    "web application",
                    "mobile app",
                    "digital service",
                    "API",
                    "cloud migration",
                    "DevOps",
                    "agile",
                    "case management system",
                    "portal",
                    "system integration",
                ],
                cpv_prefixes=["72200000", "72230000", "72260000", "72400000", "72500000"],
            ),
            Capability(
                name="IT services & cloud",
                description=(
                    "Information technology services and software: IT managed services and "
                    "support, service desk, cloud hosting, networks and infrastructure, "
                    "software licences and software as a service."
                ),
                keywords=[
                    "IT services",
                    "ICT",
                    "service desk",
                    "IT support",
                    "cloud hosting",
                    "SaaS",
                    "software as a service",
                    "software licences",
                    "Microsoft 365",
                    "network infrastructure",
                    "data centre",
                    "software",
                    "IT",
                    "cloud",
                    "G-Cloud",
                    "hosting",
                    "website",
                    "CRM",
                    "ERP",
                    "Azure",
                    "AWS",
                    "cyber",
                    "database",
                    "helpdesk",
                ],
                cpv_prefixes=["72000000", "48000000"],
            ),
        ],
        exclusions=Exclusions(
            keywords=[
                "catering",
                "cleaning services",
                "construction works",
                "road maintenance",
                "furniture",
                "vehicles",
                "medical supplies",
                "fuel",
                "uniforms",
                "grounds maintenance",
                "waste collection",
                "building works",
                "supply of laptops",
            ],
            cpv_prefixes=[
                "45000000",
                "55000000",
                "90900000",
                "34000000",
                "39100000",
                "33100000",
                "09100000",
                "18100000",
                "77300000",
                "30213000",
            ],
        ),
        languages=["en"],
        currency="EUR",
        value_min=50_000,
        value_max=2_000_000,
        thresholds=Thresholds(),
    )


class ProfileStore(Protocol):
    """Versioned profile storage; storage.app_state.AppStateRepository has it."""

    def load_profile_json(self) -> str | None: ...
    def save_profile_json(self, profile_json: str) -> int: ...


def save_profile(store: ProfileStore, profile: CompanyProfile) -> int:
    """Store a new version of the profile; returns its version number."""
    return store.save_profile_json(profile.model_dump_json())


def stored_or_default(store: ProfileStore) -> CompanyProfile:
    """The stored profile, or the default one (without storing it)."""
    stored = store.load_profile_json()
    return CompanyProfile.model_validate_json(stored) if stored is not None else default_profile()


def current_profile(store: ProfileStore) -> CompanyProfile:
    """The stored profile, or the default one (saved, so that edits start from it)."""
    stored = store.load_profile_json()
    if stored is not None:
        return CompanyProfile.model_validate_json(stored)
    profile = default_profile()
    save_profile(store, profile)
    return profile
