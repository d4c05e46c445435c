"""The portal links only what is published; `dti serve` serves the output folder; the dbt docs page is
published only when it neither tracks readers nor requests files that do not exist."""

from __future__ import annotations

import threading
import urllib.request

import pytest

from dti.publish.dbt_docs import DbtDocsError, offline_page
from dti.publish.portal import publish_portal, read_portal
from dti.publication import write_publication_atomically
from dti.publish.serve import output_server, server_url
from tests.helpers import PROVINCE

PAGE = ('<link rel="shortcut icon" href="${require(\'./assets/favicons/favicon.ico\')}"/>'
        '<svg><use xlink:href="{{ getIcon(item.type, \'on\') }}"></use></svg>'
        '<script>var m = {"metadata": {"send_anonymous_usage_stats": %s}};</script>')


def test_the_portal_links_published_periods_and_leaves_out_what_is_missing(tmp_path):
    write_publication_atomically(tmp_path, "2026-Q2", "run-1", {"index.html": b"q2"})
    write_publication_atomically(tmp_path, "2026-Q3", "run-2", {"index.html": b"q3", "index.en.html": b"en",
                                                                 "dti-2026-Q3.xlsx": b"x", "units/index.html": b"u"})
    portal = read_portal(tmp_path)

    assert [period.period for period in portal.periods] == ["2026-Q3", "2026-Q2"]
    assert portal.latest.period == "2026-Q3"
    assert (portal.latest.report_en, portal.latest.workbook, portal.latest.scorecards) == (
        "reports/latest/index.en.html", "reports/latest/dti-2026-Q3.xlsx", "reports/latest/units/index.html")
    assert portal.periods[1].report_en is None and portal.dbt_docs is None and portal.data_docs is None
    html = publish_portal(tmp_path, PROVINCE).read_text(encoding="utf-8")
    assert 'href="reports/2026-Q2/index.html"' in html and "docs/index.html" not in html
    assert not list(tmp_path.glob(".tmp-portal-*"))


def test_serve_answers_with_the_published_portal(tmp_path):
    (tmp_path / "index.html").write_text("<h1>Bắc Ninh</h1>", encoding="utf-8")
    with output_server(tmp_path, port=0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            url = server_url(server)
            assert url.startswith("http://127.0.0.1:")
            with urllib.request.urlopen(url + "index.html", timeout=5) as response:
                assert response.read().decode("utf-8") == "<h1>Bắc Ninh</h1>"
        finally:
            server.shutdown()


def test_dbt_docs_page_loses_its_broken_requests():
    published = offline_page(PAGE % "false")

    assert 'href="data:,"' in published and "require(" not in published
    assert '<use ng-attr-href="{{ getIcon' in published and "xlink:href=\"{{" not in published


@pytest.mark.parametrize("flag", ["true", None])
def test_dbt_docs_page_that_could_track_readers_is_refused(flag):
    with pytest.raises(DbtDocsError):
        offline_page(PAGE % flag if flag else "<html></html>")
