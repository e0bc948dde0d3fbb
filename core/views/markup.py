"""Untrusted text (tenders, analyst output) made safe to show as Markdown.

Only structure survives: headings become bold lines, list items stay list items, line breaks
stay. Every other Markdown or HTML character is escaped, so links, images (which would load
an outside URL), raw HTML, LaTeX and Streamlit's :colour[…] directives show as plain text.
Bare addresses ("https://…", "www.…", "name@host") would still become live links (the
renderer's autolinks ignore escapes), so an invisible word joiner breaks each pattern.
"""

from __future__ import annotations

import re

_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$=^&])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
_BULLET = re.compile(r"^(?P<indent>\s*)[-*+•]\s+(?P<text>.*)$")
_NUMBERED = re.compile(r"^(?P<indent>\s*)(?P<n>\d{1,3})[.)]\s+(?P<text>.*)$")


_JOINER = "\u2060"  # WORD JOINER: invisible, and no autolink spans it
_AUTOLINKS = re.compile(r"(?i)(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?=@)")


def escape_markdown(text: str) -> str:
    """Every Markdown-significant character backslash-escaped, and bare addresses broken, so
    the text shows literally and links nowhere."""
    return _SPECIALS.sub(r"\\\1", _AUTOLINKS.sub(_JOINER, text))


def safe_markdown(text: str) -> str:
    lines = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if heading := _HEADING.match(line):
            lines.append(f"**{escape_markdown(heading['text'])}**")
        elif bullet := _BULLET.match(line):
            indent = "  " * min(len(bullet["indent"]) // 2, 3)
            lines.append(f"{indent}- {escape_markdown(bullet['text'])}")
        elif numbered := _NUMBERED.match(line):
            lines.append(f"{numbered['n']}. {escape_markdown(numbered['text'])}")
        else:
            lines.append(escape_markdown(line))
    # Two trailing spaces keep a single line break a line break in Markdown.
    out = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        out.append(f"{line}  " if line and following else line)
    return "\n".join(out)
