"""How the catalog compares Vietnamese text and writes numbers into the seeds."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

# Punctuation an appendix leaves at the end of a name or a list item ("Nhận thức số.", "…;").
_TRAILING_PUNCTUATION = " \t.,;:"


def text_key(text: str) -> str:
    """How two names or headers are compared: Unicode form, case, spacing and trailing punctuation
    do not matter; diacritics do ("Số" and "Sơ" are different words)."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold().rstrip(_TRAILING_PUNCTUATION)


def folded(text: str) -> str:
    """``text_key`` without diacritics: "Một phần" -> "mot phan", "KHÔNG" -> "khong"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return text_key("".join(char for char in decomposed if not unicodedata.combining(char)))


def number_text(value: Decimal) -> str:
    """A number as the seeds write it: fixed point, no trailing zeros ("20", "36.92", "0.5")."""
    normalized = value.normalize()
    return format(normalized if normalized != 0 else Decimal(0), "f")
