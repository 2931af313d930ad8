"""Sample data for the reserve pool (planning/pool/): cadres' gender, field and pool_joined, the
quantitative assessment, a selection round's candidates and the year's leadership vacancies.

Called LAST by ``planning.data.generate.generate`` with the tables already made, drawing from its own
random stream (``planning.generate/pool/...``): every table written before keeps its values (cadres
only gains the three optional columns, filled here).

- ``assessments``: every cadre, the last ``ASSESSED_YEARS`` years, seven dimensions. A score is
  mean + the cadre's ability (shared by every dimension: the dimensions correlate) + the unit's
  effect + the cadre's own drift per year + noise; reserve members a little higher. A few
  dimension rows are missing (not assessed that year).
- ``candidates``: a selection round of recommended cadres (votes of the unit's voters, a theory
  exam; a few not examined), plus some who passed a leadership selection but were not appointed
  and some found outstanding in an assessment.
- ``vacancies``: leading posts (section, deputy section) opening during the plan year.
"""
from __future__ import annotations

import datetime as dt
import random

import pandas as pd

from planning.data.schema import DIMENSIONS, TABLES

STREAM = "pool"
FIELDS = ("economy", "party_affairs", "law", "agriculture", "urban_construction", "education_health", "finance")
FIELD_WEIGHTS = (0.22, 0.2, 0.1, 0.14, 0.12, 0.12, 0.1)
WOMEN_SHARE = 0.32
ASSESSED_YEARS = 3  # the plan year's assessment is not in yet: the three years before it
SCORE_MEAN = 80.0
ABILITY_SD = 6.0
UNIT_SD = 2.5
DRIFT_SD = 1.5  # points a year
NOISE_SD = 4.0
DIMENSION_OFFSET = {"task_objectives": 1.0, "daily_performance": 2.0, "collective_activities": 3.0,
                    "learning_ability": 0.0, "urgent_tasks": -2.0, "democratic_appraisal": 1.5, "others_comments": 0.5}
RESERVE_BONUS = 3.0
MISSING_SHARE = 0.01  # dimension rows missing
CANDIDATE_SHARE = 0.22  # cadres recommended in the round (of those eligible: below division, aged 45 or under)
SELECTION_PASSED_SHARE = 0.03
ASSESSMENT_FOUND_SHARE = 0.02
NOT_EXAMINED_SHARE = 0.05
VOTERS = (25, 80)
VACANCY_SHARE = 0.03
MIN_VACANCIES = 3
VACANCY_LEVELS = (("section", 0.4), ("deputy_section", 0.6))


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    cols = TABLES[name].column_names
    return pd.DataFrame([[r.get(c, "") for c in cols] for r in rows], columns=cols, dtype=object)


def _clip(x: float, lo: float = 0.0, hi: float = 100.0) -> float:
    return max(lo, min(hi, x))


def pool_tables(tables: dict[str, pd.DataFrame], seed: int, n: int, year: int) -> dict[str, pd.DataFrame]:
    """cadres (with gender, field, pool_joined), assessments, candidates and vacancies (contract text)."""
    rng = random.Random(f"planning.generate/{STREAM}/{seed}/{n}/{year}")
    cadres = tables["cadres"].copy()
    ids = cadres["cadre_id"].tolist()
    reserve = [v == "true" for v in cadres["is_reserve"]]
    cadres["gender"] = ["F" if rng.random() < WOMEN_SHARE else "M" for _ in ids]
    cadres["field"] = [rng.choices(FIELDS, FIELD_WEIGHTS)[0] for _ in ids]
    cadres["pool_joined"] = [str(year - rng.randint(0, 4)) if r else "" for r in reserve]

    units = sorted(set(cadres["unit_id"]))
    unit_effect = {u: rng.gauss(0.0, UNIT_SD) for u in units}
    rows = []
    for cid, unit, r in zip(ids, cadres["unit_id"], reserve):
        ability = rng.gauss(0.0, ABILITY_SD) + (RESERVE_BONUS if r else 0.0)
        drift = rng.gauss(0.0, DRIFT_SD)
        for k, y in enumerate(range(year - ASSESSED_YEARS, year)):
            for d in DIMENSIONS:
                if rng.random() < MISSING_SHARE:
                    continue
                s = SCORE_MEAN + ability + unit_effect[unit] + DIMENSION_OFFSET[d] + drift * k + rng.gauss(0.0, NOISE_SD)
                rows.append({"cadre_id": cid, "year": str(y), "dimension": d, "score": f"{round(_clip(s) * 2) / 2:g}"})
    assessments = _frame("assessments", rows)

    cand = []
    for cid, lv, born, r in zip(ids, cadres["level"], cadres["birth_year"], reserve):
        if r or lv == "division" or year - int(born) > 45:
            continue
        x = rng.random()
        if x < CANDIDATE_SHARE:
            voters = rng.randint(*VOTERS)
            votes = round(voters * _clip(rng.betavariate(5, 3), 0, 1))
            exam = "" if rng.random() < NOT_EXAMINED_SHARE else f"{round(_clip(rng.gauss(72, 11)) * 2) / 2:g}"
            cand.append({"cadre_id": cid, "source": "recommendation", "votes": str(votes), "voters": str(voters),
                         "exam_score": exam})
        elif x < CANDIDATE_SHARE + SELECTION_PASSED_SHARE:
            cand.append({"cadre_id": cid, "source": "selection_passed"})
        elif x < CANDIDATE_SHARE + SELECTION_PASSED_SHARE + ASSESSMENT_FOUND_SHARE:
            cand.append({"cadre_id": cid, "source": "assessment_found"})
    candidates = _frame("candidates", cand)

    vac = []
    for k in range(max(MIN_VACANCIES, round(VACANCY_SHARE * n))):
        level = rng.choices([lv for lv, _ in VACANCY_LEVELS], [w for _, w in VACANCY_LEVELS])[0]
        opens = dt.date(year, 1, 1) + dt.timedelta(rng.randint(0, 364))
        vac.append({"vacancy_id": f"V{year}-{k + 1:03d}", "unit_id": rng.choice(units), "level": level,
                    "field": rng.choices(FIELDS, FIELD_WEIGHTS)[0] if rng.random() < 0.7 else "",
                    "opens_on": opens.isoformat()})
    vacancies = _frame("vacancies", vac)
    return {"cadres": cadres, "assessments": assessments, "candidates": candidates, "vacancies": vacancies}
