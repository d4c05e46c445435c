"""Connection URLs of the pipeline's roles: the owner's warehouse with the role as user, and the
role's password from its environment variable, percent-encoded, or none at all."""

from __future__ import annotations

import psycopg
import pytest

from dti import roles
from dti.settings import PostgresParams

OWNER_URL = "postgresql://postgres:owner%20secret@db.example.vn:6432/dti_bac_ninh?sslmode=require"


@pytest.fixture(autouse=True)
def no_role_passwords(monkeypatch):
    for variable in roles.PASSWORD_ENV.values():
        monkeypatch.delenv(variable, raising=False)


@pytest.mark.parametrize("role", roles.ROLES)
def test_a_role_url_keeps_the_warehouse_and_never_the_owner_s_password(role):
    url = roles.role_url(OWNER_URL, role)
    assert url == f"postgresql://{role}@db.example.vn:6432/dti_bac_ninh?sslmode=require"
    params = PostgresParams.from_url(url)
    assert (params.user, params.password, params.host, params.port, params.dbname) == (
        role, "", "db.example.vn", 6432, "dti_bac_ninh")


def test_the_password_comes_from_the_role_s_own_variable_percent_encoded(monkeypatch):
    password = "p@ss:w/ord?#%&=mật khẩu'\""
    monkeypatch.setenv("DTI_TRANSFORMER_PASSWORD", password)
    url = roles.role_url(OWNER_URL, roles.TRANSFORMER)
    assert PostgresParams.from_url(url).password == password
    conninfo = psycopg.conninfo.conninfo_to_dict(url)
    assert (conninfo["user"], conninfo["password"], conninfo["host"], conninfo["port"], conninfo["dbname"]) == (
        roles.TRANSFORMER, password, "db.example.vn", "6432", "dti_bac_ninh")
    assert PostgresParams.from_url(roles.role_url(OWNER_URL, roles.READER)).password == ""


def test_an_empty_variable_means_no_password(monkeypatch):
    monkeypatch.setenv("DTI_LOADER_PASSWORD", "")
    assert roles.role_url(OWNER_URL, roles.LOADER) == (
        "postgresql://dti_loader@db.example.vn:6432/dti_bac_ninh?sslmode=require")


def test_an_ipv6_host_and_a_default_port_come_back_as_they_were():
    assert roles.role_url("postgresql://postgres@[::1]/dti", roles.READER) == "postgresql://dti_reader@[::1]/dti"


def test_an_unknown_role_is_refused():
    with pytest.raises(ValueError, match="not one of the pipeline's roles"):
        roles.role_url(OWNER_URL, "postgres")
