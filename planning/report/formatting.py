"""How numbers, shares, money and dates print, in one place so that the PDF, the
workbook and the tests agree on every figure."""
from __future__ import annotations

import datetime as dt
import math

DASH = "–"


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, float) and math.isnan(value)
    except TypeError:
        return False


def share_value(value, digits: int = 1) -> float:
    """A share as the percentage printed, rounded to `digits` decimals, except that a share below
    100 % never prints as 100 (it is floored: 0.9996 → 99.9) and a share above 0 never prints as 0
    (0.0004 → 0.1). The PDF's tables and charts, the workbook and the notebook all round here."""
    v = float(value) * 100
    step = 10.0 ** -digits
    out = round(v, digits)
    if v < 100 and out >= 100:
        out = math.floor(v / step) * step
    elif 0 < v and out <= 0:
        out = step
    return round(out, digits)


def share(value, digits: int = 1) -> str:
    """0.8734 → "87.3%"; 0.9996 → "99.9%", never "100.0%" (see share_value)."""
    if is_missing(value):
        return DASH
    return f"{share_value(value, digits):.{digits}f}%"


def gap(value) -> str:
    """Relative optimality gap: 0.00042 → "0.04%"."""
    if is_missing(value):
        return DASH
    return f"{float(value) * 100:.2f}%"


def integer(value) -> str:
    if is_missing(value):
        return DASH
    return f"{int(round(float(value))):,}"


def number(value, digits: int = 1) -> str:
    """12.0 → "12", 12.5 → "12.5", 1234.56 → "1,234.6"."""
    if is_missing(value):
        return DASH
    v = float(value)
    if v.is_integer():
        return f"{int(v):,}"
    return f"{v:,.{digits}f}".rstrip("0").rstrip(".")


def money(value, template: str = "{value} yuan") -> str:
    """1234567.8 → "1,234,568 yuan"."""
    if is_missing(value):
        return DASH
    return template.format(value=f"{float(value):,.0f}")


def ratio(part, whole) -> str:
    """(12, 15) → "12 / 15"."""
    return f"{integer(part)} / {integer(whole)}"


def seconds(value, unit: str = "s") -> str:
    if is_missing(value):
        return DASH
    return f"{float(value):.1f} {unit}".strip()


def date(value: dt.date | None, lang: str = "en") -> str:
    """ISO dates in both languages: planners compare them with their spreadsheets."""
    if value is None or is_missing(value):
        return DASH
    return value.isoformat()


def long_date(value: dt.date, lang: str = "en") -> str:
    """The cover's date: "3 May 2027" / "2027年5月3日"."""
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {value.strftime('%B')} {value.year}"


def date_range(start: dt.date | None, end: dt.date | None, lang: str = "en") -> str:
    if start is None or is_missing(start):
        return DASH
    if end is None or is_missing(end) or end == start:
        return date(start, lang)
    return f"{date(start, lang)} – {date(end, lang)}"


def short_range(start: dt.date | None, end: dt.date | None) -> str:
    """Within the plan year: "03-16 – 03-23" (the year is on every page already)."""
    if start is None or is_missing(start):
        return DASH
    if end is None or is_missing(end) or end == start:
        return start.strftime("%m-%d")
    return f"{start.strftime('%m-%d')} – {end.strftime('%m-%d')}"
