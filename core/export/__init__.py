"""Exports: bid documents (DOCX, Markdown, a ZIP of them) and the results table (CSV, XLSX)."""
