"""Sections of particular pages (bids, dashboard, review, tender, settings)."""
