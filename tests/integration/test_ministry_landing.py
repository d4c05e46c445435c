"""Files of the Ministry's values land on a real PostgreSQL: good rows in raw, a bad row set aside with
its reason, an unreadable file refused whole, every original archived, the same bytes once; and a
landed value reaches the province's component values, a later file replacing an earlier one."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from dti import landing, warehouse
from dti.dbt_invocation import dbt_failure, invoke_dbt
from dti.landing.ministry import land_ministry_files
from dti.sources.inbox import InboxFile
from dti.sources.ministry import HEADERS, ministry_rules
from tests.helpers import PROVINCE, quarantined_files

pytestmark = pytest.mark.integration
PERIOD = "2026-Q3"
LIMIT = 1_000_000
RULES = ministry_rules(PERIOD)
# Two components the Ministry measures in the period's framework, and one it does not.
FIRST, SECOND = (c["component_code"] for c in RULES.measured_by_ministry()[:2])
NOT_MINISTRY = next(code for code, c in RULES.components.items() if c["value_source"] != "ministry")
SOURCE = "Công văn 123/BKHCN-CĐS ngày 15/10/2026"


@pytest.fixture()
def conn(database_url):
    warehouse.ensure_schemas(database_url)
    with psycopg.connect(database_url) as connection:
        yield connection


def write_file(folder: Path, name: str, rows: list[list], headers: list[str] = HEADERS) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([headers, *rows])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def land(database_url: str, tmp_path: Path, *paths: Path) -> list[landing.LandingOutcome]:
    return land_ministry_files(database_url, [InboxFile.from_path(path) for path in paths], PERIOD,
                               tmp_path / "archive", LIMIT, RULES)


def test_good_rows_land_a_bad_row_is_quarantined_with_its_reason_and_the_original_is_archived(
        database_url, conn, tmp_path):
    path = write_file(tmp_path / "inbox", "so-lieu-Bo.csv", [
        [FIRST, "72,5%", SOURCE, "15/10/2026"],
        [SECOND, "cao", SOURCE, ""],
        [NOT_MINISTRY, "0,5", SOURCE, ""],
    ])

    (outcome,) = land(database_url, tmp_path, path)

    assert (outcome.status, outcome.rows_landed, outcome.rows_rejected) == ("landed", 1, 2)
    landed = conn.execute("select period, component_code, value, value_as_written, source_document, published_on, "
                          "_file_name, _file_sha256, _row_number from raw.ministry_component_values").fetchall()
    assert [row[:5] for row in landed] == [(PERIOD, FIRST, Decimal("0.725"), "72,5%", SOURCE)]
    assert landed[0][6:] == (path.name, outcome.file_sha256, 2)
    rejected = conn.execute("select row_number, column_name, raw_value, reason from quarantine.rejected_rows "
                            "where file_sha256 = %s order by row_number", (outcome.file_sha256,)).fetchall()
    assert [row[:3] for row in rejected] == [(3, "Giá trị", "cao"), (4, "Mã chỉ số", NOT_MINISTRY)]
    assert "dòng 3, cột 'Giá trị': \"cao\" không phải số" in rejected[0][3]
    assert "row 3, column 'Giá trị': \"cao\" is not a number" in rejected[0][3]
    assert "is not measured by the Ministry" in rejected[1][3]
    (archived,) = conn.execute("select archived_path from raw.landed_files where file_sha256 = %s and source = "
                               "'ministry' and period = %s and status = 'landed'",
                               (outcome.file_sha256, PERIOD)).fetchone()
    assert Path(archived).read_bytes() == path.read_bytes()
    assert quarantined_files(conn, PERIOD)[0]["file_name"] == path.name

    # The same bytes again add nothing.
    assert [o.status for o in land(database_url, tmp_path, path)] == ["already_received"]
    assert conn.execute("select (select count(*) from raw.ministry_component_values), "
                        "(select count(*) from quarantine.rejected_rows)").fetchone() == (1, 2)


def test_a_file_that_cannot_be_read_is_a_rejected_file_and_is_archived(database_url, conn, tmp_path):
    path = write_file(tmp_path / "inbox", "so-lieu-Bo.csv", [[FIRST, "70%"]], headers=HEADERS[:2])

    (outcome,) = land(database_url, tmp_path, path)

    assert outcome.status == "quarantined" and "'Văn bản/nguồn'" in outcome.reason
    source, reason, archived = conn.execute("select source, reason, archived_path from quarantine.rejected_files "
                                            "where file_sha256 = %s and period = %s",
                                            (outcome.file_sha256, PERIOD)).fetchone()
    assert source == "ministry" and path.name in reason
    assert Path(archived).read_bytes() == path.read_bytes()
    assert conn.execute("select count(*) from raw.ministry_component_values").fetchone() == (0,)


def test_the_raw_gate_checks_the_landed_values_and_passes_a_good_file(database_url, conn, tmp_path):
    from dti.quality import gates

    path = write_file(tmp_path / "inbox", "so-lieu-Bo.csv", [[FIRST, "72,5%", SOURCE], [SECOND, "0,8", SOURCE]],
                      headers=HEADERS[:3])
    assert [o.status for o in land(database_url, tmp_path, path)] == ["landed"]

    outcome = gates.validate_raw_sources(database_url, PERIOD, "run-1", PROVINCE)["raw_ministry_component_values"]

    assert outcome == {"rows": 2, "success": True, "failed_expectations": 0, "files_quarantined": 0}


def test_a_landed_value_is_the_provinces_component_value_and_a_later_file_replaces_it(database_url, conn, tmp_path):
    first = write_file(tmp_path / "inbox", "so-lieu-Bo-thang-10.csv", [[FIRST, "70%", SOURCE], [SECOND, "0,8", SOURCE]],
                       headers=HEADERS[:3])
    later = write_file(tmp_path / "inbox", "so-lieu-Bo-thang-11.csv", [[FIRST, "75%", SOURCE]], headers=HEADERS[:3])
    assert [o.status for o in land(database_url, tmp_path, first)] == ["landed"]
    assert [o.status for o in land(database_url, tmp_path, later)] == ["landed"]

    built = invoke_dbt(database_url, ["build", "--select", "+int_province__component_values",
                                      "--indirect-selection", "cautious"])
    assert built.success, dbt_failure(built)

    values = conn.execute("select component_code, value_source, numerator, denominator, component_value "
                          "from intermediate.int_province__component_values "
                          "where period = %s and value_source = 'ministry' order by component_code",
                          (PERIOD,)).fetchall()
    assert {row[0]: row[1:] for row in values if row[0] in (FIRST, SECOND)} == {
        FIRST: ("ministry", None, None, Decimal("0.75")), SECOND: ("ministry", None, None, Decimal("0.8"))}
    assert all(row[4] is None for row in values if row[0] not in (FIRST, SECOND))
