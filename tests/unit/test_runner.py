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


def test_an_estimated_dti_is_printed_with_its_range_and_coverage():
    coverage = runner.DtiCoverageLine(is_estimate=True, dti_lowest=0.40312, dti_highest=0.87654,
                                      components_measured=26, components_proxy=26, official_component_count=47)

    line = runner.describe_province_dti("2026-Q3", 0.73456, coverage)

    assert line == ("Province DTI 2026-Q3 (estimate): 0.7346, range 0.4031–0.8765; 26 of the framework's 47 "
                    "official components measured, 26 of them by provincial proxies")


def test_a_dti_measured_in_full_is_printed_alone():
    coverage = runner.DtiCoverageLine(is_estimate=False, dti_lowest=0.7, dti_highest=0.7,
                                      components_measured=47, components_proxy=0, official_component_count=47)

    assert runner.describe_province_dti("2026-Q3", 0.7, coverage) == "Province DTI 2026-Q3: 0.7000"
