"""A sandbox of the province's procedure-system API: the contract of the real one, serving
generated dossiers, with faults that can be switched on to prove the client and the landing.

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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter

import msgspec
import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from pydantic import BaseModel

from dti.demo.dossiers import VIETNAM, DossierPlan, generate_dossiers
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


class Sandbox:
    """The dossiers served, in keyset order, and the faults in force."""

    def __init__(self, records: list[dict], token: str, faults: Faults | None = None):
        self.token = token
        self.replace_records(records)
        self.set_faults(faults or Faults())

    def replace_records(self, records: list[dict]) -> None:
        """Serve ``records`` from now on (e.g. the dataset after ``advance_dossiers``)."""
        self.records = sorted(records, key=itemgetter("updated_at", "dossier_id"))
        self.keys = [(record["updated_at"], record["dossier_id"]) for record in self.records]

    def set_faults(self, faults: Faults) -> None:
        self.faults = faults
        self.requests = 0
        self.previous_page: bytes | None = None

    def page(self, updated_since: str | None, cursor: str | None, limit: int) -> bytes:
        start = bisect_left(self.keys, (_local_time(updated_since),)) if updated_since else 0
        if cursor:
            start = max(start, bisect_right(self.keys, _decode_cursor(cursor)))
        end = min(start + limit, len(self.records))
        more = end < len(self.records) and end > start
        return encode_page(self.records[start:end], _encode_cursor(self.keys[end - 1]) if more else None)


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


def create_app(records: list[dict], token: str, faults: Faults | None = None) -> FastAPI:
    """The sandbox API serving ``records``; ``app.state.sandbox`` lets tests change data and faults."""
    app = FastAPI(title="Sandbox: hệ thống thông tin giải quyết thủ tục hành chính")
    app.state.sandbox = Sandbox(records, token, faults)

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


def serve(*, host: str, port: int, period: str, seed: int, scale: float, token: str, province: Province,
          faults: Faults | None = None) -> None:
    """Serve the province's generated dossiers of the period until interrupted."""
    records = generate_dossiers(DossierPlan(period=period, seed=seed, scale=scale), province)
    uvicorn.run(create_app(records, token, faults), host=host, port=port, log_level="info")


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
