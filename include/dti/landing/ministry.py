"""Landing of the files of values the Ministry measures itself, as the focal point drops them.

A file is registered like an agency's (no reporting unit, the period of the inbox it arrived in).
A later file does not supersede an earlier one as a whole: it may hold other components, so the
latest value of each component is chosen in dbt (int_ministry__latest_component_values).
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from dti import settings
from dti.landing import LandingOutcome, land_agency_file, summarise
from dti.provinces import Province
from dti.roles import LOADER
from dti.sources import RejectedRow, ministry
from dti.sources.inbox import InboxFile
from dti.sources.ministry import MinistryRules, ministry_rules

RAW_TABLE = "raw.ministry_component_values"
RAW_COLUMNS = ("period", "component_code", "value", "value_as_written", "source_document", "published_on")


def land_period_ministry_values(province: Province, period: str, files: list[InboxFile]) -> dict:
    """The land stage for the Ministry's values of ``period``, as the loader role; returns the counts
    per outcome. The Ministry's file is the size of a unit's submission."""
    outcomes = land_ministry_files(province.warehouse_url(LOADER), files, period, province.archive_dir,
                                   settings.MAX_SUBMISSION_BYTES, ministry_rules(period))
    return summarise(outcomes)


def land_ministry_files(url: str, files: list[InboxFile], period: str, archive_dir: Path, max_bytes: int,
                        rules: MinistryRules) -> list[LandingOutcome]:
    """Land every file of the period's inbox, read by the period's ``rules`` (``ministry_rules``);
    one bad file never stops the others."""
    with psycopg.connect(url) as conn:
        return [land_ministry_file(conn, file, period, archive_dir, max_bytes, rules) for file in files]


def land_ministry_file(conn: psycopg.Connection, file: InboxFile, period: str, archive_dir: Path, max_bytes: int,
                       rules: MinistryRules) -> LandingOutcome:
    """Land one file of the Ministry's values in its own transaction."""

    def read(content: bytes, file_name: str) -> tuple[list[dict], list[RejectedRow]]:
        values = ministry.read_ministry_file(content, file_name, max_bytes, rules)
        return values.rows, values.rejected

    return land_agency_file(conn, file, period, archive_dir, source=ministry.SOURCE_NAME, batch_prefix="min",
                            read=read, table=RAW_TABLE, columns=RAW_COLUMNS)
