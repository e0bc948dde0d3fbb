"""Streamlit-side helpers shared by pages: the cached runtime and small components."""
