from __future__ import annotations

import pytest

from core.access.roles import CLI_ACTOR
from core.profile.company import CompanyProfile, default_profile
from core.profile.form import (
    CapabilityRow,
    ProfileFormError,
    capability_rows,
    form_from_profile,
    profile_from_form,
    reset_profile,
    save_profile_form,
    split_terms,
)


class MemoryProfiles:
    """core.profile.company.ProfileStore in memory; keeps every version like the real table."""

    def __init__(self) -> None:
        self.saved: list[CompanyProfile] = []

    def load_profile_json(self) -> str | None:
        return self.saved[-1].model_dump_json() if self.saved else None

    def save_profile_json(self, profile_json: str) -> int:
        self.saved.append(CompanyProfile.model_validate_json(profile_json))
        return len(self.saved)


def test_round_trip_keeps_the_profile() -> None:
    assert profile_from_form(form_from_profile(default_profile())) == default_profile()


def test_split_terms_accepts_lines_commas_and_semicolons() -> None:
    assert split_terms("a, b\nc;d\n\n , ") == ["a", "b", "c", "d"]
    assert split_terms(None) == []


def test_blank_table_rows_are_dropped_and_nan_is_empty() -> None:
    rows = capability_rows(
        [
            {"name": "Cyber", "keywords": "SOC", "cpv_prefixes": None},
            {"name": None, "keywords": float("nan"), "cpv_prefixes": ""},
        ]
    )
    assert rows == [CapabilityRow(name="Cyber", keywords="SOC", cpv_prefixes="")]


@pytest.mark.parametrize(
    ("update", "sentence"),
    [
        ({"value_min": 3e6}, "The preferred minimum contract value is above the maximum"),
        ({"company_name": "  "}, "Company name is required."),
        ({"currency": "EU"}, "Currency: string should have at least 3 characters."),
        ({"capabilities": []}, "Add at least one capability before saving."),
        ({"capabilities": [CapabilityRow(keywords="x")]}, "Capability 1 needs a name"),
        ({"capabilities": [CapabilityRow(name="Empty")]}, "“Empty” needs at least one keyword"),
    ],
)
def test_problems_are_one_sentence(update: dict[str, object], sentence: str) -> None:
    form = form_from_profile(default_profile()).model_copy(update=update)
    with pytest.raises(ProfileFormError) as raised:
        profile_from_form(form)
    assert sentence in str(raised.value)
    assert "\n" not in str(raised.value)


def test_save_validates_then_stores_and_reset_stores_the_default() -> None:
    store = MemoryProfiles()
    form = form_from_profile(default_profile()).model_copy(update={"currency": "gbp"})
    assert save_profile_form(store, form, actor=CLI_ACTOR) == 1
    assert store.saved[0].currency == "GBP"
    with pytest.raises(ProfileFormError):
        save_profile_form(store, form.model_copy(update={"value_min": 9e9}), actor=CLI_ACTOR)
    assert len(store.saved) == 1
    assert reset_profile(store, actor=CLI_ACTOR) == 2
    assert store.saved[-1] == default_profile()


def test_form_shows_cpv_prefixes_as_eight_digit_codes() -> None:
    form = form_from_profile(default_profile())
    cyber = next(row for row in form.capabilities if row.name == "Cybersecurity")
    assert "72212730" in cyber.cpv_prefixes and "7221273," not in cyber.cpv_prefixes
    assert form.exclusion_cpv_prefixes.splitlines()[0] == "45000000"
