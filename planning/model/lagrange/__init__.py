"""Lagrangian relaxation: a proven bound and price-guided plans, for rosters of any size.

The rules that tie cadres together are *priced* instead of enforced: a price λ per dated
class option and per rotation post (seats, slots; a windowed class offers its seats on one of
its dates), μ per (unit, day) (the absence cap) and β per yuan (the budget). What is left falls
apart into one small problem per cadre: the best set of options that do not overlap, differ in
topic, hold at most `rotation.max_per_year` rotations and honour the cadre's `must` pins, valued
by the model's own objective (`rules.set_objective`) minus the prices of what it uses. For any
prices ≥ 0, weak duality gives

    L = Σ_cadres best_i(prices) + Σ_activities seats · max_dates λ + Σ_(unit, day) cap · μ + β · budget
      ≥ the objective of every valid plan

(minimum class sizes are dropped, which can only raise L). Subgradient steps with a Polyak
step length lower it; the best L is the bound reported. Because each cadre's problem is solved
whole — a bundle meets the requirement or it does not — this bound is far tighter than the LP
relaxation, whose fractional `met` variables give credit for half a class.

The per-cadre problems are solved exactly by a depth-first search over the cadre's options in
increasing price (compiled with numba): once a set is found, no set whose prices already add
up to more can beat it, so the search ends after a handful of nodes. The same search, with the
seats, unit days and budget still free, builds plans (`construct`): cadres in priority order
take the bundle that is best for them *at the current prices*, so contested seats and busy unit
days go to those who gain most from them, and a windowed class drifts to the dates on which the
people it serves are free. A second pass lets every cadre still short re-choose at cost only.
Last, the seat repair (`repair`) lets each cadre take their best set even in full classes, each
full class's trainee who loses least moving to a set of their own.

Where each part lives:
- `data.py` — `prepare`: the problem as flat arrays (`LagrangeData`), and `objective` of a plan;
- `kernels.py` — the compiled per-cadre search (`_search`, `_class_dfs`) and `_solve_all`;
- `construct.py` — `construct`: a valid plan built at given prices (`_construct`);
- `repair.py` — `repair`: ejection moves on a plan, cadre by cadre (chains for those short);
- `dual.py` — `relax`: the subgradient steps (`_Dual`) and their rounds with the master LP;
- `master.py` — the master LP over the bundles seen (column generation): prices from its duals;
- `dates.py` — one date per windowed class by demand, and the date descent.
"""
from planning.model.lagrange.construct import construct
from planning.model.lagrange.data import EPS, LagrangeData, objective, positions, prepare
from planning.model.lagrange.dual import LagrangeResult, relax
from planning.model.lagrange.kernels import MAX_DEPTH, NODE_LIMIT, SEARCH_TOL, _req_value, _solve, set_threads
from planning.model.lagrange.repair import repair, warm_up

__all__ = ["EPS", "MAX_DEPTH", "NODE_LIMIT", "SEARCH_TOL", "LagrangeData", "LagrangeResult", "construct",
           "objective", "positions", "prepare", "relax", "repair", "set_threads", "warm_up", "_req_value", "_solve"]
