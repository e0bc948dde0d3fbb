"""The profile's working languages: validation, the form, the rules analyst and the prompts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from core.access.audit import AuditAction, AuditLog
from core.access.roles import Actor
from core.analysts.llm import LLMAnalyst
from core.analysts.llm_context import capabilities_text
from core.analysts.rules.analyst import RulesAnalyst
from core.models import Role, Tender
from core.profile.company import Capability, CompanyProfile, default_profile
from core.profile.form import (
    ProfileFormError,
    form_from_profile,
    language_options,
    profile_from_form,
    save_profile_form,
)
from tests.fakes import InMemoryAuditStore
from tests.unit.test_llm_analyst import FakeStructuredClient

NOW = datetime(2026, 11, 1, tzinfo=UTC)
ADMIN = Actor(name="ann", role=Role.ADMIN)


def with_languages(*codes: str, german_keyword: bool = False) -> CompanyProfile:
    profile = default_profile()
    capabilities = list(profile.capabilities)
    if german_keyword:
        security = capabilities[0]
        capabilities[0] = Capability(
            name=security.name,
            keywords=[*security.keywords, "Informationssicherheit"],
            cpv_prefixes=security.cpv_prefixes,
        )
    return CompanyProfile(
        **{**profile.model_dump(), "capabilities": capabilities, "languages": list(codes)}
    )


def german_notice(**fields: object) -> Tender:
    values: dict[str, object] = {
        "source": "ted",
        "title": "Beratung zur Informationssicherheit für die Stadtverwaltung",
        "description": "Die Stadt sucht einen Partner für mehrjährige Unterstützung.",
        "language": "de",
    }
    values.update(fields)
    return Tender(**values)  # type: ignore[arg-type]


class MemoryProfiles:
    """core.profile.company.ProfileStore in memory, storing JSON like the real table."""

    def __init__(self) -> None:
        self.saved: list[str] = []

    def load_profile_json(self) -> str | None:
        return self.saved[-1] if self.saved else None

    def save_profile_json(self, profile_json: str) -> int:
        self.saved.append(profile_json)
        return len(self.saved)


# --- the profile ----------------------------------------------------------------------------


def test_english_is_the_default_and_old_profiles_without_the_field_still_load() -> None:
    assert default_profile().languages == ["en"]
    stored = json.loads(default_profile().model_dump_json())
    del stored["languages"]  # a profile saved before working languages existed
    assert CompanyProfile.model_validate_json(json.dumps(stored)).languages == ["en"]


def test_codes_are_lower_cased_and_kept_once_in_the_order_given() -> None:
    assert with_languages("DE", " en", "de").languages == ["de", "en"]


@pytest.mark.parametrize(
    ("codes", "words"),
    [
        (["eng"], "“eng” is not a two-letter ISO 639-1 language code"),
        (["de-AT"], "“de-AT” is not a two-letter ISO 639-1 language code"),
        (["", "en"], "“” is not a two-letter"),
        (["xx"], "“xx” is not a language Tenderwise knows"),
        ([], "choose at least one working language"),
    ],
)
def test_ill_formed_unknown_or_missing_codes_are_refused(codes: list[str], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        with_languages(*codes)


def test_the_form_round_trips_the_languages_and_says_what_is_wrong() -> None:
    profile = with_languages("de", "en")
    form = form_from_profile(profile)
    assert form.languages == ["de", "en"]
    assert profile_from_form(form, profile.thresholds) == profile

    with pytest.raises(ProfileFormError) as refused:
        profile_from_form(form.model_copy(update={"languages": []}))
    assert str(refused.value) == "Working languages: choose at least one working language."
    with pytest.raises(ProfileFormError, match=r"^Working languages: “zz” is not a language"):
        profile_from_form(form.model_copy(update={"languages": ["zz"]}))


def test_the_form_offers_english_first_and_every_stored_code() -> None:
    options = language_options(["en"])
    assert options[0] == "en" and {"de", "fr", "pl"} <= set(options)
    assert len(options) == len(set(options))


def test_saving_the_form_stores_the_languages_and_audits_them() -> None:
    store, audit_store = MemoryProfiles(), InMemoryAuditStore()
    audit = AuditLog(audit_store)
    form = form_from_profile(default_profile()).model_copy(update={"languages": ["en", "de"]})

    version = save_profile_form(store, form, actor=ADMIN, audit=audit)

    assert version == 1
    assert CompanyProfile.model_validate_json(store.saved[-1]).languages == ["en", "de"]
    event = audit.events(ADMIN, action=AuditAction.SETTINGS_CHANGED)[0]
    assert "working in English and German" in event.detail


# --- the rules analyst ----------------------------------------------------------------------


def test_with_english_only_a_german_notice_without_cpv_match_is_a_weak_no() -> None:
    verdict = RulesAnalyst(now=lambda: NOW).filter(german_notice(), with_languages("en"))

    assert not verdict.is_relevant and verdict.confidence == 0.6
    assert verdict.reasoning.startswith(
        "The notice is in German, so the profile's keywords cannot match it"
    )


def test_a_foreign_notice_whose_cpv_codes_are_none_of_ours_is_a_sure_no() -> None:
    coded = german_notice().model_copy(update={"cpv_codes": ["71000000"]})  # architecture
    verdict = RulesAnalyst(now=lambda: NOW).filter(coded, with_languages("en"))

    assert not verdict.is_relevant and verdict.confidence == 0.9
    assert "it has CPV codes and none of them is in the profile" in verdict.reasoning


def test_a_team_working_in_german_matches_a_german_notice_by_its_keywords() -> None:
    profile = with_languages("en", "de", german_keyword=True)
    verdict = RulesAnalyst(now=lambda: NOW).filter(german_notice(), profile)

    assert verdict.is_relevant and verdict.categories == ["Cybersecurity"]
    assert "keyword 'Informationssicherheit' in title" in verdict.evidence
    assert "German" not in verdict.reasoning


def test_leaning_on_cpv_codes_is_said_only_when_german_is_not_a_working_language() -> None:
    # The German keyword still matches the text; only the language remark depends on the team.
    english_only = with_languages("en", german_keyword=True)
    matched = RulesAnalyst(now=lambda: NOW).filter(german_notice(), english_only)
    assert matched.is_relevant and "German" not in matched.reasoning

    cpv_only = german_notice(title="Beratung für die Stadtverwaltung", cpv_codes=["72212730"])
    verdict = RulesAnalyst(now=lambda: NOW).filter(cpv_only, english_only)
    assert "The notice is in German: the verdict rests on its CPV codes." in verdict.reasoning
    verdict = RulesAnalyst(now=lambda: NOW).filter(cpv_only, with_languages("en", "de"))
    assert "German" not in verdict.reasoning


def test_the_language_risk_follows_the_working_languages() -> None:
    analyst = RulesAnalyst(now=lambda: NOW)
    notice = german_notice(cpv_codes=["72212730"])
    risk = "The notice is in German: the response will likely have to be in German."

    def risks(profile: CompanyProfile) -> list[str]:
        return analyst.rate(notice, profile, analyst.filter(notice, profile)).risks

    assert risk in risks(with_languages("en"))
    assert risk not in risks(with_languages("en", "de"))
    assert not any("in German" in r for r in risks(with_languages("de")))


def test_a_notice_that_does_not_say_is_in_the_first_working_language() -> None:
    analyst = RulesAnalyst(now=lambda: NOW)
    silent = german_notice(language=None, title="Unterstützung der Stadtverwaltung")

    german_team = analyst.filter(silent, with_languages("de", "en"))
    assert german_team.confidence != 0.6 and "German" not in german_team.reasoning
    english_team = analyst.filter(silent, with_languages("en"))
    assert english_team.confidence != 0.6, "taken to be English: its wording is read"
    assert any(e.startswith(("wording", "reads like")) for e in english_team.evidence)


def test_a_regional_language_tag_counts_as_its_language() -> None:
    verdict = RulesAnalyst(now=lambda: NOW).filter(
        german_notice(language="de-AT", title="Unterstützung"), with_languages("en", "de")
    )
    assert verdict.confidence == 0.8 and "German" not in verdict.reasoning


# --- the LLM prompts ------------------------------------------------------------------------


def test_the_capabilities_text_states_the_working_languages() -> None:
    text = capabilities_text(with_languages("en", "de"))
    assert text.splitlines()[-1].startswith(
        "The bid team works in English (en) and German (de); the keywords above are in "
        "those languages"
    )
    assert "works in English (en); " in capabilities_text(default_profile())


def test_every_llm_step_states_the_team_and_notice_languages() -> None:
    client = FakeStructuredClient()
    analyst = LLMAnalyst(client, prefilter=False, now=lambda: NOW)  # type: ignore[arg-type]
    profile = with_languages("de", "en")
    notice = german_notice(id=3, language="fr", title="Audit de cybersécurité")

    relevance = analyst.filter(notice, profile)
    rating = analyst.rate(notice, profile, relevance)
    analyst.write(notice, profile, relevance, rating)

    assert [call["step"] for call in client.calls] == ["filter", "rate", "write"]
    for call in client.calls:
        user = call["messages"][1]["content"]
        assert "The bid team works in German (de) and English (en)" in user
        assert "Language: French (fr): read the notice in French" in user
