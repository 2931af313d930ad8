"""The recipe of `planning activities`: load → pair → schedule → evaluate → check → write."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from planning.activities.availability import Availability, read_plan
from planning.activities.evaluation import (course_scores, institution_scorecards, online_hours,
                                            trainee_rating_summary)
from planning.activities.export import timezone
from planning.activities.pairing import solve_pairing
from planning.activities.schedule import build_schedule
from planning.activities.words import Words
from planning.data.load import Dataset, load_dataset
from planning.errors import PlanningError
from planning.io import atomic_dir, check_output_target, hold_output, num, write_csv, write_json
from planning.pipeline import filter_district
from planning.policy import Policy, load_policy


@dataclass
class ActivitiesResult:
    """The activity calendar of a year and the evaluation figures, as frames."""

    pairs: pd.DataFrame
    events: pd.DataFrame
    unscheduled: pd.DataFrame
    online: pd.DataFrame
    scorecards: pd.DataFrame
    courses: pd.DataFrame
    trainees: pd.DataFrame
    summary: dict[str, Any]
    data: Dataset
    policy: Policy
    year: int
    lang: str = "en"
    timings: dict[str, float] = field(default_factory=dict)
    out_dir: Path | None = None


def activities_policy(policy, plan_dir) -> Policy:
    """An explicit policy (object or file) first, else the plan's own policy.yaml, else the defaults."""
    if isinstance(policy, Policy):
        return policy
    if policy:
        return load_policy(policy)
    own = Path(plan_dir) / "policy.yaml"
    return load_policy(own) if own.is_file() else load_policy()


def plan_district(plan_dir) -> str | None:
    """The district a plan was made for (its summary.json), or None for the whole data set."""
    path = Path(plan_dir) / "summary.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("district") or None
    except (OSError, ValueError, AttributeError):
        return None


def plan_activities(data: str | Path | Dataset, plan_dir: str | Path, year: int, *, policy=None,
                    lang: str = "en") -> ActivitiesResult:
    """Pair, schedule and evaluate (nothing written). A plan made for one district (`planning plan
    --district`) gets the activities of that district's cadres only."""
    timings: dict[str, float] = {}
    t = time.perf_counter()
    words = Words(lang)  # an unknown language is refused before any work
    pol = activities_policy(policy, plan_dir)
    timezone(pol["activities.timezone"])  # a bad time zone is refused before any work
    ds = data if isinstance(data, Dataset) else load_dataset(data, year)
    ds = filter_district(ds, plan_district(plan_dir))
    plan = read_plan(plan_dir, ds)
    avail = Availability(ds, plan, year, words)
    timings["load"] = time.perf_counter() - t
    t = time.perf_counter()
    pairs = solve_pairing(ds, year, pol, words, avail)
    timings["pairing"] = time.perf_counter() - t
    t = time.perf_counter()
    events, unscheduled = build_schedule(ds, avail, pairs, year, pol, words)
    timings["schedule"] = time.perf_counter() - t
    t = time.perf_counter()
    online = online_hours(ds, year, pol)
    cards = institution_scorecards(ds, year, pol)
    courses = course_scores(ds, year)
    trainees = trainee_rating_summary(ds)
    timings["evaluation"] = time.perf_counter() - t
    summary = build_summary(ds, year, pol, pairs, events, unscheduled, online, cards, trainees)
    summary["lang"] = lang
    return ActivitiesResult(pairs, events, unscheduled, online, cards, courses, trainees, summary, ds, pol, year,
                            lang, timings)


def build_summary(ds, year, pol, pairs, events, unscheduled, online, cards, trainees) -> dict[str, Any]:
    def n_events(kind: str) -> int:
        return int(events.loc[events["kind"] == kind, "event_id"].nunique())

    paired = pairs[pairs["mentor_id"] != ""]
    talks_wanted = len(paired) * 12 * int(pol["activities.talks_per_month"])
    units_with_cadres = ds.cadres["unit_id"].nunique()
    seminars_wanted = units_with_cadres * 4 * int(pol["requirement.collective_learning_per_quarter"])
    excused = events[events["role"] == "excused"]
    return {
        "year": year,
        "data": ds.source,
        "mentees": len(pairs),
        "paired": len(paired),
        "unpaired": len(pairs) - len(paired),
        "mentors": int(paired["mentor_id"].nunique()),
        "pairing_scope": pol["activities.pairing_scope"],
        "talks": n_events("talk"),
        "talks_wanted": talks_wanted,
        "seminars": n_events("seminar"),
        "seminars_wanted": seminars_wanted,
        "exchanges": n_events("exchange"),
        "excused": len(excused),
        "unscheduled": {k: int(v) for k, v in unscheduled["kind"].value_counts().sort_index().items()},
        "online_target": num(pol["requirement.online_hours"]),
        "online_met": int(online["met"].sum()),
        "online_cadres": len(online),
        "online_mean_hours": num(round(float(online["hours"].mean()), 2)) if len(online) else 0,
        "institutions_rated": len(cards),
        "low_rated_institutions": sorted(cards.loc[cards["low_rated"].astype(bool), "institution"]) if len(cards) else [],
        "course_ratings": len(ds.course_ratings),
        "trainees_rated": len(trainees),
    }


def _files(res: ActivitiesResult, folder: Path, *, pdf: bool) -> None:
    from planning.activities.export import write_calendars, write_workbook

    write_csv(res.events, folder / "activities.csv")
    write_csv(res.pairs, folder / "pairs.csv")
    write_csv(res.unscheduled, folder / "unscheduled.csv")
    write_csv(res.online, folder / "online_hours.csv")
    write_csv(res.scorecards, folder / "scorecards.csv")
    write_csv(res.courses, folder / "course_scores.csv")
    write_csv(res.trainees, folder / "trainee_scores.csv")
    (folder / "policy.yaml").write_text(res.policy.to_yaml(), encoding="utf-8")
    names = dict(zip(res.data.cadres["cadre_id"], res.data.cadres["name"]))
    unit_names = dict(zip(res.data.units["unit_id"], res.data.units["name"]))
    counts = write_calendars(res.events, names, unit_names, folder / "calendars", res.year,
                             res.policy["activities.timezone"], Words(res.lang))
    res.summary.update(counts)
    w = Words(res.lang)
    write_workbook(folder / "activities.xlsx", res.events, names,
                   {w("sheet_pairs"): res.pairs, w("sheet_unscheduled"): res.unscheduled, w("sheet_online"): res.online,
                    w("sheet_scorecards"): res.scorecards, w("sheet_courses"): res.courses}, w)
    if pdf:
        from planning.activities.report import write_report

        write_report(res, folder / "activities_report.pdf")
    write_json(res.summary, folder / "summary.json")


def run_activities(data: str | Path | Dataset, plan_dir: str | Path, year: int, out: str | Path | None = None, *,
                   policy=None, pdf: bool = True, check: bool = True, lang: str = "en") -> ActivitiesResult:
    """The activity calendar of the year beside the plan in `plan_dir`; with `out`, written there
    (checked by the independent activity check first; nothing is written when it fails)."""
    if out is None:
        return plan_activities(data, plan_dir, year, policy=policy, lang=lang)
    target = check_output_target(out, [data, plan_dir, policy], kind="activities")
    with hold_output(target):
        res = plan_activities(data, plan_dir, year, policy=policy, lang=lang)
        with atomic_dir(target, kind="activities") as tmp:
            t = time.perf_counter()
            _files(res, tmp, pdf=pdf)
            res.timings["write"] = time.perf_counter() - t
            if check:
                from planning.activities.check import check_activities

                t = time.perf_counter()
                violations = check_activities(res.data, plan_dir, tmp, year, res.policy)
                res.timings["check"] = time.perf_counter() - t
                if violations:
                    raise PlanningError("the activity calendar failed its independent check:\n" + "\n".join(violations))
        res.out_dir = target
    return res
