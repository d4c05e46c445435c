"""Acceptance: the published Data Docs open in headless Chromium with every outside request blocked,
show every suite's run with working styles, scripts and tables, and nothing fails to load.

Real Data Docs: every suite of ``dti.quality.suites`` is run through its checkpoint on a small frame,
named as a pipeline run names it, in a copy of the project's GX context so the committed
``expectations/`` stay untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dti import settings
from dti.quality import validation
from dti.quality.data_docs import QUALITY_DIR, publish_data_docs
from dti.quality.suites import SUITES
from tests.browser.conftest import frame_for
from tests.helpers import PROVINCE

pytestmark = pytest.mark.browser


RUN_ID = "manual__2026-10-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def context_copy(tmp_path_factory) -> Path:
    """A copy of the project's GX context in which every suite has run once."""
    context_copy = tmp_path_factory.mktemp("gx") / "expectations"
    shutil.copytree(settings.EXPECTATIONS_DIR, context_copy, ignore=shutil.ignore_patterns("uncommitted"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "EXPECTATIONS_DIR", context_copy)
        for suite_name in SUITES:
            validation.validate_frame(suite_name, suite_name, frame_for(suite_name), PROVINCE,
                                      run_name=validation.gx_run_name("2026-Q3", RUN_ID))
    return context_copy


@pytest.fixture(scope="module")
def published(context_copy, tmp_path_factory) -> Path:
    """The output folder after the Data Docs were published from the context."""
    output_root = tmp_path_factory.mktemp("output")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "EXPECTATIONS_DIR", context_copy)
        publish_data_docs(output_root, RUN_ID, PROVINCE)
    return output_root


def open_page(page, path: Path) -> None:
    # Through the `quality` link, as a reader opens it.
    page.goto(path.absolute().as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")


def validation_links(page) -> dict[str, str]:
    """suite name -> the validation page its row in the index opens."""
    rows = page.locator("table.ge-index-page-validation-results-table tbody tr.clickable-row")
    return {row.get_attribute("data-href").split("/")[1]: row.get_attribute("data-href") for row in rows.all()}


def test_index_lists_every_suite_run_with_bootstrap_styles_and_scripts_working(published, page):
    index = published / QUALITY_DIR / "index.html"
    open_page(page, index)

    assert page.evaluate("typeof jQuery === 'function' && typeof jQuery.fn.modal === 'function' "
                         "&& typeof jQuery.fn.bootstrapTable === 'function' && typeof vegaEmbed === 'function'")
    # Bootstrap's spacing utility: the browser's default padding is 0.
    assert page.locator(".container-fluid.pl-5").first.evaluate("e => getComputedStyle(e).paddingLeft") == "48px"
    # The table's rows exist only when bootstrap-table (and so jQuery) ran.
    assert set(validation_links(page)) == set(SUITES)
    assert page.locator("table.ge-index-page-validation-results-table").evaluate(
        "e => e.closest('.bootstrap-table') !== null")
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('Font Awesome') && f.status === 'loaded')")
    page.screenshot(path=str(published / "data-docs-index.png"), full_page=True)
    page.recorder.assert_clean()


@pytest.mark.parametrize("suite_name", sorted(SUITES))
def test_each_validation_result_page_renders_its_expectation_table(published, page, suite_name):
    open_page(page, published / QUALITY_DIR / "index.html")
    page.locator(f"tr.clickable-row[data-href*='/{suite_name}/']").first.click()
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")

    assert page.url.endswith(f"-{suite_name}.html")
    assert page.locator(".navbar img").evaluate("img => img.complete && img.naturalWidth > 0")
    table = page.locator("table.table").first
    assert table.evaluate("e => getComputedStyle(e).borderCollapse") == "collapse"
    expectations = len(SUITES[suite_name](PROVINCE).expectations)
    assert page.locator("table.table tbody tr").count() >= expectations
    assert page.locator(".fas.fa-check-circle, .fas.fa-times").first.evaluate(
        "e => getComputedStyle(e, '::before').fontFamily").startswith('"Font Awesome')
    if suite_name == sorted(SUITES)[0]:
        page.screenshot(path=str(published / "data-docs-validation.png"), full_page=True)
    page.recorder.assert_clean()


def test_each_suite_page_lists_its_expectations(published, page):
    for suite_name in SUITES:
        open_page(page, published / QUALITY_DIR / "expectations" / f"{suite_name}.html")

        assert page.locator(".breadcrumb-item.active").inner_text().endswith(suite_name)
        listed = page.locator("ul[id$='-body'] > li:not([style*='list-style-type:none'])")
        assert listed.count() >= len(SUITES[suite_name](PROVINCE).expectations)
        # A Bootstrap badge; a plain span is displayed inline.
        assert page.locator(".badge").first.evaluate("e => getComputedStyle(e).display") == "inline-block"
    page.recorder.assert_clean()


def test_the_pages_gx_builds_do_reach_outside_and_the_blocking_sees_it(context_copy, page):
    """The control: the same pages before publishing request CDNs and GX's logo server."""
    # Each province's GX stores, Data Docs included, are its own (great_expectations.yml).
    open_page(page,
              context_copy / "uncommitted" / "provinces" / PROVINCE.code / "data_docs" / "local_site" / "index.html")

    hosts = {urlsplit(url).hostname for url in page.recorder.outside}
    assert {"cdn.jsdelivr.net", "code.jquery.com", "great-expectations-web-assets.s3.us-east-2.amazonaws.com"} <= hosts
    assert any("dataContextId=" in url for url in page.recorder.outside)


def test_the_published_folder_holds_no_outside_address_a_browser_would_load(published):
    site = published / QUALITY_DIR
    text = "".join(page.read_text(encoding="utf-8") for page in site.rglob("*.html"))

    for outside in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "bootstrapcdn.com", "code.jquery.com",
                    "great-expectations-web-assets", "dataContextId", "utm_source"):
        assert outside not in text
