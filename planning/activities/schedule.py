"""The activity calendar: collective learning seminars, end-of-month exchanges and monthly talks.

Order (later activities avoid the days of earlier ones for the same person):
1. ``schedule_seminars``: per unit, ``requirement.collective_learning_per_quarter`` seminars
   a quarter, on working days outside the region's and the unit's blackouts, on which at most
   the unit absence cap (``planning.model.problem.unit_caps``, the core rule) of the unit's
   cadres is blocked; fewest missing first, then the day nearest the middle of its part of
   the quarter.
2. ``schedule_exchanges``: per unit and month, the end-of-month learning exchange of the
   unit's young and reserve cadres, in the last ``activities.exchange_days`` working days of
   the month (else earlier in the month), outside blackouts, fewest missing, then latest.
3. ``schedule_talks``: per pair and month, ``activities.talks_per_month`` talks on working
   days on which neither person is blocked, at most ``activities.talks_per_day`` talks a
   person a day, spread over the month; days without a seminar or exchange for either come
   first, and on a day with one the talk starts when it ends (nobody has two things at once).
Nobody attends anything on a day they are blocked (``Availability.blocked``); people blocked
on a collective day are listed as ``excused`` with the reason. What cannot be placed is
returned as unscheduled with the reason in words.
"""
from __future__ import annotations

import calendar as pycal
import datetime as dt
from collections import defaultdict

import pandas as pd

from planning.activities.availability import Availability
from planning.activities.words import Words
from planning.data.load import Dataset
from planning.model.problem import unit_caps
from planning.policy import Policy

EVENT_COLUMNS = ["event_id", "kind", "title", "date", "start", "end", "unit_id", "cadre_id", "role", "with_id",
                 "note"]
UNSCHEDULED_COLUMNS = ["kind", "unit_id", "period", "cadre_id", "with_id", "reason"]


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _iso(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


def month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, pycal.monthrange(year, month)[1])


def _parts(days: list[int], k: int) -> list[list[int]]:
    """`days` (ordered) cut into k runs of about equal calendar length."""
    if not days:
        return [[] for _ in range(k)]
    lo, hi = days[0], days[-1] + 1
    step = (hi - lo) / k
    return [[d for d in days if lo + i * step <= d < lo + (i + 1) * step] for i in range(k)]


class Scheduler:
    """Builds the events; `taken[person]` holds the days a person already has a collective activity."""

    def __init__(self, ds: Dataset, avail: Availability, pairs: pd.DataFrame, year: int, policy: Policy,
                 words: Words | None = None):
        self.ds, self.avail, self.pairs, self.year, self.policy = ds, avail, pairs, year, policy
        self.w = words or Words()
        self.members: dict[str, list[str]] = defaultdict(list)
        for c, u in zip(ds.cadres["cadre_id"], ds.cadres["unit_id"]):
            self.members[u].append(c)
        self.caps, _ = unit_caps(ds, policy)
        self.participants: dict[str, list[str]] = defaultdict(list)  # the unit's young and reserve cadres
        for m, u in zip(pairs["mentee_id"], pairs["mentee_unit"]):
            self.participants[u].append(m)
        self.collective: dict[str, dict[int, int]] = defaultdict(dict)  # person → day → end (minutes) of what they attend
        self.events: list[dict] = []
        self.unscheduled: list[dict] = []

    # ------------------------------------------------------------------ collective activities
    def _collective(self, event_id, kind, title, day, start_min, length_min, unit, people) -> int:
        """Rows for everyone in `people`: attendee, or excused with the reason. Returns the number missing."""
        missing = 0
        for c in people:
            reason = self.avail.reason(c, day) if day in self.avail.blocked(c) else ""
            missing += bool(reason)
            if not reason:
                self.collective[c][day] = max(self.collective[c].get(day, 0), start_min + length_min)
            self.events.append({"event_id": event_id, "kind": kind, "title": title, "date": _iso(day),
                                "start": _hhmm(start_min), "end": _hhmm(start_min + length_min), "unit_id": unit,
                                "cadre_id": c, "role": "excused" if reason else "attendee", "with_id": "",
                                "note": reason})
        return missing

    def _missing(self, people: list[str], day: int) -> int:
        return sum(day in self.avail.blocked(c) for c in people)

    def schedule_seminars(self) -> None:
        k = int(self.policy["requirement.collective_learning_per_quarter"])
        start = int(self.policy["activities.seminar_start_hour"]) * 60
        length = int(round(float(self.policy["activities.seminar_hours"]) * 60))
        for unit in self.ds.units["unit_id"]:
            people = self.members.get(unit, [])
            if not people or k <= 0:
                continue
            cap = self.caps[unit]
            closed = self.avail.unit_closed(unit)
            for q in range(1, 5):
                lo, hi = dt.date(self.year, 3 * q - 2, 1), month_span(self.year, 3 * q)[1]
                days = [d for d in self.avail.working_days(lo, hi) if d not in closed]
                chosen: list[int] = []
                for i, part in enumerate(_parts(days, k)):
                    day = self._best_seminar_day(part, people, cap, chosen) or \
                        self._best_seminar_day(days, people, cap, chosen)
                    if day is None:
                        why = self.w("seminar_closed") if not days else self.w("seminar_cap", cap=cap)
                        self.unscheduled.append({"kind": "seminar", "unit_id": unit, "period": f"{self.year}-Q{q}",
                                                 "cadre_id": "", "with_id": "", "reason": why})
                        continue
                    chosen.append(day)
                    n = len(chosen)
                    self._collective(f"S-{unit}-Q{q}-{n}", "seminar", self.w("seminar_title", q=q)
                                     + (f" {n}" if k > 1 else ""), day, start, length, unit, people)

    def _best_seminar_day(self, days: list[int], people: list[str], cap: int, chosen: list[int]) -> int | None:
        if not days:
            return None
        mid = (days[0] + days[-1]) / 2
        best = None
        for d in days:
            if d in chosen:
                continue
            miss = self._missing(people, d)
            if miss <= cap:
                key = (miss, abs(d - mid), d)
                if best is None or key < best[0]:
                    best = (key, d)
        return best[1] if best else None

    def schedule_exchanges(self) -> None:
        last_n = int(self.policy["activities.exchange_days"])
        start = int(self.policy["activities.exchange_start_hour"]) * 60
        length = int(round(float(self.policy["activities.exchange_hours"]) * 60))
        for unit in self.ds.units["unit_id"]:
            people = self.participants.get(unit, [])
            if not people:
                continue
            closed = self.avail.unit_closed(unit)
            seminar_days = {d for c in self.members[unit] for d in self.collective[c]}
            for m in range(1, 13):
                days = [d for d in self.avail.working_days(*month_span(self.year, m))
                        if d not in closed and d not in seminar_days]
                if not days:
                    self.unscheduled.append({"kind": "exchange", "unit_id": unit, "period": f"{self.year}-{m:02d}",
                                             "cadre_id": "", "with_id": "",
                                             "reason": self.w("exchange_closed")})
                    continue
                window = days[-last_n:]
                day = min(window, key=lambda d: (self._missing(people, d), -d))
                if self._missing(people, day) == len(people):  # nobody free at month end: try the whole month
                    day = min(days, key=lambda d: (self._missing(people, d), -d))
                if self._missing(people, day) == len(people):
                    self.unscheduled.append({"kind": "exchange", "unit_id": unit, "period": f"{self.year}-{m:02d}",
                                             "cadre_id": "", "with_id": "", "reason": self.w("exchange_nobody")})
                    continue
                self._collective(f"E-{unit}-{m:02d}", "exchange", self.w("exchange_title", month=self.w.month(m)),
                                 day, start, length, unit, people)

    # ------------------------------------------------------------------ talks
    def schedule_talks(self) -> None:
        per_month = int(self.policy["activities.talks_per_month"])
        per_day = int(self.policy["activities.talks_per_day"])
        start = int(self.policy["activities.talk_start_hour"]) * 60
        length = int(self.policy["activities.talk_minutes"])
        paired = self.pairs[self.pairs["mentor_id"] != ""].sort_values(["mentor_id", "mentee_id"])
        rank = {m: k for _, g in paired.groupby("mentor_id", sort=True) for k, m in enumerate(g["mentee_id"])}
        talks: dict[tuple[str, int], list[int]] = defaultdict(list)  # (person, day) → start minutes of their talks
        for m in range(1, 13):
            month_days = self.avail.working_days(*month_span(self.year, m))
            for mentee, mentor, unit in zip(paired["mentee_id"], paired["mentor_id"], paired["mentee_unit"]):
                free = [d for d in month_days
                        if d not in self.avail.blocked(mentee) and d not in self.avail.blocked(mentor)
                        and len(talks[mentee, d]) < per_day and len(talks[mentor, d]) < per_day]
                for j, part in enumerate(_parts(month_days, per_month) if per_month > 0 else []):
                    options = [d for d in free if part and part[0] <= d <= part[-1]] or free
                    if not options:
                        self.unscheduled.append({"kind": "talk", "unit_id": unit, "period": f"{self.year}-{m:02d}",
                                                 "cadre_id": mentee, "with_id": mentor,
                                                 "reason": self._talk_reason(mentee, mentor, month_days)})
                        continue
                    target = (part[0] + part[-1]) / 2 + 2 * rank[mentee] if part else options[0]
                    # a day without a seminar or exchange for either comes first; on such a day the talk follows it
                    day = min(options, key=lambda d: (self._busy_until(mentee, mentor, d) > 0, abs(d - target), d))
                    free.remove(day)
                    begin = max([start, self._busy_until(mentee, mentor, day)]
                                + [t + length for t in talks[mentee, day] + talks[mentor, day]])
                    talks[mentee, day].append(begin)
                    talks[mentor, day].append(begin)
                    eid = f"T-{mentee}-{m:02d}" + (f"-{j + 1}" if per_month > 1 else "")
                    for who, role, other in ((mentee, "mentee", mentor), (mentor, "mentor", mentee)):
                        self.events.append({"event_id": eid, "kind": "talk", "title": self.w("talk_title"),
                                            "date": _iso(day), "start": _hhmm(begin), "end": _hhmm(begin + length),
                                            "unit_id": unit, "cadre_id": who, "role": role, "with_id": other,
                                            "note": ""})

    def _busy_until(self, a: str, b: str, day: int) -> int:
        """The end (minutes) of the latest seminar or exchange either person attends on `day`; 0 when none."""
        return max(self.collective[a].get(day, 0), self.collective[b].get(day, 0))

    def _talk_reason(self, mentee: str, mentor: str, days: list[int]) -> str:
        if not days:
            return self.w("no_working_day")
        parts = []
        zh = self.w.lang == "zh"  # Chinese punctuation in Chinese
        for who, person in (("mentee", mentee), ("mentor", mentor)):
            why = self.avail.reasons(person, days)
            if why:
                parts.append(f"{self.w(who)} {person}{'：' if zh else ': '}" + ("，" if zh else ", ").join(why[:3])
                             + (("……" if zh else "…") if len(why) > 3 else ""))
        return self.w("no_day_both", parts=("；" if zh else "; ").join(parts)) if parts else self.w("no_day_taken")


def build_schedule(ds: Dataset, avail: Availability, pairs: pd.DataFrame, year: int,
                   policy: Policy, words: Words | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(events: one row per person and event, EVENT_COLUMNS; unscheduled: UNSCHEDULED_COLUMNS)."""
    s = Scheduler(ds, avail, pairs, year, policy, words)
    s.schedule_seminars()
    s.schedule_exchanges()
    s.schedule_talks()
    events = pd.DataFrame(s.events, columns=EVENT_COLUMNS)
    order = {"seminar": 0, "exchange": 1, "talk": 2}
    events = events.assign(_k=events["kind"].map(order)).sort_values(
        ["date", "start", "_k", "event_id", "role", "cadre_id"], kind="stable").drop(columns="_k").reset_index(drop=True)
    unscheduled = pd.DataFrame(s.unscheduled, columns=UNSCHEDULED_COLUMNS)
    return events, unscheduled
