"""Output modes: how a request asks for JSON, and how the JSON is read back out of the answer.

Order of preference: json_schema → forced tool call → json_object with the schema in the
prompt → prompted (extract the JSON block from free text). Whatever the mode, the caller
validates the text with pydantic: some servers accept a schema and ignore it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from enum import StrEnum
from functools import cache
from typing import Any

from pydantic import BaseModel

# Marker that precedes the schema in json_object / prompted modes. tests/fake_openai reads it.
SCHEMA_MARKER = "Answer with one JSON object that matches this JSON schema:"
TOOL_NAME = "record_answer"
NO_JSON_OBJECT = "the answer holds no JSON object"
CUT_OFF_JSON_OBJECT = "the answer's JSON object is cut off or malformed"


class OutputMode(StrEnum):
    JSON_SCHEMA = "json_schema"
    TOOL = "tool"
    JSON_OBJECT = "json_object"
    PROMPTED = "prompted"


MODE_ORDER: tuple[OutputMode, ...] = (
    OutputMode.JSON_SCHEMA,
    OutputMode.TOOL,
    OutputMode.JSON_OBJECT,
    OutputMode.PROMPTED,
)

# Keywords whose value is one schema, a list of schemas, or a name → schema map.
_SCHEMA_KEYS = frozenset(
    {"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"}
)
_SCHEMA_LIST_KEYS = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
_SCHEMA_MAP_KEYS = frozenset({"properties", "patternProperties", "dependentSchemas"})
_THINK_BLOCK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n?(.*?)```", re.DOTALL)


def next_mode(mode: OutputMode) -> OutputMode | None:
    """The mode to step down to after `mode` was refused; None after `prompted`."""
    position = MODE_ORDER.index(mode)
    return MODE_ORDER[position + 1] if position + 1 < len(MODE_ORDER) else None


def json_schema(model_cls: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with every $ref inlined, ready to send to a server.

    Field order is kept (the model writes its reasoning first); each call gets a fresh copy.
    """
    return json.loads(_schema_text(model_cls))


@cache
def schema_hash(model_cls: type[BaseModel]) -> str:
    """A short, stable hash of the model's schema (for cache keys)."""
    canonical = json.dumps(
        json_schema(model_cls), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@cache
def _schema_text(model_cls: type[BaseModel]) -> str:
    # Answer classes never change at run time, and every request needs their schema.
    raw = model_cls.model_json_schema()
    definitions: dict[str, Any] = raw.pop("$defs", {})
    return json.dumps(_inline(raw, definitions, ()), ensure_ascii=False)


def build_request(
    mode: OutputMode, model_cls: type[BaseModel], messages: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(messages, extra create() kwargs) for one request in `mode`; `messages` is not mutated."""
    schema = json_schema(model_cls)
    request_messages = copy.deepcopy(messages)
    if mode is OutputMode.JSON_SCHEMA:
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": model_cls.__name__, "schema": schema, "strict": False},
        }
        return request_messages, {"response_format": response_format}
    if mode is OutputMode.TOOL:
        tool = {
            "type": "function",
            "function": {
                "name": TOOL_NAME,
                "description": "Record the answer.",
                "parameters": schema,
            },
        }
        tool_choice = {"type": "function", "function": {"name": TOOL_NAME}}
        return request_messages, {"tools": [tool], "tool_choice": tool_choice}
    request_messages = _with_schema_instruction(request_messages, schema)
    if mode is OutputMode.JSON_OBJECT:
        return request_messages, {"response_format": {"type": "json_object"}}
    return request_messages, {}


def extract_json(mode: OutputMode, content: str | None, tool_arguments: str | None) -> str:
    """The JSON object text in an answer (strips fences and prose); raises ValueError if none."""
    text = content
    if mode is OutputMode.TOOL and tool_arguments and tool_arguments.strip():
        text = tool_arguments
    if not text or not text.strip():
        raise ValueError(NO_JSON_OBJECT)
    return _find_object(_strip_thinking(text), depth=0)


def schema_instruction(schema: dict[str, Any]) -> str:
    """The text appended to the system message in json_object and prompted modes."""
    return (
        "\n\n"
        + SCHEMA_MARKER
        + "\n```json\n"
        + json.dumps(schema)
        + "\n```\nReply with the JSON object only, no prose."
    )


def _inline(node: Any, definitions: dict[str, Any], seen: tuple[str, ...]) -> Any:
    """A copy of one schema node with $refs replaced by their definitions."""
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = _definition_name(node["$ref"])
        if name in seen or name not in definitions:
            raise ValueError(f"cannot inline the schema reference {node['$ref']!r} (recursive?)")
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        # Sibling keys (a field's description, default) describe this use; they win.
        merged = {**definitions[name], **siblings}
        return _inline(merged, definitions, (*seen, name))
    inlined: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_KEYS and isinstance(value, dict):
            inlined[key] = _inline(value, definitions, seen)
        elif key in _SCHEMA_LIST_KEYS and isinstance(value, list):
            inlined[key] = [_inline(item, definitions, seen) for item in value]
        elif key in _SCHEMA_MAP_KEYS and isinstance(value, dict):
            inlined[key] = {name: _inline(sub, definitions, seen) for name, sub in value.items()}
        else:
            inlined[key] = copy.deepcopy(value)
    if inlined.get("type") == "object" and "additionalProperties" not in inlined:
        inlined["additionalProperties"] = False
    return inlined


def _definition_name(ref: str) -> str:
    prefix = "#/$defs/"
    if not isinstance(ref, str) or not ref.startswith(prefix):
        raise ValueError(f"cannot inline the schema reference {ref!r}")
    return ref[len(prefix) :]


def _with_schema_instruction(
    messages: list[dict[str, Any]], schema: dict[str, Any]
) -> list[dict[str, Any]]:
    instruction = schema_instruction(schema)
    for message in messages:
        if message.get("role") != "system":
            continue
        system_content = message.get("content")
        if isinstance(system_content, list):
            message["content"] = [*system_content, {"type": "text", "text": instruction}]
        else:
            message["content"] = (system_content or "") + instruction
        return messages
    return [{"role": "system", "content": instruction.lstrip()}, *messages]


def _strip_thinking(text: str) -> str:
    text = _THINK_BLOCK.sub("", text)
    # Some chat templates put the opening <think> in the prompt, so only the close shows.
    closing = text.lower().rfind("</think>")
    if closing != -1:
        text = text[closing + len("</think>") :]
    return text.strip()


def _find_object(text: str, depth: int) -> str:
    try:
        whole = json.loads(text)
    except ValueError:
        pass
    else:
        if isinstance(whole, dict):
            return text
        # A model sometimes double-encodes: the answer is a JSON string holding the object.
        if isinstance(whole, str) and depth == 0:
            return _find_object(_strip_thinking(whole), depth=1)
        raise ValueError(NO_JSON_OBJECT)
    for fenced in _FENCE.findall(text):
        try:
            if isinstance(json.loads(fenced), dict):
                return fenced.strip()
        except ValueError:
            continue
    return _scan_for_object(text)


def _scan_for_object(text: str) -> str:
    """The first balanced {...} in prose that decodes to a JSON object."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            found, end = decoder.raw_decode(text, start)
        except ValueError:
            found, end = None, _balanced_end(text, start)
            if end is None:
                # The object never closes: it was cut off; an inner object would be garbage.
                raise ValueError(CUT_OFF_JSON_OBJECT) from None
        if isinstance(found, dict):
            return text[start:end]
        start = text.find("{", end)
    raise ValueError(NO_JSON_OBJECT)


def _balanced_end(text: str, start: int) -> int | None:
    """Index just past the brace that closes the one at `start` (JSON strings respected)."""
    depth = 0
    in_string = False
    escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return None
