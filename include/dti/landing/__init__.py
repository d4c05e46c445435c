"""Landing: archive the original bytes, bulk-load readable rows into ``raw``, quarantine the rest.

Nothing received is dropped: every file (or API page) is archived under its sha256 before it is
parsed, and it ends either in ``raw.landed_files`` or in ``quarantine.rejected_files``. The same
bytes twice are recognised by their hash and land once. One module per source kind sits beside
this one and uses the primitives here; those whose sources carry citizen ids (certificate
registers, dossier pages) archive their originals encrypted (``dti.archive``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import psycopg
from psycopg import sql

from dti.archive import archive_original
from dti.sources import RejectedRow
from dti.sources.certificates import UnreadableAgencyFile
from dti.sources.inbox import InboxFile, read_bytes

PROVENANCE_COLUMNS = ("_batch_id", "_source", "_file_name", "_file_sha256", "_row_number")
# Reads a file's bytes into (rows in the raw table's columns, rejected rows) or raises UnreadableAgencyFile.
Reader = Callable[[bytes, str], tuple[list[dict], list[RejectedRow]]]


@dataclass(frozen=True)
class LandingOutcome:
    file_name: str
    file_sha256: str
    status: str  # 'landed', 'quarantined' or 'already_received'
    rows_landed: int = 0
    rows_rejected: int = 0
    reason: str | None = None


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def pseudonymize(identifier: str, key: bytes) -> str:
    """A keyed hash of a personal identifier (citizen id): the same person always maps to the
    same value, and without the key the value cannot be turned back into the identifier."""
    return hmac.new(key, identifier.strip().encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonymizer(key: bytes) -> Callable[[str], str]:
    """``pseudonymize`` with ``key`` bound, for many identifiers: the same HMAC-SHA256, with the key's
    inner and outer pads hashed once instead of once per identifier."""
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner = hashlib.sha256(padded.translate(bytes(b ^ 0x36 for b in range(256))))
    outer = hashlib.sha256(padded.translate(bytes(b ^ 0x5C for b in range(256))))

    def pseudonym(identifier: str) -> str:
        inner_hash = inner.copy()
        inner_hash.update(identifier.strip().encode("utf-8"))
        outer_hash = outer.copy()
        outer_hash.update(inner_hash.digest())
        return outer_hash.hexdigest()

    return pseudonym


def already_received(conn: psycopg.Connection, file_sha256: str) -> bool:
    return conn.execute(
        "select 1 from raw.landed_files where file_sha256 = %(h)s "
        "union all select 1 from quarantine.rejected_files where file_sha256 = %(h)s",
        {"h": file_sha256},
    ).fetchone() is not None


def register_landed_file(conn: psycopg.Connection, *, file_sha256: str, source: str, file_name: str,
                         unit_code: str | None, period: str | None, archived: Path, size_bytes: int,
                         batch_id: str, row_count: int, rejected_rows: int,
                         submitted_at: datetime | None = None) -> None:
    conn.execute(
        "insert into raw.landed_files (file_sha256, source, file_name, unit_code, period, archived_path, size_bytes, "
        "batch_id, status, row_count, rejected_rows, submitted_at) "
        "values (%s, %s, %s, %s, %s, %s, %s, %s, 'landed', %s, %s, %s)",
        (file_sha256, source, file_name, unit_code, period, str(archived), size_bytes, batch_id, row_count,
         rejected_rows, submitted_at),
    )


def quarantine_file(conn: psycopg.Connection, *, file_sha256: str, source: str, file_name: str, unit_code: str | None,
                    period: str | None, archived: Path, reason: str, batch_id: str,
                    submitted_at: datetime | None = None) -> None:
    conn.execute(
        "insert into quarantine.rejected_files (file_sha256, source, file_name, unit_code, period, archived_path, "
        "reason, batch_id, submitted_at) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (file_sha256, source, file_name, unit_code, period, str(archived), reason, batch_id, submitted_at),
    )


def quarantine_rows(conn: psycopg.Connection, file_sha256: str, file_name: str, unit_code: str | None,
                    rejected: Sequence[RejectedRow]) -> None:
    if not rejected:
        return
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into quarantine.rejected_rows "
            "(file_sha256, file_name, unit_code, row_number, column_name, raw_value, reason) "
            "values (%s, %s, %s, %s, %s, %s, %s)",
            [(file_sha256, file_name, unit_code, r.row_number, r.column_name, r.raw_value, r.reason) for r in rejected],
        )


def copy_rows(conn: psycopg.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Bulk-load ``rows`` (values in ``columns`` order) with COPY; returns how many went in."""
    schema, name = table.split(".")
    statement = sql.SQL("copy {}.{} ({}) from stdin").format(
        sql.Identifier(schema), sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, columns)))
    count = 0
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def land_agency_file(conn: psycopg.Connection, file: InboxFile, period: str, archive_dir: Path, *, source: str,
                     batch_prefix: str, read: Reader, table: str, columns: Sequence[str],
                     archive_key: bytes | None = None) -> LandingOutcome:
    """Land one file of an agency (no reporting unit's: a provider, the statistics office, the
    Ministry) found in the inbox of ``period``, in its own transaction: archived (encrypted with
    ``archive_key`` when the source carries personal data), its readable rows copied into
    ``table`` with provenance, its bad rows (or the whole file, when ``read`` raises
    UnreadableAgencyFile) quarantined with their reasons."""
    content = read_bytes(file)
    file_sha256 = sha256_of(content)
    batch_id = f"{batch_prefix}-{file_sha256[:16]}"
    with conn.transaction():
        if already_received(conn, file_sha256):
            return LandingOutcome(file.name, file_sha256, "already_received")
        archived = archive_original(content, file_sha256, PurePosixPath(file.name).suffix, archive_dir,
                                    encryption_key=archive_key)
        try:
            rows, rejected = read(content, file.name)
        except UnreadableAgencyFile as error:
            quarantine_file(conn, file_sha256=file_sha256, source=source, file_name=file.name, unit_code=None,
                            period=period, archived=archived, reason=str(error), batch_id=batch_id,
                            submitted_at=file.submitted_at)
            return LandingOutcome(file.name, file_sha256, "quarantined", reason=str(error))
        register_landed_file(conn, file_sha256=file_sha256, source=source, file_name=file.name, unit_code=None,
                             period=period, archived=archived, size_bytes=len(content), batch_id=batch_id,
                             row_count=len(rows), rejected_rows=len(rejected), submitted_at=file.submitted_at)
        provenance = {"_batch_id": batch_id, "_source": source, "_file_name": file.name, "_file_sha256": file_sha256}
        copy_rows(conn, table, (*columns, *PROVENANCE_COLUMNS),
                  ([{**row, **provenance}[column] for column in (*columns, *PROVENANCE_COLUMNS)] for row in rows))
        quarantine_rows(conn, file_sha256, file.name, None, rejected)
    return LandingOutcome(file.name, file_sha256, "landed", len(rows), len(rejected))


def quarantine_landed_batches(conn: psycopg.Connection, reasons_by_file: dict[str, str]) -> None:
    """Withdraw landed files whose rows failed validation: their rows stay in ``raw`` for the
    record, the file is marked quarantined (staging reads landed files only) with the reason."""
    for file_sha256, reason in reasons_by_file.items():
        landed = conn.execute(
            "update raw.landed_files set status = 'quarantined' where file_sha256 = %s and status = 'landed' "
            "returning source, file_name, unit_code, period, archived_path, batch_id",
            (file_sha256,),
        ).fetchone()
        if landed:
            conn.execute(
                "insert into quarantine.rejected_files "
                "(file_sha256, source, file_name, unit_code, period, archived_path, batch_id, reason) "
                "values (%s, %s, %s, %s, %s, %s, %s, %s) on conflict (file_sha256) do nothing",
                (file_sha256, *landed, reason),
            )


def summarise(outcomes: list[LandingOutcome]) -> dict:
    """Counts per status, for the run's progress line and the task's XCom."""
    return {
        "files": len(outcomes),
        "landed": sum(o.status == "landed" for o in outcomes),
        "already_received": sum(o.status == "already_received" for o in outcomes),
        "quarantined": sum(o.status == "quarantined" for o in outcomes),
        "rows_landed": sum(o.rows_landed for o in outcomes),
        "rows_rejected": sum(o.rows_rejected for o in outcomes),
    }
