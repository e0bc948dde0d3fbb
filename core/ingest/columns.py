"""Columns the user named: "Estimated spend" is the value, "Internal notes" is not used.

A spreadsheet's header is matched to fields by aliases (core.ingest.fields). What the aliases
do not know, the user says: in the Import preview, or with `import --map "Estimated spend=value"`.
Choices are keyed by the header's normalised text and remembered per header layout (the set of
column names), so the next file of the same layout is read the same way. While a
`column_choices(...)` block runs, readers ask it for the user's mapping and report what they saw.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

#: normalised header → canonical field, or "" for a column the user says is not used
ColumnMap = Mapping[str, str]
NOT_USED = ""


@dataclass(frozen=True, slots=True)
class ColumnUse:
    """One column of a file: its header, the field it fills (None: not used), a sample."""

    header: str
    field: str | None
    sample: str = ""
    chosen: bool = False  # the user's choice rather than an alias


@dataclass(frozen=True, slots=True)
class LayoutReport:
    """What a reader saw of a file's header row."""

    layout: str
    columns: tuple[ColumnUse, ...]

    @property
    def unused(self) -> list[str]:
        return [c.header for c in self.columns if c.field is None and c.header]


@dataclass
class ColumnChoices:
    """The user's mapping for a header row (`resolve(headers)`), and the layouts seen."""

    resolve: Callable[[Sequence[str]], ColumnMap]
    seen: list[LayoutReport] = field(default_factory=list)


_CHOICES: ContextVar[ColumnChoices | None] = ContextVar("column_choices", default=None)


@contextmanager
def column_choices(
    resolve: Callable[[Sequence[str]], ColumnMap] | None = None,
) -> Iterator[ColumnChoices]:
    """Within this block, readers use `resolve(headers)` and record the layouts they read."""
    choices = ColumnChoices(resolve or (lambda _headers: {}))
    token = _CHOICES.set(choices)
    try:
        yield choices
    finally:
        _CHOICES.reset(token)


def user_mapping(headers: Sequence[str]) -> ColumnMap:
    choices = _CHOICES.get()
    return choices.resolve(headers) if choices is not None else {}


def report_layout(
    headers: Sequence[str], used: Sequence[tuple[str | None, bool]], row: Sequence[object]
) -> None:
    """A reader read its header row: each header with the field it fills, and the first row."""
    choices = _CHOICES.get()
    if choices is None:
        return
    samples = [" ".join(str(cell).split())[:60] for cell in row]
    columns = tuple(
        ColumnUse(header, fill, samples[i] if i < len(samples) else "", chosen)
        for i, (header, (fill, chosen)) in enumerate(zip(headers, used, strict=False))
    )
    choices.seen.append(LayoutReport(layout_key(headers), columns))


def layout_key(headers: Sequence[str]) -> str:
    """The same column names in any order, case or punctuation: the same layout."""
    from core.ingest.fields import normalise_header

    names = sorted({normalise_header(h) for h in headers if h and h.strip()})
    return hashlib.sha256("|".join(names).encode("utf-8")).hexdigest()[:16]
