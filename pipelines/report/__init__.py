"""The static report: one self-contained HTML page built from the marts (``prp report``)."""

from pipelines.report.build import build_report, report_path

__all__ = ["build_report", "report_path"]
