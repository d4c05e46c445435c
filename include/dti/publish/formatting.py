"""How the report writes its figures, in either language: the same value, its language's marks.

Index values are dot-decimal in both languages (0.6123), as the Ministry publishes them; points
and rates follow the language ('612,34' and '55,3%' in Vietnamese, '612.34' and '55.3%' in English).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from dti.publish.messages import VIETNAMESE, Language
from dti.publish.report_data import TargetProgress

VIETNAM_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
COMPARISON_SIGNS = {"at_least": "≥", "at_most": "≤"}


def format_dti_value(value: float) -> str:
    """An index value on the 0–1 scale: 4 decimals, dot-decimal so the figure reads back exactly."""
    return f"{_round_half_up(value, 4):.4f}"


def format_number(value: float, lang: Language = VIETNAMESE, max_decimals: int = 2) -> str:
    """Points in the language's way: '1.000' and '612,35' in Vietnamese, '1,000' and '612.35' in English."""
    text = f"{_round_half_up(value, max_decimals):,.{max_decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(str.maketrans({",": lang.thousands_mark, ".": lang.decimal_mark}))


def format_signed_dti_value(value: float) -> str:
    """A change of an index value, with its sign: '+0.0123', '-0.0050', '0.0000'."""
    return _signed(format_dti_value(value))


def format_percent(rate: float, lang: Language = VIETNAMESE) -> str:
    """A rate on the 0–1 scale as a percentage: '60%', '55,3%' ('55.3%' in English)."""
    return f"{format_number(rate * 100, lang, 1)}%"


def format_target_actual(target: TargetProgress, lang: Language = VIETNAMESE) -> str:
    if target.actual_value is None:
        return lang.text("not_measured")
    return _format_target_quantity(target.actual_value, target.value_kind, lang)


def format_target_goal(target: TargetProgress, lang: Language = VIETNAMESE) -> str:
    """The value to reach, with its direction: '≥ 0.7500', '≤ 10', '≥ 60%'; 'Có' for a yes/no target."""
    quantity = _format_target_quantity(target.target_value, target.value_kind, lang)
    if target.value_kind == "yes_no":
        return quantity
    return f"{COMPARISON_SIGNS[target.comparison]} {quantity}"


def format_target_gap(target: TargetProgress, lang: Language = VIETNAMESE) -> str:
    """What is still missing to reach the target (0 once met); a yes/no target has no distance."""
    if target.gap is None or target.value_kind == "yes_no":
        return "–"
    if target.value_kind == "rank":
        return lang.text("rank_places", places=round(target.gap))
    if target.value_kind == "rate":
        return lang.text("percentage_points", points=format_number(target.gap * 100, lang, 1))
    if target.value_kind == "dti":
        return format_dti_value(target.gap)
    return format_number(target.gap, lang)


def format_target_change(target: TargetProgress, lang: Language = VIETNAMESE) -> str:
    """The trend since the previous period, in the target's own terms."""
    change = target.change_since_previous
    if change is None:
        return "–"
    if target.value_kind == "yes_no":
        if change == 0:
            return lang.text("unchanged")
        before = _format_target_quantity(target.previous_actual_value, "yes_no", lang)
        return f"{before} → {format_target_actual(target, lang)}"
    if target.value_kind == "rank":
        # a smaller rank is a better one
        places = round(abs(change))
        if places == 0:
            return lang.text("rank_unchanged")
        return lang.text("rank_up" if change < 0 else "rank_down", places=places)
    if target.value_kind == "rate":
        return lang.text("percentage_points", points=_signed(format_number(change * 100, lang, 1)))
    if target.value_kind == "dti":
        return format_signed_dti_value(change)
    return _signed(format_number(change, lang))


def format_name_list(names: Sequence[str], lang: Language = VIETNAMESE, limit: int = 5) -> str:
    """The first ``limit`` names, then how many more: 'Xã A, Xã B và 3 đơn vị khác'."""
    if len(names) <= limit:
        return ", ".join(names)
    return lang.text("more_units", names=", ".join(names[:limit]), more=len(names) - limit)


def format_vietnam_time(moment: datetime, lang: Language = VIETNAMESE) -> str:
    return moment.astimezone(VIETNAM_TIME).strftime(lang.text("vietnam_time"))


def _format_target_quantity(value: float, kind: str, lang: Language) -> str:
    if kind == "dti":
        return format_dti_value(value)
    if kind == "rank":
        return str(round(value))
    if kind == "rate":
        return format_percent(value, lang)
    if kind == "yes_no":
        return lang.label("yes_no", value, format_number(value, lang))
    return format_number(value, lang)


def _signed(text: str) -> str:
    """A formatted change with '+' before a rise; a change that rounds to zero gets no sign."""
    unsigned = text.removeprefix("-")
    if not unsigned.strip("0.,"):
        return unsigned
    return text if text.startswith("-") else f"+{text}"


def _round_half_up(value: float, places: int) -> Decimal:
    # Through the shortest decimal form, so 0.70005 from the marts prints 0.7001 as a person
    # rounding it would, not 0.7000 as its binary approximation would.
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
