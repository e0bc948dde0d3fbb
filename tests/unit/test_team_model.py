"""The team model's arithmetic: examples, leave-one-out, folds, a JSON round trip."""

from __future__ import annotations

import numpy as np

from core.quality.learn import (
    TeamModel,
    cross_validated,
    enough,
    example_margin,
    fit,
    folds,
)


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def two_kinds(n: int = 40) -> tuple[np.ndarray, np.ndarray, list[bool]]:
    """Relevant tenders read along one direction, the others along another; the rules'
    evidence is noise, so only the examples can tell them apart."""
    rng = np.random.default_rng(7)
    labels = [i % 4 == 0 for i in range(n)]
    centre = np.where(np.asarray(labels)[:, None], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
    vectors = unit(centre + rng.normal(0, 0.35, (n, 3)))
    evidence = rng.normal(0, 1, (n, 4))
    return vectors, evidence, labels


def test_a_tender_is_never_its_own_example() -> None:
    vectors = unit(np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]]))
    relevant = np.array([True, True, False, False])
    margin, closest = example_margin(vectors, vectors, relevant, leave_out=True)
    assert closest.tolist() == [1, 0, 1, 1]  # the other relevant one, never itself
    assert margin[0] > 0 > margin[2]


def test_the_model_learns_from_examples_and_is_deterministic() -> None:
    vectors, evidence, labels = two_kinds()
    model = fit(vectors, evidence, labels, [f"tender {i}" for i in range(len(labels))], l2=1.0)
    again = fit(vectors, evidence, labels, l2=1.0)
    assert np.allclose(model.weights, again.weights)
    predicted = model.probability(vectors, evidence) >= 0.5
    assert (predicted == np.asarray(labels)).mean() > 0.9
    f1, flip_at = cross_validated(vectors, evidence, labels)
    assert f1 > 0.8 and 0.5 <= flip_at <= 0.9
    cautious = TeamModel.from_json({**model.to_json(), "flip_at": 0.8})
    assert cautious.decide(0.85) is True and cautious.decide(0.15) is False
    assert cautious.decide(0.6) is None  # not sure enough to overrule the rules
    restored = TeamModel.from_json(model.to_json(), model_id=3)
    assert restored.name == "team model 3" and restored.labels == len(labels)
    assert np.allclose(
        restored.probability(vectors, evidence), model.probability(vectors, evidence), atol=1e-3
    )
    assert restored.closest_relevant(vectors[4]) in {f"tender {i}" for i in range(0, 40, 4)}


def test_folds_are_stratified_and_enough_needs_both_kinds() -> None:
    labels = [True] * 10 + [False] * 30
    assigned = folds(labels, k=5)
    assert sorted(assigned[:10]) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert enough(labels) and not enough(labels[:29]) and not enough([True] * 4 + [False] * 40)
