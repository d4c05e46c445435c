"""Demo data is deterministic per seed and realistic enough to exercise the pipeline."""

import shutil
from collections import defaultdict
from datetime import datetime, UTC
from decimal import Decimal
from statistics import mean

import pytest

from dti.catalog.seeds import load_components, load_tiers, load_units
from dti.demo.submissions import RESUBMISSION_SUFFIX, VIETNAM, DemoPlan, generate_submissions
from dti.sources import submissions
from dti.periods import period_end
from dti.sources.submission_template import components_for, submission_deadline, submission_rules
from tests.helpers import PROVINCE

FOCAL_POINT = PROVINCE.focal_point_unit_code

PERIOD = "2026-Q3"
LIMIT = 10_000_000
RULES = submission_rules(PERIOD, PROVINCE)


def _read_all(paths):
    """file name -> (unit, accepted (code, numerator, denominator, value) rows, rejected row count), and the
    unreadable files."""
    readable, unreadable = {}, []
    for path in paths:
        try:
            submission = submissions.read_submission(path.read_bytes(), path.name, LIMIT, RULES)
            rows = [(r["component_code"], r["numerator"], r["denominator"], r["reported_value"])
                    for r in submission.rows]
            readable[path.name] = (submission.unit_code, rows, len(submission.rejected))
        except submissions.UnreadableSubmission:
            unreadable.append(path.name)
    return readable, unreadable


def _sent_at(path):
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).astimezone(VIETNAM)


@pytest.fixture(scope="module")
def default_inbox(tmp_path_factory):
    """The inbox `dti run` fills when it is empty: the default plan, generated once for these tests."""
    folder = tmp_path_factory.mktemp("inbox")
    paths = generate_submissions(folder, DemoPlan(period=PERIOD), PROVINCE)
    return folder, paths, _read_all(paths)


def test_same_seed_same_content_and_times_other_seed_other_content(tmp_path, default_inbox):
    _, paths, (readable, unreadable) = default_inbox
    again_paths = generate_submissions(tmp_path / "again", DemoPlan(period=PERIOD), PROVINCE)
    other = _read_all(generate_submissions(tmp_path / "other", DemoPlan(period=PERIOD, seed=8), PROVINCE))
    assert _read_all(again_paths) == (readable, unreadable)
    assert [(p.name, p.stat().st_mtime) for p in again_paths] == [(p.name, p.stat().st_mtime) for p in paths]
    assert other != (readable, unreadable)


def test_each_unit_reports_its_own_components_by_their_rules_and_one_file_is_damaged(default_inbox):
    units = {u["unit_code"]: u for u in load_units(PROVINCE)}
    components = load_components()
    _, _, (readable, unreadable) = default_inbox
    assert len(unreadable) == 1
    senders = {unit for unit, _, _ in readable.values()}
    assert 0 < len(senders) < len(units)  # some units stay silent, as some always do
    for unit_code, rows, rejected in readable.values():
        rules = {c["component_code"]: c["scoring_rule"]
                 for c in components_for(units[unit_code], components, FOCAL_POINT)}
        codes = [code for code, *_ in rows]
        assert set(codes) <= set(rules) and len(codes) == len(set(codes))
        if not rejected:
            assert set(codes) == set(rules)
        for code, numerator, denominator, value in rows:
            if rules[code] == "ratio":
                assert 0 <= numerator <= denominator and value is None
            else:
                assert value is not None and numerator is None and denominator is None


def _accepted(readable) -> dict[str, list[tuple]]:
    """component code -> its accepted rows, over the units' last files."""
    last = {}
    for name in sorted(readable):  # SNV-nop-lai.xlsx sorts after SNV.xlsx
        unit, rows, _ = readable[name]
        last[unit] = rows
    by_component = defaultdict(list)
    for rows in last.values():
        for code, *figures in rows:
            by_component[code].append(tuple(figures))
    return by_component


def test_values_are_plausible_for_every_scoring_rule(default_inbox):
    _, _, (readable, _) = default_inbox
    by_component = _accepted(readable)
    rates = [numerator / denominator for rows in by_component.values() for numerator, denominator, _ in rows
             if denominator]
    assert 0.6 <= mean(rates) <= 0.9
    assert sum(0.6 <= rate <= 0.95 for rate in rates) / len(rates) >= 0.8
    yes_no = [value for value in (v for _, _, v in by_component["NT02"])]
    assert set(yes_no) == {Decimal(0), Decimal(1)} and mean(yes_no) >= 0.7
    assert set(v for _, _, v in by_component["NT03"]) <= {Decimal(0), Decimal("0.5"), Decimal(1)}
    for code, (low, high) in {"NL02": (1, 4), "AT02": (0, 3), "XH01": (50, 400), "FP01": (2, 5)}.items():
        values = [v for _, _, v in by_component[code]]
        assert values and all(low <= v <= high and v == int(v) for v in values), code
    assert [v for _, _, v in by_component["FP02"]] == [Decimal(1)]
    # FP05 (categorical): the focal point picks one of the catalog's answers, read as its share of the points.
    assert [v for _, _, v in by_component["FP05"]] in ([Decimal(1)], [Decimal("0.5")], [Decimal(0)])


def test_units_earn_about_two_thirds_to_four_fifths_of_their_points(default_inbox):
    """Each unit's share of its points, scored here from the catalog independently of the dbt models."""
    _, _, (readable, _) = default_inbox
    units = {u["unit_code"]: u for u in load_units(PROVINCE)}
    last = {unit: rows for _, (unit, rows, _) in sorted(readable.items())}
    shares = []
    for unit_code, rows in last.items():
        components = {c["component_code"]: c for c in components_for(units[unit_code], load_components(), FOCAL_POINT)}
        earned = 0.0
        for code, numerator, denominator, value in rows:
            component = components[code]
            rule, top = component["scoring_rule"], float(component["max_points"])
            if rule == "ratio":
                earned += min(float(numerator / denominator) / float(component["target_value"]), 1) * top
            elif rule in ("boolean", "yes_partial_no", "categorical"):
                earned += float(value) * top
            elif rule == "count_capped" and component["target_value"]:
                earned += min(float(value) / float(component["target_value"]), 1) * top
            elif rule == "tiered":
                earned += next((points for low, points in load_tiers(component["unit_catalog"], code)
                                if value >= low), 0)
        shares.append(earned / sum(float(c["max_points"]) for c in components.values()))
    assert 0.65 <= mean(shares) <= 0.8


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
    deadline, end = submission_deadline(PERIOD, PROVINCE), period_end(PERIOD)
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
    generate_submissions(inbox, DemoPlan(period=PERIOD, seed=9), PROVINCE)
    assert {name: ((inbox / PERIOD / name).read_bytes(), (inbox / PERIOD / name).stat().st_mtime)
            for name in before} == before
