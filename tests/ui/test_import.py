from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.bootstrap import AppContext
from tests.ui.helpers import texts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_upload_preview_and_import(open_page: Callable[[str], AppTest], ctx: AppContext) -> None:
    at = open_page("pages/import.py")
    assert at.title[0].value == "Import tenders"
    uploader = at.file_uploader(key="import_files")
    assert uploader.accept_multiple_files
    assert {".csv", ".json", ".xlsx"} <= set(uploader.allowed_type)

    data = (FIXTURES / "tenders_basic.csv").read_bytes()
    uploader.set_value([("tenders_basic.csv", data, "text/csv")])
    at.run()
    assert not at.exception
    preview = at.dataframe[0].value
    assert len(preview) > 0
    assert "title" in preview.columns
    assert ctx.tenders.count() == 0  # the preview stores nothing

    at.button[0].click().run()  # "Import 1 file"
    assert not at.exception
    stored = ctx.tenders.count()
    assert stored > 0
    assert any(f"{stored} new, 0 duplicates" in s.value for s in at.success)

    at.button[0].click().run()  # the same file again: all duplicates
    assert ctx.tenders.count() == stored
    assert any(f"0 new, {stored} duplicates" in s.value for s in at.success)


def test_row_errors_are_listed_with_row_numbers(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/import.py")
    data = (FIXTURES / "tenders_partly_bad.csv").read_bytes()
    at.file_uploader(key="import_files").set_value([("partly_bad.csv", data, "text/csv")])
    at.run()
    at.button[0].click().run()
    assert not at.exception
    assert any("row errors" in w.value for w in at.warning)
    problems = at.dataframe[-1].value
    assert {"row", "problem"} <= set(problems.columns)
    assert 3 in problems["row"].tolist()
    assert "no title" in problems["problem"].tolist()


def test_a_refused_file_is_one_error_line_and_stores_nothing(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/import.py")
    good = (FIXTURES / "tenders_basic.csv").read_bytes()
    at.file_uploader(key="import_files").set_value(
        [("junk.csv", b"\x00\x01\x02\x03binary", "text/csv"), ("good.csv", good, "text/csv")]
    )
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    assert at.error[0].value.replace("\\", "").count("junk.csv") == 1
    assert "Traceback" not in " ".join(texts(at))
    assert at.button[0].label == "Import 1 file"

    at.button[0].click().run()
    assert not at.exception
    assert len(at.error) == 1  # the refusal is not repeated in the summary
    stored = ctx.tenders.count()
    assert stored > 0
    assert any(f"{stored} new" in s.value for s in at.success)


def test_load_demo_from_the_import_page(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/import.py")
    at.button(key="import_demo").click().run()
    assert not at.exception
    assert ctx.tenders.count() > 0


def test_portal_formats_are_recognised_previewed_and_imported(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/import.py")
    uploader = at.file_uploader(key="import_files")
    assert {".xml", ".jsonl"} <= set(uploader.allowed_type)
    files = [
        ("package.json", FIXTURES / "ocds" / "release_package.json", "application/json"),
        ("notice.xml", FIXTURES / "ted" / "minimal_f02.xml", "application/xml"),
        ("cn.xml", FIXTURES / "eforms" / "cn_minimal.xml", "application/xml"),
        ("award.xml", FIXTURES / "ted" / "award_f03.xml", "application/xml"),
    ]
    uploader.set_value([(name, path.read_bytes(), mime) for name, path, mime in files])
    at.run()
    assert not at.exception and not at.error
    captions = " ".join(c.value for c in at.caption)
    for fmt in ("ocds", "ted", "eforms"):
        assert f"{fmt} ·" in captions
    notices = {n for frame in at.dataframe for n in frame.value.get("notice", [])}
    assert {"Call for tenders", "Award notice"} <= notices
    assert ctx.tenders.count() == 0

    next(b for b in at.button if b.label.startswith("Import 4 files")).click().run()
    assert not at.exception
    states = ctx.tenders.all_states()
    assert {s.tender.source for s in states} == {"ocds", "ted", "eforms"}
    awards = [s for s in states if not s.tender.notice_type.biddable]
    assert awards and all(s.tender.form_type for s in awards)


ODD = (
    b"Opportunity name,Estimated spend (GBP),Closing Date,Closing Time,Internal notes\n"
    b'Cloud hosting for the council,"120,000",24/07/2027,12:00,call Bob\n'
)


def test_a_file_without_a_known_title_column_can_be_told_which_it_is(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/import.py")
    at.file_uploader(key="import_files").set_value([("odd.csv", ODD, "text/csv")])
    at.run()
    assert any("say which column holds the title" in e.value for e in at.error)
    at.text_input[0].input("Opportunity name")
    next(b for b in at.button if b.label == "Read again").click().run()
    assert not at.exception and not at.error
    preview = at.dataframe[0].value
    assert list(preview["title"]) == ["Cloud hosting for the council"]
    # the caption counts what was not understood: here "Estimated spend" and the notes
    assert any("2 columns not used" in c.value for c in at.caption)
    assert ctx.tenders.count() == 0  # nothing stored before Import

    # remembered: the same layout reads the same way in the next session
    again = open_page("pages/import.py")
    again.file_uploader(key="import_files").set_value([("odd-2.csv", ODD, "text/csv")])
    again.run()
    assert not again.error
    assert list(again.dataframe[0].value["title"]) == ["Cloud hosting for the council"]
    next(b for b in again.button if b.label.startswith("Import 1 file")).click().run()
    assert ctx.tenders.count() == 1
