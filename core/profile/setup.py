"""Who we are, asked before anything is judged, and what a changed profile leaves out of date.

A fresh database starts with the built-in example company. Until an admin sets the company up
(or chooses the example, by loading the demo), the app asks for the set-up before tenders are
imported. After any profile change, tenders analysed with the earlier profile and not decided
by a person are offered for re-analysis, in the app and in the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from pydantic import ValidationError

from core.access.audit import AuditAction, AuditLog, check, note
from core.access.roles import ADMINS, Actor
from core.ingest.currencies import ISO_4217
from core.profile.company import (
    Capability,
    CompanyProfile,
    Exclusions,
    ProfileStore,
    default_profile,
    save_profile,
    stored_or_default,
)
from core.profile.form import (
    PROFILE_SETTINGS,
    ProfileFormError,
    split_terms,
    validation_sentence,
)

SETUP_KEY = "profile_setup"
OFFER_KEY = "reanalyse_offer"


class SetUp(StrEnum):
    YOURS = "yours"  # a person set the company up (set-up, Settings, `profile set`)
    EXAMPLE = "example"  # the example company was chosen (the demo)


class SetupStore(ProfileStore, Protocol):
    """storage.app_state.AppStateRepository has it."""

    def get(self, key: str, default: Any = None) -> Any: ...
    def set(self, key: str, value: Any) -> None: ...
    def profile_version(self) -> int: ...


class Counts(Protocol):
    """What the set-up and the re-analyse offer count (storage.work_queue.WorkQueue)."""

    def count(self) -> int: ...
    def count_reanalysable(self) -> int: ...


def set_up_as(store: SetupStore) -> SetUp | None:
    value = store.get(SETUP_KEY)
    return SetUp(value) if value in tuple(SetUp) else None


def needs_setup(store: SetupStore, counts: Counts) -> bool:
    """A fresh database: nobody chose a company yet, the profile was never saved by a person,
    and no tender was imported (a database in use before the set-up existed is not asked)."""
    if set_up_as(store) is not None:
        return False
    return store.profile_version() <= 1 and counts.count() == 0


def uses_example(store: SetupStore) -> bool:
    """Whether the profile in force is still the built-in example company."""
    return stored_or_default(store).company_name == default_profile().company_name and (
        set_up_as(store) is not SetUp.YOURS
    )


def choose_example(store: SetupStore) -> None:
    """The demo was loaded: analyse as the example company, labelled as such."""
    if set_up_as(store) is None:
        store.set(SETUP_KEY, SetUp.EXAMPLE.value)


def profile_changed(store: SetupStore, counts: Counts, version: int) -> int:
    """Record that a person set the profile (version `version`); returns how many undecided
    tenders were analysed with an earlier one, offered for re-analysis while that is so."""
    store.set(SETUP_KEY, SetUp.YOURS.value)
    stale = counts.count_reanalysable()
    store.set(OFFER_KEY, {"version": version} if stale else None)
    return stale


def pending_offer(store: SetupStore, counts: Counts) -> int:
    """How many tenders the re-analyse offer stands for (0: no offer)."""
    offer = store.get(OFFER_KEY)
    if not isinstance(offer, dict) or offer.get("version") != store.profile_version():
        return 0
    return counts.count_reanalysable()


def close_offer(store: SetupStore) -> None:
    """Re-analysed, or kept as they are: the offer is answered."""
    store.set(OFFER_KEY, None)


# ---------------------------------------------------------------------------- the set-up
@dataclass(frozen=True, slots=True)
class Suggestion:
    """A line of business to pick in the set-up, with the words and CPV codes that find it."""

    name: str
    description: str
    keywords: tuple[str, ...]
    cpv_prefixes: tuple[str, ...]

    def capability(self) -> Capability:
        return Capability(
            name=self.name,
            description=self.description,
            keywords=list(self.keywords),
            cpv_prefixes=list(self.cpv_prefixes),
        )


def suggestions() -> list[Suggestion]:
    """The example company's lines of business, then common ones of other bid teams."""
    own = [
        Suggestion(c.name, c.description, tuple(c.keywords), tuple(c.cpv_prefixes))
        for c in default_profile().capabilities
    ]
    return own + list(_MORE)


_MORE = (
    Suggestion(
        "Management consulting",
        "Business, management and organisational consulting, programme and project management.",
        ("consultancy", "management consulting", "business case", "programme management"),
        ("79400000", "79410000", "72220000"),
    ),
    Suggestion(
        "Training",
        "Training courses, e-learning and staff development.",
        ("training", "e-learning", "course", "workshop"),
        ("80500000", "80510000", "80530000"),
    ),
    Suggestion(
        "Facilities management",
        "Cleaning, maintenance and management of buildings and sites.",
        ("facilities management", "cleaning", "building maintenance", "caretaking"),
        ("79993000", "90910000", "50700000"),
    ),
    Suggestion(
        "Construction",
        "Building works, refurbishment and civil engineering.",
        ("construction", "refurbishment", "building works", "civil engineering"),
        ("45000000",),
    ),
    Suggestion(
        "Marketing and communications",
        "Advertising, marketing, design and public relations campaigns.",
        ("marketing", "communications", "campaign", "public relations"),
        ("79340000", "79341000", "79416000"),
    ),
    Suggestion(
        "Research and evaluation",
        "Research studies, surveys and evaluation of public programmes.",
        ("research", "evaluation", "survey", "study"),
        ("73000000", "79310000", "79311000"),
    ),
)


@dataclass(frozen=True, slots=True)
class SetupAnswers:
    """What the set-up asks: the company, what it does, its currency and value range."""

    company_name: str
    summary: str
    currency: str
    chosen: tuple[str, ...]  # names of suggestions picked
    own: str  # "Name: keyword, keyword" per line, for lines of business not suggested
    value_min: float = 0.0
    value_max: float = 0.0


def profile_from_setup(answers: SetupAnswers) -> CompanyProfile:
    by_name = {s.name: s for s in suggestions()}
    capabilities = [by_name[name].capability() for name in answers.chosen if name in by_name]
    capabilities += _own_capabilities(answers.own)
    if not capabilities:
        raise ProfileFormError(
            "Pick at least one line of business, or write your own as 'Name: keywords'."
        )
    if answers.currency.strip().upper() not in ISO_4217:
        raise ProfileFormError(
            f"'{answers.currency.strip()[:10]}' is not a currency code: use the three letters "
            "of ISO 4217, such as GBP, EUR or USD."
        )
    base = default_profile()
    try:
        return CompanyProfile(
            company_name=answers.company_name.strip(),
            summary=answers.summary.strip(),
            capabilities=capabilities,
            exclusions=_exclusions_for(base.exclusions, capabilities),
            languages=base.languages,
            currency=answers.currency.strip().upper(),
            value_min=answers.value_min,
            value_max=answers.value_max,
            thresholds=base.thresholds,
        )
    except ValidationError as exc:
        raise ProfileFormError(validation_sentence(exc)) from exc


def _exclusions_for(example: Exclusions, capabilities: list[Capability]) -> Exclusions:
    """The example's "not for us" evidence, less whatever names one of our lines of business
    (a cleaning company does not exclude cleaning)."""
    prefixes = [p for c in capabilities for p in c.cpv_prefixes]
    words = {k.lower() for c in capabilities for k in c.keywords}
    return Exclusions(
        keywords=[k for k in example.keywords if not any(w in k.lower() for w in words)],
        cpv_prefixes=[
            x for x in example.cpv_prefixes if not any(x.startswith(p[:2]) for p in prefixes)
        ],
    )


def _own_capabilities(text: str) -> list[Capability]:
    found = []
    for line in text.splitlines():
        name, _, words = line.partition(":")
        if not name.strip():
            continue
        keywords = split_terms(words) or [name.strip().lower()]
        found.append(Capability(name=name.strip()[:80], keywords=keywords))
    return found


def save_setup(
    store: SetupStore,
    counts: Counts,
    answers: SetupAnswers,
    *,
    actor: Actor,
    audit: AuditLog | None = None,
) -> int:
    """Store the set-up's profile as a new version (admins only, audited); returns it."""
    check(audit, actor, ADMINS, "set up the company", target=PROFILE_SETTINGS)
    profile = profile_from_setup(answers)
    version = save_profile(store, profile)
    profile_changed(store, counts, version)
    names = ", ".join(c.name for c in profile.capabilities)
    detail = f"company set up as profile version {version}: {profile.company_name} ({names})"
    note(audit, actor, AuditAction.SETTINGS_CHANGED, target=PROFILE_SETTINGS, detail=detail)
    return version
