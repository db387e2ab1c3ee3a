"""Notion habit databases as a dlt source: ``notion_source`` and ``refresh_notion``."""

from pipelines.runtime.runner import make_refresh
from pipelines.sources.notion.source import notion_source

refresh_notion = make_refresh("notion", notion_source)

__all__ = ["notion_source", "refresh_notion"]
