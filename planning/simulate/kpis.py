"""The KPIs of one simulated year, from the year's plan as carried out and the history after it.

Names (the `kpi` column of kpis.csv; shares in [0, 1]):
- requirement_met: share of the year's cadres who met the annual requirement with the classes
  credited to them (withdrawn trainees not); requirement_met_planned: as planned;
  requirement_met.<level>, requirement_met.<group> (overdue, reserve, young, newly_promoted, key_post);
- five_year_coverage: share with a credited class in the last requirement.general_cycle_years
  years (this one included); overdue: how many have none (the five-year cycle missed);
  five_year_coverage_planned, overdue_planned: the same with this year's classes as planned
  (withdrawn trainees counted): what the offer and the plan reach before attendance;
- division_550: share of division-level cadres with requirement.division_hours class hours in the
  last requirement.division_years years (this one included);
- rotations_filled, rotation_slots; reserve_young_rotated: share of reserve and young cadres
  with a rotation in their history (ever);
- pool_size, cadres, cost, seats_used, seats_offered, seat_use, withdrawn;
- retired, departed, promoted, vacancies_unfilled, hired, pool_joined (at the pool's review and
  its refill), pool_reviewed_out (left the pool at its review, in the years it is due): the
  world's events at the end of the year (planning.simulate.world).
"""
from __future__ import annotations

import pandas as pd

from planning.facts import class_history, is_young
from planning.pipeline import GROUPS, LEVEL_ORDER, PlanResult, coverage_table
from planning.policy import Policy


def _share(mask: pd.Series, of: pd.Series | None = None) -> float | None:
    if of is not None:
        mask = mask[of]
    return float(mask.mean()) if len(mask) else None


def requirement_kpis(result: PlanResult, record: pd.DataFrame) -> dict[str, float | None]:
    """Met shares with the credited classes (the requirement rule of model.core, via coverage_table)."""
    credited = set(zip(record.loc[record["status"] == "credited", "cadre_id"],
                       record.loc[record["status"] == "credited", "activity_id"]))
    plan = result.plan
    done = plan[[(c, a) in credited for c, a in zip(plan["cadre_id"], plan["activity_id"])]]
    cov = coverage_table(result.problem, done)
    met = cov["met"].astype(bool)
    out: dict[str, float | None] = {"requirement_met": _share(met),
                                    "requirement_met_planned": float(result.summary["requirement_met_share"])}
    for lv in LEVEL_ORDER:
        out[f"requirement_met.{lv}"] = _share(met, cov["level"] == lv)
    for g in GROUPS:
        out[f"requirement_met.{g}"] = _share(met, cov[g].astype(bool))
    return out


def cycle_kpis(cadres: pd.DataFrame, history: pd.DataFrame, year: int, policy: Policy,
               planned: set[str] | frozenset[str] = frozenset()) -> dict[str, float | None]:
    """Five-year coverage, the overdue count and the division 550-hour compliance at the end of
    `year`; `planned`: the cadres with a class in this year's plan (withdrawn or not), for the
    coverage as planned."""
    h = class_history(history)
    yrs = pd.to_numeric(h["year"], errors="coerce")
    cycle = h[yrs > year - int(policy["requirement.general_cycle_years"])]
    trained = set(cycle["cadre_id"])
    ids = cadres["cadre_id"]
    covered = ids.isin(trained)
    reached = covered | ids.isin(planned)
    window = h[yrs > year - int(policy["requirement.division_years"])]
    hours = pd.to_numeric(window["hours"], errors="coerce").fillna(0.0).groupby(window["cadre_id"]).sum()
    div = cadres[cadres["level"] == "division"]["cadre_id"]
    ok = div.map(hours).fillna(0.0) >= float(policy["requirement.division_hours"]) - 1e-6
    return {"five_year_coverage": _share(covered), "overdue": float((~covered).sum()),
            "five_year_coverage_planned": _share(reached), "overdue_planned": float((~reached).sum()),
            "division_550": _share(ok)}


def rotation_kpis(result: PlanResult, cadres: pd.DataFrame, history: pd.DataFrame, year: int,
                  policy: Policy) -> dict[str, float | None]:
    rotated = {c for c, k in zip(history["cadre_id"], history["kind"]) if str(k or "").casefold() == "rotation"}
    target = pd.Series([bool(r) or is_young(b, year, policy)
                        for r, b in zip(cadres["is_reserve"], cadres["birth_year"])],
                       dtype=bool)
    ever = pd.Series([c in rotated for c in cadres["cadre_id"]], dtype=bool)
    s = result.summary
    return {"rotations_filled": float(s["rotations_filled"]), "rotation_slots": float(s["rotation_slots"]),
            "reserve_young_rotated": _share(ever, target)}


def year_kpis(result: PlanResult, record: pd.DataFrame, closed_history: pd.DataFrame, year: int,
              policy: Policy, events: dict[str, int]) -> dict[str, float | None]:
    """Every KPI of the year (see the module docstring). `closed_history`: the history after the
    year was closed (this year's credited rows in it); `events`: the world's counts."""
    cadres = result.data.cadres
    s = result.summary
    out = requirement_kpis(result, record)
    plan = result.plan
    planned = frozenset(plan.loc[plan["kind"] == "class", "cadre_id"])
    out.update(cycle_kpis(cadres, closed_history, year, policy, planned))
    out.update(rotation_kpis(result, cadres, closed_history, year, policy))
    offered = float(s["seats_offered"])
    out.update({"pool_size": float(cadres["is_reserve"].astype(bool).sum()), "cadres": float(len(cadres)),
                "cost": float(s["cost"]), "seats_used": float(s["seats_used"]), "seats_offered": offered,
                "seat_use": float(s["seats_used"]) / offered if offered else None,
                "withdrawn": float((record["status"] == "withdrawn").sum())})
    out.update({k: float(v) for k, v in events.items()})
    return out
