"""pool.xlsx beside the CSV files of `planning assess` and `planning pool select|review|fill`: the
same tables as sheets for the personnel office (headers, stages, changes and levels in Chinese with
--lang zh). Repeatable: fixed document dates, the same inputs give the same bytes."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from planning.pool.words import Words
from planning.report.excel import write_sheet
from planning.simulate.report import fixed_zip_times

NAME = "pool.xlsx"
CODE_COLUMNS = ("stage", "change", "source", "level", "gender", "field", "flags", "missing", "quota", "item")  # in words (zh)


def summary_frame(summary: dict, lang: str = "en") -> pd.DataFrame:
    sep = "；" if lang == "zh" else "; "
    rows = [(k, v) for k, v in summary.items() if not isinstance(v, (list, dict))]
    rows += [(k, sep.join(map(str, v))) for k, v in summary.items() if isinstance(v, list) and v
             and not isinstance(v[0], dict)]
    return pd.DataFrame(rows, columns=["item", "value"]).astype({"value": str})


def write_pool_workbook(folder: Path, year: int, sheets: dict[str, pd.DataFrame], lang: str = "en") -> Path:
    """`folder`/pool.xlsx with one sheet per frame (in order)."""
    wb = Workbook()
    wb.remove(wb.active)
    w = Words(lang)
    for name, frame in sheets.items():
        f = frame.copy()
        if lang == "zh":
            for col in f.columns:
                kind = col if col in CODE_COLUMNS else "value"
                f[col] = [w.code(kind, v) for v in f[col]]
        f = f.astype(object).where(f.notna(), None)
        heads = [w.column(c) for c in f.columns]
        write_sheet(wb, w.sheet(name), f, heads, wrap=("reason", "rule"))
    stamp = dt.datetime(int(year), 1, 1)
    wb.properties.creator = "Cadre Training Planner"
    wb.properties.created = wb.properties.modified = stamp
    out = folder / NAME
    wb.save(out)
    fixed_zip_times(out, (int(year), 1, 1, 0, 0, 0))
    return out
