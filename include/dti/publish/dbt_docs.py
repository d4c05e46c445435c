"""The dbt docs of the project, generated at each run and published as ``<output_root>/docs/index.html``.

``dbt docs generate --static`` writes one self-contained page (``static_index.html``: the docs
application with the manifest and catalog inlined), which opens from the file system. The page
loads nothing from outside with one exception: when the manifest says
``send_anonymous_usage_stats: true`` it loads dbt Labs' Snowplow tracker from a CDN and reports
page views. ``dbt_project.yml`` turns that off; the publication checks it on the page itself and
refuses to publish a page that would track its readers.

Two requests go astray in the page dbt ships, both to files that do not exist: its favicon link
is a bundler placeholder (``href="${require('./assets/favicons/favicon.ico')}"``), which the
published copy replaces with an empty ``data:`` icon; and the docs' file tree draws its icons with
``<use xlink:href="{{ getIcon(...) }}">``, which the browser fetches as a file named
``{{ getIcon(...) }}`` before AngularJS fills the expression in (a failed request per tree row).
The published copy uses ``ng-attr-href`` there, so the attribute exists only once it holds the
icon's ``#id``.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

from dti import settings
from dti.dbt_invocation import dbt_failure, invoke_dbt
from dti.provinces import Province
from dti.publication import new_staging_folder, publish_folder_atomically

DOCS_DIR = "docs"
STATIC_PAGE = "static_index.html"
# The flag in the manifest metadata the static page inlines.
_TRACKING_FLAG = re.compile(r'"send_anonymous_usage_stats"\s*:\s*(true|false)')
_UNBUILT_FAVICON = re.compile(r'href="\$\{require\([^)]*favicon[^)]*\)\}"')
_ICON_BEFORE_ANGULAR = '<use xlink:href="{{'
_ICON_AFTER_ANGULAR = '<use ng-attr-href="{{'


class DbtDocsError(RuntimeError):
    """dbt could not generate the docs, or the page would reach outside."""


def publish_dbt_docs(database_url: str, output_root: Path, run_id: str, province: Province,
                     project_dir: Path = settings.DBT_PROJECT_DIR) -> Path:
    """Generate the dbt docs of the province's warehouse at ``database_url`` and publish them as
    ``<output_root>/docs`` in one switch. Returns the build folder."""
    with tempfile.TemporaryDirectory(prefix="dti-dbt-docs-") as target:
        result = invoke_dbt(database_url, ["docs", "generate", "--static", "--target-path", target], project_dir,
                            province=province)
        if not result.success:
            raise DbtDocsError(f"dbt docs generate failed: {dbt_failure(result)}")
        page = offline_page((Path(target) / STATIC_PAGE).read_text(encoding="utf-8"))
    staging = new_staging_folder(output_root, DOCS_DIR)
    try:
        (staging / "index.html").write_text(page, encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return publish_folder_atomically(staging, output_root / DOCS_DIR, run_id)


def offline_page(page: str) -> str:
    """The static docs ``page`` as published: checked not to track, icons requested only once resolved."""
    check_no_tracking(page)
    page = _UNBUILT_FAVICON.sub('href="data:,"', page)
    return page.replace(_ICON_BEFORE_ANGULAR, _ICON_AFTER_ANGULAR)


def check_no_tracking(page: str) -> None:
    """Raise DbtDocsError unless every manifest inlined in ``page`` turns usage tracking off."""
    flags = _TRACKING_FLAG.findall(page)
    if not flags:
        raise DbtDocsError("the dbt docs page inlines no manifest metadata: cannot tell whether it tracks readers")
    if any(json.loads(flag) for flag in flags):
        raise DbtDocsError(
            "the dbt docs page would load dbt Labs' usage tracker from a CDN "
            "(send_anonymous_usage_stats is true): set it to false in dbt_project.yml flags"
        )
