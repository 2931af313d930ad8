"""A selection round — "public recommendation and double examination" (seed 003; DATA_CONTRACT
"candidates", `planning pool select`).

1. Eligibility: below division level, aged at most pool.max_age, not already in the pool.
2. Vote and exam stages (recommended candidates only): vote share >= pool.min_vote_share and an exam
   score >= pool.exam_pass. `selection_passed` / `assessment_found` candidates skip both.
3. Ranking: composite = weighted mean of vote share × 100 (pool.vote_weight), exam score
   (pool.exam_weight) and the latest assessment composite (pool.assessment_weight) over the parts
   present; rank 1 = best (ties: cadre_id).
4. Difference inspection: the top ⌊pool.inspection_ratio × quota⌋ of the ranking.
5. The quota chosen from the inspection list by the PuLP model of planning.pool.quotas: maximal
   Σ composite under the structure quotas; when they cannot all hold: InfeasiblePlan (exit 3) naming
   each and by how much.
Every candidate not selected gets its stage and the reason in words.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from planning.data.dataset import Dataset
from planning.errors import InfeasiblePlan
from planning.facts import age
from planning.policy import Policy, default_policy
from planning.pool.assess import assess, score_map
from planning.pool.quotas import binding_for, choose, diagnosis, quota_report, structure_quotas
from planning.pool.words import say

RANK_COLUMNS = ["cadre_id", "source", "vote_share", "exam_score", "assessment_score", "composite", "rank", "stage",
                "reason", "unit_id", "level", "gender", "field", "age"]


class QuotasInfeasible(InfeasiblePlan):
    """The structure quotas cannot all hold on the inspection list (exit 3)."""

    def __init__(self, diagnosis: list[str]):
        super().__init__(diagnosis)
        self.args = ("The structure quotas cannot all hold on the inspection list:\n"
                     + "\n".join(f"- {d}" for d in self.diagnosis),)


@dataclass
class SelectResult:
    ranking: pd.DataFrame
    inspection: pd.DataFrame
    selected: pd.DataFrame
    summary: dict


def _v(x):
    return None if x is None or (isinstance(x, float) and x != x) else x


def _text(x) -> str:
    x = _v(x)
    return "" if x is None else str(x)


def candidate_table(data: Dataset, year: int, policy: Policy, lang: str = "en") -> pd.DataFrame:
    """Every candidate with its parts, composite, rank (passers only) and, for those who stopped at
    the vote / exam stage, stage 'exam' with the reason."""
    scores = score_map(assess(data, year, policy))
    cad = data.cadres.set_index("cadre_id")
    wv, we, wa = (float(policy[k]) for k in ("pool.vote_weight", "pool.exam_weight", "pool.assessment_weight"))
    max_age, min_share, mark = int(policy["pool.max_age"]), float(policy["pool.min_vote_share"]), float(policy["pool.exam_pass"])
    rows = []
    cands = data.tables.get("candidates")
    for r in ([] if cands is None else cands.to_dict("records")):
        cid = r["cadre_id"]
        c = cad.loc[cid]
        votes, voters, exam = _v(r.get("votes")), _v(r.get("voters")), _v(r.get("exam_score"))
        share = votes / voters if votes is not None and voters else None
        a_score = scores.get(cid)
        parts = [(p, w) for p, w in ((None if share is None else share * 100, wv), (exam, we), (a_score, wa))
                 if p is not None and w > 0]
        comp = sum(p * w for p, w in parts) / sum(w for _, w in parts) if parts else 0.0
        a = age(c["birth_year"], year)
        stop = None
        if c["level"] == "division":
            stop = say("sel_ineligible_level", lang)
        elif a > max_age:
            stop = say("sel_ineligible_age", lang, age=a, max_age=max_age)
        elif bool(c["is_reserve"]):
            stop = say("sel_member", lang)
        elif r["source"] == "recommendation":
            if share is None or share < min_share:
                stop = say("sel_votes", lang, share=share or 0.0, min=min_share)
            elif exam is None:
                stop = say("sel_not_examined", lang)
            elif exam < mark:
                stop = say("sel_exam", lang, score=exam, mark=mark)
        rows.append({"cadre_id": cid, "source": r["source"],
                     "vote_share": None if share is None else round(share, 4), "exam_score": exam,
                     "assessment_score": None if a_score is None else round(a_score, 2), "composite": round(comp, 3),
                     "rank": None, "stage": "exam" if stop else "", "reason": stop or "",
                     "unit_id": c["unit_id"], "level": c["level"], "gender": _text(c.get("gender")),
                     "field": _text(c.get("field")), "age": a, "birth_year": int(c["birth_year"])})
    df = pd.DataFrame(rows, columns=RANK_COLUMNS + ["birth_year"])
    passed = df[df["stage"] == ""].sort_values(["composite", "cadre_id"], ascending=[False, True])
    df.loc[passed.index, "rank"] = range(1, len(passed) + 1)
    return df


def select(data: Dataset, year: int, quota: int, policy: Policy | None = None, *, lang: str = "en",
           time_limit: float = 60.0) -> SelectResult:
    """The round's ranking, inspection list and selection (see the module). Raises InfeasiblePlan when
    the structure quotas cannot all hold. Pure."""
    policy = policy or default_policy()
    df = candidate_table(data, year, policy, lang)
    ratio = float(policy["pool.inspection_ratio"])
    k = math.floor(ratio * quota + 1e-9)
    passed = df[df["rank"].notna()].sort_values("rank")
    insp = passed.head(k)
    for i, r in passed.iloc[k:].iterrows():
        df.at[i, "stage"] = "inspection"
        df.at[i, "reason"] = say("sel_inspection", lang, rank=int(r["rank"]), k=k, ratio=ratio, quota=quota)
    n = min(quota, len(insp))
    people = insp.reset_index()
    quotas = structure_quotas(people, n, year, policy, lang)
    # values: the composite, less a hair per rank so that equal composites go to the better ranked
    values = [float(c) - 1e-7 * float(r) for c, r in zip(people["composite"], people["rank"])]
    choice = choose(values, n, quotas, time_limit) if n else None
    if choice is not None and choice.short:
        raise QuotasInfeasible(diagnosis(choice.short, lang))
    chosen = set(choice.chosen) if choice else set()
    chosen_idx = [people.at[i, "index"] for i in sorted(chosen)]
    last = min((float(people.at[i, "composite"]) for i in chosen), default=0.0)
    quota_words = ("；" if lang == "zh" else "; ").join(q.text for q in quotas) or "-"
    for i in range(len(people)):
        idx = people.at[i, "index"]
        if i in chosen:
            df.at[idx, "stage"] = "selected"
            df.at[idx, "reason"] = say("sel_selected", lang, composite=float(df.at[idx, "composite"]))
        elif int(people.at[i, "rank"]) <= n:
            df.at[idx, "stage"] = "structure"
            sep = "；" if lang == "zh" else "; "
            words = sep.join(q.text for q in binding_for(quotas, choice.chosen, i)) or quota_words
            df.at[idx, "reason"] = say("sel_structure", lang, composite=float(df.at[idx, "composite"]), quotas=words)
        else:
            df.at[idx, "stage"] = "inspection"
            df.at[idx, "reason"] = say("sel_inspected", lang, composite=float(df.at[idx, "composite"]), last=last)
    df = df.assign(_r=df["rank"].fillna(10 ** 9)).sort_values(["_r", "cadre_id"]).drop(columns=["_r", "birth_year"])
    df["rank"] = df["rank"].astype("Int64")
    ranking = df.reset_index(drop=True)
    inspection = ranking[ranking["cadre_id"].isin(set(insp["cadre_id"]))].reset_index(drop=True)
    selected = ranking[ranking["stage"] == "selected"].reset_index(drop=True)
    short_reason = ""
    if len(selected) < quota:
        short_reason = say("sel_short", lang, passed=len(insp), selected=len(selected), quota=quota)
    summary = {"year": year, "quota": quota, "candidates": len(ranking), "passed": len(passed),
               "inspection_limit": k, "inspected": len(inspection), "selected": len(selected),
               "objective": round(float(selected["composite"].sum()), 3), "status": "optimal",
               "quotas": quota_report(quotas, sorted(chosen)), "short_reason": short_reason}
    del chosen_idx
    return SelectResult(ranking, inspection, selected, summary)
