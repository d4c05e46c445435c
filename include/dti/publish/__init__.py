"""Publishing: the synthesized DTI report, built from the marts only."""

from dti.publish.report import PublishedReport, publish_report
from dti.publish.report_data import QuarantinedFile

__all__ = ["PublishedReport", "QuarantinedFile", "publish_report"]
