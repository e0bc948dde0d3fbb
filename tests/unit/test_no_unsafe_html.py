"""No page renders raw HTML: tender text and LLM output are shown as text, never as HTML.

Scans app.py, pages/ and ui/ with `ast` for `unsafe_allow_html=` (anything but a literal
False), `st.html(…)`, `components.html(…)` / `components.iframe(…)`, any use of
`st.components` and imports of `streamlit.components`. The allowed list names each exception
with its justification, and an allowed call must pass only a static string we wrote (no
f-string, no variable).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py"))]
SCANNED += sorted((ROOT / "ui").rglob("*.py"))
HTML_CALLS = frozenset({"html", "iframe", "declare_component"})

# (file relative to the project, a snippet of the offending line) → why it is safe.
# Keep it empty; an entry must be a static string written by us.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str
    source: str
    static: bool  # every argument is a plain string constant

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}: {self.source.strip()}"


def _dotted(node: ast.AST) -> str:
    """'st.components.v1.html' for an attribute chain, '' for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _static(call: ast.Call) -> bool:
    values = [*call.args, *(k.value for k in call.keywords if k.arg != "unsafe_allow_html")]
    return all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values)


def scan_source(text: str, path: str = "<source>") -> list[Finding]:
    tree = ast.parse(text, filename=path)
    lines = text.splitlines()
    found: list[Finding] = []

    def add(node: ast.AST, what: str, static: bool = False) -> None:
        line = getattr(node, "lineno", 0)
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        found.append(Finding(path, line, what, source, static))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names]
            module = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
            if any(n.startswith("streamlit.components") for n in [module, *names]) or (
                module == "streamlit" and "components" in names
            ):
                add(node, "imports streamlit.components")
        elif isinstance(node, ast.Attribute) and node.attr == "components":
            if _dotted(node.value) in ("st", "streamlit"):
                add(node, "uses st.components")
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                value = keyword.value
                literal_false = isinstance(value, ast.Constant) and value.value is False
                if keyword.arg == "unsafe_allow_html" and not literal_false:
                    add(node, "unsafe_allow_html", _static(node))
            name = _dotted(node.func)
            if name.startswith(("st.", "streamlit.")) and any(
                k.arg is None for k in node.keywords
            ):  # **kwargs could carry unsafe_allow_html
                add(node, "passes **kwargs to a Streamlit call")
            head, _, last = name.rpartition(".")
            if last in HTML_CALLS and (
                head in ("st", "streamlit") or "components" in head.split(".")
            ):
                add(node, f"calls {name}", _static(node))
    return found


def _findings() -> list[Finding]:
    found: list[Finding] = []
    for path in SCANNED:
        found += scan_source(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    return found


def _allowed(finding: Finding) -> bool:
    for (path, snippet), why in ALLOWED.items():
        if finding.path == path and snippet in finding.source and why.strip():
            return finding.static
    return False


def test_the_scan_covers_the_app_pages_and_ui() -> None:
    relative = {str(p.relative_to(ROOT)) for p in SCANNED}
    assert "app.py" in relative
    assert any(p.startswith("pages/") for p in relative)
    assert any(p.startswith("ui/") for p in relative)


def test_no_page_renders_raw_html() -> None:
    offenders = [str(f) for f in _findings() if not _allowed(f)]
    assert not offenders, "render untrusted text as text:\n" + "\n".join(offenders)


def test_every_allowed_exception_is_justified_and_still_needed() -> None:
    findings = _findings()
    for (path, snippet), why in ALLOWED.items():
        assert len(why.split()) >= 5, f"say why {path} {snippet!r} is safe"
        matching = [f for f in findings if f.path == path and snippet in f.source]
        assert matching, f"{path} {snippet!r} is allowed but no longer used: remove it"
        assert all(f.static for f in matching), f"{path} {snippet!r} must be a static string"


@pytest.mark.parametrize(
    "source",
    [
        "import streamlit as st\nst.markdown(title, unsafe_allow_html=True)\n",
        'import streamlit as st\nst.markdown(f"<b>{title}</b>", unsafe_allow_html=flag)\n',
        'import streamlit as st\nst.html(f"<p>{text}</p>")\n',
        "import streamlit as st\nst.components.v1.html(page)\n",
        "import streamlit.components.v1 as components\ncomponents.html(page)\n",
        "from streamlit.components.v1 import html\n",
        "from streamlit import components\n",
        "import streamlit as st\nst.write(text, **options)\n",
    ],
)
def test_the_scanner_finds_each_kind_of_offender(source: str) -> None:
    findings = scan_source(source)
    assert findings and not all(_allowed(f) for f in findings), source


@pytest.mark.parametrize(
    "source",
    [
        "import streamlit as st\nst.markdown(md_escape(title))\n",
        'import streamlit as st\nst.markdown("**Bold**", unsafe_allow_html=False)\n',
        "import streamlit as st\nst.text(title)\nst.code(html)\n",
    ],
)
def test_the_scanner_accepts_text_rendering(source: str) -> None:
    assert scan_source(source) == []


def test_an_allowed_call_must_be_a_static_string() -> None:
    (static,) = scan_source('import streamlit as st\nst.html("<hr>")\n')
    (dynamic,) = scan_source('import streamlit as st\nst.html(f"<p>{text}</p>")\n')
    assert static.static and not dynamic.static
