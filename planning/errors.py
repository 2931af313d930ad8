"""Typed errors that name what is wrong in words a planner understands."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the input: table, row as the user sees it (header = 1), column."""

    table: str
    row: int | None
    column: str | None
    message: str
    severity: str = "error"  # "error" or "warning"
    code: str = field(default="", compare=False)  # a warning's code in planning.messages ("" = English only)
    values: dict = field(default_factory=dict, compare=False, hash=False)

    def note(self) -> dict:
        """The problem as summary.json's `warning_notes` holds it: {code, values, where}."""
        return {"code": self.code, "values": dict(self.values), "where": [self.table, self.row, self.column]}

    def text(self, lang: str = "en") -> str:
        """The problem in `lang` (by its code; a problem without one in English)."""
        if not self.code or lang == "en":
            return str(self)
        from planning.messages import note_text

        return note_text(self.note(), lang)

    def __str__(self) -> str:
        where = [self.table]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


# Problems are listed in the data contract's order of tables; problems with the data set as a whole first.
_TABLE_ORDER = ("data set", "workbook", "cadres", "units", "classes", "rotations", "blackouts", "busy", "history",
                "holidays", "pins", "online", "course_ratings", "trainee_ratings", "attendance",
                "assessments", "candidates", "vacancies")


def problem_order(p: Problem) -> tuple:
    """Sort key: table (contract order), row, column, message."""
    rank = _TABLE_ORDER.index(p.table) if p.table in _TABLE_ORDER else len(_TABLE_ORDER)
    return (rank, p.table, p.row or 0, p.column or "", p.message)


class PlanningError(Exception):
    """Base class of the planner's own errors."""

    exit_code = 1


class DataError(PlanningError):
    """The data set breaks the data contract. Carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=problem_order)
        lines = [str(p) for p in self.problems]
        super().__init__(f"{len(lines)} problem(s) in the data:\n" + "\n".join(lines))


class PolicyError(PlanningError):
    """A policy or scenario file names an unknown setting or gives a bad value."""

    exit_code = 2

    def __init__(self, messages: list[str] | str, source: str = "policy"):
        if isinstance(messages, str):
            messages = [messages]
        self.messages = list(messages)
        self.source = source
        super().__init__(f"{source}: " + "\n".join(self.messages))


class InfeasiblePlan(PlanningError):
    """The hard rules cannot all hold; `diagnosis` names the pins / rules in conflict."""

    exit_code = 3

    def __init__(self, diagnosis: list[str]):
        self.diagnosis = list(diagnosis)
        super().__init__("The hard rules cannot all hold:\n" + "\n".join(f"- {d}" for d in self.diagnosis))
