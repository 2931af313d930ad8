"""Read a data set (a folder of CSV files or one .xlsx workbook) into typed pandas frames.

Every cell is first read as text exactly as the user wrote it, together with the row
number the user sees (header = 1), then converted column by column. Problems are
collected, never raised one at a time, so the planner gets the full list at once.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planning.data.schema import TABLES, Column, Table
from planning.errors import DataError, Problem

ROW = "_row"  # the row number as the user sees it in the file (header = 1)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "yes", "1", "y", "1.0"}
_FALSE = {"false", "no", "0", "n", "", "0.0"}
_CASEFOLD = {"level", "levels", "mode", "direction", "kind", "rule"}


@dataclass
class Dataset:
    """A typed data set: one frame per contract table, each with a `_row` column."""

    tables: dict[str, pd.DataFrame]
    source: str
    warnings: list[Problem] = field(default_factory=list)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def copy(self) -> "Dataset":
        return Dataset({k: v.copy() for k, v in self.tables.items()}, self.source, list(self.warnings))


# --------------------------------------------------------------------------- raw reading
def _read_csv(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
                     skipinitialspace=False)
    df.columns = [str(c).strip() for c in df.columns]
    df[ROW] = range(2, len(df) + 2)
    return df


def _cell_text(value: object) -> str:
    """An Excel cell as the text the contract expects (real date cells become ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else f"{value:.1f}"
    return str(value)


def _read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    frames: dict[str, pd.DataFrame] = {}
    try:
        for ws in wb.worksheets:
            name = ws.title.strip()
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            cols = [_cell_text(h).strip() for h in header]
            while cols and cols[-1] == "":
                cols.pop()
            data, numbers = [], []
            for i, r in enumerate(rows, start=2):
                vals = [_cell_text(v) for v in list(r)[: len(cols)]]
                vals += [""] * (len(cols) - len(vals))
                if all(v.strip() == "" for v in vals):
                    continue  # Excel keeps formatted but empty rows; they carry nothing
                data.append(vals)
                numbers.append(i)
            df = pd.DataFrame(data, columns=cols, dtype=str) if data else pd.DataFrame(columns=cols, dtype=str)
            df[ROW] = numbers
            frames[name] = df
    finally:
        wb.close()
    return frames


def read_raw(path: str | Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """All tables of the data set as text frames, and problems with the files themselves."""
    path = Path(path)
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    if path.is_dir():
        for name in TABLES:
            f = path / f"{name}.csv"
            if f.exists():
                try:
                    frames[name] = _read_csv(f)
                except UnicodeDecodeError:
                    problems.append(Problem(name, None, None, f"{f.name} is not UTF-8 text; save it as CSV UTF-8"))
                except pd.errors.ParserError as e:
                    problems.append(Problem(name, None, None, f"{f.name} is not a readable CSV file ({e})"))
                except pd.errors.EmptyDataError:
                    problems.append(Problem(name, None, None, f"{f.name} is empty: it needs at least a header row"))
    elif path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            frames = {k: v for k, v in _read_workbook(path).items() if k in TABLES}
        except Exception as e:  # openpyxl raises many kinds for a broken file
            problems.append(Problem("workbook", None, None, f"{path.name} cannot be read as an Excel workbook ({e})"))
    elif path.exists():
        problems.append(Problem("data set", None, None,
                                f"{path} is neither a folder of CSV files nor an .xlsx workbook"))
    else:
        problems.append(Problem("data set", None, None, f"{path} does not exist"))
    for name, table in TABLES.items():
        if table.required and name not in frames and not problems:
            problems.append(Problem(name, None, None, f"the required table '{name}' is missing from {path}"))
    return frames, problems


# --------------------------------------------------------------------------- typing
def _parse(value: str, col: Column) -> tuple[object, str | None]:
    """Convert one text cell; returns (value, error message or None)."""
    v = value.strip()
    t = col.type
    if t == "text":
        return v, None
    if t == "bool":
        low = v.lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        return None, f"'{value}' is not a yes/no value (use true/false, yes/no, 1/0 or y/n)"
    if t == "list":
        return tuple(x.strip() for x in v.split(";") if x.strip()), None
    if v == "":
        return None, None
    if t == "int":
        try:
            f = float(v)
        except ValueError:
            return None, f"'{value}' is not a whole number"
        if not math.isfinite(f) or not f.is_integer():
            return None, f"'{value}' is not a whole number"
        return int(f), None
    if t == "number":
        try:
            f = float(v)
        except ValueError:
            return None, f"'{value}' is not a number"
        if not math.isfinite(f):
            return None, f"'{value}' is not a finite number"
        return f, None
    if t == "date":
        if not _ISO.match(v):
            return None, f"'{value}' is not a date in the form YYYY-MM-DD"
        try:
            return dt.date.fromisoformat(v), None
        except ValueError:
            return None, f"'{value}' is not a real calendar date"
    raise AssertionError(t)


def type_table(table: Table, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed copy of one raw table; missing optional columns are added empty, extra ones kept."""
    problems: list[Problem] = []
    df = raw.copy()
    for col in table.columns:
        if col.name not in df.columns:
            if col.present:
                problems.append(Problem(table.name, 1, col.name, "this required column is missing from the header"))
            df[col.name] = ""
    dup = [c for c in df.columns if list(df.columns).count(c) > 1]
    for c in sorted(set(dup)):
        problems.append(Problem(table.name, 1, c, "the column appears more than once in the header"))
    if dup:
        return df.loc[:, ~df.columns.duplicated()], problems
    rows = df[ROW].tolist()
    for col in table.columns:
        out = []
        for r, value in zip(rows, df[col.name].tolist()):
            value = "" if value is None else str(value)
            parsed, err = _parse(value, col)
            if err:
                problems.append(Problem(table.name, r, col.name, err))
            elif col.nonempty and (parsed is None or parsed == ""):
                problems.append(Problem(table.name, r, col.name, "a value is required here"))
            if isinstance(parsed, str) and col.name in _CASEFOLD:
                parsed = parsed.casefold()
            if isinstance(parsed, tuple) and col.name in _CASEFOLD:
                parsed = tuple(x.casefold() for x in parsed)
            out.append(parsed)
        df[col.name] = pd.Series(out, index=df.index, dtype=object)
    if "topic" in table.column_names:
        df["topic_key"] = [str(t or "").strip().casefold() for t in df["topic"]]
    ordered = table.column_names + [c for c in df.columns if c not in table.column_names]
    return df[ordered].reset_index(drop=True), problems


def empty_table(table: Table) -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(dtype=object) for c in table.column_names})
    if "topic" in table.column_names:
        df["topic_key"] = pd.Series(dtype=object)
    df[ROW] = pd.Series(dtype=int)
    return df


def load_dataset(path: str | Path, year: int, *, validate: bool = True) -> Dataset:
    """Read, type and (by default) validate a data set for plan year `year`.

    Raises DataError listing every problem; returns the typed data with any warnings.
    """
    raw, problems = read_raw(path)
    tables: dict[str, pd.DataFrame] = {}
    for name, table in TABLES.items():
        if name in raw:
            tables[name], p = type_table(table, raw[name])
            problems += p
        else:
            tables[name] = empty_table(table)
    if problems:
        raise DataError(problems)
    ds = Dataset(tables, str(path))
    if validate:
        from planning.data.validate import validate_dataset

        validate_dataset(ds, year)
    return ds
