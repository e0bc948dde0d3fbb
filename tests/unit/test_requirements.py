"""Requirements and weighted criteria found offline in a specification, PDF and DOCX alike."""

from __future__ import annotations

import io

import docx

from core.documents.extract import extract
from core.documents.requirements import find_requirements
from tests.fakes import pdf_bytes

# A three-page specification: 12 supplier requirements (2.2 holds two), 4 weighted criteria,
# and what the buyer says of itself, which is asked of nobody.
SPEC = [
    [
        "Specification: Managed cloud hosting for the Council website",
        "1. Background",
        "The Council currently hosts its website on premises. The Council will",
        "migrate to a managed service during the contract.",
        "2. Requirements",
        "2.1 The supplier shall host all Council data in data centres located in",
        "the United Kingdom.",
        "2.2 The supplier must hold ISO 27001 certification and must maintain",
        "Cyber Essentials Plus for the duration of the contract.",
        "2.3 The service must be available 99.9% of the time, measured monthly.",
        "2.4 The supplier is required to provide a named service manager.",
        "2.5 Backups should be tested at least quarterly.",
    ],
    [
        "2.6 The supplier will be expected to attend a monthly service review",
        "with the Council's digital team.",
        "2.7 Security incidents must be reported to the Council within 24 hours.",
        "2.8 It is desirable that the supplier holds ISO 22301 business continuity",
        "certification.",
        "2.9 The supplier shall hold professional indemnity insurance of at least",
        "GBP 5,000,000.",
        "2.10 Support should be available in Welsh as well as English.",
        "2.11 The supplier may propose additional monitoring tools at no extra cost.",
        "The Council may request changes to the service levels during the contract.",
    ],
    [
        "3. Evaluation",
        "Tenders will be evaluated on the most economically advantageous basis.",
        "Quality 60% / Price 40%",
        "Within quality, the sub-criteria are weighted as follows:",
        "Technical approach 30%",
        "Social value 10%",
    ],
]
EXPECTED = {  # (a few words of the requirement, page, mandatory)
    ("host all Council data", 1, True),
    ("ISO 27001", 1, True),
    ("Cyber Essentials Plus", 1, True),
    ("99.9%", 1, True),
    ("named service manager", 1, True),
    ("Backups should be tested", 1, False),
    ("monthly service review", 2, True),
    ("within 24 hours", 2, True),
    ("ISO 22301", 2, False),
    ("professional indemnity", 2, True),
    ("Welsh", 2, False),
    ("additional monitoring tools", 2, False),
}
CRITERIA = {
    ("Quality", 60.0),
    ("Price", 40.0),
    ("Technical approach", 30.0),
    ("Social value", 10.0),
}


def test_the_pdf_specification_gives_its_requirements_pages_flags_and_weights() -> None:
    rows = find_requirements([("spec.pdf", extract("spec.pdf", pdf_bytes(SPEC)).pages)])
    obligations = [r for r in rows if r.kind == "obligation"]
    found = {
        (words, page, mandatory)
        for words, page, mandatory in EXPECTED
        if any(words in r.text and r.page == page and r.mandatory is mandatory for r in obligations)
    }
    assert len(obligations) == 12 and found == EXPECTED
    assert {(r.text, r.weight) for r in rows if r.kind == "evaluation"} == CRITERIA
    assert not any("Council may request" in r.text or "Council will" in r.text for r in rows)
    assert [r.ref for r in rows] == [f"R-{n:03d}" for n in range(1, len(rows) + 1)]
    first = rows[0]
    assert (first.source, first.section) == ("spec.pdf", "2.1")
    assert first.text.startswith("The supplier shall host all Council data")


def test_the_same_specification_as_docx_keeps_its_headings_as_sections() -> None:
    document = docx.Document()
    for number, page in enumerate(SPEC):
        if number:
            document.add_page_break()
        for line in page:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    pages = extract("spec.docx", buffer.getvalue()).pages
    rows = find_requirements([("spec.docx", pages)])
    obligations = [r for r in rows if r.kind == "obligation"]
    assert len(obligations) == 12
    assert {r.page for r in obligations} == {1, 2}
    assert {(r.text, r.weight) for r in rows if r.kind == "evaluation"} == CRITERIA
