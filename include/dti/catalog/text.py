"""Vietnamese text as the catalog and the agencies' files are read: how names are compared, how a
number written as text is read, and how the catalog writes numbers into the seeds."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

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


_NUMBER_TEXT = re.compile(r"([+-]?)([0-9][0-9.,]*)")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_number_text(text: str) -> Decimal | None:
    """A number written as text, in Vietnamese or English style; None when it is not one.

    - Spaces are thousands separators: "1 234" is 1234.
    - With both '.' and ',' the last one is the decimal separator: "1.234,5" and "1,234.5" are 1234.5.
    - One separator followed by exactly three digits groups thousands: "1.234" and "1,234" are 1234,
      because every figure the template asks for is a count; "0.850" (a leading zero) is 0.85.
    - Otherwise a single '.' or ',' is the decimal separator: "12,5" and "12.5" are 12.5.
    """
    match = _NUMBER_TEXT.fullmatch(_SPACES.sub("", text))
    if not match or match.group(2)[-1] in ".,":
        return None
    sign, digits = match.groups()
    try:
        if "." in digits and "," in digits:
            decimal_mark = max(".", ",", key=digits.rfind)
            group_mark = "," if decimal_mark == "." else "."
            whole, _, fraction = digits.rpartition(decimal_mark)
            if decimal_mark in whole or not _grouped(whole, group_mark):
                return None
            return Decimal(f"{sign}{whole.replace(group_mark, '')}.{fraction}")
        mark = "." if "." in digits else "," if "," in digits else None
        if mark is None:
            return Decimal(sign + digits)
        parts = digits.split(mark)
        if (len(parts) > 2 or len(parts[1]) == 3) and _grouped(digits, mark):
            return Decimal(sign + digits.replace(mark, ""))
        return Decimal(f"{sign}{parts[0]}.{parts[1]}") if len(parts) == 2 else None
    except InvalidOperation:
        return None


def _grouped(digits: str, mark: str) -> bool:
    """Whether ``digits`` is a whole number grouped by thousands with ``mark``, as in 1.234.567."""
    head, *tail = digits.split(mark)
    return (1 <= len(head) <= 3 and head.isdigit() and not head.startswith("0")
            and all(len(group) == 3 and group.isdigit() for group in tail))
