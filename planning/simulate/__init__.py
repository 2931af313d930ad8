"""Five-year simulation: plan each year with the planner, carry it out, close it into next
year's data set and move the world on — over many seeded runs and offer scales — to answer
"does everyone get trained within five years, and what offer does that take?"."""
from __future__ import annotations

from planning.simulate.run import (KPI_COLUMNS, MODES, SimulationError, SimulationResult, Spec, prepare, scale_offer,
                                   simulate, simulate_years, year_policy)

__all__ = ["KPI_COLUMNS", "MODES", "SimulationError", "SimulationResult", "Spec", "prepare", "scale_offer", "simulate",
           "simulate_years", "year_policy"]
