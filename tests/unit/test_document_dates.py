"""Key dates read offline from a tender's documents: what each date is, its time, its words."""

from __future__ import annotations

import inspect
import io
from datetime import date, datetime, time

import docx
import openpyxl
import pytest

from core.documents import dates as dates_module
from core.documents.dates import KeyDate, find_key_dates, soonest_first
from core.documents.extract import extract
from core.models.documents import PageText
from tests.fakes import pdf_bytes


def read(*lines: str, source: str = "itt.pdf", page: int = 1) -> list[KeyDate]:
    return find_key_dates([(source, [PageText(page, "\n".join(lines))])])


def by_kind(found: list[KeyDate]) -> dict[str, tuple[date, time | None]]:
    return {d.kind: (d.on, d.at) for d in found}


# An invitation to tender as a PDF reader gives it: lines broken mid-sentence.
ITT = [
    [
        "Invitation to Tender: Grounds maintenance services",
        "1. Introduction",
        "This invitation to tender was published on 3 January 2027. The current",
        "contract was let in 2019 and the current contract expires on 31 March 2027.",
        "2. Timetable and instructions",
        "Clarification questions must be submitted through the portal by 12:00 on",
        "Friday 19 February 2027; responses will be published by 26 February 2027.",
        "A site visit will be held at the depot on 24 February 2027 at 10.00.",
        "Tenders must be received by 17:00 hrs on 5 March 2027. Late tenders will not",
        "be considered.",
    ],
    [
        "3. The contract",
        "Notification of award is expected on 19 March 2027, followed by a standstill",
        "period of ten days. The contract will run from 1 April 2027 to 31 March 2029,",
        "with go-live of the new booking system on 1 June 2027.",
    ],
]


def test_an_invitation_to_tender_as_pdf_gives_each_key_date_once_with_its_page() -> None:
    found = find_key_dates([("itt.pdf", extract("itt.pdf", pdf_bytes(ITT)).pages)])
    assert [(d.kind, d.on, d.at, d.page) for d in found] == [
        ("clarification", date(2027, 2, 19), time(12), 1),
        ("site_visit", date(2027, 2, 24), time(10), 1),
        ("submission", date(2027, 3, 5), time(17), 1),
        ("award", date(2027, 3, 19), None, 2),
        ("contract_start", date(2027, 4, 1), None, 2),
        ("contract_end", date(2029, 3, 31), None, 2),
    ]
    submission = found[2]
    assert submission.source == "itt.pdf"
    assert submission.label == "Tenders due"
    assert submission.quote == "Tenders must be received by 17:00 hrs on 5 March 2027."


def test_a_timetable_table_in_a_docx_arrives_as_rows_and_gives_its_dates() -> None:
    document = docx.Document()
    document.add_paragraph("Procurement timetable")
    rows = [
        ("Activity", "Date"),
        ("ITT published", "08/01/2027"),
        ("Deadline for clarification questions", "19/02/2027 12:00"),
        ("Clarification responses issued", "26/02/2027"),
        ("Tender submission deadline", "05/03/2027 12:00 noon"),
        ("Notification of award", "19/03/2027"),
        ("Standstill period ends", "29/03/2027"),
        ("Contract start date", "01/04/2027"),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    for row, (activity, when) in zip(table.rows, rows, strict=True):
        row.cells[0].text, row.cells[1].text = activity, when
    buffer = io.BytesIO()
    document.save(buffer)
    found = find_key_dates([("itt.docx", extract("itt.docx", buffer.getvalue()).pages)])
    assert by_kind(found) == {
        "clarification": (date(2027, 2, 19), time(12)),
        "submission": (date(2027, 3, 5), time(12)),
        "award": (date(2027, 3, 19), None),
        "contract_start": (date(2027, 4, 1), None),
    }
    assert found[0].quote == "Deadline for clarification questions | 19/02/2027 12:00"


def test_a_spreadsheet_timetable_with_date_cells_keeps_only_real_times() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Milestone", "Date"])
    sheet.append(["Closing date for tenders", datetime(2027, 3, 5, 12, 0)])
    sheet.append(["Expected contract start", datetime(2027, 4, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    found = find_key_dates([("timetable.xlsx", extract("timetable.xlsx", buffer.getvalue()).pages)])
    assert by_kind(found) == {
        "submission": (date(2027, 3, 5), time(12)),
        "contract_start": (date(2027, 4, 1), None),
    }


@pytest.mark.parametrize(
    "written",
    [
        "12 March 2027",
        "12th March 2027",
        "Friday 12 March 2027",
        "Friday, the 12th of March 2027",
        "March 12, 2027",
        "Mar 12th 2027",
        "12/03/2027",
        "12.03.2027",
        "12-03-2027",
        "2027-03-12",
        "12-Mar-2027",
        "12 Mar. 2027",
    ],
)
def test_each_way_of_writing_a_date_is_read(written: str) -> None:
    assert by_kind(read(f"The closing date for tenders is {written}.")) == {
        "submission": (date(2027, 3, 12), None)
    }


@pytest.mark.parametrize(
    ("sentence", "at"),
    [
        ("Tenders must be submitted by 12:00 on 5 March 2027.", time(12)),
        ("Tenders must be submitted by 12.00 on 5 March 2027.", time(12)),
        ("Tenders must be submitted by noon on 5 March 2027.", time(12)),
        ("Tenders must be submitted by 12:00 noon on 5 March 2027.", time(12)),
        ("Tenders must be submitted by 5pm on 5 March 2027.", time(17)),
        ("Tenders must be submitted by 5 p.m. on 5 March 2027.", time(17)),
        ("Tenders must be submitted by 17:00 hrs on Friday 5 March 2027.", time(17)),
        ("Tenders must be submitted by 23:59 (UK time) on 5 March 2027.", time(23, 59)),
        ("Tenders must be submitted on 5 March 2027 at 12:00.", time(12)),
        ("Tenders must be submitted on 5 March 2027 at 9:30 am GMT.", time(9, 30)),
        ("Tenders must be submitted by midnight on 5 March 2027.", time(23, 59)),
        ("Tenders must be submitted by 5 March 2027, quoting reference 12.50.", None),
    ],
)
def test_the_time_next_to_a_date_is_kept(sentence: str, at: time | None) -> None:
    assert by_kind(read(sentence)) == {"submission": (date(2027, 3, 5), at)}


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Clarification questions must be raised by 19 February 2027.", "clarification"),
        ("The deadline for questions is 19 February 2027.", "clarification"),
        (
            "Queries should be sent to the procurement team before 19 February 2027.",
            "clarification",
        ),
        ("Requests for further information must be made by 19 February 2027.", "clarification"),
        ("Tenders must be received by 19 February 2027.", "submission"),
        ("The submission deadline is 19 February 2027.", "submission"),
        ("Tender return date: 19 February 2027", "submission"),
        ("The deadline for receipt of tenders is 19 February 2027.", "submission"),
        ("Responses due 19 February 2027.", "submission"),
        ("The contract will commence on 19 February 2027.", "contract_start"),
        ("Service commencement: 19 February 2027", "contract_start"),
        ("The expected start date is 19 February 2027.", "contract_start"),
        ("Bidders may attend a site visit on 19 February 2027.", "site_visit"),
        ("Contract award is expected on 19 February 2027.", "award"),
        ("The standstill period begins on 19 February 2027.", "award"),
        ("The contract will end on 19 February 2027.", "contract_end"),
    ],
)
def test_the_words_before_a_date_say_what_it_is(sentence: str, kind: str) -> None:
    assert [(d.kind, d.on) for d in read(sentence)] == [(kind, date(2027, 2, 19))]


@pytest.mark.parametrize(
    "sentence",
    [
        "This notice was published on 3 January 2027.",
        "The current contract was let in 2019.",
        "The current contract expires on 31 March 2027.",
        "The Council's annual report of 3 January 2027 sets out its priorities.",
        "Go-live of the new system is planned for 1 June 2027.",
        "Clarification responses will be published on 26 February 2027.",
        "Invitation to tender issued\t10/01/2027",
        "The closing date for tenders is 31/02/2027.",
        "The closing date for tenders is 5 March 1999.",
        "The closing date for tenders is 13/13/2027.",
    ],
)
def test_a_date_that_names_no_key_event_or_is_not_a_date_is_left_out(sentence: str) -> None:
    assert read(sentence) == []


def test_a_day_first_date_reads_month_first_only_where_day_first_is_impossible() -> None:
    assert by_kind(read("Tenders must be received by 03/04/2027.")) == {
        "submission": (date(2027, 4, 3), None)
    }
    assert by_kind(read("Tenders must be received by 03/15/2027.")) == {
        "submission": (date(2027, 3, 15), None)
    }


def test_two_dates_in_one_sentence_each_take_the_words_before_them() -> None:
    found = read(
        "Clarification questions must be received by 19 February 2027 and the closing date "
        "for tenders is 12:00 on 5 March 2027."
    )
    assert by_kind(found) == {
        "clarification": (date(2027, 2, 19), None),
        "submission": (date(2027, 3, 5), time(12)),
    }


def test_a_clarification_sentence_that_mentions_the_tender_deadline_is_a_clarification() -> None:
    found = read(
        "Clarification questions must be received no later than 7 days before the tender "
        "submission deadline, i.e. by 19 February 2027."
    )
    assert by_kind(found) == {"clarification": (date(2027, 2, 19), None)}


def test_a_contract_period_range_gives_its_start_and_end_and_another_range_its_start() -> None:
    assert by_kind(read("Contract period\t01/04/2027 – 31/03/2029")) == {
        "contract_start": (date(2027, 4, 1), None),
        "contract_end": (date(2029, 3, 31), None),
    }
    assert by_kind(
        read("Site visits will be held between 22 February 2027 and 24 February 2027.")
    ) == {"site_visit": (date(2027, 2, 22), None)}


def test_a_mention_with_a_time_beats_an_earlier_one_without_for_the_same_kind() -> None:
    summary = ("summary.pdf", [PageText(1, "Closing date: 5 March 2027")])
    itt = ("itt.pdf", [PageText(4, "Tenders must be uploaded by 12:00 on 5 March 2027.")])
    found = find_key_dates([summary, itt])
    assert [(d.kind, d.at, d.source, d.page) for d in found] == [
        ("submission", time(12), "itt.pdf", 4)
    ]


def test_otherwise_the_first_stated_date_of_a_kind_wins() -> None:
    found = read(
        "The contract will commence on 1 April 2027.",
        "",
        "Services will start on 1 May 2027 in the northern area.",
    )
    assert by_kind(found) == {"contract_start": (date(2027, 4, 1), None)}


def test_key_dates_come_soonest_first_whatever_order_they_are_written_in() -> None:
    found = read(
        "The contract will commence on 1 April 2027.",
        "Tenders must be received by 12:00 on 5 March 2027.",
        "Clarification questions by 17:00 on 19 February 2027.",
    )
    assert [d.kind for d in found] == ["clarification", "submission", "contract_start"]


def test_a_day_without_a_time_sorts_after_the_timed_dates_of_that_day() -> None:
    site_visit = KeyDate("site_visit", "Site visit", date(2027, 3, 5), None, "a.pdf", 1, "")
    tenders = KeyDate("submission", "Tenders due", date(2027, 3, 5), time(12), "a.pdf", 1, "")
    questions = KeyDate("clarification", "Q", date(2027, 2, 19), time(17), "a.pdf", 1, "")
    assert soonest_first([site_visit, tenders, questions]) == [questions, tenders, site_visit]


def test_when_shows_the_weekday_and_time_of_a_deadline_and_just_the_day_otherwise() -> None:
    tenders = KeyDate("submission", "Tenders due", date(2027, 3, 5), time(12), "a.pdf", 1, "")
    start = KeyDate("contract_start", "Contract starts", date(2027, 4, 1), None, "a.pdf", 1, "")
    assert tenders.when == "Fri 5 Mar 2027, 12:00"
    assert start.when == "1 Apr 2027"


def test_a_long_sentence_is_quoted_around_its_date_within_300_characters() -> None:
    padding = "the authority reserves the right to vary the arrangements described here " * 4
    found = read(f"In accordance with {padding}tenders must be received by 5 March 2027 {padding}.")
    assert len(found) == 1
    assert len(found[0].quote) <= 300
    assert "5 March 2027" in found[0].quote
    assert found[0].quote.startswith("…") and found[0].quote.endswith("…")


def test_nothing_in_the_extractor_reads_the_clock() -> None:
    source = inspect.getsource(dates_module)
    assert "today(" not in source and "now(" not in source
