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
    a["year"] = a["year"].astype(int)
    a["w"] = a["dimension"].map(w).astype(float)
    a["ws"] = a["w"] * a["score"].astype(float)
    out = a.groupby(["cadre_id", "year"], sort=True).agg(ws=("ws", "sum"), w=("w", "sum"),
                                                         dimensions=("dimension", "count")).reset_index()
    out["composite"] = np.where(out["w"] > 0, out["ws"] / out["w"].where(out["w"] > 0, 1.0), np.nan)
    out["missing"] = ""
    gaps = out["dimensions"] < len(DIMENSIONS)
    if gaps.any():
        present = a.groupby(["cadre_id", "year"], sort=True)["dimension"].agg(frozenset)
        keys = list(zip(out.loc[gaps, "cadre_id"], out.loc[gaps, "year"]))
        out.loc[gaps, "missing"] = [";".join(d for d in DIMENSIONS if d not in present[k]) for k in keys]
    return out[cols]


def assess(data: Dataset, year: int, policy: Policy | None = None) -> pd.DataFrame:
    """One row per cadre with an assessment in or before `year` (ASSESS_COLUMNS), the latest assessed
    year of each cadre; sorted by cadre_id. Pure: reads only `data`."""
    policy = policy or default_policy()
    comp = composites(data, policy)
    comp = comp[comp["year"] <= year].sort_values(["cadre_id", "year"]).reset_index(drop=True)
    if comp.empty:
        return pd.DataFrame(columns=ASSESS_COLUMNS)
    low, n_low, n_trend = float(policy["pool.low_score"]), int(policy["pool.low_years"]), int(policy["pool.trend_years"])
    g = comp.groupby("cadre_id", sort=True)
    last = g.tail(1).set_index("cadre_id")
    # low run: assessed years below pool.low_score counted back from the latest
    rev = comp.iloc[::-1]
    below = (rev["composite"] < low).astype(int)
    run = below.groupby(rev["cadre_id"]).cumprod().groupby(rev["cadre_id"]).sum()
    # trend: least-squares slope over the last pool.trend_years assessed years
    tail = g.tail(n_trend)
    x, y = tail["year"].astype(float), tail["composite"].astype(float)
    sums = pd.DataFrame({"n": 1.0, "x": x, "y": y, "xy": x * y, "xx": x * x, "c": tail["cadre_id"]}).groupby("c").sum()
    den = sums["n"] * sums["xx"] - sums["x"] ** 2
    slope = ((sums["n"] * sums["xy"] - sums["x"] * sums["y"]) / den.where(den > 0, 1.0)).where(den > 0, 0.0)
    cad = data.cadres.set_index("cadre_id")
    ids = last.index
    out = pd.DataFrame({"cadre_id": ids, "unit_id": cad["unit_id"].reindex(ids).to_numpy(),
                        "level": cad["level"].reindex(ids).to_numpy(), "year": last["year"].astype(int).to_numpy(),
                        "composite": last["composite"].astype(float).round(2).to_numpy(),
                        "trend": slope.reindex(ids).astype(float).round(2).to_numpy(),
                        "years": g.size().reindex(ids).to_numpy(), "dimensions": last["dimensions"].astype(int).to_numpy(),
                        "missing": last["missing"].to_numpy(), "low_years": run.reindex(ids).astype(int).to_numpy()})
    out["flag_low"] = out["low_years"] >= n_low
    out["flag_missing"] = out["missing"] != ""
    by = out.groupby("level")["composite"]
    out["normalised"] = (by.rank(method="average", pct=True) * 100).round(1)
    sd = by.transform(lambda s: s.std(ddof=0)).replace(0.0, 1.0).fillna(1.0)
    out["z"] = ((out["composite"] - by.transform("mean")) / sd).round(3)
    out["flags"] = [";".join(f for f, on in (("low", a), ("missing", b)) if on)
                    for a, b in zip(out["flag_low"], out["flag_missing"])]
    return out[ASSESS_COLUMNS].reset_index(drop=True)


def score_map(scores: pd.DataFrame, column: str = "composite") -> dict[str, float]:
    return dict(zip(scores["cadre_id"], scores[column].astype(float))) if len(scores) else {}
