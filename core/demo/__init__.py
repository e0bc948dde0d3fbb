"""Built-in demo tenders: invented notices, relevant and irrelevant mixed, for trying offline."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from core.models import Tender

DEMO_FILE = "tenders.json"


def demo_records() -> list[dict[str, Any]]:
    """The demo notices as stored, one JSON object per tender."""
    text = resources.files(__package__).joinpath(DEMO_FILE).read_text(encoding="utf-8")
    records: list[dict[str, Any]] = json.loads(text)
    return records


def demo_tenders() -> list[Tender]:
    """Validated demo tenders; `raw` keeps each original JSON object."""
    return [Tender.model_validate({**record, "raw": dict(record)}) for record in demo_records()]
