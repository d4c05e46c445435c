"""Feedback letters: what the focal point writes back to the units about a period, published with
the report in the same switch.

``reports/<period>/letters/<unit_code>.docx`` and ``.html``: one letter to each unit that sent
late, sent nothing, had every file refused, or had rows set aside (``rpt_unit_feedback``), listing
every problem still open with its file, row, column and what to write, and the deadline to send it
again; ``letters/don-doc.docx`` and ``.html``: the summary urging letter (công văn đôn đốc) to every
late, missing and rejected unit; ``letters/index.html`` lists them. The .docx is the copy officials
register, sign and send; the HTML page is the same letter to read in a browser (self-contained,
inline CSS). Read from the marts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, UTC

import psycopg

from dti.provinces import Province
from dti.publish.formatting import VIETNAM_TIME
from dti.publish.letters.feedback import UnitFeedback, load_unit_feedback
from dti.publish.letters.word import letter_docx
from dti.publish.letters.wording import Letter, letter_settings, unit_letter, urging_letter
from dti.publish.scorecards import PORTAL_HREF, REPORT_HREF, SAFE_UNIT_CODE, UNITS_DIR, UNITS_INDEX
from dti.publish.templating import page_environment

LETTERS_DIR = "letters"
LETTERS_INDEX = f"{LETTERS_DIR}/index.html"
URGING_LETTER_STEM = "don-doc"
# Names in letters/ a unit's letter may not take.
_RESERVED_STEMS = {"index", URGING_LETTER_STEM}


@dataclass(frozen=True)
class LetterFiles:
    """One letter's two copies, as paths relative to ``reports/<period>``."""

    title: str
    html: str
    docx: str


@dataclass(frozen=True)
class FeedbackLetters:
    files: dict[str, bytes]  # path relative to reports/<period> -> content, for publish_report's extra_files
    of_units: dict[str, LetterFiles]  # unit code -> its letter, for its scorecard's link
    urging: LetterFiles | None


def feedback_letters(conn: psycopg.Connection, period: str, province: Province) -> FeedbackLetters:
    """The letters of ``period`` and their index, from the marts."""
    return render_feedback_letters(period, load_unit_feedback(conn, period), province, datetime.now(UTC))


def render_feedback_letters(period: str, units: Sequence[UnitFeedback], province: Province,
                            generated_at: datetime) -> FeedbackLetters:
    """Every unit's letter, the urging letter and the index; the letters are dated in the year of
    ``generated_at`` and their deadlines counted from its day (Vietnam time)."""
    issued_on = generated_at.astimezone(VIETNAM_TIME).date()
    settings = letter_settings(province)
    units = [unit for unit in units if unit.needs_letter]
    files: dict[str, bytes] = {}
    of_units: dict[str, LetterFiles] = {}
    for unit in units:
        if not SAFE_UNIT_CODE.fullmatch(unit.unit_code) or unit.unit_code in _RESERVED_STEMS:
            raise ValueError(f"unit code {unit.unit_code!r} cannot name a letter file")
        of_units[unit.unit_code] = _add_letter(files, unit_letter(unit, settings, issued_on),
                                               scorecard=f"../{UNITS_DIR}/{unit.unit_code}.html")
    urging = urging_letter(units, period, settings, issued_on, URGING_LETTER_STEM)
    urging_files = _add_letter(files, urging) if urging else None
    index = _environment.get_template("letters_index.html.j2").render(
        period=period, province=province, generated_at=generated_at, links=_links(),
        urging=_from_letters_dir(urging_files) if urging_files else None,
        units=[{"unit": unit, "scorecard": f"../{UNITS_DIR}/{unit.unit_code}.html",
                "letter": _from_letters_dir(of_units[unit.unit_code])} for unit in units])
    files[LETTERS_INDEX] = index.encode("utf-8")
    return FeedbackLetters(files=files, of_units=of_units, urging=urging_files)


def _add_letter(files: dict[str, bytes], letter: Letter, scorecard: str | None = None) -> LetterFiles:
    paths = LetterFiles(title=letter.title, html=f"{LETTERS_DIR}/{letter.file_stem}.html",
                        docx=f"{LETTERS_DIR}/{letter.file_stem}.docx")
    html = _environment.get_template("letter.html.j2").render(
        letter=letter, links={**_links(), "docx": f"{letter.file_stem}.docx", "scorecard": scorecard})
    files[paths.html] = html.encode("utf-8")
    files[paths.docx] = letter_docx(letter)
    return paths


def _links() -> dict[str, str]:
    """From a page in reports/<period>/letters/, the same depth as the scorecards'."""
    return {"report": REPORT_HREF, "portal": PORTAL_HREF, "units": f"../{UNITS_INDEX}", "letters": "index.html"}


def _from_letters_dir(files: LetterFiles) -> LetterFiles:
    """``files`` as hrefs from a page inside letters/."""
    return LetterFiles(title=files.title, html=files.html.removeprefix(f"{LETTERS_DIR}/"),
                       docx=files.docx.removeprefix(f"{LETTERS_DIR}/"))


_environment = page_environment()
