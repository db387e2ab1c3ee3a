"""Pieces shared by every source: refresh mode, HTTP, settings, the runner, summaries."""
