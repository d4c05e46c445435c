"""Certificate and population files land on a real PostgreSQL: every provider's rows in one table,
identical bytes once, flawed rows and files set aside with their reason, citizen ids never stored."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from dti import landing, settings, warehouse
from dti.archive import read_original
from dti.demo import certificates as demo
from dti.landing.certificates import land_certificate_files, land_population_files, province_ward_codes
from dti.sources import certificates
from dti.sources.inbox import InboxFile
from dti.periods import period_end
from tests.helpers import PROVINCE, quarantined_files

pytestmark = pytest.mark.integration
PERIOD = "2026-Q3"
LIMIT = 10_000_000
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_input" / "certificates"
PLAN = demo.CertificateDemoPlan(period=PERIOD, seed=5, flawed_share=0.002, ward_codes=("07228", "09187", "07246"))
WARD_CODES = province_ward_codes(PROVINCE)
IDENTIFIER = re.compile(r"[0-9]{10,}")


@pytest.fixture()
def conn(database_url):
    warehouse.ensure_schemas(database_url)
    with psycopg.connect(database_url) as connection:
        yield connection


@pytest.fixture()
def demo_files(tmp_path):
    providers = demo.generate_certificate_files(tmp_path / "certificates" / PERIOD, PLAN, PROVINCE)
    return providers, demo.generate_population_file(tmp_path / "population" / PERIOD, PLAN, PROVINCE)


def _inbox(*paths: Path) -> list[InboxFile]:
    return [InboxFile.from_path(path) for path in paths]


def _land_certificates(database_url, paths, tmp_path):
    return land_certificate_files(database_url, _inbox(*paths), PERIOD, tmp_path / "archive", LIMIT, WARD_CODES)


def _land_population(database_url, paths, tmp_path):
    return land_population_files(database_url, _inbox(*paths), PERIOD, tmp_path / "archive", LIMIT, WARD_CODES)


def _scalar(conn, query, *params):
    return conn.execute(query, params).fetchone()[0]


def _row_counts(conn) -> tuple[int, ...]:
    return conn.execute("select (select count(*) from raw.signature_certificates), "
                        "(select count(*) from raw.adult_population), (select count(*) from raw.landed_files), "
                        "(select count(*) from quarantine.rejected_rows)").fetchone()


def _data_lines(path: Path) -> int:
    return sum(1 for line in path.read_bytes().splitlines()[1:] if line.strip())


def _holder_ids(path: Path) -> set[str]:
    """Every holder id written in a provider file, read straight from its cells."""
    text, _ = certificates.decode_agency_text(path.read_bytes(), path.name, LIMIT)
    layout = certificates.detect_provider(text.partition("\n")[0].rstrip("\r"), path.name)
    header, records = certificates.delimited_records(text, layout.delimiter, path.name)
    column = header.index(layout.header_of("holder_id"))
    return {cells[column] for _, cells in records}


def test_every_providers_file_and_the_population_land_in_one_schema(database_url, conn, demo_files, tmp_path):
    providers, population_file = demo_files

    outcomes = _land_certificates(database_url, providers, tmp_path)
    (population_outcome,) = _land_population(database_url, [population_file], tmp_path)

    assert [o.status for o in outcomes] == ["landed"] * 4
    for outcome, path in zip(outcomes, providers, strict=True):
        assert outcome.rows_landed + outcome.rows_rejected == _data_lines(path)
        assert _scalar(conn, "select count(*) from raw.signature_certificates where _file_sha256 = %s",
                       outcome.file_sha256) == outcome.rows_landed
    assert conn.execute("select provider, count(*) > 0 from raw.signature_certificates group by provider "
                        "order by provider").fetchall() == [
        ("BKAV-CA", True), ("FPT-CA", True), ("VNPT-CA", True), ("Viettel-CA", True)]
    assert conn.execute("select distinct source, unit_code, period, status from raw.landed_files order by source"
                        ).fetchall() == [("certificate_provider", None, PERIOD, "landed"),
                                         ("population", None, PERIOD, "landed")]
    communes = demo.demo_communes(PLAN, PROVINCE)
    assert population_outcome.rows_landed == len(communes)
    assert dict(conn.execute("select nso_ward_code, adult_population from raw.adult_population").fetchall()) == {
        c.nso_ward_code: c.adults for c in communes}
    # The pseudonym is the same for the same person at every provider, so holders count once.
    end = period_end(PERIOD)
    holders = dict(conn.execute(
        "select nso_ward_code, count(distinct holder_pseudonym) from raw.signature_certificates "
        "where holder_type = 'personal' and status = 'active' and expires_on > %s group by nso_ward_code", (end,)
    ).fetchall())
    rejected = sum(o.rows_rejected for o in outcomes)
    for commune in communes:
        assert commune.holders - rejected <= holders[commune.nso_ward_code] <= commune.holders
    assert _scalar(conn, "select count(*) from raw.signature_certificates where holder_type = 'personal' "
                         "and status = 'active' and expires_on > %s", end) > sum(holders.values())


def test_the_same_bytes_twice_add_no_row(database_url, conn, demo_files, tmp_path):
    providers, population_file = demo_files
    _land_certificates(database_url, providers, tmp_path)
    _land_population(database_url, [population_file], tmp_path)
    counts = _row_counts(conn)

    again = (_land_certificates(database_url, providers, tmp_path)
             + _land_population(database_url, [population_file], tmp_path))

    assert {o.status for o in again} == {"already_received"}
    assert _row_counts(conn) == counts and counts[0] > 0


def test_no_citizen_id_is_stored_in_any_text_column_of_raw_or_quarantine(database_url, conn, demo_files, tmp_path):
    providers, _ = demo_files
    outcomes = _land_certificates(database_url, providers, tmp_path)
    citizen_ids = {i for path in providers for i in _holder_ids(path) if len(i) == 12}
    assert len(citizen_ids) > 1000 and sum(o.rows_rejected for o in outcomes) > 0
    columns = conn.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('raw', 'quarantine') and data_type in ('text', 'character varying')").fetchall()
    assert ("raw", "signature_certificates", "holder_pseudonym") in columns
    for schema, table, column in columns:
        values = conn.execute(sql.SQL("select {} from {}.{}").format(
            sql.Identifier(column), sql.Identifier(schema), sql.Identifier(table))).fetchall()
        for (value,) in values:
            for digits in IDENTIFIER.findall(value or ""):
                windows = {digits[i:i + 12] for i in range(len(digits) - 11)}
                assert not windows & citizen_ids, f"a citizen id is stored in {schema}.{table}.{column}"
    key = settings.pseudonym_key()
    some_id = sorted(citizen_ids)[0]
    assert _scalar(conn, "select count(*) from raw.signature_certificates where holder_pseudonym = %s",
                   landing.pseudonymize(some_id, key)) >= 1


def test_flawed_demo_rows_are_quarantined_with_reasons_while_the_rest_land(database_url, conn, demo_files, tmp_path):
    providers, _ = demo_files
    outcomes = _land_certificates(database_url, providers, tmp_path)
    quarantined = quarantined_files(conn, PERIOD)
    assert len(quarantined) == sum(o.rows_rejected for o in outcomes) > 0
    layouts = {layout.name: layout for layout in certificates.PROVIDERS}
    for row in quarantined:
        provider = row["reason"].split(",", 1)[0]
        assert row["column_name"] in layouts[provider].headers
        assert f"file {row['file_name']}, row {row['row_number']}, column '{row['column_name']}'" in row["reason"]
    assert _scalar(conn, "select sum(row_count) from raw.landed_files") == sum(o.rows_landed for o in outcomes)


GOOD_FILE = "vnpt-ca_2026-Q3.csv"


@pytest.mark.parametrize(
    ("fixture", "landed_serials", "quarantined"),
    [
        ("bkav-ca_unknown-commune.csv", ["5406A1B2C3D4E5F60718293A4B5C6D01", "5406A1B2C3D4E5F60718293A4B5C6D03"],
         [(3, "ward_code", "commune/ward code 01234 is not one of the province's communes and wards")]),
        ("fpt-ca_excel-and-unparsable-dates.txt",
         ["5408D00D000000000000000000000001", "5408D00D000000000000000000000004"],
         [(3, "Start Date", "'45930' is an Excel day number, not a date; export the date column as text mm/dd/yyyy"),
          (4, "Start Date", "'02/30/2026' is not a valid date as mm/dd/yyyy")]),
        ("vnpt-ca_expiry-before-issue.csv", ["5402BEEF000000000000000000000002", "5402BEEF000000000000000000000003"],
         [(2, "ValidTo", "the expiry date is before the issue date ('ValidFrom' = 2026-05-20)")]),
    ],
)
def test_a_bad_row_fixture_quarantines_that_row_and_lands_the_others(database_url, conn, tmp_path, fixture,
                                                                      landed_serials, quarantined):
    (outcome,) = _land_certificates(database_url, [FIXTURES / fixture], tmp_path)
    assert (outcome.status, outcome.rows_landed, outcome.rows_rejected) == (
        "landed", len(landed_serials), len(quarantined))
    assert [serial for (serial,) in conn.execute(
        "select certificate_serial from raw.signature_certificates order by _row_number")] == landed_serials
    rows = conn.execute("select row_number, column_name, reason from quarantine.rejected_rows where file_name = %s "
                        "order by row_number", (fixture,)).fetchall()
    assert [(number, column) for number, column, _ in rows] == [(number, column) for number, column, _ in quarantined]
    for (_, _, reason), (_, _, fragment) in zip(rows, quarantined, strict=True):
        assert fragment in reason and fixture in reason


@pytest.mark.parametrize(
    ("fixture", "fragments"),
    [
        ("viettel-ca_wrong-header.csv", ["giống mẫu xuất của Viettel-CA nhưng thiếu cột 'Ngày hết hạn'",
                                         "looks like Viettel-CA's export but lacks column 'Ngày hết hạn'"]),
        ("misa-ca_unknown-layout.csv", ["matches no known provider's export"]),
    ],
)
def test_a_file_in_no_known_layout_is_quarantined_whole_and_the_other_files_land(database_url, conn, demo_files,
                                                                                  tmp_path, fixture, fragments):
    providers, _ = demo_files
    good = next(path for path in providers if path.name == GOOD_FILE)

    bad_outcome, good_outcome = _land_certificates(database_url, [FIXTURES / fixture, good], tmp_path)

    assert (bad_outcome.status, good_outcome.status) == ("quarantined", "landed")
    source, period, reason, archived = conn.execute(
        "select source, period, reason, archived_path from quarantine.rejected_files where file_name = %s", (fixture,)
    ).fetchone()
    assert (source, period) == ("certificate_provider", PERIOD)
    assert all(fragment in reason for fragment in fragments)
    # even a register that cannot be read may hold citizen ids: its original is kept encrypted
    assert archived.endswith(".enc")
    assert read_original(Path(archived), bad_outcome.file_sha256) == (FIXTURES / fixture).read_bytes()
    assert _scalar(conn, "select count(*) from raw.signature_certificates") == good_outcome.rows_landed > 0


def test_a_bad_population_row_is_quarantined_and_the_other_communes_land(database_url, conn, tmp_path):
    fixture = FIXTURES / "dan-so-tu-18-tuoi_bad-rows.csv"
    (outcome,) = _land_population(database_url, [fixture], tmp_path)
    assert (outcome.status, outcome.rows_landed, outcome.rows_rejected) == ("landed", 2, 2)
    assert conn.execute("select nso_ward_code, adult_population from raw.adult_population order by 1").fetchall() == [
        ("07210", 27205), ("07246", 36564)]
    reasons = [reason for (reason,) in conn.execute("select reason from quarantine.rejected_rows order by row_number")]
    assert "commune/ward code 99999 is not one of the province's communes" in reasons[0]
    assert "'khoảng 30 nghìn' is not a head count" in reasons[1]
