"""A sandbox of the province's procedure-system API: the contract of the real one, serving
generated dossiers, with faults that can be switched on to prove the client and the landing.

Like the real system it serves its whole history at once (every period the demo planned), so
``updated_since`` and the cursor page across periods, and a backfill of an earlier period finds
that period's dossiers. A period other than the run's is generated when a request first reaches
it, so a run does not pay for the history its sync never asks for.

``GET /api/v1/dossiers?updated_since=<ISO>&cursor=<opaque>&limit=<n>`` answers
``{"data": [...], "next_cursor": "..." | null}`` in (``updated_at``, ``dossier_id``) order, so a
cursor stays valid while dossiers change: a changed dossier moves behind it and comes later.
``updated_since`` is inclusive. Faults apply to the n-th dossier request counted since start-up
or since the faults were last set (``PUT /admin/faults``).
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import socket
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

import msgspec
import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from pydantic import BaseModel

from dti.demo.dossiers import (
    VIETNAM,
    DossierPlan,
    earlier_periods_of_year,
    generate_dossiers,
    generate_history,
    period_bounds,
)
from dti.provinces import Province

MAX_LIMIT = 10_000


class Faults(BaseModel):
    """Request numbers (1 for the first dossier request) on which the sandbox misbehaves."""

    server_error_on: list[int] = []   # answered with HTTP 500
    timeout_on: list[int] = []        # answered after delay_seconds, longer than a client waits
    truncate_on: list[int] = []       # the body cut in half: not valid JSON
    repeat_on: list[int] = []         # the page served before, once more
    delay_seconds: float = 5.0


def encode_page(records: list[dict], next_cursor: str | None) -> bytes:
    return msgspec.json.encode({"data": records, "next_cursor": next_cursor})


@dataclass(frozen=True)
class DeferredPeriod:
    """A period of the history whose dossiers are generated when a request first reaches them.
    Each was last updated within the period (they are generated as the system held them at its
    end), so a request for updates since a later instant never needs them."""

    plan: DossierPlan
    province: Province

    @property
    def updated_before(self) -> str:
        """The midnight after the period's last day, written as the records write instants."""
        return datetime.combine(period_bounds(self.plan.period)[1], datetime.min.time(), VIETNAM).isoformat()


class Sandbox:
    """The dossiers served, in keyset order, the periods not generated yet, and the faults in force."""

    def __init__(self, records: list[dict], token: str, faults: Faults | None = None,
                 deferred: Sequence[DeferredPeriod] = ()):
        self.token = token
        self.replace_records(records)
        self.deferred = list(deferred)
        self.set_faults(faults or Faults())

    def replace_records(self, records: list[dict]) -> None:
        """Serve ``records`` from now on (e.g. the dataset after ``advance_dossiers``), and only them."""
        self.deferred: list[DeferredPeriod] = []
        self._index(records)

    def _index(self, records: list[dict]) -> None:
        self.records = sorted(records, key=itemgetter("updated_at", "dossier_id"))
        self.keys = [(record["updated_at"], record["dossier_id"]) for record in self.records]

    def set_faults(self, faults: Faults) -> None:
        self.faults = faults
        self.requests = 0
        self.previous_page: bytes | None = None

    def page(self, updated_since: str | None, cursor: str | None, limit: int) -> bytes:
        since = _local_time(updated_since) if updated_since else None
        after = _decode_cursor(cursor) if cursor else None
        self._generate_deferred_from(max(since or "", after[0] if after else ""))
        start = bisect_left(self.keys, (since,)) if since else 0
        if after:
            start = max(start, bisect_right(self.keys, after))
        end = min(start + limit, len(self.records))
        more = end < len(self.records) and end > start
        return encode_page(self.records[start:end], _encode_cursor(self.keys[end - 1]) if more else None)

    def _generate_deferred_from(self, earliest_update: str) -> None:
        """Generate the deferred periods holding dossiers updated at or after ``earliest_update``."""
        reached = [period for period in self.deferred if period.updated_before > earliest_update]
        if reached:
            self.deferred = [period for period in self.deferred if period not in reached]
            self._index(self.records + [record for period in reached
                                        for record in generate_dossiers(period.plan, period.province)])


def _local_time(timestamp: str) -> str:
    """``timestamp`` as the records write it (Vietnam time), so the keys compare as text."""
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError as error:
        raise HTTPException(400, f"updated_since {timestamp!r} is not an ISO-8601 timestamp") from error
    if moment.tzinfo is None:
        raise HTTPException(400, f"updated_since {timestamp!r} needs a UTC offset, e.g. +07:00")
    return moment.astimezone(VIETNAM).isoformat()


def _encode_cursor(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(key)).decode("ascii")


def _decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        updated_at, dossier_id = msgspec.json.decode(base64.urlsafe_b64decode(cursor.encode("ascii")))
        return str(updated_at), str(dossier_id)
    except (ValueError, TypeError, msgspec.DecodeError) as error:
        raise HTTPException(400, "cursor is not one this API gave out") from error


def create_app(records: list[dict], token: str, faults: Faults | None = None,
               deferred: Sequence[DeferredPeriod] = ()) -> FastAPI:
    """The sandbox API serving ``records`` and the ``deferred`` periods' dossiers;
    ``app.state.sandbox`` lets tests change data and faults."""
    app = FastAPI(title="Sandbox: hệ thống thông tin giải quyết thủ tục hành chính")
    app.state.sandbox = Sandbox(records, token, faults, deferred)

    def sandbox(request: Request) -> Sandbox:
        state: Sandbox = request.app.state.sandbox
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(presented.encode(), state.token.encode()):
            raise HTTPException(401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        return state

    @app.get("/api/v1/dossiers")
    async def dossiers(state: Sandbox = Depends(sandbox), updated_since: str | None = None,
                       cursor: str | None = None, limit: int = Query(500, ge=1, le=MAX_LIMIT)) -> Response:
        state.requests += 1
        number, faults = state.requests, state.faults
        if number in faults.server_error_on:
            return Response(b'{"error": "internal server error"}', status_code=500, media_type="application/json")
        if number in faults.repeat_on and state.previous_page is not None:
            return Response(state.previous_page, media_type="application/json")
        if number in faults.timeout_on:
            await asyncio.sleep(faults.delay_seconds)
        body = state.page(updated_since, cursor, limit)
        if number in faults.truncate_on:
            return Response(body[: len(body) // 2], media_type="application/json")
        state.previous_page = body
        return Response(body, media_type="application/json")

    @app.get("/admin/faults")
    def get_faults(state: Sandbox = Depends(sandbox)) -> dict:
        return {"faults": state.faults.model_dump(), "requests": state.requests}

    @app.put("/admin/faults")
    def put_faults(faults: Faults, state: Sandbox = Depends(sandbox)) -> dict:
        state.set_faults(faults)
        return {"faults": faults.model_dump(), "requests": state.requests}

    return app


def create_history_app(plans: Sequence[DossierPlan], period: str, token: str, province: Province,
                       faults: Faults | None = None) -> FastAPI:
    """The sandbox API serving every plan's dossiers as one system's history: ``period``'s
    generated now, the other periods' when a request first reaches them."""
    records = generate_history([plan for plan in plans if plan.period == period], province)
    deferred = [DeferredPeriod(plan, province) for plan in plans if plan.period != period]
    return create_app(records, token, faults, deferred)


def serve(*, host: str, port: int, period: str, seed: int, scale: float, token: str, province: Province,
          faults: Faults | None = None) -> None:
    """Serve the province's generated dossiers of the period and of the earlier periods of its
    year, with the same seed and scale, until interrupted."""
    plans = [DossierPlan(period=served, seed=seed, scale=scale)
             for served in (*earlier_periods_of_year(period), period)]
    uvicorn.run(create_history_app(plans, period, token, province, faults), host=host, port=port, log_level="info")


@contextmanager
def serve_in_background(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free port of 127.0.0.1 in a thread; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the sandbox API did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
