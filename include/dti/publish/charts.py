"""The report's charts, drawn with matplotlib as inline SVG.

Text is drawn as glyph outlines ('path') in DejaVu Sans, which matplotlib bundles, so Vietnamese
diacritics show on a machine without that font and the page needs nothing from outside. The SVG
carries no date and its ids come from a fixed salt, so the same figures give the same bytes.
"""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # never a window, whatever the machine offers

from markupsafe import Markup, escape  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dti.publish.formatting import format_dti_value, format_target_actual  # noqa: E402
from dti.publish.messages import LANGUAGES, Language  # noqa: E402
from dti.publish.report_data import ReportData  # noqa: E402

# Target kinds whose values lie on a 0–1 scale and can share one axis.
UNIT_SCALE_TARGET_KINDS = ("dti", "rate", "yes_no")
DTI_BANDS = 10  # bands of 0.1
LABEL_WIDTH = 38  # characters per line of a bar's label

INK = "#1c2430"
ACCENT = "#c8102e"
MUTED = "#c9d1db"
SECOND = "#5a7fa8"

_STYLE = {
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# No date, no matplotlib version: a rerun on the same figures gives the same bytes.
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


@dataclass(frozen=True)
class Chart:
    chart_id: str  # the figure's id in the page: 'chart-<name>'
    title: str
    caption: str
    svg: Markup


def report_charts(data: ReportData, lang: Language) -> tuple[Chart, ...]:
    """The charts the report shows for ``data``, in ``lang``; a chart with nothing to draw is left out."""
    try:
        hash(data)
    except TypeError:  # figures given as lists rather than tuples: drawn every time
        return _draw_charts(data, lang)
    return _draw_charts_once(data, lang.code)


@lru_cache(maxsize=8)
def _draw_charts_once(data: ReportData, language_code: str) -> tuple[Chart, ...]:
    # Drawing takes a few tenths of a second; the same figures are often rendered again (tests, reruns).
    return _draw_charts(data, next(lang for lang in LANGUAGES if lang.code == language_code))


def _draw_charts(data: ReportData, lang: Language) -> tuple[Chart, ...]:
    # Fonts and colours are taken when the text and bars are made, so the whole drawing is in the style.
    with matplotlib.rc_context(_STYLE):
        charts = [_main_indices_chart(data, lang), _targets_chart(data, lang), _units_chart(data, lang)]
    return tuple(chart for chart in charts if chart is not None)


def _main_indices_chart(data: ReportData, lang: Language) -> Chart | None:
    scored = [index for index in data.main_indices if index.value is not None]
    if not scored:
        return None
    labels = [_wrap((f"{index.number}. " if index.number is not None else "") + lang.name(index.name_vi, index.name_en))
              for index in scored]
    figure, axes = _figure(rows=len(scored))
    positions = range(len(scored))[::-1]
    axes.barh(positions, [1.0] * len(scored), color=MUTED, height=0.6)
    axes.barh(positions, [index.value for index in scored], color=ACCENT, height=0.6)
    for position, index in zip(positions, scored, strict=True):
        axes.text(min(index.value, 0.86) + 0.01, position, format_dti_value(index.value), va="center", fontsize=8)
    axes.set_yticks(list(positions), labels)
    axes.set_xlim(0, 1)
    axes.set_xlabel(lang.text("axis_index_value"))
    return _chart("main-indices", figure, lang.text("chart_main_indices_title"),
                  lang.text("chart_main_indices_caption"))


def _targets_chart(data: ReportData, lang: Language) -> Chart | None:
    targets = [target for target in data.targets if target.value_kind in UNIT_SCALE_TARGET_KINDS]
    if not targets:
        return None
    figure, axes = _figure(rows=len(targets))
    positions = [float(n) for n in range(len(targets))][::-1]
    actual = [target.actual_value or 0.0 for target in targets]
    axes.barh([p + 0.18 for p in positions], actual, height=0.34, color=ACCENT, label=lang.text("legend_actual"))
    axes.barh([p - 0.18 for p in positions], [target.target_value for target in targets], height=0.34,
              color=MUTED, label=lang.text("legend_target"))
    for position, target in zip(positions, targets, strict=True):
        axes.text((target.actual_value or 0.0) + 0.01, position + 0.18, format_target_actual(target, lang),
                  va="center", fontsize=8)
    axes.set_yticks(positions, [_wrap(lang.name(target.name_vi, target.name_en)) for target in targets])
    axes.set_xlim(0, 1.12)
    axes.set_xlabel(lang.text("axis_scale_0_1"))
    axes.legend(loc="lower right", frameon=False, fontsize=8)
    return _chart("targets", figure, lang.text("chart_targets_title"), lang.text("chart_targets_caption"))


def _units_chart(data: ReportData, lang: Language) -> Chart | None:
    if not data.units:
        return None
    groups = (("department", ACCENT), ("commune", SECOND))
    figure = Figure(figsize=(7.2, 3.0))
    axes = figure.add_subplot()
    width = 0.4
    for offset, (group, colour) in zip((-width / 2, width / 2), groups, strict=True):
        counts = [0] * DTI_BANDS
        for unit in data.units:
            if unit.ranking_group == group:
                counts[min(int(unit.dti_score * DTI_BANDS), DTI_BANDS - 1)] += 1
        axes.bar([band + offset for band in range(DTI_BANDS)], counts, width=width, color=colour,
                 label=lang.label("ranking_group", group))
    band_names = [f"{band / DTI_BANDS:.1f}–{(band + 1) / DTI_BANDS:.1f}" for band in range(DTI_BANDS)]
    axes.set_xticks(range(DTI_BANDS), band_names, fontsize=7)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel(lang.text("axis_dti_band"))
    axes.set_ylabel(lang.text("axis_unit_count"))
    axes.legend(frameon=False, fontsize=8)
    figure.tight_layout()
    return _chart("units", figure, lang.text("chart_units_title"), lang.text("chart_units_caption"))


def _figure(rows: int) -> tuple[Figure, object]:
    figure = Figure(figsize=(7.2, 0.9 + 0.55 * rows))
    axes = figure.add_subplot()
    return figure, axes


def _chart(name: str, figure: Figure, title: str, caption: str) -> Chart:
    chart_id = f"chart-{name}"
    figure.tight_layout()
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": chart_id}):
        figure.savefig(buffer, format="svg", metadata=_NO_METADATA)
    return Chart(chart_id, title, caption, _inline_svg(buffer.getvalue(), f"{chart_id}-title", title))


def _inline_svg(document: str, title_id: str, title: str) -> Markup:
    """The ``<svg>`` element of an SVG file, labelled for screen readers by its ``<title>``."""
    svg = document[document.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.DOTALL)
    opening_end = svg.index(">") + 1
    opening = svg[:opening_end].replace("<svg", f'<svg role="img" aria-labelledby="{title_id}"', 1)
    return Markup(f'{opening}\n <title id="{title_id}">{escape(title)}</title>{svg[opening_end:]}')


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, LABEL_WIDTH)) or label
