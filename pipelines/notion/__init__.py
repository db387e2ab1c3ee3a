"""Notion habit databases as a dlt source: ``notion_source`` and ``refresh_notion``."""

from pipelines.common.runner import make_refresh
from pipelines.notion.source import notion_source

refresh_notion = make_refresh("notion", notion_source)

__all__ = ["notion_source", "refresh_notion"]
