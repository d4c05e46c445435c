"""One period's publication, in the order readers need it: the pages the report links first, then
the report with its workbook and unit scorecards in one switch, then the portal over all of it."""

from __future__ import annotations

from dti import audit
from dti.provinces import Province
from dti.publish.dbt_docs import publish_dbt_docs
from dti.publish.portal import publish_portal
from dti.publish.report import publish_report
from dti.publish.scorecards import scorecard_files
from dti.publish.workbook import workbook_files
from dti.quality.data_docs import publish_data_docs
from dti.roles import READER, TRANSFORMER
from dti.warehouse import connect


def publish_period(province: Province, period: str, run_id: str) -> dict:
    """Publish the province's report of ``period`` from its marts, with the Data Docs and the dbt docs
    it links and the portal; record each publication and the scores the national roll-up gathers.

    Returns what the run's summary shows: the report's path, the DTI and the units scored.
    """
    output = province.output_dir
    data_docs = publish_data_docs(output, run_id, province)
    # dbt's docs read the catalog of every model, which only dbt's own role may see.
    dbt_docs = publish_dbt_docs(province.warehouse_url(TRANSFORMER), output, run_id, province)
    with connect(province.warehouse_url(READER)) as conn:
        companions = {**workbook_files(conn, period, province), **scorecard_files(conn, period, province)}
        published = publish_report(conn, period, output, run_id, province, extra_files=companions)
        for folder in (published.folder, data_docs, dbt_docs):
            audit.record_publication(conn, run_id, period, folder)
        # What the national roll-up gathers once the publish task has updated the province's asset.
        audit.record_published_scores(conn, run_id, period, province.code)
    portal = publish_portal(output, province)
    return {"report_path": str(published.report_path), "dti_score": published.dti_score,
            "units_scored": published.units_scored, "units_total": published.units_total,
            "data_docs_path": str(data_docs), "dbt_docs_path": str(dbt_docs), "portal_path": str(portal)}
