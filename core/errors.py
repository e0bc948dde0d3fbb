"""Errors shared across layers that callers act on, not just report."""

from __future__ import annotations


class AnalystUnavailable(RuntimeError):
    """The analyst cannot work right now (its endpoint is down or refusing us).

    The pipeline puts the tender back where it was instead of failing it, and the worker waits
    until the analyst answers again. The message is one sentence saying what to do.
    """
