"""Solving the PuLP model with HiGHS or CBC, honestly.

HiGHS is driven through `highspy` with the PuLP model handed over in bulk (one CSR
matrix rather than one call per row), which lets us warm-start it and read its proven
bound. CBC runs through PuLP's `PULP_CBC_CMD` with a MIP start; its bound is read from
its log. Status is `optimal` only when the proven relative gap is within `solver.gap`.
"""
from __future__ import annotations

import math
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass

import highspy
import numpy as np
import pulp

from planning.model.rules import Model


@dataclass
class SolveResult:
    status: str  # optimal | feasible | infeasible | error
    objective: float | None
    best_bound: float | None
    gap: float | None
    solver: str
    solve_seconds: float
    values: dict[str, float] | None  # variable name -> value
    message: str = ""


def quiet_highs() -> "highspy.Highs":
    """A new `highspy.Highs`. HiGHS prints its copyright banner on the first one a process
    makes, straight to file descriptor 1 (so into notebooks and command output even with
    output_flag off); that first construction writes to /dev/null instead."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return highspy.Highs()
    _BANNER_SHOWN = True
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - a closed stdout must not stop a solve
        pass
    try:
        saved = os.dup(1)
    except OSError:
        return highspy.Highs()
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_BANNER_SHOWN = False


def relative_gap(obj: float | None, bound: float | None) -> float | None:
    if obj is None or bound is None or not math.isfinite(obj) or not math.isfinite(bound):
        return None
    return abs(bound - obj) / max(1.0, abs(obj))


def plan_status(objective: float | None, bound: float | None, tol: float) -> tuple[str, float | None]:
    """The one place a plan is called optimal: (status, relative gap). "optimal" when the proven
    bound lies within `tol` (solver.gap) of the plan's objective, else "feasible"."""
    gap = relative_gap(objective, bound)
    return ("optimal" if gap is not None and gap <= tol + 1e-12 else "feasible"), gap


def stop_reason(status: str, gap: float | None, tol: float, solve_seconds: float, time_limit: float,
                message: str = "") -> str:
    """Why the solve ended, for the status line: "optimal" (no gap left), "gap" (proven within
    solver.gap), "time" (the time limit was reached: the solver said so, or the run used at least
    95 % of solver.time_limit), "steps" (the heuristics ran their set numbers of steps and stopped
    on their own, well inside the time limit), or "none" (no plan)."""
    if status not in ("optimal", "feasible"):
        return "none"
    if gap is not None and gap <= 1e-9:
        return "optimal"
    if status == "optimal" and gap is not None and gap <= tol + 1e-12:
        return "gap"
    if "time limit" in (message or "").lower() or solve_seconds >= 0.95 * time_limit:
        return "time"
    return "steps"


def _to_highs(m: Model):
    """The PuLP model as one highspy model, handed over in bulk (CSR rows)."""
    lp = m.lp
    variables = lp.variables()
    index = {v.name: k for k, v in enumerate(variables)}
    n = len(variables)
    cost = np.zeros(n)
    for v, c in lp.objective.items():
        cost[index[v.name]] = c
    lower = np.array([(-highspy.kHighsInf if v.lowBound is None else v.lowBound) for v in variables], dtype=float)
    upper = np.array([(highspy.kHighsInf if v.upBound is None else v.upBound) for v in variables], dtype=float)
    starts, idx, val, rlo, rup = [0], [], [], [], []
    for con in lp.constraints.values():
        for v, c in con.items():
            if c:
                idx.append(index[v.name])
                val.append(c)
        starts.append(len(idx))
        rhs = -con.constant
        if con.sense == pulp.LpConstraintLE:
            rlo.append(-highspy.kHighsInf), rup.append(rhs)
        elif con.sense == pulp.LpConstraintGE:
            rlo.append(rhs), rup.append(highspy.kHighsInf)
        else:
            rlo.append(rhs), rup.append(rhs)
    hlp = highspy.HighsLp()
    hlp.num_col_, hlp.num_row_ = n, len(rlo)
    hlp.col_cost_ = cost
    hlp.col_lower_, hlp.col_upper_ = lower, upper
    hlp.row_lower_, hlp.row_upper_ = np.array(rlo, dtype=float), np.array(rup, dtype=float)
    hlp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    hlp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    hlp.a_matrix_.index_ = np.array(idx, dtype=np.int32)
    hlp.a_matrix_.value_ = np.array(val, dtype=float)
    hlp.integrality_ = [highspy.HighsVarType.kInteger if v.cat == pulp.LpInteger else highspy.HighsVarType.kContinuous
                        for v in variables]
    hlp.sense_ = highspy.ObjSense.kMaximize if lp.sense == pulp.LpMaximize else highspy.ObjSense.kMinimize
    hlp.offset_ = float(lp.objective.constant or 0.0)
    return hlp, variables


def _new_highs(time_limit: float, threads: int, seed: int, msg: bool, options: dict | None):
    # HiGHS keeps one global thread pool; a solve with another thread count than the last
    # one fails ("Not Set") unless the pool is reset first.
    highspy.Highs.resetGlobalScheduler(True)
    h = highspy.Highs() if msg else quiet_highs()
    h.setOptionValue("output_flag", bool(msg))
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    for k, v in (options or {}).items():
        h.setOptionValue(k, v)
    return h


def solve_highs(m: Model, *, time_limit: float, gap: float, threads: int, seed: int, msg: bool = False,
                warm_start: dict[str, float] | None = None, options: dict | None = None) -> SolveResult:
    hlp, variables = _to_highs(m)
    h = _new_highs(time_limit, threads, seed, msg, {"mip_rel_gap": float(gap), **(options or {})})
    h.passModel(hlp)
    if warm_start:
        sol = highspy.HighsSolution()
        sol.col_value = [float(warm_start.get(v.name, 0.0)) for v in variables]
        sol.value_valid = True
        h.setSolution(sol)
    t0 = time.perf_counter()
    h.run()
    secs = time.perf_counter() - t0
    status = h.getModelStatus()
    info = h.getInfo()
    S = highspy.HighsModelStatus
    if status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return SolveResult("infeasible", None, None, None, "highs", secs, None, "HiGHS proved the hard rules infeasible")
    bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if not has_sol:
        return SolveResult("error", None, bound, None, "highs", secs, None,
                           f"HiGHS found no plan ({h.modelStatusToString(status)})")
    col = h.getSolution().col_value
    values = {v.name: float(col[k]) for k, v in enumerate(variables)}
    # the objective of the plan handed back, not HiGHS's objective_function_value: after a warm
    # start HiGHS 1.16 can report a value its solution does not reach (tests/test_encodings.py found
    # 1516.34 for a plan worth 1516.09: one class's cost term)
    obj = float(np.dot(hlp.col_cost_, np.asarray(col, dtype=float)) + hlp.offset_)
    if status == S.kOptimal and bound is None:
        bound = obj
    plan, g = plan_status(obj, bound, gap)
    return SolveResult(plan, obj, bound, g, "highs", secs, values,
                       h.modelStatusToString(status))


_CBC_BOUND = re.compile(r"(?:Lower|Upper) bound:\s*(-?[\d.eE+]+)")


def solve_cbc(m: Model, *, time_limit: float, gap: float, threads: int, seed: int, msg: bool = False,
              warm_start: dict[str, float] | None = None) -> SolveResult:
    lp = m.lp
    if warm_start:
        for v in lp.variables():
            v.setInitialValue(warm_start.get(v.name, 0.0))
    with tempfile.TemporaryDirectory(prefix="cbc-") as tmp:
        log = os.path.join(tmp, "cbc.log")
        solver = pulp.PULP_CBC_CMD(msg=bool(msg), timeLimit=float(time_limit), gapRel=float(gap), threads=int(threads),
                                   warmStart=bool(warm_start), logPath=log, options=[f"randomCbcSeed {int(seed) or 1}"])
        t0 = time.perf_counter()
        try:
            code = lp.solve(solver)
        except pulp.PulpSolverError as e:
            return SolveResult("error", None, None, None, "cbc", time.perf_counter() - t0, None, f"CBC failed: {e}")
        secs = time.perf_counter() - t0
        text = open(log, encoding="utf-8", errors="replace").read() if os.path.exists(log) else ""
    if code == pulp.LpStatusInfeasible or "Result - Problem proven infeasible" in text:
        return SolveResult("infeasible", None, None, None, "cbc", secs, None, "CBC proved the hard rules infeasible")
    bound = None
    mb = _CBC_BOUND.findall(text)
    if mb:
        # CBC prints the bound on the side of the optimisation: "Upper bound" for a maximisation
        b = float(mb[-1])
        bound = -b if lp.sense == pulp.LpMaximize and "Lower bound" in text and b < 0 else b
    if lp.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return SolveResult("error", None, bound, None, "cbc", secs, None, "CBC found no plan in the time limit")
    values = {v.name: float(v.varValue or 0.0) for v in lp.variables()}
    obj = float(pulp.value(lp.objective))
    if lp.sol_status == pulp.LpSolutionOptimal and "Optimal solution found" in text and bound is None:
        bound = obj
    if lp.sol_status == pulp.LpSolutionOptimal and "Result - Optimal solution found" in text:
        bound = bound if bound is not None else obj
    status, g = plan_status(obj, bound, gap)
    return SolveResult(status, obj, bound, g, "cbc", secs, values)


SOLVERS = {"highs": solve_highs, "cbc": solve_cbc}
