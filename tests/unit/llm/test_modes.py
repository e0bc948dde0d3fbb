from __future__ import annotations

import copy
import json
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from core.llm.modes import (
    MODE_ORDER,
    SCHEMA_MARKER,
    TOOL_NAME,
    OutputMode,
    build_request,
    extract_json,
    json_schema,
    next_mode,
    schema_hash,
)


class Requirement(BaseModel):
    text: str = Field(description="One requirement, quoted from the tender.")
    mandatory: bool


class Verdict(BaseModel):
    decision: Literal["bid", "no_bid"] = Field(description="Whether to bid.")
    score: int = Field(ge=0, le=100)
    main_requirement: Requirement = Field(description="The requirement that matters most.")
    requirements: list[Requirement]
    risk: Requirement | None = None
    extra: dict[str, int] = {}


class Node(BaseModel):
    children: list[Node] = []


MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "You assess tenders."},
    {"role": "user", "content": "Tender: roads."},
]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def test_modes_step_down_in_order_and_end_after_prompted() -> None:
    assert [next_mode(mode) for mode in MODE_ORDER] == [*MODE_ORDER[1:], None]
    assert MODE_ORDER[0] is OutputMode.JSON_SCHEMA


def test_schema_has_refs_inlined_and_closed_objects() -> None:
    schema = json_schema(Verdict)
    assert "$defs" not in schema
    assert _refs(schema) == []
    assert schema["additionalProperties"] is False
    main = schema["properties"]["main_requirement"]
    assert main["description"] == "The requirement that matters most."
    assert main["additionalProperties"] is False
    assert main["properties"]["text"]["description"] == "One requirement, quoted from the tender."
    assert schema["properties"]["requirements"]["items"]["required"] == ["text", "mandatory"]
    assert schema["properties"]["risk"]["anyOf"][0]["additionalProperties"] is False
    # A dict field keeps its value schema instead of being closed.
    assert schema["properties"]["extra"]["additionalProperties"] == {"type": "integer"}
    assert schema["properties"]["decision"]["description"] == "Whether to bid."


def test_recursive_model_cannot_be_inlined() -> None:
    with pytest.raises(ValueError, match="recursive"):
        json_schema(Node)


def test_schema_hash_is_short_stable_and_tracks_the_schema() -> None:
    assert schema_hash(Verdict) == schema_hash(Verdict)
    assert len(schema_hash(Verdict)) == 16
    assert int(schema_hash(Verdict), 16) >= 0
    assert schema_hash(Verdict) != schema_hash(Requirement)


def test_json_schema_mode() -> None:
    before = copy.deepcopy(MESSAGES)
    messages, kwargs = build_request(OutputMode.JSON_SCHEMA, Verdict, MESSAGES)
    assert messages == MESSAGES
    assert messages is not MESSAGES
    assert kwargs == {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "Verdict", "schema": json_schema(Verdict), "strict": False},
        }
    }
    assert before == MESSAGES


def test_tool_mode_forces_the_tool() -> None:
    messages, kwargs = build_request(OutputMode.TOOL, Verdict, MESSAGES)
    assert messages == MESSAGES
    assert kwargs["tools"] == [
        {
            "type": "function",
            "function": {
                "name": TOOL_NAME,
                "description": "Record the answer.",
                "parameters": json_schema(Verdict),
            },
        }
    ]
    assert kwargs["tool_choice"] == {"type": "function", "function": {"name": TOOL_NAME}}


@pytest.mark.parametrize(
    ("mode", "expected_kwargs"),
    [
        (OutputMode.JSON_OBJECT, {"response_format": {"type": "json_object"}}),
        (OutputMode.PROMPTED, {}),
    ],
)
def test_schema_goes_into_the_system_message(
    mode: OutputMode, expected_kwargs: dict[str, Any]
) -> None:
    before = copy.deepcopy(MESSAGES)
    messages, kwargs = build_request(mode, Verdict, MESSAGES)
    assert kwargs == expected_kwargs
    assert before == MESSAGES
    assert len(messages) == 2
    expected = (
        "You assess tenders.\n\n"
        + SCHEMA_MARKER
        + "\n```json\n"
        + json.dumps(json_schema(Verdict))
        + "\n```\nReply with the JSON object only, no prose."
    )
    assert messages[0] == {"role": "system", "content": expected}
    assert messages[1] == MESSAGES[1]


def test_a_system_message_is_added_when_there_is_none() -> None:
    user_only = [{"role": "user", "content": "Tender: roads."}]
    messages, _ = build_request(OutputMode.PROMPTED, Verdict, user_only)
    assert user_only == [{"role": "user", "content": "Tender: roads."}]
    assert messages[0]["role"] == "system"
    assert messages[0]["content"].startswith(SCHEMA_MARKER)
    assert messages[1:] == user_only


VALID = '{"decision": "bid", "score": 7}'


@pytest.mark.parametrize(
    "content",
    [
        VALID,
        f"  {VALID}\n",
        f"```json\n{VALID}\n```",
        f"```\n{VALID}\n```",
        f"Here is the answer:\n```json\n{VALID}\n```\nHope it helps.",
        f"Sure! {VALID} Let me know.",
        f"<think>Maybe {{score: 3}}? No.</think>\n{VALID}",
        f"<think>\nreasoning\n</think>```json\n{VALID}\n```",
        f"reasoning whose opening tag was in the prompt</think>{VALID}",
        f"Use {{placeholders}} carefully. {VALID}",
        json.dumps(VALID),
    ],
)
def test_extract_json_finds_the_object(content: str) -> None:
    assert json.loads(extract_json(OutputMode.PROMPTED, content, None)) == json.loads(VALID)


def test_extract_json_from_a_tool_call_falls_back_to_content() -> None:
    assert extract_json(OutputMode.TOOL, "ignored", VALID) == VALID
    assert extract_json(OutputMode.TOOL, VALID, "") == VALID
    assert extract_json(OutputMode.TOOL, VALID, None) == VALID
    # Other modes ignore tool arguments.
    assert extract_json(OutputMode.JSON_OBJECT, VALID, '{"other": 1}') == VALID


@pytest.mark.parametrize(
    "content",
    [
        None,
        "",
        "I cannot help with that.",
        "[1, 2, 3]",
        '<think>{"decision": "bid"}</think>No answer.',
    ],
)
def test_extract_json_without_an_object(content: str | None) -> None:
    with pytest.raises(ValueError, match=r"^the answer holds no JSON object$"):
        extract_json(OutputMode.PROMPTED, content, None)


@pytest.mark.parametrize(
    "content",
    [
        '{"decision": "bid", "main_requirement": {"text": "ISO 9001"}, "requirements": [',
        '```json\n{"decision": "bid", "main_requirement": {"text": "x"}, "score": 1',
        '{"decision": "bid",}',
        "{'decision': 'bid'}",
    ],
)
def test_truncated_or_malformed_json_is_an_error(content: str) -> None:
    with pytest.raises(ValueError):
        extract_json(OutputMode.JSON_OBJECT, content, None)
