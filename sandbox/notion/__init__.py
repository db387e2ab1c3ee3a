"""Notion API stand-in (version 2025-09-03): search, data source query, page properties."""
