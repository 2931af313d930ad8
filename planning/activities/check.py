"""The independent check of an activity calendar: re-derives every rule from the written files.

Imports nothing from the scheduler or the pairing model; the blocked days come from the core
(``planning.calendar``: blackouts, busy periods, occupied days; ``model.problem.unit_caps``;
``facts``). Rules, each a short function returning violation lines:

1. rule_people: every row names a known cadre and unit; roles fit the kind of event.
2. rule_working_days: every event falls on a working day (Mon–Fri, no statutory holiday).
3. rule_not_blocked: nobody attends (mentee, mentor, attendee) on a day they are blocked —
   a region or unit blackout, an own busy period, or a day the annual plan occupies them;
   an excused person really is blocked that day.
4. rule_collective_days: no seminar or exchange on a day of the region's or the unit's blackouts;
   no more than the unit absence cap excused from a seminar.
5. rule_pairs: mentees are young or reserve cadres below division level; mentors are leaders
   (division/section) of a strictly higher level, not themselves, within the pairing scope;
   no mentor has more than activities.max_mentees; a mentee has one mentor.
6. rule_talks: every talk is between a listed pair; at most activities.talks_per_month per pair
   and month; at most activities.talks_per_day talks per person and day.
7. rule_no_overlap: nobody has two events at overlapping times.
8. rule_seminar_count: every unit with cadres has its seminars each quarter, or an unscheduled
   row saying why.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planning.calendar import Calendar, occupied_days
from planning.data.load import Dataset, load_dataset
from planning.errors import PlanningError
from planning.facts import cadre_facts
from planning.io import read_plan_csv
from planning.model.problem import unit_caps
from planning.pipeline import filter_district, resolve_policy
from planning.policy import Policy

RANK = {"division": 0, "section": 1, "deputy_section": 2, "staff": 3}
COLUMNS = {
    "activities.csv": ("event_id", "kind", "date", "start", "end", "unit_id", "cadre_id", "role", "with_id"),
    "pairs.csv": ("mentee_id", "mentor_id"),
    "unscheduled.csv": ("kind", "unit_id", "period"),
}


class CalendarUnreadable(PlanningError):
    """The folder is not an activity calendar the check can read (exit 2)."""

    exit_code = 2
ROLES = {"talk": {"mentee", "mentor"}, "seminar": {"attendee", "excused"}, "exchange": {"attendee", "excused"}}


@dataclass
class Context:
    ds: Dataset
    year: int
    policy: Policy
    events: pd.DataFrame
    pairs: pd.DataFrame
    unscheduled: pd.DataFrame
    calendar: Calendar
    occupied: dict[str, set[int]]
    unreadable: list[str]  # rows left out: their dates or times cannot be read


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise CalendarUnreadable(f"{folder} has no {name}: is it a folder written by `planning activities`?")
    try:
        df = read_plan_csv(path)
    except (ValueError, UnicodeDecodeError) as e:
        raise CalendarUnreadable(f"{path} cannot be read as CSV ({e})") from None
    missing = [c for c in COLUMNS[name] if c not in df.columns]
    if missing:
        raise CalendarUnreadable(f"{path}: column(s) {', '.join(missing)} missing")
    return df


def _bad_dates(events: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rows whose date or times cannot be read are violations and are left out of the other rules."""
    bad, out = [], []
    for i, (eid, d, s, e) in enumerate(zip(events["event_id"], events["date"], events["start"], events["end"])):
        try:
            dt.date.fromisoformat(d)
            ok = all(len(t) == 5 and t[2] == ":" and t[:2].isdigit() and t[3:].isdigit() for t in (s, e)) and s < e
        except ValueError:
            ok = False
        if not ok:
            bad.append(i)
            out.append(f"activities.csv line {i + 2} ({eid}): date {d!r} and times {s!r}–{e!r} are not "
                       "YYYY-MM-DD and HH:MM with the end after the start")
    return events.drop(events.index[bad]).reset_index(drop=True), out


def build_context(data, plan_dir, act_dir, year: int, policy=None) -> Context:
    ds = data if isinstance(data, Dataset) else load_dataset(data, year)
    try:  # a plan made for one district: its cadres only
        district = json.loads((Path(plan_dir) / "summary.json").read_text(encoding="utf-8")).get("district")
    except (OSError, ValueError, AttributeError):
        district = None
    ds = filter_district(ds, district)
    pol = resolve_policy(policy)
    act = Path(act_dir)
    plan = read_plan_csv(Path(plan_dir) / "plan.csv")
    modes = dict(zip(ds.classes["class_id"], ds.classes["mode"]))
    occupied: dict[str, set[int]] = defaultdict(set)
    for c, a, s, e in zip(plan["cadre_id"], plan["activity_id"], plan["start_date"], plan["end_date"]):
        occupied[c] |= occupied_days(modes.get(a, "full_time"), dt.date.fromisoformat(s), dt.date.fromisoformat(e))
    events, bad = _bad_dates(_read(act, "activities.csv"))
    return Context(ds, year, pol, events, _read(act, "pairs.csv"), _read(act, "unscheduled.csv"),
                   Calendar(year, ds.blackouts, ds.busy, ds.holidays), occupied, bad)


def _day(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def rule_people(ctx: Context) -> list[str]:
    cadres, units = set(ctx.ds.cadres["cadre_id"]), set(ctx.ds.units["unit_id"])
    out = []
    for r in ctx.events.to_dict("records"):
        if r["cadre_id"] not in cadres:
            out.append(f"{r['event_id']}: cadre {r['cadre_id']} is not in the data set")
        if r["unit_id"] not in units:
            out.append(f"{r['event_id']}: unit {r['unit_id']} is not in the data set")
        if r["role"] not in ROLES.get(r["kind"], set()):
            out.append(f"{r['event_id']}: role {r['role']!r} does not fit a {r['kind']}")
    return out


def rule_working_days(ctx: Context) -> list[str]:
    out = []
    for eid, date in ctx.events.drop_duplicates("event_id")[["event_id", "date"]].itertuples(index=False):
        d = dt.date.fromisoformat(date)
        if d.year != ctx.year or d.weekday() >= 5 or d.toordinal() in ctx.calendar.holiday_days:
            out.append(f"{eid}: {date} is not a working day of {ctx.year}")
    return out


def rule_not_blocked(ctx: Context) -> list[str]:
    unit_of = dict(zip(ctx.ds.cadres["cadre_id"], ctx.ds.cadres["unit_id"]))
    blocked_days: dict[str, set[int]] = {}
    out = []
    for r in ctx.events.to_dict("records"):
        c = r["cadre_id"]
        if c not in unit_of:
            continue
        if c not in blocked_days:
            blocked_days[c] = ctx.calendar.class_blocked(c, unit_of[c]) | ctx.occupied.get(c, set())
        blocked = _day(r["date"]) in blocked_days[c]
        if blocked and r["role"] != "excused":
            out.append(f"{r['event_id']}: {r['cadre_id']} ({r['role']}) is blocked on {r['date']} "
                       "(blackout, busy period or the annual plan)")
        if not blocked and r["role"] == "excused":
            out.append(f"{r['event_id']}: {r['cadre_id']} is excused on {r['date']} but free that day")
    return out


def rule_collective_days(ctx: Context) -> list[str]:
    caps, _ = unit_caps(ctx.ds, ctx.policy)
    out = []
    collective = ctx.events[ctx.events["kind"] != "talk"]
    for (eid, unit, kind, date), g in collective.groupby(["event_id", "unit_id", "kind", "date"], sort=True):
        day = _day(date)
        if day in ctx.calendar.region or day in ctx.calendar.unit.get(unit, ()):
            out.append(f"{eid}: the {kind} of unit {unit} on {date} falls in a blackout")
        excused = int((g["role"] == "excused").sum())
        if kind == "seminar" and excused > caps.get(unit, 0):
            out.append(f"{eid}: {excused} of unit {unit} miss the seminar on {date}; the unit cap is {caps.get(unit)}")
    return out


def rule_pairs(ctx: Context) -> list[str]:
    c = ctx.ds.cadres.set_index("cadre_id", drop=False)
    district = dict(zip(ctx.ds.units["unit_id"], ctx.ds.units["district"]))
    facts = cadre_facts(ctx.ds.cadres, ctx.ds.history, ctx.year, ctx.policy)
    scope = ctx.policy["activities.pairing_scope"]
    cap = int(ctx.policy["activities.max_mentees"])
    paired = ctx.pairs[ctx.pairs["mentor_id"] != ""]
    out = []
    for m, n in Counter(paired["mentee_id"]).items():
        if n > 1:
            out.append(f"mentee {m} has {n} mentors")
    for l, n in sorted(Counter(paired["mentor_id"]).items()):
        if n > cap:
            out.append(f"mentor {l} has {n} mentees; at most {cap} (activities.max_mentees)")
    for m, l in zip(paired["mentee_id"], paired["mentor_id"]):
        if m not in c.index or l not in c.index:
            out.append(f"pair {m} / {l}: not in the data set")
            continue
        if m == l:
            out.append(f"pair {m} / {l}: a cadre mentors themself")
        if not (facts.at[m, "young"] or facts.at[m, "reserve"]) or c.at[m, "level"] == "division":
            out.append(f"pair {m} / {l}: {m} is neither a young nor a reserve cadre below division level")
        if c.at[l, "level"] not in ("division", "section") or RANK[c.at[l, "level"]] >= RANK[c.at[m, "level"]]:
            out.append(f"pair {m} / {l}: the mentor ({c.at[l, 'level']}) is not a leader above the mentee "
                       f"({c.at[m, 'level']})")
        mu, lu = c.at[m, "unit_id"], c.at[l, "unit_id"]
        if (scope == "unit" and mu != lu) or (scope == "district" and district.get(mu) != district.get(lu)):
            out.append(f"pair {m} / {l}: the mentor is outside the pairing scope ({scope})")
    return out


def rule_talks(ctx: Context) -> list[str]:
    pairs = set(zip(ctx.pairs["mentee_id"], ctx.pairs["mentor_id"]))
    per_month = int(ctx.policy["activities.talks_per_month"])
    per_day = int(ctx.policy["activities.talks_per_day"])
    talks = ctx.events[ctx.events["kind"] == "talk"]
    by_event: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for eid, c, role, date in zip(talks["event_id"], talks["cadre_id"], talks["role"], talks["date"]):
        by_event[eid].append((c, role, date))
    out = []
    month = Counter()
    for eid, rows in sorted(by_event.items()):
        mentee = [c for c, role, _ in rows if role == "mentee"]
        mentor = [c for c, role, _ in rows if role == "mentor"]
        if len(mentee) != 1 or len(mentor) != 1 or len(rows) != 2:
            out.append(f"{eid}: a talk needs exactly one mentee and one mentor")
            continue
        if (mentee[0], mentor[0]) not in pairs:
            out.append(f"{eid}: {mentee[0]} and {mentor[0]} are not a pair")
        month[mentee[0], mentor[0], rows[0][2][:7]] += 1
    for (m, l, ym), n in sorted(month.items()):
        if n > per_month:
            out.append(f"pair {m} / {l} has {n} talks in {ym}; at most {per_month} (activities.talks_per_month)")
    for (c, d), n in sorted(Counter(zip(talks["cadre_id"], talks["date"])).items()):
        if n > per_day:
            out.append(f"{c} has {n} talks on {d}; at most {per_day} (activities.talks_per_day)")
    return out


def rule_no_overlap(ctx: Context) -> list[str]:
    out = []
    attend = ctx.events[ctx.events["role"] != "excused"].sort_values(["cadre_id", "date", "start"])
    prev = None
    for r in attend.to_dict("records"):
        key = (r["cadre_id"], r["date"])
        if prev is not None and prev[0] == key and r["start"] < prev[1]:
            out.append(f"{r['cadre_id']} has {prev[2]} and {r['event_id']} at the same time on {r['date']}")
        if prev is None or prev[0] != key or r["end"] > prev[1]:
            prev = (key, r["end"], r["event_id"])
    return out


def rule_seminar_count(ctx: Context) -> list[str]:
    k = int(ctx.policy["requirement.collective_learning_per_quarter"])
    sem = ctx.events[ctx.events["kind"] == "seminar"].drop_duplicates("event_id")
    have = Counter((u, (int(d[5:7]) - 1) // 3 + 1) for u, d in zip(sem["unit_id"], sem["date"]))
    why = Counter((u, p) for u, p, kind in zip(ctx.unscheduled["unit_id"], ctx.unscheduled["period"],
                                               ctx.unscheduled["kind"]) if kind == "seminar")
    out = []
    for u in sorted(set(ctx.ds.cadres["unit_id"])):
        for q in range(1, 5):
            if have[u, q] + why[u, f"{ctx.year}-Q{q}"] < k:
                out.append(f"unit {u} has {have[u, q]} seminar(s) in Q{q} of {ctx.year}; {k} required "
                           "(requirement.collective_learning_per_quarter) and no reason given")
    return out


RULES = (rule_people, rule_working_days, rule_not_blocked, rule_collective_days, rule_pairs, rule_talks,
         rule_no_overlap, rule_seminar_count)


def check_activities(data, plan_dir, act_dir, year: int, policy=None) -> list[str]:
    """Every violation of the activity rules (see the module docstring); empty when valid."""
    ctx = build_context(data, plan_dir, act_dir, year, policy)
    return ctx.unreadable + [v for rule in RULES for v in rule(ctx)]
