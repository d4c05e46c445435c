"""Acceptance: everything a run publishes, opened from the portal in headless Chromium with every
outside request blocked.

Marts are built by dbt from the hand-written rows of ``tests/scoring_data`` (two periods); then
the real publishing functions, in the order the DAG's publish task calls them, write into a
temporary output folder: Data Docs, dbt docs, each period's report with its workbook, unit
scorecards and feedback letters, and the portal. The test reads the published pages the way a
reader does: it starts at ``output/index.html`` and follows every link and image inside the folder.
"""

from __future__ import annotations

import os
import shutil
from collections import deque
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import openpyxl
import psycopg
import pytest
from psycopg.rows import dict_row

from dti import settings
from dti.publish import publish_report
from dti.publish.dbt_docs import publish_dbt_docs
from dti.publish.letters import feedback_letters
from dti.publish.portal import publish_portal
from dti.publish.scorecards import scorecard_files
from dti.publish.workbook import workbook_files
from dti.quality import validation
from dti.quality.data_docs import publish_data_docs
from dti.quality.suites import SUITES
from tests.browser.conftest import frame_for
from tests.helpers import PROVINCE
from tests.scoring_data import COMMUNE, PERIOD_2023, PERIOD_2026

pytestmark = pytest.mark.browser

RUN_ID = "manual__2026-10-12T00:00:00+00:00"
# Elements an SVG chart draws its marks with.
MARKS = "rect, path, line, circle, polyline, polygon, ellipse"


@pytest.fixture(scope="module")
def scored_url(two_period_marts_url):
    return two_period_marts_url


@pytest.fixture(scope="module")
def output_root(scored_url, tmp_path_factory) -> Path:
    """The output folder after publishing both periods, 2026-Q3 last, as the DAG's publish task does."""
    output_root = tmp_path_factory.mktemp("output")
    context_copy = tmp_path_factory.mktemp("gx") / "expectations"
    shutil.copytree(settings.EXPECTATIONS_DIR, context_copy, ignore=shutil.ignore_patterns("uncommitted"))
    suite = sorted(SUITES)[0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "EXPECTATIONS_DIR", context_copy)
        patch.setenv("DBT_LOG_PATH", str(tmp_path_factory.getbasetemp() / "portal-dbt" / "logs"))
        validation.validate_frame(suite, suite, frame_for(suite), PROVINCE)
        publish_data_docs(output_root, RUN_ID, PROVINCE)
        publish_dbt_docs(scored_url, output_root, RUN_ID, PROVINCE)
        for period in (PERIOD_2023, PERIOD_2026):
            with psycopg.connect(scored_url) as conn:
                letters = feedback_letters(conn, period, PROVINCE)
                companions = {**workbook_files(conn, period, PROVINCE),
                              **scorecard_files(conn, period, PROVINCE, letters.of_units), **letters.files}
                publish_report(conn, period, output_root, RUN_ID, PROVINCE, extra_files=companions)
        publish_portal(output_root, PROVINCE)
    return output_root


@pytest.fixture(scope="module")
def marts(scored_url) -> dict:
    with psycopg.connect(scored_url) as conn, conn.cursor(row_factory=dict_row) as cur:
        province = cur.execute("select dti_score from marts.fct_dti_scores "
                               "where period = %s and scope_type = 'province'", (PERIOD_2026,)).fetchone()
        targets = cur.execute("select name_vi from marts.rpt_target_progress where period = %s",
                              (PERIOD_2026,)).fetchall()
        commune = cur.execute("select name_vi, dti_score from marts.fct_dti_scores "
                              "where period = %s and scope_code = %s", (PERIOD_2026, COMMUNE)).fetchone()
    return {"dti": float(province["dti_score"]), "targets": [row["name_vi"] for row in targets],
            "commune": commune}


def open_page(page, path: Path) -> None:
    page.goto(path.absolute().as_uri(), wait_until="load")


def test_the_portal_links_the_latest_report_past_reports_scorecards_and_both_docs(output_root, page):
    open_page(page, output_root / "index.html")

    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert {"reports/latest/index.html", "reports/latest/index.en.html", "reports/latest/dti-2026-Q3.xlsx",
            "reports/latest/units/index.html", "reports/latest/letters/index.html", "docs/index.html",
            "quality/index.html"} <= set(hrefs)
    for period in (PERIOD_2023, PERIOD_2026):
        assert f"reports/{period}/index.html" in hrefs
        assert f"reports/{period}/dti-{period}.xlsx" in hrefs
    assert "Báo cáo mới nhất – kỳ 2026-Q3" in page.inner_text("body")
    page.screenshot(path=str(output_root / "portal.png"), full_page=True)
    page.recorder.assert_clean()


def test_the_report_shows_the_marts_figures_and_draws_every_chart(output_root, page, marts):
    open_page(page, output_root / "index.html")
    page.click("a[href='reports/latest/index.html']")
    page.wait_for_load_state("load")
    text = page.inner_text("body")

    assert f"{marts['dti']:.4f}" in text
    for name in marts["targets"]:
        assert name in text
    assert marts["commune"]["name_vi"] in text and marts["commune"]["name_vi"] == "Xã Hoàng Vân"
    charts = page.locator("figure.chart svg")
    for index in range(charts.count()):
        chart = charts.nth(index)
        box = chart.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0, f"chart {index} is not drawn"
        assert chart.locator(MARKS).count() > 0, f"chart {index} has no marks"
    page.screenshot(path=str(output_root / "report.png"), full_page=True)
    page.recorder.assert_clean()


def test_a_units_scorecard_shows_its_own_figures(output_root, page, marts):
    open_page(page, output_root / "reports" / "latest" / "units" / "index.html")
    page.click(f"a[href='{COMMUNE}.html']")
    page.wait_for_load_state("load")

    assert page.inner_text("#unit-name") == "Xã Hoàng Vân"
    assert page.inner_text("#unit-dti") == f"{float(marts['commune']['dti_score']):.4f}"
    assert page.locator("#components tbody tr").count() >= 10
    page.screenshot(path=str(output_root / "scorecard.png"), full_page=True)
    page.recorder.assert_clean()


def test_the_dbt_docs_open_offline_and_show_the_marts(output_root, page):
    open_page(page, output_root / "index.html")
    page.click("#dbt-docs")
    page.wait_for_load_state("load")
    # The docs application renders the project tree from the manifest inlined in the page.
    page.wait_for_function("[...document.querySelectorAll('.filename-normal')]"
                           ".some(e => e.textContent.trim() === 'fct_dti_scores')", timeout=30_000)
    page.goto(page.url.split("#")[0] + "#!/model/model.dti.fct_dti_scores", wait_until="load")
    page.wait_for_selector("h1:has-text('fct_dti_scores')", timeout=30_000)
    assert "dti_score" in page.inner_text("body")
    page.screenshot(path=str(output_root / "dbt-docs.png"))
    page.recorder.assert_clean()


def test_every_link_and_image_under_the_output_folder_reachable_from_the_portal_loads(output_root, page):
    queue, seen_pages, checked, broken = deque([(output_root / "index.html").absolute().as_uri()]), set(), set(), []
    while queue:
        url = queue.popleft()
        target = Path(unquote(urlsplit(url).path))
        if target.resolve() in seen_pages:
            continue
        seen_pages.add(target.resolve())
        page.recorder.failed.clear()
        open_page(page, target)
        assert page.recorder.failed == [], f"{target.relative_to(output_root)}: {page.recorder.failed[:3]}"
        references = page.evaluate(
            """() => [...document.querySelectorAll('a[href], link[rel~="stylesheet"][href], link[rel~="icon"][href]')]
                     .map(e => e.getAttribute('href'))
                     .concat([...document.querySelectorAll('[src]')].map(e => e.getAttribute('src')))
                     .map(reference => new URL(reference, document.baseURI).href)"""
        )
        for reference in references:
            reference, _ = urldefrag(reference)
            parts = urlsplit(reference)
            if parts.scheme != "file" or not reference:
                continue
            path = Path(unquote(parts.path))
            if path.resolve() == target.resolve():
                continue  # a link within the page
            inside = os.path.abspath(path).startswith(str(output_root.absolute()))
            if not inside or not path.is_file():
                broken.append(f"{target.relative_to(output_root)} -> {reference}")
                continue
            if path in checked:
                continue
            checked.add(path)
            if path.suffix == ".html":
                queue.append(path.absolute().as_uri())
            elif path.suffix == ".xlsx":
                assert openpyxl.load_workbook(BytesIO(path.read_bytes())).sheetnames

    assert broken == []
    # The portal, both periods' reports in both languages, the scorecards, and both docs sites.
    assert len(seen_pages) > 2 * 2 + 2 * 113
    page.recorder.assert_clean()
