"""How many of the period's rows each scored source delivered, against its trailing periods: what
the raw gate's volume suite (``dti.quality.suites.raw_source_volumes_suite``) checks.

A source that feeds scored components and delivered no row for the period would be scored as if
its figures were 0, so the gate stops the run before the transform, with a reason naming the
source, the period and what was asked of it; the focal point may publish without a source it
names (the DAG's ``allow_missing_sources`` param), and the gate records that it did. A source
delivering fewer rows than ``settings.VOLUME_MIN_SHARE`` of its median over the trailing periods
is flagged without stopping: a source can shrink for real, and the report says it did.

A period's rows: for the procedure system, the dossiers received in the period (by their filing
date, each dossier once whatever its versions); for the files of the inbox (self-assessment
submissions, certificate registers, population files), the rows of the files landed for the
period and still in use. The module loads neither Great Expectations nor pandas: the DAG file
reads its source names while it is parsed.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

import psycopg

from dti import periods
from dti.landing import dossiers as landing_dossiers
from dti.provinces import Province
from dti.sources import certificates, inbox, population, procedure_api, submissions

if TYPE_CHECKING:
    import pandas as pd

# How many periods before the one checked its median is taken over: a year of quarters.
TRAILING_PERIODS = 4
REQUIRED = "required"
ALLOWED_MISSING = "allowed_missing"
# The province's clock: a dossier belongs to the period of its local filing date.
LOCAL_TIME_ZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class ScoredSource:
    """A source whose rows some scored component is computed from."""
    landed_as: str  # raw.landed_files.source
    inbox_kind: str | None  # the inbox folder its files come from; None for the procedure system's API
    rows_vi: str
    rows_en: str


# The names the DAG's ``allow_missing_sources`` param and ``dti run --allow-missing-source`` take:
# the land tasks' names.
SCORED_SOURCES = {
    "submissions": ScoredSource(submissions.SOURCE_NAME, inbox.SUBMISSIONS,
                                "dòng tự đánh giá của đơn vị", "self-assessment rows"),
    "certificates": ScoredSource(certificates.SOURCE_NAME, inbox.CERTIFICATES,
                                 "dòng danh sách chứng thư số", "certificate register rows"),
    "population": ScoredSource(population.SOURCE_NAME, inbox.POPULATION,
                               "dòng số liệu dân số trưởng thành", "adult population rows"),
    "dossiers": ScoredSource(procedure_api.SOURCE_NAME, None, "hồ sơ", "dossiers"),
}

# Rows of the files landed for each period, from the count landing registers in the same
# transaction as the rows: exact, and no scan of a million certificate rows.
FILE_ROWS_BY_PERIOD = """
select source, period, sum(row_count)::bigint
from raw.landed_files
where status = 'landed' and source = any(%(sources)s) and period = any(%(periods)s)
group by source, period
"""

DOSSIERS_BY_PERIOD = f"""
select p.period, count(distinct d.dossier_id)
from raw.dossier_records d
join raw.landed_files f on f.file_sha256 = d._file_sha256 and f.status = 'landed'
join unnest(%(periods)s::text[], %(first_days)s::date[], %(last_days)s::date[]) as p (period, first_day, last_day)
  on (d.filed_at at time zone '{LOCAL_TIME_ZONE}')::date between p.first_day and p.last_day
group by p.period
"""


class UnknownSource(ValueError):
    """A name in ``allow_missing_sources`` that is no scored source: a typo must not go unnoticed."""


def allowed_missing(names: Iterable[str] | None) -> frozenset[str]:
    """The sources the focal point allows to be missing, checked against the scored sources."""
    chosen = frozenset(names or ())
    unknown = sorted(chosen - SCORED_SOURCES.keys())
    if unknown:
        raise UnknownSource(f"allow_missing_sources: {', '.join(unknown)} is not a scored source; "
                            f"use any of {', '.join(SCORED_SOURCES)}")
    return chosen


def trailing_periods(period: str, count: int = TRAILING_PERIODS) -> list[str]:
    """The ``count`` periods before ``period``, latest first."""
    earlier = []
    for _ in range(count):
        before = periods.period_start(earlier[-1] if earlier else period) - timedelta(days=1)
        earlier.append(periods.period_for(before, periods.granularity_of(period)))
    return earlier


def rows_by_period(conn: psycopg.Connection, checked: list[str]) -> dict[str, dict[str, int]]:
    """source name -> period -> its rows, for every period of ``checked`` (0 where none)."""
    counts = {name: dict.fromkeys(checked, 0) for name in SCORED_SOURCES}
    source_names = {source.landed_as: name for name, source in SCORED_SOURCES.items()}
    files = [source.landed_as for source in SCORED_SOURCES.values() if source.inbox_kind]
    for landed_as, period, rows in conn.execute(FILE_ROWS_BY_PERIOD, {"sources": files, "periods": checked}):
        counts[source_names[landed_as]][period] = int(rows)
    first_days = [periods.period_start(period) for period in checked]
    last_days = [periods.period_end(period) for period in checked]
    dossiers = conn.execute(DOSSIERS_BY_PERIOD, {"periods": checked, "first_days": first_days,
                                                 "last_days": last_days})
    for period, rows in dossiers:
        counts["dossiers"][period] = int(rows)
    return counts


def trailing_median(rows: Iterable[int]) -> float | None:
    """The median of the trailing periods that had rows at all. A period with none is left out:
    it is a source not yet collected then (a new deployment, a demo's first period), not a
    volume to compare with; None when no trailing period had any."""
    delivered = [count for count in rows if count > 0]
    return float(statistics.median(delivered)) if delivered else None


def volume_frame(period: str, counts: dict[str, dict[str, int]], allowed: frozenset[str],
                 min_share: float) -> pd.DataFrame:
    """One row per scored source: its rows for ``period``, the median of its trailing periods and
    the least it is expected to deliver (``min_share`` of that median; empty without a history)."""
    # Imported here, not with the module: the DAG file reads the source names, and every task
    # process parses it.
    import pandas as pd

    earlier = trailing_periods(period)
    records = []
    for name in SCORED_SOURCES:
        median = trailing_median(counts[name][p] for p in earlier)
        records.append({
            "period": period, "source": name, "rows": counts[name][period],
            "requirement": ALLOWED_MISSING if name in allowed else REQUIRED,
            "trailing_median": median, "least_expected_rows": None if median is None else median * min_share,
        })
    frame = pd.DataFrame.from_records(records)
    return frame.astype({"rows": "int64", "trailing_median": "float64", "least_expected_rows": "float64"})


def missing_source_reason(conn: psycopg.Connection, province: Province, source_name: str, period: str) -> str:
    """Why ``source_name`` has no row for ``period``, in Vietnamese and English: what was asked of it."""
    source = SCORED_SOURCES[source_name]
    if source.inbox_kind is None:
        watermark, _ = landing_dossiers.sync_position(conn)
        if watermark is None:
            return (f"không có hồ sơ nào được tiếp nhận trong kỳ {period}; hệ thống thủ tục hành chính chưa được "
                    f"đồng bộ lần nào / no dossier received in {period}; the procedure system has never been synced")
        # A period lying behind the watermark is read again from its first instant
        # (dti.landing.dossiers.sync_dossiers); otherwise the sync asked from the watermark, which a
        # sync bringing nothing leaves where it was.
        first_instant, instant_after = landing_dossiers.period_window(period)
        since = (first_instant if instant_after <= watermark else watermark.astimezone(UTC)).isoformat()
        return (f"không có hồ sơ nào được tiếp nhận trong kỳ {period}; lần đồng bộ đã yêu cầu các hồ sơ cập nhật "
                f"từ {since} / no dossier received in {period}; the sync asked for updates since {since}")
    landed, set_aside = conn.execute(
        "select (select count(*) from raw.landed_files where source = %(s)s and period = %(p)s and status = 'landed'), "
        "(select count(*) from quarantine.rejected_files where source = %(s)s and period = %(p)s)",
        {"s": source.landed_as, "p": period}).fetchone()
    folder = f"{province.inbox_url.rstrip('/')}/{source.inbox_kind}/{period}"
    return (f"không có {source.rows_vi} nào cho kỳ {period}; thư mục {folder} có {landed} tệp dùng được, "
            f"{set_aside} tệp bị tách riêng / no {source.rows_en} for {period}; the inbox folder {folder} gave "
            f"{landed} files in use, {set_aside} set aside")
