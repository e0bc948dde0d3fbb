from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.bootstrap import AppContext, open_context
from storage.db import close_database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tenderwise.duckdb"


@pytest.fixture
def ctx(db_path: Path) -> Iterator[AppContext]:
    context = open_context(db_path=db_path)
    yield context
    close_database(db_path)
