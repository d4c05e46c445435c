"""The catalog seeds and the province's reporting units, as the pipeline's readers and writers load them.

The catalogs are the CSV files of ``dbt_project/seeds/catalog`` (``dti.settings`` names each one)
and a province's units the ``reporting_units.csv`` of its own seed folder. Rows come back as the
files write them, text by column name; a categorical component's answers as ``ComponentOption``
and a tiered component's bands as numbers. The appendix importer, which rewrites the catalog
folder, reads it whole on its own (``dti.catalog.importer.Catalog``).
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from dti import settings
from dti.provinces import Province
from dti.scoring_rules import CATEGORICAL, SCORING_RULES


@dataclass(frozen=True)
class ComponentOption:
    """One answer of a categorical component (a row of dti_component_options)."""

    order: int  # its number in the drop-down, 1 first; a unit may write the number instead of the answer
    vi: str
    en: str
    points_share: Decimal  # the share of the component's points it earns, 0 to 1: the row's value


def load_units(province: Province) -> list[dict]:
    """The province's reporting units, from its own seed folder."""
    return _rows(province.reporting_units_seed)


def load_components() -> list[dict]:
    """Every component of the unit catalogs, in catalog order; raises ValueError for a scoring rule
    the reader does not know, or a categorical component without answers, either of which would
    otherwise leave the component's rows unread."""
    components = _rows(settings.UNIT_COMPONENTS_SEED)
    for component in components:
        where = f"{settings.UNIT_COMPONENTS_SEED.name}: {component['unit_catalog']} {component['component_code']}"
        if component["scoring_rule"] not in SCORING_RULES:
            raise ValueError(f"{where} has the unknown scoring rule {component['scoring_rule']!r}; "
                             f"use one of {', '.join(SCORING_RULES)}")
        if component["scoring_rule"] == CATEGORICAL and not options_of(component):
            raise ValueError(f"{where} is categorical but {settings.COMPONENT_OPTIONS_SEED.name} lists no answers "
                             f"for it")
    return components


def load_tiers(catalog: str, component_code: str) -> list[tuple[int, int]]:
    """(lowest value, points) of each band of a tiered component, highest band first."""
    bands = [(int(float(row["min_value"])), int(float(row["points"]))) for row in _rows(settings.COMPONENT_TIERS_SEED)
             if row["catalog_code"] == catalog and row["component_code"] == component_code]
    return sorted(bands, reverse=True)


def load_options(catalog: str, component_code: str) -> tuple[ComponentOption, ...]:
    """The answers of a categorical component, in the order the drop-down offers them."""
    options = [ComponentOption(order=int(row["option_order"]), vi=unicodedata.normalize("NFC", row["option_vi"]),
                               en=row["option_en"], points_share=Decimal(row["points_share"]))
               for row in _rows(settings.COMPONENT_OPTIONS_SEED)
               if row["catalog_code"] == catalog and row["component_code"] == component_code]
    return tuple(sorted(options, key=lambda option: option.order))


def options_of(component: dict) -> tuple[ComponentOption, ...]:
    """The answers of a categorical component of a unit catalog (a unit_components row)."""
    return load_options(component["unit_catalog"], component["component_code"])


def framework_version_of(year: int) -> str | None:
    """The national framework in force in ``year``; None when none covers it."""
    return next((row["framework_version"] for row in _rows(settings.FRAMEWORK_VERSIONS_SEED)
                 if int(row["valid_from_year"]) <= year <= int(row["valid_to_year"] or year)), None)


def framework_components(framework_version: str | None) -> dict[str, dict]:
    """Component code -> its dti_components row, for every component of ``framework_version``."""
    return {row["component_code"]: row for row in load_framework_components()
            if row["framework_version"] == framework_version}


def load_framework_components() -> list[dict]:
    """Every component of every national framework (dti_components), as the seed writes it."""
    return _rows(settings.DTI_COMPONENTS_SEED)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
