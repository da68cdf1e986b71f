"""Renderings of reports: one piece of data, rendered as text for the terminal or JSON."""
