"""The three database roles the pipeline's tasks connect as, so each stage can touch only its layer.

- ``dti_loader`` (extract, land, raw quality gate) writes ``raw`` and ``quarantine``;
- ``dti_transformer`` (dbt) reads ``raw`` and ``quarantine`` and owns the dbt schemas;
- ``dti_reader`` (report readers, auditors) reads ``marts`` and ``audit``.
All three may append to ``audit``, which no role may change. ``sql/050_roles.sql`` creates the
roles and their grants; this module gives them their passwords and builds their connection URLs.

Roles belong to the whole server, which several provinces' warehouses may share, so a password is
one per server too. It comes from ``DTI_<ROLE>_PASSWORD``; without it a role is created with no
password, which is what a trust-authenticated server (the embedded one, a test server) needs.
"""

from __future__ import annotations

import os
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

LOADER = "dti_loader"
TRANSFORMER = "dti_transformer"
READER = "dti_reader"
ROLES = (LOADER, TRANSFORMER, READER)

PASSWORD_ENV = {
    LOADER: "DTI_LOADER_PASSWORD",
    TRANSFORMER: "DTI_TRANSFORMER_PASSWORD",
    READER: "DTI_READER_PASSWORD",
}

# Another warehouse on the same server setting the same role's password at the same moment makes
# PostgreSQL refuse the later ALTER ROLE with this message; trying again after it committed succeeds.
_CONCURRENT_UPDATE = "tuple concurrently updated"
_ATTEMPTS = 5


def role_password(role: str) -> str | None:
    """The role's password from its environment variable, or None when unset or empty."""
    if role not in PASSWORD_ENV:
        raise ValueError(f"{role!r} is not one of the pipeline's roles {ROLES}")
    return os.environ.get(PASSWORD_ENV[role]) or None


def role_url(owner_url: str, role: str) -> str:
    """``owner_url`` (the warehouse as its owner reaches it) with ``role`` as the user, and the
    role's password when its variable is set: same host, port, database and query options."""
    password = role_password(role)
    parts = urlsplit(owner_url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address goes back inside its brackets
        host = f"[{host}]"
    credentials = quote(role, safe="") + (f":{quote(password, safe='')}" if password else "")
    address = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, f"{credentials}@{address}", parts.path, parts.query, parts.fragment))


def apply_role_passwords(conn: psycopg.Connection) -> list[str]:
    """Set the password of every role whose variable is set; returns those roles.

    A role whose variable is unset keeps what it has: another warehouse on the server may have set
    it, and a run without the variable (a developer's CLI) must not lock that deployment out.
    The password is hashed here, as psql's ``\\password`` does, so the statement the server sees,
    logs (``log_statement``) and keeps in ``pg_stat_statements`` holds the hash it stores (a SCRAM
    verifier, or md5 on servers set to it), never the password itself.
    """
    (algorithm,) = conn.execute("show password_encryption").fetchone()
    applied = []
    for role in ROLES:
        password = role_password(role)
        if password is None:
            continue
        verifier = conn.pgconn.encrypt_password(password.encode(), role.encode(), algorithm.encode())
        statement = sql.SQL("alter role {} password {}").format(
            sql.Identifier(role), sql.Literal(verifier.decode()))
        _execute_despite_concurrent_update(conn, statement)
        applied.append(role)
    return applied


def _execute_despite_concurrent_update(conn: psycopg.Connection, statement: sql.Composable) -> None:
    for attempt in range(_ATTEMPTS):
        try:
            with conn.transaction():  # a savepoint: a refused attempt leaves the caller's transaction usable
                conn.execute(statement)
            return
        except psycopg.errors.InternalError_ as error:
            if _CONCURRENT_UPDATE not in str(error) or attempt == _ATTEMPTS - 1:
                raise
