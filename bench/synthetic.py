"""Synthetic tenders for benchmarks: a realistic mix of relevant and irrelevant notices."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

_RELEVANT = [
    (
        "Penetration testing of {thing}",
        "72212730-5",
        "Penetration testing and vulnerability assessment of {thing}.",
    ),
    (
        "Security operations centre for {thing}",
        "72810000-1",
        "24/7 SOC monitoring, SIEM tuning and incident response for {thing}.",
    ),
    (
        "Machine learning for {thing}",
        "72316000-3",
        "Data science and machine learning for {thing}; predictive analytics.",
    ),
    (
        "Chatbot for {thing}",
        "72230000-6",
        "A conversational AI chatbot for {thing}, integrated through an API.",
    ),
    (
        "Bespoke software development: {thing}",
        "72200000-7",
        "Agile software development of a web application for {thing}, with DevOps.",
    ),
    (
        "Data platform for {thing}",
        "72300000-8",
        "Build a cloud data platform and analytics for {thing}.",
    ),
]
_IRRELEVANT = [
    (
        "School catering for {thing}",
        "55523100-3",
        "Provision of catering services and school meals for {thing}.",
    ),
    (
        "Road resurfacing near {thing}",
        "45233141-9",
        "Construction works: resurfacing and road maintenance near {thing}.",
    ),
    ("Office furniture for {thing}", "39100000-3", "Supply of office furniture for {thing}."),
    (
        "Cleaning services for {thing}",
        "90910000-9",
        "Cleaning services for the premises of {thing}.",
    ),
    (
        "Fleet vehicles for {thing}",
        "34100000-8",
        "Supply of vehicles and fleet maintenance for {thing}.",
    ),
]
_THINGS = [
    "the citizen portal", "benefit claims", "the planning service", "the records office",
    "the housing service", "schools", "the waste service", "libraries", "the tax office",
    "hospital trusts", "the library network", "the parking service",
]  # fmt: skip
_BUYERS = [
    "Leeds City Council", "Kent County Council", "Dublin City Council", "Gemeente Utrecht",
    "Stadt Köln", "NHS Lothian", "Ministry of Justice", "HM Revenue & Customs",
    "Région Occitanie", "Västra Götalandsregionen", "Transport for London", "Cork County Council",
]  # fmt: skip

HEADER = ["id", "title", "description", "organization", "deadline", "estimated_value", "cpv"]


def synthetic_rows(count: int, seed: int = 7, *, now: datetime | None = None) -> list[list[str]]:
    """`count` rows; deadlines fall on the 1st to the 180th day after `now` (default: today),
    so the notices are open whenever they are generated."""
    rng = random.Random(seed)
    start = (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    start += timedelta(days=1)
    rows = []
    for i in range(count):
        templates = _RELEVANT if rng.random() < 0.45 else _IRRELEVANT
        title, cpv, description = rng.choice(templates)
        thing = rng.choice(_THINGS)
        deadline = start + timedelta(days=rng.randint(0, 180))
        value = rng.choice([20_000, 75_000, 150_000, 400_000, 900_000, 2_500_000, 7_000_000])
        rows.append(
            [
                f"SYN-{i:06d}",
                f"{title.format(thing=thing)} (lot {i})",
                description.format(thing=thing),
                rng.choice(_BUYERS),
                deadline.date().isoformat(),
                f"£{value:,}",
                cpv,
            ]
        )
    return rows


def write_csv(path: Path, count: int, seed: int = 7, *, now: datetime | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(synthetic_rows(count, seed, now=now))
    return path
