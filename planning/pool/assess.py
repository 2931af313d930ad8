"""The quantitative assessment (DATA_CONTRACT "assessments"): composite score per cadre and year,
normalised within level, trend over years, flags.

composite(cadre, year) = Σ w_d × score_d / Σ w_d over the dimensions d present (w = pool.weight_<d>).
normalised = the composite's percentile within the cadre's level (0 … 100; ties share the mean rank),
z = (composite − level mean) / level sd, so units and levels compare.
trend = least-squares slope (points a year) over the last pool.trend_years assessed years.
Flags: `low` — composite below pool.low_score in each of the last pool.low_years assessed years
(the last of them the assessed year); `missing` — dimensions without a score that year.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from planning.data.dataset import Dataset
from planning.data.schema import DIMENSIONS
from planning.policy import Policy, default_policy

ASSESS_COLUMNS = ["cadre_id", "unit_id", "level", "year", "composite", "normalised", "z", "trend", "years",
                  "dimensions", "missing", "low_years", "flag_low", "flag_missing", "flags"]


WEIGHT_KEYS = {"task_objectives": "pool.weight_task_objectives", "daily_performance": "pool.weight_daily_performance",
               "collective_activities": "pool.weight_collective_activities",
               "learning_ability": "pool.weight_learning_ability", "urgent_tasks": "pool.weight_urgent_tasks",
               "democratic_appraisal": "pool.weight_democratic_appraisal",
               "others_comments": "pool.weight_others_comments"}
assert tuple(WEIGHT_KEYS) == DIMENSIONS


def weights(policy: Policy) -> dict[str, float]:
    return {d: float(policy[WEIGHT_KEYS[d]]) for d in DIMENSIONS}


def composites(data: Dataset, policy: Policy | None = None) -> pd.DataFrame:
    """Every cadre-year with a score: cadre_id, year, composite, dimensions (count), missing (';'-list)."""
    policy = policy or default_policy()
    a = data.tables.get("assessments")
    cols = ["cadre_id", "year", "composite", "dimensions", "missing"]
    if a is None or a.empty:
        return pd.DataFrame(columns=cols)
    w = weights(policy)
    a = a[["cadre_id", "year", "dimension", "score"]].copy()
    a["w"] = a["dimension"].map(w).astype(float)
    a["ws"] = a["w"] * a["score"].astype(float)
    g = a.groupby(["cadre_id", "year"], sort=True)
    out = g.agg(ws=("ws", "sum"), w=("w", "sum"), dimensions=("dimension", "count"),
                present=("dimension", lambda s: frozenset(s))).reset_index()
    out["composite"] = np.where(out["w"] > 0, out["ws"] / out["w"].where(out["w"] > 0, 1.0), np.nan)
    out["missing"] = [";".join(d for d in DIMENSIONS if d not in p) for p in out["present"]]
    out["year"] = out["year"].astype(int)
    return out[cols]


def _slope(years: np.ndarray, values: np.ndarray) -> float:
    if len(years) < 2:
        return 0.0
    x = years - years.mean()
    return float((x * (values - values.mean())).sum() / (x * x).sum())


def assess(data: Dataset, year: int, policy: Policy | None = None) -> pd.DataFrame:
    """One row per cadre with an assessment in or before `year` (ASSESS_COLUMNS), the latest assessed
    year of each cadre; sorted by cadre_id. Pure: reads only `data`."""
    policy = policy or default_policy()
    comp = composites(data, policy)
    comp = comp[comp["year"] <= year]
    if comp.empty:
        return pd.DataFrame(columns=ASSESS_COLUMNS)
    cad = data.cadres.set_index("cadre_id")
    low, n_low, n_trend = float(policy["pool.low_score"]), int(policy["pool.low_years"]), int(policy["pool.trend_years"])
    rows = []
    for cid, g in comp.groupby("cadre_id", sort=True):
        g = g.sort_values("year")
        last = g.iloc[-1]
        tail = g.tail(n_trend)
        run = 0
        for v in g["composite"].to_numpy()[::-1]:
            if v < low:
                run += 1
            else:
                break
        rows.append({"cadre_id": cid, "unit_id": cad.at[cid, "unit_id"], "level": cad.at[cid, "level"],
                     "year": int(last["year"]), "composite": round(float(last["composite"]), 2),
                     "trend": round(_slope(tail["year"].to_numpy(float), tail["composite"].to_numpy(float)), 2),
                     "years": len(g), "dimensions": int(last["dimensions"]), "missing": last["missing"],
                     "low_years": run, "flag_low": run >= n_low, "flag_missing": bool(last["missing"])})
    out = pd.DataFrame(rows)
    by = out.groupby("level")["composite"]
    out["normalised"] = (by.rank(method="average", pct=True) * 100).round(1)
    sd = by.transform(lambda s: s.std(ddof=0)).replace(0.0, 1.0).fillna(1.0)
    out["z"] = ((out["composite"] - by.transform("mean")) / sd).round(3)
    out["flags"] = [";".join(f for f, on in (("low", a), ("missing", b)) if on)
                    for a, b in zip(out["flag_low"], out["flag_missing"])]
    return out[ASSESS_COLUMNS].reset_index(drop=True)


def score_map(scores: pd.DataFrame, column: str = "composite") -> dict[str, float]:
    return dict(zip(scores["cadre_id"], scores[column].astype(float))) if len(scores) else {}
