"""The offline rules analyst: relevance, rating and bid drafts from the company profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.analysts.base import Analyst
from core.analysts.rules.analyst import RulesAnalyst
from core.analysts.rules.cpv import normalise_cpv
from core.analysts.rules.match import matcher_for
from core.analysts.rules.rating import recommend
from core.analysts.rules.text import KeywordIndex, keyword_rule, text_words
from core.export.brief_content import internal_mentions
from core.models import BID_SECTIONS, Recommendation, Tender
from core.profile.company import Capability, CompanyProfile, Thresholds, default_profile

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@pytest.fixture
def profile() -> CompanyProfile:
    return default_profile()


@pytest.fixture
def analyst() -> RulesAnalyst:
    return RulesAnalyst(now=lambda: NOW)


def tender(**fields: Any) -> Tender:
    values: dict[str, Any] = {
        "source": "test",
        "title": "Provision of services",
        "description": "",
        "buyer": "Harbourside City Council",
        "value_amount": 240_000,
        "value_currency": "GBP",
        "deadline": datetime(2027, 1, 15, 12, tzinfo=UTC),
        "cpv_codes": [],
        "language": "en",
    }
    values.update(fields)
    return Tender(**values)


PEN_TEST = {
    "title": "Penetration testing and IT health check",
    "description": (
        "Annual penetration testing of the council's infrastructure and web applications, "
        "with retesting of remediated findings and a summary report for the board."
    ),
    "cpv_codes": ["72212730-5"],
}


def keywords_found(analyst: RulesAnalyst, profile: CompanyProfile, **fields: Any) -> list[str]:
    evidence = analyst.filter(tender(**fields), profile).evidence
    return [line.split("'")[1] for line in evidence if line.startswith("keyword '")]


def test_it_is_an_analyst_named_rules(analyst: RulesAnalyst) -> None:
    checked: Analyst = analyst
    assert checked.name == "rules"


# --- relevance ---------------------------------------------------------------------------


def test_security_tender_is_relevant_with_cited_evidence(analyst, profile) -> None:
    result = analyst.filter(tender(**PEN_TEST), profile)

    assert result.is_relevant
    assert result.analyst == "rules"
    assert result.confidence >= 0.8
    assert result.categories[0] == "Cybersecurity"
    assert "CPV 72212730 matches Cybersecurity" in result.reasoning
    assert "penetration testing" in result.reasoning
    assert "CPV 72212730 → Cybersecurity" in result.evidence
    assert "keyword 'penetration testing' in title and description" in result.evidence


def test_catering_tender_is_excluded_with_the_reason(analyst, profile) -> None:
    result = analyst.filter(
        tender(
            title="School catering services",
            description="Hot lunches for 34 primary schools.",
            cpv_codes=["55524000-9"],
        ),
        profile,
    )

    assert not result.is_relevant
    assert result.confidence >= 0.8
    assert result.reasoning.startswith("Excluded: CPV 55524000")
    assert "keyword 'catering'" in result.reasoning
    assert "excluded keyword 'catering' in title" in result.evidence


def test_no_evidence_and_wording_far_from_our_work_is_a_confident_no(analyst, profile) -> None:
    result = analyst.filter(
        tender(title="Translation of leaflets", cpv_codes=["79530000-8"]), profile
    )

    assert not result.is_relevant
    assert result.confidence >= 0.9
    assert result.categories == []
    assert len(result.evidence) == 1 and result.evidence[0].startswith("wording (-")
    assert "79530000 Translation services" in result.evidence[0]
    assert "No CPV code or keyword" in result.reasoning
    assert "reads like other work" in result.reasoning


def test_wording_close_to_our_work_counts_without_a_keyword(analyst, profile) -> None:
    # none of the default profile's keywords or CPV prefixes is in this notice
    notice = tender(
        title="Redesign of the council website and its content management",
        description="A new site on a modern content management platform, with hosting.",
    )
    result = analyst.filter(notice, profile)
    line = next(e for e in result.evidence if e.startswith("reads like"))
    assert result.categories and line.startswith(f"reads like {result.categories[-1]} (+")


def test_exclusion_beats_weak_keyword_evidence(analyst, profile) -> None:
    result = analyst.filter(
        tender(
            title="School catering contract",
            description="Parents will order meals through an online portal.",
        ),
        profile,
    )

    assert not result.is_relevant
    assert "keyword 'portal' in description" in result.evidence
    assert result.reasoning.startswith("Excluded: keyword 'catering'")


def test_a_passing_mention_in_the_description_is_not_enough(analyst, profile) -> None:
    result = analyst.filter(
        tender(title="Managed print service", description="Reports via the supplier portal."),
        profile,
    )

    assert not result.is_relevant
    # Calibrated on real notices: a passing mention is not ours about 85% of the time, less
    # sure than wording that reads far from our work with nothing matching at all.
    nothing = analyst.filter(tender(title="Grass cutting at the cemetery"), profile)
    assert not nothing.is_relevant and result.confidence < nothing.confidence


# --- keyword matching --------------------------------------------------------------------


@pytest.mark.parametrize(
    "description",
    [
        "The council said the works must finish in spring.",  # "ai" inside a word
        "Staff will use ai tools where helpful.",  # lower-case acronym
        "La société retenue assurera la maintenance.",  # French "soc…"
        "Our soc team is small.",
        "A simple api is available.",
        "Ongoing maintenance of the AIRPORT signage.",  # capitals, but a longer word
    ],
)
def test_short_acronyms_match_only_as_capitalised_whole_words(analyst, profile, description):
    found = keywords_found(analyst, profile, title="Services", description=description)

    assert not {"AI", "SOC", "API"} & set(found)


def test_acronyms_match_in_capitals_including_plurals(analyst, profile) -> None:
    found = keywords_found(
        analyst,
        profile,
        title="AI assistant for caseworkers",
        description="A managed SOC and three new APIs.",
    )

    assert {"AI", "SOC", "API"} <= set(found)


@pytest.mark.parametrize(
    "text", ["cyber-security review", "Cyber  Security review", "CYBER SECURITY review"]
)
def test_phrases_match_with_flexible_spaces_hyphens_and_case(analyst, profile, text) -> None:
    assert "cyber security" in keywords_found(analyst, profile, title=text)


def test_keywords_match_whole_words_and_plurals(analyst, profile) -> None:
    assert "firewall" in keywords_found(analyst, profile, title="Replacement firewalls")
    assert "portal" not in keywords_found(analyst, profile, title="Portalis street works")


_PROFILE_KEYWORDS = [
    keyword for capability in default_profile().capabilities for keyword in capability.keywords
] + default_profile().exclusions.keywords
_VOCABULARY = [
    *_PROFILE_KEYWORDS,
    *(k.lower() for k in _PROFILE_KEYWORDS),
    *(k.upper() for k in _PROFILE_KEYWORDS),
    *(f"{k}s" for k in _PROFILE_KEYWORDS),
    "said", "société", "airport", "cyber", "security", "Soc", "ai", "data", "testing", "x_y",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_VOCABULARY),
            st.sampled_from([" ", "-", ", ", ".", "/", "—", "(", "_", "'", "\n"]),
        ),
        max_size=12,
    )
)
def test_the_word_index_agrees_with_the_full_regexes(pieces) -> None:
    text = "".join(word + separator for word, separator in pieces)
    rules = [keyword_rule(keyword, 0) for keyword in _PROFILE_KEYWORDS]

    found = KeywordIndex(rules).found(text_words(text))

    assert found == {n for n, rule in enumerate(rules) if rule.pattern.search(text)}


def test_title_weighs_more_than_description(analyst, profile) -> None:
    in_title = analyst.filter(tender(title="Chatbot", description="For residents."), profile)
    in_description = analyst.filter(tender(title="Residents", description="A chatbot."), profile)

    assert in_title.is_relevant
    assert not in_description.is_relevant or in_title.confidence > in_description.confidence


# --- CPV codes ---------------------------------------------------------------------------


def test_cpv_codes_are_normalised_to_eight_digits() -> None:
    assert normalise_cpv("72212730-5") == "72212730"
    assert normalise_cpv(" 72212730 ") == "72212730"
    assert normalise_cpv("722127305") == "72212730"


def test_cpv_prefix_matches_codes_with_check_digits(analyst, profile) -> None:
    result = analyst.filter(tender(title="Services", cpv_codes=["72316000-3"]), profile)

    assert result.is_relevant
    assert result.categories == ["AI & data"]
    assert "CPV 72316000 → AI & data" in result.evidence


def test_the_most_specific_prefix_claims_a_code(analyst, profile) -> None:
    # 72212730 sits under both "722" (software) and "7221273" (security): security wins.
    result = analyst.filter(tender(title="Services", cpv_codes=["72212730-5"]), profile)

    assert result.categories == ["Cybersecurity"]


def test_excluded_cpv_division_is_named(analyst, profile) -> None:
    result = analyst.filter(tender(title="Works", cpv_codes=["45233223-8"]), profile)

    assert not result.is_relevant
    assert "CPV 45233223 (construction work)" in result.reasoning


# --- confidence --------------------------------------------------------------------------


def test_more_evidence_gives_higher_confidence(analyst, profile) -> None:
    weak = analyst.filter(tender(title="Chatbot"), profile)
    medium = analyst.filter(tender(title="Chatbot", cpv_codes=["72316000-3"]), profile)
    strong = analyst.filter(
        tender(
            title="Chatbot and machine learning",
            description="Natural language processing and predictive analytics.",
            cpv_codes=["72316000-3"],
        ),
        profile,
    )

    assert weak.is_relevant and medium.is_relevant and strong.is_relevant
    assert weak.confidence < medium.confidence < strong.confidence


def test_conflicting_evidence_lowers_confidence(analyst, profile) -> None:
    clean = analyst.filter(tender(title="Chatbot", cpv_codes=["72316000-3"]), profile)
    conflicting = analyst.filter(
        tender(title="Chatbot", description="Also covers catering.", cpv_codes=["72316000-3"]),
        profile,
    )

    assert conflicting.is_relevant
    assert conflicting.confidence < clean.confidence
    assert "Despite exclusion: keyword 'catering'" in conflicting.reasoning


# --- rating ------------------------------------------------------------------------------


def rate(analyst: RulesAnalyst, profile: CompanyProfile, **fields: Any):
    subject = tender(**fields)
    return analyst.rate(subject, profile, analyst.filter(subject, profile))


def test_scores_are_in_range_and_rounded(analyst, profile) -> None:
    rating = rate(analyst, profile, **PEN_TEST)

    assert rating.analyst == "rules"
    for score in (
        rating.overall_score,
        rating.strategic_fit,
        rating.win_probability,
        rating.effort_required,
    ):
        assert 0 <= score <= 10
        assert round(score, 1) == score


def test_strengths_and_risks_are_grounded_in_the_tender(analyst, profile) -> None:
    rating = rate(analyst, profile, **PEN_TEST)
    text = " ".join(rating.strengths + rating.risks)

    assert rating.strengths and rating.risks
    assert "£240,000" in text
    assert "15 Jan 2027" in text
    assert "CPV 72212730" in text
    assert "penetration testing" in text


def test_a_deadline_within_days_is_a_risk(analyst, profile) -> None:
    soon = rate(analyst, profile, **PEN_TEST, deadline=NOW + timedelta(days=6, hours=3))
    later = rate(analyst, profile, **PEN_TEST, deadline=NOW + timedelta(days=60))

    assert "Deadline 27 Nov 2026 leaves only 6 days to prepare a response." in soon.risks
    assert soon.win_probability < later.win_probability
    assert soon.effort_required > later.effort_required


def test_a_passed_deadline_means_no_bid(analyst, profile) -> None:
    rating = rate(analyst, profile, **PEN_TEST, deadline=NOW - timedelta(days=2))

    assert "The deadline (19 Nov 2026) has passed." in rating.risks
    assert rating.win_probability <= 0.5
    assert rating.recommendation is Recommendation.NO_BID


def test_a_value_far_above_the_range_lowers_win_probability(analyst, profile) -> None:
    huge = rate(analyst, profile, **PEN_TEST, value_amount=9_000_000, value_currency="EUR")
    fits = rate(analyst, profile, **PEN_TEST, value_amount=300_000, value_currency="EUR")

    assert huge.win_probability < fits.win_probability - 2
    assert any("€9,000,000 is 4.5× our preferred maximum" in risk for risk in huge.risks)
    assert any("€300,000 sits inside our preferred range" in s for s in fits.strengths)


def test_a_small_value_is_less_attractive(analyst, profile) -> None:
    small = rate(analyst, profile, **PEN_TEST, value_amount=15_000, value_currency="EUR")
    fits = rate(analyst, profile, **PEN_TEST, value_amount=300_000, value_currency="EUR")

    assert small.strategic_fit < fits.strategic_fit
    assert any("below our preferred minimum (€50,000)" in risk for risk in small.risks)


def test_unknown_value_and_missing_deadline_are_risks(analyst, profile) -> None:
    rating = rate(analyst, profile, **PEN_TEST, value_amount=None, deadline=None)

    assert any(risk.startswith("Value unknown") for risk in rating.risks)
    assert any(
        "confirm the submission date with Harbourside City Council" in r for r in rating.risks
    )


def test_there_is_always_a_risk(analyst, profile) -> None:
    rating = rate(
        analyst,
        profile,
        title="Chatbot for residents",
        description="A chatbot on the council website.",
        cpv_codes=["72316000-3"],
        value_amount=200_000,
        value_currency="EUR",
        deadline=NOW + timedelta(days=50),
    )

    assert rating.strengths
    assert len(rating.risks) == 1
    assert "Harbourside City Council" in rating.risks[0]


def test_scope_signals_and_certifications(analyst, profile) -> None:
    rating = rate(
        analyst,
        profile,
        title="Managed SOC service",
        description=(
            "A 24/7 nationwide service under a framework agreement. Suppliers need ISO 27001 "
            "and ISO 9001."
        ),
        cpv_codes=["48730000-4"],
    )

    assert "The notice asks for ISO 27001, which we hold." in rating.strengths
    assert "The notice asks for ISO 9001, which our profile does not list." in rating.risks
    assert any(risk.startswith("24/7 cover") for risk in rating.risks)
    assert any(risk.startswith("Framework agreement") for risk in rating.risks)
    assert any(risk.startswith("Nationwide scope") for risk in rating.risks)


def test_a_notice_in_another_language_is_a_risk(analyst, profile) -> None:
    rating = rate(analyst, profile, **PEN_TEST, language="de")

    assert "The notice is in German: the response will likely have to be in German." in (
        rating.risks
    )


def test_strong_matches_reach_eight_and_weak_ones_stay_low(analyst, profile) -> None:
    strong = rate(
        analyst,
        profile,
        title="Penetration testing, SIEM and SOC services",
        description=(
            "Annual penetration testing, a managed SOC with SIEM tuning, incident response and "
            "vulnerability assessment, with threat intelligence briefings. Suppliers must hold "
            "ISO 27001 and Cyber Essentials Plus."
        ),
        cpv_codes=["72212730-5", "48730000-4", "79417000-0"],
        value_amount=400_000,
        value_currency="EUR",
        deadline=NOW + timedelta(days=50),
    )
    weak = rate(analyst, profile, title="Residents portal", description="Page updates.")

    assert strong.overall_score >= 8
    assert strong.recommendation is Recommendation.BID
    assert weak.overall_score < profile.thresholds.min_bid_score


@pytest.mark.parametrize(
    ("overall", "expected"),
    [
        (6.0, Recommendation.BID),
        (7.9, Recommendation.BID),
        (5.9, Recommendation.CONSIDER),
        (4.5, Recommendation.CONSIDER),
        (4.4, Recommendation.NO_BID),
    ],
)
def test_recommendation_follows_the_bid_threshold(profile, overall, expected) -> None:
    assert recommend(overall, profile) is expected


def test_recommendation_uses_the_profile_threshold(analyst, profile) -> None:
    rating = rate(analyst, profile, **PEN_TEST)
    stricter = profile.model_copy(
        update={"thresholds": Thresholds(min_bid_score=rating.overall_score + 0.5)}
    )

    again = rate(analyst, stricter, **PEN_TEST)

    assert again.overall_score == rating.overall_score
    assert again.recommendation is Recommendation.CONSIDER
    assert "Overall" in again.reasoning and "Consider" in again.reasoning


# --- bid writer --------------------------------------------------------------------------


def test_bid_has_every_section_and_marks_the_gaps(analyst, profile) -> None:
    subject = tender(**PEN_TEST)
    relevance = analyst.filter(subject, profile)
    rating = analyst.rate(subject, profile, relevance)

    bid = analyst.write(subject, profile, relevance, rating)

    assert bid.analyst == "rules"
    for field, _label in BID_SECTIONS:
        assert getattr(bid, field).strip()
    assert "[to complete]" in bid.executive_summary + bid.value_proposition
    assert "Northwind Digital" in bid.executive_summary
    assert "Harbourside City Council" in bid.executive_summary
    assert subject.title in bid.executive_summary
    assert "### Cybersecurity" in bid.technical_approach
    assert "penetration testing" in bid.technical_approach
    assert "Cybersecurity: a team that already delivers penetration testing" in (
        bid.value_proposition
    )


def test_bid_sections_speak_to_the_buyer_not_of_our_triage(analyst, profile) -> None:
    subject = tender(**PEN_TEST)
    relevance = analyst.filter(subject, profile)
    rating = analyst.rate(subject, profile, relevance)
    assert rating.strengths and rating.risks  # the assessment has plenty to say…

    bid = analyst.write(subject, profile, relevance, rating)

    # …and none of it reaches the sections the buyer reads; the internal brief has it.
    assert internal_mentions(bid) == []
    text = " ".join(getattr(bid, field) for field, _ in BID_SECTIONS)
    for said in [*rating.strengths, *rating.risks, "15 Jan 2027", "effort", "/10"]:
        assert said not in text


def test_bid_timeline_grows_with_effort(analyst, profile) -> None:
    subject = tender(**PEN_TEST)
    relevance = analyst.filter(subject, profile)
    light = analyst.rate(subject, profile, relevance).model_copy(update={"effort_required": 2})
    heavy = light.model_copy(update={"effort_required": 9})

    light_bid = analyst.write(subject, profile, relevance, light)
    heavy_bid = analyst.write(subject, profile, relevance, heavy)

    assert "about 12 weeks" in light_bid.timeline_estimate
    assert "about 26 weeks" in heavy_bid.timeline_estimate


# --- determinism and caching ---------------------------------------------------------------


def test_same_inputs_and_clock_give_the_same_results(profile) -> None:
    subject = tender(**PEN_TEST)
    results = []
    for analyst in (RulesAnalyst(now=lambda: NOW), RulesAnalyst(now=lambda: NOW)):
        relevance = analyst.filter(subject, profile)
        rating = analyst.rate(subject, profile, relevance)
        bid = analyst.write(subject, profile, relevance, rating)
        results.append((relevance.model_dump(), rating.model_dump(), bid.model_dump()))

    assert results[0] == results[1]
    assert results[0][0]["created_at"] == NOW


def test_the_compiled_profile_is_reused_until_the_profile_changes(analyst, profile) -> None:
    assert matcher_for(profile) is matcher_for(default_profile())
    drones = Capability(name="Drones", keywords=["drone survey"])
    edited = profile.model_copy(update={"capabilities": [*profile.capabilities, drones]})

    result = analyst.filter(tender(title="Drone survey of bridges"), edited)

    assert matcher_for(edited) is not matcher_for(profile)
    assert result.is_relevant and result.categories == ["Drones"]


def test_a_profile_edited_in_place_is_recompiled(analyst) -> None:
    profile = default_profile()
    before = analyst.filter(tender(title="Drone survey of bridges"), profile)

    profile.capabilities[0].keywords.append("drone survey")
    after = analyst.filter(tender(title="Drone survey of bridges"), profile)

    assert not before.is_relevant
    assert after.is_relevant and after.categories == ["Cybersecurity"]


def test_a_notice_in_another_language_leans_on_its_cpv_codes(profile: CompanyProfile) -> None:
    analyst = RulesAnalyst(now=lambda: datetime(2026, 11, 1, tzinfo=UTC))
    unmatched = Tender(
        source="ted",
        title="Beschaffung von Dienstleistungen für die Stadtverwaltung",
        description="Die Stadt sucht einen Partner für mehrjährige Unterstützung.",
        language="de",
    )
    verdict = analyst.filter(unmatched, profile)
    assert not verdict.is_relevant and verdict.confidence == 0.6, "a weak no: worth a look"
    assert "in German" in verdict.reasoning and "keywords cannot match" in verdict.reasoning

    classified = unmatched.model_copy(update={"cpv_codes": ["72212730"]})
    verdict = analyst.filter(classified, profile)
    assert verdict.is_relevant
    assert "in German: the verdict rests on its CPV codes" in verdict.reasoning

    english = unmatched.model_copy(update={"language": "en"})
    read = analyst.filter(english, profile)  # English: its wording is read, it says no more
    assert "in German" not in read.reasoning
    assert any(e.startswith(("wording", "reads like")) for e in read.evidence)
