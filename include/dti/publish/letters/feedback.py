"""What the focal point writes to each unit about a period, as the marts hold it: the unit's
submission (``rpt_unit_feedback``) and the problems still open in what it sent
(``rpt_unit_feedback_problems``), each with the file, row and column and what to write."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import psycopg

from dti.publish.marts import mart_rows
from dti.publish.messages import VIETNAMESE

# Where a reason names its place before saying what is wrong: 'SNV.xlsx · đơn vị SNV · dòng 12 ·
# cột "Giá trị": …' (after the file's name). The table of the letter shows the place in its own columns.
_PLACE_AFTER_FILE_NAME = re.compile(r'(?: · (?:đơn vị [^·:]*|dòng \d+|cột "[^"]*"))*: ')


@dataclass(frozen=True)
class FeedbackProblem:
    file_name: str
    row_number: int | None  # None when the whole file was set aside
    column_name: str | None  # the raw column, e.g. 'reported_value'
    reason: str  # as recorded: '<Vietnamese> / <English>'

    @property
    def is_whole_file(self) -> bool:
        return self.row_number is None

    @property
    def column_header(self) -> str | None:
        """The column as the unit's template heads it ('Giá trị')."""
        return VIETNAMESE.label("submission_column", self.column_name) if self.column_name else None

    @property
    def what_to_write(self) -> str:
        """What the unit must fix, in Vietnamese, without the place the letter shows beside it."""
        text = reason_in_vietnamese(self.reason, self.file_name)
        if text.startswith(self.file_name):
            place = _PLACE_AFTER_FILE_NAME.match(text, len(self.file_name))
            if place and place.end() < len(text):
                text = text[place.end():]
        return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class UnitFeedback:
    period: str
    unit_code: str
    name_vi: str
    unit_type: str  # 'department', 'commune' or 'ward'
    submission_status: str  # 'late', 'rejected', 'missing', or 'on_time' with rows set aside
    due_date: date | None
    first_accepted_at: datetime | None
    file_in_use: str | None
    files_received: int
    files_rejected: int
    files_to_send_again: int
    rows_to_fix: int
    problems: Sequence[FeedbackProblem]

    @property
    def needs_letter(self) -> bool:
        """A unit that sent in time and has nothing open is not written to (rpt_unit_feedback holds none)."""
        return self.submission_status != "on_time" or bool(self.problems)

    @property
    def is_urged(self) -> bool:
        """Whether the summary urging letter names the unit: it has sent late, nothing, or nothing usable."""
        return self.submission_status in ("late", "rejected", "missing")


def load_unit_feedback(conn: psycopg.Connection, period: str) -> list[UnitFeedback]:
    """Every unit the focal point writes to about ``period``, in the order the letters are listed."""
    at_period = {"period": period}
    units = mart_rows(conn, "rpt_unit_feedback", "period = %(period)s", at_period, "letter_order")
    problems = mart_rows(conn, "rpt_unit_feedback_problems", "period = %(period)s", at_period,
                         "unit_code, problem_order")
    problems_of_unit = defaultdict(list)
    for row in problems:
        problems_of_unit[row["unit_code"]].append(FeedbackProblem(
            file_name=row["file_name"], row_number=row["file_row_number"], column_name=row["column_name"],
            reason=row["reason"] or ""))
    return [
        UnitFeedback(
            period=period, unit_code=row["unit_code"], name_vi=row["name_vi"], unit_type=row["unit_type"],
            submission_status=row["submission_status"], due_date=row["due_date"],
            first_accepted_at=row["first_accepted_at"], file_in_use=row["file_in_use"],
            files_received=row["files_received"] or 0, files_rejected=row["files_rejected"] or 0,
            files_to_send_again=row["files_to_send_again"] or 0, rows_to_fix=row["rows_to_fix"] or 0,
            problems=tuple(problems_of_unit[row["unit_code"]]),
        )
        for row in units
    ]


def reason_in_vietnamese(reason: str, file_name: str) -> str:
    """The Vietnamese half of a reason recorded as '<Vietnamese> / <English>'.

    Both halves begin by naming the file, so the English half starts where the file is named a
    second time; a ' / ' inside the Vietnamese text ('"Có" / "Không"') is not taken for it. A
    reason in one language only is returned whole."""
    boundary = reason.find(f" / {file_name}", len(file_name))
    return reason[:boundary] if boundary > 0 else reason
