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


def test_a_stage_with_a_mapped_task_has_ended_only_once_every_index_has():
    instances = [
        runner.TaskInstanceState("land.submissions", -1, "success"),
        runner.TaskInstanceState("land.certificates", 0, "success"),
        runner.TaskInstanceState("land.certificates", 1, "running"),
        runner.TaskInstanceState("land.certificates", 2, "success"),
        runner.TaskInstanceState("validate_raw", -1, "none"),
    ]

    assert runner.states_of_stage(instances, "land") == ["success", "success", "running", "success"]
    assert runner.stage_state(runner.states_of_stage(instances, "land")) is None


def landing_counts(files: int = 1, rows: int = 0, **others: int) -> dict:
    return {"files": files, "landed": files, "already_received": 0, "quarantined": 0, "rows_landed": rows,
            "rows_rejected": 0, **others}


def test_the_land_line_sums_what_every_mapped_task_returned():
    # four certificate registers, one mapped task each: the line is their sum, not the first one's
    returned = {
        "land.submissions": [landing_counts(files=5, rows=160, already_received=1, quarantined=1, rows_rejected=2)],
        "land.certificates": [landing_counts(rows=rows) for rows in (251_002, 248_377, 249_130, 249_002)],
        "land.population": [landing_counts(rows=12)],
        "land.ministry": [landing_counts(files=0)],
        "land.dossiers": [{"rows_landed": 181_210, "rows_rejected": 3, "period": "2026-Q2", "period_dossiers": 60_412}],
    }

    line = runner.describe_land("2026-Q2", returned)

    assert line == ("10 files for 2026-Q2 (1 already received): 160 self-assessment, 997,511 certificate, "
                    "12 population, 0 ministry rows landed; 60,412 dossiers for 2026-Q2; "
                    "quarantined: 1 files, 5 rows")


def test_a_sync_that_does_not_count_the_period_s_dossiers_is_not_read_as_the_period_s():
    line = runner.describe_land("2026-Q2", {"land.dossiers": [{"rows_landed": 180_000, "rows_rejected": 0}]})

    assert "180,000 dossier versions landed, of any period" in line
    assert "for 2026-Q2: 0 self-assessment" in line


def test_the_raw_gate_s_line_names_each_source_s_rows_and_what_it_flagged():
    volumes = {"submissions": {"rows": 1_204, "finding": "ok"},
               "certificates": {"rows": 400_000, "finding": "below_trailing_median"},
               "population": {"rows": 126, "finding": "ok"},
               "dossiers": {"rows": 0, "finding": "missing_allowed"}}

    assert runner.describe_volumes("2026-Q2", volumes) == (
        "; rows for 2026-Q2: submissions 1,204, certificates 400,000, population 126, dossiers 0; "
        "published without: dossiers; below their trailing median: certificates")
