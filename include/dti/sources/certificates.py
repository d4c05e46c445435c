"""Digital-signature certificate files from the licensed providers (certificate authorities).

Each provider exports its register in its own layout: delimiter, header names, date format, the
words it uses for a holder type or a certificate status, and its own text encoding. One
declarative ``ProviderLayout`` per provider maps that layout to one canonical schema, so adding a
provider is adding a layout to ``PROVIDERS``.

The provider is told from the header row, not from the file name: file names are chosen by whoever
saves the download, the header row is the provider's own export.

Every problem is reported with the provider, the file, the row (header = 1), the provider's own
column name and what to fix, in Vietnamese and English. The holder's citizen id (CCCD) is personal
data: it is never repeated in a reason nor kept as a rejected value.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from dti.sources import RejectedRow
from dti.text_encodings import UnrecognisedEncoding, decode_text

SOURCE_NAME = "certificate_provider"
FIELDS = ("certificate_serial", "holder_id", "holder_type", "nso_ward_code", "issued_on", "expires_on", "status")

# What each canonical field is called in a reason, (Vietnamese, English).
FIELD_LABELS = {
    "certificate_serial": ("số serial", "serial number"),
    "holder_id": ("số định danh của chủ thuê bao", "holder's identifier"),
    "holder_type": ("loại thuê bao", "holder type"),
    "nso_ward_code": ("mã xã/phường", "commune/ward code"),
    "issued_on": ("ngày cấp", "issue date"),
    "expires_on": ("ngày hết hạn", "expiry date"),
    "status": ("trạng thái", "status"),
}
CITIZEN_ID = re.compile(r"[0-9]{12}")
# Mã số thuế: 10 digits, or 13 with a branch suffix (0101234567-001).
TAX_CODE = re.compile(r"[0-9]{10}(-[0-9]{3})?")
WARD_CODE = re.compile(r"[0-9]{1,5}")
# A date cell that went through Excel and came out as its day number (46000 = 2025-12-09).
EXCEL_DAY_NUMBER = re.compile(r"[0-9]{5}(\.[0-9]+)?")


@dataclass(frozen=True)
class ProviderLayout:
    """How one provider writes its export, and how that maps to the canonical fields."""

    name: str
    delimiter: str
    # The provider's header -> canonical field, in the provider's column order. None marks a
    # column read past: the holder's name is personal data the index does not need.
    columns: Mapping[str, str | None]
    date_format: str
    holder_types: Mapping[str, str]
    statuses: Mapping[str, str]

    @property
    def headers(self) -> tuple[str, ...]:
        """The columns a file must have to be read as this provider's."""
        return tuple(header for header, name in self.columns.items() if name)

    def header_of(self, canonical: str) -> str:
        return next(header for header, name in self.columns.items() if name == canonical)


VNPT_CA = ProviderLayout(
    name="VNPT-CA",
    delimiter=",",
    columns={
        "SerialNumber": "certificate_serial", "SubjectName": None, "SubjectID": "holder_id",
        "SubjectType": "holder_type", "WardCode": "nso_ward_code", "ValidFrom": "issued_on",
        "ValidTo": "expires_on", "CertStatus": "status",
    },
    date_format="%Y-%m-%d",
    holder_types={"CA_NHAN": "personal", "TO_CHUC": "organisation"},
    statuses={"ACTIVE": "active", "REVOKED": "revoked", "EXPIRED": "expired"},
)
VIETTEL_CA = ProviderLayout(
    name="Viettel-CA",
    delimiter=";",
    columns={
        "Số serial": "certificate_serial", "Họ và tên": None, "Số CCCD": "holder_id",
        "Ngày cấp": "issued_on", "Ngày hết hạn": "expires_on", "Mã xã/phường": "nso_ward_code",
        "Loại thuê bao": "holder_type", "Trạng thái": "status",
    },
    date_format="%d-%m-%Y",
    holder_types={"Cá nhân": "personal", "Tổ chức": "organisation"},
    statuses={"Đang hoạt động": "active", "Đã thu hồi": "revoked", "Hết hạn": "expired"},
)
BKAV_CA = ProviderLayout(
    name="BKAV-CA",
    delimiter=",",
    columns={
        "cert_serial": "certificate_serial", "holder_name": None, "holder_id": "holder_id",
        "holder_kind": "holder_type", "ward_code": "nso_ward_code", "issue_date": "issued_on",
        "expiry_date": "expires_on", "cert_status": "status",
    },
    date_format="%d/%m/%Y",
    holder_types={"individual": "personal", "enterprise": "organisation"},
    statuses={"valid": "active", "revoked": "revoked", "expired": "expired"},
)
# Exported from an English-locale system: month first, so 03/04/2026 is 4 March here and
# 3 April in a BKAV-CA file. Holder types are cá nhân / doanh nghiệp; states are codes.
FPT_CA = ProviderLayout(
    name="FPT-CA",
    delimiter="\t",
    columns={
        "Serial No": "certificate_serial", "Customer": None, "ID/Tax Code": "holder_id",
        "Customer Type": "holder_type", "Commune Code": "nso_ward_code", "Start Date": "issued_on",
        "End Date": "expires_on", "State": "status",
    },
    date_format="%m/%d/%Y",
    holder_types={"CN": "personal", "DN": "organisation"},
    statuses={"1": "active", "2": "revoked", "3": "expired"},
)
PROVIDERS = (VNPT_CA, VIETTEL_CA, BKAV_CA, FPT_CA)


class UnreadableAgencyFile(Exception):
    """The whole file cannot be used; the message says, in Vietnamese and English, what to fix."""


@dataclass
class CertificateFile:
    provider: str
    encoding: str
    rows: list[dict] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


def read_certificate_file(content: bytes, file_name: str, max_bytes: int,
                          ward_codes: Collection[str]) -> CertificateFile:
    """Read one provider file into canonical rows; raise UnreadableAgencyFile when no row can be trusted.

    ``ward_codes`` are the province's commune and ward codes: a certificate elsewhere is refused.
    """
    text, encoding = decode_agency_text(content, file_name, max_bytes)
    layout = detect_provider(text.partition("\n")[0].rstrip("\r"), file_name)
    header, records = delimited_records(text, layout.delimiter, file_name)
    position = {name: header.index(column) for column, name in layout.columns.items() if name}
    result = CertificateFile(provider=layout.name, encoding=encoding)
    first_row_of_serial: dict[str, int] = {}
    for row_number, cells in records:
        problems = RowProblems(layout.name, layout.name, file_name, row_number)
        if problems.check_width(cells, header):
            record = _parse_certificate(layout, cells, position, ward_codes, problems)
            serial = record["certificate_serial"]
            if serial in first_row_of_serial:
                problems.add(layout.header_of("certificate_serial"), serial,
                             f"số serial đã có ở dòng {first_row_of_serial[serial]}; bỏ dòng trùng",
                             f"the serial number is already on row {first_row_of_serial[serial]}; remove the duplicate")
            elif not problems.items:
                first_row_of_serial[serial] = row_number
        if problems.items:
            result.rejected.extend(problems.items)
        else:
            result.rows.append({"provider": layout.name, **record, "_row_number": row_number})
    if not result.rows and not result.rejected:
        raise UnreadableAgencyFile(file_reason(
            file_name, "chỉ có dòng tiêu đề, không có dòng chứng thư số nào", "only a header row, no certificate row",
            source=layout.name))
    return result


def detect_provider(header_line: str, file_name: str) -> ProviderLayout:
    """The provider whose header row this is; the reason names the nearest layout when none fits."""
    split = {layout.name: _cells(header_line, layout.delimiter) for layout in PROVIDERS}
    for layout in PROVIDERS:
        if set(layout.headers) <= set(split[layout.name]):
            return layout
    nearest = max(PROVIDERS, key=lambda layout: len(set(layout.headers) & set(split[layout.name])))
    found = split[nearest.name]
    missing = [header for header in nearest.headers if header not in found]
    if len(missing) <= len(nearest.headers) // 2:
        listed = ", ".join(f"'{header}'" for header in missing)
        raise UnreadableAgencyFile(file_reason(
            file_name,
            f"dòng tiêu đề giống mẫu xuất của {nearest.name} nhưng thiếu cột {listed}; xin {nearest.name} "
            f"gửi lại tệp xuất nguyên mẫu, không sửa dòng tiêu đề",
            f"the header row looks like {nearest.name}'s export but lacks column {listed}; ask {nearest.name} "
            f"for its standard export, with the header row unchanged"))
    known = ", ".join(layout.name for layout in PROVIDERS)
    shown = header_line[:200]
    raise UnreadableAgencyFile(file_reason(
        file_name,
        f"dòng tiêu đề không khớp mẫu xuất của nhà cung cấp nào đã biết ({known}); dòng 1 là '{shown}'; "
        f"gửi tệp xuất nguyên mẫu của nhà cung cấp, hoặc bổ sung mẫu của nhà cung cấp mới",
        f"the header row matches no known provider's export ({known}); row 1 is '{shown}'; send the "
        f"provider's standard export unchanged, or add the new provider's layout"))


def decode_agency_text(content: bytes, file_name: str, max_bytes: int) -> tuple[str, str]:
    """The file's text and the encoding it was found in; whole-file problems raise UnreadableAgencyFile."""
    if len(content) > max_bytes:
        raise UnreadableAgencyFile(file_reason(
            file_name, f"{len(content)} byte vượt giới hạn {max_bytes} byte; chia tệp theo tháng hoặc theo xã",
            f"{len(content)} bytes is over the {max_bytes}-byte limit; split the file by month or by commune"))
    if not content.strip():
        raise UnreadableAgencyFile(file_reason(
            file_name, "tệp rỗng; gửi lại tệp xuất đầy đủ", "the file is empty; send the full export again"))
    try:
        return decode_text(content, file_name)
    except UnrecognisedEncoding as error:
        raise UnreadableAgencyFile(str(error)) from error


def delimited_records(text: str, delimiter: str, file_name: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row, and the non-blank rows after it as (row number in the file, stripped cells)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)

    def records() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    # line_num is the physical line the row ends on, as an editor numbers it.
                    yield reader.line_num, [cell.strip() for cell in cells]
        except csv.Error as error:
            raise UnreadableAgencyFile(file_reason(
                file_name, f"dòng {reader.line_num} không đúng định dạng CSV ({error}); kiểm tra dấu ngoặc kép",
                f"row {reader.line_num} is not valid CSV ({error}); check the quotes")) from error

    return [cell.strip() for cell in next(reader, [])], records()


class RowProblems:
    """Collects the problems of one row, each as a RejectedRow with a reason naming where and what to fix."""

    def __init__(self, source_vi: str, source_en: str, file_name: str, row_number: int):
        self.source_vi, self.source_en = source_vi, source_en
        self.file_name = file_name
        self.row_number = row_number
        self.items: list[RejectedRow] = []

    def add(self, column: str | None, raw_value: str | None, vi: str, en: str) -> None:
        at_column_vi = f", cột '{column}'" if column else ""
        at_column_en = f", column '{column}'" if column else ""
        reason = (f"{self.source_vi}, tệp {self.file_name}, dòng {self.row_number}{at_column_vi}: {vi} / "
                  f"{self.source_en}, file {self.file_name}, row {self.row_number}{at_column_en}: {en}")
        self.items.append(RejectedRow(self.row_number, column, raw_value, reason))

    def check_width(self, cells: list[str], header: list[str]) -> bool:
        """A row with more or fewer cells than the header cannot be matched to its columns."""
        if len(cells) == len(header):
            return True
        # No raw value: the row's cells may hold a citizen id.
        self.add(None, None,
                 f"dòng có {len(cells)} ô nhưng tiêu đề có {len(header)} cột; kiểm tra dấu phân cách thừa hoặc thiếu",
                 f"the row has {len(cells)} cells but the header has {len(header)} columns; check for a stray or "
                 f"missing delimiter")
        return False


def file_reason(file_name: str, vi: str, en: str, source: str | None = None) -> str:
    where = f"{source}, " if source else ""
    return f"{where}tệp {file_name}: {vi} / {where}file {file_name}: {en}"


def parse_ward_code(value: str, ward_codes: Collection[str]) -> tuple[str | None, tuple[str, str] | None]:
    """The five-digit statistics-office code of a commune or ward of the province, or (vi, en) of what is wrong."""
    if not WARD_CODE.fullmatch(value):
        return None, (f"'{value}' không phải mã xã/phường 5 chữ số của cơ quan thống kê",
                      f"'{value}' is not a five-digit statistics-office commune/ward code")
    # Spreadsheets drop the leading zero of a code such as 07210; the code always has five digits.
    code = value.zfill(5)
    if code not in ward_codes:
        return None, (f"mã xã/phường {code} không thuộc danh sách xã, phường của tỉnh; sửa theo mã sau sắp xếp "
                      f"đơn vị hành chính (từ 1/7/2025)",
                      f"commune/ward code {code} is not one of the province's communes and wards; use the code "
                      f"after the 2025 reorganisation of administrative units")
    return code, None


def _parse_certificate(layout: ProviderLayout, cells: list[str], position: dict[str, int],
                       ward_codes: Collection[str], problems: RowProblems) -> dict:
    raw = {name: cells[index] for name, index in position.items()}
    record: dict = dict.fromkeys(FIELDS)

    def reject(name: str, vi: str, en: str, *, withhold: bool = False) -> None:
        problems.add(layout.header_of(name), None if withhold else raw[name], vi, en)

    for name in FIELDS:
        if not raw[name]:
            label_vi, label_en = FIELD_LABELS[name]
            reject(name, f"thiếu {label_vi}", f"the {label_en} is missing")
    record["certificate_serial"] = raw["certificate_serial"] or None
    if raw["holder_type"]:
        record["holder_type"] = _in_vocabulary(layout.holder_types, raw["holder_type"])
        if record["holder_type"] is None:
            accepted = ", ".join(layout.holder_types)
            reject("holder_type",
                   f"'{raw['holder_type']}' không phải loại thuê bao của {layout.name} (dùng: {accepted})",
                   f"'{raw['holder_type']}' is not a {layout.name} holder type (use: {accepted})")
    if raw["holder_id"] and record["holder_type"]:
        record["holder_id"] = _holder_id(raw["holder_id"], record["holder_type"], reject)
    if raw["nso_ward_code"]:
        record["nso_ward_code"], problem = parse_ward_code(raw["nso_ward_code"], ward_codes)
        if problem:
            reject("nso_ward_code", *problem)
    for name in ("issued_on", "expires_on"):
        if raw[name]:
            record[name] = _date(raw[name], layout.date_format, name, reject)
    if record["issued_on"] and record["expires_on"] and record["expires_on"] < record["issued_on"]:
        issued = layout.header_of("issued_on")
        reject("expires_on", f"ngày hết hạn trước ngày cấp ('{issued}' = {raw['issued_on']}); kiểm tra lại hai ngày",
               f"the expiry date is before the issue date ('{issued}' = {raw['issued_on']}); check both dates")
    if raw["status"]:
        record["status"] = _in_vocabulary(layout.statuses, raw["status"])
        if record["status"] is None:
            accepted = ", ".join(layout.statuses)
            reject("status", f"'{raw['status']}' không phải trạng thái của {layout.name} (dùng: {accepted})",
                   f"'{raw['status']}' is not a {layout.name} status (use: {accepted})")
    return record


def _holder_id(value: str, holder_type: str, reject: Callable[..., None]) -> str | None:
    if holder_type == "personal" and not CITIZEN_ID.fullmatch(value):
        reject("holder_id",
               f"số CCCD phải có đúng 12 chữ số (ô có {len(value)} ký tự); nếu Excel đã bỏ số 0 ở đầu, "
               f"xuất cột này dạng văn bản",
               f"a citizen id (CCCD) has exactly 12 digits (the cell has {len(value)} characters); if Excel dropped "
               f"a leading zero, export the column as text", withhold=True)
        return None
    # Withheld as well: a citizen id in an organisation's row is still a citizen id.
    if holder_type == "organisation" and not TAX_CODE.fullmatch(value):
        reject("holder_id",
               f"mã số thuế phải có 10 chữ số, hoặc 10 chữ số, '-' và 3 chữ số (ô có {len(value)} ký tự); kiểm tra "
               f"cả loại thuê bao",
               f"a tax code is 10 digits, or 10 digits, '-' and 3 digits (the cell has {len(value)} characters); check "
               f"the holder type too", withhold=True)
        return None
    return value


def _date(value: str, date_format: str, name: str, reject: Callable[..., None]) -> date | None:
    try:
        return _strptime(value, date_format)
    except ValueError:
        pass
    shown = date_format.replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy")
    example = date(2026, 9, 30).strftime(date_format)
    if EXCEL_DAY_NUMBER.fullmatch(value):
        reject(name, f"'{value}' là số ngày kiểu Excel, không phải ngày; "
                     f"xuất cột ngày dạng văn bản {shown} (ví dụ {example})",
               f"'{value}' is an Excel day number, not a date; export the date column as text {shown} (e.g. {example})")
    else:
        reject(name, f"'{value}' không phải ngày hợp lệ dạng {shown} (ví dụ {example})",
               f"'{value}' is not a valid date as {shown} (e.g. {example})")
    return None


# Registers repeat the same few thousand dates; parsing each distinct one once keeps large files quick.
@lru_cache(maxsize=16384)
def _strptime(value: str, date_format: str) -> date:
    return datetime.strptime(value, date_format).date()


def _in_vocabulary(vocabulary: Mapping[str, str], value: str) -> str | None:
    folded = value.casefold()
    return next((canonical for spelling, canonical in vocabulary.items() if spelling.casefold() == folded), None)


def _cells(header_line: str, delimiter: str) -> list[str]:
    return [cell.strip() for cell in next(csv.reader([header_line], delimiter=delimiter), [])]
