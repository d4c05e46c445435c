"""Landing of the certificate providers' register files and of the statistics office's adult
population file: the numerator and the denominator of the personal digital signature target.

Neither kind of file belongs to one reporting unit: a provider's file covers every commune, so
files are registered without a unit and with the period whose inbox they arrived in. The holder's
citizen id (CCCD) or tax code is replaced by its keyed pseudonym before any row is written.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path, PurePosixPath

import psycopg

from dti import settings
from dti.landing import (
    LandingOutcome,
    already_received,
    archive_original,
    copy_rows,
    pseudonymizer,
    quarantine_file,
    quarantine_rows,
    register_landed_file,
    sha256_of,
)
from dti.provinces import Province
from dti.sources import RejectedRow, certificates, population
from dti.sources.certificates import UnreadableAgencyFile
from dti.sources.inbox import InboxFile, read_bytes
from dti.sources.submission_template import load_units

CERTIFICATES_TABLE = "raw.signature_certificates"
CERTIFICATE_COLUMNS = ("provider", "certificate_serial", "holder_pseudonym", "holder_type", "nso_ward_code",
                       "issued_on", "expires_on", "status")
POPULATION_TABLE = "raw.adult_population"
POPULATION_COLUMNS = tuple(population.COLUMNS.values())
PROVENANCE_COLUMNS = ("_batch_id", "_source", "_file_name", "_file_sha256", "_row_number")

# Reads a file's bytes into (rows in the raw table's columns, rejected rows) or raises UnreadableAgencyFile.
Reader = Callable[[bytes, str], tuple[list[dict], list[RejectedRow]]]


def land_certificate_files(url: str, files: list[InboxFile], period: str, archive_dir: Path,
                           max_bytes: int, ward_codes: Collection[str]) -> list[LandingOutcome]:
    """Land every provider file of the period's inbox, rows outside the province's ``ward_codes``
    (``province_ward_codes``) rejected; one bad file never stops the others."""
    key = settings.pseudonym_key()
    with psycopg.connect(url) as conn:
        return [land_certificate_file(conn, file, period, archive_dir, max_bytes, ward_codes, key) for file in files]


def land_certificate_file(conn: psycopg.Connection, file: InboxFile, period: str, archive_dir: Path, max_bytes: int,
                          ward_codes: Collection[str], pseudonym_key: bytes) -> LandingOutcome:
    """Land one provider's register file in its own transaction."""

    def read(content: bytes, file_name: str) -> tuple[list[dict], list[RejectedRow]]:
        register = certificates.read_certificate_file(content, file_name, max_bytes, ward_codes)
        pseudonym = pseudonymizer(pseudonym_key)
        rows = [{**row, "holder_pseudonym": pseudonym(row["holder_id"])} for row in register.rows]
        return rows, register.rejected

    return _land_file(conn, file, period, archive_dir, source=certificates.SOURCE_NAME, batch_prefix="cert",
                      read=read, table=CERTIFICATES_TABLE, columns=CERTIFICATE_COLUMNS)


def land_population_files(url: str, files: list[InboxFile], period: str, archive_dir: Path,
                          max_bytes: int, ward_codes: Collection[str]) -> list[LandingOutcome]:
    """Land the statistics office's files of the period's inbox, for the province's ``ward_codes``."""
    with psycopg.connect(url) as conn:
        return [land_population_file(conn, file, period, archive_dir, max_bytes, ward_codes) for file in files]


def land_population_file(conn: psycopg.Connection, file: InboxFile, period: str, archive_dir: Path, max_bytes: int,
                         ward_codes: Collection[str]) -> LandingOutcome:
    """Land one adult population file in its own transaction."""

    def read(content: bytes, file_name: str) -> tuple[list[dict], list[RejectedRow]]:
        counts = population.read_population_file(content, file_name, max_bytes, ward_codes)
        return counts.rows, counts.rejected

    return _land_file(conn, file, period, archive_dir, source=population.SOURCE_NAME, batch_prefix="pop",
                      read=read, table=POPULATION_TABLE, columns=POPULATION_COLUMNS)


def province_ward_codes(province: Province) -> frozenset[str]:
    """Statistics-office codes of the province's communes and wards, from its reporting units seed."""
    return frozenset(unit["nso_ward_code"] for unit in load_units(province) if unit["nso_ward_code"])


def _land_file(conn: psycopg.Connection, file: InboxFile, period: str, archive_dir: Path, *, source: str,
               batch_prefix: str, read: Reader, table: str, columns: Sequence[str]) -> LandingOutcome:
    content = read_bytes(file)
    file_sha256 = sha256_of(content)
    batch_id = f"{batch_prefix}-{file_sha256[:16]}"
    with conn.transaction():
        if already_received(conn, file_sha256):
            return LandingOutcome(file.name, file_sha256, "already_received")
        archived = archive_original(content, file_sha256, PurePosixPath(file.name).suffix, archive_dir)
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
