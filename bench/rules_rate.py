"""How many tenders per second the rules analyst filters, rates and writes (no database).

Run: .venv/bin/python bench/rules_rate.py [COUNT]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.analysts.rules.analyst import RulesAnalyst
from core.models import Tender
from core.profile.company import default_profile

NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
BATCH = 200  # the worker's default batch size (WORKER_BATCH_SIZE)
SUBJECTS = (
    "Penetration testing of council infrastructure",
    "Managed SOC and SIEM service",
    "Machine learning for fraud detection",
    "Citizen portal chatbot",
    "Case management system rebuild",
    "School catering services",
    "Road maintenance and resurfacing",
    "Supply of office furniture",
    "Cleaning services for civic buildings",
    "IT helpdesk staffing",
)
SENTENCES = (
    "The supplier will work with the buyer's teams across multiple sites.",
    "Suppliers must hold ISO 27001 and Cyber Essentials Plus.",
    "The service runs 24/7 with on-site support where needed.",
    "Tenders must be submitted through the e-tendering portal.",
    "The contract is a framework divided into three lots.",
    "The work includes data platform design and predictive analytics.",
    "Catering staff will be provided by the contractor.",
    "Incident response and threat intelligence are part of the scope.",
    "The said works must be complete before the end of the financial year.",
    "An API will connect the new system to the finance platform.",
)
CPV_CODES = (
    "72212730-5",
    "48730000-4",
    "72316000-3",
    "72230000-6",
    "55524000-9",
    "45233223-8",
    "39130000-2",
    "90919200-4",
    "72253000-3",
    "79530000-8",
)


def synthetic_tenders(count: int, seed: int = 7) -> list[Tender]:
    rng = random.Random(seed)
    tenders = []
    for number in range(count):
        value = rng.choice((None, 20_000.0, 150_000.0, 900_000.0, 3_500_000.0))
        tenders.append(
            Tender(
                source="bench",
                source_id=f"BENCH-{number}",
                title=f"{rng.choice(SUBJECTS)} {number}",
                description=" ".join(rng.sample(SENTENCES, 4)),
                buyer=f"Buyer {number % 97}",
                value_amount=value,
                value_currency=rng.choice(("EUR", "GBP", "SEK")) if value else None,
                deadline=NOW + timedelta(days=rng.randint(-3, 120)),
                cpv_codes=rng.sample(CPV_CODES, 2),
                language=rng.choice(("en", "en", "en", "de")),
            )
        )
    return tenders


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    tenders = synthetic_tenders(count)
    profile = default_profile()
    analyst = RulesAnalyst(now=lambda: NOW)
    started, cpu_started = time.perf_counter(), time.process_time()
    for start in range(0, count, BATCH):  # in batches, as the pipeline claims them
        batch = tenders[start : start + BATCH]
        analyst.prepare(batch, profile)  # the wording of the whole batch, read together
        for tender in batch:
            relevance = analyst.filter(tender, profile)
            rating = analyst.rate(tender, profile, relevance)
            analyst.write(tender, profile, relevance, rating)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    # CPU time as well: on a shared machine wall time mostly measures the neighbours.
    print(
        f"rules analysis: {count / seconds:,.0f} tenders/s "
        f"({count} tenders in {seconds:.2f} s; {count / cpu:,.0f} tenders per CPU second)"
    )


if __name__ == "__main__":
    main()
