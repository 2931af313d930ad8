"""The pool's structure quotas (policy pool.*) and the PuLP model that chooses under them.

Quotas over a chosen group of size n (selection: the round's chosen; review: the whole new pool):
- women: at least ceil(pool.min_women_share × n) with gender F;
- young: at least ceil(pool.min_young_share × n) aged people.young_max_age or under;
- fields: pool.every_field → at least one of every field present among the choosable;
- levels: no level above floor(pool.max_level_share × n) (off at 0 or 1);
- units: no unit above floor(pool.max_unit_share × n) (off at 0 or 1).

choose() maximises Σ value × x with Σ x = n under the quotas made elastic (a slack per quota with a
penalty far above any value): the optimum has zero slack exactly when the quotas can all hold, and
otherwise names each quota that cannot, and by how much (the least total shortfall).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import pulp

from planning.facts import is_young
from planning.policy import Policy
from planning.pool.solve import solve
from planning.pool.words import LEVEL_ZH, say


@dataclass
class Quota:
    key: str  # women | young | field:X | level:X | unit:X
    text: str  # in words
    members: list[int]  # positions (in the frame given) that count towards it
    sense: str  # ">=" or "<="
    need: int


def _share_on(x: float) -> bool:
    return 0.0 < x < 1.0


def structure_quotas(people: pd.DataFrame, n: int, year: int, policy: Policy, lang: str = "en") -> list[Quota]:
    """Quotas for choosing n of `people` (columns gender, field, level, unit_id, birth_year)."""
    q: list[Quota] = []
    pos = range(len(people))
    w = float(policy["pool.min_women_share"])
    if w > 0:
        q.append(Quota("women", say("q_women", lang, share=w),
                       [i for i, g in zip(pos, people["gender"]) if g == "F"], ">=", math.ceil(w * n - 1e-9)))
    y = float(policy["pool.min_young_share"])
    if y > 0:
        q.append(Quota("young", say("q_young", lang, share=y, age=policy["people.young_max_age"]),
                       [i for i, b in zip(pos, people["birth_year"]) if is_young(b, year, policy)], ">=",
                       math.ceil(y * n - 1e-9)))
    if policy["pool.every_field"]:
        for f in sorted({f for f in people["field"] if f}):
            q.append(Quota(f"field:{f}", say("q_field", lang, field=f),
                           [i for i, g in zip(pos, people["field"]) if g == f], ">=", 1))
    lv = float(policy["pool.max_level_share"])
    if _share_on(lv):
        for level in sorted(set(people["level"])):
            q.append(Quota(f"level:{level}", say("q_level", lang, share=lv, level=level),
                           [i for i, g in zip(pos, people["level"]) if g == level], "<=", math.floor(lv * n + 1e-9)))
    un = float(policy["pool.max_unit_share"])
    if _share_on(un):
        for unit in sorted(set(people["unit_id"])):
            q.append(Quota(f"unit:{unit}", say("q_unit", lang, share=un, unit=unit),
                           [i for i, g in zip(pos, people["unit_id"]) if g == unit], "<=", math.floor(un * n + 1e-9)))
    return q


@dataclass
class Choice:
    chosen: list[int]
    objective: float
    short: list[tuple[Quota, int]]  # quotas that cannot hold, with the shortfall (0 when all hold)


def choose(values: list[float], n: int, quotas: list[Quota], time_limit: float = 60.0,
           fixed: list[int] = ()) -> Choice:
    """n of len(values) positions maximising Σ values under the quotas (elastic, see the module);
    positions in `fixed` are chosen whatever the quotas say."""
    m = len(values)
    n = min(n, m)
    penalty = 1.0 + 2.0 * sum(abs(v) for v in values) + 1e3
    lp = pulp.LpProblem("pool", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x_{i}", cat="Binary") for i in range(m)]
    s = [pulp.LpVariable(f"s_{k}", lowBound=0) for k in range(len(quotas))]
    lp += pulp.lpSum(float(values[i]) * x[i] for i in range(m)) - pulp.lpSum(penalty * v for v in s)
    lp += pulp.lpSum(x) == n, "size"
    for i in fixed:
        x[i].lowBound = 1
    for k, q in enumerate(quotas):
        expr = pulp.lpSum(x[i] for i in q.members)
        if q.sense == ">=":
            lp += expr + s[k] >= q.need, f"q_{k}"
        else:
            lp += expr - s[k] <= q.need, f"q_{k}"
    val = solve(lp, time_limit)
    chosen = [i for i in range(m) if val[x[i].name] > 0.5]
    short = [(q, int(round(val[s[k].name]))) for k, q in enumerate(quotas) if val[s[k].name] > 0.5]
    return Choice(chosen, float(sum(values[i] for i in chosen)), short)


def diagnosis(short: list[tuple[Quota, int]], lang: str = "en") -> list[str]:
    out = []
    for q, k in short:
        if q.sense == ">=":
            out.append(say("q_short", lang, quota=q.text, need=q.need, got=q.need - k, short=k))
        else:
            out.append(say("q_over", lang, quota=q.text, need=q.need, got=q.need + k, short=k))
    return out


def binding_for(quotas: list[Quota], chosen: list[int], i: int) -> list[Quota]:
    """The quotas that kept position i out: held exactly by the chosen, and i would have broken them
    (a minimum i does not count towards, or a maximum i does)."""
    ch = set(chosen)
    out = []
    for q in quotas:
        got = sum(1 for k in q.members if k in ch)
        if got == q.need and ((q.sense == ">=" and i not in q.members) or (q.sense == "<=" and i in q.members)):
            out.append(q)
    return out


def quota_report(quotas: list[Quota], chosen: list[int]) -> list[dict]:
    ch = set(chosen)
    return [{"quota": q.key, "rule": q.text, "sense": q.sense, "need": q.need,
             "chosen": sum(1 for i in q.members if i in ch)} for q in quotas]


__all__ = ["Quota", "structure_quotas", "choose", "diagnosis", "quota_report", "LEVEL_ZH"]
