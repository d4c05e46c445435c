"""``dti catalog import``: the Ministry's appendix read, its rule texts read, and merged into a copy
of the catalog seeds all or nothing (the dbt manifest is not refreshed here)."""

from __future__ import annotations

import csv
import hashlib
import shutil
from collections import defaultdict
from datetime import datetime, UTC
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dti import settings
from dti.catalog import importer
from dti.catalog.appendix import ComponentRow, GroupRow, read_appendix
from dti.catalog.importer import CatalogImportError, import_appendix
from dti.catalog.rules import Answer, Band, RuleTextError, ScoringRule, parse_rule
from tests.fixtures.appendix import make_fixture

SHIPPED_SEEDS = settings.DBT_PROJECT_DIR / "seeds" / "catalog"
FIRST_IMPORT = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


@pytest.fixture()
def seeds(tmp_path) -> Path:
    """A copy of the shipped catalog seeds to import into."""
    return Path(shutil.copytree(SHIPPED_SEEDS, tmp_path / "dbt_project" / "seeds" / "catalog"))


def rows(seeds: Path, name: str) -> list[dict[str, str]]:
    with (seeds / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def components(seeds: Path, framework: str = "405") -> dict[str, dict[str, str]]:
    return {row["component_code"]: row for row in rows(seeds, "dti_components")
            if row["framework_version"] == framework}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def import_fixture(seeds: Path, file: Path = make_fixture.WORKBOOK, framework: str = "405",
                   imported_at: datetime = FIRST_IMPORT) -> importer.ImportResult:
    return import_appendix(file, framework, seeds, imported_at=imported_at)


def write_appendix(path: Path, table: tuple[tuple[str, ...], ...]) -> Path:
    make_fixture.write_csv(path, make_fixture.sheet_rows(("TỆP MẪU KIỂM THỬ — không phải văn bản chính thức",), table))
    return path


def problems_by_row(error: CatalogImportError) -> dict[int | None, str]:
    return {problem.row: problem.reason for problem in error.problems}


# --- the appendix as a file ----------------------------------------------------------------------


def test_header_row_is_found_under_the_title_block():
    appendix = read_appendix(make_fixture.WORKBOOK)

    assert (appendix.sheet, appendix.header_row) == ("Phụ lục", 4)
    assert appendix.title == "TỆP MẪU KIỂM THỬ — không phải văn bản chính thức"
    assert appendix.headers["verifying_unit"] == "Đơn vị phối hợp xác minh số liệu"
    kinds = [(type(row).__name__, row.place.row) for row in appendix.rows]
    assert kinds == [("GroupRow", 5), ("ComponentRow", 6), ("ComponentRow", 7), ("GroupRow", 8),
                     ("ComponentRow", 9), ("ComponentRow", 10)]
    group = appendix.rows[0]
    assert isinstance(group, GroupRow)
    assert (group.number, group.name, group.points_text) == ("1", "Nhận thức số", "100 điểm")
    first = appendix.rows[1]
    assert isinstance(first, ComponentRow)
    assert (first.code, first.max_points, first.verifying_unit) == ("1.1", "20", "Văn phòng Ủy ban nhân dân tỉnh")
    assert first.rule_text.startswith("Số cuộc họp Ban Chỉ đạo trong năm:\n- 4 cuộc trở lên: 20 điểm;")


def test_csv_twin_reads_as_the_workbook():
    workbook, twin = read_appendix(make_fixture.WORKBOOK), read_appendix(make_fixture.CSV_TWIN)

    assert twin.sheet == "phu_luc_405_tep_mau"  # a CSV file is one sheet named after the file, as in Excel
    assert (twin.header_row, twin.title) == (workbook.header_row, workbook.title)
    strip_place = [{**vars(row), "place": row.place.row} for row in workbook.rows]
    assert [{**vars(row), "place": row.place.row} for row in twin.rows] == strip_place


def test_headers_are_matched_by_their_other_names(tmp_path):
    path = tmp_path / "ten_cot_khac.csv"
    path.write_text(
        "STT;Mã chỉ số;Tên  chỉ số;ĐIỂM (điểm);Cách tính điểm;Đơn vị phối hợp xác minh\n"
        "1;;Nhận thức số;100;;\n"
        "1;1.1.;Số cuộc họp Ban Chỉ đạo;20;4 cuộc trở lên: 20 điểm;Sở Nội vụ\n", encoding="utf-8")

    appendix = read_appendix(path)

    assert appendix.header_row == 1
    assert appendix.header("code") == "Mã chỉ số"  # preferred to the serial number "STT"
    assert appendix.header("evidence") == "Tài liệu kiểm chứng"  # a column the file does not have
    group, component = appendix.rows
    assert (group.number, group.name, group.points_text) == ("1", "Nhận thức số", "100")
    assert (component.code, component.name, component.verifying_unit, component.evidence) == (
        "1.1", "Số cuộc họp Ban Chỉ đạo", "Sở Nội vụ", "")


def test_a_file_without_the_table_is_refused(tmp_path, seeds):
    path = tmp_path / "khong_co_bang.csv"
    path.write_text("Danh sách\nSTT,Tên\n1,Một\n", encoding="utf-8")

    with pytest.raises(CatalogImportError) as raised:
        import_fixture(seeds, path)

    assert "no header row" in str(raised.value)


# --- the import ----------------------------------------------------------------------------------


def test_fixture_rows_become_official_components(seeds):
    result = import_fixture(seeds)

    ref = hashlib.sha256(make_fixture.WORKBOOK.read_bytes()).hexdigest()[:12]
    imported = components(seeds)
    assert result.appendix_ref == ref
    assert result.rows_imported == 4
    for code in ("1.1", "1.4", "6.1", "6.2"):
        assert imported[code]["provenance"] == "official"
        assert imported[code]["appendix_ref"] == ref
    assert imported["1.4"]["scoring_rule_text"].startswith("- Bí thư Tỉnh ủy hoặc Chủ tịch Ủy ban nhân dân tỉnh: 100%")
    assert (imported["1.4"]["scoring_rule"], imported["1.4"]["max_points"]) == ("categorical", "20")
    assert imported["6.2"]["verifying_unit"] == "Văn phòng Ủy ban nhân dân tỉnh"
    assert imported["6.2"]["evidence_required"] == "Số liệu của Hệ thống thông tin giải quyết thủ tục hành chính"
    assert components(seeds, "922") == components(SHIPPED_SEEDS, "922")


def test_linked_rows_keep_the_proxy_data_mapping(seeds):
    proxies = components(SHIPPED_SEEDS)

    result = import_fixture(seeds)

    imported = components(seeds)
    assert [(link.component_code, link.proxy_code) for link in result.linked] == [("1.1", "1.1"), ("1.4", "1.4"),
                                                                                 ("6.2", "6.2")]
    for code in ("1.1", "1.4", "6.2"):
        for column in importer.DATA_MAPPING:
            assert imported[code][column] == proxies[code][column], (code, column)
    assert imported["6.2"]["value_source"] == "procedure_system"
    assert imported["6.2"]["target_value"] == "0.8"  # "đạt 80% trở lên được điểm tối đa" in the appendix
    assert [row["provenance"] for row in imported.values()].count("official") == 4


def test_row_linked_to_no_proxy_is_measured_by_the_ministry(seeds):
    result = import_fixture(seeds)

    new = components(seeds)["6.1"]
    assert result.awaiting_values == ("6.1",)
    assert (new["indicator_key"], new["value_source"], new["province_aggregation"], new["responsible_unit_type"]) == (
        "official_405_6_1", "ministry", "single", "ministry")
    assert (new["scoring_rule"], new["target_value"], new["unit_of_measure"], new["name_en"]) == (
        "ratio", "1.0", "%", "")
    assert new["data_source"] == "Bộ Khoa học và Công nghệ đo lường trên Cổng Dịch vụ công quốc gia"
    assert new["numerator_definition"].startswith("Số thủ tục hành chính của tỉnh được công khai đầy đủ")


def test_proxy_whose_code_the_appendix_takes_is_renumbered(seeds):
    result = import_fixture(seeds)

    renumbered = components(seeds)["T6.1"]
    assert result.renumbered == (("6.1", "T6.1"),)
    assert (renumbered["provenance"], renumbered["indicator_key"]) == ("provincial_proxy",
                                                                       "full_process_online_services")


def test_remaining_proxies_share_what_is_left_so_each_main_index_adds_up(seeds):
    result = import_fixture(seeds)

    imported = components(seeds)
    assert (imported["1.2"]["max_points"], imported["1.3"]["max_points"]) == ("36.92", "23.08")
    assert {change.component_code for change in result.rescaled} == {"1.2", "1.3", "T6.1", "6.3", "6.4", "6.5", "6.6"}
    totals = defaultdict(Decimal)
    for row in rows(seeds, "dti_components"):
        totals[row["framework_version"], row["main_index_code"]] += Decimal(row["max_points"])
    for main_index in rows(seeds, "dti_main_indices"):
        key = main_index["framework_version"], main_index["main_index_code"]
        assert totals[key] == Decimal(main_index["max_points"]), key


def test_bands_and_answers_are_written(seeds):
    import_fixture(seeds)

    tiers = [(row["min_value"], row["points"]) for row in rows(seeds, "dti_component_tiers")
             if (row["catalog_code"], row["component_code"]) == ("405", "1.1")]
    options = [(row["option_order"], row["option_vi"], row["option_en"], row["points_share"])
               for row in rows(seeds, "dti_component_options")
               if (row["catalog_code"], row["component_code"]) == ("405", "1.4")]
    assert tiers == [("4", "20"), ("3", "15"), ("2", "10"), ("1", "5")]
    assert options == [
        ("1", "Bí thư Tỉnh ủy hoặc Chủ tịch Ủy ban nhân dân tỉnh",
         "The provincial Party Secretary or the Chairman of the Provincial People's Committee", "1"),
        ("2", "Phó Chủ tịch Ủy ban nhân dân tỉnh", "A Vice-Chairman of the Provincial People's Committee", "0.5"),
        ("3", "Chưa thành lập Ban Chỉ đạo", "No steering committee", "0"),
    ]


def test_provisional_main_index_points_are_confirmed(seeds):
    result = import_fixture(seeds)

    main_indices = {row["main_index_code"]: row for row in rows(seeds, "dti_main_indices")
                    if row["framework_version"] == "405"}
    assert result.confirmed_main_indices == (("awareness", "100"), ("digital_government", "200"))
    assert (main_indices["awareness"]["provisional"], main_indices["digital_government"]["provisional"]) == (
        "false", "false")
    assert main_indices["digital_economy"]["provisional"] == "true"


def test_the_appendix_is_registered(seeds):
    import_fixture(seeds)

    content = make_fixture.WORKBOOK.read_bytes()
    assert rows(seeds, "dti_catalog_appendices") == [{
        "appendix_ref": hashlib.sha256(content).hexdigest()[:12], "framework_version": "405",
        "file_name": "phu_luc_405_tep_mau.xlsx", "file_sha256": hashlib.sha256(content).hexdigest(),
        "document_title": "TỆP MẪU KIỂM THỬ — không phải văn bản chính thức", "imported_at": "2026-03-02T08:30:00Z",
        "rows_imported": "4",
    }]


def test_importing_twice_writes_the_same_seeds(seeds):
    import_fixture(seeds)
    first = snapshot(seeds)

    again = import_fixture(seeds, imported_at=datetime(2026, 3, 9, tzinfo=UTC))

    second = snapshot(seeds)
    assert {name for name in first if first[name] != second[name]} == {"dti_catalog_appendices.csv"}
    assert second["dti_catalog_appendices.csv"] == first["dti_catalog_appendices.csv"].replace(
        b"2026-03-02T08:30:00Z", b"2026-03-09T00:00:00Z")
    assert again.carried_over == ("1.1", "1.4", "6.1", "6.2") and not again.rescaled and not again.renumbered


def test_csv_twin_imports_the_same_as_the_workbook(tmp_path, seeds):
    from_csv = Path(shutil.copytree(seeds, tmp_path / "csv_copy"))

    workbook_ref = import_fixture(seeds).appendix_ref
    csv_ref = import_fixture(from_csv, make_fixture.CSV_TWIN).appendix_ref

    def written(folder: Path, ref: str) -> dict[str, str]:
        return {name: (folder / f"{name}.csv").read_text(encoding="utf-8").replace(ref, "REF")
                for name in ("dti_components", "dti_component_tiers", "dti_component_options", "dti_main_indices")}

    assert written(from_csv, csv_ref) == written(seeds, workbook_ref)


def test_malformed_appendix_reports_every_bad_row_and_writes_nothing(seeds):
    before = snapshot(seeds)

    with pytest.raises(CatalogImportError) as raised:
        import_fixture(seeds, make_fixture.MALFORMED)

    reasons = problems_by_row(raised.value)
    assert set(reasons) == set(make_fixture.MALFORMED_ROWS)
    assert "before any main-index group row" in reasons[4]
    assert "add up to 110 points, more than its 100" in reasons[5]
    assert '"Điểm tối đa": "mười" is not a number' in reasons[6]
    assert '"Cách xác định và tính điểm"' in reasons[7] and "reads as no scoring rule" in reasons[7]
    assert "code 1.3 is given twice (first at row 8)" in reasons[10]
    assert all(problem.sheet == "phu_luc_405_loi" for problem in raised.value.problems)
    assert snapshot(seeds) == before  # byte for byte, and no temporary file left behind


def test_rule_that_measures_another_kind_than_its_proxy_is_refused(tmp_path, seeds):
    appendix = write_appendix(tmp_path / "sai_loai.csv", (
        ("6. Hoạt động chính quyền số (200 điểm)",),
        ("6.2", "Tỷ lệ hồ sơ nộp trực tuyến toàn trình", "50", "Có: điểm tối đa; Không: 0 điểm", "", "", ""),
    ))

    with pytest.raises(CatalogImportError) as raised:
        import_fixture(seeds, appendix)

    reason = problems_by_row(raised.value)[5]
    assert "scores a yes/no answer (boolean), but provincial proxy 6.2 (full_process_online_dossiers) measures a " \
           "rate (ratio, %)" in reason


def test_group_rows_are_checked_against_the_framework(tmp_path, seeds):
    appendix = write_appendix(tmp_path / "nhom_sai.csv", (
        ("I. NHÓM CHỈ SỐ NỀN TẢNG CHUNG",),
        ("1. Nhận thức số (120 điểm)",),
        ("1.1", "Số cuộc họp Ban Chỉ đạo chuyển đổi số của tỉnh trong năm", "20",
         "4 cuộc trở lên: 20 điểm; 3 cuộc: 15 điểm", "", "", ""),
        ("6. Đô thị thông minh (0 điểm)",),
        ("6.1", "Đề án đô thị thông minh của tỉnh được phê duyệt", "0", "Có: điểm tối đa; Không: 0 điểm", "", "", ""),
    ))

    with pytest.raises(CatalogImportError) as raised:
        import_fixture(seeds, appendix, framework="922")
    assert set(problems_by_row(raised.value)) == {5}  # "I. NHÓM …" opens a group, ignored
    assert "states 120 points, but framework 922 gives it 100" in problems_by_row(raised.value)[5]

    with pytest.raises(CatalogImportError) as raised:
        import_fixture(seeds, appendix, framework="405")
    reasons = problems_by_row(raised.value)
    assert set(reasons) == {5, 7}
    # 405's points are provisional: the appendix's would be taken, were the total still 1000.
    assert "states 120 points, which makes framework 405 add up to 1020, not its 1000" in reasons[5]
    assert "is not one of framework 405's (it is in framework 922)" in reasons[7]


def test_a_renumbered_proxy_keeps_its_bands_under_its_new_code(tmp_path, seeds):
    appendix = write_appendix(tmp_path / "an_toan.csv", (
        ("5. An toàn thông tin mạng (100 điểm)",),
        ("5.2", "Tỷ lệ hệ thống thông tin được giám sát an toàn thông tin (kiểm thử)", "30",
         "a = Số hệ thống được giám sát; b = Tổng số hệ thống; Tỷ lệ = a/b", "", "", ""),
    ))

    result = import_fixture(seeds, appendix)

    tiers = [(row["component_code"], row["min_value"], row["points"]) for row in rows(seeds, "dti_component_tiers")
             if row["catalog_code"] == "405" and row["component_code"] in ("5.2", "T5.2")]
    imported = components(seeds)
    assert result.renumbered == (("5.2", "T5.2"),)
    assert tiers == [("T5.2", "20", "30"), ("T5.2", "10", "20"), ("T5.2", "1", "10")]
    # 5.1 (70) and T5.2 (30) share the 70 points the official 5.2 leaves.
    assert (imported["5.1"]["max_points"], imported["T5.2"]["max_points"], imported["5.2"]["max_points"]) == (
        "49", "21", "30")


def test_more_official_rows_than_the_framework_has_are_refused(seeds):
    frameworks = rows(seeds, "dti_framework_versions")
    for row in frameworks:
        if row["framework_version"] == "405":
            row["official_component_count"] = "3"
    table = importer.SeedTable("dti_framework_versions", list(frameworks[0]), frameworks)
    (seeds / "dti_framework_versions.csv").write_text(table.render(), encoding="utf-8")

    with pytest.raises(CatalogImportError) as raised:
        import_fixture(seeds)

    assert "framework 405 has 3 official components" in problems_by_row(raised.value)[10]


def test_a_main_index_with_all_its_official_components_drops_its_stand_ins(tmp_path, seeds):
    smart_city = tuple(
        (f"6.{number}", f"Thành phần đô thị thông minh số {number} (kiểm thử)", "0", "Có: điểm tối đa; Không: 0 điểm",
         "", "", "")
        for number in (1, 2, 3))
    appendix = write_appendix(tmp_path / "do_thi.csv", (("6. Đô thị thông minh (0 điểm)",), *smart_city))

    result = import_fixture(seeds, appendix, framework="922")

    smart_city_rows = [row for row in components(seeds, "922").values() if row["main_index_code"] == "smart_city"]
    assert result.dropped == ("6.1",) and not result.renumbered
    assert sorted((row["component_code"], row["provenance"]) for row in smart_city_rows) == [
        ("6.1", "official"), ("6.2", "official"), ("6.3", "official")]

    too_many = write_appendix(tmp_path / "qua_nhieu.csv", (
        ("6. Đô thị thông minh (0 điểm)",), *smart_city,
        ("6.4", "Thành phần thứ tư (kiểm thử)", "0", "Có: điểm tối đa; Không: 0 điểm", "", "", "")))
    with pytest.raises(CatalogImportError) as raised:
        import_fixture(seeds, too_many, framework="922")
    assert "has 3 components in framework 922; the appendix gives it 4" in problems_by_row(raised.value)[8]


def test_cli_reports_bad_rows_and_exits_1(monkeypatch, seeds):
    from dti.cli import app

    monkeypatch.setattr(importer, "SEEDS_DIR", seeds)
    before = snapshot(seeds)

    result = CliRunner().invoke(app, ["catalog", "import", str(make_fixture.MALFORMED), "--framework", "405",
                                      "--no-refresh-manifest"])

    assert result.exit_code == 1
    assert f"{make_fixture.MALFORMED}, sheet phu_luc_405_loi, row 6: " in result.stderr
    assert "row 10" in result.stderr and "The catalog is unchanged" in result.stderr
    assert snapshot(seeds) == before


def test_cli_imports_the_fixture(monkeypatch, seeds):
    from dti.cli import app

    monkeypatch.setattr(importer, "SEEDS_DIR", seeds)

    result = CliRunner().invoke(app, ["catalog", "import", str(make_fixture.WORKBOOK), "--framework", "405",
                                      "--no-refresh-manifest"])

    assert result.exit_code == 0, result.output
    assert components(seeds)["6.1"]["provenance"] == "official"


# --- rule texts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "max_points", "expected"), [
    pytest.param("a = Số hồ sơ trực tuyến toàn trình; b = Tổng số hồ sơ; tỷ lệ = a/b", "50",
                 ScoringRule("ratio", "%", numerator="Số hồ sơ trực tuyến toàn trình", denominator="Tổng số hồ sơ"),
                 id="ratio a/b"),
    pytest.param("Tỷ lệ = A/B; đạt 80% trở lên được điểm tối đa, dưới 80% tính theo tỷ lệ", "10",
                 ScoringRule("ratio", "%", target_value=Decimal("0.8")), id="ratio with target"),
    pytest.param("Số cuộc họp trong năm:\n- 4 cuộc trở lên: 20 điểm;\n- 3 cuộc: 15 điểm;\n- 2 cuộc: 10 điểm;\n"
                 "- 1 cuộc: 5 điểm;\n- Không họp: 0 điểm.", "20",
                 ScoringRule("tiered", "count", bands=(Band(Decimal(4), Decimal(20)), Band(Decimal(3), Decimal(15)),
                                                       Band(Decimal(2), Decimal(10)), Band(Decimal(1), Decimal(5)))),
                 id="tiered counts"),
    pytest.param("Từ 80% trở lên: điểm tối đa; từ 50% đến dưới 80%: 1/2 số điểm; dưới 50%: 0 điểm", "10",
                 ScoringRule("tiered", "%", bands=(Band(Decimal("0.8"), Decimal(10)),
                                                   Band(Decimal("0.5"), Decimal(5)))),
                 id="tiered rates in shares"),
    pytest.param("Có: điểm tối đa; Không: 0 điểm", "10", ScoringRule("boolean", "yes/no"), id="boolean"),
    pytest.param("Đã ban hành: đủ điểm\nChưa ban hành: 0 điểm", "10", ScoringRule("boolean", "yes/no"),
                 id="boolean in other words"),
    pytest.param("Có / Một phần (1/2 số điểm) / Không", "40", ScoringRule("yes_partial_no", "yes/partly/no"),
                 id="yes partial no on one line"),
    pytest.param("Có: 40 điểm; Một phần: 20 điểm; Không: 0 điểm", "40", ScoringRule("yes_partial_no", "yes/partly/no"),
                 id="yes partial no in points"),
    pytest.param("Số cán bộ chuyên trách; đạt 40 người trở lên được điểm tối đa, dưới 40 người tính theo tỷ lệ", "20",
                 ScoringRule("count_capped", "count", target_value=Decimal(40)), id="count with cap"),
    pytest.param("Số lượt người được hỗ trợ; đạt 20.000 lượt trở lên được điểm tối đa", "40",
                 ScoringRule("count_capped", "count", target_value=Decimal(20000)), id="count with grouped cap"),
    pytest.param("Mỗi văn bản được ban hành được 2 điểm, tối đa 10 điểm", "10",
                 ScoringRule("count_capped", "count", target_value=Decimal(5)), id="points for each, capped"),
    pytest.param("- Bí thư Tỉnh ủy hoặc Chủ tịch UBND tỉnh: 100% số điểm;\n- Phó Chủ tịch: 1/2 số điểm;\n"
                 "- Chưa thành lập: 0 điểm", "15",
                 ScoringRule("categorical", "option", answers=(
                     Answer("Bí thư Tỉnh ủy hoặc Chủ tịch UBND tỉnh", Decimal(1)),
                     Answer("Phó Chủ tịch", Decimal("0.5")),
                     Answer("Chưa thành lập", Decimal(0)))), id="categorical in shares"),
    pytest.param("Có kế hoạch và đã triển khai: điểm tối đa; Có kế hoạch, chưa triển khai: 5 điểm; "
                 "Không có kế hoạch: 0 điểm", "15",
                 ScoringRule("categorical", "option", answers=(
                     Answer("Có kế hoạch và đã triển khai", Decimal(1)),
                     Answer("Có kế hoạch, chưa triển khai", Decimal("0.3333")),
                     Answer("Không có kế hoạch", Decimal(0)))), id="categorical in points out of the max"),
])
def test_rule_text_is_read(text, max_points, expected):
    assert parse_rule(text, Decimal(max_points)) == expected


@pytest.mark.parametrize(("text", "max_points", "reason"), [
    pytest.param("Theo đánh giá của Hội đồng thẩm định", "10", "reads as no scoring rule", id="no rule"),
    pytest.param("", "10", "is empty", id="empty"),
    pytest.param("Có: điểm tối đa; Không: một ít điểm", "10", 'cannot read what "Không: một ít điểm" earns',
                 id="unreadable share"),
    pytest.param("Có: 12 điểm; Không: 0 điểm", "10", "earns 12 points, more than the component's 10",
                 id="more than the max"),
    pytest.param("Trên 3 cuộc: 10 điểm; 1 cuộc: 5 điểm", "10", "gives no lowest value of its band",
                 id="band without a lowest value"),
    pytest.param("4 cuộc trở lên: 10 điểm; Có báo cáo: 5 điểm", "10", "is an answer among bands",
                 id="answer among bands"),
    pytest.param("Tỷ lệ = a/b; đạt 150% trở lên được điểm tối đa", "10", "out of 0–100%", id="target above 100%"),
    pytest.param("Bí thư: 1/2 số điểm; Phó Chủ tịch: 0 điểm", "10", "no answer earns the component's full points",
                 id="categorical without full points"),
])
def test_unreadable_rule_text_says_why(text, max_points, reason):
    with pytest.raises(RuleTextError, match=reason):
        parse_rule(text, Decimal(max_points))
