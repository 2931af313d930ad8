"""Online learning hours and the two-way evaluation of training, as plain functions on a data set.

- ``online_hours``: each cadre's online hours of a year against ``requirement.online_hours``
  (70). A cadre-year's hours come from the ``online`` table when it has rows for that
  cadre and year, else from ``history`` rows of kind ``online`` (never both: no double count).
- ``trainee_rating_summary``: what classes said of each trainee (for the growth file).
- ``institution_scorecards``: per institution, the trainees' course ratings — mean, spread,
  response rate, trend, comments — and whether it is low-rated (mean below
  ``activities.low_rating`` with at least ``activities.min_ratings`` ratings).
- ``low_rated_institutions``: the names a scenario's drop_low_rated / shrink_low_rated acts on.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from planning.data.load import Dataset
from planning.facts import class_history
from planning.policy import Policy

ONLINE_COLUMNS = ["cadre_id", "unit_id", "level", "year", "hours", "target", "share", "met", "source"]
TRAINEE_COLUMNS = ["cadre_id", "ratings", "mean_score", "min_score", "max_score", "latest_year", "latest_score"]
SCORECARD_COLUMNS = ["institution", "classes", "ratings", "trainees", "response_rate", "mean", "spread", "trend",
                     "latest_year", "latest_mean", "comments", "low_rated", "sample_comments"]
UNKNOWN = "(institution unknown)"


def online_hours(ds: Dataset, year: int, policy: Policy) -> pd.DataFrame:
    """One row per cadre (ONLINE_COLUMNS): online hours of `year`, the target, the share of it
    done, whether it is met, and where the hours came from (``online``, ``history`` or ``none``)."""
    table: dict[str, float] = defaultdict(float)
    o = ds.online
    for c, y, h in zip(o["cadre_id"], o["year"], o["hours"]):
        if y == year and h is not None:
            table[c] += float(h)
    hist: dict[str, float] = defaultdict(float)
    h = ds.history
    for c, y, k, hrs in zip(h["cadre_id"], h["year"], h["kind"], h["hours"]):
        if k == "online" and y == year and hrs is not None and not pd.isna(hrs):
            hist[c] += float(hrs)
    target = float(policy["requirement.online_hours"])
    rows = []
    for c, u, lv in zip(ds.cadres["cadre_id"], ds.cadres["unit_id"], ds.cadres["level"]):
        if c in table:
            hours, source = table[c], "online"
        elif c in hist:
            hours, source = hist[c], "history"
        else:
            hours, source = 0.0, "none"
        rows.append({"cadre_id": c, "unit_id": u, "level": lv, "year": year, "hours": hours, "target": target,
                     "share": round(hours / target, 3) if target > 0 else 1.0, "met": hours >= target, "source": source})
    return pd.DataFrame(rows, columns=ONLINE_COLUMNS)


def trainee_rating_summary(ds: Dataset) -> pd.DataFrame:
    """One row per rated cadre (TRAINEE_COLUMNS): how many classes rated them, mean, lowest,
    highest, and the latest year's mean (rows without a year count as the latest)."""
    t = ds.trainee_ratings
    if not len(t):
        return pd.DataFrame(columns=TRAINEE_COLUMNS)
    df = pd.DataFrame({"cadre_id": t["cadre_id"], "score": t["score"].astype(float),
                       "year": [int(y) if y is not None and not pd.isna(y) else np.iinfo(np.int32).max
                                for y in t["year"]]})
    rows = []
    for c, g in df.groupby("cadre_id", sort=True):
        latest = int(g["year"].max())
        last = g[g["year"] == latest]
        rows.append({"cadre_id": c, "ratings": len(g), "mean_score": round(float(g["score"].mean()), 2),
                     "min_score": float(g["score"].min()), "max_score": float(g["score"].max()),
                     "latest_year": None if latest == np.iinfo(np.int32).max else latest,
                     "latest_score": round(float(last["score"].mean()), 2)})
    return pd.DataFrame(rows, columns=TRAINEE_COLUMNS)


def rated_classes(ds: Dataset, year: int) -> pd.DataFrame:
    """course_ratings with each rating's institution and year resolved: the row's own columns first,
    else this year's classes table (year = plan year), else the history row of that class (its year)."""
    r = ds.course_ratings
    inst_now = {c: (i or "") for c, i in zip(ds.classes["class_id"], ds.classes["institution"])}
    hist_year = {}
    for a, y in zip(ds.history["activity_id"], ds.history["year"]):
        if a:
            hist_year.setdefault(a, y)
    insts, years = [], []
    for cid, inst, y in zip(r["class_id"], r["institution"], r["year"]):
        insts.append(inst or inst_now.get(cid) or UNKNOWN)
        if y is not None and not pd.isna(y):
            years.append(int(y))
        else:
            years.append(year if cid in inst_now else hist_year.get(cid))
    return pd.DataFrame({"class_id": r["class_id"], "cadre_id": r["cadre_id"], "score": r["score"].astype(float),
                         "comment": r["comment"].fillna("") if len(r) else r["comment"], "institution": insts,
                         "year": years})


def _trainees(ds: Dataset, classes: set[str]) -> dict[str, set[str]]:
    """Class → its trainees known from history (class rows) and the trainee ratings."""
    out: dict[str, set[str]] = defaultdict(set)
    h = class_history(ds.history)
    for c, a in zip(h["cadre_id"], h["activity_id"]):
        if a in classes:
            out[a].add(c)
    for c, a in zip(ds.trainee_ratings["cadre_id"], ds.trainee_ratings["class_id"]):
        if a in classes:
            out[a].add(c)
    return out


def institution_scorecards(ds: Dataset, year: int, policy: Policy, *, samples: int = 3) -> pd.DataFrame:
    """One row per institution with ratings (SCORECARD_COLUMNS), lowest mean first.

    response_rate = ratings / trainees of the rated classes (trainees known from history and
    the trainee ratings; empty when none are known); spread = standard deviation of the scores;
    trend = mean of the latest rated year − mean of the year before (empty with one year)."""
    r = rated_classes(ds, year)
    if not len(r):
        return pd.DataFrame(columns=SCORECARD_COLUMNS)
    trainees = _trainees(ds, set(r["class_id"]))
    rows = []
    for inst, g in r.groupby("institution", sort=True):
        known = sum(len(trainees.get(c, ())) for c in g["class_id"].unique())
        by_year = g.dropna(subset=["year"]).groupby("year")["score"].mean().sort_index()
        trend = float(by_year.iloc[-1] - by_year.iloc[-2]) if len(by_year) >= 2 else None
        comments = [c for c in g.sort_values(["year", "class_id", "cadre_id"])["comment"] if c]
        mean = float(g["score"].mean())
        rows.append({
            "institution": inst, "classes": int(g["class_id"].nunique()), "ratings": len(g), "trainees": known,
            "response_rate": round(min(1.0, len(g) / known), 3) if known else None,
            "mean": round(mean, 2), "spread": round(float(g["score"].std(ddof=0)), 2),
            "trend": None if trend is None else round(trend, 2),
            "latest_year": int(by_year.index[-1]) if len(by_year) else None,
            "latest_mean": round(float(by_year.iloc[-1]), 2) if len(by_year) else None,
            "comments": len(comments),
            "low_rated": bool(mean < policy["activities.low_rating"] and len(g) >= policy["activities.min_ratings"]),
            "sample_comments": " | ".join(_distinct(comments[::-1], samples)),
        })
    return pd.DataFrame(rows, columns=SCORECARD_COLUMNS).sort_values(["mean", "institution"]).reset_index(drop=True)


def _distinct(items: list[str], n: int) -> list[str]:
    out: list[str] = []
    for x in items:
        if x not in out:
            out.append(x)
        if len(out) == n:
            break
    return out


def course_scores(ds: Dataset, year: int) -> pd.DataFrame:
    """One row per rated class: institution, year, ratings, mean score."""
    r = rated_classes(ds, year)
    if not len(r):
        return pd.DataFrame(columns=["class_id", "institution", "year", "ratings", "mean"])
    g = r.groupby(["class_id", "institution"], sort=True)
    out = g.agg(year=("year", "max"), ratings=("score", "size"), mean=("score", "mean")).reset_index()
    out["mean"] = out["mean"].round(2)
    return out


def low_rated_institutions(ds: Dataset, year: int, policy: Policy, *, below: float | None = None,
                           min_ratings: int | None = None) -> list[str]:
    """Institutions whose mean course score is below `below` (default activities.low_rating) with
    at least `min_ratings` ratings (default activities.min_ratings), by name."""
    pol = policy
    if below is not None or min_ratings is not None:
        pol = policy.with_overrides({k: v for k, v in {"activities.low_rating": below,
                                                        "activities.min_ratings": min_ratings}.items() if v is not None})
    cards = institution_scorecards(ds, year, pol)
    return sorted(cards.loc[cards["low_rated"].astype(bool), "institution"]) if len(cards) else []
