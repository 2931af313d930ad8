"""The activities room: tables and validation, pairing, the calendar, .ics export, evaluation,
the independent activity check, scenario edits on low-rated institutions, the command."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import icalendar
import pandas as pd
import pytest

from conftest import YEAR, write_csv, write_dataset
from planning.activities import (institution_scorecards, low_rated_institutions, online_hours, run_activities,
                                 trainee_rating_summary)
from planning.activities.availability import Availability
from planning.activities.check import check_activities
from planning.activities.pairing import solve_pairing
from planning.activities.schedule import build_schedule
from planning.check import check_plan
from planning.cli import main
from planning.data.load import load_dataset
from planning.errors import DataError
from planning.io import read_plan_csv
from planning.pipeline import run_plan
from planning.policy import default_policy
from planning.scenarios import apply_scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "data" / "small"
PLAN_HEADER = ["cadre_id", "activity_id", "kind", "start_date", "end_date", "days", "hours"]

# U1: a section leader C1 (field law), a division leader C4, two young cadres C2 (staff, law) and C3 (deputy).
TINY = dict(
    units=[{"unit_id": "U1"}, {"unit_id": "U2", "name": "Hexi", "district": "East"}],
    cadres=[
        {"cadre_id": "C1", "level": "section", "birth_year": 1980, "field": "law"},
        {"cadre_id": "C2", "name": "Wang Fang", "level": "staff", "birth_year": 1998, "field": "law"},
        {"cadre_id": "C3", "name": "Zhao Min", "level": "deputy_section", "birth_year": 1995, "field": "economy"},
        {"cadre_id": "C4", "name": "Sun Li", "level": "division", "birth_year": 1970, "field": "economy"},
        {"cadre_id": "C5", "name": "Qian Bo", "unit_id": "U2", "level": "staff", "birth_year": 1999, "field": ""},
    ],
    busy=[{"cadre_id": "C2", "start_date": "2027-01-01", "end_date": "2027-01-28", "reason": "audit"}],
    blackouts=[{"start_date": "2027-04-01", "end_date": "2027-04-30", "scope": "U1", "reason": "inspection"}],
    classes=[{"class_id": "K1", "start_date": "2027-03-08", "end_date": "2027-03-19"}],
)


def tiny(tmp_path, **changes):
    tables = {**TINY, **changes}
    return load_dataset(write_dataset(tmp_path, **tables), YEAR)


def no_plan() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PLAN_HEADER + ["start", "end"]})


def one_class(cadre: str) -> pd.DataFrame:
    return pd.DataFrame([{"cadre_id": cadre, "activity_id": "K1", "kind": "class", "start_date": "2027-03-08",
                          "end_date": "2027-03-19", "days": "10", "hours": "80",
                          "start": dt.date(2027, 3, 8), "end": dt.date(2027, 3, 19)}])


# --------------------------------------------------------------------------- tables and validation
def test_small_sample_has_the_new_tables_in_range():
    ds = load_dataset(SMALL, YEAR)
    assert len(ds.online) and len(ds.course_ratings) and len(ds.trainee_ratings)
    assert set(ds.course_ratings["score"]) <= {1, 2, 3, 4, 5}
    assert all(0 <= s <= 100 for s in ds.trainee_ratings["score"])
    assert set(ds.online["year"]) == {YEAR}


@pytest.mark.parametrize("table, row, column, text", [
    ("course_ratings", {"score": 6}, "score", "from 1 to 5"),
    ("course_ratings", {"score": 3.5}, "score", "whole number"),
    ("course_ratings", {"cadre_id": "NOPE"}, "cadre_id", "not found in the cadres table"),
    ("trainee_ratings", {"score": 120}, "score", "from 0 to 100"),
    ("online", {"year": 2028}, "year", "after the plan year"),
    ("online", {"hours": -1}, "hours", "at least 0"),
])
def test_bad_activity_tables_name_table_row_and_column(tmp_path, table, row, column, text):
    path = write_dataset(tmp_path, **{table: [row]})
    with pytest.raises(DataError) as e:
        load_dataset(path, YEAR)
    p = e.value.problems[0]
    assert (p.table, p.row, p.column) == (table, 2, column) and text in p.message


def test_unknown_rated_class_is_only_a_warning(tmp_path):
    ds = load_dataset(write_dataset(tmp_path, course_ratings=[{"class_id": "ZZ"}]), YEAR)
    assert any(w.table == "course_ratings" and w.column == "class_id" for w in ds.warnings)


def test_cli_bad_ratings_exit_2_and_nothing_written(tmp_path, capsys):
    data = write_dataset(tmp_path, course_ratings=[{"score": 9}])
    plan = tmp_path / "plan"
    plan.mkdir()
    write_csv(plan / "plan.csv", [], PLAN_HEADER)
    code = main(["activities", str(data), str(plan), "--year", str(YEAR), "--out", str(tmp_path / "out")])
    assert code == 2 and "course_ratings, row 2, column score" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- pairing
def test_pairing_fits_levels_fields_and_loads(tmp_path):
    ds = tiny(tmp_path)
    pol = default_policy().with_overrides({"activities.max_mentees": 1})
    pairs = solve_pairing(ds, YEAR, pol).set_index("mentee_id")
    # C2 (staff, law) takes the section leader of the same field; C3 the division leader
    assert pairs.at["C2", "mentor_id"] == "C1" and pairs.at["C3", "mentor_id"] == "C4"
    assert pairs.at["C5", "mentor_id"] == "" and "no leader of a higher level" in pairs.at["C5", "reason"]
    assert "C1" not in pairs.index and "C4" not in pairs.index  # leaders past 35 are not mentees


def test_pairing_load_cap_leaves_a_reason(tmp_path):
    ds = tiny(tmp_path, cadres=[c for c in TINY["cadres"] if c["cadre_id"] != "C4"])
    pairs = solve_pairing(ds, YEAR, default_policy().with_overrides({"activities.max_mentees": 1}))
    unpaired = pairs[pairs["mentee_unit"].eq("U1") & pairs["mentor_id"].eq("")]
    assert len(unpaired) == 1 and "already mentor 1" in unpaired["reason"].iloc[0]


def test_district_scope_reaches_other_units(tmp_path):
    ds = tiny(tmp_path)
    pol = default_policy().with_overrides({"activities.pairing_scope": "district"})
    pairs = solve_pairing(ds, YEAR, pol).set_index("mentee_id")
    assert pairs.at["C5", "mentor_id"] in {"C1", "C4"}


# --------------------------------------------------------------------------- the calendar
def test_talks_seminars_and_exchanges_avoid_blocked_days(tmp_path):
    ds = tiny(tmp_path)
    pol = default_policy()
    plan = one_class("C3")
    avail = Availability(ds, plan, YEAR)
    pairs = solve_pairing(ds, YEAR, pol)
    events, unscheduled = build_schedule(ds, avail, pairs, YEAR, pol)
    for r in events[events["role"] != "excused"].to_dict("records"):
        assert dt.date.fromisoformat(r["date"]).toordinal() not in avail.blocked(r["cadre_id"]), r
    # C2 is busy until 28 January: the January talk is on the 29th, after the exchange that day
    jan = events[(events["event_id"] == "T-C2-01") & (events["cadre_id"] == "C2")].iloc[0]
    exchange = events[(events["event_id"] == "E-U1-01") & (events["cadre_id"] == "C2")].iloc[0]
    assert jan["date"] == "2027-01-29" and jan["start"] >= exchange["end"]
    # nothing of U1 in April (its blackout); the Q2 seminar is in May or June
    u1 = events[events["unit_id"] == "U1"]
    assert not u1["date"].str.startswith("2027-04").any()
    assert set(unscheduled.loc[unscheduled["period"] == "2027-04", "kind"]) <= {"talk", "exchange"}
    assert (unscheduled["period"] == "2027-04").any()
    # C3 is in class K1 on 8-19 March: no talk then
    c3 = events[(events["cadre_id"] == "C3") & (events["role"] != "excused")]
    assert not c3["date"].between("2027-03-08", "2027-03-19").any()


def test_seminar_respects_the_unit_absence_cap(tmp_path):
    # one unit of 5; the cap is 1: a seminar day may have at most one of them blocked
    busy = [{"cadre_id": c, "start_date": "2027-01-01", "end_date": "2027-02-28", "reason": "peak"} for c in ("C1", "C2")]
    ds = tiny(tmp_path, busy=busy, units=[{"unit_id": "U1"}],
              cadres=[{**c, "unit_id": "U1"} for c in TINY["cadres"]])
    pol = default_policy()
    events, _ = build_schedule(ds, Availability(ds, no_plan(), YEAR), solve_pairing(ds, YEAR, pol), YEAR, pol)
    q1 = events[(events["kind"] == "seminar") & events["event_id"].str.contains("Q1")]
    assert q1["date"].iloc[0] >= "2027-03-01" and (q1["role"] == "excused").sum() <= 1


# --------------------------------------------------------------------------- evaluation
def test_online_hours_table_first_then_history(tmp_path):
    ds = tiny(tmp_path, online=[{"cadre_id": "C1", "hours": 50}, {"cadre_id": "C1", "hours": 25}],
              history=[{"cadre_id": "C1", "year": 2026, "kind": "online", "hours": 99, "topic": "", "activity_id": ""},
                       {"cadre_id": "C2", "year": 2026, "kind": "online", "hours": 40, "topic": "", "activity_id": ""}])
    now = online_hours(ds, YEAR, default_policy()).set_index("cadre_id")
    assert now.at["C1", "hours"] == 75 and now.at["C1", "met"] and now.at["C1", "source"] == "online"
    assert now.at["C2", "hours"] == 0 and now.at["C2", "source"] == "none"
    last = online_hours(ds, YEAR - 1, default_policy()).set_index("cadre_id")
    assert last.at["C2", "hours"] == 40 and last.at["C2", "source"] == "history" and not last.at["C2", "met"]


def test_scorecards_mean_spread_response_trend_and_low_rating(tmp_path):
    ratings = ([{"class_id": "A1", "cadre_id": c, "score": 2, "year": 2025, "institution": "Weak"} for c in ("C1", "C2")]
               + [{"class_id": "A2", "cadre_id": "C3", "score": 1, "year": 2026, "institution": "Weak",
                   "comment": "poor"}]
               + [{"class_id": "B1", "cadre_id": c, "score": 5, "year": 2026, "institution": "Good"} for c in ("C1", "C2")])
    history = [{"cadre_id": c, "year": y, "activity_id": a, "topic": "T" + a, "kind": "class"}
               for c, y, a in (("C1", 2025, "A1"), ("C2", 2025, "A1"), ("C4", 2025, "A1"), ("C3", 2026, "A2"),
                               ("C1", 2026, "B1"), ("C2", 2026, "B1"))]
    ds = tiny(tmp_path, course_ratings=ratings, history=history)
    pol = default_policy().with_overrides({"activities.min_ratings": 3})
    cards = institution_scorecards(ds, YEAR, pol).set_index("institution")
    weak = cards.loc["Weak"]
    assert weak["ratings"] == 3 and weak["mean"] == pytest.approx(5 / 3, abs=0.01)
    assert weak["response_rate"] == pytest.approx(0.75) and weak["trend"] == pytest.approx(-1.0)
    assert weak["low_rated"] and not cards.loc["Good", "low_rated"] and weak["sample_comments"] == "poor"
    assert low_rated_institutions(ds, YEAR, pol) == ["Weak"]
    assert low_rated_institutions(ds, YEAR, pol, below=1.5) == []


def test_trainee_rating_summary(tmp_path):
    ds = tiny(tmp_path, trainee_ratings=[{"cadre_id": "C2", "score": 80, "year": 2025},
                                         {"cadre_id": "C2", "score": 90, "year": 2026, "class_id": "H2"}])
    t = trainee_rating_summary(ds).set_index("cadre_id")
    assert t.at["C2", "ratings"] == 2 and t.at["C2", "mean_score"] == 85 and t.at["C2", "latest_score"] == 90
    assert t.at["C2", "latest_year"] == 2026


# --------------------------------------------------------------------------- scenarios
def test_drop_and_shrink_low_rated_institutions():
    ds = load_dataset(ROOT / "data" / "sample", YEAR)  # the small offer has no class of the weak institution
    pol = default_policy()
    low = low_rated_institutions(ds, YEAR, pol)
    assert low == ["Online Academy"]
    theirs = ds.classes["institution"].isin(low)
    dropped, _ = apply_scenario(ds, parse_scenario({"name": "d", "edits": [{"drop_low_rated": {}}]}), YEAR, pol)
    assert len(dropped.classes) == len(ds.classes) - int(theirs.sum()) > 0
    shrunk, _ = apply_scenario(ds, parse_scenario({"name": "s", "edits": [{"shrink_low_rated": {"factor": 0.5}}]}),
                               YEAR, pol)
    assert shrunk.classes.loc[theirs, "capacity"].sum() < ds.classes.loc[theirs, "capacity"].sum()
    assert shrunk.classes.loc[~theirs, "capacity"].equals(ds.classes.loc[~theirs, "capacity"])
    from planning.scenarios import ScenarioError

    with pytest.raises(ScenarioError, match="no institution is low-rated"):
        apply_scenario(ds, parse_scenario({"name": "x", "edits": [{"drop_low_rated": {"below": 1.2}}]}), YEAR, pol)


# --------------------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("activities")
    res = run_plan(SMALL, YEAR, root / "plan", time_limit=20)
    assert check_plan(SMALL, root / "plan", YEAR) == []
    act = run_activities(SMALL, root / "plan", YEAR, root / "out")
    return root, act


def test_small_end_to_end_passes_the_independent_check(small_run):
    root, res = small_run
    s = res.summary
    assert s["paired"] == s["mentees"] > 0 and s["seminars"] == s["seminars_wanted"]
    assert 0.5 * s["talks_wanted"] < s["talks"] <= s["talks_wanted"]
    assert check_activities(SMALL, root / "plan", root / "out", YEAR) == []
    for name in ("activities.csv", "pairs.csv", "unscheduled.csv", "online_hours.csv", "scorecards.csv",
                 "activities.xlsx", "activities_report.pdf", "summary.json"):
        assert (root / "out" / name).is_file(), name
    unscheduled = read_plan_csv(root / "out" / "unscheduled.csv")
    assert (unscheduled["reason"] != "").all()


def test_ics_files_parse_and_hold_each_cadres_events(small_run):
    root, res = small_run
    events = read_plan_csv(root / "out" / "activities.csv")
    mine = events[(events["cadre_id"] == "CD00001") & (events["role"] != "excused")]
    cal = icalendar.Calendar.from_ical((root / "out" / "calendars" / "cadres" / "CD00001.ics").read_bytes())
    vevents = list(cal.walk("VEVENT"))
    assert len(vevents) == len(mine) > 0
    first = min(vevents, key=lambda e: e.decoded("dtstart"))
    assert str(first.decoded("dtstart").tzinfo) == "Asia/Shanghai"
    assert first.decoded("dtstart").date().isoformat() == mine["date"].min()
    units = sorted(p.stem for p in (root / "out" / "calendars" / "units").iterdir())
    assert units == sorted(res.data.units["unit_id"])


def test_same_inputs_give_the_same_files(small_run, tmp_path):
    root, _ = small_run
    run_activities(SMALL, root / "plan", YEAR, tmp_path / "again", pdf=False)
    for f in sorted((root / "out").rglob("*")):
        if f.is_file() and f.suffix != ".pdf":
            assert f.read_bytes() == (tmp_path / "again" / f.relative_to(root / "out")).read_bytes(), f.name


@pytest.mark.parametrize("mutation, expected", [
    ("busy_day", "is blocked on"),
    ("overload", "at most 3 (activities.max_mentees)"),
    ("not_pair", "are not a pair"),
    ("drop_seminar", "seminar(s) in Q"),
])
def test_check_catches_broken_calendars(small_run, tmp_path, mutation, expected):
    root, res = small_run
    out = tmp_path / "bad"
    shutil.copytree(root / "out", out)
    events = read_plan_csv(out / "activities.csv")
    pairs = read_plan_csv(out / "pairs.csv")
    if mutation == "busy_day":
        busy = res.data.busy.iloc[0]
        events.loc[events["cadre_id"] == busy["cadre_id"], "date"] = busy["start_date"].isoformat()
    elif mutation == "overload":
        unit = pairs["mentee_unit"].value_counts().idxmax()
        pairs.loc[pairs["mentee_unit"] == unit, "mentor_id"] = pairs.loc[pairs["mentee_unit"] == unit, "mentor_id"].iloc[0]
    elif mutation == "not_pair":
        talk = events.index[(events["kind"] == "talk") & (events["role"] == "mentor")][0]
        events.loc[talk, "cadre_id"] = "CD00002" if events.at[talk, "cadre_id"] != "CD00002" else "CD00003"
    elif mutation == "drop_seminar":
        events = events[events["event_id"] != events.loc[events["kind"] == "seminar", "event_id"].iloc[0]]
    events.to_csv(out / "activities.csv", index=False)
    pairs.to_csv(out / "pairs.csv", index=False)
    assert any(expected in v for v in check_activities(SMALL, root / "plan", out, YEAR))


def test_cli_writes_and_checks(small_run, tmp_path, capsys):
    root, _ = small_run
    out = tmp_path / "cli"
    args = [str(SMALL), str(root / "plan"), "--year", str(YEAR)]
    assert main(["activities", *args, "--out", str(out), "--no-pdf"]) == 0
    assert "pairs:" in capsys.readouterr().out and not (out / "activities_report.pdf").exists()
    assert main(["activities", *args, "--check", str(out)]) == 0
    events = read_plan_csv(out / "activities.csv")
    events.loc[events["kind"] == "talk", "date"] = "2027-01-01"  # a statutory holiday
    events.to_csv(out / "activities.csv", index=False)
    assert main(["activities", *args, "--check", str(out)]) == 1
    assert "is not a working day" in capsys.readouterr().out


def test_annual_report_shows_online_hours(small_run):
    from planning.report import render_report_html

    root, res = small_run
    html = render_report_html(root / "plan", SMALL, YEAR)
    met = int(res.online["met"].sum())
    assert "Cadres at the 70-hour online learning target" in html and f"{met} / {len(res.online)}" in html
    hours = res.online.set_index("cadre_id").at["CD00001", "hours"]
    assert f"online {hours:g} / 70 h" in html


def test_a_data_set_without_the_optional_tables_and_a_district_plan(tmp_path):
    data = write_dataset(tmp_path, cadres=TINY["cadres"], units=TINY["units"] + [
        {"unit_id": "U3", "name": "Far", "district": "West"}])
    plan = run_plan(data, YEAR, tmp_path / "plan", district="East", time_limit=10)
    assert check_plan(data, tmp_path / "plan", YEAR) == []
    res = run_activities(data, tmp_path / "plan", YEAR, tmp_path / "out", pdf=False)
    assert res.summary["course_ratings"] == 0 and res.summary["institutions_rated"] == 0
    assert set(res.events["unit_id"]) <= {"U1", "U2"} and plan.summary["district"] == "East"
    assert (res.online["source"] == "none").all()
    assert check_activities(data, tmp_path / "plan", tmp_path / "out", YEAR) == []


def test_bad_timezone_is_refused_before_any_work(small_run, tmp_path):
    from planning.errors import PolicyError

    root, _ = small_run
    pol = default_policy().with_overrides({"activities.timezone": "Mars/Olympus"})
    with pytest.raises(PolicyError, match="activities.timezone"):
        run_activities(SMALL, root / "plan", YEAR, tmp_path / "out", policy=pol)
    assert not (tmp_path / "out").exists()


def test_chinese_titles_calendars_and_reasons(small_run, tmp_path):
    root, _ = small_run
    res = run_activities(SMALL, root / "plan", YEAR, tmp_path / "zh", pdf=False, lang="zh")
    assert set(res.events["title"].str[:4]) >= {"谈心谈话", "集体学习", "月末学习"}
    assert res.unscheduled["reason"].str.contains("本月").any()
    text = (tmp_path / "zh" / "calendars" / "cadres" / "CD00001.ics").read_text(encoding="utf-8")
    assert "集体学习研讨" in text and "学习活动" in text
    from planning.activities.report import render_html

    html = render_html(res)
    assert "学习活动与培训评估" in html or "No Chinese font" in html
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "zh" / "activities.xlsx", read_only=True)
    assert {"结对", "未安排", "网络学习学时", "机构评价", "课程评分"} <= set(wb.sheetnames)
    first = [c.value for c in next(wb[wb.sheetnames[0]].iter_rows(max_row=1))]
    assert first[:5] == ["日期", "开始", "结束", "类别", "活动"]
    pairs = [c.value for c in next(wb["结对"].iter_rows(max_row=1))]
    assert pairs[0] == "被帮带干部编号" and not any(h.isascii() for h in pairs)
    from planning.activities.words import summary_lines

    zh = "\n".join(summary_lines(res.summary, tmp_path / "zh", "zh"))
    assert "学习活动日程已写入" in zh and "谈心谈话" in zh and "网络学习" in zh and "talks" not in zh
    en = "\n".join(summary_lines(res.summary, tmp_path / "zh", "en"))
    assert "Activity calendar written to" in en and "online hours" in en


def test_check_of_a_broken_folder_names_the_problem(small_run, tmp_path, capsys):
    root, _ = small_run
    args = ["activities", str(SMALL), str(root / "plan"), "--year", str(YEAR), "--check"]
    assert main([*args, str(tmp_path / "nothing")]) == 2
    assert "has no activities.csv" in capsys.readouterr().err
    bad = tmp_path / "bad"
    shutil.copytree(root / "out", bad)
    events = read_plan_csv(bad / "activities.csv")
    events.loc[0, "date"] = "2027-02-30"
    events.to_csv(bad / "activities.csv", index=False)
    assert main([*args, str(bad)]) == 1
    assert "activities.csv line 2" in capsys.readouterr().out


def test_pairing_prefers_a_leader_who_is_around(tmp_path):
    cadres = [{"cadre_id": "L1", "level": "section", "birth_year": 1980},
              {"cadre_id": "L2", "name": "Zhou Yi", "level": "section", "birth_year": 1981},
              {"cadre_id": "M", "name": "Wu Jie", "level": "staff", "birth_year": 1999}]
    ds = tiny(tmp_path, cadres=cadres, busy=[], rotations=[{}])  # R1: 1 April to 30 September
    away = pd.DataFrame([{"cadre_id": "L1", "activity_id": "R1", "kind": "rotation", "start_date": "2027-04-01",
                          "end_date": "2027-09-30", "start": dt.date(2027, 4, 1), "end": dt.date(2027, 9, 30)}])
    pol = default_policy()
    pairs = solve_pairing(ds, YEAR, pol, avail=Availability(ds, away, YEAR)).set_index("mentee_id")
    assert pairs.at["M", "mentor_id"] == "L2"
    # L2 is free in every month outside the unit's April blackout: 11 months
    assert pairs.at["M", "fit"] == pol["activities.fit_paired"] + pol["activities.fit_level_gap_two"] \
        + pol["activities.fit_same_unit"] + 11 * pol["activities.fit_month_free"]


def test_no_exchange_when_every_participant_is_blocked(tmp_path):
    busy = [{"cadre_id": c, "start_date": "2027-05-01", "end_date": "2027-05-31", "reason": "campaign"}
            for c in ("C2", "C3")]
    ds = tiny(tmp_path, busy=busy)
    pol = default_policy()
    events, unscheduled = build_schedule(ds, Availability(ds, no_plan(), YEAR), solve_pairing(ds, YEAR, pol), YEAR, pol)
    assert "E-U1-05" not in set(events["event_id"])
    may = unscheduled[(unscheduled["kind"] == "exchange") & (unscheduled["period"] == "2027-05")]
    assert len(may) == 1 and "all the unit's young and reserve cadres are blocked" in may["reason"].iloc[0]
