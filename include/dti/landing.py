"""Landing: archive the original bytes, bulk-load readable rows into ``raw``, quarantine the rest.

Nothing received is dropped: every file is archived under its sha256 before it is parsed, and it
ends either in ``raw.landed_files`` or in ``quarantine.rejected_files``. The same bytes twice are
recognised by their hash and land once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

from dti.sources import submissions

RAW_ROW_COLUMNS = (*submissions.COLUMNS.values(), "_batch_id", "_source", "_file_name", "_file_sha256", "_row_number")


@dataclass(frozen=True)
class LandingOutcome:
    file_name: str
    file_sha256: str
    status: str  # 'landed', 'quarantined' or 'already_received'
    rows_landed: int = 0
    rows_rejected: int = 0
    reason: str | None = None


def archive_original(content: bytes, file_sha256: str, suffix: str, archive_dir: Path) -> Path:
    """Store the bytes once under their hash; an existing copy is never rewritten."""
    target = archive_dir / file_sha256[:2] / f"{file_sha256}{suffix.lower()}"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
        handle.write(content)
    os.replace(handle.name, target)
    os.chmod(target, 0o444)
    return target


def land_submissions(url: str, paths: list[Path], period: str, archive_dir: Path, max_bytes: int) -> list[LandingOutcome]:
    """Land every workbook of the period's inbox; one bad file never stops the others."""
    with psycopg.connect(url) as conn:
        return [land_submission(conn, path, period, archive_dir, max_bytes) for path in paths]


def land_submission(conn: psycopg.Connection, path: Path, period: str, archive_dir: Path, max_bytes: int) -> LandingOutcome:
    """Land one submission workbook, found in the inbox of ``period``, in its own transaction."""
    content = path.read_bytes()
    file_sha256 = hashlib.sha256(content).hexdigest()
    batch_id = f"sub-{file_sha256[:16]}"
    with conn.transaction():
        if _already_received(conn, file_sha256):
            return LandingOutcome(path.name, file_sha256, "already_received")
        archived = archive_original(content, file_sha256, path.suffix, archive_dir)
        try:
            submission = submissions.read_submission(content, path.name, max_bytes)
        except submissions.UnreadableSubmission as error:
            conn.execute(
                "insert into quarantine.rejected_files "
                "(file_sha256, source, file_name, unit_code, period, archived_path, reason, batch_id) "
                "values (%s, %s, %s, %s, %s, %s, %s, %s)",
                (file_sha256, submissions.SOURCE_NAME, path.name, _unit_hint(path), period, str(archived), str(error), batch_id),
            )
            return LandingOutcome(path.name, file_sha256, "quarantined", reason=str(error))
        conn.execute(
            "insert into raw.landed_files (file_sha256, source, file_name, unit_code, period, archived_path, "
            "size_bytes, batch_id, status, row_count, rejected_rows) values (%s, %s, %s, %s, %s, %s, %s, %s, 'landed', %s, %s)",
            (file_sha256, submissions.SOURCE_NAME, path.name, submission.unit_code, submission.period, str(archived),
             len(content), batch_id, len(submission.rows), len(submission.rejected)),
        )
        _copy_rows(conn, submission, batch_id, path.name, file_sha256)
        _quarantine_rows(conn, submission, path.name, file_sha256)
    return LandingOutcome(path.name, file_sha256, "landed", len(submission.rows), len(submission.rejected))


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
                "insert into quarantine.rejected_files (file_sha256, source, file_name, unit_code, period, archived_path, "
                "batch_id, reason) values (%s, %s, %s, %s, %s, %s, %s, %s) on conflict (file_sha256) do nothing",
                (file_sha256, *landed, reason),
            )


def quarantined_files(conn: psycopg.Connection, period: str) -> list[dict]:
    """What was set aside for ``period``, whole files and single rows, each with the reason to act on."""
    rows = conn.execute(
        "select file_name, unit_code, null::integer as row_number, null as column_name, reason "
        "from quarantine.rejected_files where period = %(p)s "
        "union all "
        "select r.file_name, r.unit_code, r.row_number, r.column_name, r.reason "
        "from quarantine.rejected_rows r join raw.landed_files f using (file_sha256) where f.period = %(p)s "
        "order by file_name, row_number nulls first",
        {"p": period},
    ).fetchall()
    keys = ("file_name", "unit_code", "row_number", "column_name", "reason")
    return [dict(zip(keys, row)) for row in rows]


def _already_received(conn: psycopg.Connection, file_sha256: str) -> bool:
    return conn.execute(
        "select 1 from raw.landed_files where file_sha256 = %(h)s "
        "union all select 1 from quarantine.rejected_files where file_sha256 = %(h)s",
        {"h": file_sha256},
    ).fetchone() is not None


def _copy_rows(conn: psycopg.Connection, submission: submissions.Submission, batch_id: str, file_name: str, file_sha256: str) -> None:
    provenance = {"_batch_id": batch_id, "_source": submissions.SOURCE_NAME, "_file_name": file_name, "_file_sha256": file_sha256}
    with conn.cursor() as cursor:
        with cursor.copy(f"copy raw.self_assessment_rows ({', '.join(RAW_ROW_COLUMNS)}) from stdin") as copy:
            for row in submission.rows:
                record = {**row, **provenance}
                copy.write_row([record[column] for column in RAW_ROW_COLUMNS])


def _quarantine_rows(conn: psycopg.Connection, submission: submissions.Submission, file_name: str, file_sha256: str) -> None:
    if not submission.rejected:
        return
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into quarantine.rejected_rows (file_sha256, file_name, unit_code, row_number, column_name, raw_value, reason) "
            "values (%s, %s, %s, %s, %s, %s, %s)",
            [(file_sha256, file_name, submission.unit_code, r.row_number, r.column_name, r.raw_value, r.reason)
             for r in submission.rejected],
        )


def _unit_hint(path: Path) -> str | None:
    """Submissions are named after their unit code; the only clue when the content is unreadable."""
    return path.stem or None


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
