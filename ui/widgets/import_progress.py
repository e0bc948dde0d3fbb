"""A progress bar over several files, each read or imported a batch at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ui.widgets.components import md_escape


class FilesProgress:
    """One bar for a list of (name, size in bytes) files: "Reading a.json (1 of 2, 80.0 MB): 45%".

    `update(index, fraction)` moves it to file `index` (0-based), `fraction` of the way through;
    `stored` adds how many tenders were stored so far.
    """

    def __init__(self, bar: Any, verb: str, files: Sequence[tuple[str, int]]) -> None:
        self._bar = bar
        self._verb = verb
        self._files = list(files)

    def update(self, index: int, fraction: float, stored: int | None = None) -> None:
        total = len(self._files)
        if not total:
            return
        name, size = self._files[min(index, total - 1)]
        text = (
            f"{self._verb} {md_escape(name)} ({index + 1} of {total}, "
            f"{size / 1_000_000:,.1f} MB): {fraction:.0%}"
        )
        if stored is not None:
            text += f", {stored:,} tenders stored"
        self._bar.progress(min((index + fraction) / total, 1.0), text=text + "…")

    def clear(self) -> None:
        self._bar.empty()
