"""Tenderwise core: domain types and services. Never imports streamlit."""
