"""Dossier sync from the sandbox procedure API into a real PostgreSQL: full and incremental syncs
move only what changed, a sync that fails anywhere resumes without loss or duplicates, bad
records are quarantined with their reason, and the citizen's id never reaches the warehouse."""

from __future__ import annotations

import re
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


def sync(db: str, base_url: str, tmp_path: Path, timeout_seconds: float = 5.0):
    return sync_dossiers(db, base_url, TOKEN, tmp_path / "archive", page_size=PAGE_SIZE, retry=NO_WAIT,
                         timeout_seconds=timeout_seconds)


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
