"""Tables and layout in tender documents: rows of cells from a PDF's layout, requirement and
weighting tables read by their header, and sentences that ask nothing of the supplier."""

from __future__ import annotations

from core.documents.dates import find_key_dates
from core.documents.layout import tabulate
from core.documents.requirements import find_requirements
from core.documents.tables import read_table
from core.models.documents import PageText

LAYOUT = """\
 Criterion                Description                                   Weighting
 Technical approach       Method statements Q1-Q5 and responses to       35%
                          desirable requirements
 Service delivery and     Mobilisation plan and workforce                25%
 mobilisation
 Total                                                                  100%

 7.2      Tenderers must achieve a score of at least 2 out of 5 for each question.
 Acme Council Tender            Page 1 of 3
"""


def test_a_laid_out_table_becomes_rows_with_wrapped_cells_joined() -> None:
    lines = tabulate(LAYOUT).splitlines()
    assert lines[:4] == [
        "Criterion\tDescription\tWeighting",
        "Technical approach\tMethod statements Q1-Q5 and responses to desirable requirements\t35%",
        "Service delivery and mobilisation\tMobilisation plan and workforce\t25%",
        "Total\t\t100%",
    ]
    # a clause number set off by a hanging indent, and a lone line in columns, are prose
    assert lines[4:] == [
        "7.2 Tenderers must achieve a score of at least 2 out of 5 for each question.",
        "Acme Council Tender Page 1 of 3",
    ]


def test_weighting_tables_give_their_criteria_by_name_group_or_question_number() -> None:
    kind, cells = read_table(
        [
            ["Criterion", "Sub-criterion", "Weighting"],
            ["Quality", "Technical solution (questions C1-C6)", "30%"],
            ["Quality", "Social value (question C10)", "10%"],
            ["Price", "Total cost of ownership over three years", "60%"],
            ["Total", "", "100%"],
        ]
    ) or ("", [])
    assert kind == "criteria"
    assert [(c.text, c.weight) for c in cells] == [
        ("Technical solution", 30),
        ("Social value", 10),
        ("Price", 60),
    ]
    _, numbered = read_table(
        [
            ["Question", "Subject", "Max marks"],
            ["Q1", "Proposed solution: how the platform meets the requirements", "400"],
            ["Q2", "Project management", "200"],
            ["Cost", "Evaluated price from the pricing schedule", "300"],
        ]
    ) or ("", [])
    assert [(c.text, c.weight) for c in numbered] == [
        ("Proposed solution", 400),
        ("Project management", 200),
        ("Cost", 300),
    ]


def test_requirement_tables_take_their_force_from_the_flag_column_even_without_a_header() -> None:
    kind, cells = read_table(
        [
            ["Req ID", "Description", "Required/Preferred"],
            ["R-1", "Monthly service report delivered by the 10th business day", "Required"],
            ["R-2", "Integration with the single sign-on service", "Preferred"],
        ]
    ) or ("", [])
    assert kind == "requirements"
    assert [(c.ref, c.mandatory) for c in cells] == [("R-1", True), ("R-2", False)]
    _, headless = read_table(
        [
            ["T1", "All data to be hosted within the United Kingdom.", "Essential"],
            ["T2", "Ability to export any report to Excel and PDF.", "Desirable"],
        ]
    ) or ("", [])
    assert [(c.text[:8], c.mandatory) for c in headless] == [
        ("All data", True),
        ("Ability ", False),
    ]
    assert read_table([["Activity", "Date"], ["Tender deadline", "5 March 2027"]]) is None


def test_only_what_is_asked_of_the_supplier_is_a_requirement() -> None:
    text = "\n".join(
        [
            "1. Definitions",
            "“Supplier” shall mean the organisation awarded the contract.",
            "Requirements expressed using “shall” or “must” are mandatory.",
            "2. Requirements",
            "2.1 The Supplier shall provide a UK-based service desk.",
            "2.2 Training materials may be reused by the Council after the contract ends.",
            "2.3 Clarification questions must be submitted through the e-tendering portal.",
            "2.4 Late tenders shall not be considered.",
            "2.5 Approximately 60 staff are expected to use the platform.",
            "2.6 The Contractor will need to migrate 6 million records.",
            "2.7 Further, the tenderer must:",
            "• have a quality management system according to ISO 9001;",
            "• hold public liability insurance of at least £5m.",
            "3. Desirable requirements",
            "• A local support presence in Leeds",
        ]
    )
    rows = find_requirements([("spec.txt", [PageText(1, text)])])
    assert [(r.text, r.mandatory) for r in rows] == [
        ("The Supplier shall provide a UK-based service desk.", True),
        ("The Contractor will need to migrate 6 million records.", True),
        ("have a quality management system according to ISO 9001", True),
        ("hold public liability insurance of at least £5m", True),
        ("A local support presence in Leeds", False),
    ]


def test_a_running_header_does_not_swallow_the_first_sentence_of_a_page() -> None:
    pages = [
        PageText(n, f"RFT 2027/003 Cloud Records Service\n{body}\nPage {n} of 2")
        for n, body in ((1, "1. Scope"), (2, "The Supplier must notify incidents within a day."))
    ]
    [row] = find_requirements([("rft.pdf", pages)])
    assert (row.text, row.page) == ("The Supplier must notify incidents within a day.", 2)


def test_a_document_that_writes_dates_month_first_is_read_month_first() -> None:
    us = PageText(1, "RFP issued\t01/21/2027\nQuestions must be emailed no later than 02/12/2027.")
    uk = PageText(1, "Questions must be emailed no later than 02/12/2027.")
    [us_date] = find_key_dates([("rfp.pdf", [us])])
    [uk_date] = find_key_dates([("itt.pdf", [uk])])
    assert (us_date.on.month, us_date.on.day) == (2, 12)
    assert (uk_date.on.month, uk_date.on.day) == (12, 2)


def test_a_weighting_table_whose_header_was_not_laid_out_as_one_is_read_on_an_evaluation_page() -> (
    None
):
    rows = [["Quality of solution", "400"], ["Project management", "200"], ["Cost", "300"]]
    rows.append(["Total", "1,000"])
    assert read_table(rows) is None  # anywhere else it is just a table of numbers
    kind, cells = read_table(rows, evaluation=True) or ("", [])
    assert kind == "criteria"
    assert [(c.text, c.weight) for c in cells] == [
        ("Quality of solution", 400),
        ("Project management", 200),
        ("Cost", 300),
    ]


def test_a_word_hyphenated_at_the_end_of_a_line_is_one_word_again() -> None:
    text = "2. Requirements\n2.1 The supplier must hold current certifi-\ncation to ISO 9001."
    [row] = find_requirements([("spec.pdf", [PageText(1, text)])])
    assert row.text == "The supplier must hold current certification to ISO 9001."


def test_tables_a_pdf_writer_laid_out_without_column_gaps_are_read_as_tables() -> None:
    requirements = "\n".join(
        [
            "Table 1 – Functional requirements",
            "No. Requirement Type (K.O./Wish)",
            "F-01 Residents can apply for a parking permit online after logging in. K.O.",
            "F-02 Visitor parking time can be bought through a mobile app. Wish",
        ]
    )
    evaluation = "\n".join(
        [
            "7. Award criteria: tenders are evaluated on the criteria below.",
            "Award criterion Weighting factor",
            "Quality 60",
            "Q1 Service delivery model – 25",
            "Q2 Account management – 15",
            "Q3 Carbon reduction – 20",
            "Price 40",
            "Total 100",
        ]
    )
    pages = [PageText(1, requirements), PageText(2, evaluation)]
    rows = find_requirements([("spec.pdf", pages)])
    assert [(r.section, r.mandatory) for r in rows if r.kind == "obligation"] == [
        ("F-01", True),
        ("F-02", False),
    ]
    assert [(r.text, r.weight) for r in rows if r.kind == "evaluation"] == [
        ("Service delivery model", 25),
        ("Account management", 15),
        ("Carbon reduction", 20),
        ("Price", 40),
    ]  # Quality 60 is the total of Q1 to Q3


def test_wording_about_the_procurement_and_the_month_of_may_ask_nothing() -> None:
    text = "\n".join(
        [
            "Wishes are not mandatory.",
            "Knock-out criteria are worded with “the contractor has to”.",
            "Residents currently have to visit the town hall.",
            "Bidders must complete and upload the Procurement Specific Questionnaire.",
            "The implementation plan should not exceed six A4 pages.",
            "Call-off contracts may be awarded by direct award.",
            "Intended notification of award: 14 May 2027.",
            "The contractor has to host all data in the EU.",
        ]
    )
    rows = find_requirements([("spec.pdf", [PageText(1, text)])])
    assert [r.text for r in rows] == ["The contractor has to host all data in the EU."]


def test_each_item_of_a_bulleted_timetable_is_read_on_its_own() -> None:
    text = "\n".join(
        [
            "8. Instructions to Offerors",
            "• Site visit: March 24, 2027 at 10:00 AM MT",
            "• Questions due: April 2, 2027, 3:00 PM EST",
            "• Proposals due: April 23, 2027 by 2:00 PM EST",
        ]
    )
    dates = {
        d.kind: (d.on.isoformat(), d.at) for d in find_key_dates([("pws.pdf", [PageText(3, text)])])
    }
    assert dates["clarification"][0] == "2027-04-02"
    assert dates["submission"][0] == "2027-04-23"
