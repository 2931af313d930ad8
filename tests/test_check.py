"""The independent plan checker: one valid hand-made plan, then one broken plan per rule.

The data set (year 2027) has three cadres:
- C1 staff, unit U1, no grassroots years, took topic "Ethics" in 2026;
- C2 section, unit U1, 3 grassroots years;
- C3 division, unit U2 (alone), 200 class hours in 2025 -> needs 350 hours this year.
The valid plan: C1 in CL1 (12 days), CL2 (weekend, windowed) and rotation RP1;
C2 in CL5 (full-time, windowed, 5 days: short of 12 -> shortfall) and rotation RP2;
C3 in CL3 (360 hours: met). Requirement met share 2/3.
"""
from __future__ import annotations

import ast
import copy
import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from planning.check import check_plan
from planning.data.load import load_dataset
from planning.policy import load_policy

YEAR = 2027
CHECK_SRC = Path(__file__).resolve().parents[1] / "planning" / "check.py"


# --------------------------------------------------------------------------- data set
def _write(path: Path, rows: list[dict], columns: list[str] | None = None) -> None:
    columns = columns or list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})


CLASS_COLS = ["class_id", "title", "topic", "mode", "start_date", "end_date", "window_start", "window_end",
              "days", "hours", "capacity", "min_size", "levels", "cost_per_trainee"]
ROT_COLS = ["post_id", "title", "direction", "category", "start_date", "end_date", "slots", "levels"]


def _cl(cid, topic, mode, start, end, days, hours, capacity, *, window=False, min_size="", levels="", cost=""):
    dates = {"window_start": start, "window_end": end} if window else {"start_date": start, "end_date": end}
    return {"class_id": cid, "title": cid, "topic": topic, "mode": mode, **dates, "days": days, "hours": hours,
            "capacity": capacity, "min_size": min_size, "levels": levels, "cost_per_trainee": cost}


CLASSES = [
    _cl("CL1", "Party history", "full_time", "2027-03-08", "2027-03-19", 12, 90, 2, cost=1000),
    _cl("CL2", "Law", "weekend", "2027-04-10", "2027-05-30", 4, 32, 3, window=True, levels="staff;Section"),
    _cl("CL3", "Economy today", "full_time", "2027-06-14", "2027-06-25", 10, 360, 1),
    _cl("CL4", "Statistics", "full_time", "2027-09-06", "2027-09-10", 5, 40, 5, min_size=2),
    _cl("CL5", "Writing", "full_time", "2027-10-11", "2027-10-29", 5, 40, 2, window=True),
    _cl("CL6", "Media", "full_time", "2027-05-10", "2027-05-14", 5, 40, 2),
    _cl("CL7", "Planning", "full_time", "2027-11-01", "2027-11-05", 5, 40, 2),
    _cl("CL8", "ethics", "full_time", "2027-02-22", "2027-02-26", 5, 40, 2),
    _cl("CL9", "PARTY HISTORY", "full_time", "2027-01-18", "2027-01-22", 5, 40, 2),
]
ROTATIONS = [
    {"post_id": "RP1", "direction": "grassroots", "start_date": "2027-07-05", "end_date": "2027-07-30", "slots": 1},
    {"post_id": "RP2", "direction": "higher_level", "start_date": "2027-08-02", "end_date": "2027-08-27", "slots": 1},
    {"post_id": "RP3", "direction": "grassroots", "start_date": "2027-06-21", "end_date": "2027-07-02", "slots": 1},
    {"post_id": "RP4", "direction": "grassroots", "start_date": "2027-12-06", "end_date": "2027-12-17", "slots": 1},
    {"post_id": "RP5", "direction": "higher_level", "start_date": "2027-09-13", "end_date": "2027-09-24", "slots": 1},
]


def write_dataset(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    _write(root / "units.csv", [{"unit_id": "U1", "name": "Bureau", "district": "D1", "max_absent_share": ""},
                                {"unit_id": "U2", "name": "Town", "district": "D1", "max_absent_share": "0.5"}])
    _write(root / "cadres.csv", [
        {"cadre_id": "C1", "name": "A", "unit_id": "U1", "level": "staff", "birth_year": 1990,
         "is_reserve": "no", "is_key_post": "no", "grassroots_years": 0},
        {"cadre_id": "C2", "name": "B", "unit_id": "U1", "level": "section", "birth_year": 1985,
         "is_reserve": "yes", "is_key_post": "no", "grassroots_years": 3},
        {"cadre_id": "C3", "name": "C", "unit_id": "U2", "level": "Division", "birth_year": 1975,
         "is_reserve": "no", "is_key_post": "yes", "grassroots_years": 0},
    ])
    _write(root / "classes.csv", CLASSES, CLASS_COLS)
    _write(root / "rotations.csv", ROTATIONS, ROT_COLS)
    _write(root / "blackouts.csv", [
        {"start_date": "2027-05-14", "end_date": "2027-05-16", "scope": "region", "reason": "Two sessions"},
        {"start_date": "2027-11-01", "end_date": "2027-11-05", "scope": "U2", "reason": "Harvest"},
    ])
    _write(root / "busy.csv", [{"cadre_id": "C3", "start_date": "2027-12-01", "end_date": "2027-12-10",
                                "reason": "Audit"}])
    _write(root / "history.csv", [
        {"cadre_id": "C3", "year": 2025, "activity_id": "OLD1", "topic": "Economy", "kind": "class", "days": 20,
         "hours": 200},
        {"cadre_id": "C3", "year": 2021, "activity_id": "OLD0", "topic": "Old", "kind": "class", "days": 50,
         "hours": 500},  # five years back: outside the division window
        {"cadre_id": "C1", "year": 2026, "activity_id": "OLD2", "topic": "Ethics", "kind": "class", "days": 5,
         "hours": 40},
        {"cadre_id": "C1", "year": 2026, "activity_id": "OLD3", "topic": "Writing", "kind": "online", "days": 0,
         "hours": 10},
    ])
    _write(root / "holidays.csv", [{"date": "2027-12-24", "name": "Local day"}])
    _write(root / "pins.csv", [{"cadre_id": "C1", "activity_id": "CL1", "rule": "must"},
                               {"cadre_id": "C3", "activity_id": "CL1", "rule": "must_not"}])
    return root


# --------------------------------------------------------------------------- plan files
FIXED = {c["class_id"]: (c["start_date"], c["end_date"]) for c in CLASSES if c.get("start_date")}
ROT = {r["post_id"]: (r["start_date"], r["end_date"]) for r in ROTATIONS}
INFO = {c["class_id"]: c for c in CLASSES}


def valid_plan() -> dict:
    return {
        "windowed": {"CL2": ("2027-04-10", "2027-04-18"), "CL5": ("2027-10-18", "2027-10-22")},
        "assign": [("C1", "CL1"), ("C1", "CL2"), ("C1", "RP1"), ("C2", "CL5"), ("C2", "RP2"), ("C3", "CL3")],
        "summary": {"status": "optimal", "objective": 123.0, "best_bound": 123.0, "gap": 0.0, "solver": "highs",
                    "solve_seconds": 0.1, "cadres": 3, "requirement_met_share": 2 / 3},
        "shortfall": [{"cadre_id": "C2", "unit_id": "U1", "measure": "days", "required": 12, "planned": 5,
                       "reasons": "only 5 days fit between rotation and unit absence"}],
        "plan_edit": None,      # callable(list of plan rows) -> None
        "classes_edit": None,   # callable(list of classes.csv rows) -> None
    }


def _dates(p: dict, aid: str) -> tuple[str, str]:
    if aid in ROT:
        return ROT[aid]
    return FIXED.get(aid) or p["windowed"].get(aid, ("", ""))


def write_plan(out: Path, p: dict) -> Path:
    """plan.csv from the assignments (true dates, days, hours); classes.csv derived from them."""
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for cid, aid in p["assign"]:
        s, e = _dates(p, aid)
        if aid in ROT:
            days = (dt.date.fromisoformat(e) - dt.date.fromisoformat(s)).days + 1
            rows.append({"cadre_id": cid, "activity_id": aid, "kind": "rotation", "start_date": s, "end_date": e,
                         "days": days, "hours": 0})
        else:
            c = INFO.get(aid, {"days": 1, "hours": 1})
            rows.append({"cadre_id": cid, "activity_id": aid, "kind": "class", "start_date": s, "end_date": e,
                         "days": c["days"], "hours": c["hours"]})
    if p["plan_edit"]:
        p["plan_edit"](rows)
    _write(out / "plan.csv", rows, ["cadre_id", "activity_id", "kind", "start_date", "end_date", "days", "hours"])
    classes = []
    for c in CLASSES:
        n = sum(1 for r in rows if r["activity_id"] == c["class_id"])
        s, e = _dates(p, c["class_id"]) if (n or c["class_id"] in FIXED) else ("", "")
        classes.append({"class_id": c["class_id"], "start_date": s, "end_date": e,
                        "status": "running" if n else "cancelled", "enrolled": n, "capacity": c["capacity"]})
    if p["classes_edit"]:
        p["classes_edit"](classes)
    _write(out / "classes.csv", classes, ["class_id", "start_date", "end_date", "status", "enrolled", "capacity"])
    _write(out / "shortfall.csv", p["shortfall"], ["cadre_id", "unit_id", "measure", "required", "planned", "reasons"])
    if p["summary"] is not None:
        (out / "summary.json").write_text(json.dumps(p["summary"]), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("data") / "ds")


@pytest.fixture(scope="module")
def ds(data_dir):
    return load_dataset(data_dir, YEAR)


@pytest.fixture(scope="module")
def pol():
    return load_policy()  # read once: the rule tests below stay fast


# --------------------------------------------------------------------------- the valid plan
def test_valid_plan_passes(data_dir, ds, tmp_path):
    plan = write_plan(tmp_path / "plan", valid_plan())
    assert check_plan(data_dir, plan, YEAR) == []       # data as a path, default policy
    assert check_plan(ds, str(plan), YEAR, None) == []   # data as a Dataset


def test_budget_within_limit_passes(ds, tmp_path):
    pol = tmp_path / "policy.yaml"
    pol.write_text("budget:\n  total: 1000\n", encoding="utf-8")
    assert check_plan(ds, write_plan(tmp_path / "plan", valid_plan()), YEAR, pol) == []


# --------------------------------------------------------------------------- one broken plan per rule
def _add(*pairs):
    return lambda p: p["assign"].extend(pairs)


def _edit_row(cid, aid, **changes):
    def f(rows):
        for r in rows:
            if r["cadre_id"] == cid and r["activity_id"] == aid:
                r.update(changes)
    return lambda p: p.__setitem__("plan_edit", f)


def _edit_class(cid, **changes):
    def f(rows):
        for r in rows:
            if r["class_id"] == cid:
                r.update(changes)
    return lambda p: p.__setitem__("classes_edit", f)


def _windowed(cid, s, e):
    return lambda p: p["windowed"].__setitem__(cid, (s, e))


def _seq(*fs):
    def f(p):
        for g in fs:
            g(p)
    return f


def _drop(cid, aid):
    return lambda p: p["assign"].remove((cid, aid))


def _shortfall(**changes):
    return lambda p: p["shortfall"][0].update(changes)


def _summary(**changes):
    return lambda p: p["summary"].update(changes)


def _del_summary_key(key):
    return lambda p: p["summary"].pop(key)


CASES = {
    # 1. cadres and activities exist; kind, dates, days and hours are the activity's; classes.csv
    "unknown cadre": (_add(("C9", "RP5")), "cadre C9 does not exist"),
    "unknown activity": (_add(("C1", "XX1")), "activity XX1 (cadre C1) does not exist"),
    "wrong kind": (_edit_row("C1", "RP1", kind="class"), "RP1 is a rotation, but kind is 'class'"),
    "wrong start date": (_edit_row("C1", "CL1", start_date="2027-03-09"), "start_date 2027-03-09 differs"),
    "wrong hours": (_edit_row("C3", "CL3", hours=300), "hours 300 differs from the class's 360"),
    "rotation days": (_edit_row("C1", "RP1", days=20), "days 20 differs from the rotation's 26"),
    "rotation hours": (_edit_row("C2", "RP2", hours=8), "hours 8 differs from the rotation's 0"),
    "windowed row vs classes.csv": (_edit_row("C2", "CL5", end_date="2027-10-21"),
                                    "end_date 2027-10-21 differs from the classes.csv dates 2027-10-22"),
    "duplicate row": (lambda p: p.__setitem__("plan_edit", lambda rows: rows.append(dict(rows[0]))),
                      "cadre C1: CL1 appears 2 times in plan.csv"),
    "class not listed": (lambda p: p.__setitem__("classes_edit", lambda rows: rows.pop(3)),
                         "class CL4 is not listed"),
    "class listed twice": (lambda p: p.__setitem__("classes_edit", lambda rows: rows.append(dict(rows[3]))),
                           "class CL4 is listed 2 times"),
    "enrolled wrong": (_edit_class("CL1", enrolled=2), "enrolled 2 but plan.csv has 1 row(s)"),
    "capacity wrong": (_edit_class("CL1", capacity=5), "capacity 5 differs from the data's 2"),
    "fixed class dates wrong": (_edit_class("CL3", end_date="2027-06-24"), "end_date 2027-06-24 differs from the data's"),
    "cancelled windowed with dates": (_seq(_drop("C2", "CL5"), _shortfall(planned=0),
                                           _edit_class("CL5", start_date="2027-10-18", end_date="2027-10-22")),
                                      "class CL5 is a cancelled windowed class but its dates are not empty"),
    # 2. no two activities on one day
    "overlap": (_add(("C3", "RP3")), "cadre C3: two activities on 2027-06-21 (CL3, RP3) (and 4 more days)"),
    # 3. blocked days
    "region blackout": (_add(("C3", "CL6")), "in class CL6 on 2027-05-14, during the region blackout"),
    "unit blackout": (_add(("C3", "CL7")), "in class CL7 on 2027-11-01 (and 4 more days), during the blackout of unit U2"),
    "busy period": (_add(("C3", "RP4")), "in rotation RP4 on 2027-12-06 (and 4 more days), during their own busy period"),
    # 4. levels
    "level excluded": (_add(("C3", "CL2")), "cadre C3 (level division): CL2 is open only to staff, section"),
    # 5. class sizes
    "over capacity": (_add(("C1", "CL3")), "class CL3: 2 trainees, more than its capacity 1"),
    "below min_size": (_add(("C1", "CL4")), "class CL4 runs with 1 trainee(s), fewer than its min_size 2"),
    "cancelled with trainees": (_seq(_add(("C1", "CL4")), _edit_class("CL4", status="cancelled")),
                                "class CL4 is cancelled but has 1 trainee(s)"),
    # 6. rotations
    "slots exceeded": (_add(("C3", "RP1")), "rotation RP1: 2 cadres assigned, more than its 1 slot(s)"),
    "two rotations": (_add(("C1", "RP4")), "cadre C1: 2 rotations in the year (RP1, RP4)"),
    "wrong direction": (_add(("C3", "RP5")), "cadre C3: rotation RP5 is a higher_level post"),
    # 7. topics
    "topic in history": (_add(("C1", "CL8")), "class CL8 repeats the topic 'ethics' already taken in 2026"),
    "topic twice": (_add(("C1", "CL9")), "cadre C1: the topic 'Party history' twice in the year (CL1, CL9)"),
    # 8. pins
    "must pin": (_seq(_drop("C1", "CL1"), _add(("C1", "CL9"))), "cadre C1: must pin not honoured: CL1"),
    "must_not pin": (_add(("C3", "CL1")), "cadre C3: must_not pin broken: CL1"),
    # 9. unit absence
    "unit absence": (_seq(_add(("C2", "CL2")), _shortfall(planned=9)),
                     "unit U1: 2 of its 2 cadres away on 2027-04-10 (C1, C2), more than the 1 allowed "
                     "(over the limit on 4 days)"),
    # 10. windowed class dates
    "outside window": (_windowed("CL5", "2027-11-08", "2027-11-12"), "is outside its window"),
    "holiday in span": (_windowed("CL2", "2027-04-24", "2027-05-09"), "runs over the statutory holiday 2027-05-01"),
    "region blackout in span": (_windowed("CL2", "2027-05-08", "2027-05-16"),
                                "windowed class CL2: runs on 2027-05-15 (and 1 more day), inside the region blackout"),
    "wrong training days": (_windowed("CL5", "2027-10-18", "2027-10-25"), "holds 6 training days, not the class's 5"),
    "starts on a non-training day": (_windowed("CL5", "2027-10-17", "2027-10-22"),
                                     "starts on 2027-10-17, which is not a training day"),
    "running windowed without dates": (_edit_class("CL5", start_date="", end_date=""),
                                       "windowed class CL5 is running but classes.csv gives no start_date"),
    # 12. summary.json and shortfall.csv
    "summary key missing": (_del_summary_key("best_bound"), "summary.json lacks the key(s) best_bound"),
    "summary cadres": (_summary(cadres=4), "summary.json: cadres is 4 but the data has 3 cadres"),
    "summary share": (_summary(requirement_met_share=1.0), "requirement_met_share 1 differs from the recomputed 0.666667"),
    "summary status": (_summary(status="infeasible"), "status is 'infeasible'"),
    "summary missing": (lambda p: p.__setitem__("summary", None), "summary.json is missing"),
    "shortfall missing cadre": (lambda p: p["shortfall"].clear(),
                                "shortfall.csv: cadre C2 does not meet the requirement (5 of 12 days) but is not listed"),
    "shortfall extra cadre": (lambda p: p["shortfall"].append({"cadre_id": "C3", "unit_id": "U2", "measure": "hours",
                                                               "required": 350, "planned": 360, "reasons": "x"}),
                              "cadre C3 is listed but meets the requirement"),
    "shortfall planned": (_shortfall(planned=7), "planned 7 differs from the recomputed 5"),
    "shortfall measure": (_shortfall(measure="hours"), "measure 'hours' should be days"),
    "shortfall no reasons": (_shortfall(reasons=""), "cadre C2: no reasons given"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_is_caught(case, ds, pol, tmp_path):
    mutate, expected = CASES[case]
    p = copy.deepcopy(valid_plan())
    mutate(p)
    lines = check_plan(ds, write_plan(tmp_path / "plan", p), YEAR, pol)
    assert any(expected in line for line in lines), "\n".join(lines)


@pytest.mark.parametrize("case", ["overlap", "region blackout", "unit blackout", "busy period", "level excluded",
                                  "over capacity", "slots exceeded", "wrong direction", "topic in history",
                                  "topic twice", "must_not pin", "unit absence", "outside window",
                                  "holiday in span", "wrong training days",
                                  "starts on a non-training day", "duplicate row", "enrolled wrong"])
def test_rule_breaks_only_that_rule(case, ds, pol, tmp_path):
    """These plans break exactly one rule, and the checker says exactly one thing."""
    mutate, expected = CASES[case]
    p = copy.deepcopy(valid_plan())
    mutate(p)
    lines = check_plan(ds, write_plan(tmp_path / "plan", p), YEAR, pol)
    assert len(lines) == 1 and expected in lines[0], "\n".join(lines)


def test_budget_exceeded(ds, tmp_path):
    pol = tmp_path / "policy.yaml"
    pol.write_text("budget:\n  total: 500\n", encoding="utf-8")
    lines = check_plan(ds, write_plan(tmp_path / "plan", valid_plan()), YEAR, pol)
    assert lines == ["budget: the plan's class cost 1000 yuan exceeds budget.total 500 yuan"]


def test_policy_threshold_changes_direction(ds, tmp_path):
    """With a threshold of 5 grassroots years, C2 (3 years) may only take grassroots posts."""
    lines = check_plan(ds, write_plan(tmp_path / "plan", valid_plan()), YEAR,
                       load_policy(overrides={"rotation.grassroots_threshold_years": 5}))
    assert lines == ["cadre C2: rotation RP2 is a higher_level post, but with 3 grassroots years (threshold 5) "
                     "the cadre may only take grassroots posts"]


def test_unit_share_from_unit(ds, tmp_path):
    """U1 uses the policy default share 0.2; raising it with min_absent = 2 allows both away."""
    p = valid_plan()
    _seq(_add(("C2", "CL2")), _shortfall(planned=9))(p)
    lines = check_plan(ds, write_plan(tmp_path / "plan", p), YEAR, load_policy(overrides={"absence.min_absent": 2}))
    assert lines == []


# --------------------------------------------------------------------------- malformed plan files
def test_missing_column_and_bad_values_are_reported(ds, pol, tmp_path):
    plan = write_plan(tmp_path / "plan", valid_plan())
    text = (plan / "plan.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    keep = [i for i, h in enumerate(header) if h != "hours"]
    rows = [",".join(line.split(",")[i] for i in keep) for line in text]
    rows[1] = rows[1].replace("2027-03-08", "08/03/2027")
    (plan / "plan.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = check_plan(ds, plan, YEAR, pol)
    assert "plan.csv: the column(s) hours are missing from the header" in lines
    assert any("plan.csv row 2: cadre C1, CL1: start_date '08/03/2027' is not a date" in x for x in lines)


def test_missing_and_empty_files_are_reported(ds, pol, tmp_path):
    plan = write_plan(tmp_path / "plan", valid_plan())
    (plan / "plan.csv").unlink()
    (plan / "shortfall.csv").write_text("", encoding="utf-8")
    (plan / "summary.json").write_text("{not json", encoding="utf-8")
    lines = check_plan(ds, plan, YEAR, pol)
    assert any(x.startswith("plan.csv is missing") for x in lines)
    assert any(x.startswith("shortfall.csv is empty") for x in lines)
    assert any(x.startswith("summary.json is not valid JSON") for x in lines)
    assert "cadre C1: must pin not honoured: CL1 is not in the plan" in lines


def test_missing_plan_folder(ds, pol, tmp_path):
    lines = check_plan(ds, tmp_path / "nowhere", YEAR, pol)
    assert any("does not exist" in x for x in lines)


def test_bad_classes_values(ds, pol, tmp_path):
    p = valid_plan()
    _edit_class("CL1", enrolled="one", status="maybe")(p)
    lines = check_plan(ds, write_plan(tmp_path / "plan", p), YEAR, pol)
    assert "classes.csv row 2: class CL1: enrolled 'one' is not a whole number" in lines
    assert "classes.csv row 2: class CL1: status 'maybe' is neither running nor cancelled" in lines


# --------------------------------------------------------------------------- independence
def test_check_does_not_import_the_optimizer():
    tree = ast.parse(CHECK_SRC.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
            imported |= {f"{node.module}.{a.name}" for a in node.names}
    banned = ("planning.model", "planning.pipeline", "planning.facts")
    assert not [m for m in imported if m.startswith(banned)], imported
    assert "planning" not in imported  # `from planning import model` would slip past the prefix test


def test_missing_columns_reported_once(ds, pol, tmp_path):
    """A column missing from classes.csv or shortfall.csv is one line, not one per row."""
    import pandas as pd

    plan = write_plan(tmp_path / "plan", valid_plan())
    pd.read_csv(plan / "classes.csv", dtype=str).drop(columns=["enrolled", "status"]).to_csv(plan / "classes.csv", index=False)
    pd.read_csv(plan / "shortfall.csv", dtype=str).drop(columns=["reasons"]).to_csv(plan / "shortfall.csv", index=False)
    pd.read_csv(plan / "plan.csv", dtype=str).drop(columns=["kind"]).to_csv(plan / "plan.csv", index=False)
    lines = check_plan(ds, plan, YEAR, pol)
    assert "classes.csv: the column(s) status, enrolled are missing from the header" in lines
    assert "shortfall.csv: the column(s) reasons are missing from the header" in lines
    assert "plan.csv: the column(s) kind are missing from the header" in lines
    assert not [x for x in lines if x.startswith(("classes.csv row", "shortfall.csv row", "plan.csv row"))], lines
