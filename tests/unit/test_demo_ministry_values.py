"""The demo's file of the Ministry's values: a readable value for every component the catalog says
the Ministry measures in the period's framework, but the satisfaction survey, which arrives later."""

from __future__ import annotations

import csv
import shutil

from dti import settings
from dti.demo.inbox import write_demo_inbox
from dti.demo.ministry import ARRIVES_LATER, SOURCE_DOCUMENT, generate_ministry_file
from dti.sources.inbox import MINISTRY
from dti.sources.ministry import ministry_rules, read_ministry_file
from tests.helpers import PROVINCE

PERIOD = "2026-Q3"
LIMIT = 1_000_000


def _read(path, period=PERIOD):
    return read_ministry_file(path.read_bytes(), path.name, LIMIT, ministry_rules(period))


def test_every_ministry_component_but_the_survey_has_a_readable_value_labelled_as_demo(tmp_path):
    for period in (PERIOD, "2023-Q3"):
        path = generate_ministry_file(tmp_path / period, period, seed=2025)
        values = _read(path, period)
        expected = {c["component_code"] for c in ministry_rules(period).measured_by_ministry()
                    if c["indicator_key"] != ARRIVES_LATER}
        assert values.rejected == []
        assert expected and {row["component_code"] for row in values.rows} == expected
        assert {row["source_document"] for row in values.rows} == {SOURCE_DOCUMENT}
        assert all(0.5 <= row["value"] <= 1 for row in values.rows)


def test_a_ministry_component_of_an_imported_appendix_gets_a_value_too(tmp_path, monkeypatch):
    catalog = tmp_path / "dti_components.csv"
    shutil.copy(settings.DTI_COMPONENTS_SEED, catalog)
    with catalog.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    imported = {**next(r for r in rows if r["framework_version"] == "405" and r["value_source"] == "ministry"),
                "component_code": "3.9", "indicator_key": "imported_measurement", "scoring_rule": "yes_partial_no",
                "target_value": ""}
    with catalog.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, imported])
    monkeypatch.setattr(settings, "DTI_COMPONENTS_SEED", catalog)

    values = _read(generate_ministry_file(tmp_path / "inbox", PERIOD, seed=2025))
    assert values.rejected == []
    assert "3.9" in {row["component_code"] for row in values.rows}


def test_the_demo_inbox_holds_the_ministry_file_and_keeps_it_when_written_again(tmp_path):
    counts = write_demo_inbox(tmp_path, PERIOD, 2025, PROVINCE, population_scale=0.001)
    (path,) = (tmp_path / MINISTRY / PERIOD).iterdir()
    assert counts[MINISTRY] == 1
    before = path.read_bytes()
    generate_ministry_file(tmp_path / MINISTRY / PERIOD, PERIOD, seed=9)
    assert path.read_bytes() == before
    assert generate_ministry_file(tmp_path / "2019", "2019-Q3", seed=2025) is None
