"""In-year operations: the attendance table, close-year (next year's data set), re-plan."""
from __future__ import annotations

import datetime as dt
import filecmp
from pathlib import Path

import pandas as pd
import pytest

from conftest import YEAR, write_csv, write_dataset
from planning.check import check_plan
from planning.cli import main
from planning.data.load import load_dataset
from planning.errors import DataError
from planning.inyear import close_year, load_attendance, redate_offer, year_record
from planning.io import read_plan_csv
from planning.pipeline import run_plan
from planning.policy import default_policy

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "data" / "small"
# re-plans stop at a 2 % gap long before their time limit: quick, and never stopped by time (repeatable)
QUICK = {"solver.gap": 0.02, "solver.time_limit": 60}


@pytest.fixture(scope="module")
def small_plan(tmp_path_factory):
    """The small sample's plan (written, so checked by the independent checker)."""
    root = tmp_path_factory.mktemp("inyear")
    res = run_plan(SMALL, YEAR, root / "plan", policy=default_policy().with_overrides(QUICK))
    assert check_plan(SMALL, root / "plan", YEAR) == []
    return root / "plan", res


def _three_classes(plan: pd.DataFrame) -> list[tuple[str, str, float]]:
    """Three class assignments of different cadres (cadre, class, class hours)."""
    rows = plan[plan["kind"] == "class"].drop_duplicates("cadre_id").head(3)
    return [(r.cadre_id, r.activity_id, float(r.hours)) for r in rows.itertuples()]


# --------------------------------------------------------------------------- the attendance table
def test_attendance_table_rules_name_table_row_and_column(tmp_path):
    path = write_dataset(tmp_path, attendance=[{}, {"cadre_id": "C9"}, {"cadre_id": "C2", "activity_id": "K7"},
                                               {"cadre_id": "C3", "leave_hours": -2}, {}])
    with pytest.raises(DataError) as e:
        load_dataset(path, YEAR)
    found = {(p.table, p.row, p.column) for p in e.value.problems}
    assert found == {("attendance", 3, "cadre_id"), ("attendance", 4, "activity_id"),
                     ("attendance", 5, "leave_hours"), ("attendance", 6, "activity_id")}
    ok = load_dataset(write_dataset(tmp_path, folder="ok", attendance=[{"attended": "no", "leave_hours": 3}]), YEAR)
    assert ok.attendance["attended"].tolist() == [False] and ok.attendance["leave_hours"].tolist() == [3.0]


# --------------------------------------------------------------------------- close-year
def test_leave_over_the_policy_share_withdraws(small_plan, tmp_path):
    """Leave above 1/7 of the class hours = withdrawn, exactly 1/7 still credited, not attended = absent;
    requirement.leave_max_share sets the share."""
    plan_dir, res = small_plan
    ds = load_dataset(SMALL, YEAR)
    (c1, k1, h1), (c2, k2, h2), (c3, k3, _) = _three_classes(res.plan)
    att = write_csv(tmp_path / "attendance.csv", [
        {"cadre_id": c1, "activity_id": k1, "attended": "yes", "leave_hours": h1 / 7 + 0.5},
        {"cadre_id": c2, "activity_id": k2, "attended": "yes", "leave_hours": round(h2 / 7, 6)},
        {"cadre_id": c3, "activity_id": k3, "attended": "no"},
    ])
    record = year_record(ds, plan_dir, YEAR, default_policy(), load_attendance(att))
    status = {(r.cadre_id, r.activity_id): r.status for r in record.itertuples()}
    assert status[c1, k1] == "withdrawn" and status[c2, k2] == "credited" and status[c3, k3] == "absent"
    assert len(record) == len(res.plan) and (record["status"] == "credited").sum() == len(res.plan) - 2
    assert "exceed" in record.set_index(["cadre_id", "activity_id"]).at[(c1, k1), "reason"]
    lenient = default_policy().with_overrides({"requirement.leave_max_share": 0.5})
    again = year_record(ds, plan_dir, YEAR, lenient, load_attendance(att))
    assert (again["status"] == "withdrawn").sum() == 0


def test_close_year_extends_history_drops_pins_and_validates_next_year(small_plan, tmp_path):
    plan_dir, res = small_plan
    ds = load_dataset(SMALL, YEAR)
    (c1, k1, h1), _, _ = _three_classes(res.plan)
    att = load_attendance(write_csv(tmp_path / "a.csv", [{"cadre_id": c1, "activity_id": k1, "attended": "no"}]))
    nxt = close_year(ds, res.plan, YEAR, None, att)
    new = nxt.history[nxt.history["year"] == YEAR]
    assert len(new) == len(res.plan) - 1 and (c1, k1) not in set(zip(new["cadre_id"], new["activity_id"]))
    assert len(nxt.history) == len(ds.history) + len(new)
    rot = res.plan[res.plan["kind"] == "rotation"]
    assert set(new.loc[new["kind"] == "rotation", "activity_id"]) == set(rot["activity_id"])
    merged = new.merge(res.plan, on=["cadre_id", "activity_id"])
    assert (merged["days_x"].astype(float) == merged["days_y"].astype(float)).all()
    assert (merged["hours_x"].astype(float) == merged["hours_y"].astype(float)).all()
    assert len(nxt.pins) == 0 and len(ds.pins) > 0
    assert nxt.cadres.drop(columns="_row").equals(ds.cadres.drop(columns="_row"))
    # next year's offer: same weekday, the new year, ids carrying the new year
    for old, moved in zip(ds.classes.itertuples(), nxt.classes.itertuples()):
        assert moved.class_id == old.class_id.replace("2027", "2028")
        first = old.start_date or old.window_start
        new_first = moved.start_date or moved.window_start
        assert new_first.year == YEAR + 1 and new_first.weekday() == first.weekday()
        assert (new_first - first).days % 7 == 0


def test_cli_close_year_writes_a_data_set_next_year_validates(small_plan, tmp_path, capsys):
    plan_dir, res = small_plan
    out = tmp_path / "next"
    assert main(["close-year", str(SMALL), str(plan_dir), "--year", str(YEAR), "--out", str(out)]) == 0
    assert "credited" in capsys.readouterr().out
    assert main(["validate", str(out), "--year", str(YEAR + 1)]) == 0
    hist = read_plan_csv(out / "history.csv")
    assert (hist["year"] == str(YEAR)).sum() == len(res.plan)
    assert filecmp.cmp(SMALL / "cadres.csv", out / "cadres.csv", shallow=False)
    assert not (out / "pins.csv").exists()
    # the next year plans and checks
    nxt = run_plan(out, YEAR + 1, tmp_path / "plan2028", policy=default_policy().with_overrides(QUICK))
    assert check_plan(out, tmp_path / "plan2028", YEAR + 1) == []
    taken = set(zip(hist["cadre_id"], hist["topic"].str.casefold()))
    topics = dict(zip(nxt.data.classes["class_id"], nxt.data.classes["topic"].str.casefold()))
    assert not any((c, topics[a]) in taken for c, a in zip(nxt.plan["cadre_id"], nxt.plan["activity_id"])
                   if a in topics)


def test_cli_close_year_bad_attendance_exit_2_names_row_and_nothing_written(small_plan, tmp_path, capsys):
    plan_dir, res = small_plan
    planned = set(zip(res.plan["cadre_id"], res.plan["activity_id"]))
    cadre = res.plan["cadre_id"].iloc[0]
    other = next(k for k in res.data.classes["class_id"] if (cadre, k) not in planned)
    att = write_csv(tmp_path / "att.csv", [{"cadre_id": cadre, "activity_id": res.plan["activity_id"].iloc[0],
                                           "attended": "yes"},
                                          {"cadre_id": cadre, "activity_id": other, "attended": "yes"}])
    out = tmp_path / "next"
    code = main(["close-year", str(SMALL), str(plan_dir), "--year", str(YEAR), "--attendance", str(att),
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "attendance, row 3, column activity_id" in err and "no assignment" in err
    assert not out.exists()


def test_cli_close_year_refuses_a_plan_not_valid_for_the_data(small_plan, tmp_path, capsys):
    import shutil

    plan_dir, res = small_plan
    bad = tmp_path / "bad"
    shutil.copytree(plan_dir, bad)
    plan = read_plan_csv(bad / "plan.csv")
    plan.loc[0, "activity_id"] = "NO-SUCH"
    plan.to_csv(bad / "plan.csv", index=False)
    out = tmp_path / "next"
    assert main(["close-year", str(SMALL), str(bad), "--year", str(YEAR), "--out", str(out)]) == 2
    assert "not valid for this data" in capsys.readouterr().err and not out.exists()


def test_redate_keeps_weekday_and_refuses_a_class_that_cannot_move(tmp_path):
    path = write_dataset(tmp_path, classes=[{"class_id": "K2027-1", "start_date": "2027-12-27",
                                             "end_date": "2027-12-31", "days": 5, "hours": 40}])
    ds = load_dataset(path, YEAR)
    moved = redate_offer(ds, YEAR, YEAR + 1)
    r = moved.classes.iloc[0]
    assert r["class_id"] == "K2028-1" and r["start_date"] == dt.date(2028, 12, 25)
    assert r["start_date"].weekday() == dt.date(2027, 12, 27).weekday()
    late = load_dataset(write_dataset(tmp_path, folder="late", classes=[
        {"class_id": "K1", "start_date": "2027-01-01", "end_date": "2027-12-31", "days": 200, "hours": 1600}]), YEAR)
    with pytest.raises(DataError) as e:
        redate_offer(late, YEAR, YEAR + 1)
    assert {(p.table, p.row, p.column) for p in e.value.problems} == {("classes", 2, "end_date")}


# --------------------------------------------------------------------------- warm start
def test_warm_start_from_the_plan_itself_keeps_it(small_plan, tmp_path):
    _, base = small_plan
    res = run_plan(SMALL, YEAR, tmp_path / "same", policy=default_policy().with_overrides(QUICK), warm=base.plan)
    assert check_plan(SMALL, tmp_path / "same", YEAR) == []
    assert res.info.start_origin == "warm start" and res.info["warm_objective"] == pytest.approx(base.summary["objective"])
    assert res.plan[["cadre_id", "activity_id", "start_date"]].equals(base.plan[["cadre_id", "activity_id", "start_date"]])


def test_warm_plan_repairs_the_given_plan_for_changed_data(small_plan, tmp_path):
    """After a class is dropped, the warm plan keeps every other assignment the rules allow, is
    valid (PlanBuilder), and is the same on every call."""
    from planning.model.problem import build_problem
    from planning.model.warm import warm_pairs, warm_plan

    _, base = small_plan
    ds = load_dataset(SMALL, YEAR)
    gone = base.plan.loc[base.plan["kind"] == "class", "activity_id"].value_counts().index[0]
    ds.tables["classes"] = ds.classes[ds.classes["class_id"] != gone].reset_index(drop=True)
    ds.tables["pins"] = ds.pins[ds.pins["activity_id"] != gone].reset_index(drop=True)
    prob = build_problem(ds, YEAR, default_policy())
    given = warm_pairs(prob, base.plan)
    assert len(given) == (base.plan["activity_id"] != gone).sum()
    plan = warm_plan(prob, given)
    assert plan == warm_plan(prob, given) and len(given - plan) <= 2
    res = run_plan(ds, YEAR, tmp_path / "warm", policy=default_policy().with_overrides(QUICK), warm=base.plan)
    assert check_plan(ds, tmp_path / "warm", YEAR) == [] and res.summary["objective"] >= res.info["warm_objective"] - 1e-6


# --------------------------------------------------------------------------- re-plan
AS_OF = dt.date(YEAR, 4, 1)


def _changed(ds, plan: pd.DataFrame, *, blackout=(dt.date(YEAR, 5, 10), dt.date(YEAR, 5, 14))):
    """The small sample as the year went: the fullest class after May cancelled, a region blackout,
    a cadre with a class in June transferred to another unit."""
    out = ds.copy()
    later = plan[(plan["kind"] == "class") & (plan["start_date"].astype(str) >= f"{YEAR}-06-01")]
    gone = later["activity_id"].value_counts().sort_index().idxmax()
    out.tables["classes"] = ds.classes[ds.classes["class_id"] != gone].reset_index(drop=True)
    out.tables["pins"] = ds.pins[ds.pins["activity_id"] != gone].reset_index(drop=True)
    row = {"start_date": blackout[0], "end_date": blackout[1], "scope": "region", "reason": "urgent task",
           "_row": int(ds.blackouts["_row"].max()) + 1}
    out.tables["blackouts"] = pd.concat([ds.blackouts, pd.DataFrame([row])], ignore_index=True)
    who = sorted(plan.loc[plan["start_date"].astype(str).str.startswith(f"{YEAR}-06"), "cadre_id"])[0]
    cad = out.cadres.copy()
    k = cad.index[cad["cadre_id"] == who][0]
    cad.at[k, "unit_id"] = next(u for u in sorted(set(cad["unit_id"])) if u != cad.at[k, "unit_id"])
    out.tables["cadres"] = cad
    return out, gone, who


def _keys(plan: pd.DataFrame) -> set:
    return set(zip(plan["cadre_id"], plan["activity_id"], plan["start_date"].astype(str)))


@pytest.fixture(scope="module")
def small_replan(small_plan, tmp_path_factory):
    from planning.inyear.replan import replan

    plan_dir, base = small_plan
    ds, gone, who = _changed(load_dataset(SMALL, YEAR), base.plan)
    out = tmp_path_factory.mktemp("replan") / "replan"
    r = replan(ds, YEAR, plan_dir, AS_OF, out, policy=default_policy().with_overrides(QUICK))
    return ds, gone, who, out, r


def test_replan_is_valid_keeps_what_started_and_says_why(small_plan, small_replan):
    plan_dir, base = small_plan
    ds, gone, who, out, r = small_replan
    assert check_plan(ds, out, YEAR) == []
    started = base.plan[base.plan["start_date"].astype(str) < AS_OF.isoformat()]
    assert _keys(started) <= _keys(r.plan)
    assert gone not in set(r.plan["activity_id"])
    changes = read_plan_csv(out / "changes.csv")
    assert list(changes.columns)[:4] == ["cadre_id", "before", "after", "reason"] and (changes["reason"] != "").all()
    assert (changes["reason"] == changes["reason_en"]).all()  # English data: the reason in English
    codes = {c for row in changes["reason_codes"] for c in row.split(";")}
    assert {"rp_class_cancelled", "rp_region_blackout"} <= codes and all(c.startswith("rp_") for c in codes)
    import json

    summary = json.loads((out / "summary.json").read_text())
    assert summary["changes"] == len(changes) and summary["changed_assignments"] == len(_keys(base.plan) ^ _keys(r.plan))
    reasons = " | ".join(changes["reason"])
    assert f"class {gone} cancelled" in reasons and "new blackout 2027-05-10…05-14 (urgent task)" in reasons
    for c in set(base.plan.loc[base.plan["activity_id"] == gone, "cadre_id"]):
        assert f"class {gone} cancelled" in " ".join(changes.loc[changes["cadre_id"] == c, "reason"])


def test_replan_changes_far_less_than_a_plan_from_scratch(small_plan, small_replan, tmp_path):
    _, base = small_plan
    ds, _, _, _, r = small_replan
    scratch = run_plan(ds, YEAR, tmp_path / "scratch", policy=default_policy().with_overrides(QUICK))
    assert check_plan(ds, tmp_path / "scratch", YEAR) == []
    assert len(_keys(base.plan) ^ _keys(r.plan)) < 0.75 * len(_keys(base.plan) ^ _keys(scratch.plan))
    assert r.summary["requirement_met"] >= scratch.summary["requirement_met"] - 3


def test_change_penalty_is_the_policy_setting(small_plan, small_replan, tmp_path):
    """A prohibitive change penalty leaves only the changes the data forces."""
    from planning.inyear.replan import replan

    plan_dir, base = small_plan
    ds, gone, *_ = small_replan
    pol = default_policy().with_overrides({"replan.change_penalty": 1e5, "replan.notice_change_penalty": 1e5, **QUICK})
    r = replan(ds, YEAR, plan_dir, AS_OF, tmp_path / "rigid", policy=pol)
    assert check_plan(ds, tmp_path / "rigid", YEAR) == []
    assert r.summary["changes_added"] == 0
    assert not r.changes["reason"].str.contains("re-planned").any()


def test_replan_ends_an_assignment_under_way_that_the_data_now_forbids(small_plan, tmp_path):
    from planning.inyear.replan import replan

    plan_dir, base = small_plan
    cls = base.plan[base.plan["kind"] == "class"].sort_values(["start_date", "activity_id"])
    first = cls[(cls["start_date"].astype(str) >= f"{YEAR}-04-01")].iloc[0]
    start, end = dt.date.fromisoformat(first["start_date"]), dt.date.fromisoformat(first["end_date"])
    ds = load_dataset(SMALL, YEAR)
    row = {"start_date": end, "end_date": end, "scope": "region", "reason": "urgent task", "_row": 99}
    ds.tables["blackouts"] = pd.concat([ds.blackouts, pd.DataFrame([row])], ignore_index=True)
    r = replan(ds, YEAR, plan_dir, start + dt.timedelta(days=1), tmp_path / "out",
               policy=default_policy().with_overrides(QUICK))
    assert check_plan(ds, tmp_path / "out", YEAR) == []
    trainees = set(cls.loc[cls["activity_id"] == first["activity_id"], "cadre_id"])
    assert first["activity_id"] not in set(r.plan["activity_id"])
    dropped = r.changes[r.changes["before"].str.startswith(first["activity_id"])]
    assert set(dropped["cadre_id"]) == trainees and dropped["reason"].str.contains("new blackout").all()


def test_cli_replan_bad_input_exit_2_and_nothing_written(small_plan, tmp_path, capsys):
    plan_dir, base = small_plan
    out = tmp_path / "out"
    # --as-of outside the year
    assert main(["replan", str(SMALL), "--year", str(YEAR), "--base", str(plan_dir), "--as-of", "2028-02-01",
                 "--out", str(out)]) == 2
    assert "outside the plan year 2027" in capsys.readouterr().err and not out.exists()
    # a past assignment the data now forbids: its class removed
    done = base.plan[base.plan["end_date"].astype(str) < f"{YEAR}-12-01"].iloc[0]
    data = tmp_path / "data"
    import shutil

    shutil.copytree(SMALL, data)
    classes = read_plan_csv(data / "classes.csv")
    classes[classes["class_id"] != done["activity_id"]].to_csv(data / "classes.csv", index=False)
    pins = read_plan_csv(data / "pins.csv")
    pins[pins["activity_id"] != done["activity_id"]].to_csv(data / "pins.csv", index=False)
    assert main(["replan", str(data), "--year", str(YEAR), "--base", str(plan_dir), "--as-of", f"{YEAR}-12-01",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "plan.csv, row" in err and "column activity_id" in err and "cannot change" in err and not out.exists()
    # a base plan not valid for the data it was made for
    bad = tmp_path / "bad"
    shutil.copytree(plan_dir, bad)
    plan = read_plan_csv(bad / "plan.csv")
    plan.loc[0, "hours"] = "1"
    plan.to_csv(bad / "plan.csv", index=False)
    assert main(["replan", str(SMALL), "--year", str(YEAR), "--base", str(bad), "--base-data", str(SMALL),
                 "--as-of", f"{YEAR}-04-01", "--out", str(out)]) == 2
    assert "not valid for this data" in capsys.readouterr().err and not out.exists()


def test_report_shows_the_change_notice_per_unit_affected(small_replan, small_plan):
    from planning.report import render_report_html

    ds, gone, who, out, r = small_replan
    html = render_report_html(out, ds, YEAR)
    assert html.count("<h1>Change notice</h1>") == r.changes["cadre_id"].map(
        dict(zip(ds.cadres["cadre_id"], ds.cadres["unit_id"]))).nunique()
    assert f"class {gone} cancelled" in html and "as of 2027-04-01" in html
    zh = render_report_html(out, ds, YEAR, lang="zh")
    assert "计划调整通知" in zh and f"培训班 {gone} 取消" in zh and "新增全区重点工作时段 2027年5月10日至5月14日" in zh
    plan_dir, _ = small_plan
    assert "Change notice" not in render_report_html(plan_dir, SMALL, YEAR)


def test_reasons_in_both_languages_from_codes():
    """Every re-plan reason code renders in both languages from its values (no English in Chinese)."""
    import re

    from planning.inyear.words import Why, codes, join
    from planning.messages import REPLAN_MESSAGES

    period = ("2027-05-10", "2027-05-14", "全区会议")
    values = {"cadre": "CD00009", "act": "C2027-001", "unit": "U001", "old": "U001", "new": "U002", "period": period,
              "level": "deputy_section", "cap": 3, "size": 8, "day": "2027-06-01", "who": ("CD00001", "CD00002"),
              "leave": 6, "share": 1 / 7, "hours": 35, "limit": 5.0}
    for code in REPLAN_MESSAGES:
        if not code.startswith("rp_") or code.endswith("_note") or code.startswith(("rp_note", "rp_status")) or \
                code in ("rp_sep", "rp_moved_dates_why"):  # parts of sentences, not reasons
            continue
        w = Why(code, values)
        en, zh = w.text("en"), w.text("zh")
        assert en and zh and "{" not in en + zh, code
        assert re.findall(r"[A-Za-z]{2,}", re.sub(r"\b[A-Z]+\d[\w-]*\b", "", zh)) == [], (code, zh)
    both = [Why("rp_class_cancelled", {"act": "C1"}), Why("rp_seat_taken", {"cadre": "CD9", "act": "C2"})]
    assert join(both, "en") == "class C1 cancelled; moved to take the seat of CD9 in C2"
    assert join(both, "zh") == "培训班 C1 取消；调入 C2，使用 CD9 让出的名额"
    moved = Why("rp_moved_dates", {"act": "C3", "inner": Why("rp_busy", {"period": period})})
    assert moved.text("en") == "class C3 moved to other dates: own busy period 2027-05-10…05-14 (全区会议)"
    assert moved.text("zh") == "培训班 C3 调整日期：本人工作繁忙期 2027年5月10日至5月14日（全区会议）"
    assert codes([moved]) == "rp_moved_dates;rp_busy"


def test_notebook_section_replans_an_example_change(small_plan, tmp_path):
    import planning.inyear.notebook as replan_nb

    _, base = small_plan
    view = replan_nb.replan_run(base, tmp_path / "replan")
    assert check_plan(view.data, tmp_path / "replan", YEAR) == []
    gone = view.what.split("class ")[1].split(" ")[0]
    assert gone not in set(view.data.classes["class_id"]) and f"class {gone} cancelled" in " ".join(view.changes["reason"])
    figures = replan_nb.change_figures(view)
    assert figures.at["changes (rows of changes.csv)", "re-plan"] == len(view.changes)
    assert replan_nb.changes_by_reason(view)["changes"].sum() == len(view.changes)
    assert "example: class" in replan_nb.replan_note(view)


def test_replan_takes_out_a_withdrawn_trainee_and_refuses_unknown_attendance(small_plan, tmp_path, capsys):
    """Attendance so far: a trainee withdrawn from a class that ended (leave over 1/7) loses it and
    may get another class; attendance of an assignment the base plan does not hold is exit 2."""
    from planning.inyear.replan import replan

    plan_dir, base = small_plan
    as_of = dt.date(YEAR, 7, 1)
    ds = load_dataset(SMALL, YEAR)
    min_size = dict(zip(ds.classes["class_id"], ds.classes["min_size"]))
    counts = base.plan["activity_id"].value_counts()
    done = base.plan[(base.plan["kind"] == "class") & (base.plan["end_date"].astype(str) < as_of.isoformat())
                     & base.plan["activity_id"].map(lambda a: counts[a] - 1 >= (min_size.get(a) or 0))].iloc[0]
    att = write_csv(tmp_path / "att.csv", [{"cadre_id": done["cadre_id"], "activity_id": done["activity_id"],
                                            "attended": "yes", "leave_hours": float(done["hours"]) / 7 + 1}])
    r = replan(ds, YEAR, plan_dir, as_of, tmp_path / "out", attendance=att, policy=default_policy().with_overrides(QUICK))
    assert check_plan(ds, tmp_path / "out", YEAR) == []
    assert (done["cadre_id"], done["activity_id"]) not in set(zip(r.plan["cadre_id"], r.plan["activity_id"]))
    row = r.changes[r.changes["before"].str.startswith(done["activity_id"]) & (r.changes["cadre_id"] == done["cadre_id"])]
    assert row["reason"].str.contains(f"withdrawn from {done['activity_id']}").all() and len(row) == 1
    assert r.summary["replan_attendance_dropped"] == 1
    other = next(k for k in ds.classes["class_id"] if (done["cadre_id"], k) not in
                 set(zip(base.plan["cadre_id"], base.plan["activity_id"])))
    bad = write_csv(tmp_path / "bad.csv", [{"cadre_id": done["cadre_id"], "activity_id": other, "attended": "no"}])
    out = tmp_path / "out2"
    assert main(["replan", str(SMALL), "--year", str(YEAR), "--base", str(plan_dir), "--as-of", as_of.isoformat(),
                 "--attendance", str(bad), "--out", str(out)]) == 2
    assert "attendance, row 2, column activity_id" in capsys.readouterr().err and not out.exists()


def test_replan_and_close_year_are_repeatable(small_plan, small_replan, tmp_path):
    """The same inputs give the same files, byte for byte."""
    from planning.inyear.replan import replan

    plan_dir, base = small_plan
    ds, _, _, out, _ = small_replan
    replan(ds, YEAR, plan_dir, AS_OF, tmp_path / "again", policy=default_policy().with_overrides(QUICK))
    for name in ("plan.csv", "classes.csv", "changes.csv", "shortfall.csv"):
        assert filecmp.cmp(out / name, tmp_path / "again" / name, shallow=False), name
    from planning.data.write import dataset_text

    one, two = (dataset_text(close_year(load_dataset(SMALL, YEAR), base.plan, YEAR)) for _ in range(2))
    assert list(one) == list(two) and all(one[t].equals(two[t]) for t in one)


def test_workbook_has_a_changes_sheet_for_a_replan(small_replan, tmp_path):
    import openpyxl

    from planning.report import build_workbook

    ds, gone, _, out, r = small_replan
    build_workbook(out, ds, YEAR, tmp_path / "replan.xlsx", lang="zh")
    ws = openpyxl.load_workbook(tmp_path / "replan.xlsx", read_only=True)["调整清单"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("干部编号", "姓名") and len(rows) == len(r.changes) + 1
    assert any(f"培训班 {gone} 取消" in (row[5] or "") for row in rows[1:])
