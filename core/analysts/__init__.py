"""Analysts: who filters, rates and writes. `rules` works offline; `llm` needs an endpoint."""
