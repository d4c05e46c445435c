"""Shared fixtures: a real PostgreSQL for the test session, and a fresh database for each test."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

# Tests keep their state (Airflow metadata, inbox, archive, published output) out of the
# developer's own .dti/ and output/; set before dti.settings is first imported.
_STATE = Path(tempfile.mkdtemp(prefix="dti-tests-"))
os.environ["DTI_STATE_DIR"] = str(_STATE / "state")
os.environ["DTI_OUTPUT_DIR"] = str(_STATE / "output")
# dbt commands the tests run write their artifacts here, not into dbt_project/target, which holds the
# manifest the DAGs are rendered from and which test processes running side by side would share.
os.environ["DBT_TARGET_PATH"] = str(_STATE / "dbt" / "target")
os.environ["DBT_LOG_PATH"] = str(_STATE / "dbt" / "logs")

import pytest  # noqa: E402

from dti import warehouse  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """DTI_TEST_DATABASE_URL's server when given, else an embedded PostgreSQL for this test session.

    Its data lives in this session's own folder, not in pytest's rotating temporary folders,
    which another pytest process on the machine may clean up while this one still runs.
    """
    configured = os.environ.get("DTI_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    server = warehouse.EmbeddedPostgres(_STATE / "embedded-pg")
    yield server.start()
    server.stop()


@pytest.fixture()
def database_url(postgres_server_url) -> str:
    """A database created for one test and dropped after it, so tests never see each other's rows."""
    name = f"dti_test_{uuid.uuid4().hex[:12]}"
    url = warehouse.ensure_database(postgres_server_url, name)
    yield url
    warehouse.drop_database(postgres_server_url, name)


@pytest.fixture(scope="session")
def two_period_marts_url(postgres_server_url, tmp_path_factory) -> str:
    """A database holding tests/scoring_data.py's two periods built by dbt, shared by the tests
    that only read the marts (and dropped at the end of the session)."""
    from tests.scoring_data import two_periods_built

    with two_periods_built(postgres_server_url, tmp_path_factory.getbasetemp() / "two-period-dbt") as url:
        yield url


@pytest.fixture()
def two_period_marts_copy(postgres_server_url, two_period_marts_url) -> str:
    """A database of the test's own holding the shared two-period build, for a test that changes the marts."""
    from tests.scoring_data import database_copy

    with database_copy(postgres_server_url, two_period_marts_url) as url:
        yield url


@pytest.fixture(scope="module")
def two_province_project(tmp_path_factory) -> Path:
    """dbt_project/ with the test province's seed folder, as settings.DBT_PROJECT_DIR for the module:
    where tests.helpers.TWO_PROVINCES is read from."""
    from dti import settings
    from tests.helpers import project_with_test_province

    project = project_with_test_province(tmp_path_factory.mktemp("project"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "DBT_PROJECT_DIR", project)
        yield project
