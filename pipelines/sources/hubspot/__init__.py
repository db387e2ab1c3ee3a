"""HubSpot CRM as a dlt source: ``hubspot_source``, ``refresh_hubspot`` and its ``SPEC``."""

from pipelines.runtime.privacy import SourcePrivacy
from pipelines.runtime.runner import make_refresh
from pipelines.runtime.source_spec import SourceSpec
from pipelines.sources import privacy_defaults
from pipelines.sources.hubspot.doctor import check_hubspot
from pipelines.sources.hubspot.source import hubspot_source

# the free text of engagements: redacted on the way to the cloud
ENGAGEMENT_TEXT = (
    "hs_body_preview", "hs_call_title", "hs_call_body", "hs_meeting_title", "hs_meeting_body",
    "hs_note_body", "hs_task_subject", "hs_task_body", "hs_email_subject", "hs_email_text",
    "hs_email_html", "hs_communication_body",
)

# the objects file that last passed its check is remembered beside this warehouse's dlt state
refresh_hubspot = make_refresh("hubspot", hubspot_source, privacy=privacy_defaults, inject=lambda settings: {
    "objects_check_record": str(settings.state_dir / "hubspot-objects-checked")})

SPEC = SourceSpec(
    name="hubspot",
    label="HubSpot",
    refresh=refresh_hubspot,
    tables=("hubspot__contacts", "hubspot__companies", "hubspot__engagements",
            "hubspot__contact_companies", "hubspot__engagement_contacts",
            "hubspot__engagement_companies"),
    marts=("fct_engagements", "dim_contacts", "dim_companies"),
    connect="create a Service Key (HubSpot > Development > Keys > Service keys; the README "
            "lists the scopes to tick), set [sources.hubspot] api_key (or "
            "SOURCES__HUBSPOT__API_KEY) to it, then run "
            "`prp refresh hubspot && prp transform && prp report`",
    doctor=check_hubspot,
    credentials=("api_key",),
    privacy=SourcePrivacy(cloud={
        "hubspot__contacts": {"*email*": "hash", "*phone*": "hash"},
        "hubspot__engagements": dict.fromkeys(ENGAGEMENT_TEXT, "redact"),
    }),
)

__all__ = ["SPEC", "hubspot_source", "refresh_hubspot"]
