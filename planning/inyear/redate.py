"""The year's offer and calendar moved into another year: same week of the year, same weekday.

Each row moves by a whole number of weeks (so a weekend class stays on weekends and a
Monday start stays a Monday), chosen so that its first date falls in the new year; all
dates of the row move together. Ids that carry the old year (C2027-014) carry the new one
(C2028-014). Statutory holidays of the new year come from the calendar package as usual.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from planning.data.load import ROW, Dataset
from planning.errors import DataError, Problem

# table -> (its date columns, first one present anchors the shift; the id column renamed; dates that must stay in the year)
DATED = {
    "classes": (("start_date", "end_date", "window_start", "window_end"), "class_id",
                ("start_date", "end_date", "window_start", "window_end")),
    "rotations": (("start_date", "end_date"), "post_id", ("start_date",)),
    "blackouts": (("start_date", "end_date"), None, ()),
    "busy": (("start_date", "end_date"), None, ()),
}


def week_shift(anchor: dt.date, to_year: int) -> int:
    """Days (a multiple of 7) that move `anchor` into `to_year` at the same week of the year."""
    weeks = round((to_year - anchor.year) * 365.2425 / 7)
    while anchor + dt.timedelta(weeks=weeks) < dt.date(to_year, 1, 1):
        weeks += 1
    while anchor + dt.timedelta(weeks=weeks) > dt.date(to_year, 12, 31):
        weeks -= 1
    return 7 * weeks


def rename_id(activity_id: str, from_year: int, to_year: int) -> str:
    return activity_id.replace(str(from_year), str(to_year)) if activity_id else activity_id


def redate_table(name: str, df: pd.DataFrame, from_year: int, to_year: int) -> tuple[pd.DataFrame, list[Problem]]:
    """One table re-dated (and its ids renamed); problems name the rows that cannot move into `to_year`."""
    columns, id_col, in_year = DATED[name]
    out = df.copy()
    problems: list[Problem] = []
    rows = out.to_dict("records")
    for k, r in enumerate(rows):
        anchor = next((r[c] for c in columns if c in r and r[c]), None)
        if anchor is None:
            continue
        shift = dt.timedelta(days=week_shift(anchor, to_year))
        for c in columns:
            if c in r and r[c]:
                r[c] = r[c] + shift
                if c in in_year and r[c].year != to_year:
                    problems.append(Problem(name, r[ROW], c, f"cannot be re-dated into {to_year}: "
                                            f"moved by whole weeks it would fall on {r[c]}"))
        rows[k] = r
    for c in columns:
        if c in out.columns:
            out[c] = pd.Series([r[c] for r in rows], index=out.index, dtype=object)
    if id_col and len(out):
        new = [rename_id(a, from_year, to_year) for a in out[id_col]]
        if len(set(new)) == len(new):
            out[id_col] = pd.Series(new, index=out.index, dtype=object)
    return out, problems


def redate_offer(ds: Dataset, from_year: int, to_year: int) -> Dataset:
    """A copy of `ds` whose classes, rotations, blackouts and busy periods are moved from
    `from_year` into `to_year` (see the module docstring); DataError naming the rows that cannot move.
    Ids renamed in classes and rotations are renamed in pins and attendance too."""
    out = ds.copy()
    problems: list[Problem] = []
    renamed: dict[str, str] = {}
    for name, (_, id_col, _) in DATED.items():
        before = list(ds.tables[name][id_col]) if id_col else []
        out.tables[name], p = redate_table(name, ds.tables[name], from_year, to_year)
        problems += p
        if id_col:
            renamed.update({a: b for a, b in zip(before, out.tables[name][id_col]) if a != b})
    if problems:
        raise DataError(problems)
    if set(out.classes["class_id"]) & set(out.rotations["post_id"]):
        raise DataError([Problem("classes", None, "class_id", f"the ids cannot take the year {to_year}: "
                                 "the renamed ids would clash")])
    for t in ("pins", "attendance"):
        if t in out.tables and len(out.tables[t]):
            out.tables[t]["activity_id"] = out.tables[t]["activity_id"].map(lambda a: renamed.get(a, a))
    return out
