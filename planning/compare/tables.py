"""The comparison's numbers, read from each plan folder: KPI table with deltas, assignment diff."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from planning.io import read_plan_csv
from planning.pipeline import GROUPS, LEVEL_ORDER

# (key in the comparison, label, format): keys with a dot are read from summary.json's nested maps;
# the absence figures (ABSENCE_KPIS) are derived from plan.csv, policy.yaml and the (edited) data set.
KPIS: list[tuple[str, str, str]] = [
    ("status", "Solve status", "text"),
    ("gap", "Optimality gap", "pct2"),
    ("requirement_met_share", "Requirement met (all cadres)", "pct"),
    ("requirement_met", "Cadres meeting the requirement", "int"),
    *[(f"met_by_level.{lv}", f"Met · {lv.replace('_', ' ')}", "pct") for lv in LEVEL_ORDER],
    *[(f"met_by_group.{g}", f"Met · {g.replace('_', ' ')}", "pct") for g in GROUPS],
    ("overdue_total", "Overdue cadres", "int"),
    ("overdue_covered", "Overdue cadres given a class", "int"),
    ("rotation_slots", "Rotation slots", "int"),
    ("rotations_filled", "Rotations filled", "int"),
    ("classes_running", "Classes running", "int"),
    ("classes_cancelled", "Classes cancelled", "int"),
    ("seats_offered", "Seats offered", "int"),
    ("seats_used", "Seats used", "int"),
    ("cost", "Class cost (yuan)", "money"),
    ("budget", "Budget (yuan)", "money"),
    ("peak_unit_absence", "Peak unit absence (most of one unit away on a day)", "pct"),
    ("mean_unit_peak_absence", "Unit peak absence, mean over units", "pct"),
    ("units_at_cap", "Units at their absence cap on some day", "int"),
    ("solve_seconds", "Solve time (s)", "float"),
]
ABSENCE_KPIS = ("peak_unit_absence", "mean_unit_peak_absence", "units_at_cap")
KPI_LABELS = {k: label for k, label, _ in KPIS}
KPI_FORMATS = {k: f for k, _, f in KPIS}


def read_summary(folder: str | Path) -> dict:
    p = Path(folder) / "summary.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else {"status": "error"}


def summary_value(summary: dict, key: str):
    """A KPI from summary.json (``met_by_level.staff`` reads the nested map)."""
    head, _, tail = key.partition(".")
    v = summary.get(head)
    if tail:
        v = (v or {}).get(tail)
    return v


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not (isinstance(v, float) and math.isnan(v))


def comparison_table(summaries: dict[str, dict], extra: dict[str, dict] | None = None,
                     base: str = "base") -> pd.DataFrame:
    """KPI rows × (each scenario's value, then Δ against `base` for every other scenario).

    `summaries` maps scenario name → its summary.json (base first); `extra` adds derived KPIs."""
    extra = extra or {}
    names = list(summaries)
    rows = []
    for key, label, _ in KPIS:
        row = {"kpi": key, "label": label}
        for n in names:
            v = extra.get(n, {}).get(key) if key in extra.get(n, {}) else summary_value(summaries[n], key)
            row[n] = v
        b = row.get(base)
        for n in names:
            if n == base:
                continue
            v = row[n]
            row[f"Δ {n}"] = (round(v - b, 10) if _is_num(v) and _is_num(b) else None)
        if all(row[n] is None for n in names):
            continue
        rows.append(row)
    return pd.DataFrame(rows).set_index("kpi")


def _read(folder: Path, name: str, columns: list[str]) -> pd.DataFrame:
    p = folder / name
    if not p.exists():
        return pd.DataFrame(columns=columns)
    return read_plan_csv(p)


def plan_and_coverage(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = Path(folder)
    plan = _read(folder, "plan.csv", ["cadre_id", "activity_id", "kind"])
    cov = _read(folder, "coverage.csv", ["cadre_id", "unit_id", "level", "met"])
    if len(cov):
        cov["met"] = cov["met"].str.casefold().isin({"true", "1", "yes"})
    return plan, cov


def assignment_diff(base_plan: pd.DataFrame, base_cov: pd.DataFrame, plan: pd.DataFrame,
                    cov: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """How a scenario's plan differs from the baseline, per cadre.

    Returns counts (cadres changing classes, changing rotation, gaining / losing the requirement)
    and one row per cadre whose classes, rotation or requirement status changed."""
    def acts(p: pd.DataFrame, kind: str) -> dict[str, tuple]:
        p = p[p["kind"] == kind]
        return {c: tuple(sorted(g["activity_id"])) for c, g in p.groupby("cadre_id")}

    bc, sc = acts(base_plan, "class"), acts(plan, "class")
    br, sr = acts(base_plan, "rotation"), acts(plan, "rotation")
    bmet = dict(zip(base_cov["cadre_id"], base_cov["met"]))
    smet = dict(zip(cov["cadre_id"], cov["met"]))
    info = {c: (u, lv) for c, u, lv in zip(cov["cadre_id"], cov["unit_id"], cov["level"])}
    info.update({c: (u, lv) for c, u, lv in zip(base_cov["cadre_id"], base_cov["unit_id"], base_cov["level"])
                 if c not in info})
    cadres = sorted(set(bmet) | set(smet) | set(bc) | set(sc) | set(br) | set(sr))
    rows = []
    for c in cadres:
        b_cls, s_cls = bc.get(c, ()), sc.get(c, ())
        b_rot, s_rot = br.get(c, ()), sr.get(c, ())
        bm, sm = bool(bmet.get(c, False)), bool(smet.get(c, False))
        if b_cls == s_cls and b_rot == s_rot and bm == sm:
            continue
        change = "gains the requirement" if sm and not bm else "loses the requirement" if bm and not sm else \
            "changes classes" if b_cls != s_cls else "changes rotation"
        unit, level = info.get(c, ("", ""))
        rows.append({"cadre_id": c, "unit_id": unit, "level": level, "change": change,
                     "baseline classes": "; ".join(b_cls), "scenario classes": "; ".join(s_cls),
                     "classes added": "; ".join(sorted(set(s_cls) - set(b_cls))),
                     "classes dropped": "; ".join(sorted(set(b_cls) - set(s_cls))),
                     "baseline rotation": "; ".join(b_rot), "scenario rotation": "; ".join(s_rot),
                     "met in baseline": bm, "met in scenario": sm})
    changes = pd.DataFrame(rows, columns=["cadre_id", "unit_id", "level", "change", "baseline classes",
                                          "scenario classes", "classes added", "classes dropped",
                                          "baseline rotation", "scenario rotation", "met in baseline",
                                          "met in scenario"])
    counts = {
        "cadres_changing_classes": int(sum(1 for c in cadres if bc.get(c, ()) != sc.get(c, ()))),
        "cadres_changing_rotation": int(sum(1 for c in cadres if br.get(c, ()) != sr.get(c, ()))),
        "gain_requirement": int(((changes["change"] == "gains the requirement")).sum()),
        "lose_requirement": int(((changes["change"] == "loses the requirement")).sum()),
    }
    counts["net_requirement"] = counts["gain_requirement"] - counts["lose_requirement"]
    return counts, changes


def absence_kpis(folder: str | Path, ds, year: int) -> dict:
    """Unit absence from plan.csv: the most of any unit away on one day (share of its headcount),
    the mean over units of each unit's peak share, and how many units reach their cap."""
    from planning.policy import load_policy
    from planning.report.kpis import read_plan_dir, unit_absence, unit_caps

    folder = Path(folder)
    none = {k: None for k in ABSENCE_KPIS}
    if not (folder / "plan.csv").exists():
        return none
    files = read_plan_dir(folder)
    daily = unit_absence(files, ds, year)
    if daily.empty:
        return {"peak_unit_absence": 0.0, "mean_unit_peak_absence": 0.0, "units_at_cap": 0}
    head = ds.cadres.groupby("unit_id").size().reindex(daily.index).fillna(0)
    peak = daily.max(axis=1)
    share = (peak / head.where(head > 0)).dropna()
    pol = load_policy(folder / "policy.yaml") if (folder / "policy.yaml").exists() else load_policy()
    caps = unit_caps(ds, pol).reindex(daily.index)
    return {"peak_unit_absence": round(float(share.max()), 6) if len(share) else 0.0,
            "mean_unit_peak_absence": round(float(share.mean()), 6) if len(share) else 0.0,
            "units_at_cap": int((peak >= caps).sum())}
