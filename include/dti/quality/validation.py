"""Run a suite on a batch of rows through a checkpoint of the File Data Context in ``expectations/``.

Rows are read from the warehouse by the caller and handed over as a DataFrame, so GX never holds a
connection string. Every object is got-or-created, so reruns never fail on "already exists", and a
suite is rewritten only when its definition in ``dti.quality.suites`` changed.

The context's configuration is shared, but its stores are the province's own: great_expectations.yml
puts suites, checkpoints and validation definitions under ``provinces/${dti_province}/`` and the
validation results and Data Docs under ``uncommitted/provinces/${dti_province}/``, with
``dti_province`` given when the context is opened. So each province's suites hold its own unit
codes, and its Data Docs show its validations only.

A pipeline run names its validations in the Data Docs by its period and Airflow run id
(``gx_run_name``), and its audit rows carry that name and the page of each validation result, so
an auditor goes from a row of ``audit.validation_results`` to the page and back.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import psycopg

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # noqa: E402  (the analytics switch must be set before import)
from great_expectations.checkpoint import UpdateDataDocsAction  # noqa: E402
from great_expectations.core import RunIdentifier  # noqa: E402
from great_expectations.exceptions import DataContextError  # noqa: E402
from great_expectations.expectations.metadata_types import FailureSeverity  # noqa: E402

from dti import settings  # noqa: E402
from dti.provinces import Province  # noqa: E402
from dti.quality.suites import SUITES  # noqa: E402

DATASOURCE_NAME = "dti_warehouse_frames"
SAMPLE_SIZE = 20
# The run name is a folder of the published Data Docs: the characters Windows refuses in a file name
# (Airflow's run ids hold colons) would keep an auditor from copying the folder there, or break its
# links on a share.
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|]')


@dataclass(frozen=True)
class FailedExpectation:
    expectation: str
    column: str | None
    unexpected_count: int
    sample: list
    row_indexes: list[int]
    note_en: str
    # GX's severity: only a critical failure stops what the gate guards; a warning is recorded and reported.
    severity: str = "critical"


@dataclass(frozen=True)
class ExpectationOutcome:
    """What one expectation found, passed or not: the audit record of it."""
    expectation: str
    column: str | None
    success: bool
    observed_value: object
    unexpected_count: int | None
    sample: list


@dataclass(frozen=True)
class ValidationSummary:
    suite_name: str
    asset_name: str
    success: bool
    evaluated: int
    unsuccessful: int
    failures: list[FailedExpectation] = field(default_factory=list)
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    # The run's name in the Data Docs, and the validation result's page relative to the site's root
    # (the same inside the published copy, ``<output>/quality``).
    run_name: str | None = None
    data_docs_page: str | None = None


def data_context(province: Province) -> gx.data_context.FileDataContext:
    """The GX context with the stores of ``province`` (see the module's docstring)."""
    return gx.get_context(mode="file", context_root_dir=settings.EXPECTATIONS_DIR,
                          runtime_environment={"dti_province": province.code})


def gx_run_name(period: str, run_id: str) -> str:
    """The name of a pipeline run's validations in the Data Docs, e.g.
    ``2026-Q3 · manual__2026-10-01T00_00_00+00_00``: the period first, so the index's runs sort and
    filter by it, then the Airflow run id (characters a file name cannot hold replaced by ``_``)."""
    return f"{period} · {_NOT_IN_FILE_NAMES.sub('_', run_id)}"


def validate_frame(suite_name: str, asset_name: str, frame: pd.DataFrame, province: Province,
                   run_name: str | None = None) -> ValidationSummary:
    """Validate ``frame`` against the province's ``suite_name`` and refresh its Data Docs, naming the
    validation run ``run_name`` there (GX shows ``__none__`` without one)."""
    context = data_context(province)
    checkpoint = _checkpoint(context, suite_name, asset_name, province)
    # The run time is given: without one, GX would read a time out of the run name where it can.
    run = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
    result = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=run)
    ((result_key, validation),) = result.run_results.items()
    return _summarise(suite_name, asset_name, validation, run_name, data_docs_page(context, result_key))


def data_docs_site(context) -> Path:
    """The folder of the context's Data Docs site, as the last validation left it."""
    urls = context.get_docs_sites_urls(only_if_exists=True)
    if not urls:
        raise FileNotFoundError("no Data Docs have been built: no validation has run in this GX context")
    return _site_path(urls[0]["site_url"]).parent


def data_docs_page(context, result_key) -> str:
    """The page of one validation result, relative to the root of the context's Data Docs site."""
    page = context.get_docs_sites_urls(resource_identifier=result_key, only_if_exists=True)[0]["site_url"]
    return _site_path(page).relative_to(data_docs_site(context)).as_posix()


def _site_path(url: str) -> Path:
    # GX gives file:// URLs, percent-encoded: a run name holds spaces and a middle dot.
    return Path(unquote(urlsplit(url).path))


def record_validation(conn: psycopg.Connection, run_id: str, summary: ValidationSummary) -> None:
    """Append the suite's result to ``audit.validation_results`` and each expectation's to
    ``audit.expectation_results``."""
    failures = [
        {"expectation": f.expectation, "column": f.column, "unexpected_count": f.unexpected_count,
         "sample": [str(value) for value in f.sample], "note": f.note_en, "severity": f.severity}
        for f in summary.failures
    ]
    (validation_id,) = conn.execute(
        "insert into audit.validation_results (run_id, suite_name, asset_name, success, evaluated, unsuccessful, "
        "failed_expectations, gx_run_name, data_docs_page) values (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "returning validation_id",
        (run_id, summary.suite_name, summary.asset_name, summary.success, summary.evaluated, summary.unsuccessful,
         _json(failures), summary.run_name, summary.data_docs_page),
    ).fetchone()
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into audit.expectation_results (validation_id, run_id, suite_name, asset_name, expectation_type, "
            "column_name, success, observed_value, unexpected_count, unexpected_sample) "
            "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(validation_id, run_id, summary.suite_name, summary.asset_name, o.expectation, o.column, o.success,
              _json(o.observed_value), o.unexpected_count, _json(o.sample)) for o in summary.outcomes],
        )


def _json(value) -> str:
    return json.dumps(_plain(value), ensure_ascii=False, default=str)


def _plain(value):
    """Observed values and samples hold dates, decimals, numpy numbers and NaN, which JSON has not:
    anything but a finite number, text, bool or null is recorded as its text."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _checkpoint(context, suite_name: str, asset_name: str, province: Province) -> gx.Checkpoint:
    suite = _suite(context, suite_name, province)
    datasource = context.data_sources.add_or_update_pandas(DATASOURCE_NAME) \
        if DATASOURCE_NAME not in context.data_sources.all() else context.data_sources.get(DATASOURCE_NAME)
    asset = datasource.get_asset(asset_name) if asset_name in datasource.get_asset_names() \
        else datasource.add_dataframe_asset(asset_name)
    batch_definition = _get_or_add(
        lambda: asset.get_batch_definition("whole_frame"),
        lambda: asset.add_batch_definition_whole_dataframe("whole_frame"),
    )
    name = f"{asset_name}__{suite_name}"
    validation_definition = _get_or_add(
        lambda: context.validation_definitions.get(name),
        lambda: context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)),
    )
    return _get_or_add(
        lambda: context.checkpoints.get(name),
        lambda: context.checkpoints.add(gx.Checkpoint(
            name=name, validation_definitions=[validation_definition],
            actions=[UpdateDataDocsAction(name="update_data_docs")],
            result_format={"result_format": "COMPLETE"},
        )),
    )


def _suite(context, suite_name: str, province: Province) -> gx.ExpectationSuite:
    wanted = SUITES[suite_name](province)
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
        json.dumps({"type": e.expectation_type, "kwargs": e.configuration.kwargs, "meta": e.meta,
                    "severity": FailureSeverity(e.severity).value},
                   sort_keys=True, default=str)
        for e in suite.expectations
    )


def _get_or_add(get, add):
    try:
        return get()
    except (DataContextError, KeyError, LookupError, ValueError):
        return add()


def _summarise(suite_name: str, asset_name: str, validation, run_name: str | None,
               data_docs_page: str) -> ValidationSummary:
    failures = []
    outcomes = []
    for result in validation.results:
        config = result.expectation_config
        column = config.kwargs.get("column") or config.kwargs.get("column_A")
        unexpected_count = result.result.get("unexpected_count")
        sample = list(result.result.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]
        outcomes.append(ExpectationOutcome(
            expectation=config.type, column=column, success=bool(result.success),
            observed_value=result.result.get("observed_value"),
            unexpected_count=None if unexpected_count is None else int(unexpected_count), sample=sample,
        ))
        if result.success:
            continue
        failures.append(FailedExpectation(
            expectation=config.type,
            column=column,
            unexpected_count=int(unexpected_count or 0),
            sample=sample,
            row_indexes=[int(i) for i in result.result.get("unexpected_index_list") or [] if isinstance(i, (int,))],
            note_en=(config.meta or {}).get("notes", {}).get("en", ""),
            severity=FailureSeverity(config.severity).value,
        ))
    statistics = validation.statistics
    return ValidationSummary(
        suite_name=suite_name, asset_name=asset_name, success=bool(validation.success),
        evaluated=int(statistics["evaluated_expectations"]), unsuccessful=int(statistics["unsuccessful_expectations"]),
        failures=failures, outcomes=outcomes, run_name=run_name, data_docs_page=data_docs_page,
    )
