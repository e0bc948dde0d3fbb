"""Widgets any page may use: notices, badges, charts, progress."""
