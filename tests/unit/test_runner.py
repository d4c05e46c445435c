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


def test_the_last_exception_line_of_the_log_is_the_error_shown(tmp_path):
    log = tmp_path / "run.log"
    log.write_text(
        "INFO starting\n"
        "ValueError: an earlier, retried problem\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1\n'
        "dti.quality.gates.MartsValidationFailed: marts validation failed for 2026-Q3: A DTI score lies outside [0, 1]\n"
        "INFO done\n",
        encoding="utf-8",
    )
    assert runner.last_error_in(log) == (
        "dti.quality.gates.MartsValidationFailed: marts validation failed for 2026-Q3: A DTI score lies outside [0, 1]"
    )


def test_a_clean_log_has_no_error_to_show(tmp_path):
    log = tmp_path / "run.log"
    log.write_text("INFO all good\n", encoding="utf-8")
    assert runner.last_error_in(log) is None
