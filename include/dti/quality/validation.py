"""Run a suite on a batch of rows through a checkpoint of the File Data Context in ``expectations/``.

Rows are read from the warehouse by the caller and handed over as a DataFrame, so GX never holds a
connection string. Every object is got-or-created, so reruns never fail on "already exists", and a
suite is rewritten only when its definition in ``dti.quality.suites`` changed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import pandas as pd
import psycopg

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # noqa: E402  (the analytics switch must be set before import)
from great_expectations.checkpoint import UpdateDataDocsAction  # noqa: E402
from great_expectations.exceptions import DataContextError  # noqa: E402

from dti import settings  # noqa: E402
from dti.quality.suites import SUITES  # noqa: E402

DATASOURCE_NAME = "dti_warehouse_frames"
SAMPLE_SIZE = 20


@dataclass(frozen=True)
class FailedExpectation:
    expectation: str
    column: str | None
    unexpected_count: int
    sample: list
    row_indexes: list[int]
    note_en: str


@dataclass(frozen=True)
class ValidationSummary:
    suite_name: str
    asset_name: str
    success: bool
    evaluated: int
    unsuccessful: int
    failures: list[FailedExpectation] = field(default_factory=list)


def data_context() -> gx.data_context.FileDataContext:
    return gx.get_context(mode="file", context_root_dir=settings.EXPECTATIONS_DIR)


def validate_frame(suite_name: str, asset_name: str, frame: pd.DataFrame) -> ValidationSummary:
    """Validate ``frame`` against ``suite_name`` and refresh the Data Docs."""
    context = data_context()
    checkpoint = _checkpoint(context, suite_name, asset_name)
    result = checkpoint.run(batch_parameters={"dataframe": frame})
    (validation,) = result.run_results.values()
    return _summarise(suite_name, asset_name, validation)


def record_validation(conn: psycopg.Connection, run_id: str, summary: ValidationSummary) -> None:
    failures = [
        {"expectation": f.expectation, "column": f.column, "unexpected_count": f.unexpected_count,
         "sample": [str(value) for value in f.sample], "note": f.note_en}
        for f in summary.failures
    ]
    conn.execute(
        "insert into audit.validation_results (run_id, suite_name, asset_name, success, evaluated, unsuccessful, "
        "failed_expectations) values (%s, %s, %s, %s, %s, %s, %s)",
        (run_id, summary.suite_name, summary.asset_name, summary.success, summary.evaluated, summary.unsuccessful,
         json.dumps(failures, ensure_ascii=False)),
    )


def _checkpoint(context, suite_name: str, asset_name: str) -> gx.Checkpoint:
    suite = _suite(context, suite_name)
    datasource = context.data_sources.add_or_update_pandas(DATASOURCE_NAME) if DATASOURCE_NAME not in context.data_sources.all() \
        else context.data_sources.get(DATASOURCE_NAME)
    asset = datasource.get_asset(asset_name) if asset_name in datasource.get_asset_names() \
        else datasource.add_dataframe_asset(asset_name)
    batch_definition = _get_or_add(
        lambda: asset.get_batch_definition("whole_frame"),
        lambda: asset.add_batch_definition_whole_dataframe("whole_frame"),
    )
    name = f"{asset_name}__{suite_name}"
    validation_definition = _get_or_add(
        lambda: context.validation_definitions.get(name),
        lambda: context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)),
    )
    return _get_or_add(
        lambda: context.checkpoints.get(name),
        lambda: context.checkpoints.add(gx.Checkpoint(
            name=name, validation_definitions=[validation_definition],
            actions=[UpdateDataDocsAction(name="update_data_docs")],
            result_format={"result_format": "COMPLETE"},
        )),
    )


def _suite(context, suite_name: str) -> gx.ExpectationSuite:
    wanted = SUITES[suite_name]()
    try:
        existing = context.suites.get(suite_name)
    except DataContextError:
        return context.suites.add(wanted)
    if _definitions(existing) == _definitions(wanted):
        return existing
    for expectation in list(existing.expectations):
        existing.delete_expectation(expectation)
    for expectation in wanted.expectations:
        existing.add_expectation(expectation)
    existing.save()
    return existing


def _definitions(suite: gx.ExpectationSuite) -> list[str]:
    return sorted(
        json.dumps({"type": e.expectation_type, "kwargs": e.configuration.kwargs, "meta": e.meta}, sort_keys=True, default=str)
        for e in suite.expectations
    )


def _get_or_add(get, add):
    try:
        return get()
    except (DataContextError, KeyError, LookupError, ValueError):
        return add()


def _summarise(suite_name: str, asset_name: str, validation) -> ValidationSummary:
    failures = []
    for result in validation.results:
        if result.success:
            continue
        config = result.expectation_config
        failures.append(FailedExpectation(
            expectation=config.type,
            column=config.kwargs.get("column") or config.kwargs.get("column_A"),
            unexpected_count=int(result.result.get("unexpected_count") or 0),
            sample=list(result.result.get("partial_unexpected_list") or [])[:SAMPLE_SIZE],
            row_indexes=[int(i) for i in result.result.get("unexpected_index_list") or [] if isinstance(i, (int,))],
            note_en=(config.meta or {}).get("notes", {}).get("en", ""),
        ))
    statistics = validation.statistics
    return ValidationSummary(
        suite_name=suite_name, asset_name=asset_name, success=bool(validation.success),
        evaluated=int(statistics["evaluated_expectations"]), unsuccessful=int(statistics["unsuccessful_expectations"]),
        failures=failures,
    )
