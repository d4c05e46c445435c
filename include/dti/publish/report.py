"""The synthesized DTI report: one self-contained HTML page per period and language (Vietnamese
``index.html``, English ``index.en.html``), both from the same figures, published atomically."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2
import psycopg

from dti.provinces import Province
from dti.publish import formatting
from dti.publish.charts import report_charts
from dti.publish.issuer import report_issuer
from dti.publish.messages import ENGLISH, LANGUAGES, VIETNAMESE, Language
from dti.publication import write_publication_atomically
from dti.publish.report_data import ReportData, load_report_data

REPORT_FILE = VIETNAMESE.file_name
ENGLISH_REPORT_FILE = ENGLISH.file_name
# Read as output/reports/<period>/ or output/reports/latest/; the Data Docs are output/quality/.
DATA_DOCS_HREF = "../../quality/index.html"


@dataclass(frozen=True)
class PublishedReport:
    folder: Path
    """The build folder of this publication; ``reports/<period>`` points at it."""
    report_path: Path  # the Vietnamese report, the one officials receive
    english_report_path: Path
    period: str
    dti_score: float
    units_scored: int  # units whose submission was scored (on time or late), as the report counts them
    units_total: int


def publish_report(
    conn: psycopg.Connection,
    period: str,
    output_root: Path,
    run_id: str,
    province: Province,
    *,
    extra_files: Mapping[str, bytes] = {},
) -> PublishedReport:
    """Build the province's report of ``period`` from its marts and make it ``reports/<period>`` and
    ``latest``.

    ``extra_files`` (path relative to the period folder -> content), such as the workbook and the
    unit scorecards, are published in the same switch, so readers never see a report without them.
    """
    data = load_report_data(conn, period, run_id)
    pages = render_report_pages(data, province)
    clashes = sorted(pages.keys() & extra_files.keys())
    if clashes:
        raise ValueError(f"extra_files may not replace the report itself ({', '.join(clashes)})")
    build = write_publication_atomically(output_root, period, run_id, {**extra_files, **pages})
    return PublishedReport(
        folder=build,
        report_path=build / REPORT_FILE,
        english_report_path=build / ENGLISH_REPORT_FILE,
        period=period,
        dti_score=data.province_dti_score,
        units_scored=data.units_submitted,
        units_total=len(data.units),
    )


def render_report_pages(data: ReportData, province: Province) -> dict[str, bytes]:
    """Every language's report of ``data``: file name -> UTF-8 HTML."""
    return {lang.file_name: render_report_html(data, province, lang).encode("utf-8") for lang in LANGUAGES}


def render_report_html(data: ReportData, province: Province, lang: Language = VIETNAMESE) -> str:
    other = next(language for language in LANGUAGES if language != lang)
    return _environment.get_template("report.html.j2").render(
        data=data,
        lang=lang,
        t=lang.t,
        other_language=other,
        issuer=report_issuer(lang.code, province),
        charts=report_charts(data, lang),
        data_docs_href=DATA_DOCS_HREF,
        # The signer dates the report; the year it was drawn up is printed for the date line.
        issued_year=data.generated_at.astimezone(formatting.VIETNAM_TIME).year,
    )


def _build_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("dti.publish", "templates"),
        # Extension-based autoescape would miss '.html.j2': unit and file names come from outside.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        dti_value=formatting.format_dti_value,
        signed_dti_value=formatting.format_signed_dti_value,
        number=_in_language(formatting.format_number),
        percent=_in_language(formatting.format_percent),
        target_actual=_in_language(formatting.format_target_actual),
        target_goal=_in_language(formatting.format_target_goal),
        target_gap=_in_language(formatting.format_target_gap),
        target_change=_in_language(formatting.format_target_change),
        name_list=_in_language(formatting.format_name_list),
        vietnam_time=_in_language(formatting.format_vietnam_time),
    )
    return environment


def _in_language(format_value):
    """A filter that formats in the language of the page being rendered."""

    @jinja2.pass_context
    def format_in_language(context: jinja2.runtime.Context, value):
        return format_value(value, context["lang"])

    return format_in_language


_environment = _build_environment()
