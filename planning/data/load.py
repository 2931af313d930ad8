"""Read a data set (a folder of CSV files or one .xlsx workbook) into typed pandas frames.

Every cell is first read as text exactly as the user wrote it, together with the row
number the user sees (header = 1), then converted column by column. Problems are
collected, never raised one at a time, so the planner gets the full list at once.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from pathlib import Path

import pandas as pd

from planning import bounded
from planning.bounded import InputLimitError, check_sheet_rows, check_workbook, csv_rows_problem, csv_size_problem
from planning.data.dataset import ROW, Dataset  # noqa: F401 — also imported from here by most of the planner
from planning.data.schema import TABLES, Column, Table
from planning.data.validate import collect_problems, data_warnings
from planning.errors import DataError, Problem

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "yes", "1", "y", "1.0"}
_FALSE = {"false", "no", "0", "n", "", "0.0"}
_CASEFOLD = {"level", "levels", "mode", "direction", "kind", "rule"}


# --------------------------------------------------------------------------- raw reading
class _TableProblem(Exception):
    """A table that cannot be read at all (the message names the file)."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.row = row


def _frame(header: list[str], rows: list[list[str]], numbers: list[int]) -> pd.DataFrame:
    """A text frame from a header and rows; header-less columns carry nothing and are dropped."""
    keep = [i for i, h in enumerate(header) if h not in ("", ROW)]
    names = [_canonical(header[i]) for i in keep]
    data = [[r[i] if i < len(r) else "" for i in keep] for r in rows]
    df = pd.DataFrame(data, columns=names, dtype=object) if data else pd.DataFrame(columns=names, dtype=object)
    df[ROW] = pd.Series(numbers, index=df.index, dtype="int64")
    return df


_ALL_COLUMNS = {c.name.casefold(): c.name for t in TABLES.values() for c in t.columns}


def _canonical(name: str) -> str:
    """A header as the contract spells it (headers are matched case-insensitively)."""
    name = str(name).strip()
    return _ALL_COLUMNS.get(name.casefold(), name)


def _read_csv(path: Path) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """A CSV file as text; `_row` is the line number in the file (header = 1).

    Blank lines are skipped but still counted, so row numbers match what the planner sees
    in an editor. Returns the frame and (line, message) problems of single rows."""
    try:
        too_large = csv_size_problem(path)  # bounded before a byte is read
        if too_large:
            raise _TableProblem(too_large)
        raw = path.read_bytes()
    except OSError as e:
        raise _TableProblem(f"{path.name} cannot be opened ({e.strerror or e})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise _TableProblem(f"{path.name} is not UTF-8 text (first unreadable character on line {line}); "
                            "save it as 'CSV UTF-8'", line) from None
    if "\x00" in text:
        raise _TableProblem(f"{path.name} is not a text CSV file (it holds binary data)")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    problems: list[tuple[int, str]] = []
    line = 1  # line on which the next record starts
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if header is None:
                if not any(v.strip() for v in record):
                    raise _TableProblem(f"{path.name} must start with a header row naming the columns (line {start} is empty)", start)
                header = [v.strip() for v in record]
                continue
            if not any(v.strip() for v in record):
                continue  # blank line: nothing to read, but it still counts for line numbers
            extra = [v for v in record[len(header):] if v.strip()]
            if extra:
                problems.append((start, f"this row has {len(record)} values but the header names only {len(header)} "
                                        "columns (is there an unquoted comma inside a value?)"))
            rows.append(record)
            numbers.append(start)
            if len(rows) > bounded.MAX_SHEET_ROWS:
                raise _TableProblem(csv_rows_problem(path.name, len(rows)), start)
    except csv.Error as e:
        if "field limit" in str(e):
            raise _TableProblem(f"{path.name} has a value longer than {csv.field_size_limit():,} characters near "
                                f"line {line} (is a closing quote missing?)", line) from None
        raise _TableProblem(f"{path.name} is not a readable CSV file near line {line} ({e})", line) from None
    if header is None:
        raise _TableProblem(f"{path.name} is empty: it needs at least a header row naming the columns")
    return _frame(header, rows, numbers), problems


def _cell_text(value: object) -> str:
    """An Excel cell as the text the contract expects (real date cells become ISO dates,
    whole numbers stored as 12.0 become 12)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def _read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet as a text frame keyed by its (stripped) name; `_row` is the sheet row number.

    Wholly blank rows are skipped (Excel keeps formatted empty rows) but keep their numbers."""
    import openpyxl

    check_workbook(path)  # no zip bombs: the unpacked size is bounded before openpyxl reads it
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    frames: dict[str, pd.DataFrame] = {}
    try:
        for ws in wb.worksheets:
            name = ws.title.strip()
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None or all(_cell_text(h).strip() == "" for h in header):
                frames[name] = None  # type: ignore[assignment]  # an empty sheet: reported by read_raw
                continue
            cols = [_cell_text(h).strip() for h in header]
            data, numbers = [], []
            for i, r in enumerate(rows, start=2):
                check_sheet_rows(name, i, path.name)
                vals = [_cell_text(v) for v in r]
                if all(v.strip() == "" for v in vals):
                    continue
                data.append(vals)
                numbers.append(i)
            frames[name] = _frame(cols, data, numbers)
    finally:
        wb.close()
    return frames


def _find(names: dict[str, object], table: str) -> str | None:
    """The key naming `table`: exact first, then ignoring case."""
    if table in names:
        return table
    return next((k for k in names if k.casefold() == table), None)


def read_raw(path: str | Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """All tables of the data set as text frames, and problems with the files themselves."""
    path = Path(path)
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    unreadable: set[str] = set()
    if path.is_dir():
        try:
            files = {f.stem.strip(): f for f in path.iterdir() if f.suffix.lower() == ".csv"}
        except OSError as e:
            return {}, [Problem("data set", None, None, f"the folder {path} cannot be read ({e.strerror or e})")]
        for name in TABLES:
            key = _find(files, name)
            if key is None:
                if name.casefold() in {f.stem.strip().casefold() for f in path.glob("*.xls*")}:
                    problems.append(Problem(name, None, None, f"{name} is a spreadsheet in the folder; "
                                            "save it as CSV UTF-8, or pass the whole workbook instead of the folder"))
                    unreadable.add(name)
                continue
            try:
                frames[name], row_problems = _read_csv(files[key])
                problems += [Problem(name, r, None, m) for r, m in row_problems]
            except _TableProblem as e:
                problems.append(Problem(name, e.row, None, e.message))
                unreadable.add(name)
        missing_msg = "there is no {name}.csv in the folder " + str(path) + "; this table is required"
    elif path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            sheets = _read_workbook(path)
        except InputLimitError as e:
            return {}, [Problem("workbook", None, None, str(e))]
        except Exception as e:  # openpyxl raises many kinds for a broken file
            return {}, [Problem("workbook", None, None,
                                f"{path.name} cannot be read as an Excel workbook ({type(e).__name__}: {e})")]
        for name in TABLES:
            key = _find(sheets, name)
            if key is None:
                continue
            if sheets[key] is None:
                problems.append(Problem(name, None, None, f"the sheet '{key}' is empty: it needs at least a header row"))
                unreadable.add(name)
            else:
                frames[name] = sheets[key]
        missing_msg = "the workbook " + path.name + " has no sheet named '{name}'; this table is required"
    elif path.is_file() and path.suffix.lower() == ".xls":
        return {}, [Problem("data set", None, None,
                            f"{path.name} is an old-style .xls workbook; save it as .xlsx (Excel Workbook)")]
    elif path.exists():
        return {}, [Problem("data set", None, None,
                            f"{path} is neither a folder of CSV files nor an .xlsx workbook")]
    else:
        return {}, [Problem("data set", None, None, f"{path} does not exist")]
    for name, table in TABLES.items():
        if table.required and name not in frames and name not in unreadable:
            problems.append(Problem(name, None, None, missing_msg.format(name=name)))
    return frames, problems


# --------------------------------------------------------------------------- typing
def _parse(value: str, col: Column) -> tuple[object, str | None]:
    """Convert one text cell; returns (value, error message or None)."""
    v = value.strip()
    t = col.type
    if t == "text":
        return v, None
    if t == "bool":
        low = v.casefold()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        return None, f"'{v}' is not a yes/no value (write true/false, yes/no, 1/0 or y/n)"
    if t == "list":
        return tuple(x.strip() for x in v.split(";") if x.strip()), None
    if v == "":
        return None, None
    if t == "int":
        try:
            f = float(v)
        except ValueError:
            return None, f"'{v}' is not a whole number"
        if not math.isfinite(f) or not f.is_integer():
            return None, f"'{v}' is not a whole number"
        return int(f), None
    if t == "number":
        try:
            f = float(v)
        except ValueError:
            return None, f"'{v}' is not a number"
        if not math.isfinite(f):
            return None, f"'{v}' is not a number"
        return f, None
    if t == "date":
        if not _ISO.match(v):
            return None, f"'{v}' is not a date: write it as YYYY-MM-DD, e.g. 2027-03-01"
        try:
            return dt.date.fromisoformat(v), None
        except ValueError:
            return None, f"'{v}' is not a real calendar date"
    raise AssertionError(t)


def _normalise(col: Column, value: object) -> object:
    """Keywords compare case-insensitively: levels, modes, directions, kinds, rules, scope 'region'."""
    if col.name in _CASEFOLD:
        if isinstance(value, str):
            return value.casefold()
        if isinstance(value, tuple):
            return tuple(x.casefold() for x in value)
    if col.name == "scope" and isinstance(value, str) and value.casefold() == "region":
        return "region"
    return value


def type_table(table: Table, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed copy of one raw table; missing optional columns are added empty, extra ones kept.

    A cell that cannot be converted becomes None and yields a problem naming its row and column.
    Header problems (a required column missing, a column twice) are reported on row 1."""
    problems: list[Problem] = []
    cells: dict[str, list] = {}  # the first column of each name, as plain lists
    for i, name in enumerate(raw.columns):
        if name in cells:
            if name != ROW:
                problems.append(Problem(table.name, 1, name,
                                        "this column appears more than once in the header; keep one"))
            continue
        cells[name] = raw.iloc[:, i].tolist()
    problems = list({(p.column, p.message): p for p in problems}.values())  # one problem per repeated name
    rows = [int(r) for r in cells.pop(ROW)]
    typed: dict[str, list] = {}
    for col in table.columns:
        values = cells.get(col.name)
        if values is None:
            if col.present:
                problems.append(Problem(table.name, 1, col.name, "this required column is missing from the header"))
            values = [""] * len(rows)
            check_empty = False  # one problem for the header, not one per row
        else:
            check_empty = col.nonempty
        out = []
        for r, value in zip(rows, values):
            parsed, err = _parse("" if value is None else str(value), col)
            if err:
                problems.append(Problem(table.name, r, col.name, err))
            elif check_empty and (parsed is None or parsed == ""):
                problems.append(Problem(table.name, r, col.name, "this cell is empty but a value is required"))
            out.append(_normalise(col, parsed))
        typed[col.name] = out
    extra = {c: v for c, v in cells.items() if c not in typed}
    if "topic" in typed:
        extra["topic_key"] = [topic_key(t) for t in typed["topic"]]
    frame = {c: pd.Series(v, dtype=object) for c, v in typed.items()}
    frame.update({c: pd.Series(v, dtype=object) for c, v in extra.items() if c != "topic_key"})
    frame[ROW] = pd.Series(rows, dtype="int64")
    if "topic_key" in extra:
        frame["topic_key"] = pd.Series(extra["topic_key"], dtype=object)
    return pd.DataFrame(frame), problems


def topic_key(topic: object) -> str:
    """A topic as it is compared: trimmed and case-folded."""
    return "" if topic is None else str(topic).strip().casefold()


def empty_table(table: Table) -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(dtype=object) for c in table.column_names})
    df[ROW] = pd.Series(dtype="int64")
    if "topic" in table.column_names:
        df["topic_key"] = pd.Series(dtype=object)
    return df


def read_table(path: str | Path, name: str) -> tuple[pd.DataFrame, list[Problem]]:
    """One contract table read on its own, typed: a CSV file, a workbook's sheet `name`, or
    `name`.csv in a folder. Returns the frame and the problems (unreadable file or cells), never raises."""
    path = Path(path)
    table = TABLES[name]
    if path.is_dir():
        frames, problems = read_raw(path)
        problems = [p for p in problems if p.table == name]
    elif path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        frames, problems = read_raw(path)
        problems = [p for p in problems if p.table in (name, "workbook")]
    elif path.is_file():
        try:
            raw, rows = _read_csv(path)
        except _TableProblem as e:
            return empty_table(table), [Problem(name, e.row, None, e.message)]
        frames, problems = {name: raw}, [Problem(name, r, None, m) for r, m in rows]
    else:
        return empty_table(table), [Problem(name, None, None, f"{path} does not exist")]
    if name not in frames:
        if not problems:
            problems = [Problem(name, None, None, f"{path} holds no {name} table")]
        return empty_table(table), problems
    typed, more = type_table(table, frames[name])
    return typed, problems + more


def load_dataset(path: str | Path, year: int, *, validate: bool = True) -> Dataset:
    """Read, type and (by default) validate a data set for plan year `year`.

    Raises DataError listing every problem (unreadable cells and broken contract rules
    together); returns the typed data with any warnings in ``Dataset.warnings``.
    """
    raw, problems = read_raw(path)
    tables: dict[str, pd.DataFrame] = {}
    for name, table in TABLES.items():
        if name in raw:
            tables[name], p = type_table(table, raw[name])
            problems += p
        else:
            tables[name] = empty_table(table)
    ds = Dataset(tables, str(path))
    # Rules across rows and tables only make sense when every table and column could be read;
    # single unreadable cells are None by now and are skipped by the rules.
    # A table that could not be read at all (encoding, a broken CSV, a cell over the field limit)
    # is one cause: its message alone, not one more for every row of other tables naming it.
    unreadable = {p.table for p in problems if p.table in TABLES and p.table not in raw}
    whole_table = [p for p in problems if p.row is None or p.row == 1 or p.table in unreadable]
    if not validate or whole_table:
        if problems:
            raise DataError(problems)
        return ds
    bad_cells = {(p.table, p.row, p.column) for p in problems}
    problems += [p for p in collect_problems(ds, year) if (p.table, p.row, p.column) not in bad_cells]
    if problems:
        raise DataError(problems)
    ds.warnings = data_warnings(ds, year)
    return ds
