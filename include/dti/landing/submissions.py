"""Landing of the units' self-assessment workbooks."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import psycopg

from dti import settings
from dti.landing import (
    LandingOutcome,
    already_received,
    archive_original,
    copy_rows,
    quarantine_file,
    quarantine_rows,
    register_landed_file,
    sha256_of,
    summarise,
)
from dti.provinces import Province
from dti.roles import LOADER
from dti.sources import submissions
from dti.sources.inbox import InboxFile, read_bytes
from dti.sources.submission_rules import SubmissionRules
from dti.sources.submission_template import submission_rules

RAW_TABLE = "raw.self_assessment_rows"
RAW_ROW_COLUMNS = (*submissions.COLUMNS.values(), "_batch_id", "_source", "_file_name", "_file_sha256", "_row_number")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmissionOutcome(LandingOutcome):
    # What the reader read past without it being a problem (a totals row), worded as reasons are.
    notes: tuple[str, ...] = ()


def land_period_submissions(province: Province, period: str, files: list[InboxFile]) -> dict:
    """The land stage for the units' workbooks of ``period``: every file read by the province's rules
    for the period, as the loader role; returns the counts per outcome."""
    outcomes = land_submissions(province.warehouse_url(LOADER), files, period, province.archive_dir,
                                settings.MAX_SUBMISSION_BYTES, submission_rules(period, province))
    return summarise(outcomes)


def land_submissions(url: str, files: list[InboxFile], period: str, archive_dir: Path, max_bytes: int,
                     rules: SubmissionRules) -> list[SubmissionOutcome]:
    """Land every workbook of the period's inbox, read by the province's ``rules``
    (``submission_template.submission_rules``); one bad file never stops the others."""
    with psycopg.connect(url) as conn:
        return [land_submission(conn, file, period, archive_dir, max_bytes, rules) for file in files]


def land_submission(conn: psycopg.Connection, file: InboxFile, period: str, archive_dir: Path, max_bytes: int,
                    rules: SubmissionRules) -> SubmissionOutcome:
    """Land one submission workbook, found in the inbox of ``period``, in its own transaction.

    A later file from the same unit for the same period supersedes the earlier one, which stays.
    """
    content = read_bytes(file)
    file_sha256 = sha256_of(content)
    path = PurePosixPath(submissions.safe_file_name(file.name))
    batch_id = f"sub-{file_sha256[:16]}"
    source = submissions.SOURCE_NAME
    with conn.transaction():
        if already_received(conn, file_sha256):
            return SubmissionOutcome(path.name, file_sha256, "already_received")
        archived = archive_original(content, file_sha256, path.suffix, archive_dir)
        try:
            submission = submissions.read_submission(content, path.name, max_bytes, rules)
        except submissions.UnreadableSubmission as error:
            quarantine_file(conn, file_sha256=file_sha256, source=source, file_name=path.name,
                            unit_code=error.unit_code, period=period, archived=archived, reason=str(error),
                            batch_id=batch_id, submitted_at=file.submitted_at)
            return SubmissionOutcome(path.name, file_sha256, "quarantined", reason=str(error))
        conn.execute(
            "update raw.landed_files set status = 'superseded' "
            "where source = %s and unit_code = %s and period = %s and status = 'landed'",
            (source, submission.unit_code, submission.period),
        )
        register_landed_file(conn, file_sha256=file_sha256, source=source, file_name=path.name,
                             unit_code=submission.unit_code, period=submission.period, archived=archived,
                             size_bytes=len(content), batch_id=batch_id, row_count=len(submission.rows),
                             rejected_rows=len(submission.rejected), submitted_at=file.submitted_at)
        provenance = {"_batch_id": batch_id, "_source": source, "_file_name": path.name, "_file_sha256": file_sha256}
        copy_rows(conn, RAW_TABLE, RAW_ROW_COLUMNS,
                  ([{**row, **provenance}[column] for column in RAW_ROW_COLUMNS] for row in submission.rows))
        quarantine_rows(conn, file_sha256, path.name, submission.unit_code, submission.rejected)
    for note in submission.notes:
        log.info("%s", note)
    return SubmissionOutcome(path.name, file_sha256, "landed", len(submission.rows), len(submission.rejected),
                             notes=tuple(submission.notes))
