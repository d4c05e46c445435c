"""Dossier sync from the sandbox procedure API into a real PostgreSQL: full and incremental syncs
move only what changed, a sync that fails anywhere resumes without loss or duplicates, bad
records are quarantined with their reason, and the citizen's id never reaches the warehouse."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from dti import landing, settings, warehouse
from dti.archive import read_original
from dti.demo.dossiers import VIETNAM, DossierPlan, advance_dossiers, generate_dossiers
from dti.demo.sandbox_api import Faults, create_app, encode_page, serve_in_background
from dti.landing import dossiers as landing_dossiers
from dti.landing import pseudonymizer
from dti.landing.dossiers import land_pages, sync_dossiers
from dti.sources.dossier_records import read_page
from dti.sources.procedure_api import ProcedureApiError, ReceivedPage, RetryPolicy
from tests.helpers import PROVINCE

pytestmark = pytest.mark.integration
TOKEN = "sandbox-token"
PLAN = DossierPlan(period="2026-07", seed=5, scale=0.05)  # 3,000 dossiers
QUARTER_PLANS = [DossierPlan(period=period, seed=5, scale=0.01) for period in ("2026-Q2", "2026-Q3")]  # 1,800 each
PAGE_SIZE = 500
NO_WAIT = RetryPolicy(attempts=2, first_wait_seconds=0, max_wait_seconds=0)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_input" / "api"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return generate_dossiers(PLAN, PROVINCE)


@pytest.fixture()
def db(database_url) -> str:
    warehouse.ensure_schemas(database_url)
    return database_url


@pytest.fixture()
def sandbox(records):
    app = create_app(records, TOKEN)
    with serve_in_background(app) as base_url:
        yield app.state.sandbox, base_url


@pytest.fixture()
def quarters() -> dict[str, list[dict]]:
    return {plan.period: generate_dossiers(plan, PROVINCE) for plan in QUARTER_PLANS}


@pytest.fixture()
def other_db(postgres_server_url) -> str:
    name = f"dti_test_{uuid.uuid4().hex[:12]}"
    url = warehouse.ensure_database(postgres_server_url, name)
    warehouse.ensure_schemas(url)
    yield url
    warehouse.drop_database(postgres_server_url, name)


def sync(db: str, base_url: str, tmp_path: Path, timeout_seconds: float = 5.0, period: str | None = None):
    return sync_dossiers(db, base_url, TOKEN, tmp_path / "archive", period=period, page_size=PAGE_SIZE,
                         retry=NO_WAIT, timeout_seconds=timeout_seconds)


def query(db: str, statement: str, *params) -> list[tuple]:
    with psycopg.connect(db) as conn:
        return conn.execute(statement, params).fetchall()


def local(moment: datetime) -> str:
    """A timestamp from PostgreSQL written the way the API writes it."""
    return moment.astimezone(VIETNAM).isoformat()


def landed_versions(db: str) -> list[tuple[str, str]]:
    return [(dossier_id, local(updated_at))
            for dossier_id, updated_at in query(db, "select dossier_id, updated_at from raw.dossier_records")]


def versions(records: list[dict]) -> set[tuple[str, str]]:
    return {(record["dossier_id"], record["updated_at"]) for record in records}


def sync_position(db: str) -> tuple[str | None, str | None]:
    [(watermark, cursor)] = query(db, "select watermark, cursor from raw.sync_watermarks")
    return local(watermark), cursor


def test_a_full_sync_lands_every_dossier_once_page_by_page_with_each_page_archived(db, sandbox, records, tmp_path):
    _, base_url = sandbox
    result = sync(db, base_url, tmp_path)

    assert (result.pages_fetched, result.pages_landed, result.pages_already_received) == (6, 6, 0)
    assert (result.rows_received, result.rows_landed, result.rows_already_landed, result.rows_rejected) == \
        (3000, 3000, 0, 0)
    landed = landed_versions(db)
    assert len(landed) == 3000 and set(landed) == versions(records)
    latest = max(record["updated_at"] for record in records)
    assert sync_position(db) == (latest, None) and local(datetime.fromisoformat(result.watermark)) == latest
    pages = query(db, "select archived_path, source, row_count, rejected_rows from raw.landed_files")
    assert sorted((source, rows, rejected) for _, source, rows, rejected in pages) == [("procedure_api", 500, 0)] * 6
    # The archived originals are encrypted (a page holds citizens' ids) and decrypt to the pages that were landed.
    assert all(path.endswith(".json.enc") for path, *_ in pages)
    archived = [read_page(read_original(Path(path), sha), "archived") for path, sha in
                query(db, "select archived_path, file_sha256 from raw.landed_files")]
    assert sorted(dossier_id for page in archived for dossier_id in page.columns["dossier_id"]) == \
        sorted(dossier_id for dossier_id, _ in landed)


def test_a_sync_with_nothing_new_adds_nothing_anywhere(db, sandbox, records, tmp_path):
    _, base_url = sandbox
    sync(db, base_url, tmp_path)
    before = query(db, "select (select count(*) from raw.dossier_records), (select count(*) from raw.landed_files)")

    result = sync(db, base_url, tmp_path)

    # Only the versions updated at the watermark come back, and they are in raw already.
    latest = max(record["updated_at"] for record in records)
    at_watermark = sum(record["updated_at"] == latest for record in records)
    assert (result.pages_fetched, result.pages_landed, result.pages_already_received) == (1, 0, 1)
    assert (result.rows_received, result.rows_landed, result.rows_already_landed) == (at_watermark, 0, at_watermark)
    assert query(db, "select (select count(*) from raw.dossier_records), (select count(*) from raw.landed_files)") == \
        before


def test_after_the_data_moves_on_a_sync_transfers_and_lands_only_the_new_and_changed_versions(db, sandbox, records,
                                                                                              tmp_path):
    state, base_url = sandbox
    sync(db, base_url, tmp_path)
    advanced = advance_dossiers(records, PLAN, PROVINCE, new_share=0.01, changed_share=0.005)
    state.replace_records(advanced)
    new_and_changed = versions(advanced) - versions(records)
    latest = max(record["updated_at"] for record in records)
    # updated_since is inclusive: the versions updated at the watermark itself come again.
    at_watermark = sum(record["updated_at"] == latest for record in records)

    result = sync(db, base_url, tmp_path)

    assert len(new_and_changed) == 30 + 15
    assert (result.pages_fetched, result.rows_received) == (1, len(new_and_changed) + at_watermark)
    assert (result.rows_landed, result.rows_already_landed, result.rows_rejected) == (
        len(new_and_changed), at_watermark, 0)
    landed = landed_versions(db)
    assert len(landed) == 3045 and set(landed) == versions(records) | new_and_changed
    # A changed dossier keeps its earlier version in raw: both are history.
    assert len({dossier_id for dossier_id, _ in landed}) == 3030


def test_a_sync_whose_api_keeps_failing_resumes_after_the_last_page_landed_with_nothing_lost_or_doubled(
        db, sandbox, records, tmp_path):
    state, base_url = sandbox
    # The 4th page's request and its retry get HTTP 500, so the sync gives up there.
    state.set_faults(Faults(server_error_on=[4, 5]))
    with pytest.raises(ProcedureApiError, match="HTTP 500"):
        sync(db, base_url, tmp_path)
    assert len(landed_versions(db)) == 1500
    _, cursor = sync_position(db)
    assert cursor is not None

    result = sync(db, base_url, tmp_path)

    assert (result.pages_fetched, result.rows_received, result.rows_landed) == (3, 1500, 1500)
    landed = landed_versions(db)
    assert len(landed) == 3000 and set(landed) == versions(records)
    assert sync_position(db) == (max(record["updated_at"] for record in records), None)


def test_a_failure_inside_a_page_leaves_none_of_its_rows_and_the_next_run_lands_it(db, sandbox, records, tmp_path,
                                                                                   monkeypatch):
    _, base_url = sandbox
    registered = []

    def register_until_the_third_page(*args, **kwargs):
        registered.append(kwargs["file_sha256"])
        if len(registered) == 3:
            raise OSError("No space left on device")
        landing.register_landed_file(*args, **kwargs)

    # The third page fails after its rows were COPYed, inside its transaction.
    monkeypatch.setattr(landing_dossiers, "register_landed_file", register_until_the_third_page)
    with pytest.raises(OSError, match="No space left"):
        sync(db, base_url, tmp_path)
    assert len(landed_versions(db)) == 1000
    assert query(db, "select count(*) from raw.landed_files") == [(2,)]
    monkeypatch.undo()

    result = sync(db, base_url, tmp_path)

    assert (result.pages_fetched, result.pages_landed, result.rows_landed) == (4, 4, 2000)
    landed = landed_versions(db)
    assert len(landed) == 3000 and set(landed) == versions(records)


def test_a_repeated_a_truncated_and_a_late_page_each_land_once_and_whole(db, sandbox, records, tmp_path):
    state, base_url = sandbox
    state.set_faults(Faults(repeat_on=[3], truncate_on=[5], timeout_on=[7], delay_seconds=2.5))

    result = sync(db, base_url, tmp_path, timeout_seconds=1.0)

    assert (result.pages_fetched, result.pages_landed, result.pages_already_received) == (7, 6, 1)
    assert (result.rows_received, result.rows_landed) == (3500, 3000)
    landed = landed_versions(db)
    assert len(landed) == 3000 and set(landed) == versions(records)
    # Only whole pages were archived: the truncated body was retried, never kept.
    archived = sorted((tmp_path / "archive").rglob("*.json.enc"))
    assert len(archived) == 6
    assert sum(read_page(read_original(path, path.name[:64]), "archived").records_received
               for path in archived) == 3000


def test_citizen_ids_never_reach_the_warehouse_only_their_keyed_hash(db, sandbox, records, tmp_path):
    _, base_url = sandbox
    sync(db, base_url, tmp_path)
    citizen_ids = {record["citizen_id"] for record in records}
    everything = query(db, "select r::text from raw.dossier_records r union all select f::text from raw.landed_files f "
                           "union all select w::text from raw.sync_watermarks w "
                           "union all select q::text from quarantine.rejected_rows q")
    assert not citizen_ids & {digits for (text,) in everything for digits in re.findall(r"\d{12}", text)}
    key = settings.pseudonym_key()
    expected = {(record["dossier_id"], landing.pseudonymize(record["citizen_id"], key)) for record in records}
    assert set(query(db, "select dossier_id, citizen_pseudonym from raw.dossier_records")) == expected


@pytest.mark.parametrize("key", [b"k", b"k" * 64, b"k" * 100], ids=["short", "one-block", "longer-than-a-block"])
def test_the_landing_pseudonym_is_the_projects_pseudonym_whatever_the_key_length(key):
    assert pseudonymizer(key)("027090001234") == landing.pseudonymize("027090001234", key)


@pytest.mark.parametrize(("fixture", "rejected", "landed"), [
    ("page_missing_field.json", {(2, "filed_at"): "H24.045-260703-0000102"},
     ["H24.045-260703-0000101", "H24.012-260704-0000103"]),
    ("page_wrong_type.json",
     {(1, "full_process"): "H24.071-260710-0000201", (3, "citizen_id"): "H24.071-260710-0000203"},
     ["H24.071-260710-0000202", "H24.071-260710-0000204"]),
])
def test_a_bad_record_is_quarantined_with_its_reason_and_the_rest_of_its_page_lands(db, tmp_path, fixture, rejected,
                                                                                    landed):
    request = f"/api/v1/dossiers?fixture={fixture}"
    result = land_pages(db, [ReceivedPage.of((FIXTURES / fixture).read_bytes(), request)], b"key", tmp_path)

    assert (result.rows_received, result.rows_landed, result.rows_rejected) == \
        (len(landed) + len(rejected), len(landed), len(rejected))
    assert sorted(dossier_id for dossier_id, _ in landed_versions(db)) == sorted(landed)
    quarantined = query(db, "select row_number, column_name, reason, file_name from quarantine.rejected_rows")
    assert {(row, column) for row, column, _, _ in quarantined} == set(rejected)
    for row, column, reason, file_name in quarantined:
        vietnamese, english = reason.split(" / ")
        dossier_id = rejected[(row, column)]
        assert vietnamese.startswith(f"Hồ sơ {dossier_id}: ") and f'"{column}"' in vietnamese
        assert english.startswith(f"Dossier {dossier_id}: ") and f'"{column}"' in english
        assert file_name == request
    assert query(db, "select row_count, rejected_rows from raw.landed_files") == [(len(landed), len(rejected))]


def test_versions_already_in_raw_are_not_loaded_again_when_they_come_back_in_other_bytes(db, records, tmp_path):
    ordered = sorted(records, key=lambda record: (record["updated_at"], record["dossier_id"]))
    first = ReceivedPage.of(encode_page(ordered[:200], "c1"), "/api/v1/dossiers?limit=200")
    overlapping = ReceivedPage.of(encode_page(ordered[100:300], None), "/api/v1/dossiers?updated_since=x&limit=200")
    land_pages(db, [first], b"key", tmp_path)

    result = land_pages(db, [overlapping], b"key", tmp_path)

    assert (result.pages_landed, result.rows_landed, result.rows_already_landed) == (1, 100, 100)
    landed = landed_versions(db)
    assert len(landed) == 300 and set(landed) == versions(ordered[:300])


def period_versions(db: str, first_day: str, day_after: str) -> set[tuple[str, str]]:
    """The versions raw holds of the dossiers filed on Vietnam's days from ``first_day`` to before ``day_after``."""
    return {(dossier_id, local(updated_at)) for dossier_id, updated_at in query(
        db, "select dossier_id, updated_at from raw.dossier_records "
            "where (filed_at at time zone 'Asia/Ho_Chi_Minh')::date >= %s and "
            "(filed_at at time zone 'Asia/Ho_Chi_Minh')::date < %s", first_day, day_after)}


def test_a_run_for_a_period_behind_the_watermark_reads_its_window_again_and_leaves_the_watermark(
        db, other_db, quarters, tmp_path):
    # As a province found it: the Q3 run synced a system that served Q3 only, and Q2's dossiers
    # are served from then on, each updated before the watermark Q3's sync left.
    app = create_app(quarters["2026-Q3"], TOKEN)
    with serve_in_background(app) as base_url:
        q3 = sync(db, base_url, tmp_path, period="2026-Q3")
        position = sync_position(db)
        app.state.sandbox.replace_records(quarters["2026-Q2"] + quarters["2026-Q3"])

        q2 = sync(db, base_url, tmp_path, period="2026-Q2")
        q2_position = sync_position(db)
        # The same Q2 run alone, on an empty warehouse: a first sync, from the period's start.
        alone = sync(other_db, base_url, tmp_path, period="2026-Q2")
        # The period at the watermark syncs incrementally, as before.
        q3_again = sync(db, base_url, tmp_path, period="2026-Q3")

    assert (q3.backfill, q3.updated_since, q3.period_dossiers, q3.period_rows_landed) == \
        (False, "2026-07-01T00:00:00+07:00", 1800, 1800)
    assert (q2.backfill, q2.updated_since) == (True, "2026-04-01T00:00:00+07:00")
    assert q2.period_dossiers == q2.period_rows_landed == alone.period_dossiers == 1800
    assert (alone.backfill, alone.updated_since, alone.period_rows_landed, alone.rows_landed) == \
        (False, "2026-04-01T00:00:00+07:00", 1800, 3600)
    assert period_versions(db, "2026-04-01", "2026-07-01") == period_versions(other_db, "2026-04-01", "2026-07-01") \
        == versions(quarters["2026-Q2"])
    # The watermark and the cursor stay where Q3's sync left them; the result says so too.
    assert q2_position == position and local(datetime.fromisoformat(q2.watermark)) == position[0]
    # Q2's 1,800 versions fill three pages and part of a fourth, whose Q3 versions raw held: the
    # paging stops there, past Q2's end, instead of reading Q3 again to the end.
    assert (q2.pages_fetched, q2.rows_received, q2.rows_landed, q2.rows_already_landed) == (4, 2000, 1800, 200)
    assert (q3_again.backfill, q3_again.rows_landed, q3_again.period_dossiers, q3_again.period_rows_landed) == \
        (False, 0, 1800, 0)
    assert sync_position(db) == position


def test_a_first_sync_for_a_period_starts_at_its_start_and_the_history_before_it_waits_for_its_own_runs(
        db, quarters, tmp_path):
    app = create_app(quarters["2026-Q2"] + quarters["2026-Q3"], TOKEN)
    with serve_in_background(app) as base_url:
        q3 = sync(db, base_url, tmp_path, period="2026-Q3")
        q2 = sync(db, base_url, tmp_path, period="2026-Q2")

    assert (q3.rows_landed, q3.period_dossiers) == (1800, 1800)
    assert period_versions(db, "2026-04-01", "2026-07-01") == versions(quarters["2026-Q2"])
    assert (q2.backfill, q2.rows_landed, q2.period_dossiers) == (True, 1800, 1800)
