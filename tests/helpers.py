"""Small builders shared by the tests: submission workbooks in the units' template, legacy encodings."""

from __future__ import annotations

import shutil
import unicodedata
from io import BytesIO
from pathlib import Path

import openpyxl
import psycopg
import yaml

from dti import settings
from dti.catalog.seeds import load_components, load_units
from dti.dbt_manifest import MANIFEST, MANIFEST_FINGERPRINT
from dti.provinces import Province, default_province
from dti.sources import submissions
from dti.sources.submission_template import build_template, components_for, template_rows
from dti.text_encodings import TONE_MARKS

PERIOD = "2026-Q3"
# The province of provinces.yml the tests use unless they set their own (Bắc Ninh).
PROVINCE = default_province()
# Bắc Ninh and the made-up Thử Nghiệm, whose seed folder is tests/fixtures/provinces/thu_nghiem.
TWO_PROVINCES = Path(__file__).parent / "fixtures" / "provinces" / "provinces.yml"


def provinces_file_with_database(folder: Path, database: str) -> Path:
    """The project's provinces.yml, written under ``folder``, with the first province's warehouse
    in ``database`` (a test's own) and the national roll-up in ``<database>_national``."""
    document = yaml.safe_load(settings.PROVINCES_FILE.read_text(encoding="utf-8"))
    document["provinces"][0]["database"] = database
    document["national"] = {"database": f"{database}_national"}
    path = folder / "provinces.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def project_with_test_province(folder: Path) -> Path:
    """A copy of dbt_project/ under ``folder`` with the test province's seed folder in its
    provinces/, where dbt reads a province's seeds; point settings.DBT_PROJECT_DIR at it before
    loading TWO_PROVINCES."""
    project = folder / "dbt_project"
    shutil.copytree(settings.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    # The manifest the DAGs are rendered from (its fingerprint leaves the provinces' folders out).
    (project / MANIFEST).parent.mkdir()
    for artefact in (MANIFEST, MANIFEST_FINGERPRINT):
        shutil.copy2(settings.DBT_PROJECT_DIR / artefact, project / artefact)
    shutil.copytree(TWO_PROVINCES.parent / "thu_nghiem", project / "provinces" / "thu_nghiem")
    return project


def workbook_bytes(rows: list[list], headers: list[str] | None = None,
                   sheet_name: str = submissions.SHEET_NAME) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append(submissions.HEADERS if headers is None else headers)
    for row in rows:
        sheet.append(row)
    return xlsx_bytes(workbook)


def sheet_records(sheet) -> list[dict]:
    """The rows of a workbook sheet under its header row, as header -> value."""
    headers = [cell.value for cell in sheet[1]]
    return [dict(zip(headers, (cell.value for cell in row), strict=False)) for row in sheet.iter_rows(min_row=2)]


def xlsx_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def submission_row(unit_code="SKHCN", component_code="CQ01", numerator=60, denominator=100, value=None,
                   period=PERIOD) -> list:
    """One row of the form, in the template's column order (a ratio component by default)."""
    return [unit_code, "Sở Khoa học và Công nghệ", period, component_code, "Tỷ lệ dịch vụ công trực tuyến toàn trình",
            numerator, denominator, value, "12/BC-SKHCN"]


# What filled_template writes in "Giá trị" for each rule other than ratio (a categorical
# component's first answer, by its number).
FILLED_VALUES = {"boolean": "Có", "yes_partial_no": "Một phần", "count_capped": 3, "tiered": 2, "categorical": 1}


def filled_template(unit_code: str, period: str = PERIOD, province: Province = PROVINCE) -> openpyxl.Workbook:
    """The unit's template as ``dti template --unit`` prints it, filled in plausibly: on the
    ratio rows numerator 40, 45, 50, … over denominator 100, 110, 120, … (by row), on the others
    ``FILLED_VALUES`` of the row's rule."""
    unit = next(u for u in load_units(province) if u["unit_code"] == unit_code)
    workbook = build_template(unit["unit_type"], period, province, unit=unit_code)
    components = components_for(unit, load_components(), province.focal_point_unit_code)
    for index, (row, component) in enumerate(zip(template_rows(workbook), components, strict=True)):
        if component["scoring_rule"] == "ratio":
            row["numerator"].value = 40 + 5 * index
            row["denominator"].value = 100 + 10 * index
        else:
            row["reported_value"].value = FILLED_VALUES[component["scoring_rule"]]
        row["evidence_document"].value = f"{12 + index}/BC-{unit_code}"
    return workbook


def windows_1258(text: str) -> bytes:
    """``text`` as Windows saves it in code page 1258: a letter the code page has is one byte, any
    other toned letter is its base letter followed by a combining tone mark."""
    encoded = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            encoded += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
            encoded += (base + "".join(c for c in decomposed if c in TONE_MARKS)).encode("cp1258")
    return bytes(encoded)


def quarantined_files(conn: psycopg.Connection, period: str) -> list[dict]:
    """What landing set aside for ``period`` as the loader sees it, whole files and single rows (the
    report reads the same from marts.rpt_quarantined)."""
    rows = conn.execute(
        "select file_name, unit_code, null::integer as row_number, null as column_name, reason "
        "from quarantine.rejected_files where period = %(p)s "
        "union all "
        "select r.file_name, r.unit_code, r.row_number, r.column_name, r.reason "
        "from quarantine.rejected_rows r join raw.landed_files f using (file_sha256) where f.period = %(p)s "
        "order by file_name, row_number nulls first",
        {"p": period},
    ).fetchall()
    keys = ("file_name", "unit_code", "row_number", "column_name", "reason")
    return [dict(zip(keys, row, strict=True)) for row in rows]
