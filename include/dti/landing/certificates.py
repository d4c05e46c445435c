"""Landing of the certificate providers' register files and of the statistics office's adult
population file: the numerator and the denominator of the personal digital signature target.

Neither kind of file belongs to one reporting unit: a provider's file covers every commune, so
files are registered without a unit and with the period whose inbox they arrived in. The holder's
citizen id (CCCD) or tax code is replaced by its keyed pseudonym before any row is written, and a
register's original is archived encrypted. The population file holds head counts per commune, no
one's identity, and is archived as received.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import psycopg

from dti import settings
from dti.catalog.seeds import load_units
from dti.landing import LandingOutcome, land_agency_file, pseudonymizer, summarise
from dti.provinces import Province
from dti.roles import LOADER
from dti.sources import RejectedRow, certificates, population
from dti.sources.inbox import InboxFile

CERTIFICATES_TABLE = "raw.signature_certificates"
CERTIFICATE_COLUMNS = ("provider", "certificate_serial", "holder_pseudonym", "holder_type", "nso_ward_code",
                       "issued_on", "expires_on", "status")
POPULATION_TABLE = "raw.adult_population"
POPULATION_COLUMNS = tuple(population.COLUMNS.values())


def land_period_certificates(province: Province, period: str, files: list[InboxFile]) -> dict:
    """The land stage for certificate providers' registers of ``period``, as the loader role; returns
    the counts per outcome."""
    outcomes = land_certificate_files(province.warehouse_url(LOADER), files, period, province.archive_dir,
                                      settings.MAX_PROVIDER_FILE_BYTES, province_ward_codes(province))
    return summarise(outcomes)


def land_period_population(province: Province, period: str, files: list[InboxFile]) -> dict:
    """The land stage for the statistics office's adult population files of ``period``."""
    outcomes = land_population_files(province.warehouse_url(LOADER), files, period, province.archive_dir,
                                     settings.MAX_PROVIDER_FILE_BYTES, province_ward_codes(province))
    return summarise(outcomes)


def land_certificate_files(url: str, files: list[InboxFile], period: str, archive_dir: Path,
                           max_bytes: int, ward_codes: Collection[str]) -> list[LandingOutcome]:
    """Land every provider file of the period's inbox, rows outside the province's ``ward_codes``
    (``province_ward_codes``) rejected; one bad file never stops the others."""
    pseudonym_key, archive_key = settings.pseudonym_key(), settings.archive_key()
    with psycopg.connect(url) as conn:
        return [land_certificate_file(conn, file, period, archive_dir, max_bytes, ward_codes, pseudonym_key,
                                      archive_key) for file in files]


def land_certificate_file(conn: psycopg.Connection, file: InboxFile, period: str, archive_dir: Path, max_bytes: int,
                          ward_codes: Collection[str], pseudonym_key: bytes, archive_key: bytes) -> LandingOutcome:
    """Land one provider's register file in its own transaction, its original archived encrypted
    with ``archive_key`` (it holds the holders' citizen ids and tax codes)."""

    def read(content: bytes, file_name: str) -> tuple[list[dict], list[RejectedRow]]:
        register = certificates.read_certificate_file(content, file_name, max_bytes, ward_codes)
        pseudonym = pseudonymizer(pseudonym_key)
        rows = [{**row, "holder_pseudonym": pseudonym(row["holder_id"])} for row in register.rows]
        return rows, register.rejected

    return land_agency_file(conn, file, period, archive_dir, source=certificates.SOURCE_NAME, batch_prefix="cert",
                            read=read, table=CERTIFICATES_TABLE, columns=CERTIFICATE_COLUMNS, archive_key=archive_key)


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

    return land_agency_file(conn, file, period, archive_dir, source=population.SOURCE_NAME, batch_prefix="pop",
                            read=read, table=POPULATION_TABLE, columns=POPULATION_COLUMNS)


def province_ward_codes(province: Province) -> frozenset[str]:
    """Statistics-office codes of the province's communes and wards, from its reporting units seed."""
    return frozenset(unit["nso_ward_code"] for unit in load_units(province) if unit["nso_ward_code"])
