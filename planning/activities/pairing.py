"""One-on-one pairing: each young or reserve cadre gets a responsible leader (an assignment model, PuLP).

Rules (every number from the policy group ``activities``):
- mentees: young (``facts.is_young``) or reserve cadres below division level;
- mentors: leaders (division or section level) of a strictly higher level than the mentee,
  never the mentee themself, in the mentee's unit (``pairing_scope: unit``) or any unit of
  the mentee's district (``district``);
- a leader mentors at most ``max_mentees``; a mentee has at most one mentor.
Objective: maximise Σ fit over the chosen pairs, where
fit = fit_paired + fit_same_field·[same cadres.field] + fit_level_gap_one·[gap 1] +
fit_level_gap_two·[gap 2] + fit_same_unit·[same unit] + fit_month_free·(months of the year in
which both have a free working day: a leader away on a long rotation is a poor mentor this year). The constraint matrix is that of a
bipartite b-matching (totally unimodular), so the LP optimum is whole and the solve is fast.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import pulp

from planning.activities.words import Words
from planning.data.load import Dataset
from planning.facts import cadre_facts
from planning.policy import Policy

LEADER_LEVELS = ("division", "section")  # "responsible leaders" in the growth-file rules
LEVEL_RANK = {"division": 0, "section": 1, "deputy_section": 2, "staff": 3}
PAIR_COLUMNS = ["mentee_id", "mentee_unit", "mentee_level", "mentor_id", "mentor_unit", "mentor_level",
                "level_gap", "same_field", "fit", "reason"]
_CLEAN = re.compile(r"[^A-Za-z0-9_]")


def clean(key: str) -> str:
    """An id as PuLP keeps it in a name (PuLP silently rewrites -+[] ->/)."""
    return _CLEAN.sub("_", str(key))


@dataclass(frozen=True)
class Person:
    cadre_id: str
    unit_id: str
    district: str
    level: str
    field: str


def people(ds: Dataset) -> dict[str, Person]:
    district = dict(zip(ds.units["unit_id"], ds.units["district"]))
    fields = ds.cadres["field"] if "field" in ds.cadres.columns else [""] * len(ds.cadres)
    return {c: Person(c, u, district.get(u, ""), lv, str(f or "").strip().casefold())
            for c, u, lv, f in zip(ds.cadres["cadre_id"], ds.cadres["unit_id"], ds.cadres["level"], fields)}


def mentees(ds: Dataset, year: int, policy: Policy) -> list[str]:
    """Young or reserve cadres below division level, in roster order."""
    f = cadre_facts(ds.cadres, ds.history, year, policy)
    mask = (f["young"] | f["reserve"]) & (f["level"] != "division")
    return list(f.loc[mask, "cadre_id"])


def may_mentor(mentor: Person, mentee: Person, scope: str) -> bool:
    """A leader of a strictly higher level, not the mentee, within the pairing scope."""
    if mentor.cadre_id == mentee.cadre_id or mentor.level not in LEADER_LEVELS:
        return False
    if LEVEL_RANK[mentor.level] >= LEVEL_RANK[mentee.level]:
        return False
    return mentor.unit_id == mentee.unit_id if scope == "unit" else mentor.district == mentee.district


def fit(mentor: Person, mentee: Person, policy: Policy, months_free: int = 0) -> float:
    """The pair's score (see the module docstring); `months_free` from ``months_together``."""
    gap = LEVEL_RANK[mentee.level] - LEVEL_RANK[mentor.level]
    score = float(policy["activities.fit_paired"])
    if mentor.field and mentor.field == mentee.field:
        score += policy["activities.fit_same_field"]
    score += {1: policy["activities.fit_level_gap_one"], 2: policy["activities.fit_level_gap_two"]}.get(gap, 0)
    if mentor.unit_id == mentee.unit_id:
        score += policy["activities.fit_same_unit"]
    score += policy["activities.fit_month_free"] * months_free
    return float(score)


def months_together(avail, a: str, b: str) -> int:
    """Months of the year with a working day on which neither `a` nor `b` is blocked."""
    if avail is None:
        return 0
    blocked = avail.blocked(a) | avail.blocked(b)
    return sum(any(d not in blocked for d in days) for days in avail.month_days())


def candidate_pairs(ds: Dataset, year: int, policy: Policy,
                    avail=None) -> tuple[list[str], list[tuple[str, str, float]]]:
    """(mentees, [(mentee, mentor, fit)]) of every admissible pair; with `avail` (an Availability)
    the fit counts the months both are free."""
    pp = people(ds)
    scope = policy["activities.pairing_scope"]
    leaders: dict[str, list[Person]] = {}
    for p in pp.values():
        if p.level in LEADER_LEVELS:
            leaders.setdefault(p.unit_id if scope == "unit" else p.district, []).append(p)
    ms = mentees(ds, year, policy)
    pairs = []
    for m in ms:
        me = pp[m]
        for lead in leaders.get(me.unit_id if scope == "unit" else me.district, ()):
            if may_mentor(lead, me, scope):
                pairs.append((m, lead.cadre_id, fit(lead, me, policy, months_together(avail, m, lead.cadre_id))))
    return ms, pairs


def solve_pairing(ds: Dataset, year: int, policy: Policy, words: Words | None = None, avail=None) -> pd.DataFrame:
    """One row per mentee (PAIR_COLUMNS): the chosen mentor, or none with the reason. With `avail`
    (the year's Availability) leaders free in the same months as the mentee are preferred."""
    ms, pairs = candidate_pairs(ds, year, policy, avail)
    chosen: dict[str, str] = {}
    if pairs:
        lp = pulp.LpProblem("pairing", pulp.LpMaximize)
        x = {(m, l): pulp.LpVariable(f"pair_{clean(m)}_{clean(l)}", cat="Binary") for m, l, _ in pairs}
        lp += pulp.LpAffineExpression([(x[m, l], f) for m, l, f in pairs])
        by_mentee: dict[str, list] = {}
        by_mentor: dict[str, list] = {}
        for m, l, _ in pairs:
            by_mentee.setdefault(m, []).append(x[m, l])
            by_mentor.setdefault(l, []).append(x[m, l])
        for m, xs in by_mentee.items():
            lp += pulp.lpSum(xs) <= 1, f"One_mentor_{clean(m)}"
        for l, xs in by_mentor.items():
            lp += pulp.lpSum(xs) <= policy["activities.max_mentees"], f"Mentor_load_{clean(l)}"
        lp.solve(_solver(policy))
        if pulp.LpStatus[lp.status] != "Optimal":
            raise RuntimeError(f"the pairing model ended {pulp.LpStatus[lp.status]}")
        chosen = {m: l for (m, l), v in x.items() if (v.value() or 0) > 0.5}
    return _pair_table(ds, ms, pairs, chosen, policy, words or Words())


def _solver(policy: Policy):
    name = "HiGHS" if policy["solver.name"] == "highs" else "PULP_CBC_CMD"
    if name == "HiGHS" and "HiGHS" not in pulp.listSolvers(onlyAvailable=True):
        name = "PULP_CBC_CMD"
    return pulp.getSolver(name, msg=False, timeLimit=policy["solver.time_limit"])


def _pair_table(ds, ms, pairs, chosen, policy, words: Words) -> pd.DataFrame:
    pp = people(ds)
    options: dict[str, list[str]] = {}
    score = {(m, l): f for m, l, f in pairs}
    for m, l, _ in pairs:
        options.setdefault(m, []).append(l)
    rows = []
    for m in ms:
        me = pp[m]
        l = chosen.get(m)
        if l:
            lead = pp[l]
            rows.append({"mentee_id": m, "mentee_unit": me.unit_id, "mentee_level": me.level, "mentor_id": l,
                         "mentor_unit": lead.unit_id, "mentor_level": lead.level,
                         "level_gap": LEVEL_RANK[me.level] - LEVEL_RANK[lead.level],
                         "same_field": bool(lead.field and lead.field == me.field), "fit": score[m, l],
                         "reason": ""})
        else:
            scope = words("scope_unit" if policy["activities.pairing_scope"] == "unit" else "scope_district")
            reason = (words("no_leader", scope=scope) if not options.get(m) else
                      words("leaders_full", n=len(options[m]), scope=scope, cap=policy["activities.max_mentees"]))
            rows.append({"mentee_id": m, "mentee_unit": me.unit_id, "mentee_level": me.level, "mentor_id": "",
                         "mentor_unit": "", "mentor_level": "", "level_gap": None, "same_field": False, "fit": 0.0,
                         "reason": reason})
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)
