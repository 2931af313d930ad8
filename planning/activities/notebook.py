"""What notebooks/activities.ipynb shows: the activity calendar's steps and its tables and charts.

The notebook only calls these (and ``planning.notebook_api`` for the inputs, the data check and
the annual plan); every figure comes from ``planning.activities``.
"""
from __future__ import annotations

import calendar as pycal
import io
from pathlib import Path

import pandas as pd

from planning.activities.run import ActivitiesResult, run_activities

SUBDIR = "activities"
KINDS = ("talk", "seminar", "exchange")
COLORS = {"talk": "#3b6ea5", "seminar": "#c26b2b", "exchange": "#5a9a5a", "target": "#b03030"}


def plan_folder(ds, run, policy, plan: str | Path | None):
    """The annual plan's folder: `plan` when given (relative to the project root), else the plan
    made now into ``<output>/plan`` (``notebook_api.make_plan``: checked, written)."""
    from planning import notebook_api as nb

    if plan is not None:
        return nb.resolve_path(plan, run.root)
    return nb.make_plan(ds, run, policy).out_dir


def make_activities(ds, run, plan_dir, policy, *, pdf: bool = True, lang: str = "en") -> ActivitiesResult:
    """Pair, schedule, evaluate, check and write into ``<output>/activities``."""
    return run_activities(ds, plan_dir, run.year, Path(run.output) / SUBDIR, policy=policy, pdf=pdf, lang=lang)


def key_figures(res: ActivitiesResult) -> pd.DataFrame:
    s = res.summary
    rows = [("young and reserve cadres paired", f"{s['paired']} of {s['mentees']}"),
            ("leaders mentoring", s["mentors"]),
            ("talks scheduled", f"{s['talks']} of {s['talks_wanted']}"),
            ("seminars", f"{s['seminars']} of {s['seminars_wanted']}"),
            ("end-of-month exchanges", s["exchanges"]),
            ("excused from a collective activity", s["excused"]),
            (f"at the {s['online_target']}-hour online target", f"{s['online_met']} of {s['online_cadres']}"),
            ("low-rated institutions", ", ".join(s["low_rated_institutions"]) or "none")]
    return pd.DataFrame(rows, columns=["figure", "value"]).set_index("figure")


def by_month(res: ActivitiesResult) -> pd.DataFrame:
    """Events of each kind per month (kinds × Jan … Dec)."""
    first = res.events.drop_duplicates("event_id")
    month = first["date"].str[5:7].astype(int)
    data = {pycal.month_abbr[m]: [int(((first["kind"] == k) & (month == m)).sum()) for k in KINDS]
            for m in range(1, 13)}
    return pd.DataFrame(data, index=list(KINDS))


class Chart:
    """An SVG chart that shows itself in a notebook."""

    def __init__(self, svg: str):
        self.svg = svg

    def _repr_svg_(self) -> str:
        return self.svg


def _svg(fig) -> Chart:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return Chart(buf.getvalue())


def month_chart(res: ActivitiesResult) -> Chart:
    """Stacked bars: talks, seminars and exchanges per month."""
    from matplotlib.figure import Figure

    table = by_month(res)
    fig = Figure(figsize=(8, 2.8))
    ax = fig.add_subplot()
    bottom = [0] * 12
    for k in KINDS:
        values = table.loc[k].tolist()
        ax.bar(table.columns, values, bottom=bottom, color=COLORS[k], label=k)
        bottom = [a + b for a, b in zip(bottom, values)]
    ax.set_ylabel("events")
    ax.legend(frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def online_chart(res: ActivitiesResult) -> Chart:
    """Histogram of online hours with the target marked."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 2.6))
    ax = fig.add_subplot()
    ax.hist(res.online["hours"].astype(float), bins=30, color=COLORS["talk"])
    target = float(res.policy["requirement.online_hours"])
    ax.axvline(target, color=COLORS["target"], linestyle="--")
    ax.annotate(f"target {target:g} h", (target, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 4),
                textcoords="offset points", ha="center", color=COLORS["target"])
    ax.set_xlabel("online learning hours in the year")
    ax.set_ylabel("cadres")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def pairs_by_unit(res: ActivitiesResult) -> pd.DataFrame:
    p = res.pairs
    g = p.groupby("mentee_unit", sort=True)
    return pd.DataFrame({"mentees": g.size(), "paired": g["mentor_id"].apply(lambda s: int((s != "").sum())),
                         "mentors": g["mentor_id"].apply(lambda s: s[s != ""].nunique()),
                         "same field": g["same_field"].sum().astype(int)}).rename_axis("unit")


def unpaired(res: ActivitiesResult) -> pd.DataFrame:
    p = res.pairs
    return p.loc[p["mentor_id"] == "", ["mentee_id", "mentee_unit", "mentee_level", "reason"]].reset_index(drop=True)


def unscheduled_summary(res: ActivitiesResult) -> pd.DataFrame:
    """What could not be placed, by kind and period, with one reason each."""
    u = res.unscheduled
    if not len(u):
        return pd.DataFrame(columns=["kind", "period", "count", "example reason"])
    g = u.groupby(["kind", "period"], sort=True)
    return pd.DataFrame({"count": g.size(), "example reason": g["reason"].first()}).reset_index()


def online_by_unit(res: ActivitiesResult) -> pd.DataFrame:
    o = res.online
    g = o.groupby("unit_id", sort=True)
    return pd.DataFrame({"cadres": g.size(), "mean hours": g["hours"].mean().round(1),
                         "at target": g["met"].sum().astype(int),
                         "share at target": (g["met"].mean() * 100).round(1)}).rename_axis("unit")


def scorecards(res: ActivitiesResult) -> pd.DataFrame:
    return res.scorecards.set_index("institution") if len(res.scorecards) else res.scorecards


def trainees_by_level(res: ActivitiesResult) -> pd.DataFrame:
    if not len(res.trainees):
        return pd.DataFrame(columns=["cadres rated", "mean", "lowest", "highest"])
    t = res.trainees.merge(res.data.cadres[["cadre_id", "level"]], on="cadre_id", how="left")
    g = t.groupby("level", sort=True)
    return pd.DataFrame({"cadres rated": g.size(), "mean": g["mean_score"].mean().round(1),
                         "lowest": g["min_score"].min(), "highest": g["max_score"].max()})
