"""Ingest benchmark: one million generated dossiers loaded three ways into one PostgreSQL, in one run.

(a) landing  - the project's path from API page bytes to raw.dossier_records: each page read and
               checked, citizen ids pseudonymised, the page archived and registered, its rows
               COPYed and the sync position moved, one transaction per page, in pages as large as
               the sandbox API serves (10,000 records);
(b) COPY     - psycopg ``COPY ... FROM STDIN`` with ``write_row`` of the same rows (pseudonyms and
               provenance computed beforehand) into a table shaped like raw.dossier_records
               (``like ... including all``: same columns, types and primary key), one transaction;
(c) to_sql   - pandas ``DataFrame.to_sql`` of the same rows into another such table through a
               SQLAlchemy engine on psycopg, as a pandas user writes it: ``if_exists="append"``,
               default ``method=None`` (an executemany of INSERTs) and default chunking.

Prints rows/s for each; the last two lines are the throughput ratios landing_vs_copy and
landing_vs_to_sql. Uses DTI_DATABASE_URL when set (in a database made for the run and dropped
after it), else an embedded PostgreSQL in a temporary folder.

    .venv/bin/python bench/ingest.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import psycopg
import sqlalchemy

from dti import settings, warehouse
from dti.demo.dossiers import DOSSIERS_PER_MONTH, DossierPlan, generate_dossiers
from dti.demo.sandbox_api import MAX_LIMIT, encode_page
from dti.landing import pseudonymizer, sha256_of
from dti.landing.dossiers import RAW_COLUMNS, RAW_TABLE, SOURCE_NAME, land_pages
from dti.provinces import default_province
from dti.sources.dossier_records import FIELDS, TIMESTAMP_FIELDS, read_page
from dti.sources.procedure_api import ReceivedPage, request_path

PAGE_SIZE = MAX_LIMIT
PSEUDONYM_KEY = b"bench-pseudonym-key"


@contextmanager
def database() -> Iterator[tuple[str, str]]:
    """A fresh database for the run, and where it lives."""
    configured = settings.server_url()
    if configured:
        name = f"dti_bench_{uuid.uuid4().hex[:8]}"
        try:
            yield warehouse.ensure_database(configured, name), "DTI_DATABASE_URL"
        finally:
            warehouse.drop_database(configured, name)
        return
    with tempfile.TemporaryDirectory(prefix="dti-bench-") as folder:
        server = warehouse.EmbeddedPostgres(Path(folder))
        try:
            yield warehouse.ensure_database(server.start(), "dti_bench"), "embedded PostgreSQL"
        finally:
            server.stop()


def api_pages(records: list[dict]) -> list[tuple[bytes, str]]:
    """The dossiers as the API serves them: keyset order, pages of PAGE_SIZE, with the request of each."""
    ordered = sorted(records, key=lambda record: (record["updated_at"], record["dossier_id"]))
    pages, cursor = [], None
    for start in range(0, len(ordered), PAGE_SIZE):
        next_cursor = f"after-{start + PAGE_SIZE}" if start + PAGE_SIZE < len(ordered) else None
        pages.append((encode_page(ordered[start:start + PAGE_SIZE], next_cursor),
                      request_path(None, cursor, PAGE_SIZE)))
        cursor = next_cursor
    return pages


def raw_rows(pages: list[tuple[bytes, str]]) -> list[tuple]:
    """The rows landing writes for ``pages``, in RAW_COLUMNS order, for the baselines."""
    pseudonym = pseudonymizer(PSEUDONYM_KEY)
    rows = []
    for content, request in pages:
        file_sha256 = sha256_of(content)
        page = read_page(content, request)
        values = [page.columns[name] if name != "citizen_id" else list(map(pseudonym, page.columns[name]))
                  for name in FIELDS]
        provenance = (f"api-{file_sha256[:16]}", SOURCE_NAME, request, file_sha256)
        rows.extend((*row, row_number, *provenance)
                    for row, row_number in zip(zip(*values, strict=True), page.row_numbers, strict=True))
    return rows


def data_frame(rows: list[tuple]) -> pd.DataFrame:
    """The rows as a pandas user holds them for to_sql: timestamps as datetimes, the rest as is."""
    frame = pd.DataFrame(rows, columns=list(RAW_COLUMNS))
    for name in TIMESTAMP_FIELDS:
        frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


def timed(url: str, load) -> float:
    """Seconds ``load`` takes, started from a checkpoint so that no load pays for flushing the
    pages an earlier one dirtied."""
    # on a server the user does not own the checkpoint is refused: the loads then run back to back
    with psycopg.connect(url, autocommit=True) as conn, contextlib.suppress(psycopg.errors.InsufficientPrivilege):
        conn.execute("checkpoint")
    gc.collect()
    started = time.perf_counter()
    load()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows_wanted = parser.parse_args().rows

    records = generate_dossiers(DossierPlan(period="2026-07", seed=2025, scale=rows_wanted / DOSSIERS_PER_MONTH),
                               default_province())
    pages = api_pages(records)
    del records
    rows = raw_rows(pages)
    frame = data_frame(rows)
    # The harness holds every row for the baselines; freezing it keeps the garbage collector from
    # walking those rows during the loads, a cost no real load would pay.
    gc.collect()
    gc.freeze()

    with database() as (url, where), tempfile.TemporaryDirectory(prefix="dti-bench-archive-") as archive:
        warehouse.ensure_schemas(url)
        with psycopg.connect(url, autocommit=True) as conn:
            version = conn.execute("show server_version").fetchone()[0]
            conn.execute("create schema bench")
            for table in ("bench.copy_rows", "bench.to_sql_rows"):
                conn.execute(f"create table {table} (like {RAW_TABLE} including all)")
        print(f"{len(rows):,} dossier rows in {len(pages)} pages of {PAGE_SIZE:,}; PostgreSQL {version} ({where})")

        def landing() -> None:
            land_pages(url, (ReceivedPage.of(content, request) for content, request in pages), PSEUDONYM_KEY,
                       Path(archive))

        def copy() -> None:
            with (
                psycopg.connect(url) as conn,
                conn.cursor() as cursor,
                cursor.copy(f"copy bench.copy_rows ({', '.join(RAW_COLUMNS)}) from stdin") as writer,
            ):
                for row in rows:
                    writer.write_row(row)

        def to_sql() -> None:
            engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
            try:
                frame.to_sql("to_sql_rows", engine, schema="bench", if_exists="append", index=False)
            finally:
                engine.dispose()

        seconds = {"landing": timed(url, landing), "copy": timed(url, copy), "to_sql": timed(url, to_sql)}
        with psycopg.connect(url) as conn:
            for table in (RAW_TABLE, "bench.copy_rows", "bench.to_sql_rows"):
                loaded = conn.execute(f"select count(*) from {table}").fetchone()[0]
                if loaded != len(rows):
                    raise SystemExit(f"{table} holds {loaded:,} rows, not {len(rows):,}")

    speed = {method: len(rows) / elapsed for method, elapsed in seconds.items()}
    print(f"landing (page bytes -> raw.dossier_records) {speed['landing']:>12,.0f} rows/s  {seconds['landing']:7.2f} s")
    print(f"raw COPY (psycopg write_row)                {speed['copy']:>12,.0f} rows/s  {seconds['copy']:7.2f} s")
    print(f"pandas to_sql (method=None, default chunks) {speed['to_sql']:>12,.0f} rows/s  {seconds['to_sql']:7.2f} s")
    print(f"landing_vs_copy={speed['landing'] / speed['copy']:.2f}")
    print(f"landing_vs_to_sql={speed['landing'] / speed['to_sql']:.2f}")


if __name__ == "__main__":
    main()
