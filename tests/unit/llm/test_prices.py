from __future__ import annotations

import pytest

from core.llm.prices import DEFAULT_PRICES, Price, PriceTable, is_local

OPENAI = "https://api.openai.com/v1"
OLLAMA = "http://localhost:11434/v1"


@pytest.mark.parametrize(
    "base_url",
    [
        OLLAMA,
        "http://127.0.0.1:8000/v1",
        "http://127.1.2.3/v1",
        "http://[::1]:8000/v1",
        "http://0.0.0.0:8000",
        "http://host.docker.internal:11434/v1",
        "http://gpu-box.local:8000/v1",
        "http://10.1.2.3/v1",
        "http://172.16.0.5/v1",
        "http://172.31.255.1/v1",
        "http://192.168.1.20:8080/v1",
        "localhost:11434",
        "HTTP://LOCALHOST/v1",
    ],
)
def test_local_endpoints(base_url: str) -> None:
    assert is_local(base_url)


@pytest.mark.parametrize(
    "base_url",
    [
        OPENAI,
        "https://api.groq.com/openai/v1",
        "http://172.32.0.1/v1",
        "http://8.8.8.8/v1",
        "https://localhost.example.com/v1",
        "",
    ],
)
def test_remote_endpoints(base_url: str) -> None:
    assert not is_local(base_url)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4.1-nano-2025-04-14", "gpt-4.1-nano"),
        ("gpt-5-mini-2025-08-07", "gpt-5-mini"),
        ("gpt-5", "gpt-5"),
        ("openai/gpt-4o-mini", "gpt-4o-mini"),
        ("GPT-4o-Mini", "gpt-4o-mini"),
        ("llama-3.3-70b-versatile", "llama-3.3-70b-versatile"),
    ],
)
def test_the_longest_matching_name_wins(model: str, expected: str) -> None:
    assert PriceTable().price_for(OPENAI, model) == DEFAULT_PRICES[expected]


def test_unknown_models_have_no_price_and_cost_nothing() -> None:
    table = PriceTable()
    assert table.price_for(OPENAI, "mistral-large") is None
    cost = table.cost(
        base_url=OPENAI, model="mistral-large", prompt_tokens=10**6, completion_tokens=10**6
    )
    assert cost == 0.0


def test_local_endpoints_cost_nothing_unless_overridden() -> None:
    assert PriceTable().price_for(OLLAMA, "gpt-4o-mini") is None
    cost = PriceTable().cost(
        base_url=OLLAMA, model="gpt-4o-mini", prompt_tokens=1000, completion_tokens=1000
    )
    assert cost == 0.0
    table = PriceTable(overrides={"qwen3": Price(1.0, 2.0)})
    assert table.price_for(OLLAMA, "qwen3:8b") == Price(1.0, 2.0)
    assert table.price_for(OLLAMA, "gpt-4o-mini") is None


def test_an_override_replaces_its_own_name_only() -> None:
    table = PriceTable(overrides={"gpt-4o": Price(3.0, 12.0)})
    assert table.price_for(OPENAI, "gpt-4o-2024-08-06") == Price(3.0, 12.0)
    assert table.price_for(OPENAI, "gpt-4o-mini") == DEFAULT_PRICES["gpt-4o-mini"]


def test_cost_prices_cached_prompt_tokens_at_the_cached_rate() -> None:
    table = PriceTable()
    cost = table.cost(
        base_url=OPENAI,
        model="gpt-4o-mini",
        prompt_tokens=1_000_000,
        completion_tokens=500_000,
        cached_tokens=400_000,
    )
    assert cost == pytest.approx(0.6 * 0.15 + 0.4 * 0.075 + 0.5 * 0.60)


def test_cached_tokens_without_a_cached_price_cost_the_input_rate() -> None:
    table = PriceTable()
    cost = table.cost(
        base_url="https://api.groq.com/openai/v1",
        model="llama-3.1-8b-instant",
        prompt_tokens=2_000_000,
        completion_tokens=1_000_000,
        cached_tokens=1_000_000,
    )
    assert cost == pytest.approx(2 * 0.05 + 0.08)


def test_cached_tokens_never_exceed_the_prompt() -> None:
    cost = PriceTable().cost(
        base_url=OPENAI, model="gpt-4o", prompt_tokens=100, completion_tokens=0, cached_tokens=900
    )
    assert cost == pytest.approx(100 * 1.25 / 1_000_000)


def test_overrides_from_json_in_both_shapes() -> None:
    table = PriceTable.from_json(
        '{"my-model": {"input": 1.0, "output": 2.0, "cached_input": 0.5}, "other": [3, 4]}'
    )
    assert table.price_for(OLLAMA, "my-model") == Price(1.0, 2.0, 0.5)
    assert table.price_for(OPENAI, "other-v2") == Price(3.0, 4.0)
    assert table.price_for(OPENAI, "gpt-4o") == DEFAULT_PRICES["gpt-4o"]
    assert PriceTable.from_json(None).price_for(OPENAI, "gpt-4o") == DEFAULT_PRICES["gpt-4o"]
    assert PriceTable.from_json("  ").price_for(OLLAMA, "gpt-4o") is None


def test_bad_json_says_what_is_wrong_in_one_sentence() -> None:
    with pytest.raises(ValueError, match=r"^the price overrides are not valid JSON \(") as error:
        PriceTable.from_json('{"my-model": [1.0, 2.0}')
    assert str(error.value).count(". ") == 0
    assert str(error.value).endswith("in USD per million tokens.")


@pytest.mark.parametrize(
    "overrides_json",
    [
        "[1.0, 2.0]",
        '{"my-model": [1.0]}',
        '{"my-model": {"input": 1.0}}',
        '{"my-model": {"input": 1.0, "output": 2.0, "cache": 0.5}}',
        '{"my-model": ["1.0", 2.0]}',
        '{"my-model": [true, 2.0]}',
        '{"my-model": [-1.0, 2.0]}',
    ],
)
def test_bad_shapes_are_refused(overrides_json: str) -> None:
    with pytest.raises(ValueError, match="price override"):
        PriceTable.from_json(overrides_json)
