"""What the notebooks call: each step of a notebook is one function here, so that a
notebook holds only its parameters, these calls and their display.

    import planning.notebook_api as nb
    run = nb.resolve_inputs(data, year, policy=policy, scenario=scenario, district=district, output=output)
    pol = nb.load_run_policy(run, solver=solver, time_limit=time_limit)
    ds = nb.load_data(run)                      # problems shown as a table, then the run fails
    result = nb.make_plan(ds, run, pol)         # plan files written to <output>/plan, checked
    view = nb.plan_view(result, lang=lang)
    nb.kpi_table(view); nb.calendar_chart(view); nb.absence_chart(view); nb.coverage_chart(view)
    nb.shortfall_table(view)
    nb.write_handouts(view, run, lang=lang)     # <output>/plan.xlsx and <output>/plan.pdf

Paths: a relative path given to a notebook is read from the project root, wherever the
kernel runs (papermill and nbval start it in the notebook's folder): the folder named by
the ``PLANNING_ROOT`` environment variable, else the nearest folder at or above the
working directory that holds ``pyproject.toml``, else the working directory.

A step that meets bad input shows the problems as a table and then raises the planner's
own error (DataError, PolicyError, InfeasiblePlan), so an executed notebook — and the
batch run around it — fails with the reason on screen.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from planning.errors import DataError, InfeasiblePlan, PolicyError
from planning.scenarios import load_scenario

ROOT_ENV = "PLANNING_ROOT"
ROOT_MARKER = "pyproject.toml"
PLAN_SUBDIR = "plan"  # the contract's plan files, inside the output folder
WORKBOOK_NAME = "plan.xlsx"
REPORT_NAME = "plan.pdf"
DATA_CHECK_NAME = "data_check.json"
BASE_SCENARIO = "base"
WHOLE_DATA_SET = "all"


# --------------------------------------------------------------------------- paths
def project_root(start: str | Path | None = None) -> Path:
    """The folder relative paths are read from (see the module docstring)."""
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).expanduser().resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ROOT_MARKER).is_file():
            return folder
    return here


def resolve_path(path: str | Path | None, root: Path | None = None) -> Path | None:
    """An absolute path; a relative one is read from the project root. None stays None."""
    if path is None or str(path).strip() == "":
        return None
    p = Path(str(path)).expanduser()
    return p if p.is_absolute() else (root or project_root()) / p


@dataclass(frozen=True)
class RunInputs:
    """One notebook run's inputs with every path absolute."""

    data: Path
    year: int
    policy: Path | None
    scenario: Path | None
    district: str | None
    output: Path
    root: Path

    @property
    def scenario_name(self) -> str:
        """The scenario's ``name:`` if its file gives one, else the file's stem; "base" without a file."""
        if self.scenario is None:
            return BASE_SCENARIO
        return load_scenario(self.scenario).name

    @property
    def plan_dir(self) -> Path:
        return self.output / PLAN_SUBDIR

    def table(self) -> pd.DataFrame:
        """The run as a small table, to show at the top of a notebook."""
        rows = [("data set", self.data), ("year", self.year), ("district", self.district or "all districts"),
                ("scenario", self.scenario_name if self.scenario is None else f"{self.scenario_name} ({self.scenario})"),
                ("policy file", self.policy or "default policy"), ("output folder", self.output)]
        return pd.DataFrame([(k, str(v)) for k, v in rows], columns=["input", "value"]).set_index("input")


def resolve_inputs(data: str | Path, year: int, *, policy: str | Path | None = None,
                   scenario: str | Path | None = None, district: str | None = None,
                   output: str | Path = "reports/notebooks") -> RunInputs:
    """The notebook's parameters as absolute paths (relative ones read from the project root)."""
    root = project_root()
    district = str(district).strip() if district is not None and str(district).strip() else None
    if district == WHOLE_DATA_SET:
        district = None
    return RunInputs(data=resolve_path(data, root), year=int(year), policy=resolve_path(policy, root),
                     scenario=resolve_path(scenario, root), district=district, output=resolve_path(output, root),
                     root=root)


# --------------------------------------------------------------------------- showing problems
def _display(obj: Any) -> None:
    try:
        from IPython.display import display
    except ImportError:  # called from plain Python: print instead
        print(obj)
        return
    display(obj)


def problem_table(err: Exception) -> pd.DataFrame:
    """The problems an error carries, one row each, in words a planner reads."""
    if isinstance(err, DataError):
        return pd.DataFrame([{"table": p.table, "row": "" if p.row is None else p.row, "column": p.column or "",
                              "problem": p.message} for p in err.problems],
                            columns=["table", "row", "column", "problem"])
    if isinstance(err, PolicyError):
        return pd.DataFrame({"file": err.source, "problem": err.messages}, columns=["file", "problem"])
    if isinstance(err, InfeasiblePlan):
        return pd.DataFrame({"rules in conflict": err.diagnosis})
    return pd.DataFrame({"problem": [str(err)]})


def doc_lang(ds, lang: str | None = None) -> str:
    """The notebook's language: `lang` when given ("en" or "zh"), else the data's (Chinese names: "zh")."""
    from planning.messages import LANGS, data_lang

    if lang in LANGS:
        return lang
    if lang is not None:
        raise ValueError(f"lang must be one of {', '.join(LANGS)} or None, not {lang!r}")
    return data_lang(list(ds.cadres["name"]) + list(ds.units["name"]))


def warning_table(ds, lang: str = "en") -> pd.DataFrame:
    """The data set's warnings (the plan is still made) as a table; empty when there are none.
    The warning in `lang` (by its code)."""
    from planning.messages import note_text

    return pd.DataFrame([{"table": p.table, "row": "" if p.row is None else p.row, "column": p.column or "",
                          "warning": note_text({"code": p.code, "values": p.values}, lang) if p.code else p.message}
                         for p in ds.warnings],
                        columns=["table", "row", "column", "warning"])


class _ShowProblems:
    """Show the problems of the planner's errors as a table before letting the error through."""

    def __init__(self, heading: str):
        self.heading = heading

    def __enter__(self):
        return self

    def __exit__(self, kind, err, tb):
        if isinstance(err, (DataError, PolicyError, InfeasiblePlan)):
            _display(Note(f"{self.heading}: {len(problem_table(err))} problem(s). The run stops here.", "error"))
            _display(problem_table(err))
        return False


# --------------------------------------------------------------------------- inputs
def load_run_policy(run: RunInputs, *, solver: str | None = None, time_limit: float | None = None):
    """The policy in force: defaults, then the policy file, then the scenario's ``policy:``
    settings, then the notebook's solver and time limit (None keeps the policy's value)."""
    from planning.policy import load_policy

    with _ShowProblems("The policy cannot be used"):
        pol = load_policy(run.policy)
        if run.scenario is not None:
            pol = load_scenario(run.scenario).apply_policy(pol)
        extra = {k: v for k, v in {"solver.name": solver, "solver.time_limit": time_limit}.items() if v is not None}
        return pol.with_overrides(extra, "notebook parameters") if extra else pol


def load_data(run: RunInputs):
    """The data set checked against the data contract, with the scenario's data edits applied
    (to a copy: the files are never changed), narrowed to the district if one is given.
    On problems: shows them as a table and raises DataError (or the scenario's PolicyError)."""
    from planning.data.load import load_dataset
    from planning.pipeline import filter_district
    from planning.policy import load_policy
    from planning.scenarios import apply_scenario

    with _ShowProblems("The data set breaks the data contract"):
        ds = load_dataset(run.data, run.year)
    if run.scenario is not None:
        with _ShowProblems("The scenario cannot be applied"):
            ds, _ = apply_scenario(ds, load_scenario(run.scenario), run.year, load_policy(run.policy))
    with _ShowProblems("The data set breaks the data contract"):
        return filter_district(ds, run.district)


# --------------------------------------------------------------------------- the data at a glance
def data_overview(ds, year: int) -> pd.DataFrame:
    """How much of everything the data set holds."""
    c, k, r = ds.cadres, ds.classes, ds.rotations
    rows = [
        ("districts", ds.units["district"].nunique()), ("units", len(ds.units)), ("cadres", len(c)),
        ("classes offered", len(k)), ("… with a date window", int(k["start_date"].isna().sum())),
        ("class seats", int(k["capacity"].sum()) if len(k) else 0),
        ("class seat-days", round(float((k["capacity"] * k["days"]).sum()), 1) if len(k) else 0),
        ("rotation posts", len(r)), ("rotation slots", int(r["slots"].sum()) if len(r) else 0),
        ("blackouts", len(ds.blackouts)), ("busy periods", len(ds.busy)), ("history rows", len(ds.history)),
        ("pins", len(ds.pins)), ("extra holidays", len(ds.holidays)), ("warnings", len(ds.warnings)),
    ]
    return pd.DataFrame(rows, columns=["item", str(year)]).set_index("item")


def cadres_by_level(ds) -> pd.DataFrame:
    """Cadres by district (rows) and level (columns), with totals."""
    from planning.data.schema import LEVELS

    district = ds.cadres["unit_id"].map(dict(zip(ds.units["unit_id"], ds.units["district"])))
    t = pd.crosstab(district.rename("district"), ds.cadres["level"].rename("level"), margins=True, margins_name="total")
    order = [lv for lv in LEVELS if lv in t.columns] + [c for c in t.columns if c not in LEVELS]
    return t[order]


def requirement_table(ds, year: int, policy) -> pd.DataFrame:
    """By level: cadres, priority groups, and what the year's requirement asks of them."""
    from planning.data.schema import LEVELS
    from planning.facts import cadre_facts

    f = cadre_facts(ds.cadres, ds.history, year, policy)
    groups = ("overdue", "reserve", "young", "newly_promoted", "key_post")
    rows = []
    for lv in [lv for lv in LEVELS if (f["level"] == lv).any()]:
        sub = f[f["level"] == lv]
        by_hours = sub["measure"] == "hours"
        rows.append({"level": lv, "cadres": len(sub), **{g: int(sub[g].sum()) for g in groups},
                     "measure": "hours" if by_hours.all() else "days",
                     "required days": round(float(sub.loc[~by_hours, "required_days"].sum()), 1),
                     "required hours": round(float(sub.loc[by_hours, "required_hours"].sum()), 1)})
    return pd.DataFrame(rows).set_index("level")


def supply_and_demand(ds, year: int, policy) -> pd.DataFrame:
    """Seat-days offered against seat-days needed: a ratio near or below 1 means a tight year."""
    from planning.data.generate import tightness

    t = tightness(ds, year, policy)
    return pd.DataFrame([(k, round(v, 3) if isinstance(v, float) else v) for k, v in t.items()],
                        columns=["figure", "value"]).set_index("figure")


def blackout_table(ds) -> pd.DataFrame:
    """Key-work periods: when, for whom, why — in order of date."""
    units = dict(zip(ds.units["unit_id"], ds.units["name"]))
    b = ds.blackouts.sort_values(["start_date", "scope"])
    return pd.DataFrame({"from": b["start_date"], "to": b["end_date"],
                         "for": [("everyone" if s == "region" else units.get(s, s)) for s in b["scope"]],
                         "reason": b["reason"]}).reset_index(drop=True)


def write_data_check(ds, run: RunInputs, policy) -> Path:
    """The data check's figures as ``data_check.json`` in the output folder (for batch tables)."""
    from planning.io import atomic_file

    figures = {"year": run.year, "data": str(run.data), "district": run.district,
               "overview": {k: _plain(v) for k, v in data_overview(ds, run.year)[str(run.year)].items()},
               "supply_and_demand": {k: _plain(v) for k, v in supply_and_demand(ds, run.year, policy)["value"].items()},
               "warnings": [str(w) for w in ds.warnings]}
    return atomic_file(run.output / DATA_CHECK_NAME, json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


def _plain(v):
    if hasattr(v, "item"):
        v = v.item()
    return v


# --------------------------------------------------------------------------- planning
def make_plan(ds, run: RunInputs, policy, *, msg: bool = False):
    """Plan the year and write the contract's plan files (checked by the independent checker)
    to ``<output>/plan``. Hard rules in conflict: shows them as a table and raises."""
    from planning.pipeline import run_plan

    with _ShowProblems("No plan can respect every hard rule"):
        return run_plan(ds, run.year, run.plan_dir, policy=policy, district=run.district,
                        scenario=run.scenario_name, msg=msg)


def plan_status(result) -> "Note":
    """One sentence on how the solver finished (a time limit is reported honestly)."""
    from planning.messages import status_line

    s = result.summary
    text = (f"{status_line(s, 'en')} "
            f"{s['requirement_met']} of {s['cadres']} cadres meet the requirement "
            f"({s['requirement_met_share']:.1%}; a simple greedy plan reaches {s['greedy_met_share']:.1%}). "
            f"The plan passed the independent check and is written to {result.out_dir}.")
    return Note(text, "warning" if s["status"] not in ("optimal", "feasible") else "info")


def plan_view(result_or_dir, data=None, year: int | None = None, *, policy=None, lang: str = "en"):
    """Everything the KPI tables and charts show, gathered once from the written plan
    (``planning.report.content.gather``): a PlanResult, or a plan folder with its data and year."""
    from planning.report.content import gather

    if hasattr(result_or_dir, "out_dir"):
        r = result_or_dir
        return gather(r.out_dir, r.data, r.summary["year"], lang=lang, policy=r.policy)
    return gather(result_or_dir, data, year, lang=lang, policy=policy)


_SHARES = ("requirement_met_share", "greedy_met_share", "weighted_coverage")


def kpi_table(view):
    """The headline figures in the report's words and number formats, one row each
    ("Optimality gap 1.6%", counts as whole numbers, money in yuan, time in seconds)."""
    from planning.report import formatting as F
    from planning.report.excel import kpi_frame

    k = kpi_frame(view)
    L = view.labels
    values = []
    for key, v in zip(k["key"], k["value"]):
        if key in _SHARES or key.startswith(("met_by_level.", "met_by_group.")):
            values.append(F.share(v))
        elif key == "gap":
            values.append(F.share(v, 1 if (v or 0) >= 0.001 else 2))
        elif key in ("cost", "budget"):
            values.append(F.money(v, L["money_fmt"]))
        elif key == "solve_seconds":
            values.append(F.number(v, 1))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            values.append(F.number(v, 1))
        else:
            values.append(F.DASH if v is None else str(v))
    out = pd.DataFrame({L["kpi_indicator"]: k["indicator"], L["kpi_value"]: values,
                        L["kpi_detail"]: [d if isinstance(d, str) and d else "" for d in k["detail"]]})
    return show_table(out.set_index(L["kpi_indicator"]))


def show_table(frame: pd.DataFrame):
    """A table shown whole in a notebook: every row, every cell's full text, whole numbers
    without ".0", "–" for a missing value (a pandas Styler; its `.data` is the frame)."""
    def cell(v):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "–"
        if isinstance(v, float):
            return f"{int(v):,}" if v.is_integer() else f"{v:,.1f}"
        if isinstance(v, bool):
            return "✓" if v else "✗"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)
    styler = frame.style.format(cell, na_rep="–")
    return styler.set_table_styles([{"selector": "td", "props": "text-align: left; white-space: normal;"}])


# --------------------------------------------------------------------------- charts
class Charts:
    """One or more charts, shown one under the other in a notebook: PNG images (the chart
    functions here draw inside ``charts.png_output()``) as image outputs, so that they show in
    any notebook viewer; an SVG string (from other rooms) as HTML."""

    def __init__(self, svgs: list, caption: str = ""):
        self.svgs = [s for s in svgs if s]
        self.caption = caption

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, Image, Markdown, display

        if self.caption:
            display(Markdown(f"*{self.caption}*"))
        for s in self.svgs:
            display(Image(data=s, format="png") if isinstance(s, bytes) else HTML(f'<div style="max-width:100%">{s}</div>'))

    def _repr_html_(self) -> str:
        import base64

        cap = f"<p><em>{html.escape(self.caption)}</em></p>" if self.caption else ""
        return cap + "".join(
            f'<img style="max-width:100%" src="data:image/png;base64,{base64.b64encode(s).decode()}">'
            if isinstance(s, bytes) else f'<div style="max-width:100%">{s}</div>' for s in self.svgs)

    def __len__(self) -> int:
        return len(self.svgs)


def _families(view) -> list[str]:
    from planning.report import fonts

    return fonts.matplotlib_families(view.cjk)


def calendar_rows(classes: pd.DataFrame, rotations: pd.DataFrame | None = None) -> list:
    """The calendar's rows: each class (its dates, or its window when still to be placed) and
    each rotation post, labelled with id and title, noted with places taken / offered."""
    from planning.report import charts

    rows = []
    ct = dict(zip(classes["class_id"], charts.distinct_labels([str(t or "") for t in classes["title"]], 58)))
    pt = ({} if rotations is None else
          dict(zip(rotations["post_id"], charts.distinct_labels([str(t or "") for t in rotations["title"]], 58))))
    for r in classes.to_dict("records"):
        label = f"{r['class_id']}  {ct[r['class_id']]}"
        ws, we = r.get("window_start"), r.get("window_end")
        window = (ws, we) if _is_date(ws) and _is_date(we) else None
        start, end = r.get("start_date"), r.get("end_date")
        dated = _is_date(start) and _is_date(end)
        enrolled = r.get("enrolled")
        note = f"{int(enrolled)}/{int(r['capacity'])}" if enrolled is not None and not _nan(enrolled) else f"{int(r['capacity'])} seats"
        if r.get("status") == "cancelled":
            rows.append(charts.CalendarRow(label, "cancelled", [(start, end)] if dated else [], window, note))
        elif not dated:
            rows.append(charts.CalendarRow(label, "class", [], window, note))
        elif r["mode"] == "weekend":
            rows.append(charts.CalendarRow(label, "weekend", charts.weekend_segments(start, end), window, note))
        else:
            rows.append(charts.CalendarRow(label, "class", [(start, end)], window, note))
    for r in ([] if rotations is None else rotations.to_dict("records")):
        label = f"{r['post_id']}  {pt[r['post_id']]}"
        filled = r.get("filled")
        note = f"{int(filled)}/{int(r['slots'])}" if filled is not None and not _nan(filled) else f"{int(r['slots'])} slots"
        rows.append(charts.CalendarRow(label, "rotation", [(r["start_date"], r["end_date"])], None, note))
    return rows


def _is_date(v) -> bool:
    return isinstance(v, dt.date)


def _nan(v) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _region_blackouts(ds) -> list[tuple[dt.date, dt.date]]:
    b = ds.blackouts
    return [(s, e) for s, e, scope in zip(b["start_date"], b["end_date"], b["scope"]) if scope == "region"]


def calendar_chart(view) -> Charts:
    """Classes and rotations over the year, statutory holidays and region blackouts shaded."""
    from planning.report import charts

    with charts.png_output():
        svgs = charts.calendar_charts(calendar_rows(view.classes, view.rotations), view.year, view.holidays,
                                      _region_blackouts(view.ds), view.labels, _families(view))
    return Charts(svgs, "Classes (places taken / offered) and rotation posts; holidays and region blackouts shaded.")


def offer_calendar(ds, year: int, *, lang: str = "en") -> Charts:
    """The training offer as the data set states it (before any plan): fixed dates and windows."""
    from planning.calendar import public_holidays
    from planning.report import charts, fonts
    from planning.report.labels import Labels

    offer = ds.classes.copy()
    rot = ds.rotations.copy()
    key = [(s or w or dt.date.max) for s, w in zip(offer["start_date"], offer["window_start"])]
    offer = offer.assign(_k=key).sort_values(["_k", "class_id"]).drop(columns="_k")
    offer = offer.assign(start_date=offer["start_date"].where(offer["start_date"].notna(), None),
                         end_date=offer["end_date"].where(offer["end_date"].notna(), None))
    with charts.png_output():
        svgs = charts.calendar_charts(calendar_rows(offer, rot), year, public_holidays(year, ds.holidays),
                                      _region_blackouts(ds), Labels(lang), fonts.matplotlib_families(fonts.find_cjk_font()))
    return Charts(svgs, "The offer: fixed classes, date windows (dashed), rotation posts; holidays and region "
                        "blackouts shaded.")


def absence_chart(view) -> Charts:
    """Units × weeks: the most cadres away on one day of the week, as a share of the unit's cap."""
    from planning.report import charts, kpis

    weekly = kpis.weekly_peak(view.daily_absence)
    district = dict(zip(view.ds.units["unit_id"], view.ds.units["district"].fillna("").astype(str)))
    weekly = weekly.loc[sorted(weekly.index, key=lambda u: (district.get(u, ""), view.unit_name(u), u))]
    labels = {u: view.labels.fmt("heat_unit", name=charts.clip(view.unit_name(u), 30), cap=int(view.caps.get(u, 0)))
              for u in weekly.index}
    with charts.png_output():
        svgs = charts.absence_heatmaps(weekly, view.caps, labels, view.year, view.labels, _families(view), district)
    return Charts(svgs, view.labels["absence_lead"])


def coverage_chart(view) -> Charts:
    """Share of cadres meeting the requirement, by level and by priority group."""
    from planning.report import charts

    L = view.labels
    by_level = [(L.code("level", r.level), r.cadres, r.met, r.share) for r in view.by_level.itertuples()]
    by_group = [(L.code("group", r.group), r.cadres, r.met, r.share) for r in view.by_group.itertuples()]
    overall = view.headline.get("requirement_met_share")
    overall = math.nan if overall is None else float(overall)
    with charts.png_output():
        svg = charts.coverage_chart(by_level, by_group, overall, L, _families(view))
    return Charts([svg], L["coverage_lead"])


# --------------------------------------------------------------------------- tables of the plan
def shortfall_frame(view) -> pd.DataFrame:
    """Every cadre whose requirement is not met, with the reasons in words (the workbook's sheet)."""
    from planning.report.excel import _coded, _headers, shortfall_frame as sheet

    f = _coded(sheet(view), view)
    f.columns = _headers(list(f.columns), view.lang)
    return f


def shortfall_table(view):
    """The shortfall shown whole: every cadre, every reason in full, counts as whole numbers."""
    f = shortfall_frame(view)
    return show_table(f.set_index(f.columns[0]))


def unit_table(view):
    """By unit, in district order: headcount, requirement met, places, rotations, peak absence against the cap."""
    from planning.report import formatting as F
    from planning.report.excel import _headers, unit_frame

    u = unit_frame(view).sort_values(["district", "unit", "unit_id"], kind="stable")
    u["share"] = u["share"].map(F.share)
    u.columns = _headers(list(u.columns), view.lang)
    return show_table(u.set_index(u.columns[0]))


# --------------------------------------------------------------------------- handouts
def write_handouts(view, run: RunInputs, *, lang: str = "en") -> pd.DataFrame:
    """The Excel workbook and the PDF report beside the plan files; returns every output file."""
    from planning.report import build_report, build_workbook

    plan_dir, ds, pol = view.files.directory, view.ds, view.policy
    build_workbook(plan_dir, ds, run.year, run.output / WORKBOOK_NAME, lang=lang, policy=pol)
    build_report(plan_dir, ds, run.year, run.output / REPORT_NAME, lang=lang, policy=pol)
    return output_files(run.output)


def output_files(folder: str | Path) -> pd.DataFrame:
    """The files under `folder` (hidden ones left out) with their sizes."""
    folder = Path(folder)
    rows = [{"file": str(p.relative_to(folder)), "bytes": p.stat().st_size}
            for p in sorted(folder.rglob("*")) if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    return pd.DataFrame(rows, columns=["file", "bytes"])


# --------------------------------------------------------------------------- small display
class Note:
    """A line of text shown in a coloured box in a notebook (plain text elsewhere)."""

    _COLORS = {"info": "#e8f0fe", "warning": "#fff4ce", "error": "#fde7e9"}

    def __init__(self, text: str, kind: str = "info"):
        self.text, self.kind = text, kind

    def _repr_html_(self) -> str:
        return (f'<div style="background:{self._COLORS.get(self.kind, "#eee")};padding:6px 10px;'
                f'border-radius:4px">{html.escape(self.text)}</div>')

    def __repr__(self) -> str:
        return self.text
