"""A later notice of a procedure is merged over the stored tender the way OCDS compiles releases:
what the notice leaves out keeps its earlier value, what it gives replaces it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from core.ingest import parse_file
from core.models import (
    MERGED_FIELDS,
    SUBSTANTIVE_FIELDS,
    Classification,
    Lot,
    NoticeDocument,
    NoticeType,
    Tender,
)

PUBLISHED = datetime(2026, 10, 1, 9, tzinfo=UTC)
DEADLINE = datetime(2026, 12, 15, 12, tzinfo=UTC)
BST = timezone(timedelta(hours=1))


def full(**fields: Any) -> Tender:
    values: dict[str, Any] = {
        "id": 7,
        "source": "ocds",
        "source_id": "ocds-abc-001",
        "procedure_id": "ocds-abc-001",
        "title": "Cybersecurity testing and monitoring",
        "description": "Penetration testing and SOC services for the council.",
        "buyer": "City of Ely",
        "value_amount": 200_000.0,
        "value_currency": "GBP",
        "deadline": DEADLINE,
        "cpv_codes": ["72212730"],
        "classifications": [Classification(scheme="UNSPSC", code="81111801")],
        "lots": [Lot(id="1", title="Testing"), Lot(id="2", title="Monitoring")],
        "documents": [NoticeDocument(title="ITT", url="https://example.test/itt.pdf")],
        "country": "GB",
        "language": "en",
        "url": "https://example.test/n/1",
        "notice_type": NoticeType.TENDER,
        "form_type": "UK4,tender",
        "published_at": PUBLISHED,
        "raw": {"id": "1"},
    }
    values.update(fields)
    return Tender.model_validate(values)


def partial(**fields: Any) -> Tender:
    """A later release carrying only what it changes (plus the title the importer needs)."""
    values: dict[str, Any] = {
        "source": "ocds",
        "procedure_id": "ocds-abc-001",
        "title": "Cybersecurity testing and monitoring",
        "form_type": "UK4,tender",
        "published_at": PUBLISHED + timedelta(days=3),
        "raw": {"id": "2"},
    }
    values.update(fields)
    return Tender.model_validate(values)


def test_what_a_partial_notice_leaves_out_keeps_its_stored_value() -> None:
    stored = full()
    later = DEADLINE + timedelta(days=14)
    merged = partial(deadline=later).merged_over(stored)
    assert merged.deadline == later
    for name in MERGED_FIELDS:
        if name != "deadline":
            assert getattr(merged, name) == getattr(stored, name), name
    assert merged.id == stored.id
    assert merged.published_at == PUBLISHED + timedelta(days=3)
    assert merged.raw == {"id": "2"}, "the payload is the newest notice's"
    assert merged.changes_from(stored).keys() == {"deadline", "published_at"}


def test_what_a_notice_gives_replaces_the_stored_value() -> None:
    stored = full()
    merged = partial(
        buyer="Ely City Council",
        cpv_codes=["72000000"],
        lots=[Lot(id="1", title="Everything")],
        value_amount=0.0,
    ).merged_over(stored)
    assert merged.buyer == "Ely City Council"
    assert merged.cpv_codes == ["72000000"]
    assert [lot.title for lot in merged.lots] == ["Everything"]
    assert merged.value_amount == 0.0 and merged.value_currency == "GBP"
    assert merged.changes_from(stored).keys() == {
        "buyer",
        "cpv_codes",
        "lots",
        "value_amount",
        "published_at",
    }


def test_the_notice_type_form_and_date_are_always_the_newest_notices() -> None:
    stored = full()
    stub = partial(
        title="Cancellation notice for ocds-abc-001",
        title_derived=True,
        notice_type=NoticeType.CANCELLATION,
        form_type=None,
    )
    merged = stub.merged_over(stored)
    assert merged.notice_type is NoticeType.CANCELLATION
    assert merged.form_type is None
    assert (merged.title, merged.buyer, merged.cpv_codes) == (
        stored.title,
        stored.buyer,
        stored.cpv_codes,
    )
    changes = merged.changes_from(stored)
    assert changes.keys() == {"notice_type", "form_type", "published_at"}
    assert changes.keys() & SUBSTANTIVE_FIELDS == {"notice_type"}


def test_a_derived_title_never_replaces_a_stored_one_but_a_published_title_does() -> None:
    stored = full()
    derived = partial(title="Penetration testing and SOC services", title_derived=True)
    assert derived.merged_over(stored).title == stored.title
    renamed = partial(title="Cyber security testing")
    assert renamed.merged_over(stored).title == "Cyber security testing"


def test_the_title_flag_is_not_stored_or_dumped() -> None:
    stub = partial(title_derived=True)
    assert "title_derived" not in stub.model_dump()
    assert "title_derived" not in stub.model_dump_json()


def test_the_same_instant_in_another_zone_is_no_change() -> None:
    stored = full()
    again = full(
        deadline=DEADLINE.astimezone(BST),
        published_at=PUBLISHED.astimezone(BST),
    )
    assert again.changes_from(stored) == {}
    moved = full(deadline=DEADLINE.astimezone(BST) + timedelta(hours=1))
    assert moved.changes_from(stored) == {
        "deadline": {"old": "2026-12-15T12:00:00Z", "new": "2026-12-15T14:00:00+01:00"}
    }


def release(number: int, day: int, tags: list[str], **sections: Any) -> dict[str, Any]:
    return {
        "ocid": "ocds-test77-1",
        "id": str(number),
        "date": f"2026-10-{day:02d}T09:00:00Z",
        "tag": tags,
        **sections,
    }


def test_the_ocds_importer_says_which_titles_it_derived() -> None:
    document = {
        "uri": "https://example.org/p",
        "publishedDate": "2026-10-01T00:00:00Z",
        "releases": [
            release(1, 1, ["tender"], tender={"title": "Cybersecurity testing"}),
            release(2, 2, ["tenderCancellation"], tender={"status": "cancelled"}),
            release(
                3,
                3,
                ["tenderUpdate"],
                tender={"description": "Penetration testing of the council's network."},
            ),
            release(4, 4, ["tender"], tender={"lots": [{"id": "1", "title": "Testing"}]}),
        ],
    }
    parsed = parse_file(json.dumps(document).encode(), "releases.json")
    assert [(t.title, t.title_derived) for t in parsed.tenders] == [
        ("Cybersecurity testing", False),
        ("Cancellation notice for ocds-test77-1", True),
        ("Penetration testing of the council's network", True),
        ("Testing", True),
    ]
