"""Certificate providers' files and the statistics office's file are read into one schema, and every
problem names the provider, the file, the row and the provider's own column."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from dti.demo import certificates as demo
from dti.sources import certificates, population
from dti.sources.certificates import UnreadableAgencyFile
from dti.periods import period_end
from tests.helpers import PROVINCE

LIMIT = 10_000_000
WARD_CODES = frozenset({"07210", "07228", "07246", "09169", "09187"})
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_input" / "certificates"
PERSON, COMPANY = "027190001234", "2300123456-001"


def _lines(*lines: str) -> str:
    return "".join(line + "\r\n" for line in lines)


# The same two certificates, as each provider exports them.
PROVIDER_FILES = {
    "VNPT-CA": _lines(
        "SerialNumber,SubjectName,SubjectID,SubjectType,WardCode,ValidFrom,ValidTo,CertStatus",
        f"S-1,Nguyễn Văn Hải,{PERSON},CA_NHAN,09169,2026-04-03,2028-04-02,ACTIVE",
        f"S-2,Công ty TNHH Kinh Bắc,{COMPANY},TO_CHUC,07210,2025-01-15,2026-01-14,REVOKED",
    ).encode("utf-8-sig"),
    "Viettel-CA": demo.encode_windows_1258(_lines(
        "Số serial;Họ và tên;Số CCCD;Ngày cấp;Ngày hết hạn;Mã xã/phường;Loại thuê bao;Trạng thái",
        f"S-1;Nguyễn Văn Hải;{PERSON};03-04-2026;02-04-2028;09169;Cá nhân;Đang hoạt động",
        f"S-2;Công ty TNHH Kinh Bắc;{COMPANY};15-01-2025;14-01-2026;07210;Tổ chức;Đã thu hồi",
    )),
    "BKAV-CA": _lines(
        "cert_serial,holder_name,holder_id,holder_kind,ward_code,issue_date,expiry_date,cert_status",
        f"S-1,Nguyễn Văn Hải,{PERSON},individual,09169,03/04/2026,02/04/2028,valid",
        f"S-2,Công ty TNHH Kinh Bắc,{COMPANY},enterprise,07210,15/01/2025,14/01/2026,revoked",
    ).encode("utf-8"),
    "FPT-CA": _lines(
        "Serial No\tCustomer\tID/Tax Code\tCustomer Type\tCommune Code\tStart Date\tEnd Date\tState",
        f"S-1\tNguyễn Văn Hải\t{PERSON}\tCN\t09169\t04/03/2026\t04/02/2028\t1",
        f"S-2\tCông ty TNHH Kinh Bắc\t{COMPANY}\tDN\t07210\t01/15/2025\t01/14/2026\t2",
    ).encode("utf-8"),
}
CANONICAL_ROWS = [
    {"certificate_serial": "S-1", "holder_id": PERSON, "holder_type": "personal", "nso_ward_code": "09169",
     "issued_on": date(2026, 4, 3), "expires_on": date(2028, 4, 2), "status": "active", "_row_number": 2},
    {"certificate_serial": "S-2", "holder_id": COMPANY, "holder_type": "organisation", "nso_ward_code": "07210",
     "issued_on": date(2025, 1, 15), "expires_on": date(2026, 1, 14), "status": "revoked", "_row_number": 3},
]


def _read(content: bytes, file_name: str = "register.csv") -> certificates.CertificateFile:
    return certificates.read_certificate_file(content, file_name, LIMIT, WARD_CODES)


def _vnpt(*rows: str) -> bytes:
    return _lines("SerialNumber,SubjectName,SubjectID,SubjectType,WardCode,ValidFrom,ValidTo,CertStatus",
                  *rows).encode()


def _bkav(*rows: str) -> bytes:
    return _lines("cert_serial,holder_name,holder_id,holder_kind,ward_code,issue_date,expiry_date,cert_status",
                  *rows).encode()


@pytest.mark.parametrize("provider", list(PROVIDER_FILES))
def test_each_provider_is_told_from_its_header_and_mapped_to_the_same_canonical_rows(provider):
    register = _read(PROVIDER_FILES[provider], "download.csv")
    assert register.provider == provider
    assert register.rejected == []
    assert register.rows == [{"provider": provider, **row} for row in CANONICAL_ROWS]


def test_the_holder_name_column_is_read_past():
    register = _read(PROVIDER_FILES["VNPT-CA"])
    assert all("Nguyễn" not in str(value) for row in register.rows for value in row.values())


def test_the_same_day_and_month_digits_mean_different_dates_per_provider():
    bkav = _read(_bkav(f"S-1,X,{PERSON},individual,09169,03/04/2026,03/04/2027,valid"))
    fpt = _read(PROVIDER_FILES["FPT-CA"].replace(b"04/03/2026", b"03/04/2026"))
    assert bkav.rows[0]["issued_on"] == date(2026, 4, 3)
    assert fpt.rows[0]["issued_on"] == date(2026, 3, 4)


def test_vocabularies_match_regardless_of_case_and_unknown_words_list_the_accepted_ones():
    register = _read(_vnpt(f"S-1,X,{PERSON},ca_nhan,09169,2026-04-03,2028-04-02,Active",
                           f"S-2,X,{PERSON},CA_NHAN,09169,2026-04-03,2028-04-02,SUSPENDED"))
    assert [(r["holder_type"], r["status"]) for r in register.rows] == [("personal", "active")]
    (rejected,) = register.rejected
    assert (rejected.row_number, rejected.column_name, rejected.raw_value) == (3, "CertStatus", "SUSPENDED")
    assert "(use: ACTIVE, REVOKED, EXPIRED)" in rejected.reason


def test_a_flawed_row_is_rejected_naming_provider_file_row_and_the_providers_column_in_both_languages():
    content = PROVIDER_FILES["Viettel-CA"].replace(b"07210", b"01234")
    register = _read(content, "viettel-ca_2026-Q3.csv")
    assert [r["certificate_serial"] for r in register.rows] == ["S-1"]
    (rejected,) = register.rejected
    assert (rejected.row_number, rejected.column_name, rejected.raw_value) == (3, "Mã xã/phường", "01234")
    vi, en = rejected.reason.split(" / ")
    assert vi.startswith("Viettel-CA, tệp viettel-ca_2026-Q3.csv, dòng 3, cột 'Mã xã/phường': mã xã/phường 01234")
    assert en.startswith("Viettel-CA, file viettel-ca_2026-Q3.csv, row 3, column 'Mã xã/phường': "
                         "commune/ward code 01234")


@pytest.mark.parametrize(
    ("issued", "expires", "column", "fragment"),
    [
        ("45930", "2027-01-01", "ValidFrom",
         "'45930' is an Excel day number, not a date; export the date column as text yyyy-mm-dd"),
        ("2026-02-30", "2027-01-01", "ValidFrom", "'2026-02-30' is not a valid date as yyyy-mm-dd (e.g. 2026-09-30)"),
        ("2026-05-20", "2025-05-19", "ValidTo", "the expiry date is before the issue date ('ValidFrom' = 2026-05-20)"),
        ("2026-05-20", "", "ValidTo", "the expiry date is missing"),
    ],
)
def test_bad_dates_are_rejected_with_what_to_fix(issued, expires, column, fragment):
    register = _read(_vnpt(f"S-1,X,{PERSON},CA_NHAN,09169,{issued},{expires},ACTIVE"))
    assert register.rows == []
    (rejected,) = register.rejected
    assert rejected.column_name == column
    assert fragment in rejected.reason


def test_a_malformed_citizen_id_is_rejected_without_repeating_it():
    short = PERSON[1:]  # the leading zero lost in a spreadsheet
    register = _read(_vnpt(f"S-1,X,{short},CA_NHAN,09169,2026-04-03,2028-04-02,ACTIVE"))
    (rejected,) = register.rejected
    assert (rejected.column_name, rejected.raw_value) == ("SubjectID", None)
    assert short not in rejected.reason
    assert "exactly 12 digits (the cell has 11 characters); if Excel dropped a leading zero" in rejected.reason


def test_a_tax_code_is_accepted_for_organisations_only():
    register = _read(_vnpt(f"S-1,X,{COMPANY},CA_NHAN,09169,2026-04-03,2028-04-02,ACTIVE",
                           f"S-2,X,{PERSON},TO_CHUC,09169,2026-04-03,2028-04-02,ACTIVE"))
    assert register.rows == []
    assert [(r.row_number, r.column_name, r.raw_value) for r in register.rejected] == [
        (2, "SubjectID", None), (3, "SubjectID", None)]
    assert "citizen id (CCCD) has exactly 12 digits" in register.rejected[0].reason
    assert ("a tax code is 10 digits, or 10 digits, '-' and 3 digits (the cell has 12 characters)"
            in register.rejected[1].reason)
    assert not any(identifier in r.reason for r in register.rejected for identifier in (PERSON, COMPANY))


def test_a_ward_code_that_lost_its_leading_zero_is_read_as_the_five_digit_code():
    register = _read(_bkav(f"S-1,X,{PERSON},individual,7246,03/04/2026,02/04/2028,valid"))
    assert register.rows[0]["nso_ward_code"] == "07246"


def test_row_numbers_count_the_header_and_blank_lines_and_a_ragged_row_is_rejected_whole():
    register = _read(_bkav(f"S-1,X,{PERSON},individual,09169,03/04/2026,02/04/2028,valid",
                           "",
                           f"S-2,X,{PERSON},individual,09169,03/04/2026,02/04/2028,valid,extra",
                           f"S-3,X,{PERSON},individual,09169,03/04/2026,02/04/2028,valid"))
    assert [(r["certificate_serial"], r["_row_number"]) for r in register.rows] == [("S-1", 2), ("S-3", 5)]
    (rejected,) = register.rejected
    assert (rejected.row_number, rejected.column_name, rejected.raw_value) == (4, None, None)
    assert "the row has 9 cells but the header has 8 columns" in rejected.reason


def test_a_serial_repeated_in_the_same_file_is_rejected_on_its_second_row():
    row = f"S-1,X,{PERSON},individual,09169,03/04/2026,02/04/2028,valid"
    register = _read(_bkav(row, row))
    assert [r["_row_number"] for r in register.rows] == [2]
    assert [(r.row_number, r.column_name) for r in register.rejected] == [(3, "cert_serial")]
    assert "already on row 2" in register.rejected[0].reason


@pytest.mark.parametrize(
    ("file_name", "content", "fragments"),
    [
        ("viettel-ca_wrong-header.csv", (FIXTURES / "viettel-ca_wrong-header.csv").read_bytes(),
         ["looks like Viettel-CA's export but lacks column 'Ngày hết hạn'", "thiếu cột 'Ngày hết hạn'"]),
        ("misa-ca_unknown-layout.csv", (FIXTURES / "misa-ca_unknown-layout.csv").read_bytes(),
         ["matches no known provider's export (VNPT-CA, Viettel-CA, BKAV-CA, FPT-CA)", "row 1 is 'So chung thu,"]),
        ("empty.csv", b"", ["the file is empty", "tệp rỗng"]),
        ("header-only.csv", _vnpt(), ["VNPT-CA, file header-only.csv: only a header row, no certificate row"]),
        ("binary.csv", b"SerialNumber\x81\x90\x9d\x00", ["the file's character encoding is not recognised",
                                                         "save it again as CSV UTF-8"]),
    ],
)
def test_an_unusable_file_is_refused_whole_with_a_reason_in_both_languages(file_name, content, fragments):
    with pytest.raises(UnreadableAgencyFile) as refused:
        _read(content, file_name)
    vi, en = str(refused.value).split(" / ")
    assert file_name in vi and file_name in en
    for fragment in fragments:
        assert fragment in en or fragment in vi


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded():
    with pytest.raises(UnreadableAgencyFile, match="over the 100-byte limit"):
        certificates.read_certificate_file(PROVIDER_FILES["BKAV-CA"], "bkav.csv", 100, WARD_CODES)


def test_population_counts_accept_thousands_separators_and_reject_what_is_not_a_head_count():
    content = (FIXTURES / "dan-so-tu-18-tuoi_bad-rows.csv").read_bytes()
    counts = population.read_population_file(content, "dan-so.csv", LIMIT, WARD_CODES)
    assert [(r["nso_ward_code"], r["year"], r["adult_population"], r["_row_number"]) for r in counts.rows] == [
        ("07210", 2026, 27205, 2), ("07246", 2026, 36564, 3)]
    assert counts.rows[0]["commune_name"] == "Phường Bắc Giang"
    assert [(r.row_number, r.column_name, r.raw_value) for r in counts.rejected] == [
        (4, "Mã xã/phường", "99999"), (5, "Dân số từ 18 tuổi trở lên", "khoảng 30 nghìn")]
    assert counts.rejected[1].reason.startswith("Thống kê tỉnh, tệp dan-so.csv, dòng 5")
    assert "provincial statistics office, file dan-so.csv, row 5" in counts.rejected[1].reason


def test_a_population_file_without_the_offices_columns_is_refused():
    with pytest.raises(UnreadableAgencyFile, match="lacks column 'Năm', 'Dân số từ 18 tuổi trở lên'"):
        population.read_population_file("Mã xã/phường,Tên xã/phường\r\n07210,Phường Bắc Giang\r\n".encode(),
                                        "dan-so.csv", LIMIT, WARD_CODES)


def test_windows_1258_writes_tone_marks_as_combining_marks_and_reads_back_the_same():
    text = "Số CCCD;Ngày hết hạn;Mã xã/phường;Đã thu hồi;Quỳnh"
    encoded = demo.encode_windows_1258(text)
    assert "ố".encode() not in encoded and b"\xf4\xec" in encoded  # ô, then combining acute
    assert unicodedata.normalize("NFC", encoded.decode("cp1258")) == text


SMALL_PLAN = demo.CertificateDemoPlan(period="2026-Q3", seed=11, flawed_share=0.002, ward_codes=("07210", "09169"))


def test_demo_files_are_the_same_for_the_same_plan_and_differ_by_period(tmp_path):
    first = demo.generate_certificate_files(tmp_path / "a", SMALL_PLAN, PROVINCE)
    again = demo.generate_certificate_files(tmp_path / "b", SMALL_PLAN, PROVINCE)
    later = demo.generate_certificate_files(tmp_path / "c", demo.CertificateDemoPlan(
        period="2026-Q4", seed=11, flawed_share=0.002, ward_codes=("07210", "09169")), PROVINCE)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in later]


def test_demo_files_come_in_each_providers_layout_and_encoding_with_every_kind_of_flaw(tmp_path):
    paths = demo.generate_certificate_files(tmp_path, SMALL_PLAN, PROVINCE)
    contents = {path.name: path.read_bytes() for path in paths}
    assert contents["vnpt-ca_2026-Q3.csv"].startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        contents["viettel-ca_2026-Q3.csv"].decode("utf-8")
    registers = {name: _read(content, name) for name, content in contents.items()}
    assert [(r.provider, r.encoding) for r in registers.values()] == [
        ("VNPT-CA", "utf-8-sig"), ("Viettel-CA", "cp1258"), ("BKAV-CA", "utf-8"), ("FPT-CA", "utf-8")]
    reasons = " ".join(rejected.reason for r in registers.values() for rejected in r.rejected)
    for flaw in ("is not one of the province's communes", "expiry date is before the issue date", "Excel day number"):
        assert flaw in reasons
    # Each flawed row is rejected once, and the rest of the file is read.
    for register in registers.values():
        written = len(register.rows) + len(register.rejected)
        assert len(register.rejected) == max(1, round(written * SMALL_PLAN.flawed_share))


def test_demo_adults_and_holder_rates_are_realistic_and_holders_are_counted_once(tmp_path):
    communes = {c.nso_ward_code: c for c in demo.demo_communes(SMALL_PLAN, PROVINCE)}
    counts = population.read_population_file(demo.generate_population_file(tmp_path, SMALL_PLAN, PROVINCE).read_bytes(),
                                             "dan-so.csv", LIMIT, WARD_CODES)
    assert counts.encoding == "utf-8"
    assert {r["nso_ward_code"]: r["adult_population"] for r in counts.rows} == {
        code: c.adults for code, c in communes.items()}
    end = period_end(SMALL_PLAN.period)
    holders: dict[str, set[str]] = {code: set() for code in communes}
    rows = rejected = 0
    for path in demo.generate_certificate_files(tmp_path, SMALL_PLAN, PROVINCE):
        register = _read(path.read_bytes(), path.name)
        rejected += len(register.rejected)
        for row in register.rows:
            if row["holder_type"] == "personal" and row["status"] == "active" and row["expires_on"] > end:
                holders[row["nso_ward_code"]].add(row["holder_id"])
                rows += 1
    assert rows > sum(len(ids) for ids in holders.values())  # some people hold certificates at two providers
    for code, commune in communes.items():
        assert 8_000 <= commune.adults <= 60_000
        assert 0.08 <= commune.holders / commune.adults <= 0.40
        # A flawed row may hide a holder, never add one.
        assert commune.holders - rejected <= len(holders[code]) <= commune.holders


def test_a_smaller_demo_population_scales_adults_and_holders_alike():
    full = {c.nso_ward_code: c for c in demo.demo_communes(SMALL_PLAN, PROVINCE)}
    scaled_plan = demo.CertificateDemoPlan(period=SMALL_PLAN.period, seed=SMALL_PLAN.seed,
                                           ward_codes=SMALL_PLAN.ward_codes, population_scale=0.02)
    scaled = {c.nso_ward_code: c for c in demo.demo_communes(scaled_plan, PROVINCE)}
    assert scaled.keys() == full.keys()
    for code, commune in scaled.items():
        assert commune.adults == round(full[code].adults * 0.02)
        # the holder rate is the full-size commune's, so the demo's indicator stays in its range
        assert commune.holders / commune.adults == pytest.approx(full[code].holders / full[code].adults, abs=0.02)
