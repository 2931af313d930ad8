"""Every rule of the data contract's tables, checked at once.

Errors (exit 2) break the contract; warnings flag data that is legal but suspicious
(a fixed-date class on a public holiday, a class nobody may attend, a window too short).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pandas as pd

from planning.data.load import ROW, Dataset
from planning.data.schema import DIRECTIONS, HISTORY_KINDS, LEVELS, MODES, PIN_RULES
from planning.errors import DataError, Problem


def _rows(df: pd.DataFrame):
    return df.to_dict("records")


def _in_year(d: dt.date | None, year: int) -> bool:
    return d is None or d.year == year


def check_unique(df: pd.DataFrame, table: str, column: str) -> list[Problem]:
    out = []
    first: dict[str, int] = {}
    for r in _rows(df):
        key = r[column]
        if key in (None, ""):
            continue
        if key in first:
            out.append(Problem(table, r[ROW], column, f"'{key}' is used again (first on row {first[key]}); ids must be unique"))
        else:
            first[key] = r[ROW]
    return out


def check_levels(df: pd.DataFrame, table: str, column: str, as_list: bool) -> list[Problem]:
    out = []
    for r in _rows(df):
        values = r[column] if as_list else ((r[column],) if r[column] else ())
        for v in values or ():
            if v not in LEVELS:
                out.append(Problem(table, r[ROW], column, f"'{v}' is not a level; use one of {', '.join(LEVELS)}"))
    return out


def check_choice(df: pd.DataFrame, table: str, column: str, allowed: tuple[str, ...]) -> list[Problem]:
    return [Problem(table, r[ROW], column, f"'{r[column]}' is not allowed; use one of {', '.join(allowed)}")
            for r in _rows(df) if r[column] and r[column] not in allowed]


def check_range(df, table, column, lo=None, hi=None, lo_open=False, what="") -> list[Problem]:
    out = []
    for r in _rows(df):
        v = r[column]
        if v is None or v == "":
            continue
        bad = (lo is not None and (v <= lo if lo_open else v < lo)) or (hi is not None and v > hi)
        if bad:
            rng = what or (f"{'more than' if lo_open else 'at least'} {lo}" + (f" and at most {hi}" if hi is not None else ""))
            out.append(Problem(table, r[ROW], column, f"{v:g} is out of range: it must be {rng}"))
    return out


def check_order(df, table, start, end, what="end") -> list[Problem]:
    return [Problem(table, r[ROW], end, f"{r[end]} is before {start} {r[start]}")
            for r in _rows(df) if r[start] and r[end] and r[end] < r[start]]


def check_refs(df, table, column, valid: set, target: str) -> list[Problem]:
    return [Problem(table, r[ROW], column, f"'{r[column]}' does not exist in {target}")
            for r in _rows(df) if r[column] and r[column] not in valid]


# --------------------------------------------------------------------------- tables
def validate_units(ds: Dataset) -> list[Problem]:
    u = ds.units
    p = check_unique(u, "units", "unit_id")
    p += [Problem("units", r[ROW], "unit_id", "a unit may not be called 'region' (that word means everyone in blackouts)")
          for r in _rows(u) if str(r["unit_id"]).casefold() == "region"]
    p += check_range(u, "units", "max_absent_share", 0, 1, lo_open=True, what="more than 0 and at most 1")
    return p


def validate_cadres(ds: Dataset, year: int) -> list[Problem]:
    c = ds.cadres
    p = check_unique(c, "cadres", "cadre_id")
    p += check_refs(c, "cadres", "unit_id", set(ds.units["unit_id"]), "units")
    p += check_choice(c, "cadres", "level", LEVELS)
    p += check_range(c, "cadres", "birth_year", 1940, year - 16)
    p += check_range(c, "cadres", "grassroots_years", 0)
    p += [Problem("cadres", r[ROW], "promoted_on", f"{r['promoted_on']} is after the plan year {year}")
          for r in _rows(c) if r["promoted_on"] and r["promoted_on"].year > year]
    return p


def validate_classes(ds: Dataset, year: int) -> list[Problem]:
    c = ds.classes
    p = check_choice(c, "classes", "mode", MODES)
    p += check_range(c, "classes", "days", 0, lo_open=True, what="more than 0")
    p += check_range(c, "classes", "hours", 0, lo_open=True, what="more than 0")
    p += check_range(c, "classes", "capacity", 1)
    p += check_range(c, "classes", "min_size", 0)
    p += check_range(c, "classes", "cost_per_trainee", 0)
    p += check_levels(c, "classes", "levels", as_list=True)
    for r in _rows(c):
        row = r[ROW]
        fixed = [r["start_date"], r["end_date"]]
        window = [r["window_start"], r["window_end"]]
        has_fixed, has_window = any(fixed), any(window)
        if has_fixed and has_window:
            p.append(Problem("classes", row, "window_start",
                             "give either start_date/end_date or window_start/window_end, not both"))
        elif not has_fixed and not has_window:
            p.append(Problem("classes", row, "start_date",
                             "the class has no dates: give start_date and end_date, or window_start and window_end"))
        for a, b, pair in ((0, 1, fixed), (2, 3, window)):
            names = ("start_date", "end_date", "window_start", "window_end")
            if any(pair) and not all(pair):
                missing = names[a] if not pair[0] else names[b]
                p.append(Problem("classes", row, missing, f"{missing} is empty while {names[b] if not pair[0] else names[a]} is given"))
            elif all(pair):
                if pair[1] < pair[0]:
                    p.append(Problem("classes", row, names[b], f"{pair[1]} is before {names[a]} {pair[0]}"))
                for col, d in ((names[a], pair[0]), (names[b], pair[1])):
                    if not _in_year(d, year):
                        p.append(Problem("classes", row, col, f"{d} is outside the plan year {year}"))
        if all(fixed) and fixed[1] >= fixed[0] and r["days"] and r["mode"] in MODES:
            span = _training_days(r["mode"], fixed[0], fixed[1])
            if r["days"] > span:
                kind = "Saturdays and Sundays" if r["mode"] == "weekend" else "calendar days"
                p.append(Problem("classes", row, "days",
                                 f"{r['days']:g} training days do not fit into the {span} {kind} from {fixed[0]} to {fixed[1]}"))
        if r["min_size"] is not None and r["capacity"] is not None and r["min_size"] > r["capacity"]:
            p.append(Problem("classes", row, "min_size",
                             f"min_size {r['min_size']} is larger than the capacity {r['capacity']}: the class could never run"))
    return p


def _training_days(mode: str, start: dt.date, end: dt.date) -> int:
    n = (end - start).days + 1
    if mode == "weekend":
        return sum(1 for k in range(n) if (start + dt.timedelta(k)).weekday() >= 5)
    return n


def validate_rotations(ds: Dataset, year: int) -> list[Problem]:
    r_ = ds.rotations
    p = check_choice(r_, "rotations", "direction", DIRECTIONS)
    p += check_range(r_, "rotations", "slots", 1)
    p += check_levels(r_, "rotations", "levels", as_list=True)
    p += check_order(r_, "rotations", "start_date", "end_date")
    p += [Problem("rotations", r[ROW], "start_date", f"{r['start_date']} is outside the plan year {year}")
          for r in _rows(r_) if r["start_date"] and r["start_date"].year != year]
    return p


def validate_ids_across(ds: Dataset) -> list[Problem]:
    p = check_unique(ds.classes, "classes", "class_id") + check_unique(ds.rotations, "rotations", "post_id")
    class_ids = {}
    for r in _rows(ds.classes):
        class_ids.setdefault(r["class_id"], r[ROW])
    for r in _rows(ds.rotations):
        if r["post_id"] in class_ids:
            p.append(Problem("rotations", r[ROW], "post_id",
                             f"'{r['post_id']}' is also a class_id (classes row {class_ids[r['post_id']]}); ids must be unique across classes and rotations"))
    return p


def validate_blackouts(ds: Dataset) -> list[Problem]:
    b = ds.blackouts
    p = check_order(b, "blackouts", "start_date", "end_date")
    units = set(ds.units["unit_id"])
    p += [Problem("blackouts", r[ROW], "scope", f"'{r['scope']}' is neither 'region' nor an existing unit_id")
          for r in _rows(b) if r["scope"] and r["scope"] != "region" and r["scope"] not in units]
    return p


def validate_busy(ds: Dataset) -> list[Problem]:
    b = ds.busy
    return check_refs(b, "busy", "cadre_id", set(ds.cadres["cadre_id"]), "cadres") + check_order(b, "busy", "start_date", "end_date")


def validate_history(ds: Dataset, year: int) -> list[Problem]:
    h = ds.history
    p = check_refs(h, "history", "cadre_id", set(ds.cadres["cadre_id"]), "cadres")
    p += check_choice(h, "history", "kind", HISTORY_KINDS)
    p += [Problem("history", r[ROW], "year", f"{r['year']} is not before the plan year {year}")
          for r in _rows(h) if r["year"] is not None and r["year"] >= year]
    p += check_range(h, "history", "days", 0)
    p += check_range(h, "history", "hours", 0)
    return p


def validate_pins(ds: Dataset) -> list[Problem]:
    pins = ds.pins
    p = check_refs(pins, "pins", "cadre_id", set(ds.cadres["cadre_id"]), "cadres")
    activities = set(ds.classes["class_id"]) | set(ds.rotations["post_id"])
    p += check_refs(pins, "pins", "activity_id", activities, "classes or rotations")
    p += check_choice(pins, "pins", "rule", PIN_RULES)
    seen: dict[tuple, tuple] = {}
    for r in _rows(pins):
        key = (r["cadre_id"], r["activity_id"])
        if key in seen and seen[key][1] != r["rule"]:
            p.append(Problem("pins", r[ROW], "rule",
                             f"{r['cadre_id']} / {r['activity_id']} is pinned '{seen[key][1]}' on row {seen[key][0]} and '{r['rule']}' here"))
        seen.setdefault(key, (r[ROW], r["rule"]))
    return p


# --------------------------------------------------------------------------- warnings
def data_warnings(ds: Dataset, year: int) -> list[Problem]:
    """Legal but suspicious data: the planner should look, the plan still runs."""
    from planning.calendar import public_holidays

    w: list[Problem] = []
    hol = public_holidays(year, ds.holidays)
    region = [(r["start_date"], r["end_date"], r["reason"]) for r in _rows(ds.blackouts) if r["scope"] == "region"]
    levels_present = set(ds.cadres["level"])
    for r in _rows(ds.classes):
        if r["start_date"] and r["end_date"]:
            days = [r["start_date"] + dt.timedelta(k) for k in range((r["end_date"] - r["start_date"]).days + 1)]
            if r["mode"] == "weekend":
                days = [d for d in days if d.weekday() >= 5]
            on_hol = sorted({hol[d] for d in days if d in hol})
            if on_hol:
                w.append(Problem("classes", r[ROW], "start_date",
                                 f"class {r['class_id']} runs over the public holiday(s) {', '.join(on_hol)}", "warning"))
            for s, e, reason in region:
                if s <= days[-1] and e >= days[0] if days else False:
                    w.append(Problem("classes", r[ROW], "start_date",
                                     f"class {r['class_id']} overlaps the region blackout {s} to {e} ({reason or 'key work'}): nobody can attend it", "warning"))
        allowed = set(r["levels"]) if r["levels"] else set(LEVELS)
        if not allowed & levels_present:
            w.append(Problem("classes", r[ROW], "levels",
                             f"no cadre in the roster has a level that class {r['class_id']} is open to", "warning"))
    for r in _rows(ds.rotations):
        allowed = set(r["levels"]) if r["levels"] else set(LEVELS)
        if not allowed & levels_present:
            w.append(Problem("rotations", r[ROW], "levels",
                             f"no cadre in the roster has a level that post {r['post_id']} is open to", "warning"))
    counts = Counter(ds.cadres["unit_id"])
    for r in _rows(ds.units):
        if counts.get(r["unit_id"], 0) == 0:
            w.append(Problem("units", r[ROW], "unit_id", f"unit {r['unit_id']} has no cadres in the roster", "warning"))
    return w


def validate_dataset(ds: Dataset, year: int) -> Dataset:
    """Raise DataError with every contract violation; record warnings on the data set."""
    problems = (validate_units(ds) + validate_cadres(ds, year) + validate_ids_across(ds)
                + validate_classes(ds, year) + validate_rotations(ds, year) + validate_blackouts(ds)
                + validate_busy(ds) + validate_history(ds, year) + validate_pins(ds))
    if problems:
        raise DataError(problems)
    ds.warnings = data_warnings(ds, year)
    return ds
