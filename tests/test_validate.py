"""Every rule of the data contract's tables, plus the warnings about legal but suspicious data.

The default data set (conftest): units U1, U2; cadres C1 (U1, section), C2 (U1, division),
C3 (U2, staff); one fixed-date full-time class K1 (2027-03-08 … 03-19).
"""
from __future__ import annotations

import datetime as dt

import pytest

from planning.data.load import load_dataset
from planning.data.validate import validate_dataset
from planning.errors import DataError

YEAR = 2027


@pytest.fixture
def errors(tmp_path, write_dataset):
    """errors(**tables) → {(table, row, column): message} of the DataError; {} when the data loads."""
    def run(**tables):
        path = write_dataset(tmp_path / f"d{len(list(tmp_path.iterdir()))}", **tables)
        try:
            load_dataset(path, YEAR)
        except DataError as e:
            return {(p.table, p.row, p.column): p.message for p in e.problems}
        return {}
    return run


@pytest.fixture
def warnings(tmp_path, write_dataset):
    """warnings(**tables) → {(table, row, column): message} of a data set that loads."""
    def run(**tables):
        path = write_dataset(tmp_path / f"d{len(list(tmp_path.iterdir()))}", **tables)
        ds = load_dataset(path, YEAR)
        assert all(w.severity == "warning" for w in ds.warnings)
        return {(w.table, w.row, w.column): w.message for w in ds.warnings}
    return run


CADRES = [{"cadre_id": "C1"}, {"cadre_id": "C2", "level": "division"}, {"cadre_id": "C3", "unit_id": "U2"}]


def test_default_data_set_is_valid_and_quiet(errors, warnings):
    assert errors() == {}
    assert warnings() == {}


# --------------------------------------------------------------------------- the acceptance test
def test_four_problems_in_one_data_set_are_all_reported(tmp_path, write_dataset):
    path = write_dataset(
        tmp_path,
        cadres=[{"cadre_id": "C1"}, {"cadre_id": "C1", "name": "Second Li"}, {"cadre_id": "C3", "unit_id": "U9"}],
        classes=[{"class_id": "K1", "start_date": "2027-13-01"}, {"class_id": "K2", "capacity": -5}],
    )
    with pytest.raises(DataError) as e:
        load_dataset(path, YEAR)
    err = e.value
    assert [(p.table, p.row, p.column) for p in err.problems] == [
        ("cadres", 3, "cadre_id"), ("cadres", 4, "unit_id"), ("classes", 2, "start_date"), ("classes", 3, "capacity"),
    ]
    text = str(err)
    assert text.startswith("4 problem(s) in the data:")
    assert "cadres, row 3, column cadre_id: 'C1' is used twice (also on row 2)" in text
    assert "cadres, row 4, column unit_id: 'U9' is not found in the units table" in text
    assert "classes, row 2, column start_date: '2027-13-01' is not a real calendar date" in text
    assert "classes, row 3, column capacity: -5 is not allowed: it must be at least 1" in text
    assert err.exit_code == 2


def test_validate_dataset_on_its_own(tmp_path, write_dataset):
    ds = load_dataset(write_dataset(tmp_path, cadres=[{"cadre_id": "C1"}, {"cadre_id": "C1"}]), YEAR, validate=False)
    with pytest.raises(DataError) as e:
        validate_dataset(ds, YEAR)
    assert [(p.table, p.row, p.column) for p in e.value.problems] == [("cadres", 3, "cadre_id")]


# --------------------------------------------------------------------------- cadres
def test_cadre_rules(errors):
    found = errors(cadres=[
        {"cadre_id": "C1"},
        {"cadre_id": "C2", "unit_id": "nowhere"},
        {"cadre_id": "C3", "level": "minister"},
        {"cadre_id": "C4", "grassroots_years": -1},
        {"cadre_id": "C5", "promoted_on": "2026-02-29"},
        {"cadre_id": ""},
    ])
    assert set(found) == {("cadres", 3, "unit_id"), ("cadres", 4, "level"), ("cadres", 5, "grassroots_years"),
                          ("cadres", 6, "promoted_on"), ("cadres", 7, "cadre_id")}
    assert "use 'division', 'section', 'deputy_section' or 'staff'" in found[("cadres", 4, "level")]


@pytest.mark.parametrize("birth_year, ok", [(1939, False), (1940, True), (YEAR - 16, True), (YEAR - 15, False)])
def test_birth_year_range(errors, birth_year, ok):
    found = errors(cadres=[{"birth_year": birth_year}])
    assert (found == {}) is ok
    if not ok:
        assert "between 1940 and 2011" in found[("cadres", 2, "birth_year")]


def test_zero_grassroots_years_and_valid_promotion_are_fine(errors):
    assert errors(cadres=[{"grassroots_years": 0, "promoted_on": "2026-01-01"}]) == {}


# --------------------------------------------------------------------------- units
def test_unit_rules(errors):
    found = errors(
        units=[{"unit_id": "U1"}, {"unit_id": "U1"}, {"unit_id": "Region"}, {"unit_id": "U4", "max_absent_share": 0},
               {"unit_id": "U5", "max_absent_share": 1.5}],
        cadres=[{}],
    )
    assert set(found) == {("units", 3, "unit_id"), ("units", 4, "unit_id"), ("units", 5, "max_absent_share"),
                          ("units", 6, "max_absent_share")}
    assert "may not be called 'region'" in found[("units", 4, "unit_id")]


@pytest.mark.parametrize("share", ["", 1, 0.2, 0.01])
def test_max_absent_share_allowed_values(errors, share):
    assert errors(units=[{"unit_id": "U1", "max_absent_share": share}], cadres=[{}]) == {}


# --------------------------------------------------------------------------- classes
def _class(**cells):
    return {"class_id": "K1", **cells}


WINDOW = {"start_date": "", "end_date": "", "window_start": "2027-09-01", "window_end": "2027-10-31"}


@pytest.mark.parametrize("cells, where, words", [
    ({"mode": "online"}, "mode", "'full_time' or 'weekend'"),
    ({"days": 0}, "days", "more than 0"),
    ({"hours": -8}, "hours", "more than 0"),
    ({"capacity": 0}, "capacity", "at least 1"),
    ({"min_size": -1}, "min_size", "at least 0"),
    ({"min_size": 21}, "min_size", "larger than the capacity 20"),
    ({"cost_per_trainee": -0.5}, "cost_per_trainee", "at least 0"),
    ({"levels": "section; chief"}, "levels", "'chief' is not a level"),
    ({"end_date": "2027-03-01"}, "end_date", "before the start_date"),
    ({"start_date": "2026-12-28"}, "start_date", "outside the plan year 2027"),
    ({"end_date": "2028-01-03"}, "end_date", "outside the plan year 2027"),
    ({"start_date": "", "end_date": ""}, "start_date", "has no dates"),
    ({"end_date": ""}, "end_date", "end_date is empty while start_date is given"),
    ({"window_start": "2027-09-01", "window_end": "2027-10-31"}, "window_start", "not both"),
    ({**WINDOW, "window_start": ""}, "window_start", "window_start is empty while window_end is given"),
    ({**WINDOW, "window_end": "2027-08-01"}, "window_end", "before the window_start"),
    ({**WINDOW, "window_end": "2028-02-01"}, "window_end", "outside the plan year"),
])
def test_class_rules(errors, cells, where, words):
    found = errors(classes=[_class(**cells)])
    assert list(found) == [("classes", 2, where)], found
    assert words in found[("classes", 2, where)]


@pytest.mark.parametrize("cells", [
    {"capacity": 1}, {"min_size": 0}, {"min_size": 20}, {"cost_per_trainee": 0}, {"levels": "Division;staff"},
    {"start_date": "2027-03-08", "end_date": "2027-03-08"}, WINDOW, {**WINDOW, "mode": "weekend"},
])
def test_class_values_at_the_edges_are_fine(errors, cells):
    assert errors(classes=[_class(**cells)]) == {}


def test_class_ids_unique_across_classes_and_rotations(errors):
    found = errors(classes=[{"class_id": "K1"}, {"class_id": "K1"}, {"class_id": "K2"}],
                   rotations=[{"post_id": "R1"}, {"post_id": "K2"}, {"post_id": "R1"}])
    assert set(found) == {("classes", 3, "class_id"), ("rotations", 3, "post_id"), ("rotations", 4, "post_id")}
    assert "also a class_id (classes row 4)" in found[("rotations", 3, "post_id")]


# --------------------------------------------------------------------------- rotations
@pytest.mark.parametrize("cells, where", [
    ({"direction": "sideways"}, "direction"),
    ({"slots": 0}, "slots"),
    ({"levels": "mayor"}, "levels"),
    ({"end_date": "2027-03-01"}, "end_date"),
    ({"start_date": "2026-10-01"}, "start_date"),
    ({"start_date": ""}, "start_date"),
])
def test_rotation_rules(errors, cells, where):
    assert set(errors(rotations=[{"post_id": "R1", **cells}])) == {("rotations", 2, where)}


def test_rotation_may_end_after_the_plan_year(errors):
    assert errors(rotations=[{"start_date": "2027-10-01", "end_date": "2028-03-31", "direction": "Higher_Level"}]) == {}


# --------------------------------------------------------------------------- blackouts, busy, history, holidays
def test_blackout_rules(errors):
    found = errors(blackouts=[{"scope": "region"}, {"scope": "U2"}, {"scope": "U7"},
                              {"start_date": "2027-07-10", "end_date": "2027-07-01"}])
    assert set(found) == {("blackouts", 4, "scope"), ("blackouts", 5, "end_date")}
    assert "neither 'region'" in found[("blackouts", 4, "scope")]


def test_busy_rules(errors):
    found = errors(busy=[{"cadre_id": "C1"}, {"cadre_id": "C9"},
                         {"cadre_id": "C2", "start_date": "2027-11-15", "end_date": "2027-11-01"}])
    assert set(found) == {("busy", 3, "cadre_id"), ("busy", 4, "end_date")}
    assert "'C9' is not found in the cadres table" in found[("busy", 3, "cadre_id")]


def test_history_rules(errors):
    found = errors(history=[
        {"cadre_id": "C1", "year": YEAR - 1},
        {"cadre_id": "C9"},
        {"year": YEAR},
        {"kind": "seminar"},
        {"hours": -4},
        {"activity_id": "not-in-this-year's-offer", "kind": "online", "topic": ""},
    ])
    assert set(found) == {("history", 3, "cadre_id"), ("history", 4, "year"), ("history", 5, "kind"),
                          ("history", 6, "hours")}
    assert "not before the plan year 2027" in found[("history", 4, "year")]


def test_holiday_rows_need_dates(errors):
    found = errors(holidays=[{"date": "2027-12-31"}, {"date": ""}, {"date": "31/12/2027"}])
    assert set(found) == {("holidays", 3, "date"), ("holidays", 4, "date")}


# --------------------------------------------------------------------------- pins
def test_pin_rules(errors):
    found = errors(
        rotations=[{"post_id": "R1"}],
        pins=[
            {"cadre_id": "C1", "activity_id": "K1", "rule": "must"},
            {"cadre_id": "C1", "activity_id": "R1", "rule": "MUST_NOT"},
            {"cadre_id": "C9", "activity_id": "K1"},
            {"cadre_id": "C2", "activity_id": "K9"},
            {"cadre_id": "C2", "activity_id": "K1", "rule": "maybe"},
            {"cadre_id": "C1", "activity_id": "K1", "rule": "must"},  # the same pin twice: harmless
            {"cadre_id": "C1", "activity_id": "K1", "rule": "must_not"},  # contradicts row 2
        ],
    )
    assert set(found) == {("pins", 4, "cadre_id"), ("pins", 5, "activity_id"), ("pins", 6, "rule"),
                          ("pins", 8, "rule")}
    assert "pinned 'must' on row 2 and 'must_not' here" in found[("pins", 8, "rule")]


# --------------------------------------------------------------------------- warnings
def test_fixed_class_over_national_day_warns(warnings):
    found = warnings(classes=[{"start_date": "2027-09-27", "end_date": "2027-10-08"}])
    assert list(found) == [("classes", 2, "start_date")]
    assert "National Day" in found[("classes", 2, "start_date")]


def test_weekend_class_warns_only_for_holidays_on_its_weekend_days(warnings):
    assert dt.date(2027, 10, 2).weekday() == 5 and dt.date(2027, 4, 5).weekday() == 0
    on = warnings(classes=[{"mode": "weekend", "start_date": "2027-10-02", "end_date": "2027-10-03", "days": 2}])
    assert "National Day" in on[("classes", 2, "start_date")]
    # Tomb-Sweeping Day 2027-04-05 is a Monday: a weekend class over 04-03 … 04-11 never meets it
    assert warnings(classes=[{"mode": "weekend", "start_date": "2027-04-03", "end_date": "2027-04-11",
                              "days": 4}]) == {}


def test_extra_holiday_from_the_table_warns(warnings):
    found = warnings(holidays=[{"date": "2027-03-10", "name": "Local founding day"}])
    assert "Local founding day" in found[("classes", 2, "start_date")]


def test_class_over_region_blackout_warns_but_unit_blackout_does_not(warnings):
    found = warnings(blackouts=[{"start_date": "2027-03-15", "end_date": "2027-03-16", "scope": "region",
                                 "reason": "people's congress"}])
    assert "region blackout" in found[("classes", 2, "start_date")] and "people's congress" in found[("classes", 2, "start_date")]
    assert warnings(blackouts=[{"start_date": "2027-03-15", "end_date": "2027-03-16", "scope": "U1"}]) == {}


def test_weekend_class_and_weekday_blackout_do_not_meet(warnings):
    # Sat 03-06 … Sun 03-14, blackout Mon 03-08 … Fri 03-12: no shared day
    assert warnings(classes=[{"mode": "weekend", "start_date": "2027-03-06", "end_date": "2027-03-14", "days": 4}],
                    blackouts=[{"start_date": "2027-03-08", "end_date": "2027-03-12"}]) == {}


def test_class_and_post_nobody_may_attend_warn(warnings):
    found = warnings(cadres=[{"cadre_id": "C1", "level": "staff"}], units=[{"unit_id": "U1"}],
                     classes=[{"class_id": "K1", "levels": "division"}, {"class_id": "K2", "levels": "staff; section"}],
                     rotations=[{"levels": "section"}])
    assert set(found) == {("classes", 2, "levels"), ("rotations", 2, "levels")}
    assert "no cadre in the roster" in found[("classes", 2, "levels")]


def test_other_warnings(warnings):
    found = warnings(
        units=[{"unit_id": "U1"}, {"unit_id": "U2"}, {"unit_id": "U3"}],
        cadres=[*CADRES[:2], {"cadre_id": "C3", "unit_id": "U2", "promoted_on": "2028-01-05"}],
        classes=[{"class_id": "K1", "days": 14},
                 {"class_id": "K2", **WINDOW, "window_end": "2027-09-03", "days": 5}],
    )
    assert set(found) == {("units", 4, "unit_id"), ("cadres", 4, "promoted_on"), ("classes", 2, "days"),
                          ("classes", 3, "window_end")}
    assert "has no cadres" in found[("units", 4, "unit_id")]
    assert "holds only 3 working days" in found[("classes", 3, "window_end")]


# --------------------------------------------------------------------------- how problems are listed
def test_problems_are_listed_in_the_contract_order_of_tables(errors, tmp_path, write_dataset):
    from planning.data.schema import TABLE_ORDER
    from planning.errors import _TABLE_ORDER

    assert list(_TABLE_ORDER[2:]) == TABLE_ORDER  # the order of the data contract, kept in one place each
    path = write_dataset(tmp_path / "order", blackouts=[{"scope": "U7"}], cadres=[{"unit_id": "U9"}],
                         pins=[{"activity_id": "K9"}])
    with pytest.raises(DataError) as e:
        load_dataset(path, YEAR)
    assert [p.table for p in e.value.problems] == ["cadres", "blackouts", "pins"]


def test_min_size_is_not_compared_with_an_invalid_capacity(errors):
    assert set(errors(classes=[{"capacity": -5, "min_size": 3}])) == {("classes", 2, "capacity")}
