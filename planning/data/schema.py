"""The data contract's tables and columns (../shared/DATA_CONTRACT.md), as data.

Each column names its type; `present` says whether the column must be in the file
(optional columns may be absent altogether), `nonempty` whether a value is required.
"""
from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("division", "section", "deputy_section", "staff")
MODES = ("full_time", "weekend")
DIRECTIONS = ("grassroots", "higher_level")
HISTORY_KINDS = ("class", "rotation", "online")
PIN_RULES = ("must", "must_not")
COURSE_SCORE = (1, 5)  # course_ratings.score: whole points
TRAINEE_SCORE = (0, 100)  # trainee_ratings.score
TYPES = ("text", "int", "number", "date", "bool", "list")
# reserve pool (planning/pool/): the seven assessment dimensions, candidate sources, genders
DIMENSIONS = ("task_objectives", "daily_performance", "collective_activities", "learning_ability",
              "urgent_tasks", "democratic_appraisal", "others_comments")
SOURCES = ("recommendation", "selection_passed", "assessment_found")
GENDERS = ("F", "M")
ASSESSMENT_SCORE = (0, 100)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    present: bool = True  # the column must exist in the file
    nonempty: bool = True  # a value is required in every row

    def __post_init__(self) -> None:
        assert self.type in TYPES, self.type


@dataclass(frozen=True)
class Table:
    name: str
    required: bool
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, type_: str, present: bool = True, nonempty: bool = True) -> Column:
    return Column(name, type_, present, nonempty)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("cadres", True, (
            _c("cadre_id", "text"), _c("name", "text", nonempty=False), _c("unit_id", "text"),
            _c("level", "text"), _c("birth_year", "int"), _c("is_reserve", "bool", nonempty=False),
            _c("is_key_post", "bool", nonempty=False), _c("promoted_on", "date", present=False, nonempty=False),
            _c("grassroots_years", "number"),
            _c("gender", "text", present=False, nonempty=False), _c("field", "text", present=False, nonempty=False),
            _c("pool_joined", "int", present=False, nonempty=False),
        )),
        Table("units", True, (
            _c("unit_id", "text"), _c("name", "text", nonempty=False), _c("district", "text"),
            _c("max_absent_share", "number", present=False, nonempty=False),
        )),
        Table("classes", True, (
            _c("class_id", "text"), _c("title", "text", nonempty=False), _c("topic", "text"), _c("mode", "text"),
            _c("start_date", "date", nonempty=False), _c("end_date", "date", nonempty=False),
            _c("window_start", "date", present=False, nonempty=False),
            _c("window_end", "date", present=False, nonempty=False),
            _c("days", "number"), _c("hours", "number"), _c("capacity", "int"),
            _c("min_size", "int", present=False, nonempty=False), _c("levels", "list", nonempty=False),
            _c("institution", "text", present=False, nonempty=False),
            _c("cost_per_trainee", "number", present=False, nonempty=False),
        )),
        Table("rotations", False, (
            _c("post_id", "text"), _c("title", "text", nonempty=False), _c("direction", "text"),
            _c("category", "text", nonempty=False), _c("start_date", "date"), _c("end_date", "date"),
            _c("slots", "int"), _c("levels", "list", nonempty=False),
        )),
        Table("blackouts", False, (
            _c("start_date", "date"), _c("end_date", "date"), _c("scope", "text"),
            _c("reason", "text", nonempty=False),
        )),
        Table("busy", False, (
            _c("cadre_id", "text"), _c("start_date", "date"), _c("end_date", "date"),
            _c("reason", "text", nonempty=False),
        )),
        Table("history", False, (
            _c("cadre_id", "text"), _c("year", "int"), _c("activity_id", "text", nonempty=False),
            _c("topic", "text", nonempty=False), _c("kind", "text"), _c("days", "number", nonempty=False),
            _c("hours", "number", nonempty=False),
        )),
        Table("holidays", False, (_c("date", "date"), _c("name", "text", nonempty=False))),
        Table("pins", False, (_c("cadre_id", "text"), _c("activity_id", "text"), _c("rule", "text"))),
        # activities (planning/activities/): online learning hours and the two-way evaluation of training.
        # `year` and `institution` of a rating are optional extras (the contract accepts more): a rating of
        # an earlier year's class names what the classes table of this year cannot tell.
        Table("online", False, (_c("cadre_id", "text"), _c("year", "int"), _c("hours", "number"))),
        Table("course_ratings", False, (
            _c("class_id", "text"), _c("cadre_id", "text"), _c("score", "int"),
            _c("comment", "text", present=False, nonempty=False), _c("year", "int", present=False, nonempty=False),
            _c("institution", "text", present=False, nonempty=False),
        )),
        Table("trainee_ratings", False, (
            _c("class_id", "text"), _c("cadre_id", "text"), _c("score", "number"),
            _c("year", "int", present=False, nonempty=False),
        )),
        # in-year operations (planning/inyear/): what actually happened to the plan's assignments
        Table("attendance", False, (
            _c("cadre_id", "text"), _c("activity_id", "text"), _c("attended", "bool", nonempty=False),
            _c("leave_hours", "number", present=False, nonempty=False),
        )),
        # reserve pool (planning/pool/): assessment, a selection round, leadership vacancies
        Table("assessments", False, (
            _c("cadre_id", "text"), _c("year", "int"), _c("dimension", "text"), _c("score", "number"),
        )),
        Table("candidates", False, (
            _c("cadre_id", "text"), _c("source", "text"), _c("votes", "int", nonempty=False),
            _c("voters", "int", nonempty=False), _c("exam_score", "number", nonempty=False),
        )),
        Table("vacancies", False, (
            _c("vacancy_id", "text"), _c("unit_id", "text"), _c("level", "text"),
            _c("field", "text", present=False, nonempty=False), _c("opens_on", "date"),
        )),
    )
}

TABLE_ORDER = list(TABLES)
