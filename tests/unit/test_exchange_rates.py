"""The team's exchange rates (core.profile.rates): converted amounts compare across currencies."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.access.roles import Actor, NotAllowed
from core.analysts.rules.signals import value_factor
from core.models import Role
from core.profile.company import default_profile, save_profile, stored_or_default
from core.profile.form import ProfileFormError, save_exchange_rates
from core.profile.rates import ExchangeRates
from tests.fakes import tender

ADMIN = Actor(name="ann", role=Role.ADMIN)


class Store:
    def __init__(self) -> None:
        self.versions: list[str] = []

    def load_profile_json(self) -> str | None:
        return self.versions[-1] if self.versions else None

    def save_profile_json(self, profile_json: str) -> int:
        self.versions.append(profile_json)
        return len(self.versions)


def test_convert_is_to_the_base_currency_only() -> None:
    rates = ExchangeRates(base="GBP", as_of=date.today(), rates={"eur": 0.86})
    assert rates.convert(100, "EUR", "GBP") == pytest.approx(86)
    assert rates.convert(100, "GBP", "GBP") == 100
    assert rates.convert(100, "USD", "GBP") is None  # no rate set
    assert rates.convert(100, "EUR", "SEK") is None  # rates are to GBP, not SEK


def test_rates_are_saved_as_a_profile_version_and_refused_in_one_sentence() -> None:
    store = Store()
    profile = default_profile().model_copy(update={"currency": "GBP"})
    save_profile(store, profile)
    as_of = date.today()
    version = save_exchange_rates(store, {"EUR": 0.86, "GBP": 1.0}, as_of, actor=ADMIN)
    saved = stored_or_default(store).exchange_rates
    assert version == 2 and saved.base == "GBP" and saved.rates == {"EUR": 0.86}
    for bad, says in (({"LOW": 1.0}, "not a currency code"), ({"EUR": 0.0}, "more than 0")):
        with pytest.raises(ProfileFormError, match=says) as refused:
            save_exchange_rates(store, bad, as_of, actor=ADMIN)
        assert str(refused.value).startswith("Exchange rates")
    with pytest.raises(NotAllowed):
        save_exchange_rates(store, {}, as_of, actor=Actor(name="c", role=Role.BID_MANAGER))
    assert len(store.versions) == 2


def _profile(**rates: Any):
    table = ExchangeRates(base="GBP", rates=rates)
    return default_profile().model_copy(
        update={
            "currency": "GBP",
            "value_min": 50_000,
            "value_max": 500_000,
            "exchange_rates": table,
        }
    )


def test_the_analyst_compares_a_value_in_another_currency_at_the_teams_rate() -> None:
    in_euros = tender("Cloud hosting", value_amount=400_000, value_currency="EUR")
    # at 0.5 GBP per EUR, €400,000 is £200,000: inside £50,000–£500,000
    inside = value_factor(in_euros, _profile(EUR=0.5))
    assert inside.strength is not None and "≈ £200,000 at our rates" in inside.strength
    # at 2 GBP per EUR it is £800,000: above the range
    above = value_factor(in_euros, _profile(EUR=2.0))
    assert above.risk is not None and "preferred maximum" in above.risk
