"""The rules analyst's reading of wording: offline, deterministic, the same one by one or in a
batch, and only for notices in English."""

from __future__ import annotations

from core.analysts.rules.match import matcher_for
from core.analysts.rules.semantic import SemanticReader, cpv_labels
from core.models import Tender
from core.profile.company import default_profile

IT = ("72", "48")


def reader() -> SemanticReader:
    return SemanticReader(IT, (), ("bespoke software",), ("catering",))


def test_the_vocabulary_is_the_whole_cpv_list() -> None:
    labels = cpv_labels()
    assert len(labels) == 9_455
    assert labels["72413000"] == "World wide web (www) site design services"


def test_other_work_reads_further_from_ours_than_our_work() -> None:
    r = reader()
    ours = r.read("Design and build of a new council website", "Hosting and support included.")
    other = r.read("Grounds maintenance of parks", "Grass cutting and hedge trimming.")
    assert ours is not None and other is not None
    assert ours.margin > other.margin
    assert other.other.startswith("77") or "maintenance" in other.other.lower()


def test_a_batch_reads_the_same_as_one_by_one_and_remembers() -> None:
    texts = [("Cloud hosting of the finance system", ""), ("School catering", "Hot meals.")]
    batch = reader().read_many(texts)
    single = [reader().read(title, description) for title, description in texts]
    assert [(b.margin, b.ours, b.other) for b in batch] == [
        (s.margin, s.ours, s.other) for s in single if s is not None
    ]


def test_the_profiles_own_words_count_as_our_work() -> None:
    with_words = SemanticReader(IT, (), ("grounds maintenance",), ())
    without = SemanticReader(IT, (), (), ())
    a = with_words.read("Grounds maintenance of parks", "")
    b = without.read("Grounds maintenance of parks", "")
    assert a is not None and b is not None and a.margin > b.margin
    assert a.ours == "“grounds maintenance”"


def test_only_english_wording_is_read() -> None:
    profile = default_profile()
    matcher = matcher_for(profile)
    english = Tender(source="t", title="Website redesign", language="en")
    german = english.model_copy(update={"language": "de", "title": "Neugestaltung der Website"})
    silent = english.model_copy(update={"language": None})
    assert matcher.match(english).reading is not None
    assert matcher.match(silent).reading is not None  # taken to be in English, the first language
    assert matcher.match(german).reading is None
