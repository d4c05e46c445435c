"""The synthesized DTI report: one self-contained HTML page per period, published atomically."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import psycopg

from dti.publish.publication import write_publication_atomically
from dti.publish.report_data import QuarantinedFile, ReportData, load_report_data

REPORT_FILE = "index.html"
VIETNAM_TIME = ZoneInfo("Asia/Ho_Chi_Minh")

UNIT_TYPE_LABELS = {"department": "Sở/ban ngành", "commune": "Xã", "ward": "Phường"}
SUBMISSION_STATUS_LABELS = {"computed": "Đã nộp", "submitted": "Đã nộp", "missing": "Chưa nộp"}
INDEX_GROUP_LABELS = {"foundation": "Nền tảng chung", "activity": "Hoạt động"}


@dataclass(frozen=True)
class PublishedReport:
    report_path: Path
    period: str
    dti_score: float


def publish_report(
    conn: psycopg.Connection,
    period: str,
    output_root: Path,
    run_id: str,
    quarantined: Sequence[QuarantinedFile],
) -> PublishedReport:
    """Build the report of ``period`` from the marts and make it ``reports/<period>`` and ``latest``."""
    data = load_report_data(conn, period, run_id, quarantined)
    html = render_report_html(data)
    build = write_publication_atomically(output_root, period, run_id, {REPORT_FILE: html.encode("utf-8")})
    return PublishedReport(report_path=build / REPORT_FILE, period=period, dti_score=data.province_dti_score)


def render_report_html(data: ReportData) -> str:
    return _environment.get_template("report.html.j2").render(data=data)


def format_dti_value(value: float) -> str:
    """An index value on the 0–1 scale: 4 decimals, dot-decimal so the figure reads back exactly."""
    return f"{_round_half_up(value, 4):.4f}"


def format_vietnamese_number(value: float, max_decimals: int = 2) -> str:
    """Points the Vietnamese way: '1.000', '612,35'."""
    text = f"{_round_half_up(value, max_decimals):,.{max_decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,"))


def _round_half_up(value: float, places: int) -> Decimal:
    # Through the shortest decimal form, so 0.70005 from the marts prints 0.7001 as a person
    # rounding it would, not 0.7000 as its binary approximation would.
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_vietnam_time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM_TIME).strftime("%H:%M ngày %d/%m/%Y (giờ Việt Nam)")


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
        dti_value=format_dti_value,
        vi_number=format_vietnamese_number,
        vietnam_time=format_vietnam_time,
    )
    environment.globals.update(
        unit_type_labels=UNIT_TYPE_LABELS,
        submission_status_labels=SUBMISSION_STATUS_LABELS,
        index_group_labels=INDEX_GROUP_LABELS,
    )
    return environment


_environment = _build_environment()
