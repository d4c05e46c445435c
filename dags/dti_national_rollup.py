"""dti_national_rollup: every province's published DTI -> national.province_dti_scores.

Scheduled on the assets the provinces' publish tasks update, so it runs after any province
publishes; it copies each province's latest published figures into the national database.
Wiring only; the roll-up is ``dti.national.roll_up``, tested without Airflow.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, AssetAny, dag, task

from dti import national, settings
from dti.provinces import configured_server, load_deployment

deployment = load_deployment()


@dag(
    dag_id=settings.NATIONAL_DAG_ID,
    description="Gather every province's published DTI into the national roll-up table.",
    schedule=AssetAny(*(Asset(province.published_scores_asset) for province in deployment.provinces)),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "so-khcn", "retries": 2, "retry_delay": timedelta(seconds=30)},
    tags=["dti", "digital-transformation", "national"],
    doc_md=__doc__,
)
def dti_national_rollup():
    @task
    def roll_up() -> dict:
        return national.roll_up(configured_server(), deployment.national_database, deployment.provinces)

    roll_up()


dti_national_rollup()
