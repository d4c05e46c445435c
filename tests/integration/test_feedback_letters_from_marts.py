"""The feedback letters read from marts built by dbt on real PostgreSQL: a letter for every unit that
sent late, nothing, or rows set aside, none for a unit on time with nothing open, published with
the report in one switch and linked from the portal and the unit's scorecard."""

from __future__ import annotations

from io import BytesIO

import docx
import psycopg
import pytest

from dti.dbt_invocation import dbt_failure, invoke_dbt
from dti.publish import publish_report
from dti.publish.letters import LETTERS_INDEX, feedback_letters
from dti.publish.portal import publish_portal
from dti.publish.scorecards import scorecard_files
from tests.helpers import PROVINCE
from tests.scoring_data import COMMUNE, DEPARTMENT, FOCAL_POINT, PERIOD_2023, PERIOD_2026, SILENT_DEPARTMENT, \
    database_copy

RUN_ID = "manual__2026-12-08T00:00:00+00:00"
SET_ASIDE_REASON = ('SNV.xlsx · đơn vị SNV · dòng 7 · cột "Giá trị": ghi tỷ lệ dạng 85% hoặc 0,85 / '
                    'SNV.xlsx · unit SNV · row 7 · column "Giá trị": write the rate as 85% or 0.85')


@pytest.fixture(scope="module")
def marts_url(postgres_server_url, two_period_marts_url, tmp_path_factory):
    """The two periods, with one row of the department's 2026-Q3 file set aside as landing records it
    and the letters' marts built again."""
    with database_copy(postgres_server_url, two_period_marts_url) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "insert into quarantine.rejected_rows (file_sha256, file_name, unit_code, row_number, column_name, "
                "raw_value, reason) values (%s, 'SNV.xlsx', 'SNV', 7, 'reported_value', '=1+1', %s)",
                (f"{PERIOD_2026}-{DEPARTMENT}".ljust(64, "0"), SET_ASIDE_REASON))
        folder = tmp_path_factory.mktemp("letters-dbt")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DBT_TARGET_PATH", str(folder / "target"))
            patch.setenv("DBT_LOG_PATH", str(folder / "logs"))
            built = invoke_dbt(url, ["build", "--select", "rpt_unit_feedback_problems", "rpt_unit_feedback"])
        assert built.success, dbt_failure(built)
        yield url


@pytest.fixture(scope="module")
def output_root(marts_url, tmp_path_factory):
    """Both periods published as the DAG's publish task publishes them, 2026-Q3 last, then the portal."""
    output_root = tmp_path_factory.mktemp("output")
    for period in (PERIOD_2023, PERIOD_2026):
        with psycopg.connect(marts_url) as conn:
            letters = feedback_letters(conn, period, PROVINCE)
            publish_report(conn, period, output_root, RUN_ID, PROVINCE, extra_files={
                **scorecard_files(conn, period, PROVINCE, letters.of_units), **letters.files})
    publish_portal(output_root, PROVINCE)
    return output_root


def units_with_status(url: str, period: str, status: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {code for (code,) in conn.execute(
            "select unit_code from marts.fct_submission_status where period = %s and submission_status = %s",
            (period, status))}


def test_the_late_and_missing_units_and_the_one_with_a_row_set_aside_have_letters(marts_url, output_root):
    letters = output_root / "reports" / PERIOD_2026 / "letters"
    missing = units_with_status(marts_url, PERIOD_2026, "missing")

    assert SILENT_DEPARTMENT in missing and len(missing) > 50
    assert {path.stem for path in letters.glob("*.docx")} == missing | {DEPARTMENT, "don-doc"}
    assert {path.stem for path in letters.glob("*.html")} == missing | {DEPARTMENT, "don-doc", "index"}
    # 2023-Q3 was sent after its due date: late, each with its letter; the focal point writes them, gets none.
    late_2023 = units_with_status(marts_url, PERIOD_2023, "late")
    assert late_2023 == {DEPARTMENT, FOCAL_POINT, COMMUNE}
    letters_2023 = {path.stem for path in (output_root / "reports" / PERIOD_2023 / "letters").glob("*.docx")}
    assert {DEPARTMENT, COMMUNE} <= letters_2023 and FOCAL_POINT not in letters_2023


def test_the_row_set_aside_is_in_the_departments_letter_and_the_on_time_commune_has_none(output_root):
    letters = output_root / "reports" / PERIOD_2026 / "letters"
    document = docx.Document(BytesIO((letters / f"{DEPARTMENT}.docx").read_bytes()))
    [problem] = [[cell.text for cell in row.cells] for row in document.tables[1].rows[1:]]

    assert problem == ["1", "SNV.xlsx", "7", "Giá trị", "Ghi tỷ lệ dạng 85% hoặc 0,85"]
    assert any(paragraph.text == "Kính gửi: Sở Nội vụ" for paragraph in document.paragraphs)
    assert not (letters / f"{COMMUNE}.docx").exists()


def test_the_missing_units_letter_urges_it_and_the_urging_letter_names_it(output_root):
    letters = output_root / "reports" / PERIOD_2026 / "letters"
    silent = docx.Document(BytesIO((letters / f"{SILENT_DEPARTMENT}.docx").read_bytes()))
    urging = docx.Document(BytesIO((letters / "don-doc.docx").read_bytes()))

    assert any(paragraph.text == "Kính gửi: Sở Tư pháp" for paragraph in silent.paragraphs)
    assert any("chưa nhận được báo cáo tự đánh giá của đơn vị (hạn gửi ngày 10/10/2026)" in paragraph.text
               for paragraph in silent.paragraphs)
    [urged] = [table for table in urging.tables if table.rows[0].cells[0].text == "STT"]
    names = [row.cells[1].text for row in urged.rows[1:]]
    assert "Sở Tư pháp" in names and "Sở Nội vụ" not in names


def test_the_portal_the_index_and_a_units_scorecard_link_the_letters(output_root):
    portal = (output_root / "index.html").read_text(encoding="utf-8")
    assert f'href="reports/latest/{LETTERS_INDEX}"' in portal
    assert f'href="reports/{PERIOD_2023}/{LETTERS_INDEX}"' in portal
    index = (output_root / "reports" / PERIOD_2026 / LETTERS_INDEX).read_text(encoding="utf-8")
    assert f'href="{SILENT_DEPARTMENT}.docx"' in index and 'href="don-doc.html"' in index

    units = output_root / "reports" / PERIOD_2026 / "units"
    silent = (units / f"{SILENT_DEPARTMENT}.html").read_text(encoding="utf-8")
    assert f'href="../letters/{SILENT_DEPARTMENT}.html"' in silent
    assert f'href="../letters/{SILENT_DEPARTMENT}.docx"' in silent
    assert "../letters/" not in (units / f"{COMMUNE}.html").read_text(encoding="utf-8")
