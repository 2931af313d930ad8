"""pool.xlsx beside the CSV files of `planning assess` and `planning pool select|review|fill`: the
same tables as sheets for the personnel office (headers, stages, changes and levels in Chinese with
--lang zh). Repeatable: fixed document dates, the same inputs give the same bytes."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from planning.pool.words import FIELD_ZH, LEVEL_ZH
from planning.report.excel import write_sheet
from planning.simulate.report import fixed_zip_times

NAME = "pool.xlsx"
HEADERS_ZH = {
    "cadre_id": "干部编号", "source": "来源", "vote_share": "得票率", "exam_score": "考试成绩",
    "assessment_score": "考核得分", "composite": "综合得分", "rank": "排名", "stage": "止步环节", "reason": "原因",
    "unit_id": "单位", "level": "层级", "gender": "性别", "field": "专业领域", "age": "年龄",
    "change": "调整", "vacancy_id": "空缺职位", "from_pool": "来自后备库", "year": "考核年度", "normalised": "层级内百分位",
    "z": "标准分", "trend": "年均变化", "years": "考核年数", "dimensions": "维度数", "missing": "缺少维度",
    "low_years": "连续偏低年数", "flag_low": "偏低标记", "flag_missing": "缺项标记", "flags": "标记",
    "item": "项目", "value": "数值", "quota": "结构要求", "rule": "规则", "sense": "方向", "need": "要求人数",
    "chosen": "实际人数",
}
CODES_ZH = {
    "stage": {"exam": "推荐/考试", "inspection": "考察", "selected": "入选", "structure": "结构比例"},
    "change": {"leave": "出库", "join": "入库", "stay": "留库"},
    "source": {"recommendation": "民主推荐", "selection_passed": "选拔合格未任用", "assessment_found": "考核发现"},
    "level": LEVEL_ZH,
    "gender": {"F": "女", "M": "男"},
    "field": FIELD_ZH,
}
SHEETS_ZH = {"summary": "概要", "quotas": "结构要求", "ranking": "排名", "inspection": "考察名单", "selected": "入选名单",
             "changes": "调整名单", "appointments": "任用", "scores": "考核得分"}


def summary_frame(summary: dict) -> pd.DataFrame:
    rows = [(k, v) for k, v in summary.items() if not isinstance(v, (list, dict))]
    rows += [(k, "; ".join(map(str, v))) for k, v in summary.items() if isinstance(v, list) and v
             and not isinstance(v[0], dict)]
    return pd.DataFrame(rows, columns=["item", "value"]).astype({"value": str})


def write_pool_workbook(folder: Path, year: int, sheets: dict[str, pd.DataFrame], lang: str = "en") -> Path:
    """`folder`/pool.xlsx with one sheet per frame (in order)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        f = frame.copy()
        if lang == "zh":
            for col, codes in CODES_ZH.items():
                if col in f.columns:
                    f[col] = [codes.get(v, v) if isinstance(v, str) else v for v in f[col]]
        f = f.astype(object).where(f.notna(), None)
        heads = [HEADERS_ZH.get(c, c) for c in f.columns] if lang == "zh" else list(f.columns)
        write_sheet(wb, SHEETS_ZH.get(name, name) if lang == "zh" else name, f, heads, wrap=("reason", "rule"))
    stamp = dt.datetime(int(year), 1, 1)
    wb.properties.creator = "Cadre Training Planner"
    wb.properties.created = wb.properties.modified = stamp
    out = folder / NAME
    wb.save(out)
    fixed_zip_times(out, (int(year), 1, 1, 0, 0, 0))
    return out
