"""Landing of dossier records from the procedure-system API, one page per transaction.

A page lands whole or not at all: its bytes archived (encrypted, as a page holds citizens' ids),
the page registered in ``raw.landed_files``, its valid rows COPYed into ``raw.dossier_records``
with the citizen's id replaced by its keyed hash, its invalid rows quarantined with their
reasons, and the sync's position (watermark and cursor) moved past it. A sync that stops anywhere
resumes after the last page landed. The same page bytes twice land once (their sha256 is
registered), and a dossier version already in raw, the same (``dossier_id``, ``updated_at``), is
never loaded again; a page with nothing new only moves the position.

A sync for a period starts at the period's first instant in Vietnam time when there is no
watermark yet: the history before it is read by the runs of the periods it belongs to. A run for
a period whose window lies behind the watermark (a backfill, or periods run out of order) reads
that window again, from the period's first instant until the pages pass its end, and lands the
versions raw lacks; it leaves the sync position as it was, so the watermark never moves back and
an incremental sync under way resumes where it stopped.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import psycopg
from psycopg import sql

from dti import periods, settings
from dti.landing import (
    LandingOutcome,
    already_received,
    archive_original,
    pseudonymizer,
    quarantine_rows,
    register_landed_file,
    sha256_of,
)
from dti.provinces import Province
from dti.roles import LOADER
from dti.sources import RejectedRow, dossier_records, procedure_api
from dti.sources.dossier_records import DossierPage
from dti.sources.procedure_api import ReceivedPage, RetryPolicy

log = logging.getLogger(__name__)

RAW_TABLE = "raw.dossier_records"
SOURCE_NAME = procedure_api.SOURCE_NAME
# The record's fields in the source's order, the citizen's id swapped for its pseudonym, then
# the provenance.
RAW_COLUMNS = (*("citizen_pseudonym" if name == "citizen_id" else name for name in dossier_records.FIELDS),
               "_row_number", "_batch_id", "_source", "_file_name", "_file_sha256")
DEFAULT_PAGE_SIZE = 5_000
# Pages fetched and handed to the worker ahead of the one landing, so that it never waits for work.
PAGES_AHEAD = 2
# A period's days are Vietnam's calendar days: the dossiers received in it are those filed from its
# first midnight there to the midnight after its last day.
VIETNAM_TIME = ZoneInfo("Asia/Ho_Chi_Minh")

# COPY's binary format: a signature and two empty 32-bit fields (flags, header extension), the
# rows, then -1 where a row's field count would be. A row is its field count (16 bits), then each
# field as its length in bytes (32 bits, -1 for null) and its value; integers are big-endian and
# timestamps are microseconds since 2000-01-01 UTC.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_BINARY_TRAILER = b"\xff\xff"
_POSTGRES_EPOCH = np.datetime64("2000-01-01T00:00:00", "us")


@dataclass
class SyncResult:
    pages_fetched: int = 0
    pages_landed: int = 0
    pages_already_received: int = 0  # pages with nothing new: the same bytes again, or versions raw holds
    rows_received: int = 0        # records in the pages fetched, valid or not
    rows_landed: int = 0          # dossier versions new to raw
    rows_already_landed: int = 0  # valid records whose version raw already held
    rows_rejected: int = 0        # records quarantined
    watermark: str | None = None  # the greatest updated_at received, ISO-8601
    updated_since: str | None = None  # what the sync asked the API for (None: everything)
    backfill: bool = False        # the period's window lay behind the watermark and was read again
    # With a period: the dossiers received in it (filed within its days) that raw holds after the
    # sync, and how many of the versions this sync landed are theirs.
    period: str | None = None
    period_dossiers: int | None = None
    period_rows_landed: int | None = None


def sync_province_dossiers(province: Province, base_url: str, token: str, period: str) -> dict:
    """The land stage for the procedure system: pages land as they arrive, so this both pulls and lands,
    as the loader role, resuming where the last sync stopped (the first one at ``period``'s start),
    or reading ``period``'s window again when it lies behind the watermark. Returns the sync's
    counts: ``period_dossiers`` and ``period_rows_landed`` for the period's own dossiers,
    ``rows_landed`` for every version landed."""
    return asdict(sync_dossiers(province.warehouse_url(LOADER), base_url, token, province.archive_dir,
                                period=period))


def sync_dossiers(db_url: str, base_url: str, token: str, archive_dir: Path, *, period: str | None = None,
                  page_size: int = DEFAULT_PAGE_SIZE, retry: RetryPolicy = RetryPolicy(),
                  timeout_seconds: float = 30.0) -> SyncResult:
    """Pull every dossier updated since the last sync, or finish the sync that stopped, and land it;
    the first sync for ``period`` starts at the period's start. When ``period`` ends at or before
    the watermark, read its window again instead (the incremental sync would bring nothing of it)
    and leave the sync position alone."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        watermark, cursor = sync_position(conn)
        sync_started = conn.execute("select now()").fetchone()[0]
    window = period_window(period) if period else None
    backfill = window is not None and watermark is not None and window[1] <= watermark
    if backfill:
        updated_since, cursor, until = window[0].isoformat(), None, window[1]
    elif watermark is None and window is not None:
        updated_since, until = window[0].isoformat(), None
    else:
        updated_since, until = (watermark.isoformat() if watermark else None), None
    with procedure_api.open_client(base_url, token, timeout_seconds=timeout_seconds) as client:
        pages = procedure_api.iter_pages(client, updated_since=updated_since, cursor=cursor, limit=page_size,
                                         retry=retry, until=until)
        result = land_pages(db_url, pages, settings.pseudonym_key(), archive_dir, moves_sync_position=not backfill)
    result.updated_since, result.backfill = updated_since, backfill
    if window is not None:
        with psycopg.connect(db_url, autocommit=True) as conn:
            result.period = period
            result.period_dossiers, result.period_rows_landed = period_dossier_counts(conn, window, sync_started)
    return result


def period_window(period: str) -> tuple[datetime, datetime]:
    """The first instant of ``period`` and the first instant after it, in Vietnam time."""
    first_day, day_after = periods.period_start(period), periods.period_end(period) + timedelta(days=1)
    return (datetime.combine(first_day, time(), VIETNAM_TIME), datetime.combine(day_after, time(), VIETNAM_TIME))


def period_dossier_counts(conn: psycopg.Connection, window: tuple[datetime, datetime],
                          landed_since: datetime) -> tuple[int, int]:
    """The dossiers filed within ``window`` that raw holds, and their versions loaded since ``landed_since``."""
    row = conn.execute(f"select count(distinct dossier_id), count(*) filter (where _loaded_at >= %s) "
                       f"from {RAW_TABLE} where filed_at >= %s and filed_at < %s",
                       (landed_since, *window)).fetchone()
    return row[0], row[1]


def sync_position(conn: psycopg.Connection) -> tuple[datetime | None, str | None]:
    """The greatest ``updated_at`` received, and the cursor of the next page while a sync is under way."""
    row = conn.execute("select watermark, cursor from raw.sync_watermarks where source = %s",
                       (SOURCE_NAME,)).fetchone()
    return (row[0], row[1]) if row else (None, None)


def land_pages(db_url: str, pages: Iterable[ReceivedPage], pseudonym_key: bytes, archive_dir: Path, *,
               archive_key: bytes | None = None, moves_sync_position: bool = True) -> SyncResult:
    """Land ``pages`` in order, each in its own transaction, each page's original archived
    encrypted with ``archive_key`` (by default the deployment's, ``settings.archive_key``), and
    the sync position moved past it unless ``moves_sync_position`` is false (a backfill's pages).

    Reading a page, pseudonymising its citizens' ids and laying out its rows for COPY cost about
    as much CPU as PostgreSQL spends loading them, so a worker process does it for the pages
    ahead while this one lands the current page (a thread would contend for the GIL with the one
    feeding COPY, and PostgreSQL would sit idle). The worker starts the platform's default way:
    forked on Linux; where it is spawned, a script calling this needs the usual
    ``if __name__ == "__main__":`` guard.
    """
    result = SyncResult()
    archive_key = archive_key or settings.archive_key()
    # autocommit: each page's transaction block commits on its own, whatever ran before it
    with psycopg.connect(db_url, autocommit=True) as conn, page_preparer(pseudonym_key) as worker:

        def land(received: ReceivedPage, preparing: Future[_PreparedPage]) -> None:
            page = preparing.result()
            _count(result, _land_page(conn, received, page, archive_dir, archive_key, moves_sync_position), page)

        fetched = iter(pages)
        preparing: deque[tuple[ReceivedPage, Future[_PreparedPage]]] = deque()
        while True:
            try:
                received = next(fetched, None)
            except Exception:
                while preparing:
                    land(*preparing.popleft())  # the pages fetched before the failure still land
                raise
            if received is None:
                break
            preparing.append((received, worker.submit(_prepare, received)))
            if len(preparing) > PAGES_AHEAD:
                land(*preparing.popleft())
        while preparing:
            land(*preparing.popleft())
        watermark, _ = sync_position(conn)
    result.watermark = watermark.isoformat() if watermark else None
    return result


@dataclass(frozen=True)
class _PreparedPage:
    """What landing needs of a page once it is read; small enough to come back from the worker."""

    file_sha256: str
    batch_id: str
    next_cursor: str | None
    records_received: int
    valid_records: int
    records_rejected: int
    rejected: list[RejectedRow]
    latest_update: datetime | None
    copy_data: bytes  # the valid rows in COPY's binary format, without its header and trailer


_worker_pseudonym: Callable[[str], str] | None = None


def page_preparer(pseudonym_key: bytes) -> Executor:
    """The worker that prepares pages ahead of the COPY: a process of its own where this process
    may have one, else a thread. A Celery worker runs tasks in daemonic pool processes, and
    Python forbids a daemonic process children; there the thread still overlaps preparing a page
    with PostgreSQL loading the one before."""
    if multiprocessing.current_process().daemon:
        _start_worker(pseudonym_key)
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="dti-page-preparer")
    return ProcessPoolExecutor(max_workers=1, initializer=_start_worker, initargs=(pseudonym_key,))


def _start_worker(pseudonym_key: bytes) -> None:
    global _worker_pseudonym
    _worker_pseudonym = pseudonymizer(pseudonym_key)


def _prepare(received: ReceivedPage) -> _PreparedPage:
    """Read a page and lay out its valid rows for COPY; runs in the worker process."""
    page = dossier_records.read_page(received.content, received.request)
    file_sha256 = sha256_of(received.content)
    batch_id = f"api-{file_sha256[:16]}"
    copy_data = _copy_binary(page, list(map(_worker_pseudonym, page.columns["citizen_id"])),
                             (batch_id, SOURCE_NAME, received.request, file_sha256))
    return _PreparedPage(file_sha256, batch_id, received.next_cursor, page.records_received, len(page.row_numbers),
                         page.records_rejected, page.rejected, page.latest_update, copy_data)


# A field laid out for every row, length first: an array of one row per record, or one row that
# is the same for all; and, for values of different lengths, which of its bytes to keep.
_Field = tuple[np.ndarray, np.ndarray | None]


def _copy_binary(page: DossierPage, pseudonyms: list[str], provenance: tuple[str, ...]) -> bytes:
    """The page's valid rows in COPY's binary format (``_copy`` adds the header and trailer), which
    spares PostgreSQL reading timestamps, booleans and numbers from text: a third of its work on a
    text COPY.

    Built a column at a time with numpy: every field is laid out at the same place in each row,
    as wide as its longest value, and the padding after shorter values is dropped at the end."""
    count = len(page.row_numbers)
    if not count:
        return b""
    columns, instants = page.columns, page.instants
    fields: list[_Field] = [(_big_endian(len(RAW_COLUMNS), ">i2"), None)]
    for name in dossier_records.FIELDS:
        if name in dossier_records.TIMESTAMP_FIELDS:
            fields.append(_timestamp_field(instants[name]))
        elif name == "full_process":
            fields.append((_with_length(np.array(columns[name], np.uint8).reshape(count, 1)), None))
        else:
            fields.append(_text_field(pseudonyms if name == "citizen_id" else columns[name]))
    fields.append((_with_length(_big_endian(np.fromiter(page.row_numbers, np.int32, count), ">i4")), None))
    fields.append((np.frombuffer(b"".join(_field_bytes(value.encode()) for value in provenance), np.uint8), None))
    return _rows(count, fields)


def _rows(count: int, fields: list[_Field]) -> bytes:
    width = sum(values.shape[-1] for values, _ in fields)
    rows = np.empty((count, width), np.uint8)
    kept = None
    start = 0
    for values, keep in fields:
        end = start + values.shape[-1]
        rows[:, start:end] = values
        if keep is not None:
            if kept is None:
                kept = np.ones_like(rows, bool)
            kept[:, start:end] = keep
        start = end
    return (rows if kept is None else rows[kept]).tobytes()


def _text_field(values: list[str]) -> _Field:
    """Text values, their padding marked when they differ in length. No value holds a NUL (the
    contract refuses them in free text; the other text is codes and hex digits), so NULs end
    the values and numpy finds their lengths."""
    ended = np.frombuffer(("\0".join(values) + "\0").encode(), np.uint8)
    ends = np.flatnonzero(ended == 0)
    lengths = np.diff(ends, prepend=-1) - 1
    width = int(lengths.max(initial=0))
    if (lengths == width).all():
        return _with_length(ended.reshape(len(values), width + 1)[:, :width]), None
    keep = np.arange(width) < lengths[:, np.newaxis]
    padded = np.zeros(keep.shape, np.uint8)
    padded[keep] = ended[ended != 0]
    return np.hstack([_big_endian(lengths, ">i4"), padded]), np.hstack([np.ones((len(values), 4), bool), keep])


def _timestamp_field(instants: np.ndarray) -> _Field:
    values = _big_endian(instants - _POSTGRES_EPOCH, ">i8")
    nulls = np.isnat(instants)
    if not nulls.any():
        return _with_length(values), None
    lengths = _big_endian(np.where(nulls, -1, 8), ">i4")
    keep = np.ones((len(instants), 12), bool)
    keep[:, 4:] = ~nulls[:, np.newaxis]
    return np.hstack([lengths, values]), keep


def _with_length(values: np.ndarray) -> np.ndarray:
    """Fixed-width values, each led by its length."""
    return np.hstack([np.broadcast_to(_big_endian(values.shape[-1], ">i4"), (len(values), 4)), values])


def _big_endian(values, dtype: str) -> np.ndarray:
    """Integers as their bytes, big-endian: one row per value."""
    array = np.atleast_1d(values).astype(dtype)
    return array.view(np.uint8).reshape(*array.shape, array.dtype.itemsize)


def _field_bytes(value: bytes) -> bytes:
    return len(value).to_bytes(4, "big") + value


def _land_page(conn: psycopg.Connection, received: ReceivedPage, page: _PreparedPage, archive_dir: Path,
               archive_key: bytes, moves_sync_position: bool) -> LandingOutcome:
    """Land one page in one transaction. A page that brings nothing new, the same bytes again or
    only versions raw holds already (a sync with no change since the last one gets back just the
    version at its watermark), only moves the sync position, where the sync moves it."""
    request, file_sha256, rejected = received.request, page.file_sha256, page.records_rejected
    with conn.transaction():
        if already_received(conn, file_sha256):
            log.info("%s: already received", request)
            return LandingOutcome(request, file_sha256, "already_received")
        landed = _copy_new_versions(conn, page.copy_data)
        if landed or rejected:
            archived = archive_original(received.content, file_sha256, ".json", archive_dir,
                                        encryption_key=archive_key)
            register_landed_file(conn, file_sha256=file_sha256, source=SOURCE_NAME, file_name=request,
                                 unit_code=None, period=None, archived=archived, size_bytes=len(received.content),
                                 batch_id=page.batch_id, row_count=landed, rejected_rows=rejected)
            quarantine_rows(conn, file_sha256, request, None, page.rejected)
        if moves_sync_position:
            conn.execute(
                "insert into raw.sync_watermarks (source, watermark, cursor) values (%s, %s, %s) "
                "on conflict (source) do update set watermark = greatest(raw.sync_watermarks.watermark, "
                "excluded.watermark), cursor = excluded.cursor, updated_at = now()",
                (SOURCE_NAME, page.latest_update, page.next_cursor),
            )
    if not (landed or rejected):
        log.info("%s: nothing new", request)
        return LandingOutcome(request, file_sha256, "already_received")
    log.info("%s: %d rows landed, %d rejected", request, landed, rejected)
    return LandingOutcome(request, file_sha256, "landed", landed, rejected)


def _count(result: SyncResult, outcome: LandingOutcome, page: _PreparedPage) -> None:
    result.pages_fetched += 1
    result.rows_received += page.records_received
    result.rows_landed += outcome.rows_landed
    result.rows_already_landed += page.valid_records - outcome.rows_landed
    result.rows_rejected += outcome.rows_rejected
    if outcome.status == "landed":
        result.pages_landed += 1
    else:
        result.pages_already_received += 1


def _copy_new_versions(conn: psycopg.Connection, copy_data: bytes) -> int:
    """COPY the rows straight into raw, and return how many went in. When a version is there
    already (a sync starts at its watermark, inclusive, so its first page repeats the last
    version landed), load through a scratch table and keep only the versions raw lacks."""
    try:
        with conn.transaction():
            return _copy(conn, RAW_TABLE, copy_data)
    except psycopg.errors.UniqueViolation:
        conn.execute(f"create temp table dossier_page (like {RAW_TABLE} including defaults) on commit drop")
        _copy(conn, "dossier_page", copy_data)
        return conn.execute(f"insert into {RAW_TABLE} select * from dossier_page on conflict do nothing").rowcount


def _copy(conn: psycopg.Connection, table: str, copy_data: bytes) -> int:
    statement = sql.SQL("copy {} ({}) from stdin (format binary)").format(
        sql.Identifier(*table.split(".")), sql.SQL(", ").join(map(sql.Identifier, RAW_COLUMNS)))
    with conn.cursor() as cursor:
        with cursor.copy(statement) as copy:
            copy.write(_BINARY_HEADER)
            copy.write(copy_data)
            copy.write(_BINARY_TRAILER)
        return cursor.rowcount
