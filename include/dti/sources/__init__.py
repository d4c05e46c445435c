"""Readers of agency data, one module per source kind. Sources read; they never write."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RejectedRow:
    """A row that could not be used, with where to look and what to fix."""

    row_number: int
    column_name: str | None
    raw_value: str | None
    reason: str
