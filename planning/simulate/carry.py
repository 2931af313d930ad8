"""Carrying out a year's plan: which trainees withdraw (leave over the policy share of the class
hours, so no credit). The result is an attendance table that planning.inyear.close_year reads,
so the simulation credits exactly as `planning close-year` does."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planning.data.dataset import ROW
from planning.policy import Policy


def draw_attendance(plan: pd.DataFrame, policy: Policy, rng: np.random.Generator) -> pd.DataFrame:
    """Attendance rows (cadre_id, activity_id, attended, leave_hours) for the class assignments
    drawn to withdraw: each with probability simulation.withdrawal_share, taking one hour more
    leave than requirement.leave_max_share of the class hours allows. Assignments without a row
    are carried out as planned."""
    cls = plan[plan["kind"] == "class"]
    share = float(policy["simulation.withdrawal_share"])
    out = cls[rng.random(len(cls)) < share]
    limit = float(policy["requirement.leave_max_share"])
    # one whole hour over the limit (5 hours of a 35-hour class is exactly 1/7, not over it: 6)
    leave = [float(math.floor(limit * float(h) + 0.01) + 1) for h in out["hours"]]
    att = pd.DataFrame({"cadre_id": list(out["cadre_id"]), "activity_id": list(out["activity_id"]),
                        "attended": [True] * len(out), "leave_hours": leave}, dtype=object)
    att[ROW] = pd.Series(range(2, len(att) + 2), dtype="int64")
    return att
