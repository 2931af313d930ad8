"""A typed data set (planning.data.load.Dataset) written back in the data contract's format.

The inverse of loading: every table as `<table>.csv` (UTF-8, '\\n' line ends), dates ISO,
booleans true/false, lists joined with ';', numbers as a planner writes them (12, not 12.0).
Extra columns a planner added are kept; the loader's own columns (`_row`, `topic_key`) are not.
Cells are written exactly (no formula guard): the file is planner input, read back as it is.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from planning.data.load import ROW, Dataset
from planning.data.schema import TABLES
from planning.io import num, output_dir

_LOADER_COLUMNS = (ROW, "topic_key")


def cell_text(value: Any) -> str:
    """One typed cell as contract text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return ";".join(str(v) for v in value)
    if isinstance(value, float):
        return "" if math.isnan(value) else str(num(value))
    if isinstance(value, int):
        return str(value)
    return str(value)


def table_text(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The contract's columns of `name` first (in the contract's order), then any extra ones, as text."""
    known = TABLES[name].column_names if name in TABLES else []
    cols = [c for c in known if c in df.columns] + [c for c in df.columns
                                                   if c not in known and c not in _LOADER_COLUMNS]
    return pd.DataFrame({c: [cell_text(v) for v in df[c].tolist()] for c in cols}, columns=cols, dtype=object)


def dataset_text(ds: Dataset) -> dict[str, pd.DataFrame]:
    """Every table worth a file: the required ones always, an optional one when it has rows."""
    return {name: table_text(name, ds.tables[name]) for name, t in TABLES.items()
            if name in ds.tables and (t.required or len(ds.tables[name]))}


def write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> None:
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")


def write_data_set(ds: Dataset, out: str | Path, *, inputs: Iterable[Any] = ()) -> Path:
    """Write `ds` as a folder of CSV files at `out` (planning.io.output_dir: new, empty or planner-written;
    written whole or not at all)."""
    tables = dataset_text(ds)
    with output_dir(out, list(inputs), kind="data set") as tmp:
        write_tables(tables, tmp)
    return Path(out)
