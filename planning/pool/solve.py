"""The pool's small PuLP models solved with HiGHS in-process and silently (planning.model.solve's
translation of a PuLP problem, one thread: the same model gives the same answer)."""
from __future__ import annotations

from types import SimpleNamespace

import highspy
import pulp

from planning.model.solve import _new_highs, _to_highs


def solve(lp: pulp.LpProblem, time_limit: float = 60.0) -> dict[str, float] | None:
    """Variable values of an optimal solution, or None when the model is infeasible."""
    hlp, variables = _to_highs(SimpleNamespace(lp=lp))
    h = _new_highs(time_limit, 1, 1, False, {"mip_rel_gap": 0.0})
    h.passModel(hlp)
    h.run()
    status = h.getModelStatus()
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return None
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS: {h.modelStatusToString(status)}")
    col = h.getSolution().col_value
    return {v.name: float(col[k]) for k, v in enumerate(variables)}
