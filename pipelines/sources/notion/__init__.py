"""Notion habit databases as a dlt source: ``notion_source``, ``refresh_notion`` and its ``SPEC``."""

from pipelines.runtime.privacy import SourcePrivacy, ValueTable
from pipelines.runtime.runner import make_refresh
from pipelines.runtime.source_spec import SourceSpec
from pipelines.sources import privacy_defaults
from pipelines.sources.notion.doctor import check_notion
from pipelines.sources.notion.rows import (
    DATA_SOURCE_PROPERTIES_TABLE,
    DATA_SOURCES_TABLE,
    PAGES_TABLE,
    PROPERTY_VALUES_TABLE,
)
from pipelines.sources.notion.source import notion_source

refresh_notion = make_refresh("notion", notion_source, privacy=privacy_defaults)

SPEC = SourceSpec(
    name="notion",
    label="Notion",
    refresh=refresh_notion,
    tables=(DATA_SOURCES_TABLE, DATA_SOURCE_PROPERTIES_TABLE, PAGES_TABLE, PROPERTY_VALUES_TABLE),
    marts=("fct_habit_periods",),
    connect="set [sources.notion] api_key (or SOURCES__NOTION__API_KEY) to your internal "
            "integration secret and share your habit databases with it, then run "
            "`prp refresh notion && prp transform && prp report`",
    doctor=check_notion,
    credentials=("api_key",),
    privacy=SourcePrivacy(
        # a key in notion__property_values is a property name or type (rich_text)
        cloud={PROPERTY_VALUES_TABLE: {"rich_text": "redact", "email": "hash",
                                       "phone_number": "hash"}},
        value_tables={PROPERTY_VALUES_TABLE: ValueTable(
            "property_name", "property_type", "value_text", "value_json",
            ("value_number", "value_bool", "value_date", "value_date_end"))},
        # a page's title is its title property: it follows that rule unless set on its own
        follows={(PAGES_TABLE, "title"): (PROPERTY_VALUES_TABLE, "title")},
    ),
    hidden_state=("digest", "schema"),  # a data source's change digest and property schema
)

__all__ = ["SPEC", "notion_source", "refresh_notion"]
