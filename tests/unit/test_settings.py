import pytest

from dti import settings
from dti.settings import PostgresParams


def test_postgres_params_from_a_tcp_url_feed_the_dbt_profile():
    params = PostgresParams.from_url("postgresql://loader:s%40cret@127.0.0.1:6543/dti")
    assert params.dbt_env() == {
        "DTI_PGHOST": "127.0.0.1",
        "DTI_PGPORT": "6543",
        "DTI_PGUSER": "loader",
        "DTI_PGPASSWORD": "s@cret",
        "DTI_PGDATABASE": "dti",
    }


def test_postgres_params_default_the_port_and_password():
    params = PostgresParams.from_url("postgresql://postgres@db.example/warehouse")
    assert (params.port, params.password, params.dbname) == (5432, "", "warehouse")


def test_a_socket_url_is_refused_because_cosmos_and_gx_need_tcp():
    with pytest.raises(ValueError, match="TCP"):
        PostgresParams.from_url("postgresql:///dti?host=/var/run/postgresql")


def test_the_pseudonym_key_comes_from_the_environment_or_a_local_file(tmp_path, monkeypatch):
    from dti import settings

    monkeypatch.setenv("DTI_PSEUDONYM_KEY", "from-env")
    assert settings.pseudonym_key() == b"from-env"
    monkeypatch.delenv("DTI_PSEUDONYM_KEY")
    monkeypatch.setattr(settings, "PSEUDONYM_KEY_FILE", tmp_path / "pseudonym.key")
    first = settings.pseudonym_key()
    assert len(first) == 64 and settings.pseudonym_key() == first
    assert (tmp_path / "pseudonym.key").stat().st_mode & 0o077 == 0


def test_the_dag_schedule_follows_the_period_unless_the_deployment_sets_one(monkeypatch):
    monkeypatch.delenv("DTI_DAG_SCHEDULE", raising=False)
    assert settings.dag_schedule() == settings.SCHEDULES[settings.PERIOD_GRANULARITY]
    monkeypatch.setenv("DTI_DAG_SCHEDULE", "0 2 15 * *")
    assert settings.dag_schedule() == "0 2 15 * *"
    monkeypatch.setenv("DTI_DAG_SCHEDULE", "None")
    assert settings.dag_schedule() is None
