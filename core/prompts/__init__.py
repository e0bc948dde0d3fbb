"""Prompt templates, one file per step, versioned by a hash of their content.

The version is stored with every result, so a changed prompt is visible in the data and
gives new cache keys. Templates use `string.Template` placeholders (`$name`); values are
inserted once and never re-read as templates, so tender text cannot inject placeholders.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

PROMPTS_DIR = Path(__file__).resolve().parent
STEPS = ("filter", "rate", "write", "requirements")
# Steps that read a tender's documents, not a notice for the company, have their own system.
SYSTEM_PROMPTS = {"requirements": "requirements_system.md"}


@dataclass(frozen=True)
class Prompt:
    step: str
    system: str
    user: str

    @property
    def version(self) -> str:
        digest = hashlib.sha256(f"{self.system}\0{self.user}".encode()).hexdigest()
        return f"{self.step}-{digest[:10]}"

    def messages(self, **values: Any) -> list[dict[str, Any]]:
        """The chat messages with every placeholder filled; a missing value is a KeyError."""
        return [
            {"role": "system", "content": Template(self.system).substitute(values).strip()},
            {"role": "user", "content": Template(self.user).substitute(values).strip()},
        ]


@cache
def load_prompt(step: str) -> Prompt:
    if step not in STEPS:
        raise KeyError(f"no prompt for step {step!r}")
    system = (PROMPTS_DIR / SYSTEM_PROMPTS.get(step, "system.md")).read_text(encoding="utf-8")
    user = (PROMPTS_DIR / f"{step}.md").read_text(encoding="utf-8")
    return Prompt(step=step, system=system, user=user)
