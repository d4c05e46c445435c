"""Dossier records (hồ sơ) of the province's administrative-procedure system (hệ thống thông tin
giải quyết thủ tục hành chính), read from its JSON API.

The API serves ``GET /api/v1/dossiers?updated_since=<ISO>&cursor=<opaque>&limit=<n>`` with a
bearer token and answers ``{"data": [...], "next_cursor": "..." | null}``, ordered by
(``updated_at``, ``dossier_id``). A sync asks for everything updated since its watermark and
follows ``next_cursor`` to the end. Faults of the transport (5xx, timeouts, a body that is not a
whole JSON page) are retried with exponential backoff and never reach landing; a record that
breaks the contract is returned as a ``RejectedRow`` naming the dossier, the field and the fix.

The base URL and the token come from the Airflow connection the DAG reads; this module knows
nothing of Airflow.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import repeat
from operator import attrgetter
from typing import Annotated, Any, Literal

import httpx
import msgspec
import numpy as np
from tenacity import RetryError, Retrying, before_sleep_log, retry_if_exception, stop_after_attempt, wait_exponential

from dti.sources import RejectedRow

log = logging.getLogger(__name__)

SOURCE_NAME = "procedure_api"
DOSSIERS_PATH = "/api/v1/dossiers"
# A server that keeps answering with the page before the one asked for would never let a sync end.
MAX_REPEATED_PAGES = 3

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
_USUAL_DIGIT_AT = np.flatnonzero(_USUAL_TIMESTAMP == ord("0"))
_USUAL_SEPARATOR_AT = np.setdiff1d(np.flatnonzero(_USUAL_TIMESTAMP != ord("0")), [19])
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


class _PageFrame(msgspec.Struct):
    data: msgspec.Raw
    next_cursor: str | None


_TYPED_PAGE = msgspec.json.Decoder(_TypedPage)
_ANY_PAGE = msgspec.json.Decoder(_AnyPage)
_PAGE_FRAME = msgspec.json.Decoder(_PageFrame)


class ProcedureApiError(Exception):
    """The API could not be read; the message says what was asked, what came back and what to check."""


class InvalidPage(ProcedureApiError):
    """The body is not a whole page of the contract (cut short, not JSON, no ``data`` list):
    a fault of the transport, retried like a 5xx and never landed."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_wait_seconds: float = 1.0
    max_wait_seconds: float = 30.0


@dataclass(frozen=True)
class ReceivedPage:
    """A whole page as the API sent it: the request, the body (landing archives it) and the
    cursor of the next page. Its records are read and checked by ``read_page``."""

    request: str
    content: bytes
    next_cursor: str | None

    @classmethod
    def of(cls, content: bytes, request: str) -> ReceivedPage:
        """Only the frame is read here, which is cheap; raise InvalidPage when the body is cut
        short, is not JSON or has no ``data`` list."""
        try:
            frame = _PAGE_FRAME.decode(content)
        except msgspec.DecodeError as error:
            raise InvalidPage(f"GET {request}: the body is not a whole JSON page ({error})") from error
        if memoryview(frame.data)[:1] != b"[":
            raise InvalidPage(f"GET {request}: the body's data is not a list of dossiers")
        return cls(request, content, frame.next_cursor)


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


def open_client(base_url: str, token: str, *, timeout_seconds: float = 30.0) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout_seconds)


def request_path(updated_since: str | None, cursor: str | None, limit: int) -> str:
    """The path and query of a page request, as recorded with the page it brought."""
    query = httpx.QueryParams({key: value for key, value in
                               (("updated_since", updated_since), ("cursor", cursor), ("limit", limit))
                               if value is not None})
    return f"{DOSSIERS_PATH}?{query}"


def iter_pages(client: httpx.Client, *, updated_since: str | None, cursor: str | None, limit: int,
               retry: RetryPolicy = RetryPolicy()) -> Iterator[ReceivedPage]:
    """Every page from (``updated_since``, ``cursor``) to the end, each requested only when the
    caller asks for it, so a sync never runs far ahead of what it has landed."""
    repeated = 0
    while True:
        page = fetch_page(client, request_path(updated_since, cursor, limit), retry)
        yield page
        if page.next_cursor is None:
            return
        # A page pointing at the cursor it was asked with is the previous page again: ask once more.
        repeated = repeated + 1 if page.next_cursor == cursor else 0
        if repeated >= MAX_REPEATED_PAGES:
            raise ProcedureApiError(f"GET {page.request}: the API answered {repeated} times in a row with the "
                                    "page before the one asked for; the sync cannot advance")
        cursor = page.next_cursor


def fetch_page(client: httpx.Client, request: str, retry: RetryPolicy = RetryPolicy()) -> ReceivedPage:
    """GET one page, retrying transport faults; a 4xx other than 429 fails at once (retrying
    the same request cannot fix a wrong token or a wrong URL)."""
    retrying = Retrying(
        stop=stop_after_attempt(retry.attempts),
        wait=wait_exponential(multiplier=retry.first_wait_seconds, max=retry.max_wait_seconds),
        retry=retry_if_exception(_is_transient),
        before_sleep=before_sleep_log(log, logging.WARNING),
    )
    try:
        return retrying(_get_page, client, request)
    except RetryError as error:
        last = error.last_attempt.exception()
        raise ProcedureApiError(f"GET {request}: no usable answer after {retry.attempts} attempts; "
                                f"last: {_describe(last)}") from last
    except httpx.HTTPStatusError as error:
        hint = " (check the token of the API connection)" if error.response.status_code in (401, 403) else ""
        raise ProcedureApiError(f"GET {request}: {_describe(error)}{hint}") from error


def _get_page(client: httpx.Client, request: str) -> ReceivedPage:
    response = client.get(request)
    response.raise_for_status()
    return ReceivedPage.of(response.content, request)


def _is_transient(error: BaseException) -> bool:
    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code >= 500 or error.response.status_code == 429
    return isinstance(error, (httpx.TransportError, InvalidPage))


def _describe(error: BaseException | None) -> str:
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code} {error.response.reason_phrase}"
    return f"{type(error).__name__}: {error}"


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
    if (True, "offline") in set(zip(columns["full_process"], columns["channel"])):
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
