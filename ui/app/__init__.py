"""App plumbing: the cached runtime, the signed-in session, the cookie routes, navigation."""
