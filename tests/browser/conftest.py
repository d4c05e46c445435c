"""What the browser tests share: the Chromium they drive, a recorder of every request a page makes,
the browser and page fixtures, and rows that make every quality suite produce a result.

The tests need Debian's Chromium (``apt-get install chromium``; .ci/run installs it) and the
playwright package (a dev dependency), which drives it without downloading a browser of its own.
Locally they are skipped, saying why, when no Chromium is found; CI sets
DTI_REQUIRE_BROWSER_TESTS so that there a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pandas as pd
import pytest

from dti.quality.suites import SUITES
from tests.helpers import PROVINCE

CHROMIUM = os.environ.get("DTI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium():
    """playwright's sync API once a Chromium is there; else skip (locally) or fail (in CI)."""
    if CHROMIUM is None:
        reason = "no Chromium found (apt-get install chromium, or set DTI_CHROMIUM): the browser tests need one"
        if os.environ.get("DTI_REQUIRE_BROWSER_TESTS"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency: make install")


ROWS = 3


def frame_for(suite_name: str) -> pd.DataFrame:
    """A few rows holding every column the suite looks at, valued so most expectations pass."""
    by_column: dict[str, list[dict]] = {}
    for expectation in SUITES[suite_name](PROVINCE).expectations:
        kwargs = expectation.configuration.kwargs
        columns = [kwargs.get(key) for key in ("column", "column_A", "column_B")]
        columns += kwargs.get("column_list") or kwargs.get("column_set") or []
        for column in filter(None, columns):
            by_column.setdefault(column, []).append(kwargs)
    data = {}
    for column, uses in by_column.items():
        value_set = next((use["value_set"] for use in uses if use.get("value_set")), None)
        if value_set:
            data[column] = [value_set[row % len(value_set)] for row in range(ROWS)]
        elif any(use.get("regex") for use in uses):
            data[column] = ["a" * 64] * ROWS
        else:
            data[column] = list(range(1, ROWS + 1))
    return pd.DataFrame(data)


@dataclass
class Recorder:
    """Everything a page tried to reach outside the folder, failed to load, or complained about."""
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def route(self, route):
        url = route.request.url
        if urlsplit(url).scheme == "file" or urlsplit(url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort("blockedbyclient")

    def assert_clean(self):
        assert (self.outside, self.failed, self.errors) == ([], [], [])


@pytest.fixture(scope="session")
def browser():
    sync_api = require_chromium()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    recorder = Recorder()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", recorder.route)
    page = context.new_page()
    page.on("requestfailed", lambda request: recorder.failed.append(f"{request.url}: {request.failure}"))
    page.on("response",
            lambda response: response.status >= 400 and recorder.failed.append(f"{response.url}: {response.status}"))
    page.on("console", lambda message: message.type == "error" and recorder.errors.append(message.text))
    page.on("pageerror", lambda error: recorder.errors.append(str(error)))
    page.recorder = recorder
    yield page
    context.close()
