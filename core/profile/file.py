"""The company profile as a JSON file, so a team can keep it under version control and
script evaluations with it (`profile show --json`, `profile set FILE.json`)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from core.access.audit import AuditAction, AuditLog, check, note
from core.access.roles import ADMINS, Actor
from core.profile.company import CompanyProfile, ProfileStore, save_profile, stored_or_default
from core.profile.form import (
    PROFILE_SETTINGS,
    ProfileFormError,
    join_terms,
    languages_text,
    shown_cpv_codes,
    validation_sentence,
)

MAX_PROFILE_BYTES = 1_000_000


def profile_json(store: ProfileStore, version: int) -> dict[str, Any]:
    """The profile in force as JSON `profile set` takes back, with its version."""
    return {"version": version, **stored_or_default(store).model_dump(mode="json")}


def parse_profile(text: str, name: str, in_force: CompanyProfile) -> CompanyProfile:
    """A validated profile from JSON; ProfileFormError with one sentence otherwise. A file
    without `thresholds` keeps the review policy in force (Settings edits it on its own)."""
    if len(text.encode()) > MAX_PROFILE_BYTES:
        raise ProfileFormError(f"{name} is over 1 MB; a profile is a few kilobytes of JSON.")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ProfileFormError(f"{name} is not valid JSON (line {_line(exc)}).") from None
    if not isinstance(data, dict):
        raise ProfileFormError(
            f"{name} must hold one JSON object, as `profile show --json` prints."
        )
    data.pop("version", None)
    data.setdefault("thresholds", in_force.thresholds.model_dump())
    data.setdefault("exchange_rates", in_force.exchange_rates.model_dump(mode="json"))
    try:
        return CompanyProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileFormError(f"{name}: {validation_sentence(exc)}") from None


def set_profile(
    store: ProfileStore,
    text: str,
    name: str,
    *,
    actor: Actor,
    audit: AuditLog | None = None,
) -> tuple[int, CompanyProfile]:
    """Store the file's profile as a new version (admins only, audited); returns both."""
    check(audit, actor, ADMINS, "change settings", target=PROFILE_SETTINGS)
    profile = parse_profile(text, name, stored_or_default(store))
    version = save_profile(store, profile)
    detail = (
        f"set from {name[:80]} as profile version {version}: {profile.company_name}, "
        f"{len(profile.capabilities)} capabilities, working in {languages_text(profile.languages)}"
    )
    note(audit, actor, AuditAction.SETTINGS_CHANGED, target=PROFILE_SETTINGS, detail=detail)
    return version, profile


def profile_text(profile: CompanyProfile, version: int) -> str:
    """The profile for a terminal: what a bid manager checks before an evaluation."""
    stored = f"profile version {version}" if version else "the default profile, not edited yet"
    lines = [
        f"{profile.company_name} ({stored})",
        f"Working languages: {languages_text(profile.languages)}; currency {profile.currency}; "
        f"preferred value {profile.value_min:,.0f}–{profile.value_max:,.0f}",
    ]
    if profile.summary:
        lines.append(profile.summary)
    for capability in profile.capabilities:
        lines.append(f"- {capability.name}: {capability.description or '(no description)'}")
        lines.append(f"    keywords: {join_terms(capability.keywords) or 'none'}")
        lines.append(f"    CPV prefixes: {_codes(capability.cpv_prefixes)}")
    exclusions = profile.exclusions
    lines.append(f"Not for us: keywords {join_terms(exclusions.keywords) or 'none'}")
    lines.append(f"    CPV prefixes: {_codes(exclusions.cpv_prefixes)}")
    t = profile.thresholds
    lines.append(
        f"Review policy: minimum confidence {t.min_relevance_confidence:.0%}, auto-accept "
        f"{t.auto_accept_confidence:.0%}, bid from score {t.min_bid_score:g} "
        f"(review band ±{t.score_review_band:g}), every bid approved: "
        f"{'yes' if t.every_bid_needs_approval else 'no'}"
    )
    return "\n".join(lines)


def _codes(prefixes: list[str]) -> str:
    return join_terms(shown_cpv_codes(prefixes)) or "none"


def _line(exc: ValueError) -> int:
    return int(getattr(exc, "lineno", 1))
