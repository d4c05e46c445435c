"""How publishing reads the warehouse: whole rows of one ``marts.rpt_*`` table, filtered and ordered,
by column name. The marts hold the names, numbers and order the pages print; nothing here joins."""

from __future__ import annotations

from collections.abc import Mapping

import psycopg
from psycopg import sql
from psycopg.rows import dict_row


def mart_rows(conn: psycopg.Connection, mart: str, where: str, params: Mapping, order_by: str | None = None
              ) -> list[dict]:
    """The rows of ``marts.<mart>`` matching ``where`` (its values bound from ``params``), in ``order_by``."""
    if not mart.startswith("rpt_"):
        raise ValueError(f"publishing reads the rpt_* marts made for it, not {mart!r}")
    query = sql.SQL("select * from {} where {}").format(sql.Identifier("marts", mart), sql.SQL(where))
    if order_by:
        query += sql.SQL(" order by {}").format(sql.SQL(order_by))
    with conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(query, params).fetchall()
