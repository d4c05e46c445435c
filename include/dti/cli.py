"""The ``dti`` command: run the pipeline, make demo data, serve what was published."""

from __future__ import annotations

import contextlib
import os
import secrets
import warnings
from datetime import date, datetime, UTC
from typing import Annotated

import typer
from rich.console import Console

from dti import periods, settings
from dti.provinces import Province, ProvincesConfigError, load_deployment

# pgserver asks platformdirs for a runtime folder it does not use; the notice only adds noise.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")

app = typer.Typer(help="dti-pipeline: score the provincial Digital Transformation Index (DTI) and publish the report.",
                  no_args_is_help=True, add_completion=False)
# The run sends file descriptors 1 and 2 to its log file; the console keeps the terminal. Lines
# are never broken (soft_wrap): a path or a count stays whole on its line, in a terminal or a log.
console = Console(file=os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1), soft_wrap=True)

PeriodOption = Annotated[str | None, typer.Option(
    help="Assessment period, e.g. 2026-Q3 (default: the last one ended).")]
ProvinceOption = Annotated[str | None, typer.Option(
    help="Province code from provinces.yml, e.g. bac_ninh (default: the first province there).")]


def _period(period: str | None) -> str:
    try:
        return periods.validate_period(period) if period else periods.previous_period(date.today())
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error


def _province(code: str | None) -> Province:
    try:
        deployment = load_deployment()
        return deployment.province(code) if code else deployment.default
    except ProvincesConfigError as error:
        raise typer.BadParameter(str(error)) from error


def _demo_dir(province: Province):
    return settings.DEMO_DIR / province.code


@app.command("demo-data")
def demo_data(
    period: PeriodOption = None,
    seed: int = typer.Option(2025, help="Same seed, same data."),
    scale: float = typer.Option(1.0, min=0.0, help="Dossier volume: 1 is about 60,000 dossiers a month."),
    population_scale: float = typer.Option(
        1.0, min=0.001, help="Adults of each commune, and the certificate registers with them: 1 is about 930,000 "
                             "certificate rows."),
    province: ProvinceOption = None,
) -> None:
    """Write a period of demo agency files into the province's inbox (submissions, certificate
    registers, population, the Ministry's values) and set the dossiers the demo procedure system
    serves for it."""
    from dti.demo.dossiers import DossierPlan, record_plan
    from dti.demo.inbox import local_inbox_dir, write_demo_inbox

    chosen, configured = _period(period), _province(province)
    try:
        inbox_dir = local_inbox_dir(configured.inbox_url)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    counts = write_demo_inbox(inbox_dir, chosen, seed, configured, population_scale)
    plan = DossierPlan(period=chosen, seed=seed, scale=scale)
    record_plan(_demo_dir(configured), plan)
    described = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    console.print(f"Demo files for {configured.code}, {chosen} in {inbox_dir}: {described}; "
                  f"the demo procedure system serves {plan.count:,} dossiers")


@contextlib.contextmanager
def procedure_api_for(province: Province, period: str, demo: bool):
    """The province's configured procedure-system API connection, or, for a demo run without one, a
    sandbox serving the demo procedure system's history (every planned period, ``period`` among
    them) for as long as the run lasts."""
    variable = f"AIRFLOW_CONN_{province.procedure_api_conn_id.upper()}"
    if os.environ.get(variable) or not demo:
        yield
        return
    from dti.demo.dossiers import history_plans
    from dti.demo.sandbox_api import create_history_app, serve_in_background

    token = secrets.token_urlsafe(24)
    app = create_history_app(history_plans(_demo_dir(province), period), period, token, province)
    with serve_in_background(app) as base_url:
        host_and_port = base_url.removeprefix("http://")
        os.environ[variable] = f"http://:{token}@{host_and_port}"
        try:
            yield
        finally:
            del os.environ[variable]


@app.command()
def run(
    period: PeriodOption = None,
    demo: bool = typer.Option(True, help="Generate demo data when the inbox is empty."),
    province: ProvinceOption = None,
    allow_missing_source: Annotated[list[str] | None, typer.Option(
        "--allow-missing-source",
        help="Publish even when this source has no row for the period (submissions, certificates, population, "
             "dossiers); the raw gate records it. Repeat for several.")] = None,
) -> None:
    """Run a province's dti_pipeline_<code> DAG once for a period, then the national roll-up, on the
    embedded PostgreSQL (or the server of DTI_DATABASE_URL)."""
    from dti import runner
    from dti.quality.volumes import UnknownSource, allowed_missing
    from dti.sources.inbox import SUBMISSIONS, list_inbox

    chosen, configured = _period(period), _province(province)
    try:
        missing_allowed = sorted(allowed_missing(allow_missing_source))
    except UnknownSource as error:
        raise typer.BadParameter(str(error), param_hint="--allow-missing-source") from error
    log_path = settings.LOG_DIR / f"run-{configured.code}-{chosen}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    if demo and not list_inbox(configured.inbox_url, SUBMISSIONS, chosen):
        demo_data(period=chosen, seed=2025, scale=1.0, population_scale=1.0, province=configured.code)

    def show(stage: runner.StageResult) -> None:
        mark = {"success": "[green]✓[/]", "failed": "[red]✗[/]"}.get(stage.state, "[yellow]·[/]")
        console.print(f" {mark} {stage.stage:<15} {stage.state:<8} {stage.detail}")

    try:
        with console.status(f"Running {configured.dag_id} for {chosen}"), procedure_api_for(configured, chosen, demo):
            result = runner.run_pipeline(configured, chosen, log_path, on_stage=show,
                                         allow_missing_sources=missing_allowed)
    except Exception as error:
        console.print(f"[red]The run could not start or finish:[/] {type(error).__name__}: {error}")
        console.print(f"Full log: {log_path}")
        raise typer.Exit(1) from error
    if not result.succeeded:
        console.print(f"[red]Run {result.run_id} failed[/] at task [bold]{result.failed_task}[/]: {result.error}")
        console.print(f"Full log: {result.log_file}")
        raise typer.Exit(1)
    console.print(runner.describe_province_dti(chosen, result.dti_score, result.dti_coverage), markup=False)
    console.print(f"Report: {result.report_path}")
    console.print(f"Portal: {configured.output_dir / 'index.html'} (dti serve to browse it)")
    console.print(f"National roll-up {chosen}: {result.national_provinces} provinces in national.province_dti_scores")
    console.print(f"Log: {result.log_file}")


@app.command()
def template(
    unit_type: Annotated[str, typer.Option(help="Kind of reporting unit: department, commune or ward.")],
    output: Annotated[str, typer.Option(help="Where to write the .xlsx template.")],
    period: PeriodOption = None,
    unit: Annotated[str | None, typer.Option(
        help="One unit's code (e.g. SNV): its code and name are printed in.")] = None,
    province: ProvinceOption = None,
) -> None:
    """Write the self-assessment template a province's units fill in, for a unit type (or one unit) and a period."""
    from pathlib import Path

    from dti.sources.submission_template import build_template

    chosen, configured = _period(period), _province(province)
    try:
        workbook = build_template(unit_type, chosen, configured, unit=unit)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    console.print(f"Template for {unit or unit_type}, {chosen}: {target}")


@app.command()
def check(
    file: Annotated[str, typer.Argument(help="A unit's self-assessment file: .xlsx, .xls, .ods, .csv or .txt.")],
    unit: Annotated[str | None, typer.Option(
        help="The unit's code (default: the one its rows name, else the one its file name starts with, as landing "
             "takes it).")] = None,
    period: Annotated[str | None, typer.Option(
        help='The period the file is for: 2026-Q3, "Quý III/2026", … (default: the one its rows write).')] = None,
    province: ProvinceOption = None,
) -> None:
    """Say what landing would decide for a unit's file, without a database: the rows it would use, the
    rows it would set aside and why, what it would skip, or why it would refuse the whole file.
    Exits 0 only when every row is usable."""
    from pathlib import Path

    from rich.markup import escape

    from dti.sources import submissions
    from dti.sources.submission_template import submission_rules

    path = Path(file)
    if not path.is_file():
        raise typer.BadParameter(f"{file} is not a file")
    content, configured = path.read_bytes(), _province(province)
    if period:
        chosen = periods.parse_period(period)
        if chosen is None:
            raise typer.BadParameter(f"{period!r} is no {settings.PERIOD_GRANULARITY} such as "
                                     f"{periods.previous_period(date.today())} or "
                                     f"{periods.period_in_words_vi(periods.previous_period(date.today()))}")
        source = "--period"
    else:
        chosen = submissions.period_written_in(content, path.name, settings.MAX_SUBMISSION_BYTES)
        source = "kỳ ghi trong tệp / the file's own"
        if chosen is None:
            chosen, source = periods.previous_period(date.today()), "kỳ vừa kết thúc / the last one ended"
    rules = submission_rules(chosen, configured)
    if unit is not None and unit.upper() not in rules.unit_catalogs:
        raise typer.BadParameter(f"{unit} is no reporting unit of {configured.code}")
    name = submissions.safe_file_name(path.name)
    console.print(f"{name} · {configured.code} · kỳ / period {chosen} ({periods.period_in_words_vi(chosen)}, "
                  f"{source})", markup=False, highlight=False)
    try:
        submission = submissions.read_submission(content, path.name, settings.MAX_SUBMISSION_BYTES, rules,
                                                 unit.upper() if unit else None)
    except submissions.UnreadableSubmission as refused:
        console.print("[red]Từ chối cả tệp / file refused:[/]")
        for half in _reason_halves(str(refused), name):
            console.print(f"  {half}", markup=False, highlight=False)
        raise typer.Exit(1) from refused
    set_aside = sorted({rejected.row_number for rejected in submission.rejected})
    console.print(f"Đơn vị / unit {submission.unit_code}: {len(submission.rows)} dòng dùng được / usable rows, "
                  f"{len(set_aside)} dòng để riêng / rows set aside", markup=False, highlight=False)
    for mark, reason in [("[red]✗[/]", r.reason) for r in submission.rejected] + [
            ("[yellow]·[/]", note) for note in submission.notes]:
        console.print(f"  {mark} " + "\n    ".join(map(escape, _reason_halves(reason, name))), highlight=False)
    if submission.rejected:
        console.print("[red]Chưa dùng được mọi dòng: sửa các ô trên rồi gửi lại cả tệp / not every row is usable: "
                      "fix the cells above and send the whole file again[/]")
        raise typer.Exit(1)
    console.print("[green]Mọi dòng đều dùng được / every row is usable[/]")


def _reason_halves(reason: str, file_name: str) -> list[str]:
    """A reason's Vietnamese and English halves, each without the file name shown above them."""
    vietnamese, separator, english = reason.partition(f" / {file_name} · ")
    halves = [vietnamese, english] if separator else [reason]
    return [half.removeprefix(f"{file_name} · ") for half in halves]


@app.command()
def manifest(
    if_stale: bool = typer.Option(
        False, "--if-stale", help="Parse only when the project changed since the last parse."),
) -> None:
    """Parse the dbt project into dbt_project/target/manifest.json, from which Cosmos renders each
    province's transform (make install runs it; no server is needed)."""
    from dti.dbt_manifest import StaleManifestError, current_manifest, write_manifest

    if if_stale:
        with contextlib.suppress(StaleManifestError):
            console.print(f"dbt manifest is current: {current_manifest(settings.DBT_PROJECT_DIR)}", highlight=False)
            return
    try:
        written = write_manifest()
    except StaleManifestError as error:
        console.print(f"[red]{error}[/]", highlight=False)
        raise typer.Exit(1) from error
    console.print(f"dbt manifest: {written}", highlight=False)


catalog_app = typer.Typer(help="The indicator catalog (dbt_project/seeds/catalog): load the Ministry's appendix.",
                          no_args_is_help=True, add_completion=False)
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("import")
def catalog_import(
    file: Annotated[str, typer.Argument(help="The appendix as the province received it: .xlsx, or .csv in UTF-8.")],
    framework: Annotated[str, typer.Option(help="Framework version the appendix belongs to (dti_framework_versions), "
                                                "e.g. 922 or 405.")],
    sheet: Annotated[str | None, typer.Option(help="Workbook sheet holding the component table (default: the first "
                                                   "sheet that has one).")] = None,
    refresh_manifest: bool = typer.Option(True, help="Parse the dbt project again afterwards (the DAGs refuse a "
                                                     "manifest older than the seeds)."),
) -> None:
    """Load the Ministry's appendix (a framework's official component list) into the catalog seeds, all
    or nothing: its rows become official components, taking over the data of the provincial proxies
    whose names they carry; nothing is written unless every row maps."""
    from pathlib import Path

    from dti.catalog import importer
    from dti.dbt_manifest import StaleManifestError, write_manifest

    path = Path(file)
    if not path.is_file():
        raise typer.BadParameter(f"{file} is not a file")
    try:
        result = importer.import_appendix(path, framework, importer.SEEDS_DIR, sheet=sheet)
    except importer.CatalogImportError as error:
        for problem in error.problems:
            typer.echo(problem.describe(str(path)), err=True)
        typer.echo(f"The catalog is unchanged: fix the {len(error.problems)} problem(s) above and import the file "
                   f"again.", err=True)
        raise typer.Exit(1) from error
    for line in result.summary():
        console.print(line, markup=False, highlight=False)
    if refresh_manifest:
        try:
            written = write_manifest(importer.dbt_project_of(importer.SEEDS_DIR))
        except StaleManifestError as error:
            typer.echo(f"The catalog was imported, but the dbt manifest was not refreshed ({error}): run `dti "
                       f"manifest`.", err=True)
            raise typer.Exit(1) from error
        console.print(f"dbt manifest: {written}", highlight=False)


@app.command("sandbox-api")
def sandbox_api(
    token: str = typer.Option(
        ..., help="Bearer token the sandbox accepts (the password of the province's procedure API connection)."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8700, help="Port to listen on."),
    period: PeriodOption = None,
    seed: int = typer.Option(2025, help="Same seed, same dossiers."),
    scale: float = typer.Option(1.0, help="Volume: 1 is about 60,000 dossiers a month."),
    province: ProvinceOption = None,
) -> None:
    """Serve a province's generated dossiers on the procedure-system API contract, for demos and tests."""
    from dti.demo.sandbox_api import serve

    chosen, configured = _period(period), _province(province)
    console.print(f"Sandbox procedure API of {configured.code} for {chosen}: http://{host}:{port}/api/v1/dossiers "
                  "(Ctrl+C to stop)")
    serve(host=host, port=port, period=chosen, seed=seed, scale=scale, token=token, province=configured)


@app.command("what-if")
def what_if(
    year: Annotated[int, typer.Option(
        help="Assessment year: the framework in force that year (dti_framework_versions) gives the main indices "
             "and their points.")],
    main_index_values: Annotated[str, typer.Option(
        help="CSV file: a 'name' column and one column per main index of the framework, values 0–1.")],
) -> None:
    """Print the DTI and the three pillar values that each row's main-index values would earn, and its
    rank among the rows, computed the way the pipeline scores a province, in a scratch database of the
    server (embedded or DTI_DATABASE_URL's): the catalog and the formulas are the same for every province."""
    from pathlib import Path

    from rich.markup import escape

    from dti import warehouse
    from dti.what_if import WhatIfError, score_what_if

    try:
        with warehouse.warehouse(settings.WHAT_IF_DATABASE) as url:
            framework, scores = score_what_if(year, Path(main_index_values), url)
    except WhatIfError as error:
        console.print(f"[red]{escape(str(error))}[/]", highlight=False)
        raise typer.Exit(1) from error
    console.print(f"DTI {year}, framework {framework.version} (Σ main-index value × max points ÷ total points):")
    console.print("Pillars: (points of the foundation main indices + the pillar's activity index) ÷ their max points.",
                  highlight=False)
    # the pillars under their Vietnamese names, the English below each; a column as wide as its name
    pillars = [("Chính quyền số", "(government)"), ("Kinh tế số", "(economy)"), ("Xã hội số", "(society)")]
    console.print(f"{'rank':>4}  {'DTI':>6}  " + "  ".join(vi for vi, _ in pillars) + "  name", highlight=False)
    console.print(" " * 14 + "  ".join(en.rjust(len(vi)) for vi, en in pillars), highlight=False)
    for score in scores:
        values = [score.pillar_government, score.pillar_economy, score.pillar_society]
        cells = ["—" if value is None else f"{value:.4f}" for value in values]
        pillar_cells = "  ".join(cell.rjust(len(vi)) for cell, (vi, _) in zip(cells, pillars, strict=True))
        console.print(f"{score.rank:>4}  {score.dti_score:.4f}  {pillar_cells}  {score.name}", markup=False,
                      highlight=False)


@app.command()
def trace(
    period: Annotated[str, typer.Option(help="Assessment period of the score, e.g. 2026-Q3.")],
    component: Annotated[str, typer.Option(
        help="Component code: the unit catalog's (e.g. NT01) or the framework's for the province (e.g. 1.2).")],
    unit: Annotated[str | None, typer.Option(help="Reporting unit code (e.g. SNV), or PROVINCE.")] = None,
    province: Annotated[bool, typer.Option(
        "--province", help="Trace the province's score (same as --unit PROVINCE).")] = False,
    province_code: Annotated[str | None, typer.Option(
        help="Whose warehouse: a province code from provinces.yml (default: the first province there).")] = None,
) -> None:
    """Print the chain behind one score: points, rule, value, the source rows (for the province,
    the units that fed it), the files with their sha256 checked against the archive, and the
    validations they passed; from the province's warehouse (embedded or on DTI_DATABASE_URL's server)."""
    from rich.markup import escape

    from dti import warehouse
    from dti.trace import PROVINCE, TraceError, print_trace, trace_score

    if province == (unit is not None):
        raise typer.BadParameter("give either --unit CODE or --province")
    chosen, configured = _period(period), _province(province_code)
    try:
        with warehouse.warehouse(configured.database) as url:
            traced = trace_score(url, chosen, PROVINCE if province else unit, component)
    except TraceError as error:
        console.print(f"[red]{escape(str(error))}[/]", highlight=False)
        raise typer.Exit(1) from error
    print_trace(traced, console)


archive_app = typer.Typer(help="The archived originals (under their sha256; those carrying citizen ids encrypted): "
                               "give one back, rotate the encryption key.", no_args_is_help=True, add_completion=False)
app.add_typer(archive_app, name="archive")

ArchiveProvinceOption = Annotated[str | None, typer.Option(
    "--province", help="Whose archive: a province code from provinces.yml (default: every province's).")]


def _archived_provinces(code: str | None) -> list[Province]:
    try:
        deployment = load_deployment()
        return [deployment.province(code)] if code else list(deployment.provinces)
    except ProvincesConfigError as error:
        raise typer.BadParameter(str(error)) from error


@archive_app.command("get")
def archive_get(
    sha256: Annotated[str, typer.Argument(
        help="The original's sha256, as raw.landed_files, quarantine.rejected_files and dti trace show it.")],
    out: Annotated[str, typer.Option("--out", help="Where to write the original (readable by you only).")],
    province: ArchiveProvinceOption = None,
) -> None:
    """Write an archived original to a file, decrypted, once its bytes are checked to hash to SHA256.

    An encrypted original is decrypted with DTI_ARCHIVE_KEY (or DTI_ARCHIVE_OLD_KEY during a
    rotation); the file is written readable by its owner only."""
    from pathlib import Path

    from rich.markup import escape

    from dti import archive

    wanted = sha256.strip().lower()
    if not archive.SHA256_PATTERN.fullmatch(wanted):
        raise typer.BadParameter(f"{sha256!r} is not a sha256 (64 hex digits)")
    target = Path(out)
    try:
        found, original = archive.find_original((p.archive_dir for p in _archived_provinces(province)), wanted)
        target.parent.mkdir(parents=True, exist_ok=True)
        archive.write_atomically(target, original, archive.ENCRYPTED_FILE_MODE)
    except (archive.ArchiveError, OSError) as error:
        console.print(f"[red]{escape(str(error))}[/]", highlight=False)
        raise typer.Exit(1) from error
    kept = "decrypted from" if found.name.endswith(archive.ENCRYPTED_SUFFIX) else "copied from"
    console.print(f"{target}: {len(original):,} bytes {kept} {found}, sha256 {wanted} checked", highlight=False,
                  markup=False)


@archive_app.command("rotate-key")
def archive_rotate_key(province: ArchiveProvinceOption = None) -> None:
    """Re-encrypt every encrypted original under DTI_ARCHIVE_KEY, from the old key in DTI_ARCHIVE_OLD_KEY.

    Files already under the new key are left alone, so a rotation that stopped (or missed files
    landed meanwhile with the old key) is finished by running it again."""
    from rich.markup import escape

    from dti import archive

    try:
        new_key, old_key = settings.archive_key(), settings.previous_archive_key()
    except ValueError as error:
        console.print(f"[red]{escape(str(error))}[/]", highlight=False)
        raise typer.Exit(1) from error
    if old_key is None or old_key == new_key:
        console.print("[red]Set DTI_ARCHIVE_OLD_KEY to the key the originals were written with and DTI_ARCHIVE_KEY "
                      "to the new one (README: Personal data at rest).[/]", highlight=False)
        raise typer.Exit(1)
    failed = 0
    for configured in _archived_provinces(province):
        rotation = archive.rotate_archive_key(configured.archive_dir, new_key, old_key)
        console.print(f"{configured.code}: {len(rotation.rotated)} re-encrypted, {rotation.already_current} already "
                      f"under key {archive.key_id(new_key)}, {len(rotation.failed)} failed", highlight=False)
        for path, reason in rotation.failed:
            console.print(f"  [red]{escape(str(path))}: {escape(reason)}[/]", highlight=False)
        failed += len(rotation.failed)
    if failed:
        raise typer.Exit(1)


@app.command()
def serve(
    port: int = typer.Option(8800, help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on; the default keeps it to this machine."),
) -> None:
    """Serve the published output (every province's portal, reports, dbt docs, Data Docs, in its
    <code>/ folder) over HTTP until Ctrl+C."""
    from dti.publish.serve import output_server, server_url

    settings.OUTPUT_ROOT_DIR.mkdir(parents=True, exist_ok=True)
    with output_server(settings.OUTPUT_ROOT_DIR, host, port) as server:
        console.print(f"Serving {settings.OUTPUT_ROOT_DIR} at {server_url(server)} (Ctrl+C to stop)", highlight=False)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console.print("Stopped.")
