"""Sample data for the activities room: online learning hours and the two-way evaluation of training.

Called LAST by ``planning.data.generate.generate`` with the tables already made, and drawing
from its own random stream (``planning.generate/activities/...``), so that every other table
stays byte-identical to what the generator wrote before these tables existed.

- ``online``: the online-learning platform's record of the plan year as at year end (the
  growth files and the year-end summary read it): hours scatter around the 70-hour target,
  so about half meet it; a few cadres logged nothing (no row).
- ``course_ratings``: trainees of the last ``RATED_YEARS`` years' classes (the class rows of
  ``history``) rate each class 1 … 5, with an occasional comment. Each past class is given
  an institution; institutions differ in quality and trend (one weak and slipping, so a
  scenario that drops or shrinks low-rated institutions has something to do) and in
  response rate.
- ``trainee_ratings``: each of those classes rates its trainees 0 … 100.
"""
from __future__ import annotations

import random
from collections import defaultdict

import pandas as pd

from planning.data.schema import TABLES

STREAM = "activities"
RATED_YEARS = 3  # classes of the last this many years carry ratings
# (institution, share of past classes, mean course score in the latest rated year, change per year,
#  share of trainees who answer the survey)
INSTITUTIONS = (
    ("County Party School", 0.50, 4.20, 0.00, 0.85),
    ("Municipal Party School", 0.36, 4.05, 0.10, 0.80),
    ("Provincial Cadre College", 0.05, 4.50, 0.00, 0.90),
    ("Online Academy", 0.09, 3.00, -0.25, 0.55),
)
CLASS_NOISE = 0.30  # sd of a class's mean around its institution's
TRAINEE_NOISE = 0.80  # sd of one trainee's score around the class mean (before rounding to 1 … 5)
COMMENT_SHARE = 0.25  # ratings that come with a comment
COMMENTS = {
    1: ("Content repeated what we already knew.", "Poorly organised; several sessions were cancelled.",
        "Recorded lectures only, no discussion."),
    2: ("Too much reading aloud from slides.", "The timetable clashed with our unit's work.",
        "Cases were out of date."),
    3: ("Useful but too long.", "Good topics, but the teaching was uneven.", "More practice would help."),
    4: ("Practical cases from our own county.", "Good mix of lectures and site visits.",
        "Clear and well prepared teachers."),
    5: ("Excellent: directly useful for my post.", "The best class I have taken.",
        "Inspiring site teaching and lively discussion."),
}
TRAINEE_MEAN = 82.0  # mean score a class gives its trainees
TRAINEE_SD = 6.0
ABILITY_SD = 4.0  # a cadre's own level, the same in every class
RESERVE_BONUS = 3.0  # reserve cadres score a little higher on average
TRAINEE_RATED_SHARE = 0.97  # trainees a class rates (some leave early or are not assessed)
ONLINE_AS_OF_SHARE = 1.0  # share of the year the platform record covers (1 = the whole year)
ONLINE_NONE_SHARE = 0.08  # cadres with nothing logged yet
ONLINE_RATE = (72.0, 16.0)  # hours a year a cadre's pace comes to (mean, sd)


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    cols = TABLES[name].column_names
    return pd.DataFrame([[r.get(c, "") for c in cols] for r in rows], columns=cols, dtype=object)


def _clip(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def _institution(rng: random.Random) -> tuple:
    x, acc = rng.random(), 0.0
    for inst in INSTITUTIONS:
        acc += inst[1]
        if x < acc:
            return inst
    return INSTITUTIONS[-1]


def past_classes(history: pd.DataFrame, year: int) -> dict[tuple[int, str], list[str]]:
    """(year, class id) → its trainees, for the class rows of the last RATED_YEARS years, in a fixed order."""
    out: dict[tuple[int, str], list[str]] = defaultdict(list)
    for cid, y, aid, kind in zip(history["cadre_id"], history["year"], history["activity_id"], history["kind"]):
        y = int(y)
        if kind == "class" and aid and year - RATED_YEARS <= y < year:
            out[(y, aid)].append(cid)
    return {k: sorted(v) for k, v in sorted(out.items())}


def make_ratings(rng: random.Random, classes: dict[tuple[int, str], list[str]], cadres: pd.DataFrame,
                 year: int) -> tuple[list[dict], list[dict]]:
    """course_ratings and trainee_ratings rows for the past classes."""
    reserve = dict(zip(cadres["cadre_id"], cadres["is_reserve"]))
    ability = {c: rng.gauss(0.0, ABILITY_SD) + (RESERVE_BONUS if reserve[c] == "true" else 0.0)
               for c in cadres["cadre_id"]}
    course, trainee = [], []
    for (y, aid), people in classes.items():
        name, _, latest, trend, response = _institution(rng)
        mean = latest - trend * (year - 1 - y) + rng.gauss(0.0, CLASS_NOISE)
        class_mark = rng.gauss(0.0, TRAINEE_SD / 2)
        for c in people:
            if rng.random() < response:
                score = int(round(_clip(mean + rng.gauss(0.0, TRAINEE_NOISE), 1, 5)))
                comment = rng.choice(COMMENTS[score]) if rng.random() < COMMENT_SHARE else ""
                course.append({"class_id": aid, "cadre_id": c, "score": str(score), "comment": comment,
                               "year": str(y), "institution": name})
            if rng.random() < TRAINEE_RATED_SHARE:
                mark = _clip(TRAINEE_MEAN + class_mark + ability[c] + rng.gauss(0.0, TRAINEE_SD / 2), 40, 100)
                trainee.append({"class_id": aid, "cadre_id": c, "score": str(int(round(mark))), "year": str(y)})
    return course, trainee


def make_online(rng: random.Random, cadres: pd.DataFrame, year: int) -> list[dict]:
    """Plan-year online hours (ONLINE_AS_OF_SHARE of the year), in half hours; no row for those with nothing logged."""
    rows = []
    for c in cadres["cadre_id"]:
        if rng.random() < ONLINE_NONE_SHARE:
            continue
        pace = max(5.0, rng.gauss(*ONLINE_RATE))
        hours = round(pace * ONLINE_AS_OF_SHARE * 2) / 2
        rows.append({"cadre_id": c, "year": str(year), "hours": f"{hours:g}"})
    return rows


def activity_tables(tables: dict[str, pd.DataFrame], seed: int, n: int, year: int) -> dict[str, pd.DataFrame]:
    """The online, course_ratings and trainee_ratings tables for the data set `tables` (contract text)."""
    rng = random.Random(f"planning.generate/{STREAM}/{seed}/{n}/{year}")
    course, trainee = make_ratings(rng, past_classes(tables["history"], year), tables["cadres"], year)
    online = make_online(rng, tables["cadres"], year)
    return {"online": _frame("online", online), "course_ratings": _frame("course_ratings", course),
            "trainee_ratings": _frame("trainee_ratings", trainee)}
