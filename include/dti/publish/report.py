"""The synthesized DTI report: one self-contained HTML page per period, published atomically."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import psycopg

from dti.publish.publication import write_publication_atomically
from dti.publish.report_data import QuarantinedFile, ReportData, TargetProgress, load_report_data

REPORT_FILE = "index.html"
VIETNAM_TIME = ZoneInfo("Asia/Ho_Chi_Minh")

UNIT_TYPE_LABELS = {"department": "Sở/ban ngành", "commune": "Xã", "ward": "Phường"}
SUBMISSION_STATUS_LABELS = {
    "on_time": "Nộp đúng hạn",
    "late": "Nộp muộn",
    "rejected": "Bị từ chối (mọi tệp bị cách ly)",
    "missing": "Chưa nộp",
}
INDEX_GROUP_LABELS = {"foundation": "Nền tảng chung", "activity": "Hoạt động"}
RESPONSIBLE_UNIT_LABELS = {
    "all": "Các sở, ban, ngành và xã, phường",
    "department": "Các sở, ban, ngành",
    "commune": "Các xã, phường",
    "focal_point": "Sở Khoa học và Công nghệ (đầu mối)",
    "province_systems": "Hệ thống dùng chung của tỉnh",
}
YES_NO_LABELS = {1.0: "Có", 0.5: "Một phần", 0.0: "Không"}
COMPARISON_SIGNS = {"at_least": "≥", "at_most": "≤"}
NOT_MEASURED = "chưa đo được"


@dataclass(frozen=True)
class PublishedReport:
    folder: Path
    """The build folder of this publication; ``reports/<period>`` points at it."""
    report_path: Path
    period: str
    dti_score: float


def publish_report(
    conn: psycopg.Connection,
    period: str,
    output_root: Path,
    run_id: str,
    quarantined: Sequence[QuarantinedFile],
    *,
    extra_files: Mapping[str, bytes] = {},
) -> PublishedReport:
    """Build the report of ``period`` from the marts and make it ``reports/<period>`` and ``latest``.

    ``extra_files`` (path relative to the period folder -> content), such as the workbook and the
    unit scorecards, are published in the same switch, so readers never see a report without them.
    """
    data = load_report_data(conn, period, run_id, quarantined)
    html = render_report_html(data)
    files = {**extra_files, REPORT_FILE: html.encode("utf-8")}
    if len(files) != len(extra_files) + 1:
        raise ValueError(f"extra_files may not replace the report itself ({REPORT_FILE})")
    build = write_publication_atomically(output_root, period, run_id, files)
    return PublishedReport(
        folder=build, report_path=build / REPORT_FILE, period=period, dti_score=data.province_dti_score
    )


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


def format_signed_dti_value(value: float) -> str:
    """A change of an index value, with its sign: '+0.0123', '-0.0050', '0.0000'."""
    return _signed(format_dti_value(value))


def format_percent(rate: float) -> str:
    """A rate on the 0–1 scale as a Vietnamese percentage: '60%', '55,3%'."""
    return f"{format_vietnamese_number(rate * 100, 1)}%"


def format_target_actual(target: TargetProgress) -> str:
    if target.actual_value is None:
        return NOT_MEASURED
    return _format_target_quantity(target.actual_value, target.value_kind)


def format_target_goal(target: TargetProgress) -> str:
    """The value to reach, with its direction: '≥ 0.7500', '≤ 10', '≥ 60%'; 'Có' for a yes/no target."""
    quantity = _format_target_quantity(target.target_value, target.value_kind)
    if target.value_kind == "yes_no":
        return quantity
    return f"{COMPARISON_SIGNS[target.comparison]} {quantity}"


def format_target_gap(target: TargetProgress) -> str:
    """What is still missing to reach the target (0 once met); a yes/no target has no distance."""
    if target.gap is None or target.value_kind == "yes_no":
        return "–"
    if target.value_kind == "rank":
        return f"{round(target.gap)} bậc"
    if target.value_kind == "rate":
        return f"{format_vietnamese_number(target.gap * 100, 1)} điểm %"
    if target.value_kind == "dti":
        return format_dti_value(target.gap)
    return format_vietnamese_number(target.gap)


def format_target_change(target: TargetProgress) -> str:
    """The trend since the previous period, in the target's own terms."""
    change = target.change_since_previous
    if change is None:
        return "–"
    if target.value_kind == "yes_no":
        if change == 0:
            return "không đổi"
        return f"{_format_target_quantity(target.previous_actual_value, 'yes_no')} → {format_target_actual(target)}"
    if target.value_kind == "rank":
        # a smaller rank is a better one
        places = round(abs(change))
        return "giữ nguyên" if places == 0 else f"{'lên' if change < 0 else 'xuống'} {places} bậc"
    if target.value_kind == "rate":
        return f"{_signed(format_vietnamese_number(change * 100, 1))} điểm %"
    if target.value_kind == "dti":
        return format_signed_dti_value(change)
    return _signed(format_vietnamese_number(change))


def format_name_list(names: Sequence[str], limit: int = 5) -> str:
    """The first ``limit`` names, then how many more: 'Xã A, Xã B và 3 đơn vị khác'."""
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} và {len(names) - limit} đơn vị khác"


def _format_target_quantity(value: float, kind: str) -> str:
    if kind == "dti":
        return format_dti_value(value)
    if kind == "rank":
        return str(round(value))
    if kind == "rate":
        return format_percent(value)
    if kind == "yes_no":
        return YES_NO_LABELS.get(value, format_vietnamese_number(value))
    return format_vietnamese_number(value)


def _signed(text: str) -> str:
    """A formatted change with '+' before a rise; a change that rounds to zero gets no sign."""
    unsigned = text.removeprefix("-")
    if not unsigned.strip("0.,"):
        return unsigned
    return text if text.startswith("-") else f"+{text}"


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
        signed_dti_value=format_signed_dti_value,
        vi_number=format_vietnamese_number,
        percent=format_percent,
        target_actual=format_target_actual,
        target_goal=format_target_goal,
        target_gap=format_target_gap,
        target_change=format_target_change,
        name_list=format_name_list,
        vietnam_time=format_vietnam_time,
    )
    environment.globals.update(
        unit_type_labels=UNIT_TYPE_LABELS,
        submission_status_labels=SUBMISSION_STATUS_LABELS,
        index_group_labels=INDEX_GROUP_LABELS,
        responsible_unit_labels=RESPONSIBLE_UNIT_LABELS,
        not_measured=NOT_MEASURED,
    )
    return environment


_environment = _build_environment()
