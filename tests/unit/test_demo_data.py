"""Demo data is deterministic per seed and realistic enough to exercise the pipeline."""

from dti.demo.submissions import DemoPlan, components_for, generate_submissions, load_components, load_units
from dti.sources import submissions

LIMIT = 10_000_000


def _read_all(paths):
    readable, unreadable = {}, []
    for path in paths:
        try:
            submission = submissions.read_submission(path.read_bytes(), path.name, LIMIT)
            readable[submission.unit_code] = [(r["component_code"], r["numerator"], r["denominator"]) for r in submission.rows]
        except submissions.UnreadableSubmission:
            unreadable.append(path.name)
    return readable, unreadable


def test_same_seed_same_content_other_seed_other_content(tmp_path):
    plan = DemoPlan(period="2026-Q3", seed=7)
    first = _read_all(generate_submissions(tmp_path / "a", plan))
    again = _read_all(generate_submissions(tmp_path / "b", plan))
    other = _read_all(generate_submissions(tmp_path / "c", DemoPlan(period="2026-Q3", seed=8)))
    assert first == again
    assert first != other


def test_each_unit_reports_its_own_components_with_valid_ratios_and_one_file_is_damaged(tmp_path):
    units = {u["unit_code"]: u for u in load_units()}
    components = load_components()
    readable, unreadable = _read_all(generate_submissions(tmp_path, DemoPlan(period="2026-Q3")))
    assert len(unreadable) == 1
    assert 0 < len(readable) < len(units)  # some units stay silent, as some always do
    for unit_code, rows in readable.items():
        expected = {c["component_code"] for c in components_for(units[unit_code], components)}
        assert {code for code, _, _ in rows} == expected
        assert all(0 <= numerator <= denominator for _, numerator, denominator in rows)


def test_existing_files_are_left_untouched(tmp_path):
    plan = DemoPlan(period="2026-Q3")
    paths = generate_submissions(tmp_path, plan)
    before = {p: p.read_bytes() for p in paths}
    generate_submissions(tmp_path, plan)
    assert {p: p.read_bytes() for p in paths} == before
