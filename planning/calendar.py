"""The plan year's calendar: statutory holidays, blackouts and busy periods as blocked days.

Days are handled as ``datetime.date`` at the edges and as ordinal integers
(``date.toordinal()``) inside, so that sets of days are cheap to intersect.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import lru_cache

import holidays as holidays_pkg
import pandas as pd


def public_holidays(year: int, extra: pd.DataFrame | None = None, lang: str = "en") -> dict[dt.date, str]:
    """Statutory public holidays of `year`: the `holidays` package's China calendar plus the
    data set's own `holidays` table (for years whose official schedule the package lacks).
    Names in `lang` ("en" or "zh"; the table's own names as written)."""
    out = dict(_package_holidays(year, lang))
    if extra is not None and len(extra):
        for d, name in zip(extra["date"], extra["name"]):
            if d is not None and d.year == year:
                out[d] = name or out.get(d) or "holiday"
    return out


@lru_cache(maxsize=16)
def _package_holidays(year: int, lang: str = "en") -> tuple[tuple[dt.date, str], ...]:
    return tuple(sorted(holidays_pkg.China(years=year, language="zh_CN" if lang == "zh" else "en_US").items()))


def day_range(start: dt.date, end: dt.date) -> range:
    """Ordinals of every calendar day from start to end inclusive."""
    return range(start.toordinal(), end.toordinal() + 1)


def occupied_days(mode: str, start: dt.date, end: dt.date) -> frozenset[int]:
    """Days an activity occupies: every day for full-time classes and rotations,
    only Saturdays and Sundays for weekend classes."""
    days = day_range(start, end)
    if mode == "weekend":
        return frozenset(d for d in days if dt.date.fromordinal(d).weekday() >= 5)
    return frozenset(days)


def training_days(mode: str, start: dt.date, end: dt.date, holidays: set[int] | frozenset[int] = frozenset()) -> list[int]:
    """Days on which a class may teach: Mon–Fri (full_time) or Sat–Sun (weekend), not holidays."""
    want_weekend = mode == "weekend"
    return [d for d in day_range(start, end)
            if (dt.date.fromordinal(d).weekday() >= 5) == want_weekend and d not in holidays]


class Calendar:
    """Blocked days of the plan year, per region, unit and cadre.

    - ``class_blocked(cadre)``: days the cadre may not be in a class
      (region blackouts, their unit's blackouts, their own busy periods).
    - ``any_blocked(cadre)``: days the cadre may not be in any activity (own busy periods).
    """

    def __init__(self, year: int, blackouts: pd.DataFrame, busy: pd.DataFrame, extra_holidays: pd.DataFrame | None = None):
        self.year = year
        self.holidays = public_holidays(year, extra_holidays)
        self.holiday_days = frozenset(d.toordinal() for d in self.holidays)
        self.region: set[int] = set()
        self.unit: dict[str, set[int]] = defaultdict(set)
        self.region_periods: list[tuple[dt.date, dt.date, str]] = []
        self.unit_periods: dict[str, list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
        for r in blackouts.to_dict("records"):
            days = day_range(r["start_date"], r["end_date"])
            if r["scope"] == "region":
                self.region.update(days)
                self.region_periods.append((r["start_date"], r["end_date"], r["reason"] or "region key work"))
            else:
                self.unit[r["scope"]].update(days)
                self.unit_periods[r["scope"]].append((r["start_date"], r["end_date"], r["reason"] or "unit peak"))
        self.busy: dict[str, set[int]] = defaultdict(set)
        self.busy_periods: dict[str, list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
        for r in busy.to_dict("records"):
            self.busy[r["cadre_id"]].update(day_range(r["start_date"], r["end_date"]))
            self.busy_periods[r["cadre_id"]].append((r["start_date"], r["end_date"], r["reason"] or "own work peak"))

    def class_blocked(self, cadre_id: str, unit_id: str) -> set[int]:
        """Days the cadre may not be in a class: region blackouts, their unit's blackouts, own busy periods."""
        return self.region | self.unit.get(unit_id, set()) | self.busy.get(cadre_id, set())

    def any_blocked(self, cadre_id: str) -> set[int]:
        """Days the cadre may not be in any activity: own busy periods (a new set, safe to change)."""
        return set(self.busy.get(cadre_id, ()))

    def season_of(self, day: dt.date, seasons: dict[str, list[str]]) -> str | None:
        return season_of(day, seasons)


def season_of(day: dt.date, seasons: dict[str, list[str]]) -> str | None:
    """The season (policy ``seasons``: name -> [first, last] as "MM-DD") a day falls in, or None."""
    md = day.strftime("%m-%d")
    for name, (lo, hi) in seasons.items():
        if lo <= md <= hi:
            return name
    return None
