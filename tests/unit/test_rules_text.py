"""Where keywords are looked for: the work, not how to take part; no acronyms in shouted text."""

from __future__ import annotations

from core.analysts.rules.text import (
    KeywordIndex,
    about_the_work,
    keyword_hits,
    keyword_rule,
    shouted,
)

INDEX = KeywordIndex([keyword_rule(word, 0) for word in ("portal", "website", "IT", "software")])


def found(title: str, description: str) -> set[str]:
    return {hit.keyword for _, hit in keyword_hits(INDEX, title, description)}


def test_sentences_on_how_to_take_part_are_not_about_the_work() -> None:
    description = (
        "Replacement of the school boiler. Documents are on our website www.example.org. "
        "Bids must be submitted through the portal by noon. Register at https://e.example "
        "to access this competition."
    )
    assert about_the_work(description) == "Replacement of the school boiler."
    assert found("Boiler replacement", description) == set()


def test_the_work_itself_still_counts() -> None:
    description = "A new citizen portal and website for the council, with a software support."
    assert found("Digital services", description) == {"portal", "website", "software"}
    assert found("Website redesign", "Visit www.example.org to register.") == {"website"}


def test_acronyms_do_not_count_in_shouted_text() -> None:
    assert shouted("FOSSE PRIMARY SCHOOL IT SUITE REFURBISHMENT")
    assert not shouted("IT support for the council")
    assert not shouted("IT")  # too short to tell
    assert found("FOSSE PRIMARY SCHOOL IT SUITE REFURBISHMENT", "") == set()
    assert found("IT support for the council", "") == {"IT"}


def test_confidence_is_monotone_in_the_evidence_and_never_below_a_coin_toss() -> None:
    from core.analysts.rules.relevance import (
        MIN_NET_EVIDENCE,
        confidence,
        no_evidence_confidence,
        relevant_share,
    )

    nets = [n / 4 for n in range(-12, 32)]
    shares = [relevant_share(n) for n in nets]
    assert shares == sorted(shares)
    for net in nets:
        value = confidence(max(net, 0), max(-net, 0))
        assert 0.5 <= value <= 0.98
        if net >= MIN_NET_EVIDENCE:
            assert value == round(max(relevant_share(net), 0.5), 3)
    far, near = no_evidence_confidence(-0.3), no_evidence_confidence(-0.02)
    assert far > near >= 0.85


def test_a_code_next_to_ours_in_the_cpv_tree_is_some_evidence() -> None:
    from core.analysts.rules.analyst import RulesAnalyst
    from core.models import Tender
    from core.profile.company import Capability, default_profile

    profile = default_profile().model_copy(
        update={
            "capabilities": [
                Capability(
                    name="Websites",
                    keywords=["website"],
                    cpv_prefixes=["72410000"],  # a class: 7241
                    description="Website design and hosting.",
                )
            ]
        }
    )
    rules = RulesAnalyst()

    def verdict(code: str, description: str = ""):
        tender = Tender(source="t", title="Framework agreement", description=description)
        return rules.filter(tender.model_copy(update={"cpv_codes": [code]}), profile)

    group = verdict("72420000", "Support for the council's new website.")  # 724: same group
    assert group.is_relevant
    assert any(
        line.startswith("CPV 72420000 sits in 72400000")
        and "next to our 72410000 (Websites)" in line
        for line in group.evidence
    )
    assert not verdict("72420000").is_relevant  # alone, a neighbour is not enough
    for elsewhere in ("72100000", "45000000"):  # the same division only; another division
        assert not any("sits in" in line for line in verdict(elsewhere).evidence)
