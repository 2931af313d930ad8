"""Derived facts per cadre, one small function each, then gathered in `cadre_facts`.

All rules take their numbers from the policy; docstrings state the rule in words.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from planning.policy import Policy

DIVISION = "division"
FACT_COLUMNS = ["cadre_id", "unit_id", "level", "age", "young", "reserve", "key_post", "newly_promoted", "overdue",
                "last_class_year", "measure", "required_days", "required_hours", "prior_division_hours",
                "has_requirement", "rotation_direction", "topics_taken", "weight"]


def age(birth_year: int, year: int) -> int:
    """Age reached in the plan year."""
    return year - int(birth_year)


def is_young(birth_year: int, year: int, policy: Policy) -> bool:
    """Young cadre: age in the plan year at most ``people.young_max_age`` (35)."""
    return age(birth_year, year) <= policy["people.young_max_age"]


def is_newly_promoted(promoted_on: dt.date | None, year: int, policy: Policy) -> bool:
    """Newly promoted: last promotion on or after 1 January of the year before the plan year
    (``people.newly_promoted_years`` = 1)."""
    if promoted_on is None or not isinstance(promoted_on, dt.date) or pd.isna(promoted_on):
        return False
    if isinstance(promoted_on, dt.datetime):
        promoted_on = promoted_on.date()
    return promoted_on >= dt.date(year - int(policy["people.newly_promoted_years"]), 1, 1)


def class_history(history: pd.DataFrame) -> pd.DataFrame:
    """Only the history rows of kind ``class`` (rotations and online learning do not count)."""
    mask = [str(k or "").strip().casefold() == "class" for k in history["kind"]]
    return history[pd.Series(mask, index=history.index, dtype=bool)]


def prior_class_hours(history: pd.DataFrame, year: int, policy: Policy) -> dict[str, float]:
    """Class hours per cadre in the ``division_years - 1`` (4) years before the plan year;
    older history and rows of another kind are ignored, empty hours count as 0."""
    h = class_history(history)
    years = pd.to_numeric(h["year"], errors="coerce")
    first = year - (int(policy["requirement.division_years"]) - 1)
    recent = h[(years >= first) & (years < year)]
    hours = pd.to_numeric(recent["hours"], errors="coerce").fillna(0.0)
    return {k: float(v) for k, v in hours.groupby(recent["cadre_id"]).sum().items()}


def last_class_years(history: pd.DataFrame) -> dict[str, int]:
    """The latest year in which each cadre took a class."""
    h = class_history(history)
    years = pd.to_numeric(h["year"], errors="coerce")
    return {k: int(v) for k, v in years.groupby(h["cadre_id"]).max().dropna().items()}


def is_overdue(cadre_id: str, last_class_year: dict[str, int], year: int, policy: Policy) -> bool:
    """Overdue on the five-year cycle: no class in the last ``general_cycle_years - 1`` years,
    so this plan year is the last in which the cycle can still be kept."""
    last = last_class_year.get(cadre_id)
    return last is None or last < year - (int(policy["requirement.general_cycle_years"]) - 1)


def division_required_hours(prior_hours: float, policy: Policy) -> float:
    """Division level: class hours still needed this year so that the last
    ``division_years`` years hold ``division_hours`` (550): max(0, 550 - hours of the 4 previous years)."""
    return max(0.0, float(policy["requirement.division_hours"]) - float(prior_hours))


def requirement(level: str, prior_division_hours: float, policy: Policy) -> tuple[str, float, float]:
    """(measure, required days, required hours) of the year.

    Below division level: met with >= ``annual_days`` class days or >= ``annual_hours`` class
    hours (measure: days). Division level: ``division_required_hours`` (measure: hours)."""
    if level == DIVISION:
        return "hours", 0.0, division_required_hours(prior_division_hours, policy)
    return "days", float(policy["requirement.annual_days"]), float(policy["requirement.annual_hours"])


def rotation_direction(grassroots_years: float, policy: Policy) -> str:
    """Long grassroots experience -> a post in a higher-level organ; else a frontline post."""
    return "higher_level" if grassroots_years >= policy["rotation.grassroots_threshold_years"] else "grassroots"


def priority_weight(overdue: bool, reserve: bool, young: bool, newly_promoted: bool, key_post: bool, policy: Policy) -> float:
    """Weight = base + the bonus of every priority group the cadre belongs to."""
    w = policy["priority.base"]
    for flag, key in ((overdue, "overdue"), (reserve, "reserve"), (young, "young"),
                      (newly_promoted, "newly_promoted"), (key_post, "key_post")):
        if flag:
            w += policy[f"priority.{key}"]
    return float(w)


def topics_taken(history: pd.DataFrame) -> dict[str, frozenset[str]]:
    """Topics each cadre has already taken in a class (compared case-insensitively)."""
    h = class_history(history)
    keys = h["topic_key"] if "topic_key" in h.columns else h["topic"]
    out: dict[str, set[str]] = {}
    for cid, t in zip(h["cadre_id"], (str(k or "").strip().casefold() for k in keys)):
        if t:
            out.setdefault(cid, set()).add(t)
    return {k: frozenset(v) for k, v in out.items()}


def _flag(value: object) -> bool:
    """A yes/no cell; empty (None / NaN) means no."""
    return False if value is None or (isinstance(value, float) and value != value) else bool(value)


def cadre_facts(cadres: pd.DataFrame, history: pd.DataFrame, year: int, policy: Policy) -> pd.DataFrame:
    """One row per cadre (index cadre_id) with every derived fact the planner uses."""
    last_class = last_class_years(history)
    prior_hours = prior_class_hours(history, year, policy)
    taken = topics_taken(history)
    rows = []
    for r in cadres.to_dict("records"):
        cid = r["cadre_id"]
        young = is_young(r["birth_year"], year, policy)
        newly = is_newly_promoted(r.get("promoted_on"), year, policy)
        overdue = is_overdue(cid, last_class, year, policy)
        reserve, key_post = _flag(r.get("is_reserve")), _flag(r.get("is_key_post"))
        measure, req_days, req_hours = requirement(r["level"], prior_hours.get(cid, 0.0), policy)
        rows.append({
            "cadre_id": cid, "unit_id": r["unit_id"], "level": r["level"],
            "age": age(r["birth_year"], year), "young": young, "reserve": reserve,
            "key_post": key_post, "newly_promoted": newly, "overdue": overdue,
            "last_class_year": last_class.get(cid), "measure": measure,
            "required_days": req_days, "required_hours": req_hours,
            "prior_division_hours": float(prior_hours.get(cid, 0.0)) if r["level"] == DIVISION else 0.0,
            "has_requirement": (req_hours > 0) if measure == "hours" else True,
            "rotation_direction": rotation_direction(r["grassroots_years"], policy),
            "topics_taken": taken.get(cid, frozenset()),
            "weight": priority_weight(overdue, reserve, young, newly, key_post, policy),
        })
    return pd.DataFrame(rows, columns=FACT_COLUMNS).set_index("cadre_id", drop=False)


def priority_groups(facts: pd.DataFrame) -> dict[str, pd.Series]:
    """Boolean masks of the priority groups, in order of precedence."""
    return {"overdue": facts["overdue"], "reserve": facts["reserve"], "young": facts["young"],
            "newly_promoted": facts["newly_promoted"], "key_post": facts["key_post"]}
