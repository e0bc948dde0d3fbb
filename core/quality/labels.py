"""Labels for an evaluation: a CSV of `id,relevant`, the ids being the files' own notice ids."""

from __future__ import annotations

import csv
import io
from pathlib import Path

YES = frozenset({"yes", "y", "1", "true", "t", "relevant"})
NO = frozenset({"no", "n", "0", "false", "f", "not relevant", "irrelevant"})
ID_COLUMNS = ("id", "source_id", "notice_id", "ocid")
LABEL_COLUMNS = ("relevant", "label", "is_relevant")


class LabelError(ValueError):
    """The labels file cannot be used; the message is one sentence saying what to fix."""


def read_labels(path: Path) -> dict[str, bool]:
    """{notice id: relevant} from a CSV file; LabelError when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelError(f"Cannot read the labels file {path.name}: {exc}.") from exc
    return parse_labels(text, path.name)


def parse_labels(text: str, name: str = "labels") -> dict[str, bool]:
    rows = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(rows, [])]
    id_at = _column(header, ID_COLUMNS, name, "the notice id")
    label_at = _column(header, LABEL_COLUMNS, name, "whether it is relevant")
    labels: dict[str, bool] = {}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(id_at, label_at):
            raise LabelError(f"{name}, line {line}: expected an id and a label.")
        notice_id, value = row[id_at].strip(), row[label_at].strip().lower()
        if not notice_id:
            raise LabelError(f"{name}, line {line}: the id is empty.")
        if value in YES:
            labels[notice_id] = True
        elif value in NO:
            labels[notice_id] = False
        else:
            raise LabelError(
                f"{name}, line {line}: “{row[label_at].strip()[:40]}” is not a label; "
                "write yes/no, 1/0 or true/false."
            )
    if not labels:
        raise LabelError(f"{name} has no labels; add rows of id,relevant.")
    return labels


def _column(header: list[str], names: tuple[str, ...], file: str, what: str) -> int:
    for name in names:
        if name in header:
            return header.index(name)
    raise LabelError(
        f"{file} needs a column for {what} ({' or '.join(names[:2])}); "
        f"its header is {', '.join(header) or 'empty'}."
    )
