"""The LLM's second look at the requirement rows the offline rules are unsure of.

The rules mark a row unsure (`Found.sure is False`) when they guessed: an item listed under a
requirements heading without an obligation verb, or a sentence with both a mandatory and an
optional word. With an LLM endpoint configured, only those rows are asked about, a batch per
call, each with the page text around it: is it a requirement on the supplier, and is it
mandatory? A row the model says is not a requirement is dropped; an answered row takes the
model's flag and becomes sure. The quote itself never changes: the model is not asked for
text, so it cannot rewrite what the buyer wrote.

Document text is untrusted: every row goes inside its own <document> block, defused like a
tender notice, and the system prompt says the blocks are data, never instructions. The LLM
can only refine: a row it does not mention, and every row of a call that fails for any
reason (endpoint down, retries exhausted, no valid answer after the reasks), stays exactly
as the rules found it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from core.analysts.llm_context import defuse
from core.documents.requirements import Found
from core.errors import AnalystUnavailable
from core.llm.client import LLMClient
from core.llm.endpoint import Endpoint
from core.llm.errors import CallFailed, LLMError
from core.models.documents import PageText
from core.prompts import Prompt, load_prompt

log = logging.getLogger(__name__)

STEP = "requirements"
TEMPERATURE = 0.1
MAX_ROWS_PER_CALL = 20
MAX_TOKENS = 1500  # twenty short verdicts, with room to spare
MAX_QUOTE_CHARS = 1500
CONTEXT_CHARS = 400  # of page text on each side of the quote
MAX_REASON_CHARS = 300

Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]


# ---------------------------------------------------------------------- what the LLM answers
class RowVerdict(BaseModel):
    """The model's word on one row; any text it adds is ignored, never stored."""

    model_config = ConfigDict(extra="ignore")

    ref: Ref
    is_requirement: bool = Field(
        description="True when the quote asks something of the supplier; false for what the "
        "buyer says of itself, background, headings and definitions."
    )
    mandatory: bool = Field(description="True for must/shall; false for should/desirable/may.")


class RefineAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # Bounded, with room for a stray or repeated ref: those are ignored, not reasked.
    rows: list[RowVerdict] = Field(default_factory=list, max_length=2 * MAX_ROWS_PER_CALL)


# ---------------------------------------------------------------------- what the caller gets
@dataclass(frozen=True, slots=True)
class Refinement:
    """The rows after the LLM's look, and what it did, for the page and the CLI to say.

    `asked`: unsure rows there were to check; `checked`: those the model gave a verdict on.
    `failed` with a one-sentence `reason` when a call could not be answered; its rows (and
    any left unsent) are kept as the rules found them.
    """

    rows: list[Found]
    asked: int = 0
    checked: int = 0
    dropped: int = 0
    made_optional: int = 0
    made_mandatory: int = 0
    failed: bool = False
    reason: str | None = None

    @property
    def changed(self) -> int:
        """Rows kept with the other mandatory flag than the rules gave them."""
        return self.made_optional + self.made_mandatory

    def summary(self) -> str:
        """'The LLM checked 6 unsure rows: 2 dropped, 1 made optional.'"""
        if not self.asked:
            return "The rules were sure of every row: the LLM was not asked."
        why = f" ({self.reason.rstrip('.')})" if self.reason else ""
        if not self.checked:
            return (
                f"The LLM could not check the {_rows(self.asked)}{why}; "
                f"{'they are' if self.asked > 1 else 'it is'} kept as the rules found "
                f"{'them' if self.asked > 1 else 'it'}."
            )
        if self.checked == self.asked:
            head = f"The LLM checked {_rows(self.checked)}"
        else:
            head = f"The LLM checked {self.checked} of {_rows(self.asked)}"
        changes = [
            f"{count} {what}"
            for count, what in (
                (self.dropped, "dropped"),
                (self.made_optional, "made optional"),
                (self.made_mandatory, "made mandatory"),
            )
            if count
        ]
        text = f"{head}: {', '.join(changes) if changes else 'all kept as found'}."
        if self.checked < self.asked:
            text += f" The others are kept as the rules found them{why}."
        return text


def _rows(count: int) -> str:
    return f"{count} unsure row{'' if count == 1 else 's'}"


def needs_check(row: Found) -> bool:
    """Only obligations the rules guessed; criteria have no mandatory flag to refine."""
    return not row.sure and row.kind == "obligation"


# ---------------------------------------------------------------------- the refiner
class RequirementRefiner:
    """Asks the LLM about the unsure rows of a tender's requirements; thread-safe."""

    def __init__(self, client: LLMClient, *, batch_size: int = MAX_ROWS_PER_CALL) -> None:
        if not 1 <= batch_size <= MAX_ROWS_PER_CALL:
            raise ValueError(f"batch_size must be within 1..{MAX_ROWS_PER_CALL}")
        self.client = client
        self.batch_size = batch_size

    def refine(
        self,
        rows: Sequence[Found],
        documents: Sequence[tuple[str, Sequence[PageText]]],
        *,
        tender_id: int | None = None,
    ) -> Refinement:
        """`rows` as `find_requirements(documents)` gave them, with the unsure ones checked.

        Never raises for an LLM failure: the failure is logged once and reported in the result.
        """
        unsure = [row for row in rows if needs_check(row)]
        if not unsure:
            return Refinement(list(rows))
        pages = _page_texts(documents)
        prompt = load_prompt(STEP)
        verdicts: dict[str, RowVerdict] = {}
        reason: str | None = None
        for start in range(0, len(unsure), self.batch_size):
            batch = unsure[start : start + self.batch_size]
            try:
                verdicts.update(self._ask(prompt, batch, pages, tender_id))
            except AnalystUnavailable as exc:  # the endpoint is down: later calls would fail
                reason = reason or _reason(exc)
                break
            except (CallFailed, LLMError) as exc:  # this batch only: try the next
                reason = reason or _reason(exc)
        if reason is not None:
            log.warning(
                "The LLM could not check %d of %d unsure requirement rows (%s); they are kept "
                "as the rules found them.",
                len(unsure) - len(verdicts),
                len(unsure),
                reason,
            )
        return _apply(rows, verdicts, asked=len(unsure), reason=reason)

    def _ask(
        self,
        prompt: Prompt,
        batch: Sequence[Found],
        pages: dict[tuple[str, int], str],
        tender_id: int | None,
    ) -> dict[str, RowVerdict]:
        """The verdicts of one call, on this batch's refs only (the first answer for each)."""
        blocks = "\n\n".join(
            _row_block(row, pages.get((row.source, row.page), "")) for row in batch
        )
        result = self.client.structured(
            prompt.messages(count=str(len(batch)), rows=blocks),
            RefineAnswer,
            step=STEP,
            temperature=TEMPERATURE,
            prompt_version=prompt.version,
            tender_id=tender_id,
            max_tokens=MAX_TOKENS,
        )
        asked = {row.ref for row in batch}
        verdicts: dict[str, RowVerdict] = {}
        for verdict in result.value.rows:
            if verdict.ref in asked:
                verdicts.setdefault(verdict.ref, verdict)
        return verdicts


def make_refiner(
    endpoint: Endpoint | None, client_for: Callable[[Endpoint], LLMClient]
) -> RequirementRefiner | None:
    """The refiner over the endpoint in force, or None when no LLM is configured (the rules'
    rows then stand as found); `client_for` is `AppContext.llm_client`, shared per endpoint."""
    return None if endpoint is None else RequirementRefiner(client_for(endpoint))


# ---------------------------------------------------------------------- helpers
def _apply(
    rows: Sequence[Found], verdicts: dict[str, RowVerdict], *, asked: int, reason: str | None
) -> Refinement:
    kept: list[Found] = []
    checked = dropped = made_optional = made_mandatory = 0
    for row in rows:
        verdict = verdicts.get(row.ref) if needs_check(row) else None
        if verdict is None:
            kept.append(row)  # not mentioned, or its call failed: as the rules found it
            continue
        checked += 1
        if not verdict.is_requirement:
            dropped += 1
            continue
        if verdict.mandatory and not row.mandatory:
            made_mandatory += 1
        elif row.mandatory and not verdict.mandatory:
            made_optional += 1
        kept.append(replace(row, mandatory=verdict.mandatory, sure=True))
    return Refinement(
        kept,
        asked=asked,
        checked=checked,
        dropped=dropped,
        made_optional=made_optional,
        made_mandatory=made_mandatory,
        failed=reason is not None,
        reason=reason,
    )


def _page_texts(
    documents: Sequence[tuple[str, Sequence[PageText]]],
) -> dict[tuple[str, int], str]:
    """(document, page) → the page's text on one line, spaced as the rules read it."""
    return {
        (source, page.number): " ".join(page.text.split())
        for source, pages in documents
        for page in pages
    }


def _context(quote: str, page: str) -> str:
    """The page text around the quote, cut at words; the page's start if the quote is not
    found as such (the rules may have split a sentence)."""
    at = page.find(quote[:80]) if quote else -1
    start, end = (at, at + len(quote)) if at >= 0 else (0, 0)
    low, high = max(0, start - CONTEXT_CHARS), min(len(page), end + CONTEXT_CHARS)
    if low > 0 and (space := page.find(" ", low, start)) >= 0:
        low = space + 1
    if high < len(page) and (space := page.rfind(" ", end, high)) >= 0:
        high = space
    text = page[low:high].strip()
    return f"{'… ' if low > 0 else ''}{text}{' …' if high < len(page) else ''}"


def _row_block(row: Found, page: str) -> str:
    """One row as data: what is ours (ref, the rules' reading) outside, the document's text
    (its name, section, quote and page) inside a defused <document> block."""
    where = f"{row.source}, page {row.page}" + (f", section {row.section}" if row.section else "")
    quote = row.text[:MAX_QUOTE_CHARS]
    around = _context(row.text, page) or "(no other text on the page)"
    reading = "mandatory" if row.mandatory else "optional"
    body = "\n".join(
        (
            f"Found in: {defuse(where)}",
            f"Quote: {defuse(quote)}",
            f"Text around it on the page: {defuse(around)}",
        )
    )
    return f"Row {row.ref} (the rules read it as {reading}):\n<document>\n{body}\n</document>"


def _reason(exc: BaseException) -> str:
    """The failure in one line for the log and the page (no transport detail past a line)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:MAX_REASON_CHARS]
