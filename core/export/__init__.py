"""Exports: bid documents (DOCX, Markdown, a ZIP of them) and the results table (CSV, XLSX)."""

from __future__ import annotations


class ExportError(RuntimeError):
    """An export could not be written; the message is one sentence saying what to do."""
