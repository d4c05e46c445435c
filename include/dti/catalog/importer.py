"""``dti catalog import``: the Ministry's appendix merged into the catalog seeds, all or nothing.

Each component row of the appendix becomes an ``official`` row of ``dti_components`` for its
framework, naming the appendix (``appendix_ref``) and keeping the appendix's code, name, points,
rule (as read by ``dti.catalog.rules`` and as written), evidence, data source and verifying unit;
its bands go to ``dti_component_tiers`` and its answers to ``dti_component_options``.

How its value is obtained (the data mapping) comes from the province's stand-in for it: an
appendix row whose Vietnamese name is that of a ``provincial_proxy`` of the same main index takes
over the proxy's mapping, and the proxy goes; a row linked to no proxy is measured by the Ministry
(``value_source`` ``ministry``: the focal point enters what the Ministry publishes). A re-import
keeps the mapping the earlier import gave a code, so importing the same file twice writes the same
seeds (``imported_at`` aside).

The stand-ins left make room: one whose code the appendix now uses is renumbered ``T<code>``
(tỉnh), those of a main index that now has all its official components go, and the others share
what the official rows leave of their main index's points in proportion to their own, so every
main index still adds up.

Nothing is written unless every row maps: all the problems are collected, with the sheet and row
they are on, and raised together (``CatalogImportError``). The seeds are then written to temporary
files beside them and renamed into place. The dbt manifest the DAGs are rendered from is then stale:
``dti catalog import`` parses the project again.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, UTC
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from dti import settings
from dti.catalog.appendix import Appendix, AppendixReadError, ComponentRow, GroupRow, Place, read_appendix
from dti.catalog.rules import RuleTextError, ScoringRule, parse_rule
from dti.scoring_rules import COUNT_CAPPED, RATIO, value_kind
from dti.catalog.text import number_text, parse_number_text, text_key

SEEDS_DIR = settings.DBT_PROJECT_DIR / "seeds" / "catalog"
COMPONENTS_SEED = "dti_components"
MAIN_INDICES_SEED = "dti_main_indices"
FRAMEWORKS_SEED = "dti_framework_versions"
TIERS_SEED = "dti_component_tiers"
OPTIONS_SEED = "dti_component_options"
APPENDICES_SEED = "dti_catalog_appendices"

OFFICIAL = "official"
PROXY = "provincial_proxy"
# A province's stand-in whose code the appendix now gives an official component (T for tỉnh).
RENUMBERED_PREFIX = "T"
POINT_PLACES = Decimal("0.01")
# What a linked appendix row takes over from the proxy it replaces: how its value is obtained.
DATA_MAPPING = ("indicator_key", "name_en", "unit_of_measure", "numerator_definition", "denominator_definition",
                "value_source", "source_component_code", "province_aggregation", "responsible_unit_type")
# Rules whose target_value means something (a rate's full-points rate, a count's cap).
TARGETED_RULES = (RATIO, COUNT_CAPPED)
DEFAULT_RATE_TARGET = "1.0"
_POINTS_WORD = "điểm"
_VALUE_KINDS = {"rate": "a rate", "count": "a count", "answer": "a yes/no answer", "option": "one of listed answers"}
# Words some appendices put before a main index's name ("Chỉ số Nhận thức số").
_MAIN_INDEX_PREFIXES = ("chỉ số chính ", "chỉ số ")


# --- seeds ---------------------------------------------------------------------------------------


@dataclass
class SeedTable:
    """One seed CSV: its columns in the file's order and its rows as text."""

    name: str
    fieldnames: list[str]
    rows: list[dict[str, str]]

    @classmethod
    def read(cls, folder: Path, name: str) -> SeedTable:
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            return cls(name, list(reader.fieldnames or []), rows)

    def render(self) -> str:
        """The CSV text as the seeds are written: UTF-8, '\\n' line ends, minimal quoting."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=self.fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()


@dataclass
class Catalog:
    folder: Path
    components: SeedTable
    main_indices: SeedTable
    frameworks: SeedTable
    tiers: SeedTable
    options: SeedTable
    appendices: SeedTable

    @classmethod
    def load(cls, folder: Path) -> Catalog:
        return cls(folder, *(SeedTable.read(folder, name) for name in (
            COMPONENTS_SEED, MAIN_INDICES_SEED, FRAMEWORKS_SEED, TIERS_SEED, OPTIONS_SEED, APPENDICES_SEED)))

    def written_tables(self) -> list[SeedTable]:
        """The seeds an import rewrites (the framework versions are only read)."""
        return [self.components, self.main_indices, self.tiers, self.options, self.appendices]


# --- what an import reports ----------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """Why a row (or the file, without a row) cannot be imported, in English."""

    reason: str
    sheet: str | None = None
    row: int | None = None

    def describe(self, file_name: str) -> str:
        where = "".join((f", sheet {self.sheet}" if self.sheet else "", f", row {self.row}" if self.row else ""))
        return f"{file_name}{where}: {self.reason}"


class CatalogImportError(Exception):
    """The appendix cannot be imported; ``problems`` says where and why. Nothing was written."""

    def __init__(self, file_name: str, problems: list[RowProblem]):
        self.file_name = file_name
        self.problems = sorted(problems, key=lambda problem: (problem.sheet or "", problem.row or 0))
        super().__init__("\n".join(problem.describe(file_name) for problem in self.problems))


@dataclass(frozen=True)
class Link:
    """An official component that took over a proxy's data mapping."""

    component_code: str
    proxy_code: str
    indicator_key: str


@dataclass(frozen=True)
class Rescale:
    component_code: str
    old_points: str
    new_points: str


@dataclass(frozen=True)
class ImportResult:
    file_name: str
    appendix_ref: str
    framework_version: str
    document_title: str
    rows_imported: int
    linked: tuple[Link, ...]
    # Codes that kept the data mapping an earlier import of the same code gave them.
    carried_over: tuple[str, ...]
    # Official components linked to no proxy: measured by the Ministry, their values still to be entered.
    awaiting_values: tuple[str, ...]
    renumbered: tuple[tuple[str, str], ...]
    dropped: tuple[str, ...]
    rescaled: tuple[Rescale, ...]
    # Main indices whose provisional points the appendix confirmed: (main_index_code, points).
    confirmed_main_indices: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]

    def summary(self) -> list[str]:
        """What the import did, a line each, for the person who ran it."""
        title = f" ({self.document_title})" if self.document_title else ""
        lines = [f"{self.file_name}{title}: {self.rows_imported} official components of framework "
                 f"{self.framework_version} imported as appendix {self.appendix_ref}"]
        listed = {
            "linked to provincial proxies (their data mapping taken over)":
                [f"{link.component_code} ← {link.proxy_code} ({link.indicator_key})" for link in self.linked],
            "kept the data mapping of an earlier import": list(self.carried_over),
            "new official components awaiting values the Ministry publishes (value_source ministry)":
                list(self.awaiting_values),
            "proxies renumbered (their code is now official)": [f"{old} → {new}" for old, new in self.renumbered],
            "proxies dropped (their main index has all its official components)": list(self.dropped),
            "proxies rescaled to what the official components leave of their main index":
                [f"{change.component_code} {change.old_points} → {change.new_points}" for change in self.rescaled],
            "main-index points confirmed by the appendix (no longer provisional)":
                [f"{code} {points}" for code, points in self.confirmed_main_indices],
        }
        lines += [f"  {what}: {', '.join(items)}" for what, items in listed.items() if items]
        lines += [f"  note: {note}" for note in self.notes]
        return lines


# --- the import ----------------------------------------------------------------------------------


def import_appendix(file: Path, framework: str, seeds_dir: Path = SEEDS_DIR, *, sheet: str | None = None,
                    imported_at: datetime | None = None) -> ImportResult:
    """Merge the appendix in ``file`` into the catalog seeds in ``seeds_dir`` as framework ``framework``.

    Raises ``CatalogImportError`` with every problem found, having written nothing.
    """
    try:
        appendix = read_appendix(file, sheet)
    except AppendixReadError as error:
        raise CatalogImportError(file.name, [RowProblem(str(error), error.sheet)]) from error
    catalog = Catalog.load(seeds_dir)
    merge = _Merge(appendix, framework, catalog)
    result = merge.apply(imported_at or datetime.now(UTC))
    write_seeds(seeds_dir, catalog.written_tables())
    return result


def dbt_project_of(seeds_dir: Path) -> Path:
    """The dbt project a catalog seed folder belongs to (``<project>/seeds/catalog``)."""
    return seeds_dir.parents[1]


def write_seeds(folder: Path, tables: list[SeedTable]) -> None:
    """Write every table to a temporary file beside its seed, then rename them all into place."""
    written: list[tuple[str, Path]] = []
    try:
        for table in tables:
            target = folder / f"{table.name}.csv"
            handle, temporary = tempfile.mkstemp(prefix=f".{table.name}.", suffix=".tmp", dir=folder)
            written.append((temporary, target))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(table.render())
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        for temporary, target in written:
            os.replace(temporary, target)
    finally:
        for temporary, _ in written:
            if os.path.exists(temporary):
                os.remove(temporary)


@dataclass
class _Official:
    """An appendix component row read and checked."""

    source: ComponentRow
    main_index: dict[str, str]
    max_points: Decimal
    rule: ScoringRule
    mapping: dict[str, str] | None = None  # the row whose data mapping it takes over
    linked_proxy: str | None = None

    @property
    def code(self) -> str:
        return self.source.code


class _RowError(ValueError):
    """A problem with one row, raised while reading it."""


@dataclass
class _Merge:
    """One import: the appendix read against the catalog, checked, then applied to its tables."""

    appendix: Appendix
    framework: str
    catalog: Catalog
    problems: list[RowProblem] = field(default_factory=list)
    officials: list[_Official] = field(default_factory=list)
    group_rows: dict[str, GroupRow] = field(default_factory=dict)  # main_index_code -> the row opening it
    confirmed_points: dict[str, Decimal] = field(default_factory=dict)
    codes_given: dict[str, int] = field(default_factory=dict)  # component code -> the row that first gives it
    framework_row: dict[str, str] = field(init=False)
    main_indices: dict[str, dict[str, str]] = field(init=False)  # main_index_code -> its row, of this framework
    existing: list[dict[str, str]] = field(init=False)  # this framework's components before the import
    # Official rows of earlier imports whose code this appendix does not give: they stay.
    kept_officials: list[dict[str, str]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        frameworks = {row["framework_version"]: row for row in self.catalog.frameworks.rows}
        if self.framework not in frameworks:
            known = ", ".join(frameworks)
            raise CatalogImportError(self.appendix.file_name, [RowProblem(
                f"framework {self.framework} is not in {FRAMEWORKS_SEED} (known: {known})")])
        self.framework_row = frameworks[self.framework]
        self.main_indices = {row["main_index_code"]: row for row in self.catalog.main_indices.rows
                             if row["framework_version"] == self.framework}
        self.existing = [row for row in self.catalog.components.rows if row["framework_version"] == self.framework]

    # -- reading and checking --

    def apply(self, imported_at: datetime) -> ImportResult:
        self._read_rows()
        # Every code the appendix gives replaces an earlier import's row of that code, read or not.
        self.kept_officials = [row for row in self.existing
                               if row["provenance"] == OFFICIAL and row["component_code"] not in self.codes_given]
        self._check_counts_and_points()
        self._link()
        if self.problems:
            raise CatalogImportError(self.appendix.file_name, self.problems)
        return self._write_into_tables(imported_at)

    def _problem(self, place: Place, reason: str) -> None:
        self.problems.append(RowProblem(reason, place.sheet, place.row))

    def _read_rows(self) -> None:
        current: dict[str, str] | None = None
        # After a group row that could not be read, its components are not also reported as orphans.
        after_unreadable_group = False
        for row in self.appendix.rows:
            if isinstance(row, GroupRow):
                try:
                    current = self._open_main_index(row)
                    after_unreadable_group = False
                except _RowError as error:
                    self._problem(row.place, str(error))
                    current, after_unreadable_group = None, True
                continue
            if current is None and not after_unreadable_group:
                self._problem(row.place, 'comes before any main-index group row (such as "1. Nhận thức số '
                                         '(100 điểm)"): every component belongs to a main index')
            official = self._read_component(row, current)
            if official is not None:
                self.officials.append(official)
        if not any(isinstance(row, ComponentRow) for row in self.appendix.rows):
            self._problem(Place(self.appendix.sheet, self.appendix.header_row),
                          "no component rows under the header row")

    def _open_main_index(self, row: GroupRow) -> dict[str, str] | None:
        """The main index a group row opens, or None for a group of main indices."""
        main_index = self._main_index_named(row)
        if main_index is None:
            return None
        code = main_index["main_index_code"]
        if code in self.group_rows:
            raise _RowError(f'main index "{main_index["name_vi"]}" is opened again (first at row '
                            f'{self.group_rows[code].place.row})')
        self.group_rows[code] = row
        if row.points_text:
            stated = _points(row.points_text, "the points in the group row")
            if stated != stated.to_integral_value():
                raise _RowError(f'main index "{main_index["name_vi"]}" states {number_text(stated)} points: a main '
                                f'index has whole points')
            if main_index["provisional"] == "true":
                self.confirmed_points[code] = stated
            elif stated != Decimal(main_index["max_points"]):
                raise _RowError(f'main index "{main_index["name_vi"]}" states {number_text(stated)} points, but '
                                f'framework {self.framework} gives it {main_index["max_points"]} ({MAIN_INDICES_SEED}, '
                                f'not provisional)')
        return main_index

    def _main_index_named(self, row: GroupRow) -> dict[str, str] | None:
        name = text_key(row.name)
        names = {name, *(name.removeprefix(prefix) for prefix in _MAIN_INDEX_PREFIXES if name.startswith(prefix))}
        own = [index for index in self.main_indices.values() if text_key(index["name_vi"]) in names]
        if own:
            if row.number.isdigit() and row.number != own[0]["main_index_number"]:
                raise _RowError(f'is numbered {row.number}, but main index "{own[0]["name_vi"]}" is number '
                                f'{own[0]["main_index_number"]} of framework {self.framework}')
            return own[0]
        elsewhere = sorted({index["framework_version"] for index in self.catalog.main_indices.rows
                            if text_key(index["name_vi"]) in names})
        if elsewhere:
            raise _RowError(f'main index "{row.name}" is not one of framework {self.framework}\'s (it is in '
                            f'framework {", ".join(elsewhere)})')
        if "nhóm" in name.split() or (row.number and not row.number.isdigit()):
            return None
        numbered = [index for index in self.main_indices.values() if index["main_index_number"] == row.number]
        if numbered:
            return numbered[0]
        listed = ", ".join(f'{index["main_index_number"]}. {index["name_vi"]}' for index in self.main_indices.values())
        raise _RowError(f'"{row.text}" opens no main index of framework {self.framework} ({listed}) and is no group '
                        f'of them ("Nhóm …")')

    def _read_component(self, row: ComponentRow, main_index: dict[str, str] | None) -> _Official | None:
        header = self.appendix.header
        problems_before = len(self.problems)
        code = row.code
        if not code:
            self._problem(row.place, f'column "{header("code")}": the component code is empty')
        elif not all(part.isdigit() for part in code.split(".")):
            self._problem(row.place, f'column "{header("code")}": "{row.code}" is not a component code such as 1.1 '
                                     f'(a date? format the column as Text)')
        elif code in self.codes_given:
            self._problem(row.place, f'column "{header("code")}": code {code} is given twice (first at row '
                                     f'{self.codes_given[code]})')
        else:
            self.codes_given[code] = row.place.row
        if not row.name:
            self._problem(row.place, f'column "{header("name")}": the component name is empty')
        max_points = None
        try:
            max_points = _points(row.max_points, f'column "{header("max_points")}"')
        except _RowError as error:
            self._problem(row.place, str(error))
        rule = None
        try:
            rule = parse_rule(row.rule_text, max_points)
        except RuleTextError as error:
            self._problem(row.place, f'column "{header("rule_text")}": {error}')
        if main_index is None or rule is None or max_points is None or len(self.problems) > problems_before:
            return None
        return _Official(row, main_index, max_points, rule)

    def _max_points(self, main_index_code: str) -> Decimal:
        return self.confirmed_points.get(main_index_code, Decimal(self.main_indices[main_index_code]["max_points"]))

    def _check_counts_and_points(self) -> None:
        by_main_index: dict[str, list[_Official]] = defaultdict(list)
        for official in self.officials:
            by_main_index[official.main_index["main_index_code"]].append(official)
        kept_by_main_index: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in self.kept_officials:
            kept_by_main_index[row["main_index_code"]].append(row)
        for code, officials in by_main_index.items():
            main_index, kept = self.main_indices[code], kept_by_main_index[code]
            group = self.group_rows[code].place
            limit = _count(main_index["official_component_count"])
            if limit is not None and len(officials) + len(kept) > limit:
                self._problem(officials[limit - len(kept)].source.place if limit >= len(kept) else group,
                              f'main index "{main_index["name_vi"]}" has {limit} components in framework '
                              f'{self.framework}; the appendix gives it {len(officials) + len(kept)}')
            total = sum((official.max_points for official in officials), Decimal(0)) + sum(
                (Decimal(row["max_points"]) for row in kept), Decimal(0))
            maximum = self._max_points(code)
            if total > maximum:
                self._problem(group, f'the official components of "{main_index["name_vi"]}" add up to '
                                     f'{number_text(total)} points, more than its {number_text(maximum)}')
            elif limit is not None and len(officials) + len(kept) == limit and total != maximum:
                self._problem(group, f'the {limit} official components of "{main_index["name_vi"]}" add up to '
                                     f'{number_text(total)} points, not its {number_text(maximum)}')
        self._check_framework_total()
        limit = _count(self.framework_row["official_component_count"])
        if limit is not None and len(self.officials) + len(self.kept_officials) > limit:
            beyond = self.officials[max(limit - len(self.kept_officials), 0)]
            self._problem(beyond.source.place, f"framework {self.framework} has {limit} official components; the "
                                               f"appendix (with earlier imports) gives "
                                               f"{len(self.officials) + len(self.kept_officials)}")

    def _check_framework_total(self) -> None:
        """Provisional main-index points the appendix changes must keep the framework's total."""
        changed = [code for code, points in self.confirmed_points.items()
                   if points != Decimal(self.main_indices[code]["max_points"])]
        total = sum((self._max_points(code) for code in self.main_indices), Decimal(0))
        expected = Decimal(self.framework_row["official_total_points"])
        if changed and total != expected:
            for code in changed:
                self._problem(self.group_rows[code].place,
                              f'main index "{self.main_indices[code]["name_vi"]}" states '
                              f'{number_text(self.confirmed_points[code])} points, which makes framework '
                              f'{self.framework} add up to {number_text(total)}, not its {number_text(expected)} '
                              f'({FRAMEWORKS_SEED}.official_total_points)')

    def _link(self) -> None:
        """Give each official row the data mapping it takes over: its proxy's, or an earlier import's."""
        proxies = {(row["main_index_code"], text_key(row["name_vi"])): row for row in self.existing
                   if row["provenance"] == PROXY}
        earlier = {row["component_code"]: row for row in self.existing if row["provenance"] == OFFICIAL}
        taken: dict[str, int] = {}
        for official in self.officials:
            proxy = proxies.get((official.main_index["main_index_code"], text_key(official.source.name)))
            if proxy is not None:
                proxy_code = proxy["component_code"]
                if proxy_code in taken:
                    self._problem(official.source.place, f"has the name of provincial proxy {proxy_code}, which row "
                                                         f"{taken[proxy_code]} already takes over")
                    continue
                taken[proxy_code] = official.source.place.row
                official.linked_proxy = proxy_code
            official.mapping = proxy if proxy is not None else earlier.get(official.code)
            if official.mapping is not None:
                self._check_value_kind(official)

    def _check_value_kind(self, official: _Official) -> None:
        mapping = official.mapping
        theirs = value_kind(mapping["scoring_rule"], mapping["unit_of_measure"])
        if theirs != official.rule.value_kind:
            whose = (f"provincial proxy {official.linked_proxy}" if official.linked_proxy
                     else f"the official component {official.code} an earlier import loaded")
            self._problem(official.source.place,
                          f'column "{self.appendix.header("rule_text")}": the rule scores '
                          f'{_VALUE_KINDS[official.rule.value_kind]} ({official.rule.kind}), but {whose} '
                          f'({mapping["indicator_key"]}) measures {_VALUE_KINDS[theirs]} ({mapping["scoring_rule"]}, '
                          f'{mapping["unit_of_measure"] or "no unit"}): its data cannot feed this component')

    # -- applying --

    def _write_into_tables(self, imported_at: datetime) -> ImportResult:
        stand_ins, dropped, renumbered = self._stand_ins_left()
        official_rows = [self._official_row(official) for official in self.officials]
        for row in self.kept_officials:
            official_rows.append(dict(row, _old_code=row["component_code"]))
        rescaled, notes = self._share_what_is_left(official_rows, stand_ins)

        block = sorted(official_rows + stand_ins, key=self._catalog_order)
        self._replace_components(block)
        self._rewrite_component_rows(self.catalog.tiers, block, self._official_tiers)
        self._rewrite_component_rows(self.catalog.options, block, self._official_options)
        for row in self.catalog.main_indices.rows:
            if row["framework_version"] == self.framework and row["main_index_code"] in self.confirmed_points:
                row["max_points"] = number_text(self.confirmed_points[row["main_index_code"]])
                row["provisional"] = "false"
        self._register_appendix(imported_at)

        return ImportResult(
            file_name=self.appendix.file_name,
            appendix_ref=self.appendix.appendix_ref,
            framework_version=self.framework,
            document_title=self.appendix.title,
            rows_imported=len(self.officials),
            linked=tuple(Link(official.code, official.linked_proxy, official.mapping["indicator_key"])
                         for official in self.officials if official.linked_proxy),
            carried_over=tuple(official.code for official in self.officials
                               if official.mapping is not None and not official.linked_proxy),
            awaiting_values=tuple(official.code for official in self.officials if self._measured_by_ministry(official)),
            renumbered=tuple(renumbered),
            dropped=tuple(dropped),
            rescaled=tuple(rescaled),
            confirmed_main_indices=tuple((code, number_text(points)) for code, points in self.confirmed_points.items()),
            notes=tuple(notes),
        )

    def _stand_ins_left(self) -> tuple[list[dict], list[str], list[tuple[str, str]]]:
        """The framework's proxies and placeholders that stay (renumbered where the appendix takes their
        code), the codes of those dropped (their main index has all its official components) and the
        renumberings."""
        official_codes = {official.code for official in self.officials} | {
            row["component_code"] for row in self.kept_officials}
        linked = {official.linked_proxy for official in self.officials if official.linked_proxy}
        official_count = Counter([official.main_index["main_index_code"] for official in self.officials]
                                 + [row["main_index_code"] for row in self.kept_officials])
        stand_ins, dropped, renumbered = [], [], []
        for row in self.existing:
            if row["provenance"] == OFFICIAL or row["component_code"] in linked:
                continue
            limit = _count(self.main_indices.get(row["main_index_code"], {}).get("official_component_count", ""))
            if limit is not None and official_count[row["main_index_code"]] >= limit:
                dropped.append(row["component_code"])
                continue
            stand_in = dict(row, _old_code=row["component_code"])
            if stand_in["component_code"] in official_codes:
                stand_in["component_code"] = RENUMBERED_PREFIX + stand_in["component_code"]
                renumbered.append((stand_in["_old_code"], stand_in["component_code"]))
            stand_ins.append(stand_in)
        return stand_ins, dropped, renumbered

    def _measured_by_ministry(self, official: _Official) -> bool:
        """Whether the row got (now or in an earlier import) the mapping of a component linked to no proxy."""
        return official.mapping is None or (not official.linked_proxy and official.mapping["indicator_key"]
                                            == _ministry_key(self.framework, official.code))

    def _official_row(self, official: _Official) -> dict[str, str]:
        rule, source = official.rule, official.source
        row = dict.fromkeys(self.catalog.components.fieldnames, "")
        row.update(
            framework_version=self.framework, component_code=official.code,
            main_index_code=official.main_index["main_index_code"], name_vi=" ".join(source.name.split()),
            max_points=number_text(official.max_points), scoring_rule=rule.kind,
            target_value=_target_text(rule, official.mapping), data_source=source.data_source,
            evidence_required=source.evidence, provenance=OFFICIAL, appendix_ref=self.appendix.appendix_ref,
            scoring_rule_text=source.rule_text, verifying_unit=source.verifying_unit, _old_code=official.code,
            _official=official,
        )
        if official.mapping is not None:
            row.update({name: official.mapping[name] for name in DATA_MAPPING})
        else:
            row.update(indicator_key=_ministry_key(self.framework, official.code), value_source="ministry",
                       province_aggregation="single", responsible_unit_type="ministry",
                       unit_of_measure=rule.unit_of_measure, numerator_definition=rule.numerator,
                       denominator_definition=rule.denominator)
        return row

    def _share_what_is_left(self, official_rows: list[dict], stand_ins: list[dict]) -> tuple[list[Rescale], list[str]]:
        """Rescale the stand-ins of each main index with official rows to what those rows leave of its points."""
        rescaled, notes = [], []
        touched = {row["main_index_code"] for row in official_rows} | set(self.confirmed_points)
        for code in sorted(touched, key=lambda code: int(self.main_indices[code]["main_index_number"])):
            left = self._max_points(code) - sum((Decimal(row["max_points"]) for row in official_rows
                                                  if row["main_index_code"] == code), Decimal(0))
            sharing = [row for row in stand_ins if row["main_index_code"] == code]
            if not sharing:
                if left:
                    notes.append(f'main index {code}: the official components leave {number_text(left)} points that '
                                 f'no component carries until the rest of the appendix is loaded')
                continue
            old = [Decimal(row["max_points"]) for row in sharing]
            for row, before, after in zip(sharing, old, _shared_points(old, left), strict=True):
                if after != before:
                    row["max_points"] = number_text(after)
                    rescaled.append(Rescale(row["component_code"], number_text(before), row["max_points"]))
            if left == 0:
                notes.append(f"main index {code}: the official components take all its points; its stand-ins "
                             f"{', '.join(row['component_code'] for row in sharing)} keep 0 points")
        return rescaled, notes

    def _catalog_order(self, row: dict[str, str]) -> tuple:
        number = self.main_indices.get(row["main_index_code"], {}).get("main_index_number", "0")
        code = row["component_code"]
        plain = code.removeprefix(RENUMBERED_PREFIX)
        parts = tuple(int(part) for part in plain.split(".")) if all(p.isdigit() for p in plain.split(".")) else ()
        return int(number) if number.isdigit() else 0, parts, code != plain, code

    def _official_tiers(self, official: _Official, existing: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
        return [{"catalog_code": self.framework, "component_code": official.code,
                 "min_value": number_text(band.min_value), "points": number_text(band.points)}
                for band in official.rule.bands]

    def _official_options(self, official: _Official,
                          existing: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
        # An answer the proxy (or an earlier import) also offered keeps its English wording.
        mapped = official.mapping["component_code"] if official.mapping is not None else None
        english = {text_key(row["option_vi"]): row["option_en"] for row in existing.get(mapped, [])}
        return [{"catalog_code": self.framework, "component_code": official.code, "option_order": str(order),
                 "option_vi": answer.label, "option_en": english.get(text_key(answer.label), ""),
                 "points_share": number_text(answer.share)}
                for order, answer in enumerate(official.rule.answers, start=1)]

    def _rewrite_component_rows(self, table: SeedTable, block: list[dict],
                                official_rows: Callable[[_Official, dict[str, list[dict[str, str]]]],
                                                        list[dict[str, str]]]) -> None:
        """Rewrite the framework's rows of a table kept per component (bands, answers) in place: a
        stand-in's rows under its code now, an official component's rows where the rows of the
        component whose mapping it took over were (after the framework's last row when there were
        none), the rest dropped. Other rows do not move, so a re-import changes nothing."""
        existing: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in table.rows:
            if row["catalog_code"] == self.framework:
                existing[row["component_code"]].append(row)
        kept = {component["_old_code"]: component["component_code"] for component in block
                if component.get("_official") is None}
        in_place: dict[str, list[dict[str, str]]] = {}
        appended: list[dict[str, str]] = []
        for component in block:
            official = component.get("_official")
            if official is None:
                continue
            rows = official_rows(official, existing)
            anchor = official.mapping["component_code"] if official.mapping is not None else None
            if anchor in existing and anchor not in kept:
                in_place[anchor] = rows
            else:
                appended.extend(rows)
        rewritten: list[dict[str, str]] = []
        after_framework = len(table.rows)
        for row in table.rows:
            if row["catalog_code"] != self.framework:
                rewritten.append(row)
                continue
            code = row["component_code"]
            if code in kept:
                rewritten.append(dict(row, component_code=kept[code]))
            elif code in in_place:
                rewritten.extend(in_place.pop(code))
            after_framework = len(rewritten)
        table.rows = rewritten[:after_framework] + appended + rewritten[after_framework:]

    def _replace_components(self, block: list[dict]) -> None:
        """The framework's components replaced by ``block``, where its first row was."""
        table = self.catalog.components
        ordered = [{name: row[name] for name in table.fieldnames} for row in block]
        first = next((index for index, row in enumerate(table.rows) if row["framework_version"] == self.framework),
                     len(table.rows))
        others = [row for row in table.rows if row["framework_version"] != self.framework]
        position = sum(1 for row in table.rows[:first] if row["framework_version"] != self.framework)
        table.rows = others[:position] + ordered + others[position:]

    def _register_appendix(self, imported_at: datetime) -> None:
        appendix = self.appendix
        entry = {
            "appendix_ref": appendix.appendix_ref, "framework_version": self.framework,
            "file_name": appendix.file_name, "file_sha256": appendix.sha256, "document_title": appendix.title,
            "imported_at": imported_at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "rows_imported": str(len(self.officials)),
        }
        table = self.catalog.appendices
        entry = {name: entry.get(name, "") for name in table.fieldnames}
        for index, row in enumerate(table.rows):
            if row["appendix_ref"] == appendix.appendix_ref:
                table.rows[index] = entry
                return
        table.rows.append(entry)


# --- numbers -------------------------------------------------------------------------------------


def _points(text: str, what: str) -> Decimal:
    """Points as a row writes them ("20", "7,5", "20 điểm"); _RowError naming ``what`` otherwise."""
    written = " ".join(text.split())
    if not written:
        raise _RowError(f"{what}: the points are empty")
    number = written.removesuffix(_POINTS_WORD).strip() if written.casefold().endswith(_POINTS_WORD) else written
    points = parse_number_text(number)
    if points is None or points < 0:
        raise _RowError(f'{what}: "{written}" is not a number of points')
    return points


def _count(text: str) -> int | None:
    return int(text) if text.strip() else None


def _shared_points(points: list[Decimal], total: Decimal) -> list[Decimal]:
    """``total`` shared in proportion to ``points`` (equally when they are all 0), to 2 decimals,
    the rounding remainder on the largest share so that the shares add up to ``total`` exactly."""
    current = sum(points, Decimal(0))
    weights = points if current else [Decimal(1)] * len(points)
    weight_total = current or Decimal(len(points))
    shares = [(total * weight / weight_total).quantize(POINT_PLACES, ROUND_HALF_UP) for weight in weights]
    largest = max(range(len(shares)), key=lambda index: (weights[index], -index))
    shares[largest] += total - sum(shares, Decimal(0))
    return shares


def _target_text(rule: ScoringRule, mapping: dict[str, str] | None) -> str:
    """The target_value an official row gets: the appendix's, else the mapping's, else full points at 100%."""
    if rule.kind not in TARGETED_RULES:
        return ""
    if rule.target_value is not None:
        text = number_text(rule.target_value)
        return text if rule.kind != RATIO or "." in text else f"{text}.0"
    if mapping is not None and mapping["target_value"]:
        return mapping["target_value"]
    return DEFAULT_RATE_TARGET


def _ministry_key(framework: str, code: str) -> str:
    return f"official_{framework}_{code.replace('.', '_')}"
