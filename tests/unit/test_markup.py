from __future__ import annotations

from core.views.markup import escape_markdown, safe_markdown


def test_structure_survives() -> None:
    text = "### Cybersecurity\n\nWe test.\n- Phase 1: plan\n- Phase 2: do\n1. first"
    assert safe_markdown(text).splitlines() == [
        "**Cybersecurity**",
        "",
        "We test\\.  ",
        "- Phase 1\\: plan  ",
        "- Phase 2\\: do  ",
        "1. first",
    ]


def test_links_images_html_and_directives_are_inert() -> None:
    hostile = "![x](https://evil.example/p?d=1) [click](javascript:alert(1)) <b>hi</b> :red[x] $x$"
    safe = safe_markdown(hostile)
    for raw in ("![", "](", "<b>", ":red[", "$x$"):
        assert raw not in safe
    assert escape_markdown("[to complete]") == "\\[to complete\\]"
