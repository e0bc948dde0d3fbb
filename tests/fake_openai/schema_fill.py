"""Make up JSON instances that match (or deliberately break) a JSON schema.

The fake server has no language model, yet the client under test validates every answer
with pydantic, so the fake must produce answers that pass that validation. This covers the
subset of JSON Schema that pydantic v2 emits: `$ref`/`$defs`, `type` (also as a list),
`enum`, `const`, `anyOf`/`oneOf`/`allOf`, numeric bounds, string lengths and common
formats, array sizes, `required`, `properties`, `additionalProperties` and `default`.
`pattern` is not honoured: a regex generator is out of scope, so keep patterns out of
schemas that the fake must satisfy.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

Schema = dict[str, Any]

# Recursive models (a node whose children are nodes) must end: past this depth only what
# is required is produced, arrays take their minimum size and nullable values become null.
MAX_DEPTH = 6
# Probability that an optional (not `required`) property is left out, so the model's default
# applies; real models sometimes omit such fields, and the client must cope.
OMIT_OPTIONAL = 0.25

WORDS = (
    "tender",
    "bid",
    "supply",
    "service",
    "contract",
    "framework",
    "municipal",
    "network",
    "maintenance",
    "software",
    "delivery",
    "lot",
    "region",
    "support",
    "quality",
    "price",
    "team",
    "project",
    "public",
    "works",
    "cloud",
    "security",
    "training",
    "design",
)


def fill(schema: Schema, rng: random.Random) -> Any:
    """A value that validates against `schema` (a pydantic v2 style JSON schema)."""
    return _fill(schema, rng, schema, 0)


def violate(schema: Schema, instance: Any, rng: random.Random) -> dict[str, Any]:
    """A copy of `instance` that no longer validates: a required field dropped or retyped.

    Used by the `schema_invalid` fault, which stands for a model that answers with valid
    JSON of the wrong shape. Only the top-level object is touched, which is enough to make
    pydantic reject it. A schema with neither required fields nor typed properties accepts
    almost anything; then the instance is returned with an extra key and may still pass.
    """
    node = _object_node(schema, schema)
    bad: dict[str, Any] = dict(instance) if isinstance(instance, dict) else {}
    changes: list[Callable[[], None]] = []
    for key in node.get("required", []):
        if key in bad:
            changes.append(lambda key=key: bad.pop(key))
    for key, sub in node.get("properties", {}).items():
        wrong = _wrong_value(sub, schema)
        if wrong is not None:
            changes.append(lambda key=key, wrong=wrong: bad.__setitem__(key, wrong))
    if changes:
        rng.choice(changes)()
    else:
        bad["__unexpected__"] = "value"
    return bad


# --- resolution -------------------------------------------------------------------------


def _deref(node: Schema, root: Schema) -> Schema:
    """Follow `$ref` chains (`#/$defs/Name`, `#/definitions/Name`) within `root`."""
    seen: set[str] = set()
    while "$ref" in node:
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#"):
            raise ValueError(f"cannot resolve $ref {ref!r}")
        seen.add(ref)
        target: Any = root
        for part in ref[1:].split("/")[1:]:
            target = target[part.replace("~1", "/").replace("~0", "~")]
        # Sibling keywords next to a $ref (description, default) add to the target.
        extra = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **extra}
    return node


def _merge_all_of(node: Schema, root: Schema) -> Schema:
    """One schema from `allOf` branches: properties merged, required lists joined."""
    merged: Schema = {k: v for k, v in node.items() if k != "allOf"}
    for branch in node["allOf"]:
        part = _deref(branch, root)
        if "allOf" in part:
            part = _merge_all_of(part, root)
        props = {**merged.get("properties", {}), **part.get("properties", {})}
        required = [*merged.get("required", []), *part.get("required", [])]
        merged = {**part, **merged}
        if props:
            merged["properties"] = props
        if required:
            merged["required"] = list(dict.fromkeys(required))
    return merged


def _resolve(node: Schema, root: Schema) -> Schema:
    node = _deref(node, root)
    return _merge_all_of(node, root) if "allOf" in node else node


def _types(node: Schema, root: Schema) -> set[str]:
    """Every JSON type a (resolved) node admits, looking through anyOf/oneOf/enum/const."""
    node = _resolve(node, root)
    if "const" in node or "enum" in node:
        values = [node["const"]] if "const" in node else node["enum"]
        return {_json_type(v) for v in values}
    branches = node.get("anyOf") or node.get("oneOf")
    if branches:
        return set().union(*(_types(b, root) for b in branches))
    kind = node.get("type")
    if isinstance(kind, list):
        return set(kind)
    if isinstance(kind, str):
        return {kind}
    if "properties" in node:
        return {"object"}
    if "items" in node or "prefixItems" in node:
        return {"array"}
    return set()


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _object_node(schema: Schema, root: Schema) -> Schema:
    """The object branch of a schema (skipping `null` in an Optional top level)."""
    node = _resolve(schema, root)
    for branch in node.get("anyOf") or node.get("oneOf") or []:
        if "object" in _types(branch, root):
            return _resolve(branch, root)
    return node


def _wrong_value(sub: Schema, root: Schema) -> Any:
    """A value of a JSON type `sub` does not admit, or None when it admits any type.

    The string is not numeric and the integer is not 0/1 so that pydantic's lax mode
    cannot coerce them into a number or a bool.
    """
    admitted = _types(sub, root)
    if not admitted:
        return None
    if "number" in admitted:
        admitted.add("integer")
    for value in ("not a number", 12345, ["unexpected"], {"unexpected": 1}):
        if _json_type(value) not in admitted:
            return value
    return None


# --- generation -------------------------------------------------------------------------


def _fill(node: Schema, rng: random.Random, root: Schema, depth: int) -> Any:
    node = _resolve(node, root)
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return rng.choice(node["enum"])
    branches = node.get("anyOf") or node.get("oneOf")
    if branches:
        return _fill(_pick_branch(branches, rng, root, depth), rng, root, depth + 1)
    kind = _pick_type(node, rng, root, depth)
    if kind is None:
        return node.get("default", rng.choice(WORDS))
    return _FILLERS[kind](node, rng, root, depth)


def _pick_branch(branches: list[Schema], rng: random.Random, root: Schema, depth: int) -> Schema:
    """A non-null branch (an LLM fills Optional fields), null only past MAX_DEPTH."""
    non_null = [b for b in branches if _types(b, root) != {"null"}]
    nulls = [b for b in branches if b not in non_null]
    if depth > MAX_DEPTH and nulls:
        return nulls[0]
    return rng.choice(non_null or branches)


def _pick_type(node: Schema, rng: random.Random, root: Schema, depth: int) -> str | None:
    kinds = sorted(_types(node, root))
    non_null = [k for k in kinds if k != "null"]
    if "null" in kinds and (depth > MAX_DEPTH or not non_null):
        return "null"
    return rng.choice(non_null) if non_null else None


def _fill_object(node: Schema, rng: random.Random, root: Schema, depth: int) -> dict[str, Any]:
    required = set(node.get("required", []))
    out: dict[str, Any] = {}
    for key, sub in node.get("properties", {}).items():
        optional = key not in required
        if optional and (depth > MAX_DEPTH or rng.random() < OMIT_OPTIONAL):
            continue
        out[key] = _fill(sub, rng, root, depth + 1)
    extra = node.get("additionalProperties")
    if not out and isinstance(extra, dict) and depth <= MAX_DEPTH:
        for word in rng.sample(WORDS, rng.randint(1, 2)):
            out[word] = _fill(extra, rng, root, depth + 1)
    return out


def _fill_array(node: Schema, rng: random.Random, root: Schema, depth: int) -> list[Any]:
    prefix = node.get("prefixItems")
    if prefix:
        return [_fill(item, rng, root, depth + 1) for item in prefix]
    low = int(node.get("minItems", 0))
    high = int(node.get("maxItems", low + 3))
    count = low if depth > MAX_DEPTH else rng.randint(max(low, min(1, high)), high)
    items = node.get("items", {})
    if not node.get("uniqueItems"):
        return [_fill(items, rng, root, depth + 1) for _ in range(count)]
    unique: dict[str, Any] = {}
    for _ in range(count * 10):
        if len(unique) >= count:
            break
        value = _fill(items, rng, root, depth + 1)
        unique.setdefault(repr(value), value)
    return list(unique.values())


def _bounds(node: Schema, step: float) -> tuple[float, float]:
    """Inclusive (low, high) from minimum/maximum/exclusive*, `step` inside exclusive bounds."""
    low = node.get("minimum")
    high = node.get("maximum")
    if isinstance(node.get("exclusiveMinimum"), int | float):
        low = node["exclusiveMinimum"] + step
    if isinstance(node.get("exclusiveMaximum"), int | float):
        high = node["exclusiveMaximum"] - step
    if low is None and high is None:
        return 0.0, 100.0
    if low is None:
        return high - 100.0, high
    if high is None:
        return low, low + 100.0
    return low, high


def _fill_integer(node: Schema, rng: random.Random, root: Schema, depth: int) -> int:
    low, high = _bounds(node, 1)
    low_i, high_i = math.ceil(low), math.floor(high)
    step = node.get("multipleOf")
    if isinstance(step, int) and step > 0:
        first, last = math.ceil(low_i / step), math.floor(high_i / step)
        if first <= last:
            return rng.randint(first, last) * step
    return rng.randint(low_i, max(low_i, high_i))


def _fill_number(node: Schema, rng: random.Random, root: Schema, depth: int) -> float:
    low, high = _bounds(node, 0.0)
    strict_low = isinstance(node.get("exclusiveMinimum"), int | float)
    strict_high = isinstance(node.get("exclusiveMaximum"), int | float)
    value = round(rng.uniform(low, high), 2)
    too_low = value < low or (strict_low and value <= low)
    too_high = value > high or (strict_high and value >= high)
    if too_low or too_high:
        value = (low + high) / 2
    return float(value)


def _fill_string(node: Schema, rng: random.Random, root: Schema, depth: int) -> str:
    fmt = node.get("format")
    if fmt in _FORMATS:
        return _FORMATS[fmt](rng)
    low = int(node.get("minLength", 0))
    high = node.get("maxLength")
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).capitalize()
    while len(text) < low:
        text += " " + rng.choice(WORDS)
    if high is not None:
        text = text[: int(high)].rstrip()
    return text.ljust(low, "x")


def _fill_boolean(node: Schema, rng: random.Random, root: Schema, depth: int) -> bool:
    return rng.random() < 0.5


def _fill_null(node: Schema, rng: random.Random, root: Schema, depth: int) -> None:
    return None


def _random_date(rng: random.Random) -> date:
    return date(2025, 1, 1) + timedelta(days=rng.randint(0, 3 * 365))


def _random_datetime(rng: random.Random) -> datetime:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return start + timedelta(seconds=rng.randint(0, 3 * 365 * 86400))


_FORMATS: dict[str, Callable[[random.Random], str]] = {
    "date": lambda rng: _random_date(rng).isoformat(),
    "date-time": lambda rng: _random_datetime(rng).isoformat().replace("+00:00", "Z"),
    "time": lambda rng: _random_datetime(rng).time().isoformat(),
    "email": lambda rng: f"{rng.choice(WORDS)}@example.com",
    "uri": lambda rng: f"https://example.com/{rng.choice(WORDS)}",
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
}

_FILLERS: dict[str, Callable[[Schema, random.Random, Schema, int], Any]] = {
    "object": _fill_object,
    "array": _fill_array,
    "string": _fill_string,
    "integer": _fill_integer,
    "number": _fill_number,
    "boolean": _fill_boolean,
    "null": _fill_null,
}
