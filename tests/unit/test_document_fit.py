"""The matrix in the rating and the bid: unmet mandatory requirements are named risks that
lower the win probability; the draft answers the requirements per weighted criterion."""

from __future__ import annotations

from datetime import UTC, datetime

from core.documents.answers import HEADING, plan, response_block, with_block, with_part
from core.documents.fit import rated_with_requirements, unmet_requirements
from core.models import RatingResult, Recommendation
from core.models.documents import RequirementRow
from core.profile.company import default_profile


def row(ref: str, text: str, **fields: object) -> RequirementRow:
    values: dict[str, object] = {"mandatory": True, "kind": "obligation"} | fields
    return RequirementRow(tender_id=1, ref=ref, text=text, **values)  # type: ignore[arg-type]


MATRIX = [
    row("R-001", "The supplier must hold ISO 27001 certification."),  # the profile says it holds
    row("R-002", "The supplier must hold ISO 9001 certification."),
    row("R-003", "The supplier shall hold professional indemnity insurance of £10m."),
    row("R-004", "All data must be hosted in the UK.", status="compliant"),
    row("R-005", "The supplier must provide a 24/7 service desk.", status="non-compliant"),
    row("R-006", "The supplier should offer training in Welsh.", mandatory=False),
    row("R-007", "Security clearance (SC level) for all staff is mandatory.", dropped=True),
]


def test_mandatory_requirements_the_profile_does_not_meet_are_named_with_their_refs() -> None:
    profile = default_profile()  # "… with ISO 27001 and Cyber Essentials Plus"
    unmet = {u.ref: u for u in unmet_requirements(MATRIX, profile)}
    assert list(unmet) == ["R-002", "R-003", "R-005"]
    assert unmet["R-002"].risk == "R-002 requires ISO 9001, which our profile does not list."
    assert "does not state our cover" in unmet["R-003"].risk
    assert unmet["R-005"].risk.startswith("R-005 is marked non-compliant")
    insured = profile.model_copy(
        update={"summary": profile.summary + " We hold £20m professional indemnity insurance."}
    )
    assert [u.ref for u in unmet_requirements(MATRIX, insured)] == ["R-002", "R-005"]


def test_the_rating_loses_win_probability_for_them_and_its_recommendation_follows() -> None:
    profile = default_profile()
    rating = RatingResult(
        analyst="rules",
        created_at=datetime(2000, 1, 1, tzinfo=UTC),
        overall_score=6.5,
        strategic_fit=8,
        win_probability=7,
        effort_required=4,
        strengths=["A fit."],
        risks=["Short deadline."],
        recommendation=Recommendation.BID,
        reasoning="Because.",
    )
    rated = rated_with_requirements(rating, MATRIX, profile)
    assert rated.win_probability == 7 - (1.5 + 0.5 + 1.5)
    assert rated.overall_score == round(6.5 - 0.35 * 3.5, 1)
    assert (
        rated.risks[:3]
        == [
            "R-002 requires ISO 9001, which our profile does not list.",
            rated.risks[1],
            rated.risks[2],
        ]
        and rated.risks[-1] == "Short deadline."
    )
    assert rated.recommendation is Recommendation.CONSIDER  # was bid, now under the threshold
    assert "(R-002, R-003, R-005)" in rated.reasoning
    assert rated_with_requirements(rating, MATRIX[:1], profile) == rating  # all met: unchanged


CRITERIA = [
    row("R-010", "Price", kind="evaluation", weight=40),
    row("R-011", "Security and hosting", kind="evaluation", weight=20),
    row("R-012", "Technical approach", kind="evaluation", weight=40),
]


def test_the_answer_is_per_criterion_heaviest_first_citing_refs_and_the_teams_responses() -> None:
    rows = [*MATRIX, *CRITERIA]
    rows[3] = rows[3].model_copy(update={"section": "Hosting"})
    rows[4] = rows[4].model_copy(update={"response": "Our service desk runs 8am to 8pm."})
    parts = plan(rows)
    assert [(p.name, p.words) for p in parts] == [
        ("Price", 600),
        ("Technical approach", 600),
        ("Security and hosting", 300),
    ]
    by_name = {p.name: [r.ref for r in p.rows] for p in parts}
    assert by_name["Security and hosting"] == ["R-004"]  # its section is "Hosting"
    unsectioned = {p.name: [r.ref for r in p.rows] for p in plan([*MATRIX, *CRITERIA])}
    assert unsectioned["Security and hosting"] == ["R-004"]  # "hosted" is "hosting"
    assert by_name["Price"] == []  # answered in the pricing schedule
    assert "R-007" not in str(by_name)  # dropped
    block = response_block(rows)
    assert block.startswith(HEADING)
    assert "#### Technical approach (40%)" in block
    assert "Our price is set out in full in the pricing schedule (R-010)." in block
    assert "- We will all data must be hosted" not in block
    assert (
        "We meet this requirement: “All data must be hosted in the UK.” (R-004, mandatory)" in block
    )
    assert "Our service desk runs 8am to 8pm. (R-005, mandatory)" in block
    assert "[to complete] How we meet: “The supplier must hold ISO 9001" in block


def test_the_block_is_replaced_not_repeated_and_one_criterion_can_be_written_again() -> None:
    rows = [*MATRIX, *CRITERIA]
    once = with_block("We deliver in phases.", rows)
    assert with_block(once, rows) == once
    answered = [
        r.model_copy(update={"status": "compliant"}) if r.ref == "R-002" else r for r in rows
    ]
    again = with_part(once, answered, "R-012")
    assert again is not None
    assert "We will hold ISO 9001 certification. (R-002, mandatory)" in again
    assert again.count(HEADING) == 1 and again.startswith("We deliver in phases.")
    price = once.split("#### Price")[1].split("####")[0]
    assert price in again  # the other criteria are left as they were
    assert with_part(once, rows, "R-999") is None
