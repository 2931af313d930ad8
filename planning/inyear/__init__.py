"""In-year operations: the attendance of the year, closing the year into next year's data set, re-planning.

`close_year` is the one step from a year's plan (and attendance) to next year's `history`: the
`planning close-year` command and the five-year simulation both call it.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from planning.data.load import Dataset, read_table
from planning.errors import DataError
from planning.inyear.history import RECORD_COLUMNS, close_year, next_year_data, year_record
from planning.inyear.redate import redate_offer

__all__ = ["RECORD_COLUMNS", "check_base_plan", "close_year", "load_attendance", "next_year_data", "redate_offer", "year_record"]


def load_attendance(path: str | Path) -> pd.DataFrame:
    """The attendance table from a CSV file, a workbook (its `attendance` sheet) or a folder
    (its attendance.csv), typed; DataError naming table, row and column for unreadable cells.
    Its rules against the data and the plan are checked by `year_record`."""
    frame, problems = read_table(path, "attendance")
    if problems:
        raise DataError(problems)
    return frame


def check_base_plan(ds: Dataset, plan_dir: str | Path, year: int, policy) -> None:
    """The plan folder must be a valid plan of the data (the independent checker); DataError
    (exit 2) listing every violation otherwise."""
    from planning.check import check_plan
    from planning.errors import Problem

    violations = check_plan(ds, plan_dir, year, policy)
    if violations:
        raise DataError([Problem("plan", None, None, f"the plan in {plan_dir} is not valid for this data: {v}")
                         for v in violations])
