"""Derived facts per cadre, each rule at its boundaries (plan year 2027, default policy)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from planning import facts as f
from planning.data.load import load_dataset
from planning.policy import default_policy

YEAR = 2027
P = default_policy()


def history(*rows) -> pd.DataFrame:
    """A hand-made history frame: rows of (cadre_id, year, kind, hours, topic)."""
    return pd.DataFrame([{"cadre_id": c, "year": y, "kind": k, "hours": h, "topic": t} for c, y, k, h, t in rows],
                        columns=["cadre_id", "year", "kind", "hours", "topic"])


# --------------------------------------------------------------------------- people
@pytest.mark.parametrize("birth_year, young", [(YEAR - 35, True), (YEAR - 36, False), (YEAR - 20, True)])
def test_young_means_35_or_younger_in_the_plan_year(birth_year, young):
    assert f.age(birth_year, YEAR) == YEAR - birth_year
    assert f.is_young(birth_year, YEAR, P) is young


def test_young_age_follows_the_policy():
    assert f.is_young(YEAR - 40, YEAR, P.with_overrides({"people.young_max_age": 40}))


@pytest.mark.parametrize("promoted_on, newly", [
    (dt.date(YEAR - 1, 1, 1), True), (dt.date(YEAR - 2, 12, 31), False), (dt.date(YEAR, 6, 1), True),
    (None, False), (pd.NaT, False), (float("nan"), False),
])
def test_newly_promoted_on_or_after_1_january_of_last_year(promoted_on, newly):
    assert f.is_newly_promoted(promoted_on, YEAR, P) is newly


def test_newly_promoted_window_follows_the_policy():
    two = P.with_overrides({"people.newly_promoted_years": 2})
    assert f.is_newly_promoted(dt.date(YEAR - 2, 1, 1), YEAR, two)
    assert not f.is_newly_promoted(dt.date(YEAR - 3, 12, 31), YEAR, two)


# --------------------------------------------------------------------------- the five-year cycle
def test_overdue_means_no_class_in_the_four_previous_years():
    h = history(("A", YEAR - 4, "class", 40, "x"),  # just inside year-4 … year-1
                ("B", YEAR - 5, "class", 40, "x"),  # just outside
                ("C", YEAR - 1, "rotation", 0, "x"), ("C", YEAR - 2, "online", 30, "y"))  # not classes
    last = f.last_class_years(h)
    assert last == {"A": YEAR - 4, "B": YEAR - 5}
    assert not f.is_overdue("A", last, YEAR, P)
    assert f.is_overdue("B", last, YEAR, P)
    assert f.is_overdue("C", last, YEAR, P)
    assert f.is_overdue("nobody", last, YEAR, P)


def test_class_history_keeps_only_class_rows():
    h = history(("A", 2025, "class", 1, "t"), ("A", 2025, "online", 1, "t"), ("A", 2025, "Class", 1, "t"))
    assert len(f.class_history(h)) == 2
    assert len(f.class_history(h.iloc[:0])) == 0


# --------------------------------------------------------------------------- requirement
@pytest.mark.parametrize("prior, needed", [(0, 550), (400, 150), (550, 0), (700, 0)])
def test_division_requirement_is_550_minus_the_four_previous_years(prior, needed):
    assert f.division_required_hours(prior, P) == needed


def test_prior_hours_count_four_previous_years_of_classes_only():
    h = history(("A", YEAR - 4, "class", 100, "a"), ("A", YEAR - 1, "class", 50, "b"),
                ("A", YEAR - 5, "class", 400, "c"),  # older than four years: ignored
                ("A", YEAR - 2, "online", 70, "d"), ("A", YEAR - 2, "rotation", 300, "e"),  # not classes
                ("A", YEAR - 3, "class", None, "f"),  # hours unknown: 0
                ("B", YEAR - 3, "class", 20, "g"))
    assert f.prior_class_hours(h, YEAR, P) == {"A": 150.0, "B": 20.0}


def test_requirement_by_level():
    assert f.requirement("section", 999, P) == ("days", 12.0, 90.0)
    assert f.requirement("staff", 0, P.with_overrides({"requirement.annual_days": 60})) == ("days", 60.0, 90.0)
    assert f.requirement("division", 400, P) == ("hours", 0.0, 150.0)
    assert f.requirement("division", 600, P) == ("hours", 0.0, 0.0)


# --------------------------------------------------------------------------- rotation, priority, topics
@pytest.mark.parametrize("years, direction", [(2, "higher_level"), (1.99, "grassroots"), (0, "grassroots"),
                                              (10, "higher_level")])
def test_rotation_direction_threshold_is_2_grassroots_years(years, direction):
    assert f.rotation_direction(years, P) == direction


def test_rotation_threshold_follows_the_policy():
    assert f.rotation_direction(2, P.with_overrides({"rotation.grassroots_threshold_years": 3})) == "grassroots"


@pytest.mark.parametrize("flags, weight", [
    ((False, False, False, False, False), 1),
    ((True, False, False, False, False), 9),
    ((False, True, True, False, False), 6),
    ((True, True, True, True, True), 1 + 8 + 3 + 2 + 3 + 2),
])
def test_priority_weight_is_base_plus_group_bonuses(flags, weight):
    assert f.priority_weight(*flags, P) == weight


def test_topics_taken_casefolded_and_from_classes_only():
    h = history(("A", 2025, "class", 10, " Party History "), ("A", 2024, "class", 10, "ECONOMICS"),
                ("A", 2025, "online", 10, "Law"), ("A", 2023, "class", 10, ""), ("B", 2025, "rotation", 0, "Law"))
    assert f.topics_taken(h) == {"A": frozenset({"party history", "economics"})}


# --------------------------------------------------------------------------- all facts of a data set
def test_cadre_facts_of_a_loaded_data_set(tmp_path, write_dataset):
    path = write_dataset(
        tmp_path,
        cadres=[
            {"cadre_id": "C1", "birth_year": YEAR - 35, "grassroots_years": 2, "promoted_on": f"{YEAR - 1}-01-01",
             "is_reserve": "yes"},
            {"cadre_id": "C2", "level": "division", "birth_year": YEAR - 36, "grassroots_years": 0,
             "promoted_on": f"{YEAR - 2}-12-31", "is_key_post": "Y"},
        ],
        history=[
            {"cadre_id": "C1", "year": YEAR - 4, "kind": "class", "hours": 40, "topic": "Economics"},
            {"cadre_id": "C2", "year": YEAR - 4, "kind": "class", "hours": 300, "topic": "Law"},
            {"cadre_id": "C2", "year": YEAR - 1, "kind": "class", "hours": 100, "topic": "Party history"},
            {"cadre_id": "C2", "year": YEAR - 5, "kind": "class", "hours": 500, "topic": "Old"},
            {"cadre_id": "C2", "year": YEAR - 1, "kind": "online", "hours": 70, "topic": "Online"},
        ],
    )
    ds = load_dataset(path, YEAR)
    facts = f.cadre_facts(ds.cadres, ds.history, YEAR, P)
    assert list(facts.index) == ["C1", "C2"]
    c1, c2 = facts.loc["C1"], facts.loc["C2"]
    assert (c1["age"], c1["young"], c1["newly_promoted"], c1["reserve"], c1["key_post"]) == (35, True, True, True, False)
    assert (c2["age"], c2["young"], c2["newly_promoted"], c2["reserve"], c2["key_post"]) == (36, False, False, False, True)
    assert not c1["overdue"] and c1["last_class_year"] == YEAR - 4
    assert (c1["measure"], c1["required_days"], c1["required_hours"], c1["has_requirement"]) == ("days", 12, 90, True)
    assert (c2["measure"], c2["required_hours"], c2["prior_division_hours"]) == ("hours", 150.0, 400.0)
    assert c1["rotation_direction"] == "higher_level" and c2["rotation_direction"] == "grassroots"
    assert c2["topics_taken"] == frozenset({"law", "party history", "old"})
    assert c1["weight"] == 1 + 3 + 2 + 3 and c2["weight"] == 1 + 2
    groups = f.priority_groups(facts)
    assert list(groups) == ["overdue", "reserve", "young", "newly_promoted", "key_post"]
    assert groups["reserve"].to_dict() == {"C1": True, "C2": False}


def test_division_cadre_with_enough_hours_has_nothing_required(tmp_path, write_dataset):
    path = write_dataset(tmp_path, cadres=[{"cadre_id": "C1", "level": "division"}],
                         history=[{"cadre_id": "C1", "year": YEAR - 2, "hours": 560}])
    ds = load_dataset(path, YEAR)
    row = f.cadre_facts(ds.cadres, ds.history, YEAR, P).loc["C1"]
    assert row["required_hours"] == 0 and not row["has_requirement"]


def test_cadre_facts_without_history_or_cadres(tmp_path, write_dataset):
    ds = load_dataset(write_dataset(tmp_path), YEAR)
    facts = f.cadre_facts(ds.cadres, ds.history, YEAR, P)
    assert facts["overdue"].all() and facts["topics_taken"].map(len).eq(0).all()
    assert facts.loc["C2", "required_hours"] == 550
    empty = f.cadre_facts(ds.cadres.iloc[:0], ds.history, YEAR, P)
    assert len(empty) == 0 and "weight" in empty.columns
