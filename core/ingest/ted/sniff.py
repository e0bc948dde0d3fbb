"""sniff_ted: is the file a TED export? Read from the head of the file, past its prolog."""

from __future__ import annotations

import re

from core.ingest.content import Content
from core.ingest.ted.tree import ROOT

_NAME = re.compile(r"[A-Za-z_][\w.:-]*")


def sniff_ted(content: Content) -> int:
    """100 when the first element (or the DOCTYPE) of the file is a TED_EXPORT, else 0.

    A DOCTYPE naming TED_EXPORT counts too, so that parse_ted refuses it with the right reason
    instead of the file being called an unknown format.
    """
    text = content.head_text
    if not text or not text.startswith("<"):
        return 0
    position = _skip_prolog(text)
    if position is None:
        return 0
    rest = text[position:]
    if rest.startswith("<!DOCTYPE"):
        name = _NAME.match(rest[len("<!DOCTYPE") :].lstrip())
    elif rest.startswith("<"):
        name = _NAME.match(rest, 1)
    else:
        return 0
    return 100 if name and name[0].rsplit(":", 1)[-1] == ROOT else 0


def _skip_prolog(text: str) -> int | None:
    """Where the first element or DOCTYPE starts, past the XML declaration, PIs and comments."""
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        for start, end in (("<?", "?>"), ("<!--", "-->")):
            if text.startswith(start, position):
                found = text.find(end, position + len(start))
                if found < 0:
                    return None  # the prolog goes past the head: not a file we recognise
                position = found + len(end)
                break
        else:
            return position
