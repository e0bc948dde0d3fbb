"""Columns the user names (core.ingest.columns, core.imports.mapping): read as they say,
reported as used or not, remembered per header layout, and `--map` parsed with one sentence."""

from __future__ import annotations

from typing import Any

import pytest

from core.imports.mapping import (
    MapError,
    field_choice,
    field_label,
    parse_maps,
    remember,
    remembered,
    resolver,
)
from core.imports.preview import preview_file
from core.ingest import parse_file
from core.ingest.columns import column_choices, layout_key

ODD = (
    b"Opportunity name,Estimated spend (GBP),Closing Date,Closing Time,Internal notes\n"
    b'Cloud hosting for the council,"120,000",24/07/2027,12:00,call Bob\n'
)


class Store:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value


def test_without_a_choice_the_file_has_no_title_column_and_says_what_to_do() -> None:
    preview = preview_file(ODD, "odd.csv")
    assert preview.failed is not None
    assert "say which column holds the title" in preview.failed


def test_the_users_choices_read_the_columns_and_every_column_is_reported() -> None:
    choices = {"opportunityname": "title", "estimatedspendgbp": "value", "internalnotes": ""}
    preview = preview_file(ODD, "odd.csv", resolve=lambda _headers: choices)
    (tender,) = preview.first
    assert tender.title == "Cloud hosting for the council"
    assert (tender.value_amount, tender.value_currency) == (120_000, "GBP")  # unit in the header
    assert tender.deadline is not None and (tender.deadline.hour, tender.deadline.minute) == (12, 0)
    used = {c.header: (c.field, c.chosen) for c in preview.columns}
    assert used == {
        "Opportunity name": ("title", True),
        "Estimated spend (GBP)": ("value", True),
        "Closing Date": ("deadline", False),
        "Closing Time": ("deadline_time", False),
        "Internal notes": (None, True),
    }
    assert preview.unused_columns == ["Internal notes"]
    assert tender.raw["Internal notes"] == "call Bob"  # not used, still kept with the source


def test_a_choice_overrides_an_alias_and_not_used_drops_one() -> None:
    data = b"Title,Value,Budget ceiling\nCloud,100,900\n"
    with column_choices(lambda _h: {"budgetceiling": "value", "value": "value_low"}):
        (tender,) = parse_file(data, "x.csv").tenders
    assert (tender.value_low, tender.value_amount) == (100, 900)
    with column_choices(lambda _h: {"value": ""}):
        (tender,) = parse_file(data, "x.csv").tenders
    assert tender.value_amount is None


def test_choices_are_remembered_per_header_layout() -> None:
    store = Store()
    layout = layout_key(["Opportunity name", "Estimated spend (GBP)", "Internal notes"])
    assert layout == layout_key(["internal NOTES", "Opportunity Name", "estimated spend (gbp)"])
    remember(store, layout, {"opportunityname": "title", "bogus": "nonsense"})
    remember(store, layout, {"internalnotes": ""})
    assert remembered(store, layout) == {"opportunityname": "title", "internalnotes": ""}
    headers = ["Opportunity name", "Estimated spend (GBP)", "Internal notes"]
    assert resolver(store, {"internalnotes": "description"})(headers)["internalnotes"] == (
        "description"
    )
    assert resolver(store)(["Title"]) == {}  # another layout: nothing remembered


def test_map_arguments_are_parsed_and_a_wrong_one_is_one_sentence() -> None:
    assert parse_maps(["Estimated spend=value", "Notes=none", "Ref = id", "When=Deadline"]) == {
        "estimatedspend": "value",
        "notes": "",
        "ref": "source_id",
        "when": "deadline",
    }
    for bad, says in (("Estimated spend", "needs the form"), ("X=budget", "is not a field")):
        with pytest.raises(MapError, match=says) as refused:
            parse_maps([bad])
        assert "\n" not in str(refused.value)


def test_preview_labels_round_trip() -> None:
    for name in ("title", "value_low", "deadline_time", None):
        assert field_choice(field_label(name)) == (name or "")
