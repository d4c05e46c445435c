"""Publishing: the synthesized DTI report, its workbook, the unit scorecards and the portal, built from
the ``rpt_*`` marts only."""

from dti.publish.period import publish_period
from dti.publish.report import PublishedReport, publish_report
from dti.publish.report_data import QuarantinedFile

__all__ = ["PublishedReport", "QuarantinedFile", "publish_period", "publish_report"]
