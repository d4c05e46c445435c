"""Dossier pages are prepared beside the COPY in a Celery worker too, whose pool processes are
daemonic and may not start processes of their own."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from dti.landing.dossiers import page_preparer


def _prepare_in_this_process(results) -> None:
    try:
        with page_preparer(b"key") as worker:
            results.put((type(worker).__name__, worker.submit(pow, 2, 10).result()))
    except BaseException as error:  # the parent asserts on what came back
        results.put((type(error).__name__, str(error)))


def test_a_daemonic_process_prepares_pages_in_a_thread():
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    daemon = context.Process(target=_prepare_in_this_process, args=(results,), daemon=True)
    daemon.start()
    outcome = results.get(timeout=60)
    daemon.join(timeout=60)
    assert outcome == (ThreadPoolExecutor.__name__, 1024)


def test_a_normal_process_prepares_pages_in_a_process_of_their_own():
    with page_preparer(b"key") as worker:
        assert isinstance(worker, ProcessPoolExecutor)
        assert worker.submit(pow, 2, 10).result() == 1024
