"""The company set-up (core.profile.setup): when it is asked, what it saves, what it offers."""

from __future__ import annotations

from typing import Any

import pytest

from core.access.roles import Actor, NotAllowed
from core.models import Role
from core.profile.company import default_profile, save_profile
from core.profile.form import ProfileFormError
from core.profile.setup import (
    SetUp,
    SetupAnswers,
    choose_example,
    close_offer,
    needs_setup,
    pending_offer,
    profile_changed,
    profile_from_setup,
    save_setup,
    set_up_as,
    suggestions,
    uses_example,
)

ADMIN = Actor(name="ann", role=Role.ADMIN)


class Store:
    def __init__(self) -> None:
        self.versions: list[str] = []
        self.values: dict[str, Any] = {}

    def load_profile_json(self) -> str | None:
        return self.versions[-1] if self.versions else None

    def save_profile_json(self, profile_json: str) -> int:
        self.versions.append(profile_json)
        return len(self.versions)

    def profile_version(self) -> int:
        return len(self.versions)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value


class Counts:
    def __init__(self, tenders: int = 0, analysed: int = 0) -> None:
        self.tenders, self.analysed = tenders, analysed

    def count(self) -> int:
        return self.tenders

    def count_reanalysable(self) -> int:
        return self.analysed


def answers(**fields: Any) -> SetupAnswers:
    values: dict[str, Any] = {
        "company_name": "Acme Facilities",
        "summary": "Cleaning and building maintenance for schools.",
        "currency": "gbp",
        "chosen": ("Facilities management",),
        "own": "Grounds care: grounds maintenance, grass cutting",
        "value_min": 10_000.0,
        "value_max": 800_000.0,
    }
    return SetupAnswers(**(values | fields))


def test_a_fresh_database_needs_the_set_up_and_one_in_use_does_not() -> None:
    store = Store()
    assert needs_setup(store, Counts())
    save_profile(store, default_profile())  # the app's first read stores the example
    assert needs_setup(store, Counts())
    assert not needs_setup(store, Counts(tenders=3))  # imported before the set-up existed
    choose_example(store)
    assert not needs_setup(store, Counts()) and set_up_as(store) is SetUp.EXAMPLE
    assert uses_example(store)


def test_the_set_up_saves_a_profile_of_the_company_and_records_it() -> None:
    store = Store()
    version = save_setup(store, Counts(), answers(), actor=ADMIN)

    profile = profile_from_setup(answers())
    assert store.profile_version() == version == 1
    assert set_up_as(store) is SetUp.YOURS and not uses_example(store)
    assert profile.company_name == "Acme Facilities" and profile.currency == "GBP"
    assert [c.name for c in profile.capabilities] == ["Facilities management", "Grounds care"]
    assert profile.capabilities[1].keywords == ["grounds maintenance", "grass cutting"]
    # the example's "not for us" evidence no longer excludes what this company does
    assert not any(k.startswith("cleaning") for k in profile.exclusions.keywords)
    assert not any(p.startswith("90") for p in profile.exclusions.cpv_prefixes)
    assert "catering" in profile.exclusions.keywords


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"company_name": " "}, "Company name"),
        ({"chosen": (), "own": ""}, "Pick at least one line of business"),
        ({"currency": "LOW"}, "not a currency code"),
    ],
)
def test_a_set_up_that_cannot_be_saved_says_what_to_fix(changes: dict[str, Any], says: str) -> None:
    store = Store()
    with pytest.raises(ProfileFormError, match=says):
        save_setup(store, Counts(), answers(**changes), actor=ADMIN)
    assert store.versions == [] and set_up_as(store) is None


def test_only_admins_set_the_company_up() -> None:
    with pytest.raises(NotAllowed):
        save_setup(Store(), Counts(), answers(), actor=Actor(name="c", role=Role.BID_MANAGER))


def test_every_suggestion_can_be_chosen() -> None:
    names = tuple(s.name for s in suggestions())
    assert len(names) == len(set(names)) >= 8
    profile = profile_from_setup(answers(chosen=names, own=""))
    assert len(profile.capabilities) == len(names)


def test_a_profile_change_offers_the_undecided_tenders_until_answered() -> None:
    store = Store()
    save_profile(store, default_profile())
    assert profile_changed(store, Counts(analysed=0), 1) == 0
    assert pending_offer(store, Counts(analysed=5)) == 0  # nothing was stale at the change

    save_profile(store, default_profile())
    assert profile_changed(store, Counts(analysed=7), 2) == 7
    assert pending_offer(store, Counts(analysed=7)) == 7
    save_profile(store, default_profile())  # a newer version than the offer was made for
    assert pending_offer(store, Counts(analysed=7)) == 0
    profile_changed(store, Counts(analysed=7), 3)
    close_offer(store)
    assert pending_offer(store, Counts(analysed=7)) == 0
