"""Cost of a call from a per-model price table; local endpoints cost nothing."""

from __future__ import annotations

import ipaddress
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input_per_mtok: float
    output_per_mtok: float
    cached_input_per_mtok: float | None = None


# As published by OpenAI and Groq; PriceTable.from_json overrides them when they change.
DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o-mini": Price(0.15, 0.60, 0.075),
    "gpt-4o": Price(2.50, 10.00, 1.25),
    "gpt-4.1": Price(2.00, 8.00, 0.50),
    "gpt-4.1-mini": Price(0.40, 1.60, 0.10),
    "gpt-4.1-nano": Price(0.10, 0.40, 0.025),
    "gpt-5": Price(1.25, 10.00, 0.125),
    "gpt-5-mini": Price(0.25, 2.00, 0.025),
    "gpt-5-nano": Price(0.05, 0.40, 0.005),
    "llama-3.1-8b-instant": Price(0.05, 0.08),
    "llama-3.3-70b-versatile": Price(0.59, 0.79),
}

_LOCAL_NAMES = frozenset({"localhost", "host.docker.internal"})
_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_OVERRIDE_SHAPE = (
    'give {"input": …, "output": …} (optionally "cached_input") or [input, output] '
    "in USD per million tokens"
)


def is_local(base_url: str) -> bool:
    """Whether the endpoint runs on this machine or the private network (so it is free)."""
    url = base_url.strip()
    if not url:
        return False
    if "://" not in url:
        url = "http://" + url
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if host in _LOCAL_NAMES or host.endswith((".local", ".localhost")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if address.is_loopback or address.is_unspecified:
        return True
    return any(address in network for network in _PRIVATE_NETWORKS)


class PriceTable:
    """Prices by model name: exact, else the longest name the model starts with."""

    def __init__(
        self,
        defaults: Mapping[str, Price] = DEFAULT_PRICES,
        overrides: Mapping[str, Price] | None = None,
    ) -> None:
        self._overrides = {name.lower(): price for name, price in (overrides or {}).items()}
        # Overrides replace defaults of the same name, then the longest match wins across both,
        # so an override for "gpt-4o" does not reprice "gpt-4o-mini".
        self._all = {name.lower(): price for name, price in defaults.items()} | self._overrides

    @classmethod
    def from_json(cls, overrides_json: str | None) -> PriceTable:
        """A table with the defaults plus overrides given as JSON (empty means none)."""
        if overrides_json is None or not overrides_json.strip():
            return cls()
        try:
            parsed = json.loads(overrides_json)
        except json.JSONDecodeError as error:
            raise ValueError(
                f"the price overrides are not valid JSON ({error.msg} at line {error.lineno}, "
                f"column {error.colno}); {_OVERRIDE_SHAPE}."
            ) from None
        if not isinstance(parsed, dict):
            raise ValueError(
                f'the price overrides must be a JSON object like {{"my-model": [1.0, 2.0]}}; '
                f"{_OVERRIDE_SHAPE}."
            )
        return cls(overrides={name: _parse_price(name, value) for name, value in parsed.items()})

    def price_for(self, base_url: str, model: str) -> Price | None:
        """The price of `model` at `base_url`; None when unknown (or local and not overridden)."""
        table = self._overrides if is_local(base_url) else self._all
        for name in _names_to_try(model):
            price = _lookup(table, name)
            if price is not None:
                return price
        return None

    def cost(
        self,
        *,
        base_url: str,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        cached_tokens: int = 0,
    ) -> float:
        """USD for one call; cached prompt tokens at the cached price when there is one."""
        price = self.price_for(base_url, model)
        if price is None:
            return 0.0
        prompt_tokens = max(0, prompt_tokens)
        cached_tokens = min(max(0, cached_tokens), prompt_tokens)
        cached_rate = price.cached_input_per_mtok
        if cached_rate is None:
            cached_rate = price.input_per_mtok
        total = (
            (prompt_tokens - cached_tokens) * price.input_per_mtok
            + cached_tokens * cached_rate
            + max(0, completion_tokens) * price.output_per_mtok
        )
        return total / 1_000_000


def _names_to_try(model: str) -> list[str]:
    """The model name, then without each leading "provider/" part."""
    parts = model.strip().lower().split("/")
    return ["/".join(parts[index:]) for index in range(len(parts)) if parts[index:] != [""]]


def _lookup(table: Mapping[str, Price], model: str) -> Price | None:
    if model in table:
        return table[model]
    prefixes = [name for name in table if name and model.startswith(name)]
    return table[max(prefixes, key=len)] if prefixes else None


def _parse_price(name: str, value: Any) -> Price:
    if isinstance(value, list) and len(value) in (2, 3):
        numbers = [_rate(name, item) for item in value]
        return Price(numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else None)
    if isinstance(value, dict) and {"input", "output"} <= value.keys() <= {
        "input",
        "output",
        "cached_input",
    }:
        cached = value.get("cached_input")
        return Price(
            _rate(name, value["input"]),
            _rate(name, value["output"]),
            None if cached is None else _rate(name, cached),
        )
    raise ValueError(f'the price override for "{name}" has the wrong shape; {_OVERRIDE_SHAPE}.')


def _rate(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f'the price override for "{name}" must use numbers; {_OVERRIDE_SHAPE}.')
    if value < 0:
        raise ValueError(f'the price override for "{name}" must not be negative.')
    return float(value)
