"""Settings → LLM endpoint: where values come from, saving, Test connection, refused modes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext
from core.llm.endpoint import EndpointOverrides
from tests.fake_openai import FakeConfig, FakeOpenAI
from tests.ui.helpers import texts

SECRET_KEY = "sk-test-DO-NOT-SHOW-4f9c2b7e"


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def _in_force(at: AppTest) -> dict[str, tuple[str, str]]:
    """The 'Values in force' table: setting → (value, where it comes from)."""
    table = next(d.value for d in at.dataframe if "setting" in d.value.columns)
    return {r["setting"]: (r["value"], r["from"]) for r in table.to_dict("records")}


def _rendered(at: AppTest) -> str:
    """Every element's protobuf as text: what the browser would receive."""

    def walk(node: object) -> Iterator[str]:
        proto = getattr(node, "proto", None)
        if proto is not None:
            yield str(proto)
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return "\n".join(walk(at._tree))


def test_without_a_base_url_the_rules_analyst_is_in_use(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/settings.py")
    assert not at.exception
    shown = texts(at)
    assert any("offline rules analyst" in t and "LLM_BASE_URL" in t for t in shown)
    assert any(t.startswith("API key: not set") for t in shown)
    assert at.text_input(key="llm_base_url").value == ""
    assert _in_force(at)["Base URL"] == ("not set: the rules analyst works alone", "default")
    # no refused-modes section without an endpoint
    assert not any(s.value == "Refused output modes" for s in at.subheader)


def test_api_key_is_set_but_never_shown(
    open_page: Callable[[str], AppTest], ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_API_KEY", SECRET_KEY)
    ctx.analyst_settings().save_endpoint_overrides(
        EndpointOverrides(base_url="http://127.0.0.1:9/v1"), actor=CLI_ACTOR
    )
    at = open_page("pages/settings.py")
    assert not at.exception
    assert "API key: set (from the environment or secrets.toml)" in texts(at)
    assert SECRET_KEY not in _rendered(at)
    assert SECRET_KEY not in repr({k: at.session_state[k] for k in at.session_state})


def test_save_stores_the_endpoint_and_says_where_values_come_from(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/settings.py")
    at.text_input(key="llm_base_url").input("http://localhost:11434/v1/")
    at.text_input(key="llm_model").input("llama3.1")
    next(n for n in at.number_input if n.label == "Requests per minute").set_value(120)
    _click(at, "Save endpoint")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    saved = ctx.analyst_settings().endpoint_overrides()
    assert (saved.base_url, saved.model, saved.rpm) == (
        "http://localhost:11434/v1",
        "llama3.1",
        120,
    )
    assert any("Saved; the endpoint applies" in s.value for s in at.success)
    assert any("Active analyst: LLM: llama3.1 at http://localhost:11434/v1" in t for t in texts(at))
    in_force = _in_force(at)
    assert in_force["Base URL"] == ("http://localhost:11434/v1", "saved here")
    assert in_force["Requests per minute"] == ("120", "saved here")
    assert in_force["Model for rating"] == ("same as Model", "main model")


def test_a_bad_url_is_one_error_and_stores_nothing(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/settings.py")
    at.text_input(key="llm_base_url").input("localhost:11434")
    _click(at, "Save endpoint")
    assert not at.exception
    assert [e.value for e in at.error] == ["The base URL must start with http:// or https://."]
    assert ctx.analyst_settings().endpoint_overrides() == EndpointOverrides()


def test_test_connection_shows_models_and_modes_then_forget_refusals(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    config = FakeConfig(models=("fake-model",), refuse_modes=frozenset({"json_schema"}))
    with FakeOpenAI(config) as fake:
        ctx.analyst_settings().save_endpoint_overrides(
            EndpointOverrides(base_url=fake.base_url, model="fake-model"), actor=CLI_ACTOR
        )
        at = open_page("pages/settings.py")
        assert any(s.value == "Refused output modes" for s in at.subheader)
        assert any("None remembered" in t for t in texts(at))

        _click(at, "Test connection")
        assert not at.exception, [e.value for e in at.exception]
        assert [s.value.replace("\\", "") for s in at.success] == [
            "Connected: fake-model answers in tool mode."
        ]
        assert any(t.startswith("1 model listed in") and "fake-model" in t for t in texts(at))
        modes = next(d.value for d in at.dataframe if "output mode" in d.value.columns)
        assert dict(zip(modes["output mode"], modes["works"], strict=True)) == {
            "json_schema": False,
            "tool": True,
            "json_object": True,
            "prompted": True,
        }
        refused = next(d.value for d in at.dataframe if "refused" in d.value.columns)
        assert refused[["model", "refused"]].to_dict("records") == [
            {"model": "fake-model", "refused": "json_schema"}
        ]

        _click(at, "Forget them (re-probe)")
        assert not at.exception
        assert any("Forgot 1 refusal;" in s.value for s in at.success)
        assert ctx.capabilities.refused(fake.base_url, "fake-model") == set()
        assert not any("refused" in d.value.columns for d in at.dataframe)


def test_test_connection_to_a_dead_endpoint_is_one_sentence(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/settings.py")
    at.text_input(key="llm_base_url").input("http://127.0.0.1:9/v1")
    _click(at, "Test connection")
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value.replace("\\", "")
    assert "127.0.0.1:9" in message and "Traceback" not in message and "\n" not in message
    # testing is not saving
    assert ctx.analyst_settings().endpoint_overrides() == EndpointOverrides()
