"""The scoring rules a component may have (``scoring_rule`` in the catalogs and the marts) and what
kind of value each one scores: the one home of that fact for the readers, the appendix importer and
the published pages. How each rule turns a value into points is dbt's (``macros/scoring_rules.sql``).
"""

from __future__ import annotations

RATIO = "ratio"  # numerator / denominator against a target rate
TIERED = "tiered"  # bands of a count or a rate
BOOLEAN = "boolean"  # yes or no
YES_PARTIAL_NO = "yes_partial_no"  # yes, partly or no
COUNT_CAPPED = "count_capped"  # a count against a target, capped at full points
CATEGORICAL = "categorical"  # one answer of a list, each worth a share of the points

SCORING_RULES = (RATIO, BOOLEAN, YES_PARTIAL_NO, COUNT_CAPPED, TIERED, CATEGORICAL)
# The rules whose value is a yes/no answer (1, 0.5 for partly, 0).
ANSWER_RULES = (BOOLEAN, YES_PARTIAL_NO)


def value_kind(scoring_rule: str | None, unit_of_measure: str | None = None) -> str:
    """What a component's value is: a ``rate``, a yes/no ``answer``, an ``option`` of a list or a ``count``.
    A component can only take over the data of another whose value is of the same kind."""
    if scoring_rule == RATIO or unit_of_measure == "%":
        return "rate"
    if scoring_rule in ANSWER_RULES:
        return "answer"
    if scoring_rule == CATEGORICAL:
        return "option"
    return "count"


def display_kind(scoring_rule: str | None) -> str:
    """How a component's value reads on a page: ``rate`` for a ratio and for a categorical answer (its
    share of the points), ``yes_no`` for the answer rules, ``number`` otherwise."""
    if scoring_rule in (RATIO, CATEGORICAL):
        return "rate"
    if scoring_rule in ANSWER_RULES:
        return "yes_no"
    return "number"
