"""The dossier record contract of the province's procedure system: what each field of a record
must hold, and a page's records read against it.

``FIELDS`` is the contract, in the order of the columns of raw.dossier_records. ``read_page``
decodes a page's body and checks its records a column at a time; when one breaks the contract
the page is read again record by record, and each problem comes back as a ``RejectedRow`` naming
the dossier, the field and the fix, in Vietnamese and English. Timestamps are checked to be ones
PostgreSQL reads as the instant meant, and returned as those instants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import repeat
from operator import attrgetter
from typing import Annotated, Any, Literal

import msgspec
import numpy as np

from dti.sources import RejectedRow
from dti.sources.procedure_api import InvalidPage

_NonEmptyText = Annotated[str, msgspec.Meta(min_length=1)]


@dataclass(frozen=True)
class FieldRule:
    """What a record field must hold; ``kind`` picks the checks msgspec's types cannot express."""

    type: Any
    kind: str  # 'text', 'timestamp', 'citizen_id' or 'plain'
    expected_vi: str
    expected_en: str


_TIMESTAMP_VI = "thời điểm ISO-8601 có độ lệch múi giờ (trong khoảng ±15:59), ví dụ 2026-07-01T08:00:00+07:00"
_TIMESTAMP_EN = "an ISO-8601 timestamp with a UTC offset (within ±15:59), e.g. 2026-07-01T08:00:00+07:00"
_TEXT_VI, _TEXT_EN = "chuỗi ký tự khác rỗng", "a non-empty string"

# The record contract, in the order of the columns of raw.dossier_records.
FIELDS: dict[str, FieldRule] = {
    "dossier_id": FieldRule(_NonEmptyText, "text", _TEXT_VI, _TEXT_EN),
    "procedure_code": FieldRule(_NonEmptyText, "text", _TEXT_VI, _TEXT_EN),
    "unit_code": FieldRule(_NonEmptyText, "text", _TEXT_VI, _TEXT_EN),
    "filed_at": FieldRule(str, "timestamp", _TIMESTAMP_VI, _TIMESTAMP_EN),
    "channel": FieldRule(Literal["online", "offline"], "plain", '"online" hoặc "offline"', '"online" or "offline"'),
    "full_process": FieldRule(bool, "plain", "giá trị logic true hoặc false", "a boolean, true or false"),
    "status": FieldRule(Literal["received", "processing", "completed", "rejected"], "plain",
                        '"received", "processing", "completed" hoặc "rejected"',
                        '"received", "processing", "completed" or "rejected"'),
    "returned_at": FieldRule(str | None, "timestamp", _TIMESTAMP_VI + ", hoặc null", _TIMESTAMP_EN + ", or null"),
    "citizen_id": FieldRule(str, "citizen_id", "số căn cước công dân (CCCD) gồm 12 chữ số",
                            "a 12-digit citizen id number (CCCD)"),
    "updated_at": FieldRule(str, "timestamp", _TIMESTAMP_VI, _TIMESTAMP_EN),
}
TEXT_FIELDS = tuple(name for name, rule in FIELDS.items() if rule.kind == "text")
TIMESTAMP_FIELDS = tuple(name for name, rule in FIELDS.items() if rule.kind == "timestamp")

# Extended ISO-8601 with an offset: PostgreSQL reads it as the same instant whatever its time zone
# (and refuses an offset of 60 minutes or more, which Python reads as the next hour).
_TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:[0-5]\d)"
_CITIZEN_ID = r"\d{12}"
# Whole columns are checked at once, joined by newlines, so the regex engine does the loop.
_CITIZEN_ID_LINES = re.compile(f"(?:{_CITIZEN_ID}\n)*", re.ASCII)
_OFFSET_LIMIT = timedelta(hours=16)
# The shape the API writes, 2026-07-01T08:00:00+07:00, one per line: read a column at a time
# with numpy. ``_USUAL_PARTS`` says where the digits of year, month, day, hours, minutes,
# seconds and the offset's hours and minutes are.
_USUAL_TIMESTAMP = np.frombuffer(b"0000-00-00T00:00:00+00:00\n", np.uint8)
_USUAL_DIGIT_AT = np.flatnonzero(ord("0") == _USUAL_TIMESTAMP)
_USUAL_SEPARATOR_AT = np.setdiff1d(np.flatnonzero(ord("0") != _USUAL_TIMESTAMP), [19])
_USUAL_PARTS = ((0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19), (20, 22), (23, 25))
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

# Records hold strings, booleans and None only, so they can stay out of the garbage collector's
# sight: a page of them would otherwise set off collections that cost more than the decoding.
DossierRecord = msgspec.defstruct("DossierRecord", [(name, rule.type) for name, rule in FIELDS.items()], gc=False)


class _TypedPage(msgspec.Struct):
    data: list[DossierRecord]
    next_cursor: str | None


class _AnyPage(msgspec.Struct):
    data: list[Any]
    next_cursor: str | None


_TYPED_PAGE = msgspec.json.Decoder(_TypedPage)
_ANY_PAGE = msgspec.json.Decoder(_AnyPage)


@dataclass(frozen=True)
class DossierPage:
    """A page's records, read and checked.

    ``columns`` holds the valid records, one list per field of ``FIELDS`` in page order, and
    ``row_numbers`` their positions in the page (1 for the first record). ``instants`` holds the
    valid records' timestamps as the instants they stand for, per field of ``TIMESTAMP_FIELDS``:
    numpy ``datetime64[us]`` in UTC, NaT for a null. ``latest_update`` is the latest sound
    ``updated_at`` of the page, rejected records included.
    """

    records_received: int
    columns: dict[str, list]
    row_numbers: list[int] | range
    rejected: list[RejectedRow] = field(default_factory=list)
    latest_update: datetime | None = None
    instants: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def records_rejected(self) -> int:
        return len({row.row_number for row in self.rejected})


def read_page(content: bytes, request: str) -> DossierPage:
    """Read a page's bytes: the records that keep the contract, and a RejectedRow for each
    problem of the others. Raise InvalidPage when the bytes are not a page at all."""
    try:
        page = _TYPED_PAGE.decode(content)
    except msgspec.ValidationError:
        return _read_page_record_by_record(content, request)
    except msgspec.DecodeError as error:
        raise InvalidPage(f"GET {request}: the body is not a whole JSON page ({error})") from error
    columns = {name: list(map(attrgetter(name), page.data)) for name in FIELDS}
    instants = _checked_instants(columns)
    if instants is None:
        return _read_page_record_by_record(content, request)
    return DossierPage(len(page.data), columns, range(1, len(page.data) + 1), [],
                       _latest(columns["updated_at"], instants["updated_at"]), instants)


def _checked_instants(columns: dict[str, list]) -> dict[str, np.ndarray] | None:
    """Check, a column at a time, what the decoder's types leave open, and return the timestamps'
    instants. None when a record fails: the page is then read record by record, for the reasons."""
    if any("\x00" in "".join(columns[name]) for name in TEXT_FIELDS):
        return None
    if not _all_lines_match(_CITIZEN_ID_LINES, columns["citizen_id"]):
        return None
    if (True, "offline") in set(zip(columns["full_process"], columns["channel"], strict=True)):
        return None
    instants = {}
    for name in TIMESTAMP_FIELDS:
        instants[name] = timestamp_instants(columns[name])
        if instants[name] is None:
            return None
    return instants


def timestamp_instants(values: list[str | None]) -> np.ndarray | None:
    """The instants ``values`` stand for, as numpy ``datetime64[us]`` in UTC (NaT for None), or
    None when one of them is not a timestamp PostgreSQL reads as the instant meant."""
    nulls = np.array([value is None for value in values], bool) if None in values else None
    present = values if nulls is None else [value for value in values if value is not None]
    instants = _usual_instants(present)
    if instants is None:
        instants = _instants_one_by_one(present)
        if instants is None:
            return None
    if nulls is None:
        return instants
    with_nulls = np.full(len(values), np.datetime64("NaT"), "datetime64[us]")
    with_nulls[~nulls] = instants
    return with_nulls


def _usual_instants(values: list[str]) -> np.ndarray | None:
    """The instants of timestamps all in the API's usual shape, within the ranges of a calendar
    date, a time of day and an offset PostgreSQL accepts; None otherwise, and the values are
    then read one by one (other shapes, or for a verdict on each)."""
    lines = np.frombuffer(("\n".join(values) + "\n").encode(), np.uint8)
    if lines.size != len(values) * _USUAL_TIMESTAMP.size:
        return None
    lines = lines.reshape(len(values), _USUAL_TIMESTAMP.size)
    digits = lines - np.uint8(ord("0"))  # wraps around below '0'
    sign = lines[:, 19]
    if not ((digits[:, _USUAL_DIGIT_AT] <= 9).all()
            and (lines[:, _USUAL_SEPARATOR_AT] == _USUAL_TIMESTAMP[_USUAL_SEPARATOR_AT]).all()
            and ((sign == ord("+")) | (sign == ord("-"))).all()):
        return None
    year, month, day, hours, minutes, seconds, offset_hours, offset_minutes = map(_number, _USUAL_PARTS, repeat(digits))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    if not ((year >= 1).all() and ((month >= 1) & (month <= 12)).all() and (day >= 1).all()
            and (day <= _DAYS_IN_MONTH[month] + (leap & (month == 2))).all()  # a 31 June passes the shape
            and (hours <= 23).all() and (minutes <= 59).all() and (seconds <= 59).all()
            # Python reads offsets up to ±23:59; PostgreSQL refuses those beyond ±15:59.
            and (offset_hours <= 15).all() and (offset_minutes <= 59).all()):
        return None
    dates = ((year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)).astype("datetime64[D]") \
        + (day - 1)
    offset = np.where(sign == ord("-"), -1, 1) * (offset_hours * 60 + offset_minutes) * 60
    return dates.astype("datetime64[us]") + ((hours * 60 + minutes) * 60 + seconds - offset) * 1_000_000


def _number(at: tuple[int, int], digits: np.ndarray) -> np.ndarray:
    """The number written with the digits in columns ``at[0]`` to ``at[1]`` (excluded)."""
    start, end = at
    number = digits[:, start].astype(np.int64)
    for column in range(start + 1, end):
        number = number * 10 + digits[:, column]
    return number


def _instants_one_by_one(values: list[str]) -> np.ndarray | None:
    local_times, offsets = [], []
    for value in values:
        if re.fullmatch(_TIMESTAMP, value, re.ASCII) is None:
            return None
        try:
            moment = datetime.fromisoformat(value)  # a 31 June passes the pattern
        except ValueError:
            return None
        # Python reads offsets up to ±23:59; PostgreSQL refuses those beyond ±15:59.
        if abs(moment.utcoffset()) >= _OFFSET_LIMIT:
            return None
        local_times.append(moment.replace(tzinfo=None))
        offsets.append(moment.utcoffset())
    # In numpy, whose years do not stop at 1 as Python's do: 0001-01-01T00:00+07:00 is a valid instant.
    return np.array(local_times, "datetime64[us]") - np.array(offsets, "timedelta64[us]")


def _latest(updated_at: list[str], instants: np.ndarray) -> datetime | None:
    """The latest of checked ``updated_at`` timestamps, as written."""
    return datetime.fromisoformat(updated_at[int(instants.argmax())]) if updated_at else None


def _all_lines_match(lines_pattern: re.Pattern, values: list[str]) -> bool:
    text = "\n".join(values) + "\n"
    # Counting newlines keeps a value with a newline of its own from passing as two lines.
    return not values or (text.count("\n") == len(values) and lines_pattern.fullmatch(text) is not None)


def _read_page_record_by_record(content: bytes, request: str) -> DossierPage:
    try:
        page = _ANY_PAGE.decode(content)
    except msgspec.DecodeError as error:
        raise InvalidPage(f"GET {request}: the body is not a page of dossiers ({error})") from error
    columns: dict[str, list] = {name: [] for name in FIELDS}
    row_numbers: list[int] = []
    rejected: list[RejectedRow] = []
    # A rejected record counts for the watermark when its updated_at is sound, so that the next
    # sync does not bring it back unchanged.
    updates: list[str] = []
    for row_number, record in enumerate(page.data, start=1):
        if isinstance(record, dict) and _field_ok("updated_at", record.get("updated_at")):
            updates.append(record["updated_at"])
        problems = record_problems(record, row_number)
        if problems:
            rejected.extend(problems)
            continue
        row_numbers.append(row_number)
        for name in FIELDS:
            columns[name].append(record[name])
    instants = {name: timestamp_instants(columns[name]) for name in TIMESTAMP_FIELDS}
    return DossierPage(len(page.data), columns, row_numbers, rejected, _latest(updates, timestamp_instants(updates)),
                       instants)


def record_problems(record: Any, row_number: int) -> list[RejectedRow]:
    """Every way one record breaks the contract, each as a RejectedRow whose reason, in
    Vietnamese and English, names the dossier, the field and what is wrong."""
    if not isinstance(record, dict):
        return [RejectedRow(row_number, None, _excerpt(record),
                            f"Bản ghi ở vị trí {row_number} của trang không phải là một đối tượng JSON, "
                            f"nhận được {_json_kind(record)[0]} / The record at position {row_number} of the page "
                            f"is not a JSON object, got {_json_kind(record)[1]}")]
    dossier_id = record.get("dossier_id")
    if _field_ok("dossier_id", dossier_id):
        vi_label, en_label = f"Hồ sơ {dossier_id}", f"Dossier {dossier_id}"
    else:
        vi_label = f"Hồ sơ ở vị trí {row_number} của trang"
        en_label = f"Dossier at position {row_number} of the page"
    problems = []
    for name, rule in FIELDS.items():
        if name not in record:
            problems.append(RejectedRow(row_number, name, None, f'{vi_label}: thiếu trường "{name}" / '
                                                                f'{en_label}: field "{name}" is missing'))
        elif not _field_ok(name, record[name]):
            value = record[name]
            # A citizen's id is personal data: it is named by its kind, never written down.
            shown = rule.kind != "citizen_id"
            got_vi, got_en = _json_kind(value, with_value=shown)
            problems.append(RejectedRow(
                row_number, name, _excerpt(value) if shown else None,
                f'{vi_label}: trường "{name}" phải là {rule.expected_vi}, nhận được {got_vi} / '
                f'{en_label}: field "{name}" must be {rule.expected_en}, got {got_en}'))
    if record.get("full_process") is True and record.get("channel") == "offline":
        problems.append(RejectedRow(
            row_number, "full_process", "true",
            f'{vi_label}: "full_process" là true nhưng kênh nộp là "offline" (chỉ hồ sơ nộp trực tuyến mới có '
            f'thể là toàn trình) / {en_label}: "full_process" is true but the channel is "offline" (only a dossier '
            'filed online can be full-process)'))
    return problems


def _field_ok(name: str, value: Any) -> bool:
    rule = FIELDS[name]
    try:
        msgspec.convert(value, rule.type)
    except msgspec.ValidationError:
        return False
    if rule.kind == "text":
        return "\x00" not in value
    if rule.kind == "citizen_id":
        return re.fullmatch(_CITIZEN_ID, value, re.ASCII) is not None
    if rule.kind == "timestamp":
        return timestamp_instants([value]) is not None
    return True


_JSON_KINDS = {str: ("chuỗi", "string"), bool: ("giá trị logic", "boolean"), int: ("số", "number"),
               float: ("số", "number"), dict: ("đối tượng", "object"), list: ("mảng", "array")}


def _json_kind(value: Any, with_value: bool = True) -> tuple[str, str]:
    if value is None:
        return "null", "null"
    vi, en = _JSON_KINDS[type(value)]
    if not with_value or isinstance(value, (dict, list)):
        return vi, en
    shown = _excerpt(value)
    return f"{vi} {shown}", f"{en} {shown}"


def _excerpt(value: Any, limit: int = 60) -> str:
    text = msgspec.json.encode(value).decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"
