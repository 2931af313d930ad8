"""Leadership vacancies filled from the reserve pool first (DATA_CONTRACT "vacancies", appointments.csv).

An assignment model (PuLP, HiGHS): each vacancy gets at most one cadre, each cadre at most one
vacancy. Eligible for a post of level L: a cadre of the level just below L (a promotion) or of L
itself in another unit (a move). The objective is lexicographic by its weights: as many posts filled
as possible, then as many of them by pool members (`is_reserve`), then the best: normalised
composite (percentile within level, 0 … 100) + pool.fill_field_bonus for a matching field +
pool.fill_below_bonus for a promotion + pool.fill_unit_bonus for the post's own unit.
Per vacancy only its best len(vacancies) candidates enter the model (exact: no more can be taken).
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pulp

from planning.data.dataset import Dataset
from planning.policy import Policy, default_policy
from planning.pool.assess import assess, score_map
from planning.pool.solve import solve
from planning.pool.words import say

BELOW = {"division": "section", "section": "deputy_section", "deputy_section": "staff"}
APPOINT_COLUMNS = ["vacancy_id", "cadre_id", "from_pool", "reason"]
_FILL = 1_000_000.0  # a filled post outweighs everything below
_POOL = 10_000.0  # a pool member outweighs any score difference


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def solve_assignment(weight: dict[tuple[int, int], float]) -> list[tuple[int, int]]:
    """Max-weight matching over (row, column) pairs, each row and each column used at most once."""
    if not weight:
        return []
    lp = pulp.LpProblem("fill", pulp.LpMaximize)
    x = {k: pulp.LpVariable(f"x_{k[0]}_{k[1]}", cat="Binary") for k in sorted(weight)}
    lp += pulp.lpSum(weight[k] * v for k, v in x.items())
    rows: dict[int, list] = {}
    cols: dict[int, list] = {}
    for (i, j), v in x.items():
        rows.setdefault(i, []).append(v)
        cols.setdefault(j, []).append(v)
    for i, vs in sorted(rows.items()):
        lp += pulp.lpSum(vs) <= 1, f"row_{i}"
    for j, vs in sorted(cols.items()):
        lp += pulp.lpSum(vs) <= 1, f"col_{j}"
    values = solve(lp)
    return sorted(k for k, v in x.items() if values[v.name] > 0.5)


def fill_vacancies(data: Dataset, year: int, policy: Policy | None = None, *, vacancies: pd.DataFrame | None = None,
                   scores: pd.DataFrame | None = None, exclude: Iterable[str] = (), lang: str = "en") -> pd.DataFrame:
    """appointments (vacancy_id, cadre_id, from_pool, reason), one row per vacancy in vacancy order;
    an unfilled vacancy has an empty cadre_id and the reason. `vacancies` defaults to the data set's,
    `scores` to assess(data, year, policy); cadres in `exclude` are not appointed. Pure."""
    policy = policy or default_policy()
    vac = data.tables.get("vacancies") if vacancies is None else vacancies
    if vac is None or vac.empty:
        return pd.DataFrame(columns=APPOINT_COLUMNS)
    vac = vac.reset_index(drop=True)
    scores = assess(data, year, policy) if scores is None else scores
    pct, comp = score_map(scores, "normalised"), score_map(scores, "composite")
    excluded = set(exclude)
    cad = data.cadres
    cad = cad[~cad["cadre_id"].isin(excluded)].sort_values("cadre_id").reset_index(drop=True)
    field = [_text(f) for f in (cad["field"] if "field" in cad else [""] * len(cad))]
    pool = [bool(r) for r in cad["is_reserve"]]
    fb, bb, ub = (float(policy[k]) for k in ("pool.fill_field_bonus", "pool.fill_below_bonus", "pool.fill_unit_bonus"))
    weight: dict[tuple[int, int], float] = {}
    n_vac = len(vac)
    for j, v in vac.iterrows():
        below = BELOW.get(v["level"])
        vf = _text(v.get("field"))
        cands = []
        for i, (cid, lv, unit) in enumerate(zip(cad["cadre_id"], cad["level"], cad["unit_id"])):
            promo = lv == below
            if not promo and not (lv == v["level"] and unit != v["unit_id"]):
                continue
            w = (_FILL + (_POOL if pool[i] else 0.0) + pct.get(cid, 0.0) + (fb if vf and field[i] == vf else 0.0)
                 + (bb if promo else 0.0) + (ub if unit == v["unit_id"] else 0.0))
            cands.append((-w, i))
        for negw, i in sorted(cands)[:n_vac]:
            weight[(i, j)] = -negw
    chosen = {j: i for i, j in solve_assignment(weight)}
    rows = []
    for j, v in vac.iterrows():
        if j not in chosen:
            any_eligible = any(jj == j for (_, jj) in weight)
            rows.append({"vacancy_id": v["vacancy_id"], "cadre_id": "", "from_pool": False,
                         "reason": say("fill_taken" if any_eligible else "fill_none", lang, level=v["level"],
                                       below=BELOW.get(v["level"], "-"))})
            continue
        i = chosen[j]
        cid = cad["cadre_id"].iloc[i]
        parts = [say("fill_pool", lang, joined=_text(cad["pool_joined"].iloc[i]) if "pool_joined" in cad else "")
                 if pool[i] else say("fill_not_pool", lang)]
        if cid in comp:
            parts.append(say("fill_score", lang, composite=comp[cid], pct=pct[cid], level=cad["level"].iloc[i]))
        vf = _text(v.get("field"))
        if vf and field[i] == vf:
            parts.append(say("fill_field", lang, field=vf))
        parts.append(say("fill_promo" if cad["level"].iloc[i] == BELOW.get(v["level"]) else "fill_move", lang,
                         level=cad["level"].iloc[i]))
        if cad["unit_id"].iloc[i] == v["unit_id"]:
            parts.append(say("fill_unit", lang))
        rows.append({"vacancy_id": v["vacancy_id"], "cadre_id": cid, "from_pool": pool[i],
                     "reason": ("；" if lang == "zh" else "; ").join(parts)})
    return pd.DataFrame(rows, columns=APPOINT_COLUMNS)
