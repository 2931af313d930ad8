"""The rolling review of the reserve pool (seeds 001, 003: "every two years", "survival of the fittest";
`planning pool review`, pool_changes.csv).

Due when pool.review_years divides (year − pool.review_first_year); otherwise everyone stays.
At a review:
1. members flagged low (composite below pool.low_score for pool.low_years assessed years running)
   leave; so do the bottom ⌈pool.review_drop_share × members⌉ by percentile within level (counting those);
2. joiners may be: candidates of source `selection_passed` / `assessment_found`, and non-members
   at or above pool.join_percentile of their level; all eligible as for selection (below division,
   aged at most pool.max_age);
3. the new pool of pool.size (0 = the current size) is chosen by the quota model of
   planning.pool.quotas: members not leaving by 1. stay (unless pool.size is below their number:
   then the quotas choose among them too), then the sources named above, then the strongest;
   the structure quotas as far as the free places allow (a shortfall is reported in the summary's
   quotas_short, not fatal).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from planning.data.dataset import Dataset
from planning.facts import age
from planning.policy import Policy, default_policy
from planning.pool.assess import assess
from planning.pool.quotas import binding_for, choose, diagnosis, quota_report, structure_quotas
from planning.pool.words import say

CHANGE_COLUMNS = ["cadre_id", "change", "reason"]
_STAY = 1000.0  # a staying member outweighs any joiner's score
_SOURCE = 500.0  # a selection_passed / assessment_found candidate outweighs a strong non-member


@dataclass
class ReviewResult:
    changes: pd.DataFrame
    summary: dict


def is_due(year: int, policy: Policy) -> bool:
    every, first = int(policy["pool.review_years"]), int(policy["pool.review_first_year"])
    return year >= first and (year - first) % max(1, every) == 0


def review(data: Dataset, year: int, policy: Policy | None = None, *, lang: str = "en", scores: pd.DataFrame | None = None,
           time_limit: float = 60.0) -> ReviewResult:
    """pool_changes (cadre_id, change leave|join|stay, reason) sorted by change then cadre_id. Pure."""
    policy = policy or default_policy()
    cad = data.cadres.copy()
    for col in ("gender", "field"):
        cad[col] = cad[col].fillna("") if col in cad else ""
    members = cad[cad["is_reserve"].astype(bool)].sort_values("cadre_id")
    every, first = int(policy["pool.review_years"]), int(policy["pool.review_first_year"])
    if not is_due(year, policy):
        nxt = year + (every - (year - first) % every) if year >= first else first
        ch = pd.DataFrame({"cadre_id": members["cadre_id"], "change": "stay",
                           "reason": say("rev_not_due", lang, year=year, every=every, next=nxt)}, columns=CHANGE_COLUMNS)
        return ReviewResult(ch.reset_index(drop=True), {"year": year, "due": False, "stay": len(ch), "leave": 0,
                                                        "join": 0, "size_before": len(ch), "size_after": len(ch)})
    scores = assess(data, year, policy) if scores is None else scores
    sc = scores.set_index("cadre_id")
    pct = lambda c: float(sc.at[c, "normalised"]) if c in sc.index else None  # noqa: E731
    low_score, low_years = float(policy["pool.low_score"]), int(policy["pool.low_years"])
    reason: dict[str, tuple[str, str]] = {}
    for c in members["cadre_id"]:
        if c in sc.index and bool(sc.at[c, "flag_low"]):
            reason[c] = ("leave", say("rev_low", lang, low=low_score, years=int(sc.at[c, "low_years"])))
    drop = math.ceil(float(policy["pool.review_drop_share"]) * len(members) - 1e-9)
    rest = sorted((pct(c), c) for c in members["cadre_id"] if c not in reason and pct(c) is not None)
    for p, c in rest[:max(0, drop - len(reason))]:
        reason[c] = ("leave", say("rev_bottom", lang, share=float(policy["pool.review_drop_share"]), pct=p))
    # who may be in the new pool: staying members and eligible joiners
    max_age = int(policy["pool.max_age"])
    cands = data.tables.get("candidates")
    sources = {} if cands is None else dict(zip(cands["cadre_id"], cands["source"]))
    join_pct = float(policy["pool.join_percentile"])
    pool_rows, value, why = [], [], {}
    for r in cad.sort_values("cadre_id").to_dict("records"):
        c = r["cadre_id"]
        if bool(r["is_reserve"]):
            if c in reason:
                continue
            v = _STAY
        else:
            if r["level"] == "division" or age(r["birth_year"], year) > max_age:
                continue
            src = sources.get(c)
            if src in ("selection_passed", "assessment_found"):
                v = _SOURCE
                why[c] = say("rev_why_selection" if src == "selection_passed" else "rev_why_found", lang)
            elif pct(c) is not None and pct(c) >= join_pct and not bool(sc.at[c, "flag_low"]):
                v = 0.0
                why[c] = say("rev_why_strong", lang, pct=pct(c), level=r["level"])
            else:
                continue
        pool_rows.append(r)
        value.append(v + (float(sc.at[c, "composite"]) if c in sc.index else 0.0))
    people = pd.DataFrame(pool_rows)
    size = int(policy["pool.size"]) or len(members)
    n = min(size, len(people))
    quotas = structure_quotas(people, n, year, policy, lang) if n else []
    # members who keep their place by their scores stay (the review moves people for performance);
    # the quotas steer who joins, as far as the places freed allow
    stayers = [i for i, r in enumerate(pool_rows) if bool(r["is_reserve"])]
    choice = choose(value, n, quotas, time_limit, fixed=stayers if len(stayers) <= n else ()) if n else None
    chosen = set(people["cadre_id"].iloc[choice.chosen]) if choice else set()
    quota_words = ("；" if lang == "zh" else "; ").join(q.text for q in quotas) or "-"
    rows = []
    for c in members["cadre_id"]:
        if c in reason:
            rows.append((c, *reason[c]))
        elif c in chosen:
            comp = float(sc.at[c, "composite"]) if c in sc.index else None
            rows.append((c, "stay", say("rev_stay", lang, composite=comp) if comp is not None
                         else say("rev_stay_unassessed", lang)))
        else:
            i = people.index[people["cadre_id"] == c][0]
            sep = "；" if lang == "zh" else "; "
            words = sep.join(q.text for q in binding_for(quotas, choice.chosen, i)) or quota_words
            rows.append((c, "leave", say("rev_structure", lang, quotas=words)))
    for c in sorted(chosen - set(members["cadre_id"])):
        rows.append((c, "join", say("rev_join", lang, why=why[c], composite=float(sc.at[c, "composite"]) if c in sc.index else 0.0)))
    order = {"leave": 0, "join": 1, "stay": 2}
    ch = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    ch = ch.assign(_o=ch["change"].map(order)).sort_values(["_o", "cadre_id"]).drop(columns="_o").reset_index(drop=True)
    counts = ch["change"].value_counts()
    summary = {"year": year, "due": True, "size_before": len(members), "size_target": size,
               "size_after": len(chosen), "stay": int(counts.get("stay", 0)), "leave": int(counts.get("leave", 0)),
               "join": int(counts.get("join", 0)),
               "quotas": quota_report(quotas, choice.chosen) if choice else [],
               "quotas_short": diagnosis(choice.short, lang) if choice else []}
    return ReviewResult(ch, summary)
