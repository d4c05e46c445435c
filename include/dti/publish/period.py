"""One period's publication, in the order readers need it: the pages the report links first, then
the report with its workbook, unit scorecards and feedback letters in one switch, then the portal
over all of it."""

from __future__ import annotations

from dti.audit import record_publication, record_published_scores
from dti.provinces import Province
from dti.publish.dbt_docs import publish_dbt_docs
from dti.publish.letters import feedback_letters
from dti.publish.portal import publish_portal
from dti.publish.report import publish_report
from dti.publish.scorecards import scorecard_files
from dti.publish.workbook import workbook_files
from dti.quality.data_docs import publish_data_docs
from dti.roles import READER
from dti.warehouse import connect


def publish_period(province: Province, period: str, run_id: str) -> dict:
    """Publish the province's report of ``period`` from its marts, with the Data Docs and the dbt docs
    it links and the portal; record each publication and the scores the national roll-up gathers.

    Returns what the run's summary shows: the report's path, the DTI and the units scored.
    """
    output = province.output_dir
    data_docs = publish_data_docs(output, run_id, province)
    # Every step reads as the reader role: dbt's docs take the models' columns from PostgreSQL's
    # system catalogs, which show a relation's shape without granting a row of it.
    reader_url = province.warehouse_url(READER)
    dbt_docs = publish_dbt_docs(reader_url, output, run_id, province)
    with connect(reader_url) as conn:
        letters = feedback_letters(conn, period, province)
        companions = {**workbook_files(conn, period, province),
                      **scorecard_files(conn, period, province, letters.of_units), **letters.files}
        published = publish_report(conn, period, output, run_id, province, extra_files=companions)
        for folder in (published.folder, data_docs, dbt_docs):
            record_publication(conn, run_id, period, folder)
        # What the national roll-up gathers once the publish task has updated the province's asset.
        record_published_scores(conn, run_id, period, province.code)
    portal = publish_portal(output, province)
    return {"report_path": str(published.report_path), "dti_score": published.dti_score,
            "units_scored": published.units_scored, "units_total": published.units_total,
            "data_docs_path": str(data_docs), "dbt_docs_path": str(dbt_docs), "portal_path": str(portal)}
