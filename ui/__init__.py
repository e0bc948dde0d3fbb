"""The Streamlit side: app/ (runtime, session, cookie routes, navigation), widgets/ any page
may use, and parts/ that belong to one page. Pages stay thin and import from here."""
