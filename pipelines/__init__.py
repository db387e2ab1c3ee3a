"""personal-reporting-pipelines: a personal data platform built on dlt and dbt."""

__version__ = "0.1.0"
