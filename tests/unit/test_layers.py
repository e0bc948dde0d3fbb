"""Who may import whom (DESIGN.md, Layout), and how large a module may grow.

The known exceptions are listed by name; each list may only shrink, and a listed exception
that no longer holds fails too, so the lists stay true.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("core", "storage", "ui", "pages")
WIRING = {"core/bootstrap.py", "core/cli/main.py"}  # the modules that build the repositories
# Services in core that take a concrete repository instead of a Protocol; none today.
STORAGE_IN_CORE: set[str] = set()
STORAGE_OUTSIDE_WIRING = {"app.py", "ui/app/runtime.py"}  # StorageError, close_database
MAX_LINES = 400
# Files past MAX_LINES, with the most lines each may have until it is split; none today.
OVERSIZED: dict[str, int] = {}


def python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (also inside functions)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def importing(path: Path, *roots: str) -> set[str]:
    return {m for m in imported(path) if m.split(".")[0] in roots}


def test_core_never_imports_streamlit_ui_or_pages() -> None:
    offenders = {
        name(p): sorted(found)
        for p in python_files("core")
        if (found := importing(p, "streamlit", "ui", "pages"))
    }
    assert offenders == {}


def test_storage_imports_only_core_models_from_core() -> None:
    offenders = {
        name(p): sorted(found)
        for p in python_files("storage")
        if (
            found := {
                m
                for m in importing(p, "core")
                if m != "core.models" and m.split(".")[:2] != ["core", "models"]
            }
        )
    }
    assert offenders == {}


def test_pages_import_neither_duckdb_openai_nor_storage() -> None:
    offenders = {
        name(p): sorted(found)
        for p in python_files("pages")
        if (found := importing(p, "duckdb", "openai", "storage"))
    }
    assert offenders == {}


def test_only_the_wiring_reaches_storage() -> None:
    files = [*python_files("core", "ui"), ROOT / "app.py"]
    reaching = {name(p) for p in files if importing(p, "storage")}
    allowed = WIRING | STORAGE_IN_CORE | STORAGE_OUTSIDE_WIRING
    assert reaching - allowed == set(), "take repositories as Protocols, built in the wiring"
    assert allowed - reaching == set(), "no longer imports storage: take it off the list"


def test_core_has_few_modules_of_its_own() -> None:
    modules = sorted(p.name for p in (ROOT / "core").glob("*.py"))
    assert len(modules) <= 8, modules


@pytest.mark.parametrize("folder", LAYERS)
def test_no_module_grows_past_the_limit(folder: str) -> None:
    sizes = {name(p): len(p.read_text(encoding="utf-8").splitlines()) for p in python_files(folder)}
    too_long = {
        path: lines for path, lines in sizes.items() if lines > OVERSIZED.get(path, MAX_LINES)
    }
    assert too_long == {}, f"split by reason to change (limit {MAX_LINES} lines)"
    for path in OVERSIZED:
        if path.startswith(f"{folder}/"):
            assert sizes.get(path, 0) > MAX_LINES, f"{path} is split now: take it off OVERSIZED"
