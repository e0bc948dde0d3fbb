"""The Import page's bar over several files: where it stands and what it says."""

from __future__ import annotations

from ui.widgets.import_progress import FilesProgress


class FakeBar:
    def __init__(self) -> None:
        self.shown: list[tuple[float, str]] = []
        self.emptied = False

    def progress(self, value: float, text: str = "") -> None:
        self.shown.append((value, text))

    def empty(self) -> None:
        self.emptied = True


def test_the_bar_moves_through_each_file_in_turn() -> None:
    bar = FakeBar()
    files = FilesProgress(bar, "Importing", [("big.json", 134_000_000), ("b_c.csv", 2_000)])
    files.update(0, 0.0)
    files.update(0, 0.5, 50_000)
    files.update(1, 1.0, 100_010)
    files.clear()
    assert [value for value, _ in bar.shown] == [0.0, 0.25, 1.0]
    assert bar.shown[1][1] == "Importing big\\.json (1 of 2, 134.0 MB): 50%, 50,000 tenders stored…"
    assert bar.shown[2][1].startswith("Importing b\\_c\\.csv (2 of 2, 0.0 MB): 100%")
    assert bar.emptied


def test_no_files_shows_nothing() -> None:
    bar = FakeBar()
    FilesProgress(bar, "Reading", []).update(0, 0.5)
    assert bar.shown == []
