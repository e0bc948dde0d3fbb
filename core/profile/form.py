"""The Settings page's form ⇄ CompanyProfile, with validation errors as one sentence."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from core.access.audit import AuditAction, AuditLog, check, note
from core.access.roles import ADMINS, Actor
from core.analysts.rules.cpv import cpv_label
from core.analysts.wording import join_words, known_languages, language_name
from core.profile.company import (
    Capability,
    CompanyProfile,
    Exclusions,
    ProfileStore,
    Thresholds,
    default_profile,
    save_profile,
    stored_or_default,
)
from core.profile.rates import ExchangeRates

_SEPARATORS = re.compile(r"[\n,;]+")
PROFILE_SETTINGS = "settings: company profile"

_FIELD_NAMES = {
    "company_name": "Company name",
    "summary": "Summary",
    "capabilities": "Capabilities",
    "name": "name",
    "languages": "Working languages",
    "currency": "Currency",
    "value_min": "Preferred minimum value",
    "value_max": "Preferred maximum value",
    "rates": "Exchange rates",
}


class ProfileFormError(ValueError):
    """A profile the form cannot save; the message is one sentence saying what to fix."""


class CapabilityRow(BaseModel):
    name: str = ""
    description: str = ""
    keywords: str = ""
    cpv_prefixes: str = ""


class ProfileForm(BaseModel):
    """What the Settings page edits: plain text, one term per line or comma-separated."""

    company_name: str
    summary: str = ""
    capabilities: list[CapabilityRow]
    exclusion_keywords: str = ""
    exclusion_cpv_prefixes: str = ""
    languages: list[str] = Field(default_factory=lambda: ["en"])  # ISO 639-1 codes
    currency: str = "EUR"
    value_min: float = 0
    value_max: float = 0


def language_options(chosen: list[str]) -> list[str]:
    """The codes a team can pick, English first then by name; `chosen` ones always included."""
    known = known_languages()
    return known + [code for code in chosen if code not in known]


def languages_text(codes: list[str]) -> str:
    """'English and German'."""
    return join_words(language_name(code) or code for code in codes)


def shown_cpv_codes(prefixes: list[str]) -> list[str]:
    """Stored prefixes ('7221273') shown as the 8-digit codes bid teams type ('72212730')."""
    return [cpv_label(prefix) for prefix in prefixes]


def split_terms(text: str | None) -> list[str]:
    """'a, b\\nc; d' → ['a', 'b', 'c', 'd'] (blank entries dropped)."""
    return [term.strip() for term in _SEPARATORS.split(text or "") if term.strip()]


def join_terms(terms: list[str]) -> str:
    return ", ".join(terms)


def form_from_profile(profile: CompanyProfile) -> ProfileForm:
    return ProfileForm(
        company_name=profile.company_name,
        summary=profile.summary,
        capabilities=[
            CapabilityRow(
                name=c.name,
                description=c.description,
                keywords=join_terms(c.keywords),
                cpv_prefixes=join_terms(shown_cpv_codes(c.cpv_prefixes)),
            )
            for c in profile.capabilities
        ],
        exclusion_keywords="\n".join(profile.exclusions.keywords),
        exclusion_cpv_prefixes="\n".join(shown_cpv_codes(profile.exclusions.cpv_prefixes)),
        languages=list(profile.languages),
        currency=profile.currency,
        value_min=profile.value_min,
        value_max=profile.value_max,
    )


def capability_rows(records: list[dict[str, Any]]) -> list[CapabilityRow]:
    """Rows from the capabilities table; blank rows (added and left empty) are dropped."""
    rows = []
    for record in records:
        row = CapabilityRow(
            **{k: _text(record.get(k)) for k in ("name", "description", "keywords", "cpv_prefixes")}
        )
        if row.name or row.keywords or row.cpv_prefixes:
            rows.append(row)
    return rows


def profile_from_form(form: ProfileForm, thresholds: Thresholds | None = None) -> CompanyProfile:
    """Build and validate the profile; raises ProfileFormError with one sentence.

    The routing thresholds are not on this form (Settings edits them as the review policy):
    `thresholds` carries the ones in force over.
    """
    for number, row in enumerate(form.capabilities, start=1):
        if not row.name.strip():
            raise ProfileFormError(f"Capability {number} needs a name; add one or clear its row.")
        if not split_terms(row.keywords) and not split_terms(row.cpv_prefixes):
            raise ProfileFormError(
                f"Capability “{row.name.strip()}” needs at least one keyword or CPV prefix."
            )
    try:
        return CompanyProfile(
            company_name=form.company_name.strip(),
            summary=form.summary.strip(),
            capabilities=[
                Capability(
                    name=row.name.strip(),
                    description=" ".join(row.description.split()),
                    keywords=split_terms(row.keywords),
                    cpv_prefixes=split_terms(row.cpv_prefixes),
                )
                for row in form.capabilities
            ],
            exclusions=Exclusions(
                keywords=split_terms(form.exclusion_keywords),
                cpv_prefixes=split_terms(form.exclusion_cpv_prefixes),
            ),
            languages=form.languages,
            currency=form.currency.strip().upper(),
            value_min=form.value_min,
            value_max=form.value_max,
            thresholds=thresholds or Thresholds(),
        )
    except ValidationError as exc:
        raise ProfileFormError(validation_sentence(exc)) from exc


def save_profile_form(
    store: ProfileStore, form: ProfileForm, *, actor: Actor, audit: AuditLog | None = None
) -> int:
    """Validate and store a new profile version; returns the version now in force.

    Only admins change settings; the change is recorded in the audit log.
    """
    check(audit, actor, ADMINS, "change settings", target=PROFILE_SETTINGS)
    in_force = stored_or_default(store)
    profile = profile_from_form(form, in_force.thresholds).model_copy(
        update={"exchange_rates": in_force.exchange_rates}  # edited beside it, in Settings
    )
    version = save_profile(store, profile)
    detail = (
        f"saved as profile version {version}: {profile.company_name}, "
        f"{len(profile.capabilities)} capabilities, working in {languages_text(profile.languages)}"
    )
    note(audit, actor, AuditAction.SETTINGS_CHANGED, target=PROFILE_SETTINGS, detail=detail)
    return version


def reset_profile(store: ProfileStore, *, actor: Actor, audit: AuditLog | None = None) -> int:
    """Put the default profile back in force (admins only); returns its new version."""
    check(audit, actor, ADMINS, "change settings", target=PROFILE_SETTINGS)
    version = save_profile(store, default_profile())
    detail = f"reset to the default profile (version {version})"
    note(audit, actor, AuditAction.SETTINGS_CHANGED, target=PROFILE_SETTINGS, detail=detail)
    return version


def validation_sentence(exc: ValidationError) -> str:
    """The first problem pydantic found, as one sentence a bid manager can act on."""
    error = exc.errors()[0]
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    if error.get("type") == "too_short" and error.get("loc") == ("capabilities",):
        return "Add at least one capability before saving."
    where = _location(tuple(error.get("loc", ())))
    if (
        where
        and error.get("type") == "string_too_short"
        and error.get("ctx", {}).get("min_length") == 1
    ):
        return f"{where} is required."
    if where:
        return f"{where}: {message[:1].lower()}{message[1:]}."
    return f"{message[:1].upper()}{message[1:]}; fix it and save again."


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int):
            continue
        if part == "capabilities" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            parts.append(f"Capability {loc[i + 1] + 1}")
            continue
        if part == "exclusions":
            parts.append("Exclusions")
            continue
        parts.append(_FIELD_NAMES.get(str(part), str(part).replace("_", " ")))
    return " ".join(parts)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from an empty table cell
        return ""
    return str(value).strip()


_RATE_LINE = re.compile(r"^\s*([A-Za-z]{3})\s*[=:\s]\s*([0-9]+(?:[.,][0-9]+)?)\s*$")


def parse_rates(text: str) -> dict[str, float]:
    """'GBP 1.17' / 'USD = 0.92' per line → {"GBP": 1.17, "USD": 0.92}; one sentence if not."""
    rates: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found = _RATE_LINE.match(line)
        if found is None:
            raise ProfileFormError(
                f"Line {number} ('{line.strip()[:30]}') is not a rate: write a currency code "
                "and a number, such as 'EUR 0.86'."
            )
        rates[found[1].upper()] = float(found[2].replace(",", "."))
    return rates


def save_exchange_rates(
    store: ProfileStore,
    rates: dict[str, float],
    as_of: date | None,
    *,
    actor: Actor,
    audit: AuditLog | None = None,
) -> int:
    """Store the team's rates to the profile's currency as a new profile version (admins
    only, audited); returns the version. Raises ProfileFormError with one sentence."""
    check(audit, actor, ADMINS, "change settings", target=PROFILE_SETTINGS)
    profile = stored_or_default(store)
    own = {code.strip().upper(): rate for code, rate in rates.items() if code.strip()}
    own.pop(profile.currency, None)  # a currency to itself needs no rate
    try:
        table = ExchangeRates(base=profile.currency, as_of=as_of, rates=own)
    except ValidationError as exc:
        raise ProfileFormError(validation_sentence(exc)) from exc
    version = save_profile(store, profile.model_copy(update={"exchange_rates": table}))
    listed = ", ".join(f"{code} {rate:g}" for code, rate in table.rates.items()) or "none"
    detail = f"exchange rates to {profile.currency} as of {as_of or 'no date'}: {listed}"
    note(audit, actor, AuditAction.SETTINGS_CHANGED, target=PROFILE_SETTINGS, detail=detail)
    return version
