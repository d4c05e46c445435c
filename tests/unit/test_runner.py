"""The parts of an in-process run that decide what the person at the terminal is told."""

import pytest

from dti import runner


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([], None),
        (["success", "running"], None),
        (["success", "none"], None),
        (["success", "success"], "success"),
        (["success", "failed", "upstream_failed"], "failed"),
        (["upstream_failed", "upstream_failed"], "upstream_failed"),
    ],
)
def test_a_stage_is_reported_once_all_its_tasks_have_finished(states, expected):
    assert runner.stage_state(states) == expected


def test_dbt_tasks_belong_to_the_transform_stage():
    assert runner.stage_of("transform.fct_dti_scores.run") == "transform"
    assert runner.stage_of("land") == "land"


def test_the_exception_ending_the_last_traceback_is_the_error_shown(tmp_path):
    log = tmp_path / "run.log"
    log.write_text(
        "INFO starting\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1\n'
        "ValueError: an earlier, retried problem\n"
        "Traceback (most recent call last):\n"
        '  File "landing.py", line 30, in land_submissions\n'
        "    raise ex.with_traceback(None)\n"
        'psycopg.errors.CheckViolation: new row for relation "landed_files" violates check constraint\n'
        "INFO retrying\n",
        encoding="utf-8",
    )
    assert runner.last_error_in(log) == (
        'psycopg.errors.CheckViolation: new row for relation "landed_files" violates check constraint'
    )


def test_a_clean_log_has_no_error_to_show(tmp_path):
    log = tmp_path / "run.log"
    log.write_text("INFO all good\n", encoding="utf-8")
    assert runner.last_error_in(log) is None
