"""The reserve-cadre pool (issue 16): assessment, selection, rolling review, vacancies.

Pure functions on a loaded data set (planning.data.dataset.Dataset), so the simulation calls them in memory:
assess(data, year, policy) -> scores; fill_vacancies(data, year, policy, ...) -> appointments."""
from planning.pool.assess import ASSESS_COLUMNS, assess, composites
from planning.pool.fill import APPOINT_COLUMNS, fill_vacancies

__all__ = ["ASSESS_COLUMNS", "APPOINT_COLUMNS", "assess", "composites", "fill_vacancies"]
