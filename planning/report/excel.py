"""The plan as an Excel workbook for handing out (openpyxl).

Sheets: plan, by cadre, by class, by unit, shortfall, KPIs, policy — each with a bold,
frozen header row, a filter, column widths fitted to the content, dates as real date
cells, and a print setup (A4, the header row repeated on every page, landscape where the
sheet is wide, fitted to the page width). Sheet names, headers and coded values (level,
kind, mode …) are in the report's language (`read_plan_sheet` reads either language).

Every text cell is written as text: a name such as "=SUM(A1)", "+1", "-2" or "@x" is
stored as a string (never a formula) and flagged with Excel's quote prefix, so it stays
text even when someone edits the cell.
"""
from __future__ import annotations

import datetime as dt
import math
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from planning.io import atomic_path
from planning import messages as M
from planning.inyear.words import label_in
from planning.report.content import ReportContent, policy_table, policy_value
from planning.report.kpis import PLAN_COLUMNS, kpi_rows

FORMULA_START = ("=", "+", "-", "@")
DATE_FORMAT = "yyyy-mm-dd"
SHARE_FORMAT = "0.0%"
HEADER_FILL = PatternFill("solid", fgColor="E7EDF4")
HEADER_FONT = Font(bold=True, color="16324F")
SHEETS = ("plan", "by cadre", "by class", "by unit", "shortfall", "KPIs", "policy")  # the keys
SHEET_NAMES = {
    "en": {"plan": "Plan", "by cadre": "By cadre", "by class": "By class", "by unit": "By unit",
           "shortfall": "Shortfall", "KPIs": "Indicators", "policy": "Policy", "changes": "Changes"},
    "zh": {"plan": "培训安排", "by cadre": "干部明细", "by class": "培训班", "by unit": "单位汇总",
           "shortfall": "未达标干部", "KPIs": "主要指标", "policy": "政策参数", "changes": "调整清单"},
}
WIDE_COLUMNS = 8  # a sheet with more columns prints landscape

# English headers (the contract's column names are for machines, not for a reader).
HEADERS_EN = {
    "before": "Before", "after": "Now", "change_reason": "Reason for the change",
    "cadre_id": "Cadre id", "class_id": "Class id", "name": "Name", "unit_id": "Unit id", "unit": "Unit",
    "level": "Level", "activity_id": "Activity id", "title": "Title", "kind": "Kind", "start_date": "Start",
    "end_date": "End", "days": "Days", "hours": "Hours", "groups": "Priority groups", "weight": "Priority weight",
    "measure": "Measured in", "required": "Required", "planned_days": "Planned days",
    "planned_hours": "Planned hours", "met": "Met", "classes": "Classes", "rotation": "Rotation post",
    "topic": "Topic", "mode": "Mode", "institution": "Institution", "window_start": "Window opens",
    "window_end": "Window closes", "status": "Status", "enrolled": "Enrolled", "capacity": "Seats",
    "min_size": "Minimum size", "cost_per_trainee": "Cost per trainee (yuan)", "cost": "Cost (yuan)",
    "district": "District", "headcount": "Cadres", "share": "Share met", "in_class": "Cadres in a class",
    "class_places": "Class places", "rotations": "Cadres on rotation", "shortfall": "Cadres short",
    "peak_absent": "Most away on one day", "peak_date": "Day of the most away", "cap": "Absence cap",
    "planned": "Planned", "reasons": "Reasons", "key": "Key", "indicator": "Indicator", "value": "Value",
    "detail": "Detail", "group": "Group", "setting": "Setting", "default": "Default", "changed": "Changed",
    "meaning": "Meaning",
}

# Chinese headers; English headers are the column keys themselves (the contract's names).
HEADERS_ZH = {
    "before": "原安排", "after": "调整后", "change_reason": "调整原因",
    "cadre_id": "干部编号", "class_id": "班次编号", "name": "姓名", "unit_id": "单位编号", "unit": "单位", "level": "职级",
    "activity_id": "项目编号", "title": "名称", "kind": "类型", "start_date": "开始日期", "end_date": "结束日期",
    "days": "天数", "hours": "学时", "groups": "重点群体", "weight": "优先权重", "measure": "考核口径",
    "required": "要求", "planned_days": "已安排天数", "planned_hours": "已安排学时", "met": "达标",
    "classes": "培训班", "rotation": "挂职岗位", "topic": "主题", "mode": "方式", "institution": "承办机构",
    "window_start": "可选时段开始", "window_end": "可选时段结束", "status": "状态", "enrolled": "报名人数",
    "capacity": "名额", "min_size": "最低开班人数", "cost_per_trainee": "人均费用", "cost": "费用",
    "district": "地区", "headcount": "人数", "share": "达标比例", "in_class": "参加培训人数",
    "class_places": "培训人次", "rotations": "挂职人数", "shortfall": "未达标人数", "peak_absent": "单日最多离岗",
    "peak_date": "最多离岗日期", "cap": "离岗上限", "planned": "已安排", "reasons": "原因", "key": "代码",
    "indicator": "指标", "value": "数值", "detail": "说明", "group": "类别", "setting": "参数", "default": "默认值",
    "changed": "已调整", "meaning": "含义",
}
# Which column holds which kind of code (translated into the workbook's language).
CODED = {"level": "level", "kind": "kind", "mode": "mode", "status": "status", "measure": "measure",
         "direction": "direction", "category": "category"}


# --------------------------------------------------------------------------- cells
def safe_text(value: str) -> str:
    """Text without the control characters an .xlsx file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def put(ws, row: int, col: int, value, number_format: str | None = None):
    """Write one cell; text is always text, even when it starts like a formula."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return cell
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        value = value.date() if getattr(value, "time", lambda: dt.time(0))() == dt.time(0) else value
    if isinstance(value, str):
        value = safe_text(value)
        cell.value = value
        cell.data_type = "s"  # openpyxl would turn "=…" into a formula
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (int, float)):
        cell.value = value
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, (list, tuple)):
        return put(ws, row, col, "; ".join(str(v) for v in value), number_format)
    else:
        return put(ws, row, col, str(value), number_format)
    if number_format:
        cell.number_format = number_format
    return cell


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float):
        return min(len(f"{value:,.2f}"), 14)
    s = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


NUMBER = "number"  # a format chosen from the column: "#,##0" when every value is whole, else "#,##0.0"


def number_format(values) -> str:
    """ "#,##0" for a column of whole numbers, "#,##0.0" otherwise (never "0.##", which prints "6.")."""
    for v in values:
        if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
            f = float(v)
            if math.isfinite(f) and not f.is_integer():
                return "#,##0.0"
    return "#,##0"


def print_setup(ws, n_cols: int, title: str) -> None:
    """A4, the header row on every printed page, landscape for a wide sheet, fitted to the page width."""
    ws.print_title_rows = "1:1"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if n_cols > WIDE_COLUMNS else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.oddHeader.center.text = safe_text(title)
    ws.oddFooter.right.text = "&P / &N"


def write_sheet(wb: Workbook, name: str, frame: pd.DataFrame, headers: list[str],
                formats: dict[str, str] | None = None, wrap: tuple[str, ...] = (), title: str = "") -> None:
    """One sheet: header row (bold, frozen, filtered), then the frame's rows."""
    ws = wb.create_sheet(name)
    formats = {k: (number_format(frame[k]) if v == NUMBER else v) for k, v in (formats or {}).items()
               if k in frame.columns}
    cols = list(frame.columns)
    for j, h in enumerate(headers, start=1):
        c = put(ws, 1, j, h)
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        c.alignment = Alignment(vertical="center")
    widths = [_width(h) + 2 for h in headers]
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, (key, v) in enumerate(zip(cols, row), start=1):
            put(ws, i, j, v, formats.get(key))
            if i < 2000:
                widths[j - 1] = max(widths[j - 1], _width(v) + 1)
    for j, key in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(8, min(widths[j - 1], 60 if key in wrap else 45))
        if key in wrap:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2" if cols and cols[0] in ("cadre_id", "class_id", "unit_id") else "A2"
    if len(frame):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(frame) + 1}"
    ws.sheet_view.zoomScale = 100
    print_setup(ws, len(cols), f"{title} · {name}" if title else name)


# --------------------------------------------------------------------------- sheets
def _headers(keys: list[str], lang: str) -> list[str]:
    return [(HEADERS_ZH if lang == "zh" else HEADERS_EN).get(k, k) for k in keys]


def _coded(frame: pd.DataFrame, c: ReportContent) -> pd.DataFrame:
    out = frame.copy()
    for col, kind in CODED.items():
        if col in out.columns:
            out[col] = [c.labels.code(kind, v) if isinstance(v, str) else v for v in out[col]]
    return out


def plan_frame(c: ReportContent) -> pd.DataFrame:
    plan = c.files.plan
    info = c.ds.cadres.set_index("cadre_id")
    unit = plan["cadre_id"].map(info["unit_id"]).fillna("")
    df = pd.DataFrame({
        "cadre_id": plan["cadre_id"], "name": plan["cadre_id"].map(c.name),
        "unit_id": unit, "unit": unit.map(c.unit_name), "level": plan["cadre_id"].map(info["level"]).fillna(""),
        "activity_id": plan["activity_id"], "title": plan["activity_id"].map(lambda a: c.activity_titles.get(a, "")),
        "kind": plan["kind"], "start_date": plan["start_date"], "end_date": plan["end_date"],
        "days": plan["days"], "hours": plan["hours"],
    })
    return df


def cadre_frame(c: ReportContent) -> pd.DataFrame:
    plan = c.files.plan
    sep = "；" if c.lang == "zh" else "; "
    classes = plan[plan["kind"] == "class"].groupby("cadre_id")["activity_id"].apply(
        lambda s: sep.join(c.activity_titles.get(a, a) for a in s))
    rot = plan[plan["kind"] == "rotation"].groupby("cadre_id")["activity_id"].apply(
        lambda s: sep.join(c.activity_titles.get(a, a) for a in s))
    d = c.cadres
    return pd.DataFrame({
        "cadre_id": d["cadre_id"], "name": d["cadre_id"].map(c.name), "unit_id": d["unit_id"],
        "unit": d["unit_id"].map(c.unit_name), "level": d["level"],
        "groups": [", ".join(c.labels.code("group", g) for g in gs) for gs in d["groups"]],
        "weight": d["weight"], "measure": d["measure"], "required": d["required"],
        "planned_days": d["planned_days"], "planned_hours": d["planned_hours"], "met": d["met"].astype(bool),
        "classes": d["cadre_id"].map(classes).fillna(""), "rotation": d["cadre_id"].map(rot).fillna(""),
    })


def class_frame(c: ReportContent) -> pd.DataFrame:
    keys = ["class_id", "title", "topic", "mode", "institution", "start_date", "end_date", "window_start",
            "window_end", "status", "enrolled", "capacity", "min_size", "days", "hours", "cost_per_trainee", "cost"]
    return c.classes[keys].copy()


def unit_frame(c: ReportContent) -> pd.DataFrame:
    keys = ["unit_id", "name", "district", "headcount", "met", "share", "in_class", "class_places", "rotations",
            "shortfall", "peak_absent", "peak_date", "cap"]
    return c.units[keys].rename(columns={"name": "unit"})


def shortfall_frame(c: ReportContent) -> pd.DataFrame:
    sf = c.files.shortfall
    info = c.ds.cadres.set_index("cadre_id")
    return pd.DataFrame({
        "cadre_id": sf["cadre_id"], "name": sf["cadre_id"].map(c.name), "unit_id": sf["unit_id"],
        "unit": sf["unit_id"].map(c.unit_name), "level": sf["cadre_id"].map(info["level"]).fillna(""),
        "measure": sf["measure"], "required": sf["required"], "planned": sf["planned"],
        "reasons": [c.text(r) for r in (sf["reasons_zh"] if c.lang == "zh" and "reasons_zh" in sf.columns
                                         and sf["reasons_zh"].astype(str).str.strip().all() else sf["reasons"])],
    })


_KPI_LABEL = {
    "cadres": "kpi_cadres", "requirement_met_share": "kpi_met_overall", "overdue_covered": "kpi_overdue",
    "overdue_total": "kpi_overdue_total", "rotations_filled": "kpi_rotations", "rotation_slots": "kpi_rotation_slots",
    "classes_running": "kpi_classes_running", "classes_cancelled": "kpi_classes_cancelled", "seats_used": "kpi_seats",
    "seats_offered": "kpi_seats_offered", "cost": "kpi_cost", "budget": "kpi_budget", "status": "kpi_status",
    "gap": "kpi_gap", "solver": "kpi_solver", "solve_seconds": "kpi_solve_time_s", "objective": "kpi_objective",
    "best_bound": "kpi_best_bound", "greedy_met_share": "kpi_greedy", "weighted_coverage": "kpi_weighted",
}


def kpi_frame(c: ReportContent) -> pd.DataFrame:
    L = c.labels
    rows = kpi_rows(c.headline)
    names = []
    for k in rows["key"]:
        if k.startswith("met_by_level."):
            names.append(f"{L['kpi_met']} · {L.code('level', k.split('.', 1)[1])}")
        elif k.startswith("met_by_group."):
            names.append(f"{L['kpi_met']} · {L.code('group', k.split('.', 1)[1])}")
        else:
            names.append(L[_KPI_LABEL[k]] if k in _KPI_LABEL else k)
    values = [M.status_short(c.headline, c.lang) if k == "status" else
              M.solver_name(v, c.lang) if k == "solver" and isinstance(v, str) else v
              for k, v in zip(rows["key"], rows["value"])]
    return pd.DataFrame({"key": rows["key"], "indicator": names, "value": values, "detail": rows["detail"]})


def policy_frame(c: ReportContent) -> pd.DataFrame:
    t = policy_table(c.policy, c.labels)
    val = lambda v: ("; ".join(map(str, v)) if isinstance(v, (list, tuple))  # noqa: E731
                     else policy_value(v, c.labels) if c.lang == "zh" and isinstance(v, str) else v)
    return pd.DataFrame({"group": t["group_label"], "setting": t["key"], "value": [val(v) for v in t["value"]],
                         "default": [val(v) for v in t["default"]], "changed": t["changed"].astype(bool),
                         "meaning": t["meaning"]})


def changes_frame(c: ReportContent) -> pd.DataFrame:
    """A re-plan's changes (changes.csv) with each cadre's name and unit, the reason in the workbook's language."""
    ch = c.changes
    units = dict(zip(c.ds.cadres["cadre_id"], c.ds.cadres["unit_id"]))
    col = f"reason_{c.lang}" if f"reason_{c.lang}" in ch.columns else "reason"  # by code, in the workbook's language
    return pd.DataFrame({"cadre_id": ch["cadre_id"], "name": [c.name(x) for x in ch["cadre_id"]],
                         "unit_id": [units.get(x, "") for x in ch["cadre_id"]],
                         "before": [label_in(x, c.lang) for x in ch["before"]],
                         "after": [label_in(x, c.lang) for x in ch["after"]],
                         "change_reason": [c.text(r) for r in ch[col]]})


def write_workbook(c: ReportContent, out: str | Path) -> Path:
    """Write the workbook atomically; returns `out`."""
    wb = Workbook()
    wb.remove(wb.active)
    lang = c.lang
    N = NUMBER
    sheets = [
        ("plan", _coded(plan_frame(c), c), {"days": N, "hours": N}, ()),
        ("by cadre", _coded(cadre_frame(c), c), {"required": N, "planned_days": N,
                                                  "planned_hours": N, "weight": N}, ("classes",)),
        ("by class", _coded(class_frame(c), c), {"cost_per_trainee": "#,##0", "cost": "#,##0", "days": N,
                                                  "hours": N, "enrolled": N, "capacity": N, "min_size": N}, ()),
        ("by unit", unit_frame(c), {"share": SHARE_FORMAT}, ()),
        ("shortfall", _coded(shortfall_frame(c), c), {"required": N, "planned": N}, ("reasons",)),
        ("KPIs", kpi_frame(c), {}, ()),
        ("policy", policy_frame(c), {}, ("meaning",)),
    ]
    if c.changes is not None and len(c.changes):
        sheets.append(("changes", changes_frame(c), {}, ("change_reason",)))
    names = SHEET_NAMES.get(lang, SHEET_NAMES["en"])
    for key, frame, formats, wrap in sheets:
        write_sheet(wb, names.get(key, key), frame, _headers(list(frame.columns), lang), formats, wrap,
                    title=f"{c.title} {c.year}")
    ws = wb[names["KPIs"]]
    for row in ws.iter_rows(min_row=2):
        key = row[0].value or ""
        if key.endswith("share") or key.startswith("met_by_") or key in ("gap", "weighted_coverage"):
            row[2].number_format = SHARE_FORMAT if key != "gap" else "0.00%"
        elif key in ("cost", "budget"):
            row[2].number_format = "#,##0"
        elif key == "solve_seconds":
            row[2].number_format = "0.0"
        elif key in ("objective", "best_bound"):
            row[2].number_format = "#,##0.0"
        elif isinstance(row[2].value, (int, float)) and not isinstance(row[2].value, bool):
            row[2].number_format = "#,##0"
    wb.properties.creator = "Cadre Training Planner"
    wb.properties.title = f"{c.title} {c.year}"
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return Path(out)


# --------------------------------------------------------------------------- reading back
def read_plan_sheet(path: str | Path) -> pd.DataFrame:
    """The plan sheet of a workbook written here, as plan.csv's columns (either language)."""
    from planning.report.labels import CODES

    from planning.bounded import check_workbook

    check_workbook(path)
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = next((n for n in ("plan", *(names["plan"] for names in SHEET_NAMES.values())) if n in wb.sheetnames),
                     wb.sheetnames[0])
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    back = {v: k for k, v in HEADERS_ZH.items()}
    back.update({v: k for k, v in HEADERS_EN.items()})
    header = [back.get(h, h) for h in rows[0]]
    df = pd.DataFrame(rows[1:], columns=header)
    kinds = {v: k for lang in CODES["kind"].values() for k, v in lang.items()}
    df["kind"] = df["kind"].map(lambda v: kinds.get(v, v))
    for col in ("start_date", "end_date"):
        df[col] = df[col].map(lambda v: v.date() if isinstance(v, dt.datetime) else v)
    for col in ("days", "hours"):
        df[col] = df[col].astype(float)
    return df[PLAN_COLUMNS]
