"""The HTTP client of the province's administrative-procedure system (hệ thống thông tin giải quyết
thủ tục hành chính): its dossier records (hồ sơ), page by page, from its JSON API.

The API serves ``GET /api/v1/dossiers?updated_since=<ISO>&cursor=<opaque>&limit=<n>`` with a
bearer token and answers ``{"data": [...], "next_cursor": "..." | null}``, ordered by
(``updated_at``, ``dossier_id``). A sync asks for everything updated since its watermark and
follows ``next_cursor`` to the end; a backfill asks from a period's start and stops at the first
page that reaches past the period's end, since every later page lies beyond it. Faults of the
transport (5xx, timeouts, a body that is not a whole JSON page) are retried with exponential
backoff and never reach landing. The records of a page are read against their contract by
``dti.sources.dossier_records``.

The base URL and the token come from the Airflow connection the DAG reads; this module knows
nothing of Airflow.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import httpx
import msgspec
from tenacity import RetryError, Retrying, before_sleep_log, retry_if_exception, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)

SOURCE_NAME = "procedure_api"
DOSSIERS_PATH = "/api/v1/dossiers"
# A server that keeps answering with the page before the one asked for would never let a sync end.
MAX_REPEATED_PAGES = 3


class _PageFrame(msgspec.Struct):
    data: msgspec.Raw
    next_cursor: str | None


_PAGE_FRAME = msgspec.json.Decoder(_PageFrame)
_RECORDS = msgspec.json.Decoder(list[msgspec.Raw])


class _Stamped(msgspec.Struct):
    updated_at: str


_STAMPED = msgspec.json.Decoder(_Stamped)


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
    cursor of the next page. Its records are read and checked by
    ``dti.sources.dossier_records.read_page``."""

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

    def last_update(self) -> datetime | None:
        """The ``updated_at`` of the page's last record that has a readable one: the page's
        greatest, as the API orders records by it. None when no record has one; the records'
        contract is checked in full by ``dti.sources.dossier_records``, not here."""
        records = _RECORDS.decode(_PAGE_FRAME.decode(self.content).data)
        for record in reversed(records):
            try:
                updated_at = datetime.fromisoformat(_STAMPED.decode(record).updated_at)
            except (msgspec.DecodeError, ValueError):
                continue
            if updated_at.tzinfo is not None:
                return updated_at
        return None


def open_client(base_url: str, token: str, *, timeout_seconds: float = 30.0) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout_seconds)


def request_path(updated_since: str | None, cursor: str | None, limit: int) -> str:
    """The path and query of a page request, as recorded with the page it brought."""
    query = httpx.QueryParams({key: value for key, value in
                               (("updated_since", updated_since), ("cursor", cursor), ("limit", limit))
                               if value is not None})
    return f"{DOSSIERS_PATH}?{query}"


def iter_pages(client: httpx.Client, *, updated_since: str | None, cursor: str | None, limit: int,
               retry: RetryPolicy = RetryPolicy(), until: datetime | None = None) -> Iterator[ReceivedPage]:
    """Every page from (``updated_since``, ``cursor``) to the end, each requested only when the
    caller asks for it, so a sync never runs far ahead of what it has landed. With ``until``,
    the pages end with the first one whose records reach ``until`` or later."""
    repeated = 0
    while True:
        page = fetch_page(client, request_path(updated_since, cursor, limit), retry)
        yield page
        if page.next_cursor is None:
            return
        if until is not None and (last_update := page.last_update()) is not None and last_update >= until:
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
