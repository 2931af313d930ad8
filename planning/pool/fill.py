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

import numpy as np
import pandas as pd

from planning.data.dataset import Dataset
from planning.policy import Policy, default_policy
from planning.pool.assess import assess, score_map
from planning.pool.words import say

BELOW = {"division": "section", "section": "deputy_section", "deputy_section": "staff"}
APPOINT_COLUMNS = ["vacancy_id", "cadre_id", "from_pool", "reason"]
_FILL = 1_000_000.0  # a filled post outweighs everything below
_POOL = 10_000.0  # a pool member outweighs any score difference


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def solve_assignment(weight: dict[tuple[int, int], float]) -> list[tuple[int, int]]:
    """Max-weight matching over (row, column) pairs, each row and each column used at most once.
    The bipartite matching polytope is integral: HiGHS's simplex solves the LP to an integral vertex
    (one column per pair, one <= 1 row per cadre and per vacancy, handed over in bulk)."""
    if not weight:
        return []
    import highspy

    from planning.model.solve import _new_highs

    pairs = sorted(weight)
    rows = sorted({i for i, _ in pairs})
    cols = sorted({j for _, j in pairs})
    r_at = {i: k for k, i in enumerate(rows)}
    c_at = {j: len(rows) + k for k, j in enumerate(cols)}
    n = len(pairs)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(rows) + len(cols)
    lp.col_cost_ = np.array([weight[p] for p in pairs], dtype=float)
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
    lp.row_lower_ = np.full(lp.num_row_, -highspy.kHighsInf)
    lp.row_upper_ = np.ones(lp.num_row_)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 2 * n + 1, 2, dtype=np.int32)
    lp.a_matrix_.index_ = np.array([x for i, j in pairs for x in (r_at[i], c_at[j])], dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(2 * n)
    h = _new_highs(600.0, 1, 1, False, {"solver": "simplex"})
    h.passModel(lp)
    h.run()
    col = h.getSolution().col_value
    return [p for p, v in zip(pairs, col) if v > 0.5]


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
    levels, units = cad["level"].to_numpy(dtype=object), cad["unit_id"].to_numpy(dtype=object)
    fields = np.array(field, dtype=object)
    base = np.array([(_POOL if p else 0.0) + pct.get(c, 0.0) for p, c in zip(pool, cad["cadre_id"])])
    for j, v in vac.iterrows():
        below = BELOW.get(v["level"])
        vf = _text(v.get("field"))
        promo = levels == below
        ok = promo | ((levels == v["level"]) & (units != v["unit_id"]))
        w = (_FILL + base + np.where(promo, bb, 0.0) + np.where(units == v["unit_id"], ub, 0.0)
             + (np.where(fields == vf, fb, 0.0) if vf else 0.0))
        idx = np.flatnonzero(ok)
        # the best n_vac by weight, ties by cadre_id (the frame is sorted by it): a stable sort on -w
        for i in idx[np.argsort(-w[idx], kind="stable")[:n_vac]]:
            weight[(int(i), j)] = float(w[i])
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
