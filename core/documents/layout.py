"""A PDF page's text as laid out, with its tables turned into rows of cells.

pypdf's layout mode keeps each line's horizontal positions, so a table comes out as lines
whose parts stand in columns, wide gaps apart, and a cell that wraps continues on the next
line in its own column. Here those lines become one tab-separated row per table row (the
form DOCX and XLSX tables take too), with wrapped cells joined, so the requirement and
criteria readers see "Technical approach<TAB>Method statements …<TAB>35%". Prose lines are
kept as lines, their spacing made single.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_GAP = re.compile(r"\S(?:.*?\S)?(?=\s{3,}|\s*$)")  # a run of text up to a gap of 3+ spaces
_SLACK = 3  # characters a column's start may drift between rows
# A clause number or bullet set apart by a hanging indent ("6.5      Bidders are…"): prose.
_MARKER = re.compile(
    r"^(?:[A-Z]\.)?\d{1,3}(?:\.\d{1,3})*\.?$|^[A-Z]\d{0,2}[.)]$|^[-•*▪–●○■◦·\x7f\uf0b7]$"
)


@dataclass
class _Table:
    starts: list[int]
    rows: list[list[str]] = field(default_factory=list)

    def column(self, start: int) -> int | None:
        near = min(range(len(self.starts)), key=lambda i: abs(self.starts[i] - start))
        return near if abs(self.starts[near] - start) <= _SLACK else None

    def fits(self, parts: list[tuple[int, int, str]]) -> bool:
        """Every part starts at one of the table's columns."""
        return all(self.column(start) is not None for start, _, _ in parts)

    def continues(self, parts: list[tuple[int, int, str]]) -> bool:
        """A line holding the wrapped end of cells of the row above: it starts in columns of
        the table, stays inside them, and leaves the row's last column empty."""
        if not self.rows or not self.fits(parts):
            return False
        columns = [self.column(start) for start, _, _ in parts]
        last = len(self.starts) - 1
        if last in columns and 0 in columns:
            return False  # a new row fills its first column
        for (_, end, _), index in zip(parts, columns, strict=True):
            assert index is not None
            if index + 1 < len(self.starts) and end > self.starts[index + 1]:
                return False
        return True

    def add(self, parts: list[tuple[int, int, str]], *, wrapped: bool) -> None:
        if not wrapped:
            self.rows.append([""] * len(self.starts))
        row = self.rows[-1]
        for start, _, text in parts:
            index = self.column(start)
            assert index is not None
            row[index] = f"{row[index]} {text}".strip()


def tabulate(layout_text: str) -> str:
    """Layout-mode page text → prose lines and tab-separated table rows."""
    out: list[str] = []
    table: _Table | None = None

    def close() -> None:
        nonlocal table
        if table is not None:
            if len(table.rows) > 1:
                out.extend("\t".join(cell for cell in row) for row in table.rows)
            else:  # one line in columns (a running header) is not a table
                out.extend(" ".join(c for c in row if c) for row in table.rows)
        table = None

    for line in layout_text.splitlines():
        parts = [(m.start(), m.end(), " ".join(m.group().split())) for m in _GAP.finditer(line)]
        if not parts:
            close()
            continue
        if len(parts) == 2 and _MARKER.match(parts[0][2]) and table is None:
            out.append(f"{parts[0][2]} {parts[1][2]}")
            continue
        if table is not None and len(parts) >= 2 and table.fits(parts):
            table.add(parts, wrapped=False)
        elif table is not None and table.continues(parts):
            table.add(parts, wrapped=True)
        elif len(parts) >= 2:
            close()
            table = _Table([start for start, _, _ in parts])
            table.add(parts, wrapped=False)
        else:
            close()
            out.append(" ".join(line.split()))
    close()
    return "\n".join(out)
