"""Exchange rates to the profile's currency: a small dated table the team keeps in Settings.

No network is needed: the team types the rates it prices with (its finance team's, or the
day's), and every amount converted with them is marked as converted. Rates are to one
currency (`base`); when the profile's currency changes they no longer apply until set again.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator

from core.ingest.currencies import ISO_4217


class ExchangeRates(BaseModel):
    #: the currency the rates convert to (the profile's, when they were set)
    base: str | None = None
    as_of: date | None = None
    #: units of `base` per one unit of each currency: {"EUR": 0.86, "USD": 0.79}
    rates: dict[str, float] = Field(default_factory=dict)

    @field_validator("rates")
    @classmethod
    def _real_rates(cls, value: dict[str, float]) -> dict[str, float]:
        cleaned: dict[str, float] = {}
        for code, rate in value.items():
            upper = code.strip().upper()
            if upper not in ISO_4217:
                raise ValueError(f"'{code[:10]}' is not a currency code (ISO 4217, such as EUR)")
            if not rate > 0:
                raise ValueError(f"the rate for {upper} must be more than 0")
            cleaned[upper] = float(rate)
        return cleaned

    def applies_to(self, currency: str) -> bool:
        return bool(self.rates) and self.base == currency

    def convert(self, amount: float, currency: str | None, to: str) -> float | None:
        """`amount` of `currency` in `to`: itself when they match, converted when a rate to
        `to` is set, else None (not comparable)."""
        code = (currency or to).upper()
        if code == to:
            return amount
        if not self.applies_to(to) or code not in self.rates:
            return None
        return amount * self.rates[code]
