"""A seeded demo file of the values the Ministry measures itself, as the focal point drops it.

Every component of the period's framework that the catalog (dti_components, as it is when the demo
is written, an imported appendix's rows included) says the Ministry measures gets a plausible
value, except the Ministry's survey of citizens' satisfaction with digital services: the survey
arrives later in the year, so the demo report shows a component awaiting the Ministry. The file is
labelled as demo data, never as the Ministry's figures.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from dti.scoring_rules import RATIO
from dti.demo.certificates import delimited, write_new
from dti.periods import period_end
from dti.sources.ministry import COUNT_RULES, HEADERS, ministry_rules
from dti.sources.submission_rules import VALUE_CHOICES

SOURCE_DOCUMENT = "Dữ liệu minh họa (demo) — không phải số liệu của Bộ"
# The component whose value the demo leaves to arrive later (by its indicator_key, the same in every framework).
ARRIVES_LATER = "digital_service_satisfaction"
COMPONENT_NAME_HEADER = "Tên chỉ số"  # read past by the reader; there for the person opening the file
RATE_RANGE = (0.60, 0.92)
# Excel with Vietnamese settings saves CSV with ';' between cells, as the focal point's would be.
DELIMITER = ";"


def generate_ministry_file(folder: Path, period: str, seed: int) -> Path | None:
    """Write the period's file of the Ministry's values under ``folder``, unless there is no value to
    give (no framework covers the period, or the Ministry measures nothing else in it); an existing
    file is kept."""
    rng = random.Random(f"{seed}:{period}:ministry")
    published_on = (period_end(period) + timedelta(days=20)).strftime("%d/%m/%Y")
    rows = [[component["component_code"], component["name_vi"], value, SOURCE_DOCUMENT, published_on]
            for component in ministry_rules(period).measured_by_ministry()
            if component["indicator_key"] != ARRIVES_LATER
            and (value := _demo_value(component, rng)) is not None]
    if not rows:
        return None
    header = [HEADERS[0], COMPONENT_NAME_HEADER, *HEADERS[1:]]
    path = folder / f"so-lieu-Bo-danh-gia_{period}.csv"
    write_new(path, delimited([header, *rows], DELIMITER).encode("utf-8-sig"))
    return path


def _demo_value(component: dict, rng: random.Random) -> str | None:
    """A plausible value as the focal point would write it; None for a rule the reader does not read."""
    rule = component["scoring_rule"]
    if rule == RATIO:
        return f"{rng.uniform(*RATE_RANGE) * 100:.1f}%".replace(".", ",")
    if rule in VALUE_CHOICES:
        return rng.choice(VALUE_CHOICES[rule][:-1])  # yes, or partly: never the worst answer
    if rule in COUNT_RULES:
        cap = float(component["target_value"] or 4)
        return str(rng.randint(max(1, round(cap / 2)), max(1, round(cap))))
    return None
