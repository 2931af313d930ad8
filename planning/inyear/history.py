"""A year's plan as it was carried out (attendance) and next year's data set (close-year).

    record = year_record(ds, plan, year, policy, attendance)   # one row per assignment, credited or not
    nxt = next_year_data(ds, record, year)                     # history extended, pins dropped, offer re-dated
    # or both at once: nxt = close_year(ds, plan, year, policy, attendance)

Credit (requirement.leave_max_share): an assignment is credited unless its attendance row says
the cadre did not attend, or (a class) the leave hours exceed the share of the class hours
(the national rule: more than 1/7 on leave = withdrawn, no credit). An assignment the
attendance table does not mention was carried out as planned. Credited classes become
`history` rows (kind class: topic, training days, class hours), credited rotations too (kind
rotation: the post's category as topic, calendar days of the posting, 0 hours).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from planning.data.load import ROW, Dataset, topic_key
from planning.data.schema import TABLES
from planning.data.validate import validate_attendance, validate_dataset
from planning.errors import DataError, Problem
from planning.inyear.redate import redate_offer
from planning.io import read_plan_csv
from planning.policy import Policy, load_policy

RECORD_COLUMNS = ["cadre_id", "activity_id", "kind", "topic", "days", "hours", "attended", "leave_hours",
                  "status", "reason"]
STATUSES = ("credited", "withdrawn", "absent")
_LEAVE_TOLERANCE = 1e-3  # hours: 5 hours of leave in a 35-hour class is exactly 1/7, not over it


def _policy(policy: Policy | str | Path | None) -> Policy:
    return policy if isinstance(policy, Policy) else load_policy(policy)


def read_plan_rows(plan: pd.DataFrame | str | Path) -> tuple[pd.DataFrame, str]:
    """The plan's assignments (cadre_id, activity_id, kind, ... as text) and the name its rows are reported under."""
    if isinstance(plan, pd.DataFrame):
        return plan.astype({c: object for c in plan.columns}).reset_index(drop=True), "plan"
    path = Path(plan)
    path = path / "plan.csv" if path.is_dir() else path
    if not path.is_file():
        raise DataError([Problem("plan.csv", None, None, f"{path} does not exist: give a plan folder written "
                                 "by planning plan")])
    try:
        df = read_plan_csv(path)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise DataError([Problem("plan.csv", None, None, f"{path} cannot be read ({e})")]) from None
    missing = [c for c in ("cadre_id", "activity_id") if c not in df.columns]
    if missing:
        raise DataError([Problem("plan.csv", 1, c, "this required column is missing from the header") for c in missing])
    return df, "plan.csv"


def _activities(ds: Dataset) -> dict[str, dict]:
    """activity_id -> kind, topic, days and hours it credits."""
    acts = {}
    for r in ds.classes.to_dict("records"):
        acts[r["class_id"]] = {"kind": "class", "topic": r["topic"], "days": float(r["days"]), "hours": float(r["hours"])}
    for r in ds.rotations.to_dict("records"):
        days = (r["end_date"] - r["start_date"]).days + 1 if r["start_date"] and r["end_date"] else 0
        acts[r["post_id"]] = {"kind": "rotation", "topic": r["category"] or r["title"] or "", "days": float(days),
                              "hours": 0.0}
    return acts


def check_plan_rows(ds: Dataset, plan: pd.DataFrame, table: str) -> list[Problem]:
    """Every plan row names a cadre and an activity of the data set, once."""
    cadres, acts = set(ds.cadres["cadre_id"]), _activities(ds)
    problems, seen = [], {}
    for k, (c, a) in enumerate(zip(plan["cadre_id"], plan["activity_id"])):
        line = k + 2
        if c not in cadres:
            problems.append(Problem(table, line, "cadre_id", f"'{c}' is not found in the cadres table"))
        if a not in acts:
            problems.append(Problem(table, line, "activity_id", f"'{a}' is not found in the classes or rotations tables"))
        if (c, a) in seen:
            problems.append(Problem(table, line, "activity_id", f"{c} / {a} is listed twice (also on line {seen[c, a]})"))
        seen.setdefault((c, a), line)
    return problems


def attendance_problems(ds: Dataset, attendance: pd.DataFrame, plan: pd.DataFrame) -> list[Problem]:
    """The attendance table's own rules, and every row must be an assignment of the plan."""
    problems = validate_attendance(Dataset({**ds.tables, "attendance": attendance}, ds.source))
    planned = set(zip(plan["cadre_id"], plan["activity_id"]))
    acts = set(ds.classes["class_id"]) | set(ds.rotations["post_id"])
    for r in attendance.to_dict("records"):
        if r["cadre_id"] and r["activity_id"] in acts and (r["cadre_id"], r["activity_id"]) not in planned:
            problems.append(Problem("attendance", r[ROW], "activity_id",
                                    f"{r['cadre_id']} has no assignment to {r['activity_id']} in the plan"))
    return problems


def year_record(ds: Dataset, plan: pd.DataFrame | str | Path, year: int, policy: Policy | str | Path | None = None,
                attendance: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per plan assignment (RECORD_COLUMNS): status credited / withdrawn (leave over the
    policy share of the class hours) / absent (did not attend), with the reason in words.

    `attendance`: the typed attendance table (planning.inyear.load_attendance); None = the data
    set's own (empty = everything as planned). DataError naming table, row and column when the
    plan or the attendance does not fit the data."""
    pol = _policy(policy)
    rows, table = read_plan_rows(plan)
    att = ds.attendance if attendance is None else attendance
    problems = check_plan_rows(ds, rows, table)
    if not problems:
        problems = attendance_problems(ds, att, rows)
    if problems:
        raise DataError(problems)
    share = float(pol["requirement.leave_max_share"])
    acts = _activities(ds)
    seen = {(r["cadre_id"], r["activity_id"]): r for r in att.to_dict("records")}
    out = []
    for c, a in zip(rows["cadre_id"], rows["activity_id"]):
        act = acts[a]
        r = seen.get((c, a))
        attended = True if r is None else bool(r["attended"])
        leave = 0.0 if r is None or r.get("leave_hours") is None else float(r["leave_hours"])
        if not attended:
            status, reason = "absent", "did not attend"
        elif act["kind"] == "class" and leave > share * act["hours"] + _LEAVE_TOLERANCE:
            status = "withdrawn"
            reason = (f"{leave:g} hours of leave exceed {share:.4g} of the {act['hours']:g} class hours "
                      f"({share * act['hours']:.1f} hours): withdrawn, no credit")
        else:
            status, reason = "credited", "as planned" if r is None else "attended"
        out.append({"cadre_id": c, "activity_id": a, **act, "attended": attended, "leave_hours": leave,
                    "status": status, "reason": reason})
    return pd.DataFrame(out, columns=RECORD_COLUMNS)


def history_rows(record: pd.DataFrame, year: int) -> pd.DataFrame:
    """The credited assignments as typed `history` rows of `year`."""
    done = record[record["status"] == "credited"]
    return pd.DataFrame({
        "cadre_id": pd.Series(list(done["cadre_id"]), dtype=object),
        "year": pd.Series([year] * len(done), dtype=object),
        "activity_id": pd.Series(list(done["activity_id"]), dtype=object),
        "topic": pd.Series(list(done["topic"]), dtype=object),
        "kind": pd.Series(list(done["kind"]), dtype=object),
        "days": pd.Series([float(x) for x in done["days"]], dtype=object),
        "hours": pd.Series([float(x) for x in done["hours"]], dtype=object),
    })


def extend_history(history: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """History with the new rows, each cadre's rows together (earlier rows first), `_row` as the file will number them."""
    old = history.drop(columns=[ROW, "topic_key"], errors="ignore")
    both = pd.concat([old, new], ignore_index=True).astype(object)
    both = both.sort_values("cadre_id", kind="stable").reset_index(drop=True)
    both = both.where(both.notna(), None)
    both["topic_key"] = [topic_key(t) for t in both["topic"]]
    both[ROW] = pd.Series(range(2, len(both) + 2), dtype="int64")
    return both


def _empty(name: str) -> pd.DataFrame:
    from planning.data.load import empty_table

    return empty_table(TABLES[name])


def next_year_data(ds: Dataset, record: pd.DataFrame, year: int, *, offer: Dataset | None = None) -> Dataset:
    """Next year's data set: history extended with the credited assignments of `year`, pins and
    attendance dropped, the offer and calendar (classes, rotations, blackouts, busy) re-dated into
    year + 1 (planning.inyear.redate) — or taken from `offer` when given — everything else copied.
    Validated for year + 1 (DataError if not)."""
    if offer is not None:
        nxt = ds.copy()
        for t in ("classes", "rotations", "blackouts", "busy", "holidays"):
            nxt.tables[t] = offer.tables[t].copy()
    else:
        nxt = redate_offer(ds, year, year + 1)
    nxt.tables["history"] = extend_history(ds.history, history_rows(record, year))
    nxt.tables["pins"] = _empty("pins")
    nxt.tables["attendance"] = _empty("attendance")
    nxt.source = f"{ds.source} (closed {year})"
    nxt.warnings = []
    return validate_dataset(nxt, year + 1)


def close_year(data: Dataset, plan: pd.DataFrame | str | Path, year: int, policy: Policy | str | Path | None = None,
               attendance: pd.DataFrame | None = None, *, offer: Dataset | None = None) -> Dataset:
    """Next year's data set from the year's data, its plan as carried out and the attendance
    (see `year_record` and `next_year_data`). Pure: nothing is read but a plan folder's plan.csv,
    nothing written."""
    return next_year_data(data, year_record(data, plan, year, policy, attendance), year, offer=offer)
