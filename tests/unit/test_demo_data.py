"""Demo data is deterministic per seed and realistic enough to exercise the pipeline."""

import shutil
from datetime import datetime, timezone

import pytest

from dti.demo.submissions import (
    RESUBMISSION_SUFFIX,
    VIETNAM,
    DemoPlan,
    components_for,
    generate_submissions,
    load_components,
    load_units,
)
from dti.sources import submissions
from dti.periods import period_end
from dti.sources.submission_template import submission_deadline, submission_rules

PERIOD = "2026-Q3"
LIMIT = 10_000_000
RULES = submission_rules(PERIOD)


def _read_all(paths):
    """file name -> (unit, accepted (code, numerator, denominator) rows, rejected row count), and the unreadable files."""
    readable, unreadable = {}, []
    for path in paths:
        try:
            submission = submissions.read_submission(path.read_bytes(), path.name, LIMIT, RULES)
            rows = [(r["component_code"], r["numerator"], r["denominator"]) for r in submission.rows]
            readable[path.name] = (submission.unit_code, rows, len(submission.rejected))
        except submissions.UnreadableSubmission:
            unreadable.append(path.name)
    return readable, unreadable


def _sent_at(path):
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).astimezone(VIETNAM)


@pytest.fixture(scope="module")
def default_inbox(tmp_path_factory):
    """The inbox `dti run` fills when it is empty: the default plan, generated once for these tests."""
    folder = tmp_path_factory.mktemp("inbox")
    paths = generate_submissions(folder, DemoPlan(period=PERIOD))
    return folder, paths, _read_all(paths)


def test_same_seed_same_content_and_times_other_seed_other_content(tmp_path, default_inbox):
    _, paths, (readable, unreadable) = default_inbox
    again_paths = generate_submissions(tmp_path / "again", DemoPlan(period=PERIOD))
    other = _read_all(generate_submissions(tmp_path / "other", DemoPlan(period=PERIOD, seed=8)))
    assert _read_all(again_paths) == (readable, unreadable)
    assert [(p.name, p.stat().st_mtime) for p in again_paths] == [(p.name, p.stat().st_mtime) for p in paths]
    assert other != (readable, unreadable)


def test_each_unit_reports_its_own_components_with_valid_ratios_and_one_file_is_damaged(default_inbox):
    units = {u["unit_code"]: u for u in load_units()}
    components = load_components()
    _, _, (readable, unreadable) = default_inbox
    assert len(unreadable) == 1
    senders = {unit for unit, _, _ in readable.values()}
    assert 0 < len(senders) < len(units)  # some units stay silent, as some always do
    for unit_code, rows, rejected in readable.values():
        expected = {c["component_code"] for c in components_for(units[unit_code], components)}
        codes = [code for code, _, _ in rows]
        assert set(codes) <= expected and len(codes) == len(set(codes))
        if not rejected:
            assert set(codes) == expected
        assert all(0 <= numerator <= denominator for _, numerator, denominator in rows)


def test_some_files_have_a_row_written_wrongly_and_only_that_row_is_set_aside(default_inbox):
    plan = DemoPlan(period=PERIOD)
    _, paths, (readable, _) = default_inbox
    senders = len({unit for unit, _, _ in readable.values()})
    # The malformed files, and the first files of the units that sent a corrected one.
    flawed = [rejected for _, _, rejected in readable.values() if rejected]
    assert len(flawed) == round(senders * plan.malformed_share) + round(senders * plan.resubmitted_share)
    assert all(rejected <= 2 for rejected in flawed)  # one row wrong, or one row written twice


def test_late_files_arrive_after_the_deadline_and_the_others_between_period_end_and_deadline(default_inbox):
    plan = DemoPlan(period=PERIOD)
    _, paths, (readable, _) = default_inbox
    senders = len({unit for unit, _, _ in readable.values()})
    deadline, end = submission_deadline(PERIOD), period_end(PERIOD)
    first_files = [path for path in paths if not path.stem.endswith(RESUBMISSION_SUFFIX)]
    late = [path for path in first_files if _sent_at(path).date() > deadline]
    assert all(_sent_at(path).date() > end for path in paths)
    assert len(late) == round(senders * plan.late_share)


def test_a_resubmission_corrects_a_first_file_and_arrives_after_it(default_inbox):
    _, paths, (readable, _) = default_inbox
    corrected = [p for p in paths if p.stem.endswith(RESUBMISSION_SUFFIX)]
    assert len(corrected) == round(len({unit for unit, _, _ in readable.values()}) * DemoPlan(PERIOD).resubmitted_share)
    for path in corrected:
        first = path.with_name(path.name.replace(RESUBMISSION_SUFFIX, ""))
        assert _sent_at(first) < _sent_at(path)
        assert readable[first.name][0] == readable[path.name][0]
        assert readable[first.name][2] > 0 and readable[path.name][2] == 0


def test_existing_files_are_left_untouched(tmp_path, default_inbox):
    folder, paths, _ = default_inbox
    inbox = tmp_path / "inbox"
    shutil.copytree(folder, inbox)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime) for p in paths}
    # Another seed would write other figures and times into every file it touched.
    generate_submissions(inbox, DemoPlan(period=PERIOD, seed=9))
    assert {name: ((inbox / PERIOD / name).read_bytes(), (inbox / PERIOD / name).stat().st_mtime)
            for name in before} == before
