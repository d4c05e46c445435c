"""The portal ``<output_root>/index.html``: one page linking everything published.

It links the latest report (Vietnamese and English), its workbook, unit scorecards and feedback
letters to the units, every past report still under ``reports/``, the dbt docs (``docs/``) and
the Data Docs (``quality/``).
It is rebuilt from what is on disk after each publication, so it links only files that exist,
and it is replaced in one rename: a reader sees the old page or the new one.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path

from dti.provinces import Province
from dti.publish.dbt_docs import DOCS_DIR
from dti.publish.letters import LETTERS_INDEX
from dti.publish.messages import ENGLISH, VIETNAMESE
from dti.publication import LATEST_LINK
from dti.publish.scorecards import UNITS_INDEX
from dti.publish.templating import page_environment
from dti.publish.workbook import workbook_file_name

PORTAL_FILE = "index.html"
REPORTS_DIR = "reports"
QUALITY_DIR = "quality"  # dti.quality.data_docs publishes there; publish never imports quality
_PERIOD_FOLDER = re.compile(r"\d{4}(-[0-9A-Za-z]+)?")


@dataclass(frozen=True)
class PublishedPeriod:
    """The files of one period's publication, as hrefs relative to the portal (None when absent)."""

    period: str
    folder: str  # 'reports/2026-Q3' or 'reports/latest'
    report_vi: str | None
    report_en: str | None
    workbook: str | None
    scorecards: str | None
    letters: str | None  # the index of the feedback letters to the units


@dataclass(frozen=True)
class Portal:
    latest: PublishedPeriod | None
    periods: list[PublishedPeriod]  # newest first, the latest included
    dbt_docs: str | None
    data_docs: str | None
    generated_at: datetime


def publish_portal(output_root: Path, province: Province) -> Path:
    """Write the province's ``<output_root>/index.html`` from what is published now; returns its path."""
    html = render_portal(read_portal(output_root), province)
    target = output_root / PORTAL_FILE
    output_root.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".tmp-portal-", suffix=".html", dir=output_root)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(html.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def read_portal(output_root: Path) -> Portal:
    reports = output_root / REPORTS_DIR
    periods = sorted(
        (entry.name for entry in (reports.iterdir() if reports.is_dir() else [])
         if _PERIOD_FOLDER.fullmatch(entry.name) and entry.is_dir()),
        reverse=True,
    )
    latest_link = reports / LATEST_LINK
    latest = None
    if latest_link.is_dir():
        latest = _published_period(output_root, Path(os.readlink(latest_link)).name if latest_link.is_symlink()
                                   else LATEST_LINK, f"{REPORTS_DIR}/{LATEST_LINK}")
    return Portal(
        latest=latest,
        periods=[_published_period(output_root, period, f"{REPORTS_DIR}/{period}") for period in periods],
        dbt_docs=_href_if_exists(output_root, f"{DOCS_DIR}/index.html"),
        data_docs=_href_if_exists(output_root, f"{QUALITY_DIR}/index.html"),
        generated_at=datetime.now(UTC),
    )


def render_portal(portal: Portal, province: Province) -> str:
    return _environment.get_template("portal.html.j2").render(portal=portal, province=province)


def _published_period(output_root: Path, period: str, folder: str) -> PublishedPeriod:
    return PublishedPeriod(
        period=period,
        folder=folder,
        report_vi=_href_if_exists(output_root, f"{folder}/{VIETNAMESE.file_name}"),
        report_en=_href_if_exists(output_root, f"{folder}/{ENGLISH.file_name}"),
        workbook=_href_if_exists(output_root, f"{folder}/{workbook_file_name(period)}"),
        scorecards=_href_if_exists(output_root, f"{folder}/{UNITS_INDEX}"),
        letters=_href_if_exists(output_root, f"{folder}/{LETTERS_INDEX}"),
    )


def _href_if_exists(output_root: Path, href: str) -> str | None:
    return href if (output_root / href).is_file() else None


_environment = page_environment()
