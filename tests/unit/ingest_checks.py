"""Checks shared by the importer tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.ingest import ImportFileError


def one_sentence_refusal(read: Callable[[bytes, str], object], data: bytes, filename: str) -> str:
    """`read(data, filename)` refuses the file in one sentence that starts with its name."""
    with pytest.raises(ImportFileError) as caught:
        read(data, filename)
    message = str(caught.value)
    assert caught.value.filename == filename
    assert message.startswith(filename)
    assert "\n" not in message
    assert message.endswith(".")
    assert ". " not in message.removeprefix(filename)
    return message
