"""Tender documents: the specification, the ITT, the evaluation criteria, read offline."""
