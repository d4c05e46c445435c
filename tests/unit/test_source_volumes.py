"""The raw gate's volume check without a database: which periods a period is compared with, and
what it is expected to deliver."""

import pandas as pd
import pytest

from dti.quality import volumes


def test_a_period_is_compared_with_the_year_before_it():
    assert volumes.trailing_periods("2026-Q2") == ["2026-Q1", "2025-Q4", "2025-Q3", "2025-Q2"]
    assert volumes.trailing_periods("2026-01", count=2) == ["2025-12", "2025-11"]


def test_periods_without_any_row_are_left_out_of_the_trailing_median():
    # a source not collected yet then (a new deployment, the demo's first period) is no volume to compare with
    assert volumes.trailing_median([0, 1_000, 0, 3_000]) == 2_000
    assert volumes.trailing_median([0, 0, 0, 0]) is None


def test_each_scored_source_gets_a_row_with_the_least_it_is_expected_to_deliver():
    counts = {source: {"2026-Q2": 0, "2026-Q1": 0, "2025-Q4": 0, "2025-Q3": 0, "2025-Q2": 0}
              for source in volumes.SCORED_SOURCES}
    counts["certificates"].update({"2026-Q2": 300, "2026-Q1": 1_000, "2025-Q4": 900})

    frame = volumes.volume_frame("2026-Q2", counts, frozenset({"dossiers"}), 0.5).set_index("source")

    assert list(frame.index) == ["submissions", "certificates", "population", "dossiers"]
    assert frame.at["certificates", "rows"] == 300
    assert frame.at["certificates", "trailing_median"] == 950
    assert frame.at["certificates", "least_expected_rows"] == 475
    assert pd.isna(frame.at["submissions", "least_expected_rows"])
    assert frame.at["dossiers", "requirement"] == volumes.ALLOWED_MISSING
    assert frame.at["population", "requirement"] == volumes.REQUIRED


def test_a_source_name_that_is_not_scored_is_refused():
    assert volumes.allowed_missing(["dossiers"]) == {"dossiers"}
    assert volumes.allowed_missing(None) == frozenset()
    with pytest.raises(volumes.UnknownSource, match="dossier is not a scored source"):
        volumes.allowed_missing(["dossier"])
