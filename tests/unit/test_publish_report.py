"""The published report: what it shows, and that publishing never leaves a half-written report."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from dti.publish import publication, report
from dti.publish.publication import write_publication_atomically
from dti.publish.report import publish_report, render_report_html
from dti.publish.report_data import (
    MainIndexValue,
    QuarantinedFile,
    ReportData,
    ReportDataMissing,
    UnitScore,
    load_report_data,
)

PERIOD = "2026-Q3"
HOSTILE_NAME = '<script>alert("x")</script>'


def make_report_data(**changes) -> ReportData:
    data = ReportData(
        period=PERIOD,
        run_id="manual__2026-10-01T00:00:00+00:00",
        generated_at=datetime(2026, 10, 1, 3, 0, tzinfo=timezone.utc),
        province_dti_score=0.61234,
        province_points=612.34,
        province_max_points=1000,
        main_indices=(
            MainIndexValue("1", "Nhận thức số", "foundation", 80.5, 100, 0.805),
            MainIndexValue("6", "Đô thị thông minh", "foundation", 0, 0, None),
            MainIndexValue("7", "Hoạt động chính quyền số", "activity", 150, 200, 0.75),
        ),
        units=(
            UnitScore("SKHCN", "Sở Khoa học và Công nghệ", "department", "computed", 1, 0.8123),
            UnitScore("X10001", "Xã Tiên Du", "commune", "missing", None, None),
            UnitScore("P07228", "Phường Đa Mai", "ward", "submitted", 1, 0.70005),
        ),
        legal_document="Quyết định 922/QĐ-BTTTT ngày 20/5/2022",
        quarantined=(QuarantinedFile("P07228_2026-Q3.xlsx", "thiếu cột 'Tử số' ở dòng 12"),),
    )
    return replace(data, **changes)


def element_text(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*>(.*?)</\1>', html, re.DOTALL)
    assert match, f"no element with id {element_id!r}"
    return re.sub(r"<[^>]+>", "", match.group(2)).strip()


def table_row_containing(html: str, text: str) -> str:
    rows = [row for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.DOTALL) if text in row]
    assert len(rows) == 1, f"expected one table row with {text!r}, found {len(rows)}"
    return rows[0]


# --- rendering ---------------------------------------------------------------------------------


def test_province_dti_is_shown_with_four_decimals():
    html = render_report_html(make_report_data(province_dti_score=0.61236))

    assert element_text(html, "province-dti") == "0.6124"
    assert "Tổng điểm đạt: <strong>612,34</strong> / 1.000 điểm" in html


def test_report_is_vietnamese_with_title_naming_the_period():
    html = render_report_html(make_report_data())

    assert '<html lang="vi">' in html
    assert "<h1>Báo cáo kết quả Chỉ số chuyển đổi số (DTI) tỉnh Bắc Ninh – kỳ 2026-Q3</h1>" in html


def test_unit_names_keep_their_diacritics():
    html = render_report_html(make_report_data())

    assert "Phường Đa Mai" in html
    assert "Phường Đa Mai" in html.encode("utf-8").decode("utf-8")


@pytest.mark.parametrize(
    ("score", "verdict", "distance"),
    [(0.61234, "chưa đạt", "còn thiếu 0.1377"), (0.75, "đạt", "vượt 0.0000"), (0.8012, "đạt", "vượt 0.0512")],
)
def test_province_dti_is_compared_with_the_target(score, verdict, distance):
    html = render_report_html(make_report_data(province_dti_score=score))

    target = element_text(html, "province-target")
    assert target.startswith(f"Mục tiêu DTI ≥ 0.7500: {verdict}")
    assert target.endswith(distance)


def test_main_indices_show_points_values_and_smart_city_as_not_scored():
    html = render_report_html(make_report_data())

    government = table_row_containing(html, "Hoạt động chính quyền số")
    assert re.findall(r'<td class="number">([^<]*)</td>', government) == ["150", "200", "0.7500"]
    assert "không tính điểm" in table_row_containing(html, "Đô thị thông minh")
    assert "không tính điểm" not in government


def test_units_show_rank_type_status_and_dti_in_vietnamese():
    html = render_report_html(make_report_data())

    ward = table_row_containing(html, "Phường Đa Mai")
    assert re.findall(r"<td[^>]*>([^<]*)</td>", ward) == ["1", "Phường Đa Mai", "Phường", "Đã nộp", "0.7001"]
    department = table_row_containing(html, "Sở Khoa học và Công nghệ</td>")
    assert "<td>Sở/ban ngành</td>" in department
    commune = table_row_containing(html, "Xã Tiên Du")
    assert re.findall(r"<td[^>]*>([^<]*)</td>", commune) == ["–", "Xã Tiên Du", "Xã", "Chưa nộp", "–"]
    assert "Đơn vị đã nộp dữ liệu: 2 / 3; chưa nộp: 1" in html


def test_hostile_unit_and_file_names_are_escaped():
    data = make_report_data(
        units=(UnitScore("EVIL", HOSTILE_NAME, "ward", "computed", 1, 0.5),),
        quarantined=(QuarantinedFile(HOSTILE_NAME + ".xlsx", HOSTILE_NAME),),
    )

    html = render_report_html(data)

    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 3


def test_quarantined_files_are_listed_with_their_reasons():
    html = render_report_html(make_report_data())

    assert '<h2 id="quarantine-heading">Dữ liệu bị cách ly</h2>' in html
    row = table_row_containing(html, "P07228_2026-Q3.xlsx")
    assert "thiếu cột &#39;Tử số&#39; ở dòng 12" in row


def test_report_says_so_when_nothing_was_quarantined():
    html = render_report_html(make_report_data(quarantined=()))

    assert "Không có tệp nào bị cách ly trong kỳ này." in html
    assert "<th>Lý do</th>" not in html


def test_methodology_footer_names_legal_basis_run_and_time_in_vietnam():
    footer = render_report_html(make_report_data()).split("<footer>")[1]

    assert "Quyết định 922/QĐ-BTTTT ngày 20/5/2022" in footer
    assert "manual__2026-10-01T00:00:00+00:00" in footer
    assert "10:00 ngày 01/10/2026" in footer


def test_report_needs_no_external_assets():
    html = render_report_html(make_report_data())

    assert "<style>" in html
    for reference in ("<link", "src=", "url(", "<script"):
        assert reference not in html


# --- loading -----------------------------------------------------------------------------------


class ConnectionWithoutRows:
    """Stands in for a psycopg connection whose marts hold nothing for the period."""

    def cursor(self, row_factory=None):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, query, params):
        assert "%s" in query and params == (PERIOD,), "values must be bound as parameters"
        return self

    def fetchone(self):
        return None


def test_loading_a_period_without_a_province_row_fails_clearly():
    with pytest.raises(ReportDataMissing, match="no province DTI for period '2026-Q3'"):
        load_report_data(ConnectionWithoutRows(), PERIOD, "run-1", [])


# --- atomic publication ------------------------------------------------------------------------


def published_bytes(output_root: Path, link: str) -> bytes:
    return (output_root / "reports" / link / "index.html").read_bytes()


def test_second_publication_switches_period_and_latest_after_writing(tmp_path, monkeypatch):
    first = write_publication_atomically(tmp_path, PERIOD, "run-1", {"index.html": b"first"})
    seen_at_each_switch = []
    switch_symlink = publication._switch_symlink

    def record_then_switch(link, target):
        seen_at_each_switch.append((link.name, published_bytes(tmp_path, "latest"), (first / "index.html").read_bytes()))
        switch_symlink(link, target)

    monkeypatch.setattr(publication, "_switch_symlink", record_then_switch)
    second = write_publication_atomically(tmp_path, PERIOD, "run-2", {"index.html": b"second"})

    assert seen_at_each_switch[0] == (PERIOD, b"first", b"first")
    assert [link for link, _, _ in seen_at_each_switch] == [PERIOD, "latest"]
    reports = tmp_path / "reports"
    assert (reports / PERIOD).resolve() == second.resolve()
    assert (reports / "latest").resolve() == second.resolve()
    assert published_bytes(tmp_path, "latest") == b"second"
    assert (first / "index.html").read_bytes() == b"first"


def test_latest_follows_the_most_recent_publication_of_any_period(tmp_path):
    write_publication_atomically(tmp_path, "2026-Q2", "run-1", {"index.html": b"q2"})
    write_publication_atomically(tmp_path, PERIOD, "run-2", {"index.html": b"q3"})

    assert published_bytes(tmp_path, "latest") == b"q3"
    assert published_bytes(tmp_path, "2026-Q2") == b"q2"


def test_failure_while_writing_leaves_latest_byte_identical(tmp_path, monkeypatch):
    write_publication_atomically(tmp_path, PERIOD, "run-1", {"index.html": b"first", "report.xlsx": b"sheet"})
    before = published_bytes(tmp_path, "latest")
    link_before = os.readlink(tmp_path / "reports" / PERIOD)
    write_file = publication._write_file
    written = []

    def fail_on_second_file(path, content):
        if written:
            raise OSError("disk full")
        written.append(path)
        write_file(path, content)

    monkeypatch.setattr(publication, "_write_file", fail_on_second_file)
    with pytest.raises(OSError, match="disk full"):
        write_publication_atomically(tmp_path, PERIOD, "run-2", {"index.html": b"second", "report.xlsx": b"new"})

    assert written, "the failure must happen after a file of the new build was written"
    assert published_bytes(tmp_path, "latest") == before
    assert os.readlink(tmp_path / "reports" / PERIOD) == link_before
    assert not list((tmp_path / "reports").glob(".tmp-*"))


def test_failure_while_rendering_leaves_latest_byte_identical(tmp_path, monkeypatch):
    write_publication_atomically(tmp_path, PERIOD, "run-1", {"index.html": b"first"})
    monkeypatch.setattr(report, "load_report_data", lambda conn, period, run_id, quarantined: make_report_data())

    def broken_renderer(data):
        raise RuntimeError("template error")

    monkeypatch.setattr(report, "render_report_html", broken_renderer)
    with pytest.raises(RuntimeError, match="template error"):
        publish_report(None, PERIOD, tmp_path, "run-2", [])

    assert published_bytes(tmp_path, "latest") == b"first"
    assert [build.name for build in (tmp_path / "reports" / ".builds" / PERIOD).iterdir()] == ["run-1"]


def test_publish_report_writes_the_rendered_report_and_returns_the_score(tmp_path, monkeypatch):
    data = make_report_data()
    monkeypatch.setattr(report, "load_report_data", lambda conn, period, run_id, quarantined: data)

    published = publish_report(None, PERIOD, tmp_path, data.run_id, list(data.quarantined))

    assert published.period == PERIOD
    assert published.dti_score == pytest.approx(0.61234)
    assert published.report_path.read_bytes() == render_report_html(data).encode("utf-8")
    assert published_bytes(tmp_path, "latest") == published.report_path.read_bytes()


def test_previous_build_is_kept_and_older_builds_are_deleted(tmp_path):
    first = write_publication_atomically(tmp_path, PERIOD, "run-1", {"index.html": b"1"})
    second = write_publication_atomically(tmp_path, PERIOD, "run-2", {"index.html": b"2"})
    third = write_publication_atomically(tmp_path, PERIOD, "run-3", {"index.html": b"3"})

    assert not first.exists()
    assert (second / "index.html").read_bytes() == b"2"
    assert published_bytes(tmp_path, PERIOD) == b"3"
    assert sorted(build.name for build in third.parent.iterdir()) == ["run-2", "run-3"]


def test_retried_run_publishes_a_new_build_beside_its_first_attempt(tmp_path):
    first = write_publication_atomically(tmp_path, PERIOD, "manual__2026-10-01T00:00:00+00:00", {"index.html": b"1"})
    retry = write_publication_atomically(tmp_path, PERIOD, "manual__2026-10-01T00:00:00+00:00", {"index.html": b"2"})

    assert retry != first
    assert (first / "index.html").read_bytes() == b"1"
    assert published_bytes(tmp_path, "latest") == b"2"
    assert "/" not in first.name and ":" not in first.name


def test_published_report_is_readable_by_others(tmp_path):
    build = write_publication_atomically(tmp_path, PERIOD, "run-1", {"index.html": b"x"})

    assert build.stat().st_mode & 0o055 == 0o055


@pytest.mark.parametrize("period", ["../2026-Q3", "latest", ".builds", "2026/Q3", ""])
def test_period_that_is_not_a_period_label_is_refused(tmp_path, period):
    with pytest.raises(ValueError, match="not a period label"):
        write_publication_atomically(tmp_path, period, "run-1", {"index.html": b"x"})
    assert not (tmp_path / "reports").exists()


def test_a_quarantined_row_is_listed_with_its_unit_row_and_column():
    html = render_report_html(make_report_data(quarantined=(
        QuarantinedFile("X07246.xlsx", "X07246.xlsx: not a valid .xlsx file", unit_code="X07246"),
        QuarantinedFile("STP.xlsx", "expected a number, found 'abc'", unit_code="STP", row_number=3, column_name="denominator"),
    )))
    row = table_row_containing(html, "STP.xlsx")
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>.*?</td>", row, re.DOTALL)]
    assert cells == ["STP.xlsx", "STP", "3", "denominator", "expected a number, found &#39;abc&#39;"]
    assert "cả tệp" in table_row_containing(html, "X07246.xlsx: not a valid")
