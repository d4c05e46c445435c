import pytest

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
