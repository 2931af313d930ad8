"""The plan year's calendar: statutory holidays, days an activity occupies, blocked days."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from planning.calendar import Calendar, day_range, occupied_days, public_holidays, training_days
from planning.data.load import load_dataset
from planning.policy import default_policy

YEAR = 2027
D = dt.date


def o(*ymd) -> int:
    return D(*ymd).toordinal()


def test_china_holidays_2027_include_spring_festival_and_national_day():
    hol = public_holidays(YEAR)
    assert "Spring Festival" in hol[D(2027, 2, 6)]
    assert "National Day" in hol[D(2027, 10, 1)]
    assert D(2027, 1, 1) in hol and D(2027, 3, 1) not in hol
    assert all(d.year == YEAR for d in hol)


def test_extra_holidays_table_adds_days_of_the_plan_year_only():
    extra = pd.DataFrame({"date": [D(2027, 3, 1), D(2026, 3, 1), D(2027, 10, 1)],
                          "name": ["Local day", "Last year", ""]})
    hol = public_holidays(YEAR, extra)
    assert hol[D(2027, 3, 1)] == "Local day"
    assert D(2026, 3, 1) not in hol
    assert "National Day" in hol[D(2027, 10, 1)]  # an unnamed extra row keeps the package's name
    assert len(hol) == len(public_holidays(YEAR)) + 1
    assert D(2027, 3, 1) not in public_holidays(YEAR)  # the package's list is not changed


def test_day_range_is_inclusive():
    assert list(day_range(D(2027, 3, 1), D(2027, 3, 3))) == [o(2027, 3, 1), o(2027, 3, 2), o(2027, 3, 3)]


def test_weekend_class_occupies_only_saturdays_and_sundays():
    days = occupied_days("weekend", D(2027, 3, 5), D(2027, 3, 15))  # Fri 5th … Mon 15th
    assert sorted(dt.date.fromordinal(d) for d in days) == [D(2027, 3, 6), D(2027, 3, 7), D(2027, 3, 13), D(2027, 3, 14)]


def test_full_time_class_and_rotation_occupy_every_day():
    assert len(occupied_days("full_time", D(2027, 3, 5), D(2027, 3, 15))) == 11
    assert len(occupied_days("rotation", D(2027, 4, 1), D(2027, 4, 30))) == 30


def test_training_days_skip_the_other_kind_of_day_and_holidays():
    hol = frozenset(d.toordinal() for d in public_holidays(YEAR))
    # 2027-09-27 (Mon) … 10-10 (Sun): National Day 10-01 … 10-05 falls on Fri, Mon, Tue
    full = training_days("full_time", D(2027, 9, 27), D(2027, 10, 10), hol)
    assert [dt.date.fromordinal(d).day for d in full] == [27, 28, 29, 30, 6, 7, 8]
    weekend = training_days("weekend", D(2027, 9, 27), D(2027, 10, 10), hol)
    assert [dt.date.fromordinal(d).day for d in weekend] == [9, 10]  # Sat 2nd / Sun 3rd are National Day


def _calendar():
    blackouts = pd.DataFrame({
        "start_date": [D(2027, 7, 1), D(2027, 5, 10), D(2027, 6, 1)],
        "end_date": [D(2027, 7, 2), D(2027, 5, 11), D(2027, 6, 1)],
        "scope": ["region", "U1", "U2"], "reason": ["congress", "", "audit"],
    })
    busy = pd.DataFrame({"cadre_id": ["C1"], "start_date": [D(2027, 9, 6)], "end_date": [D(2027, 9, 7)],
                         "reason": [None]})
    return Calendar(YEAR, blackouts, busy)


def test_class_blocked_is_region_own_unit_and_own_busy():
    cal = _calendar()
    blocked = cal.class_blocked("C1", "U1")
    assert blocked == {o(2027, 7, 1), o(2027, 7, 2), o(2027, 5, 10), o(2027, 5, 11), o(2027, 9, 6), o(2027, 9, 7)}
    assert o(2027, 6, 1) not in blocked  # another unit's blackout
    assert cal.class_blocked("C2", "U2") == {o(2027, 7, 1), o(2027, 7, 2), o(2027, 6, 1)}
    assert cal.class_blocked("C9", "U9") == {o(2027, 7, 1), o(2027, 7, 2)}


def test_any_blocked_is_own_busy_only():
    cal = _calendar()
    assert cal.any_blocked("C1") == {o(2027, 9, 6), o(2027, 9, 7)}
    assert cal.any_blocked("C2") == set()


def test_periods_keep_reasons_with_plain_defaults():
    cal = _calendar()
    assert cal.region_periods == [(D(2027, 7, 1), D(2027, 7, 2), "congress")]
    assert cal.unit_periods["U1"][0][2] == "unit peak"
    assert cal.busy_periods["C1"][0][2] == "own work peak"


def test_blocked_sets_are_not_shared_between_calls():
    cal = _calendar()
    cal.class_blocked("C1", "U1").add(1)
    cal.any_blocked("C1").add(1)
    cal.any_blocked("C2").add(1)
    assert 1 not in cal.class_blocked("C1", "U1") and 1 not in cal.any_blocked("C1")
    assert cal.any_blocked("C2") == set()


def test_calendar_from_a_loaded_data_set(tmp_path, write_dataset):
    ds = load_dataset(write_dataset(tmp_path, blackouts=[{"scope": "Region"}], busy=[{}],
                                    holidays=[{"date": "2027-12-31", "name": "Year end"}]), YEAR)
    cal = Calendar(YEAR, ds.blackouts, ds.busy, ds.holidays)
    assert o(2027, 7, 5) in cal.class_blocked("C3", "U2")  # default region blackout 07-01 … 07-10
    assert o(2027, 11, 3) in cal.any_blocked("C1")
    assert cal.holidays[D(2027, 12, 31)] == "Year end" and o(2027, 12, 31) in cal.holiday_days


def test_season_of():
    cal = _calendar()
    seasons = default_policy().seasons
    assert cal.season_of(D(2027, 3, 1), seasons) == "spring"
    assert cal.season_of(D(2027, 6, 30), seasons) == "spring"
    assert cal.season_of(D(2027, 7, 1), seasons) is None
    assert cal.season_of(D(2027, 11, 30), seasons) == "autumn"
