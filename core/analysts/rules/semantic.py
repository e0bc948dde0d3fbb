"""Reading a tender's wording: does it sound like the work the profile names, or like other work?

The CPV vocabulary (9,455 labels, shipped in data/) says what every kind of public work is
called. For a profile, the labels under its capabilities' CPV prefixes, its capability
descriptions and its keywords are "our work"; the rest of the vocabulary and the exclusions are
"other work". A tender's title and description are compared with both in static word
embeddings (wordllama's bundled 256-dimension model: CPU only, nothing downloaded). The
margin between the closest of our work and the closest other work is the evidence, and the
two closest wordings say why. Same profile and text, same answer.
"""

from __future__ import annotations

import csv
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

CPV_FILE = Path(__file__).with_name("data") / "cpv_2008_en.csv"
# How many of the closest wordings on each side are averaged (one odd label weighs less).
NEAREST = 3
TITLE_REPEAT = 2  # the title says most about the work; the description adds to it
MAX_TEXT_CHARS = 1_000  # the title and the description's opening say what the work is
# Readings kept per reader, so that filter, rate and write (and a batch read ahead) share one.
CACHE_SIZE = 20_000

_lock = threading.Lock()
Vectors = NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Reading:
    """How a tender reads: closer to our work (margin > 0) or to other work (margin < 0)."""

    margin: float
    ours: str  # the closest wording of our work ("72413000 Website design services")
    ours_similarity: float
    other: str  # the closest wording of other work
    other_similarity: float


@lru_cache(maxsize=1)
def _model():  # type: ignore[no-untyped-def]
    """wordllama's bundled model, loaded from the installed package (never the network)."""
    import wordllama
    from wordllama import WordLlama

    return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)


def embed(texts: list[str]) -> Vectors:
    with _lock:  # the tokenizer is not documented as thread-safe
        return np.asarray(_model().embed(texts, norm=True), dtype=np.float32)


@lru_cache(maxsize=1)
def vocabulary() -> tuple[tuple[str, ...], tuple[str, ...], Vectors]:
    """(codes, labels, unit vectors) of the whole CPV vocabulary."""
    with CPV_FILE.open(encoding="utf-8") as handle:
        rows = [(r["code"], r["label"]) for r in csv.DictReader(handle)]
    codes, labels = zip(*rows, strict=True)
    return codes, labels, embed(list(labels))


def cpv_labels() -> dict[str, str]:
    codes, labels, _ = vocabulary()
    return dict(zip(codes, labels, strict=True))


def under(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(code.startswith(prefix) for prefix in prefixes)


class SemanticReader:
    """A profile's notion of "our work" against the rest of the CPV vocabulary."""

    def __init__(
        self,
        ours: tuple[str, ...],
        not_ours: tuple[str, ...],
        own_words: tuple[str, ...] = (),
        excluded_words: tuple[str, ...] = (),
    ) -> None:
        codes, labels, vectors = vocabulary()
        inside = np.array([under(c, ours) and not under(c, not_ours) for c in codes], dtype=bool)
        named = [f"{code} {label}" for code, label in zip(codes, labels, strict=True)]
        own, excluded = _embedded(own_words, vectors), _embedded(excluded_words, vectors)
        self._ours = np.vstack([vectors[inside], own])
        self._ours_names = [n for n, keep in zip(named, inside, strict=True) if keep]
        self._ours_names += [f"“{word}”" for word in own_words]
        self._other = np.vstack([vectors[~inside], excluded])
        self._other_names = [n for n, keep in zip(named, inside, strict=True) if not keep]
        self._other_names += [f"“{word}”" for word in excluded_words]
        self.ready = len(self._ours_names) >= NEAREST and len(self._other_names) >= NEAREST
        self._cache: dict[tuple[str, str], Reading] = {}

    def read(self, title: str, description: str) -> Reading | None:
        if not self.ready or not (title or description).strip():
            return None
        cached = self._cache.get((title, description))
        return cached if cached is not None else self.read_many([(title, description)])[0]

    def read_many(self, texts: list[tuple[str, str]]) -> list[Reading]:
        """Readings of (title, description) pairs, computed together (what a batch costs is
        mostly one matrix product) and remembered for `read`."""
        if not texts:
            return []
        vectors = embed([joined(title, description) for title, description in texts])
        ours, other = vectors @ self._ours.T, vectors @ self._other.T
        rows = np.arange(len(texts))
        best_ours, best_other = ours.argmax(axis=1), other.argmax(axis=1)
        margins = (_nearest_mean(ours) - _nearest_mean(other)).tolist()
        ours_best = ours[rows, best_ours].tolist()
        other_best = other[rows, best_other].tolist()
        readings = []
        for row, key in enumerate(texts):
            reading = Reading(
                margin=round(margins[row], 3),
                ours=self._ours_names[best_ours[row]],
                ours_similarity=round(ours_best[row], 2),
                other=self._other_names[best_other[row]],
                other_similarity=round(other_best[row], 2),
            )
            readings.append(reading)
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = reading
        return readings


def joined(title: str, description: str) -> str:
    """The text a tender is read by: its title (twice) and the opening of its description."""
    return " ".join([title] * TITLE_REPEAT + [description])[:MAX_TEXT_CHARS]


def _embedded(words: tuple[str, ...], like: Vectors) -> Vectors:
    """The words' vectors, or no rows (of the vocabulary's width) when there are none."""
    return embed(list(words)) if words else np.zeros((0, like.shape[1]), np.float32)


def _nearest_mean(similarities: Vectors) -> NDArray[np.float64]:
    """Per row, the mean of the NEAREST highest similarities."""
    top = np.partition(similarities, -NEAREST, axis=1)[:, -NEAREST:]
    return top.mean(axis=1, dtype=np.float64)


@lru_cache(maxsize=16)
def reader_for(
    ours: tuple[str, ...],
    not_ours: tuple[str, ...],
    own_words: tuple[str, ...],
    excluded_words: tuple[str, ...],
) -> SemanticReader:
    """One reader per distinct profile evidence (the vocabulary is embedded once a process)."""
    return SemanticReader(ours, not_ours, own_words, excluded_words)
