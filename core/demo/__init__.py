"""Built-in demo tenders: invented notices, relevant and irrelevant mixed, for trying offline.

The notices are dated relative to the day they are loaded, so the demo looks current in any
year: each stores its deadline as days from then and a local time of day
(`deadline_in_days`, `deadline_time`), and years in its text as `{year}` or `{year+N}`, where
`year` is the year the contract would start (two months after the deadline).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any

from core.models import Tender, utcnow

DEMO_FILE = "tenders.json"
#: how long after its deadline a demo contract starts, for the years its text names
CONTRACT_START_AFTER = timedelta(days=60)
_YEAR = re.compile(r"\{year(?:\+(\d+))?\}")


def demo_records(now: datetime | None = None) -> list[dict[str, Any]]:
    """The demo notices as they are stored when loaded at `now`, one JSON object per tender."""
    today = (now or utcnow()).date()
    text = resources.files(__package__).joinpath(DEMO_FILE).read_text(encoding="utf-8")
    templates: list[dict[str, Any]] = json.loads(text)
    return [_dated(template, today) for template in templates]


def demo_tenders(now: datetime | None = None) -> list[Tender]:
    """Validated demo tenders as loaded at `now`; `raw` keeps each JSON object as stored."""
    return [Tender.model_validate({**record, "raw": dict(record)}) for record in demo_records(now)]


def _dated(template: dict[str, Any], today: date) -> dict[str, Any]:
    record = dict(template)
    day = today + timedelta(days=int(record.pop("deadline_in_days")))
    deadline = datetime.combine(day, time.fromisoformat(record.pop("deadline_time")))
    start_year = (deadline + CONTRACT_START_AFTER).year
    for field in ("title", "description"):
        record[field] = _YEAR.sub(
            lambda match: str(start_year + int(match.group(1) or 0)), record[field]
        )
    record["deadline"] = deadline.isoformat()
    return record
