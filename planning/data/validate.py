"""Every rule of the data contract's tables, checked at once.

Errors (exit 2) break the contract; warnings flag data that is legal but suspicious
(a fixed-date class on a public holiday, a class nobody may attend, a window too short).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd

from planning.calendar import occupied_days, public_holidays
from planning.data.dataset import ROW, Dataset
from planning.data.schema import ASSESSMENT_SCORE, COURSE_SCORE, DIMENSIONS, GENDERS, SOURCES, DIRECTIONS, HISTORY_KINDS, LEVELS, MODES, PIN_RULES, TRAINEE_SCORE
from planning.errors import DataError, Problem, problem_order
from planning.messages import note_text, say


def _rows(df: pd.DataFrame) -> list[dict]:
    """The rows as plain dicts (column by column: far cheaper than ``to_dict("records")`` on small frames)."""
    cols = list(df.columns)
    return [dict(zip(cols, values)) for values in df.to_numpy(dtype=object).tolist()] if len(df) else []


def _cells(df: pd.DataFrame, *columns: str) -> list[tuple]:
    """(row number, the columns' values ...) per row, only the columns a rule reads (a table of
    30,000 assessment rows is converted once per column, not once per rule and column)."""
    if not len(df):
        return []
    return list(zip(df[ROW].tolist(), *(df[c].tolist() for c in columns)))


def _in_year(d: dt.date | None, year: int) -> bool:
    return d is None or d.year == year


def check_unique(df: pd.DataFrame, table: str, column: str) -> list[Problem]:
    out = []
    first: dict[str, int] = {}
    for row, key in _cells(df, column):
        if key in (None, ""):
            continue
        if key in first:
            out.append(Problem(table, row, column,
                               f"'{key}' is used twice (also on row {first[key]}); each {column} must be unique"))
        else:
            first[key] = row
    return out


def check_levels(df: pd.DataFrame, table: str, column: str, as_list: bool) -> list[Problem]:
    out = []
    for r in _rows(df):
        values = r[column] if as_list else ((r[column],) if r[column] else ())
        for v in values or ():
            if v not in LEVELS:
                out.append(Problem(table, r[ROW], column, f"'{v}' is not a level; use {_or(LEVELS)}"))
    return out


def check_choice(df: pd.DataFrame, table: str, column: str, allowed: tuple[str, ...]) -> list[Problem]:
    return [Problem(table, row, column, f"'{v}' is not allowed here; use {_or(allowed)}")
            for row, v in _cells(df, column) if v and v not in allowed]


def _or(words) -> str:
    words = [f"'{w}'" for w in words]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def check_range(df, table, column, lo=None, hi=None, lo_open=False, what="") -> list[Problem]:
    out = []
    for row, v in _cells(df, column):
        if v is None or v == "":
            continue
        bad = (lo is not None and (v <= lo if lo_open else v < lo)) or (hi is not None and v > hi)
        if bad:
            rng = what or (f"{'more than' if lo_open else 'at least'} {lo}" + (f" and at most {hi}" if hi is not None else ""))
            out.append(Problem(table, row, column, f"{v:g} is not allowed: it must be {rng}"))
    return out


def check_order(df, table, start, end) -> list[Problem]:
    return [Problem(table, r[ROW], end, f"{r[end]} is before the {start} {r[start]}; the end cannot come before the start")
            for r in _rows(df) if r[start] and r[end] and r[end] < r[start]]


def check_refs(df, table, column, valid: set, target: str) -> list[Problem]:
    return [Problem(table, row, column, f"'{v}' is not found in {target}")
            for row, v in _cells(df, column) if v and v not in valid]


# --------------------------------------------------------------------------- tables
def validate_units(ds: Dataset) -> list[Problem]:
    u = ds.units
    p = check_unique(u, "units", "unit_id")
    p += [Problem("units", r[ROW], "unit_id", "a unit may not be called 'region' (that word means everyone in blackouts)")
          for r in _rows(u) if str(r["unit_id"]).casefold() == "region"]
    p += check_range(u, "units", "max_absent_share", 0, 1, lo_open=True,
                     what="more than 0 and at most 1 (a share: 0.2 means 20 %)")
    return p


def validate_cadres(ds: Dataset, year: int) -> list[Problem]:
    c = ds.cadres
    p = check_unique(c, "cadres", "cadre_id")
    p += check_refs(c, "cadres", "unit_id", set(ds.units["unit_id"]), "the units table")
    p += check_choice(c, "cadres", "level", LEVELS)
    p += check_range(c, "cadres", "birth_year", 1940, year - 16,
                     what=f"between 1940 and {year - 16} (nobody younger than 16 in plan year {year})")
    p += check_range(c, "cadres", "grassroots_years", 0)
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
    names = ("start_date", "end_date", "window_start", "window_end")
    for r in _rows(c):
        row = r[ROW]
        fixed = (r["start_date"], r["end_date"])
        window = (r["window_start"], r["window_end"])
        has_fixed, has_window = any(fixed), any(window)
        if has_fixed and has_window:
            p.append(Problem("classes", row, "window_start",
                             "the class has both fixed dates and a window: give either start_date/end_date "
                             "or window_start/window_end, not both"))
        elif not has_fixed and not has_window:
            p.append(Problem("classes", row, "start_date",
                             "the class has no dates: give start_date and end_date, or window_start and window_end"))
        for a, b, pair in ((0, 1, fixed), (2, 3, window)):
            if any(pair) and not all(pair):
                empty, given = (names[a], names[b]) if not pair[0] else (names[b], names[a])
                p.append(Problem("classes", row, empty, f"{empty} is empty while {given} is given; give both"))
            elif all(pair):
                if pair[1] < pair[0]:
                    p.append(Problem("classes", row, names[b],
                                     f"{pair[1]} is before the {names[a]} {pair[0]}; the end cannot come before the start"))
                for col, d in ((names[a], pair[0]), (names[b], pair[1])):
                    if not _in_year(d, year):
                        p.append(Problem("classes", row, col, f"{d} is outside the plan year {year}"))
        if r["min_size"] is not None and r["capacity"] is not None and 1 <= r["capacity"] < r["min_size"]:
            p.append(Problem("classes", row, "min_size",
                             f"min_size {r['min_size']} is larger than the capacity {r['capacity']}: the class could never run"))
    return p


def _occupied(mode: str, start: dt.date, end: dt.date) -> list[dt.date]:
    """Days a class occupies (calendar.occupied_days), as dates in order."""
    return [dt.date.fromordinal(d) for d in sorted(occupied_days(mode, start, end))]


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
    class_ids: dict[str, int] = {}
    for r in _rows(ds.classes):
        if r["class_id"]:
            class_ids.setdefault(r["class_id"], r[ROW])
    for r in _rows(ds.rotations):
        if r["post_id"] and r["post_id"] in class_ids:
            p.append(Problem("rotations", r[ROW], "post_id",
                             f"'{r['post_id']}' is also a class_id (classes row {class_ids[r['post_id']]}); "
                             "ids must be unique across classes and rotations"))
    return p


def validate_blackouts(ds: Dataset) -> list[Problem]:
    b = ds.blackouts
    p = check_order(b, "blackouts", "start_date", "end_date")
    units = set(ds.units["unit_id"])
    p += [Problem("blackouts", r[ROW], "scope",
                  f"'{r['scope']}' is neither 'region' (everyone) nor a unit_id of the units table")
          for r in _rows(b) if r["scope"] and r["scope"] != "region" and r["scope"] not in units]
    return p


def validate_busy(ds: Dataset) -> list[Problem]:
    b = ds.busy
    return (check_refs(b, "busy", "cadre_id", set(ds.cadres["cadre_id"]), "the cadres table")
            + check_order(b, "busy", "start_date", "end_date"))


def validate_history(ds: Dataset, year: int) -> list[Problem]:
    h = ds.history
    p = check_refs(h, "history", "cadre_id", set(ds.cadres["cadre_id"]), "the cadres table")
    p += check_choice(h, "history", "kind", HISTORY_KINDS)
    p += [Problem("history", row, "year", f"{y} is not before the plan year {year}: history holds earlier years only")
          for row, y in _cells(h, "year") if y is not None and y >= year]
    p += check_range(h, "history", "days", 0)
    p += check_range(h, "history", "hours", 0)
    return p


def validate_pins(ds: Dataset) -> list[Problem]:
    pins = ds.pins
    p = check_refs(pins, "pins", "cadre_id", set(ds.cadres["cadre_id"]), "the cadres table")
    activities = set(ds.classes["class_id"]) | set(ds.rotations["post_id"])
    p += check_refs(pins, "pins", "activity_id", activities, "the classes or rotations tables")
    p += check_choice(pins, "pins", "rule", PIN_RULES)
    seen: dict[tuple, tuple] = {}
    for r in _rows(pins):
        if not r["rule"] in PIN_RULES:
            continue
        key = (r["cadre_id"], r["activity_id"])
        if key in seen and seen[key][1] != r["rule"]:
            p.append(Problem("pins", r[ROW], "rule",
                             f"{r['cadre_id']} / {r['activity_id']} is pinned '{seen[key][1]}' on row {seen[key][0]} "
                             f"and '{r['rule']}' here; keep one of the two"))
        seen.setdefault(key, (r[ROW], r["rule"]))
    return p


def _not_after(df: pd.DataFrame, table: str, year: int) -> list[Problem]:
    return [Problem(table, row, "year", f"{y} is after the plan year {year}")
            for row, y in _cells(df, "year") if y is not None and y > year]


def validate_online(ds: Dataset, year: int) -> list[Problem]:
    """online: cadre_id exists, year not after the plan year, hours >= 0 (several rows of a cadre-year add up)."""
    o = ds.online
    return (check_refs(o, "online", "cadre_id", set(ds.cadres["cadre_id"]), "the cadres table")
            + _not_after(o, "online", year) + check_range(o, "online", "hours", 0))


def validate_ratings(ds: Dataset, year: int) -> list[Problem]:
    """course_ratings (score: whole points 1 … 5) and trainee_ratings (score 0 … 100): cadre_id exists,
    year (optional) not after the plan year. A class_id need not be in this year's offer (earlier years
    are rated too); one found nowhere is a warning."""
    cadres = set(ds.cadres["cadre_id"])
    p: list[Problem] = []
    for table, (lo, hi), unit in (("course_ratings", COURSE_SCORE, "whole points"), ("trainee_ratings", TRAINEE_SCORE, "points")):
        df = ds.tables[table]
        p += check_refs(df, table, "cadre_id", cadres, "the cadres table")
        p += check_range(df, table, "score", lo, hi, what=f"from {lo} to {hi} {unit}")
        p += _not_after(df, table, year)
    return p


def validate_attendance(ds: Dataset) -> list[Problem]:
    """attendance: cadre_id exists, activity_id is a class or rotation of the year, leave_hours >= 0,
    one row per cadre and activity. (Whether the plan holds the assignment is checked where a
    plan is read: planning.inyear.attendance.)"""
    a = ds.attendance
    activities = set(ds.classes["class_id"]) | set(ds.rotations["post_id"])
    p = check_refs(a, "attendance", "cadre_id", set(ds.cadres["cadre_id"]), "the cadres table")
    p += check_refs(a, "attendance", "activity_id", activities, "the classes or rotations tables")
    p += check_range(a, "attendance", "leave_hours", 0)
    seen: dict[tuple, int] = {}
    for r in _rows(a):
        key = (r["cadre_id"], r["activity_id"])
        if key in seen:
            p.append(Problem("attendance", r[ROW], "activity_id",
                             f"{key[0]} / {key[1]} is recorded twice (also on row {seen[key]}); keep one row"))
        seen.setdefault(key, r[ROW])
    return p


def validate_pool_tables(ds: Dataset, year: int) -> list[Problem]:
    """The reserve pool's tables (planning/pool/): cadres' gender; assessments (cadre exists, year not after
    the plan year, a known dimension, score 0 … 100, one row per cadre, year and dimension); candidates
    (cadre exists and is listed once, a known source, votes >= 0 and given for a recommendation,
    voters >= votes, exam 0 … 100); vacancies (unique id, unit exists, a level)."""
    cadres = set(ds.cadres["cadre_id"])
    p = check_choice(ds.cadres, "cadres", "gender", GENDERS) if "gender" in ds.cadres else []
    a = ds.tables.get("assessments")
    if a is not None and len(a):
        p += check_refs(a, "assessments", "cadre_id", cadres, "the cadres table") + _not_after(a, "assessments", year)
        p += check_choice(a, "assessments", "dimension", DIMENSIONS)
        p += check_range(a, "assessments", "score", *ASSESSMENT_SCORE)
        first: dict[tuple, int] = {}
        for row, *key in _cells(a, "cadre_id", "year", "dimension"):
            key = tuple(key)
            if None in key:
                continue
            if key in first:
                p.append(Problem("assessments", row, "dimension",
                                 f"{key[0]} already has a {key[2]} score for {key[1]} (row "
                                 f"{first[key]}); one row per cadre, year and dimension"))
            else:
                first[key] = row
    c = ds.tables.get("candidates")
    if c is not None and len(c):
        p += check_refs(c, "candidates", "cadre_id", cadres, "the cadres table") + check_unique(c, "candidates", "cadre_id")
        p += check_choice(c, "candidates", "source", SOURCES)
        p += check_range(c, "candidates", "votes", 0) + check_range(c, "candidates", "exam_score", 0, 100)
        for r in _rows(c):
            if r["source"] == "recommendation":
                for col in ("votes", "voters"):
                    if r[col] is None:
                        p.append(Problem("candidates", r[ROW], col, f"a recommended candidate needs {col}"))
            if r["votes"] is not None and r["voters"] is not None and r["votes"] > r["voters"]:
                p.append(Problem("candidates", r[ROW], "votes",
                                 f"{r['votes']} votes but only {r['voters']} voters; votes cannot exceed voters"))
    v = ds.tables.get("vacancies")
    if v is not None and len(v):
        p += check_unique(v, "vacancies", "vacancy_id")
        p += check_refs(v, "vacancies", "unit_id", set(ds.units["unit_id"]), "the units table")
        p += check_levels(v, "vacancies", "level", as_list=False)
    return p


def _warn(table: str, row, column: str, code: str, **values) -> Problem:
    """A warning by code (planning.messages), its English sentence as the message."""
    return Problem(table, row, column, note_text({"code": code, "values": values}, "en"), "warning", code, values)


def rating_warnings(ds: Dataset) -> list[Problem]:
    """A rating of a class found neither in the classes table nor in history; a trainee rating a class twice."""
    known = set(ds.classes["class_id"]) | {a for a in ds.history["activity_id"] if a}
    w: list[Problem] = []
    for table in ("course_ratings", "trainee_ratings"):
        seen: dict[tuple, int] = {}
        for r in _rows(ds.tables[table]):
            if r["class_id"] and r["class_id"] not in known:
                w.append(_warn(table, r[ROW], "class_id", "dw_rating_unknown", cls=r["class_id"]))
            key = (r["class_id"], r["cadre_id"], r.get("year"))
            if key in seen:
                w.append(_warn(table, r[ROW], "cadre_id", "dw_rating_twice", cadre=r["cadre_id"], cls=r["class_id"],
                               other=seen[key]))
            seen.setdefault(key, r[ROW])
    return w


# --------------------------------------------------------------------------- warnings
def _kind(mode: str, working: bool) -> dict:
    code = "dw_kind_weekend" if mode == "weekend" else ("dw_kind_working" if working else "dw_kind_days")
    return {"kind_en": say(code, "en"), "kind_zh": say(code, "zh")}


def _class_date_warnings(r: dict, hol: dict, hol_zh: dict, region: list) -> list[Problem]:
    """A class's dates over public holidays or a region blackout, or too short for its days; a
    windowed class whose window cannot hold its days."""
    cid, w = r["class_id"], []
    if r["start_date"] and r["end_date"] and r["mode"] in MODES:
        days = _occupied(r["mode"], r["start_date"], r["end_date"])
        on = sorted({d: hol[d] for d in days if d in hol}.items())
        names = list(dict.fromkeys(n for _, n in on))
        if names:
            w.append(_warn("classes", r[ROW], "start_date", "dw_holiday", cls=cid, n=len(names), holidays_en=names,
                           holidays_zh=list(dict.fromkeys(hol_zh.get(d, n) for d, n in on))))
        for s, e, reason in region:
            if any(s <= d <= e for d in days):
                w.append(_warn("classes", r[ROW], "start_date", "dw_region_blackout", cls=cid, start=s.isoformat(),
                               end=e.isoformat(), **({"reason": reason} if reason else
                                                     {"reason_en": "key work", "reason_zh": "重点工作"})))
        if r["days"] and r["days"] > len(days):
            w.append(_warn("classes", r[ROW], "days", "dw_days_dont_fit", days=float(r["days"]), n=len(days),
                           start=r["start_date"].isoformat(), end=r["end_date"].isoformat(), **_kind(r["mode"], False)))
    elif r["window_start"] and r["window_end"] and r["mode"] in MODES and r["days"]:
        usable = [d for d in _occupied(r["mode"], r["window_start"], r["window_end"])
                  if d not in hol and not any(s <= d <= e for s, e, _ in region)]
        if r["mode"] == "full_time":
            usable = [d for d in usable if d.weekday() < 5]
        if len(usable) < r["days"]:
            w.append(_warn("classes", r[ROW], "window_end", "dw_window_short", start=r["window_start"].isoformat(),
                           end=r["window_end"].isoformat(), n=len(usable), cls=cid, days=float(r["days"]),
                           **_kind(r["mode"], True)))
    return w


def data_warnings(ds: Dataset, year: int) -> list[Problem]:
    """Legal but suspicious data: the planner should look, the plan still runs."""
    w: list[Problem] = []
    hol = public_holidays(year, ds.holidays)
    hol_zh = public_holidays(year, ds.holidays, "zh")
    region = [(r["start_date"], r["end_date"], r["reason"]) for r in _rows(ds.blackouts) if r["scope"] == "region"]
    levels_present = set(ds.cadres["level"])
    for r in _rows(ds.cadres):
        if r["promoted_on"] and r["promoted_on"].year > year:
            w.append(_warn("cadres", r[ROW], "promoted_on", "dw_promoted_after", date=r["promoted_on"].isoformat(),
                           year=year))
    for r in _rows(ds.classes):
        w += _class_date_warnings(r, hol, hol_zh, region)
        allowed = set(r["levels"]) if r["levels"] else set(LEVELS)
        if not allowed & levels_present:
            w.append(_warn("classes", r[ROW], "levels", "dw_class_no_level", cls=r["class_id"]))
    for r in _rows(ds.rotations):
        allowed = set(r["levels"]) if r["levels"] else set(LEVELS)
        if not allowed & levels_present:
            w.append(_warn("rotations", r[ROW], "levels", "dw_post_no_level", post=r["post_id"]))
    counts = Counter(ds.cadres["unit_id"])
    for r in _rows(ds.units):
        if counts.get(r["unit_id"], 0) == 0:
            w.append(_warn("units", r[ROW], "unit_id", "dw_unit_empty", unit=r["unit_id"]))
    w += rating_warnings(ds)
    return sorted(w, key=problem_order)


def collect_problems(ds: Dataset, year: int) -> list[Problem]:
    """Every contract violation of a typed data set (cells that could not be read are None and skipped)."""
    return (validate_units(ds) + validate_cadres(ds, year) + validate_ids_across(ds)
            + validate_classes(ds, year) + validate_rotations(ds, year) + validate_blackouts(ds)
            + validate_busy(ds) + validate_history(ds, year) + validate_pins(ds) + validate_online(ds, year)
            + validate_ratings(ds, year) + validate_attendance(ds) + validate_pool_tables(ds, year))


def validate_dataset(ds: Dataset, year: int) -> Dataset:
    """Raise DataError with every contract violation; record warnings on the data set."""
    problems = collect_problems(ds, year)
    if problems:
        raise DataError(problems)
    ds.warnings = data_warnings(ds, year)
    return ds
