"""The embedded PostgreSQL: TCP on 127.0.0.1, data kept across restarts, stopped cleanly."""

import psycopg
import pytest

from dti import warehouse

pytestmark = pytest.mark.integration


def test_embedded_server_keeps_its_data_across_a_restart(tmp_path):
    server = warehouse.EmbeddedPostgres(tmp_path / "pg")
    url = warehouse.ensure_database(server.start(), "dti")
    try:
        assert url.startswith("postgresql://postgres@127.0.0.1:")
        with psycopg.connect(url) as conn:
            conn.execute("create table kept (name text)")
            conn.execute("insert into kept values ('Phường Đa Mai')")
    finally:
        server.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)

    again = warehouse.EmbeddedPostgres(tmp_path / "pg")
    url = warehouse.ensure_database(again.start(), "dti")
    try:
        with psycopg.connect(url) as conn:
            assert conn.execute("select name from kept").fetchone() == ("Phường Đa Mai",)
            assert conn.execute("show server_encoding").fetchone() == ("UTF8",)
    finally:
        again.stop()
