"""The procedure-system API client against the sandbox on a real port: paging, auth, every
transport fault retried, and every way a record can break the contract named in both languages."""

from __future__ import annotations

from datetime import datetime, UTC
from pathlib import Path

import msgspec
import pytest

from dti.demo.dossiers import (
    DossierPlan,
    advance_dossiers,
    earlier_periods_of_year,
    generate_dossiers,
    generate_history,
    history_plans,
    record_plan,
    recorded_plans,
)
from dti.demo.sandbox_api import Faults, create_app, create_history_app, encode_page, serve_in_background
from dti.sources import procedure_api
from dti.sources.dossier_records import DossierPage, read_page
from dti.sources.procedure_api import InvalidPage, ProcedureApiError, RetryPolicy
from tests.helpers import PROVINCE

TOKEN = "sandbox-token"
PLAN = DossierPlan(period="2026-07", seed=11, scale=0.005)  # 300 dossiers
PAGE_SIZE = 100
NO_WAIT = RetryPolicy(attempts=3, first_wait_seconds=0, max_wait_seconds=0)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_input" / "api"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return generate_dossiers(PLAN, PROVINCE)


@pytest.fixture()
def sandbox(records):
    app = create_app(records, TOKEN)
    with serve_in_background(app) as base_url:
        yield app.state.sandbox, base_url


def fetch_all(base_url: str, *, token: str = TOKEN, updated_since: str | None = None, timeout: float = 5.0,
              requests: list | None = None) -> list[procedure_api.ReceivedPage]:
    """Every page of a sync from ``updated_since``; each HTTP request made is appended to ``requests``."""
    with procedure_api.open_client(base_url, token, timeout_seconds=timeout) as client:
        if requests is not None:
            client.event_hooks["request"].append(requests.append)
        return list(procedure_api.iter_pages(client, updated_since=updated_since, cursor=None, limit=PAGE_SIZE,
                                             retry=NO_WAIT))


def read_all(pages) -> list[DossierPage]:
    return [read_page(page.content, page.request) for page in pages]


def dossier_ids(pages) -> list[str]:
    return [dossier_id for page in read_all(pages) for dossier_id in page.columns["dossier_id"]]


def test_pages_follow_the_cursor_once_through_every_record_in_keyset_order(sandbox, records):
    _, base_url = sandbox
    requests: list = []
    pages = fetch_all(base_url, requests=requests)
    assert [page.records_received for page in read_all(pages)] == [100, 100, 100]
    assert len(requests) == 3 and pages[-1].next_cursor is None
    in_order = sorted(records, key=lambda record: (record["updated_at"], record["dossier_id"]))
    assert dossier_ids(pages) == [record["dossier_id"] for record in in_order]
    # The generated dossiers keep the contract: nothing is rejected.
    assert not [row for page in read_all(pages) for row in page.rejected]


def test_updated_since_is_inclusive_and_read_as_an_instant_whatever_its_offset(sandbox, records):
    _, base_url = sandbox
    cutoff = sorted(record["updated_at"] for record in records)[180]
    in_utc = datetime.fromisoformat(cutoff).astimezone(UTC).isoformat()
    pages = fetch_all(base_url, updated_since=in_utc)
    assert sorted(dossier_ids(pages)) == sorted(r["dossier_id"] for r in records if r["updated_at"] >= cutoff)
    assert max(page.latest_update for page in read_all(pages)) == \
        max(datetime.fromisoformat(r["updated_at"]) for r in records)


def test_pages_until_an_instant_end_with_the_first_page_that_reaches_it(sandbox, records):
    _, base_url = sandbox
    in_order = sorted(record["updated_at"] for record in records)
    # Inside the second page: the second page is the last one asked for; at the first page's
    # last record: the first page reaches it already.
    for until, pages_expected in ((in_order[150], 2), (in_order[99], 1), (in_order[-1], 3)):
        requests: list = []
        with procedure_api.open_client(base_url, TOKEN) as client:
            client.event_hooks["request"].append(requests.append)
            pages = list(procedure_api.iter_pages(client, updated_since=None, cursor=None, limit=PAGE_SIZE,
                                                  retry=NO_WAIT, until=datetime.fromisoformat(until)))
        assert len(pages) == len(requests) == pages_expected, until
        assert pages[-1].last_update() == datetime.fromisoformat(in_order[100 * pages_expected - 1])


def test_a_pages_last_update_is_its_last_readable_records_and_none_without_one():
    stamped = {"dossier_id": "H24.001-260701-0000001", "updated_at": "2026-07-01T08:00:00+07:00"}
    unreadable = [{"dossier_id": "x", "updated_at": 5}, ["not", "a", "record"], {"updated_at": "2026-07-02"}]

    def page(records):
        return procedure_api.ReceivedPage.of(encode_page(records, None), "/api/v1/dossiers")

    assert page([stamped, *unreadable]).last_update() == datetime.fromisoformat(stamped["updated_at"])
    assert page(unreadable).last_update() is None
    assert page([]).last_update() is None


def test_a_wrong_token_fails_at_once_because_retrying_cannot_fix_it(sandbox):
    _, base_url = sandbox
    requests: list = []
    with pytest.raises(ProcedureApiError, match="HTTP 401.*check the token"):
        fetch_all(base_url, token="not-the-token", requests=requests)
    assert len(requests) == 1


@pytest.mark.parametrize(("faults", "failed_requests"), [
    (Faults(server_error_on=[2]), 1),
    (Faults(server_error_on=[2, 3]), 2),
    (Faults(timeout_on=[2], delay_seconds=2.5), 1),
    (Faults(truncate_on=[3]), 1),
], ids=["http-500", "http-500-twice", "timeout", "truncated-page"])
def test_each_transport_fault_is_retried_and_every_page_comes_out_whole(sandbox, faults, failed_requests):
    state, base_url = sandbox
    clean = fetch_all(base_url)
    state.set_faults(faults)
    requests: list = []
    pages = fetch_all(base_url, timeout=1.0, requests=requests)
    assert len(requests) == len(clean) + failed_requests
    assert [page.content for page in pages] == [page.content for page in clean]


def test_a_page_served_twice_is_passed_on_twice_and_the_sync_still_reaches_the_end(sandbox):
    state, base_url = sandbox
    clean = fetch_all(base_url)
    state.set_faults(Faults(repeat_on=[2]))
    pages = fetch_all(base_url)
    # Landing recognises the second copy by its hash; the client only has to keep going.
    assert [page.content for page in pages] == [clean[0].content, *(page.content for page in clean)]


def test_faults_can_be_switched_over_the_admin_endpoint_with_the_token(sandbox):
    _, base_url = sandbox
    with procedure_api.open_client(base_url, TOKEN) as client:
        assert client.put("/admin/faults", json={"server_error_on": [1]}).status_code == 200
        assert client.get("/api/v1/dossiers").status_code == 500
        assert client.get("/api/v1/dossiers").status_code == 200
        assert client.get("/admin/faults").json()["requests"] == 2
    with procedure_api.open_client(base_url, "not-the-token") as client:
        assert client.put("/admin/faults", json={}).status_code == 401


def test_a_server_failing_on_every_attempt_fails_the_sync_naming_the_last_error(sandbox):
    state, base_url = sandbox
    state.set_faults(Faults(server_error_on=list(range(2, 20))))
    requests: list = []
    with pytest.raises(ProcedureApiError, match="after 3 attempts; last: HTTP 500"):
        fetch_all(base_url, requests=requests)
    assert len(requests) == 1 + NO_WAIT.attempts


def test_a_server_repeating_a_page_forever_cannot_trap_the_sync(sandbox):
    state, base_url = sandbox
    state.set_faults(Faults(repeat_on=list(range(2, 50))))
    with pytest.raises(ProcedureApiError, match="page before the one asked for"):
        fetch_all(base_url)


@pytest.mark.parametrize("body", [(FIXTURES / "page_truncated.json").read_bytes(), b'{"data": {}, "next_cursor": null}',
                                  b"<html>502 Bad Gateway</html>"], ids=["truncated", "data-not-a-list", "not-json"])
def test_a_body_that_is_not_a_whole_page_is_a_transport_fault(body):
    with pytest.raises(InvalidPage, match="GET /api/v1/dossiers"):
        procedure_api.ReceivedPage.of(body, "/api/v1/dossiers?limit=3")


def test_a_record_without_a_field_is_rejected_and_the_others_of_the_page_are_kept():
    page = read_page((FIXTURES / "page_missing_field.json").read_bytes(), "/api/v1/dossiers?limit=3")
    assert page.records_received == 3
    assert list(page.row_numbers) == [1, 3]
    assert page.columns["dossier_id"] == ["H24.045-260703-0000101", "H24.012-260704-0000103"]
    [rejected] = page.rejected
    assert (rejected.row_number, rejected.column_name, rejected.raw_value) == (2, "filed_at", None)
    assert rejected.reason == ('Hồ sơ H24.045-260703-0000102: thiếu trường "filed_at" / '
                               'Dossier H24.045-260703-0000102: field "filed_at" is missing')


def test_values_of_the_wrong_type_are_rejected_and_a_citizen_id_is_never_written_into_the_reason():
    page = read_page((FIXTURES / "page_wrong_type.json").read_bytes(), "/api/v1/dossiers?limit=4")
    assert list(page.row_numbers) == [2, 4]
    by_row = {row.row_number: row for row in page.rejected}
    assert sorted(by_row) == [1, 3]
    assert (by_row[1].column_name, by_row[1].raw_value) == ("full_process", '"yes"')
    assert by_row[1].reason == (
        'Hồ sơ H24.071-260710-0000201: trường "full_process" phải là giá trị logic true hoặc false, '
        'nhận được chuỗi "yes" / Dossier H24.071-260710-0000201: field "full_process" must be a boolean, '
        'true or false, got string "yes"')
    assert (by_row[3].column_name, by_row[3].raw_value) == ("citizen_id", None)
    assert "27299000333" not in by_row[3].reason
    assert by_row[3].reason.endswith('field "citizen_id" must be a 12-digit citizen id number (CCCD), got number')


GOOD = {"dossier_id": "H24.001-260701-0000001", "procedure_code": "1.004227", "unit_code": "SNV",
        "filed_at": "2026-07-01T08:00:00+07:00", "channel": "online", "full_process": True, "status": "completed",
        "returned_at": "2026-07-02T09:30:00+07:00", "citizen_id": "027090001234",
        "updated_at": "2026-07-02T09:30:00+07:00"}


@pytest.mark.parametrize(("change", "column", "english"), [
    ({"channel": "by post"}, "channel", 'field "channel" must be "online" or "offline", got string "by post"'),
    ({"status": None}, "status", 'must be "received", "processing", "completed" or "rejected", got null'),
    ({"procedure_code": ""}, "procedure_code", 'field "procedure_code" must be a non-empty string, got string ""'),
    ({"unit_code": "SNV\x00"}, "unit_code", 'field "unit_code" must be a non-empty string'),
    ({"filed_at": "2026-07-01T08:00:00"}, "filed_at", "with a UTC offset"),
    ({"filed_at": "2026-06-31T08:00:00+07:00"}, "filed_at", 'got string "2026-06-31T08:00:00+07:00"'),
    ({"returned_at": "02/07/2026"}, "returned_at", ', or null, got string "02/07/2026"'),
    ({"filed_at": "2026-07-01T08:00:00+20:00"}, "filed_at", '(within ±15:59)'),
    ({"filed_at": "2026-07-01T08:00:00+07:60"}, "filed_at", '(within ±15:59)'),
    ({"updated_at": 1782959400}, "updated_at", "got number 1782959400"),
    ({"citizen_id": "02709000123"}, "citizen_id", "(CCCD), got string"),
    ({"channel": "offline"}, "full_process", 'is true but the channel is "offline"'),
], ids=["channel", "status-null", "empty-text", "nul-character", "naive-timestamp", "31-june", "returned-at",
        "offset-beyond-postgresql", "offset-of-60-minutes", "epoch-number", "11-digit-citizen-id",
        "offline-full-process"])
def test_every_broken_field_is_named_with_what_is_expected_and_the_good_records_keep_their_values(change, column,
                                                                                                   english):
    second = {**GOOD, "dossier_id": "H24.001-260701-0000002"}
    page = read_page(encode_page([{**GOOD, **change}, second], None), "/api/v1/dossiers")
    [rejected] = page.rejected
    assert (rejected.row_number, rejected.column_name) == (1, column)
    vietnamese, in_english = rejected.reason.split(" / ")
    assert vietnamese.startswith("Hồ sơ H24.001-260701-0000001: ")
    assert in_english.startswith("Dossier H24.001-260701-0000001: ") and english in in_english
    assert page.columns == {name: [value] for name, value in second.items()}


def test_timestamps_in_utc_or_with_fractions_of_a_second_keep_the_contract_as_sent():
    record = {**GOOD, "filed_at": "2026-07-01T01:00:00Z", "returned_at": "2026-07-02T02:30:00.250+00:00",
              "updated_at": "2026-07-02T02:30:00.250+00:00"}
    page = read_page(encode_page([record], None), "/api/v1/dossiers")
    assert not page.rejected and page.columns["filed_at"] == ["2026-07-01T01:00:00Z"]
    assert page.latest_update == datetime(2026, 7, 2, 2, 30, 0, 250000, tzinfo=UTC)


def test_a_rejected_record_moves_the_watermark_so_the_next_sync_does_not_bring_it_back():
    later = {**GOOD, "dossier_id": "H24.001-260701-0000002", "channel": "by post",
             "updated_at": "2026-07-03T10:00:00+07:00"}
    page = read_page(encode_page([GOOD, later], None), "/api/v1/dossiers")
    assert [row.row_number for row in page.rejected] == [2]
    assert page.latest_update == datetime.fromisoformat("2026-07-03T10:00:00+07:00")


def test_a_record_that_is_not_an_object_or_has_no_usable_id_is_named_by_its_position():
    page = read_page(msgspec.json.encode({"data": [["not", "an", "object"], {**GOOD, "dossier_id": 7}],
                                          "next_cursor": None}), "/api/v1/dossiers")
    first, second = page.rejected
    assert (first.row_number, first.column_name) == (1, None)
    assert first.reason.startswith("Bản ghi ở vị trí 1 của trang không phải là một đối tượng JSON, nhận được mảng / "
                                   "The record at position 1 of the page is not a JSON object, got array")
    assert (second.row_number, second.column_name) == (2, "dossier_id")
    assert second.reason.startswith("Hồ sơ ở vị trí 2 của trang: ")
    assert " / Dossier at position 2 of the page: " in second.reason


def test_the_same_seed_gives_the_same_dossiers_and_advancing_adds_new_and_changed_versions_later(records):
    assert generate_dossiers(PLAN, PROVINCE) == records
    assert generate_dossiers(DossierPlan(period=PLAN.period, seed=12, scale=PLAN.scale), PROVINCE) != records
    assert DossierPlan(period="2026-07").count == 60_000 and DossierPlan(period="2026-Q3", scale=0.5).count == 90_000
    advanced = advance_dossiers(records, PLAN, PROVINCE, new_share=0.1, changed_share=0.05)
    latest = max(record["updated_at"] for record in records)
    changed = [new for old, new in zip(records, advanced, strict=False) if new != old]
    assert len(advanced) == len(records) + 30 and len(changed) == 15
    assert all(record["updated_at"] > latest for record in changed + advanced[len(records):])
    assert len({record["dossier_id"] for record in advanced}) == len(advanced)
    assert all(new["dossier_id"] == old["dossier_id"] for old, new in zip(records, advanced, strict=False))


def test_demo_data_scale_sets_the_dossiers_the_demo_procedure_system_serves(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from dti import settings
    from dti.cli import app
    from dti.demo import inbox
    from dti.demo.dossiers import recorded_plan

    monkeypatch.setattr(settings, "DEMO_DIR", tmp_path / "demo")
    monkeypatch.setattr(settings, "INBOX_ROOT_URL", str(tmp_path / "inbox"))
    demo_dir = settings.DEMO_DIR / PROVINCE.code
    # The inbox files have their own tests; here only the dossier volume is under test.
    monkeypatch.setattr(inbox, "write_demo_inbox", lambda folder, period, seed, province, population_scale: {})
    assert recorded_plan(demo_dir, "2026-Q3") == DossierPlan(period="2026-Q3")

    result = CliRunner().invoke(app, ["demo-data", "--period", "2026-Q3", "--seed", "7", "--scale", "0.02"])

    assert result.exit_code == 0, result.output
    plan = recorded_plan(demo_dir, "2026-Q3")
    assert plan == DossierPlan(period="2026-Q3", seed=7, scale=0.02)
    assert len(generate_dossiers(plan, PROVINCE)) == plan.count == 3_600
    assert recorded_plan(demo_dir, "2026-Q4") == DossierPlan(period="2026-Q4")
    # The system already held the year's earlier quarters, planned with the same seed and volume.
    assert recorded_plans(demo_dir) == [DossierPlan(period=f"2026-Q{quarter}", seed=7, scale=0.02)
                                        for quarter in (1, 2, 3)]


def test_planning_a_period_plans_the_earlier_periods_of_its_year_and_keeps_their_plans(tmp_path):
    record_plan(tmp_path, DossierPlan(period="2026-Q2", seed=3, scale=0.5))
    record_plan(tmp_path, DossierPlan(period="2026-Q4", seed=9, scale=0.1))
    record_plan(tmp_path, DossierPlan(period="2027-Q1", seed=4, scale=0.2))

    assert recorded_plans(tmp_path) == [
        DossierPlan(period="2026-Q1", seed=3, scale=0.5), DossierPlan(period="2026-Q2", seed=3, scale=0.5),
        DossierPlan(period="2026-Q3", seed=9, scale=0.1), DossierPlan(period="2026-Q4", seed=9, scale=0.1),
        DossierPlan(period="2027-Q1", seed=4, scale=0.2)]
    assert earlier_periods_of_year("2026-03") == ["2026-01", "2026-02"] and earlier_periods_of_year("2026") == []
    # A run for a period nobody planned still gets its default dossiers, with the history.
    assert history_plans(tmp_path, "2027-Q2")[-1] == DossierPlan(period="2027-Q2")
    assert history_plans(tmp_path, "2026-Q3") == recorded_plans(tmp_path)


PLANNED_QUARTERS = [DossierPlan(period=period, seed=11, scale=0.001) for period in ("2026-Q1", "2026-Q2", "2026-Q3")]


def test_the_sandbox_serves_every_planned_period_together_and_pages_across_them():
    history = generate_history(PLANNED_QUARTERS, PROVINCE)
    assert generate_history(PLANNED_QUARTERS, PROVINCE) == history
    assert len(history) == 3 * 180 and len({record["dossier_id"] for record in history}) == len(history)
    with serve_in_background(create_history_app(PLANNED_QUARTERS, "2026-Q2", TOKEN, PROVINCE)) as base_url:
        since_q2 = fetch_all(base_url, updated_since="2026-04-01T00:00:00+07:00")
        everything = fetch_all(base_url)

    assert sorted(dossier_ids(everything)) == sorted(record["dossier_id"] for record in history)
    # Each period's dossiers are as the system held them at its end: Q1's were all updated before April.
    by_period = {plan.period: {record["dossier_id"] for record in generate_dossiers(plan, PROVINCE)}
                 for plan in PLANNED_QUARTERS}
    assert sorted(dossier_ids(since_q2)) == sorted(by_period["2026-Q2"] | by_period["2026-Q3"])


def test_the_history_a_sync_does_not_reach_is_never_generated():
    app = create_history_app(PLANNED_QUARTERS, "2026-Q3", TOKEN, PROVINCE)
    sandbox = app.state.sandbox

    def deferred() -> list[str]:
        return [period.plan.period for period in sandbox.deferred]

    assert len(sandbox.records) == 180 and deferred() == ["2026-Q1", "2026-Q2"]
    with serve_in_background(app) as base_url:
        fetch_all(base_url, updated_since="2026-07-01T00:00:00+07:00")
        assert deferred() == ["2026-Q1", "2026-Q2"]
        since_may = fetch_all(base_url, updated_since="2026-05-01T00:00:00+07:00")
        assert deferred() == ["2026-Q1"]
        fetch_all(base_url)
        assert deferred() == [] and len(sandbox.records) == 540

    assert sorted(dossier_ids(since_may)) == sorted(
        record["dossier_id"] for record in generate_history(PLANNED_QUARTERS, PROVINCE)
        if record["updated_at"] >= "2026-05-01T00:00:00+07:00")
