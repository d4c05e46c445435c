"""The appendix's rule text (cách xác định và tính điểm) read as a scoring rule of the catalog.

The forms read, as provincial catalogs copied from the Ministry write them:

- a list of answers, one a line or separated by ';', each "answer: what it earns", where what it
  earns is points ("15 điểm", "0 điểm") or a share of the component's points ("100% số điểm",
  "1/2 số điểm", "đủ điểm", "điểm tối đa", "một nửa số điểm"); or "Có / Một phần (1/2 số điểm) /
  Không" on one line. Answers that start at a value ("4 cuộc trở lên", "từ 80%") are the bands of
  ``tiered``; "Có … / Không …" answers earning all or nothing are ``boolean``, with "Một phần" at
  half ``yes_partial_no``; any other list is ``categorical``, each answer with its share.
- a rate: a division ("Tỷ lệ = a/b", "a = …; b = …", "tử số", "mẫu số") or a percentage that
  earns full points ("đạt 80% trở lên được điểm tối đa", the target; 1.0 when none is stated) is
  ``ratio``.
- a count with the number that earns full points ("đạt 40 người trở lên được điểm tối đa", or
  "mỗi … được 2 điểm, tối đa …": the cap is the maximum ÷ 2) is ``count_capped``.

Text none of these forms reads raises ``RuleTextError`` with the reason: its row is reported and
fixed by a person, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dti.catalog.text import number_text, parse_number_text, text_key
from dti.scoring_rules import BOOLEAN, CATEGORICAL, COUNT_CAPPED, RATIO, TIERED, YES_PARTIAL_NO, value_kind

# A share of points computed from points out of the maximum is kept to four decimals (1/3 -> 0.3333).
SHARE_PLACES = Decimal("0.0001")

_NUMBER = r"\d+(?:[.,]\d+)*"
_ITEM_SEPARATOR = re.compile(r"[\n;]")
_BULLET = re.compile(r"^\s*(?:[-+*•–—·]|\d+\)|[a-zđ]\))\s*")
_TRAILING_PARENTHESIS = re.compile(r"(.*?)\s*\(([^()]*)\)")
# What an answer earns, written in full (text_key'd, a leading "được"/"đạt"/"tính" removed).
_EARNS_FULL = re.compile(r"(?:100 ?% )?(?:số )?điểm tối đa|đủ điểm|tối đa|toàn bộ (?:số )?điểm")
_EARNS_FRACTION = re.compile(r"(\d+) ?/ ?(\d+)(?: (?:số )?điểm(?: tối đa)?)?")
_EARNS_PERCENT = re.compile(rf"({_NUMBER}) ?%(?: (?:số )?điểm(?: tối đa)?)?")
_EARNS_HALF = re.compile(r"(?:một )?nửa(?: số)? điểm(?: tối đa)?")
_EARNS_NOTHING = re.compile(r"không (?:được |có |tính )?điểm")
_EARNS_POINTS = re.compile(rf"({_NUMBER})(?: điểm)?")
_EARNS_PREFIX = re.compile(r"^(?:được|đạt|tính|bằng|=)\s*")
# Where a band starts: "từ 80%", "≥ 80%", "đạt 4", "4 cuộc trở lên", "3 cuộc", "tổ chức 4 cuộc".
_FROM_VALUE = (
    re.compile(rf"(?:≥|>=|\btừ|\bđạt)\s*({_NUMBER})\s*(%)?"),
    re.compile(rf"^(?:(?:có|tổ chức|được|thực hiện)\s+)?({_NUMBER})\s*(%)?"),
    re.compile(rf"({_NUMBER})\s*(%)?[^\d]*?\btrở lên"),
)
_BELOW_VALUE = re.compile(rf"(?:<|\bdưới|\bít hơn)\s*{_NUMBER}")
_ABOVE_VALUE = re.compile(rf"(?:>|\btrên|\bnhiều hơn)\s*{_NUMBER}")
# A rate: a division between two named counts, or their names.
_DIVISION = re.compile(r"(?<!\w)[a-z]\s*/\s*[a-z](?!\w)|tử số|mẫu số|\bchia\b|t[ỷỉ] lệ[^;\n=]*=[^;\n]*/")
# Full points from a value: "đạt 80% trở lên được điểm tối đa", "≥ 80%: điểm tối đa", "từ 40 người … đủ điểm".
_FULL_POINTS_FROM = re.compile(
    rf"(?:\bđạt|\btừ|≥|>=)\s*(?:từ\s+)?({_NUMBER})\s*(%)?[^;\n]*?(?:điểm tối đa|đủ điểm|tối đa|100\s*%\s*số điểm)")
# Points per item counted, up to the maximum: "mỗi văn bản được 2 điểm, tối đa 10 điểm".
_POINTS_EACH = re.compile(rf"\bmỗi\b[^;\n]*?(?:được|tính|cộng|đạt)\s+({_NUMBER})\s*điểm[^;\n]*?tối đa")
_RATE_PART = re.compile(r"^(a|b|tử số|mẫu số)\s*(?:=|:|là)\s*(.+)$", re.IGNORECASE)
_NUMERATOR_NAMES = ("a", "tử số")


class RuleTextError(ValueError):
    """The rule text does not read as a scoring rule of the catalog; the message says why."""


@dataclass(frozen=True)
class Band:
    """One band of a ``tiered`` rule: a value of at least ``min_value`` earns ``points``."""

    min_value: Decimal
    points: Decimal


@dataclass(frozen=True)
class Answer:
    """One answer of a ``categorical`` rule, as written, and the share of the points it earns."""

    label: str
    share: Decimal


@dataclass(frozen=True)
class ScoringRule:
    """A rule text read: the catalog's ``scoring_rule`` and its parameters."""

    kind: str
    # What the value counts, in the catalog's words: "%", "count", "yes/no", "yes/partly/no", "option".
    unit_of_measure: str
    # ratio: the rate of full points, when the text states one; count_capped: the cap.
    target_value: Decimal | None = None
    bands: tuple[Band, ...] = ()
    answers: tuple[Answer, ...] = ()
    # For a rate, the counts above and below the line as the text defines them ("a = …", "b = …").
    numerator: str = ""
    denominator: str = ""

    @property
    def value_kind(self) -> str:
        return value_kind(self.kind, self.unit_of_measure)


def parse_rule(text: str, max_points: Decimal | None) -> ScoringRule:
    """The scoring rule ``text`` describes for a component of ``max_points`` points.

    ``max_points`` turns points into shares and back; None when the row's points could not be
    read, so that the text is still checked.
    """
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise RuleTextError("is empty")
    for recognise in (_answer_list, _rate_or_count):
        rule = recognise(text, max_points)
        if rule is not None:
            return rule
    # An answer list with one answer read and another not ("Có: điểm tối đa; Không: một ít") is
    # no list to the recognisers: the unread answer is what the person must fix.
    items = [item for item, _ in _answer_items(text)]
    if any(item.earns and _earning(item.earns) for item in items):
        for item in items:
            if item.after_colon and item.earns and _earning(item.earns) is None:
                raise _unreadable_earning(item)
    shown = text if len(text) <= 80 else text[:77] + "…"
    raise RuleTextError(
        f'"{shown}" reads as no scoring rule: expected a rate ("Tỷ lệ = a/b"), bands ("4 cuộc trở lên: 20 điểm; …"), '
        f'answers ("Có: điểm tối đa; Không: 0 điểm") or a count and the number that earns full points ("đạt N … '
        f'trở lên được điểm tối đa")')


# --- lists of answers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    text: str
    label: str
    earns: str | None  # what the item says it earns, as written; None when it says nothing
    after_colon: bool  # "label: earns" (a list entry) rather than "label (earns)" (maybe a remark)


@dataclass(frozen=True)
class _Earning:
    """What an answer earns: points, or a share of the component's points."""

    points: Decimal | None = None
    share: Decimal | None = None


@dataclass(frozen=True)
class _Entry:
    label: str
    earning: _Earning


# Answers of the "Có / Một phần / Không" line that state nothing earn what the words say.
_DEFAULT_SHARES = {"yes": Decimal(1), "partly": Decimal("0.5"), "no": Decimal(0)}


def _answer_list(text: str, max_points: Decimal | None) -> ScoringRule | None:
    entries, unreadable = [], []
    for item, on_answer_line in _answer_items(text):
        if not item.earns:
            if on_answer_line:
                entries.append(_Entry(item.label, _Earning(share=_DEFAULT_SHARES[_answer_word(item.label)])))
            continue
        earning = _earning(item.earns)
        if earning is not None:
            entries.append(_Entry(item.label, earning))
        elif item.after_colon:
            unreadable.append(item)
    if len(entries) < 2:
        return None
    if unreadable:
        raise _unreadable_earning(unreadable[0])
    starts = [_band_start(entry.label) for entry in entries]
    if any(start is not None for start in starts):
        return _tiered(text, entries, starts, max_points)
    return _answers(entries, max_points)


def _unreadable_earning(item: _Item) -> RuleTextError:
    return RuleTextError(f'cannot read what "{item.text}" earns: write points ("15 điểm") or a share ("100% số '
                         f'điểm", "1/2 số điểm", "0 điểm")')


def _answer_items(text: str) -> list[tuple[_Item, bool]]:
    """The items of ``text``, a line "Có / Một phần (1/2 số điểm) / Không" split into its answers
    (each marked as such: an answer there that states nothing earns what its word says)."""
    split = []
    for item in _items(text):
        pieces = [_split_item(piece) for piece in _split_answer_line(item)]
        if len(pieces) >= 2 and all(_answer_word(piece.label) for piece in pieces):
            split.extend((piece, True) for piece in pieces)
        else:
            split.append((_split_item(item), False))
    return split


def _items(text: str) -> list[str]:
    """The lines and ';'-separated parts of ``text``, without bullets or a closing full stop."""
    items = (_BULLET.sub("", part).strip().rstrip(".").strip() for part in _ITEM_SEPARATOR.split(text))
    return [item for item in items if item]


def _split_item(item: str) -> _Item:
    label, colon, earns = item.rpartition(":")
    if colon:
        return _Item(item, label.strip(), earns.strip() or None, after_colon=True)
    in_parentheses = _TRAILING_PARENTHESIS.fullmatch(item)
    if in_parentheses:
        return _Item(item, in_parentheses.group(1).strip(), in_parentheses.group(2).strip(), after_colon=False)
    return _Item(item, item, None, after_colon=False)


def _split_answer_line(text: str) -> list[str]:
    """``text`` split at each '/' that is neither in parentheses nor between two numbers:
    "Có / Một phần (1/2 số điểm) / Không" and "Có / Một phần: 1/2 số điểm / Không" give three answers."""
    pieces, depth, start = [], 0, 0
    for position, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        between_numbers = text[:position].rstrip()[-1:].isdigit() and text[position + 1:].lstrip()[:1].isdigit()
        if char == "/" and depth == 0 and not between_numbers:
            pieces.append(text[start:position].strip())
            start = position + 1
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def _answer_word(label: str) -> str | None:
    """``yes``, ``partly`` or ``no`` for an answer that starts with Có / Đã, Một phần, Không / Chưa."""
    words = text_key(label).split(" ")
    if words[:2] == ["một", "phần"]:
        return "partly"
    return {"có": "yes", "đã": "yes", "không": "no", "chưa": "no"}.get(words[0])


def _earning(written: str) -> _Earning | None:
    """What ``written`` says an answer earns; None when it says it in no form read here."""
    text = _EARNS_PREFIX.sub("", text_key(written))
    if _EARNS_FULL.fullmatch(text):
        return _Earning(share=Decimal(1))
    if match := _EARNS_FRACTION.fullmatch(text):
        numerator, denominator = Decimal(match.group(1)), Decimal(match.group(2))
        return _Earning(share=numerator / denominator) if denominator else None
    if match := _EARNS_PERCENT.fullmatch(text):
        percent = parse_number_text(match.group(1))
        return _Earning(share=percent / 100) if percent is not None else None
    if _EARNS_HALF.fullmatch(text):
        return _Earning(share=Decimal("0.5"))
    if _EARNS_NOTHING.fullmatch(text):
        return _Earning(points=Decimal(0))
    if match := _EARNS_POINTS.fullmatch(text):
        points = parse_number_text(match.group(1))
        return _Earning(points=points) if points is not None else None
    return None


def _share(entry: _Entry, max_points: Decimal | None) -> Decimal:
    earning = entry.earning
    if earning.share is None:
        if max_points is None:  # the row's points are unreadable: that is reported on its own
            return Decimal(0)
        _check_points(entry, max_points)
        return (earning.points / max_points).quantize(SHARE_PLACES, ROUND_HALF_UP).normalize() if max_points else \
            Decimal(0)
    if earning.share > 1:
        raise RuleTextError(f'"{entry.label}" earns {number_text(earning.share * 100)}% of the points, more than all '
                            f'of them')
    return earning.share.quantize(SHARE_PLACES, ROUND_HALF_UP).normalize()


def _check_points(entry: _Entry, max_points: Decimal) -> None:
    if entry.earning.points > max_points:
        raise RuleTextError(f'"{entry.label}" earns {number_text(entry.earning.points)} points, more than the '
                            f'component\'s {number_text(max_points)}')


def _points(entry: _Entry, max_points: Decimal | None) -> Decimal:
    earning = entry.earning
    if earning.points is not None:
        if max_points is not None:
            _check_points(entry, max_points)
        return earning.points
    share = _share(entry, max_points)
    return share * max_points if max_points is not None else share


@dataclass(frozen=True)
class _BandStart:
    kind: str  # "from" a value on, "below" a value or "above" one
    value: Decimal = Decimal(0)
    percent: bool = False


def _band_start(label: str) -> _BandStart | None:
    """Where an answer's band starts, when the answer is a range of values; None for other answers."""
    text = text_key(label)
    for pattern in _FROM_VALUE:
        if match := pattern.search(text):
            value = parse_number_text(match.group(1))
            if value is not None:
                percent = bool(match.group(2))
                return _BandStart("from", value / 100 if percent else value, percent)
    if _BELOW_VALUE.search(text):
        return _BandStart("below")
    if _ABOVE_VALUE.search(text):
        return _BandStart("above")
    return None


def _tiered(text: str, entries: list[_Entry], starts: list[_BandStart | None],
            max_points: Decimal | None) -> ScoringRule:
    bands: dict[Decimal, Decimal] = {}
    for entry, start in zip(entries, starts, strict=True):
        points = _points(entry, max_points)
        if start is None or start.kind != "from":
            if points == 0:  # "dưới 1 cuộc: 0 điểm", "không tổ chức: 0 điểm": below every band anyway
                continue
            if start is None:
                raise RuleTextError(f'"{entry.label}" is an answer among bands of values: write where its band '
                                    f'starts ("từ …", "… trở lên")')
            raise RuleTextError(f'"{entry.label}" earns points but gives no lowest value of its band: write "từ …" '
                                f'or "… trở lên"')
        if start.value in bands:
            raise RuleTextError(f'two bands start at {number_text(start.value)}')
        if points:
            bands[start.value] = points
    if not bands:
        raise RuleTextError("no band earns points")
    percent = any(start is not None and start.percent for start in starts)
    numerator, denominator = _rate_parts(text)
    return ScoringRule(TIERED, "%" if percent else "count",
                       bands=tuple(Band(value, bands[value]) for value in sorted(bands, reverse=True)),
                       numerator=numerator, denominator=denominator)


def _answers(entries: list[_Entry], max_points: Decimal | None) -> ScoringRule:
    answers = tuple(Answer(entry.label, _share(entry, max_points)) for entry in entries)
    seen: set[str] = set()
    for answer in answers:
        if text_key(answer.label) in seen:
            raise RuleTextError(f'the answer "{answer.label}" is listed twice')
        seen.add(text_key(answer.label))
    by_word = {_answer_word(answer.label): answer.share for answer in answers}
    if len(by_word) == len(answers):
        if by_word == {"yes": 1, "no": 0}:
            return ScoringRule(BOOLEAN, "yes/no")
        if by_word == {"yes": 1, "partly": Decimal("0.5"), "no": 0}:
            return ScoringRule(YES_PARTIAL_NO, "yes/partly/no")
    if max(answer.share for answer in answers) != 1:
        raise RuleTextError("no answer earns the component's full points")
    return ScoringRule(CATEGORICAL, "option", answers=answers)


# --- rates and counts ---------------------------------------------------------------------------


def _rate_or_count(text: str, max_points: Decimal | None) -> ScoringRule | None:
    lowered = text.casefold()
    full_points_from = [(parse_number_text(match.group(1)), bool(match.group(2)))
                        for match in _FULL_POINTS_FROM.finditer(lowered)]
    percent_targets = [value / 100 for value, percent in full_points_from if percent and value is not None]
    numerator, denominator = _rate_parts(text)
    if _DIVISION.search(lowered) or percent_targets:
        target = percent_targets[0] if percent_targets else None
        if target is not None and not 0 < target <= 1:
            raise RuleTextError(f"a rate earning full points at {number_text(target * 100)}% is out of 0–100%")
        return ScoringRule(RATIO, "%", target_value=target, numerator=numerator, denominator=denominator)
    counts = [value for value, percent in full_points_from if not percent and value]
    if counts:
        return ScoringRule(COUNT_CAPPED, "count", target_value=counts[0], numerator=numerator)
    if match := _POINTS_EACH.search(lowered):
        each = parse_number_text(match.group(1))
        if not each:
            raise RuleTextError(f'"{match.group(0)}" earns no points for each item')
        cap = (max_points / each).quantize(SHARE_PLACES, ROUND_HALF_UP).normalize() if max_points else Decimal(1)
        return ScoringRule(COUNT_CAPPED, "count", target_value=cap, numerator=numerator)
    return None


def _rate_parts(text: str) -> tuple[str, str]:
    """The numerator and denominator as the text defines them ("a = …", "b = …", "tử số: …"), or ""."""
    parts = {"numerator": "", "denominator": ""}
    for item in _items(text):
        match = _RATE_PART.match(item)
        if match:
            role = "numerator" if match.group(1).casefold() in _NUMERATOR_NAMES else "denominator"
            parts[role] = parts[role] or match.group(2).strip()
    return parts["numerator"], parts["denominator"]
