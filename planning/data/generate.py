"""A seeded, size-parameterised generator of realistic and *tight* data sets.

Why it exists: the demo notebooks, the tests and the benchmarks all need data that looks
like a real organization department's roster and training offer, in exactly the data
contract's format (../shared/DATA_CONTRACT.md), and that is hard to plan: the seats offered
are close to what everybody needs, classes clash with key work, unit absence caps bind,
long-serving cadres have already taken most topics. On such data a naive greedy plan leaves
people short while an optimizer does visibly better.

Everything is drawn from named distributions grouped below; the numbers are those of the
sample county (``medium``, about 1,500 cadres) and scale with the number of cadres. The same
(size, year, seed) gives byte-identical CSV files on every run: randomness comes from
``random.Random`` seeded with text (not from ``hash()``), one independent stream per part
of the data, and nothing iterates over an unordered set.

Usage::

    python -m planning.data.generate --size medium --year 2027 --seed 7 \
        --out data/sample --xlsx data/sample.xlsx --check

This module reads the policy defaults (requirement, seasons, rotation threshold) and the
statutory holidays from ``planning.policy`` and ``planning.calendar`` so that the data is
tight against the rules the planner actually applies.
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import re
import sys
import time
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planning.calendar import public_holidays
from planning.data.generate_activities import activity_tables
from planning.data.schema import LEVELS, TABLES
from planning.policy import Policy, default_policy

DIVISION, SECTION, DEPUTY, STAFF = LEVELS

# =========================================================================== sizes
SIZES: dict[str, int] = {"small": 80, "medium": 1500, "large": 5000, "xlarge": 20000}
REFERENCE_CADRES = SIZES["medium"]  # the numbers below are for this size; others scale from it
MIN_CADRES = 20  # below this the units, classes and caps stop making sense

# =========================================================================== units
CADRES_PER_UNIT = 25  # average unit size; 60 units for the sample county
MIN_UNITS = 4
UNITS_PER_DISTRICT = 10
MIN_DISTRICTS = 2
UNIT_KIND_SHARES = (("township", 0.40), ("bureau", 0.45), ("department", 0.15))
UNIT_SIZE_RANGE = {"township": (25, 60), "bureau": (8, 30), "department": (8, 22)}  # before scaling to n
MIN_UNIT_SIZE = 8
# A few units set their own absence share; the rest use the policy default (empty cell).
UNIT_ABSENT_SHARES = ((0.15, 0.06), (0.25, 0.06))  # (share, probability)

DISTRICT_NAMES = ("Dongcheng", "Xicheng", "Nanhu", "Beishan", "Qinghe", "Jinshui")
DISTRICT_PREFIXES = ("Dong", "Xi", "Nan", "Bei", "Zhong", "Qing", "Jin", "Long", "Feng", "Hua", "Yun", "Tai")
DISTRICT_SUFFIXES = ("cheng", "hu", "shan", "he", "ling", "yuan", "ping", "tang", "gang", "zhou")
TOWNSHIP_FIRST = ("Qing", "Shui", "Hua", "Long", "Feng", "Bai", "Shi", "Yun", "Tai", "Ping", "An", "Xin",
                  "Jin", "Yang", "Lian", "Hong", "Da", "Gu", "Song", "Liu", "Mei", "Tao", "Ning", "Fu",
                  "Huang", "Lu", "Zhu", "Ma", "Sha", "Tian", "Wan", "Yu")
TOWNSHIP_SECOND = ("shui", "shan", "he", "qiao", "ping", "tang", "kou", "ling", "xi", "feng", "yuan",
                   "gang", "zhuang", "hu", "bao", "du", "tan", "pu", "jing", "ba")
TOWNSHIP_KINDS = (("Township", 0.6), ("Town", 0.25), ("Subdistrict", 0.15))
BUREAUS = ("Finance Bureau", "Education Bureau", "Civil Affairs Bureau", "Public Security Bureau",
           "Human Resources and Social Security Bureau", "Natural Resources Bureau",
           "Ecology and Environment Bureau", "Housing and Urban-Rural Development Bureau",
           "Transport Bureau", "Water Resources Bureau", "Agriculture and Rural Affairs Bureau",
           "Commerce Bureau", "Culture and Tourism Bureau", "Health Commission", "Emergency Management Bureau",
           "Audit Bureau", "Market Regulation Bureau", "Statistics Bureau", "Development and Reform Bureau",
           "Justice Bureau", "Letters and Visits Bureau", "Veterans Affairs Bureau")
DEPARTMENTS = ("Organization Department", "Publicity Department", "United Front Work Department",
               "Political and Legal Affairs Commission", "Discipline Inspection Commission",
               "Party Committee Office", "Government Office", "People's Congress Standing Committee Office")

# =========================================================================== cadres
LEVEL_SHARES = {DIVISION: 0.05, SECTION: 0.20, DEPUTY: 0.25, STAFF: 0.50}
AGE_BY_LEVEL = {DIVISION: (51, 5), SECTION: (46, 6.5), DEPUTY: (41, 7), STAFF: (35, 8)}  # (mean, sd)
AGE_RANGE = (24, 59)
ENTRY_AGE = 23  # age at which a cadre joins: history starts then
RESERVE_PROB = {DIVISION: 0.0, SECTION: 0.19, DEPUTY: 0.16, STAFF: 0.03}
RESERVE_YOUNG_FACTOR = 1.8  # reserve cadres are concentrated among the young
KEY_POST_PROB = {DIVISION: 0.45, SECTION: 0.28, DEPUTY: 0.12, STAFF: 0.03}
RECENT_PROMOTION_PROB = {DIVISION: 0.15, SECTION: 0.17, DEPUTY: 0.25, STAFF: 0.0}
RECENT_PROMOTION_MONTHS = 18  # "recent" = promoted within this many months before the plan year
OLDEST_PROMOTION_YEARS = 12  # older promotions lie up to this many years back
PROMOTION_MIN_AGE = 26
NO_PROMOTION_DATE_PROB = 0.08  # leaders whose promotion date the personnel system lacks
GRASSROOTS_NONE_PROB = {"township": 0.15, "bureau": 0.65, "department": 0.65}  # 0–1 years
GRASSROOTS_SMALL_VALUES = ((0.0, 0.7), (0.5, 0.1), (1.0, 0.2))
GRASSROOTS_MAX = 15
GRASSROOTS_START_AGE = 22
CJK_NAMES = {"medium": 6}  # names written in Chinese characters, to exercise CJK rendering

SURNAMES = (("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"),
            ("Huang", "黄"), ("Zhao", "赵"), ("Wu", "吴"), ("Zhou", "周"), ("Xu", "徐"), ("Sun", "孙"),
            ("Ma", "马"), ("Zhu", "朱"), ("Hu", "胡"), ("Guo", "郭"), ("He", "何"), ("Lin", "林"),
            ("Gao", "高"), ("Luo", "罗"), ("Zheng", "郑"), ("Liang", "梁"), ("Xie", "谢"), ("Song", "宋"),
            ("Tang", "唐"), ("Han", "韩"), ("Feng", "冯"), ("Deng", "邓"), ("Cao", "曹"), ("Peng", "彭"))
GIVEN_NAMES = (("Fang", "芳"), ("Wei", "伟"), ("Min", "敏"), ("Jing", "静"), ("Li", "丽"), ("Qiang", "强"),
               ("Lei", "磊"), ("Jun", "军"), ("Yang", "洋"), ("Yong", "勇"), ("Yan", "艳"), ("Jie", "杰"),
               ("Tao", "涛"), ("Ming", "明"), ("Chao", "超"), ("Xiulan", "秀兰"), ("Xia", "霞"), ("Ping", "平"),
               ("Gang", "刚"), ("Guiying", "桂英"), ("Hui", "辉"), ("Jianhua", "建华"), ("Haiyan", "海燕"),
               ("Jianguo", "建国"), ("Xiaohong", "晓红"), ("Zhiqiang", "志强"), ("Lina", "丽娜"), ("Hong", "红"),
               ("Bin", "斌"), ("Yu", "宇"), ("Hao", "浩"), ("Xin", "欣"), ("Yuting", "雨婷"), ("Zihan", "子涵"),
               ("Haoran", "浩然"), ("Kai", "凯"), ("Dan", "丹"), ("Ning", "宁"), ("Wenjing", "文静"),
               ("Zhiwei", "志伟"))

# =========================================================================== calendar
# Region-wide key work (month-day, inclusive): nobody may be in a class then.
REGION_BLACKOUTS = (("03-01", "03-15", "Two Sessions (people's congress and CPPCC plenary sessions)"),
                    ("07-01", "08-31", "Flood season: flood control and emergency duty"),
                    ("10-11", "10-15", "Key work week: provincial inspection team in the region"),
                    ("12-10", "12-31", "Year-end assessment"))
# Unit peaks: (reason, earliest month-day, latest month-day, (min weeks, max weeks)).
TOWNSHIP_SPRING_PEAKS = (("Spring planting and farmland irrigation", "03-22", "05-28", (3, 6)),
                         ("Flood prevention preparations", "05-10", "06-30", (3, 6)),
                         ("Forest fire prevention", "03-16", "04-30", (3, 5)))
TOWNSHIP_AUTUMN_PEAKS = (("Autumn harvest and straw-burning control", "09-13", "10-31", (3, 5)),)
SPRING_PEAK_DISTRICT_SHARE = 0.5  # districts whose townships have a busy spring
AUTUMN_PEAK_DISTRICT_SHARE = 0.34
BUREAU_PEAKS = {"Finance Bureau": ("Budget preparation for next year", "10-18", "11-30", (3, 6)),
                "Education Bureau": ("Entrance examinations and enrolment", "05-24", "06-30", (3, 5)),
                "Statistics Bureau": ("Annual statistical survey", "09-06", "10-31", (3, 5)),
                "Emergency Management Bureau": ("Flood-season preparations", "05-10", "06-30", (3, 6)),
                "Agriculture and Rural Affairs Bureau": ("Spring planting supervision", "03-16", "05-14", (3, 6)),
                "Market Regulation Bureau": ("Food safety inspection campaign", "09-01", "10-10", (3, 5)),
                "Audit Bureau": ("Economic responsibility audits", "04-06", "06-11", (3, 6))}
BUREAU_PEAK_PROB = 0.7
BUSY_SHARE = 0.15  # cadres with a personal work peak
BUSY_SECOND_PROB = 0.1  # of those, with a second one
BUSY_WEEKS = (1, 6)
BUSY_SPAN = ("02-15", "11-30")  # personal peaks start in this part of the year
BUSY_REASONS = ("Project acceptance inspection", "Special audit", "Inspection tour support",
                "Investment promotion trip", "Village committee election work", "Land acquisition and relocation",
                "Rural revitalization assessment", "Petition case handling", "Annual report drafting",
                "Safety production inspection", "Major project contract negotiation")

# =========================================================================== classes
TOPICS = ("Party theory", "Rural revitalization", "Digital government", "Emergency management", "Rule of law",
          "Grassroots governance", "Economic development", "Ecological protection", "Financial risk",
          "Leadership skills", "Letters and visits work", "Integrity education", "Party history",
          "Public health", "Urban planning")
SEAT_TARGET = 1.0  # offered seat-days / demand: classes are added until every level reaches this
DIVISION_HOURS_PER_DAY = 7.5  # converts a division cadre's hours still required into seat-days
HOURS_PER_DAY = (7, 7.5, 8)
CAPACITY = (25, 25, 55)  # triangular (low, mode, high) at the reference size
CAPACITY_SCALE_FLOOR = 0.25  # small data sets get smaller classes, never below this share
MIN_CAPACITY = 5
MIN_SIZE_SHARE = 0.30  # share of classes with a minimum size ...
MIN_SIZE_FRACTION = (0.30, 0.45)  # ... of this fraction of their capacity
COST_PER_DAY = {"County Party School": (150, 200), "Municipal Party School": (200, 280),
                "Provincial Party School": (260, 340), "Provincial Cadre College": (280, 400),
                "Online Academy": (120, 160)}
COST_RANGE = (800, 6000)
COST_STEP = 50
SPRING_SHARE = 0.55  # of classes, the rest in autumn
PLACEMENT_SAMPLE = 4  # random placements tried per class; the least crowded wins
WINDOW_WEEKS = (4, 10)
WINDOW_SLACK_WEEKS = 2  # a window is at least the class's span plus this
FULL_TIME_DAYS = ((5, 3), (6, 2), (7, 2), (8, 2), (10, 2), (12, 2), (15, 1))  # (days, weight)
SHORT_DAYS = ((5, 3), (6, 1), (7, 2), (8, 1), (10, 1))
LONG_DAYS = tuple((d, 1) for d in range(20, 31))
LONG_HOURS = (150, 200)
WEEKEND_DAYS = ((2, 2), (3, 1), (4, 2), (5, 1), (6, 1))


@dataclass(frozen=True)
class ClassTemplate:
    """A kind of class: who it is for, how long it runs, where, and how often it is offered."""

    key: str
    levels: tuple[str, ...]  # empty = all levels
    mode: str
    days: tuple[tuple[int, int], ...]  # (days, weight)
    institutions: tuple[str, ...]
    weight: float  # relative frequency among templates open to the neediest level
    kind: str  # words for the title
    audience: str
    hours: tuple[int, int] | None = None  # clamp of the class hours
    minimum: int = 0  # offered at least this many times at the reference size (scaled, rounded up)


TEMPLATES = (
    ClassTemplate("long", (DIVISION,), "full_time", LONG_DAYS,
                  ("Provincial Party School", "Provincial Cadre College", "Municipal Party School"),
                  3.0, "advanced study programme", "county-level leading cadres", LONG_HOURS, minimum=2),
    ClassTemplate("leaders", (DIVISION, SECTION), "full_time", SHORT_DAYS,
                  ("Municipal Party School", "Provincial Cadre College"), 2.0, "seminar", "leading cadres"),
    ClassTemplate("middle", (SECTION, DEPUTY), "full_time", FULL_TIME_DAYS,
                  ("Municipal Party School", "County Party School"), 3.0, "training class", "section-level cadres"),
    ClassTemplate("broad", (SECTION, DEPUTY, STAFF), "full_time", FULL_TIME_DAYS,
                  ("County Party School", "Municipal Party School"), 2.0, "training class",
                  "cadres below county level"),
    ClassTemplate("junior", (DEPUTY, STAFF), "full_time", FULL_TIME_DAYS,
                  ("County Party School",), 3.0, "capacity-building class", "grassroots cadres"),
    ClassTemplate("young", (STAFF,), "full_time", FULL_TIME_DAYS,
                  ("County Party School", "Municipal Party School"), 2.0, "class", "young cadres"),
    ClassTemplate("open", (), "full_time", SHORT_DAYS,
                  ("County Party School", "Municipal Party School"), 1.0, "special course", "all cadres"),
    ClassTemplate("weekend", (DEPUTY, STAFF), "weekend", WEEKEND_DAYS,
                  ("County Party School", "Online Academy"), 0.5, "weekend class", "grassroots cadres", minimum=3),
    ClassTemplate("weekend_staff", (STAFF,), "weekend", WEEKEND_DAYS,
                  ("County Party School", "Online Academy"), 0.5, "weekend class", "young cadres", minimum=2),
)

# =========================================================================== history
HISTORY_YEARS = 5  # rows for year-5 … year-1
OVERDUE_SHARE = 0.10  # no class in the last four years
OVERDUE_OLD_CLASS_PROB = 0.5  # of those, a class five years back
CLASSES_PER_YEAR = {SECTION: ((1, 0.3), (2, 0.5), (3, 0.2)), DEPUTY: ((1, 0.6), (2, 0.4)),
                    STAFF: ((1, 0.75), (2, 0.25))}
LONG_SERVING_AGE = 48  # from this age a cadre below division level often took an extra class a year
LONG_SERVING_EXTRA_PROB = 0.5
MAX_TOPICS_TAKEN = len(TOPICS) - 3  # long-serving cadres keep a few open topics, not none
# Division: class hours still required this year = 550 - hours of the four previous years.
DIVISION_REMAINING = ((0.25, (-100, 0)), (0.10, (20, 100)), (0.65, (100, 400)))  # (probability, range)
DIVISION_FILL_SLACK = 30  # hours: stop filling a division history when this close to its target
DIVISION_OLD_CLASS_PROB = 0.6  # a class five years back (outside the four-year window)
PICK_TRIES = 12
ONLINE_SHARE = 0.3  # cadre-years with an online-learning row
ONLINE_HOURS = (40, 90, 5)  # low, high, step
PAST_ROTATION_SHARE = 0.05
PAST_ROTATION_DAYS = (60, 180)

# =========================================================================== rotations
POSTS_PER_CADRE = 40 / REFERENCE_CADRES
MIN_POSTS = 2
GRASSROOTS_POST_SHARE = 0.55
ROTATION_CATEGORIES = {
    "grassroots": ("rural_frontline", "community_frontline", "letters_and_visits", "conflict_mediation",
                   "non_public_enterprise", "key_project", "major_event"),
    "higher_level": ("comprehensive_department", "temporary_institution", "key_project", "major_event",
                     "letters_and_visits"),
}
ROTATION_TITLES = {
    "rural_frontline": "Village first secretary, {township}",
    "community_frontline": "Community frontline post, {township}",
    "letters_and_visits": "Letters and visits reception, {office}",
    "conflict_mediation": "Conflict mediation centre, {township}",
    "non_public_enterprise": "Party-building instructor at a non-public enterprise, {district} District",
    "key_project": "{project} headquarters, {office}",
    "major_event": "{event} support team, {office}",
    "comprehensive_department": "General office, {office}",
    "temporary_institution": "{event} preparatory office, {office}",
}
PROJECTS = ("Riverside industrial park", "High-speed rail station area", "Old town renovation",
            "Water diversion", "Expressway link road", "Digital economy park")
EVENTS = ("Provincial games", "Tea culture festival", "Investment fair", "Rural tourism festival",
          "National civilized city review")
HIGHER_OFFICES = ("Municipal Party Committee", "Municipal Government", "Municipal Organization Department",
                  "Municipal Development and Reform Commission", "Provincial Department of Agriculture")
ROTATION_SLOTS = (1, 4)
ROTATION_MONTHS = (2, 6)
ROTATION_START_DAYS = (1, 15)  # posts start on the first Monday on or after one of these days of a month
ROTATION_LEVELS = (((SECTION, DEPUTY, STAFF), 0.5), ((DEPUTY, STAFF), 0.25), ((STAFF,), 0.15), ((), 0.10))

# =========================================================================== pins
PINS_PER_CADRE = 5 / REFERENCE_CADRES
MIN_PINS = 2
MUST_SHARE = 0.6
ROTATION_MUST_EVERY = 3  # every third `must` pin goes to a rotation post (when there are posts)
PIN_CAPACITY_SHARE = 0.25  # `must` pins fill at most this share of a class

# Streams: each part of the data draws from its own generator, so that e.g. changing the
# windowed share changes the windows and nothing else.
@dataclass(frozen=True)
class Profile:
    """How hard a generated county is. "standard" is the realistic default; "adversarial" is the
    hard county of the optimizer benchmarks: busy springs (half the cadres with a personal peak,
    all of them in March-May), every class windowed, and seats at 0.95 of demand."""

    busy_share: float = BUSY_SHARE
    busy_span: tuple[str, str] = BUSY_SPAN
    seat_target: float = SEAT_TARGET
    windowed_share: float | None = None  # None: the caller's windowed_share


PROFILES: dict[str, Profile] = {
    "standard": Profile(),
    "adversarial": Profile(busy_share=0.5, busy_span=("03-01", "05-15"), seat_target=0.95, windowed_share=1.0),
}

STREAMS = ("units", "cadres", "past", "history", "blackouts", "busy", "classes", "windows", "rotations", "pins")
WORKBOOK_TIMESTAMP = dt.datetime(2000, 1, 1)  # fixed, so that the same tables give the same workbook bytes


# =========================================================================== small helpers
def _weighted(rng: random.Random, pairs):
    """One value from ((value, weight), ...)."""
    values, weights = zip(*pairs)
    return rng.choices(values, weights=weights)[0]


def _md(year: int, md: str) -> dt.date:
    return dt.date(year, int(md[:2]), int(md[3:]))


def _days(start: dt.date, end: dt.date):
    for k in range((end - start).days + 1):
        yield start + dt.timedelta(k)


def _monday_on_or_after(d: dt.date) -> dt.date:
    return d + dt.timedelta((7 - d.weekday()) % 7)


def _add_months(d: dt.date, months: int) -> dt.date:
    """The same day `months` later (the 28th at most, so that every month has it)."""
    m = d.month - 1 + months
    return dt.date(d.year + m // 12, m % 12 + 1, min(d.day, 28))


def _quota(n: int, shares) -> list[int]:
    """Split n by shares with the largest-remainder method (sums to n exactly)."""
    raw = [n * s for s in shares]
    out = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: n - sum(out)]:
        out[i] += 1
    return out


def _num(x: float) -> str:
    """A number as contract text: 12 → '12', 7.5 → '7.5'."""
    return ("%.2f" % x).rstrip("0").rstrip(".")


def _bool(b: bool) -> str:
    return "true" if b else "false"


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def _resolve_size(size: str | int) -> tuple[int, str | None]:
    if isinstance(size, bool):
        raise ValueError(f"size must be one of {', '.join(SIZES)} or a number of cadres, not {size!r}")
    if isinstance(size, int):
        n, label = size, None
    elif isinstance(size, str) and size in SIZES:
        n, label = SIZES[size], size
    elif isinstance(size, str) and size.strip().isdigit():
        n, label = int(size), None
    else:
        raise ValueError(f"size must be one of {', '.join(SIZES)} or a number of cadres, not {size!r}")
    if n < MIN_CADRES:
        raise ValueError(f"size {n} is too small: at least {MIN_CADRES} cadres")
    return n, label


# =========================================================================== domain records
@dataclass
class Unit:
    unit_id: str
    name: str
    district: str
    kind: str  # township, bureau, department
    base: str  # bureau/department name without the district, or the township's own name
    size: int
    max_absent_share: float | None


@dataclass
class Cadre:
    cadre_id: str
    name: str
    unit: Unit
    level: str
    birth_year: int
    is_reserve: bool
    is_key_post: bool
    promoted_on: dt.date | None
    grassroots_years: float
    age: int
    topics: set[str] = field(default_factory=set)  # class topics already taken


@dataclass
class Offer:
    """A class of the plan year. Windowed classes keep the placement their window was built around."""

    template: ClassTemplate
    topic: str
    mode: str
    days: int
    hours: float
    capacity: int
    min_size: int | None
    institution: str
    cost: int
    start: dt.date
    end: dt.date
    levels: tuple[str, ...]
    class_id: str = ""
    window: tuple[dt.date, dt.date] | None = None
    title: str = ""


@dataclass
class Post:
    post_id: str
    title: str
    direction: str
    category: str
    start: dt.date
    end: dt.date
    slots: int
    levels: tuple[str, ...]


@dataclass(frozen=True)
class PastClass:
    activity_id: str
    topic: str
    days: int
    hours: float


class YearCalendar:
    """Statutory holidays and region blackouts of the plan year, and where classes fit.

    Every class keeps every calendar day of its span free of statutory holidays and region
    blackouts (the validator warns otherwise, and a window built around such a span always
    has room for the planner).
    """

    def __init__(self, year: int, policy: Policy):
        self.year = year
        self.holidays = frozenset(public_holidays(year))
        self.region = tuple((_md(year, a), _md(year, b), reason) for a, b, reason in REGION_BLACKOUTS)
        self.region_days = frozenset(d for s, e, _ in self.region for d in _days(s, e))
        self.closed = self.holidays | self.region_days
        self.seasons = {name: (_md(year, lo), _md(year, hi)) for name, (lo, hi) in
                        ((k.split(".", 1)[1], v) for k, v in policy.items() if k.startswith("seasons."))}
        self._cache: dict[tuple, list[tuple[dt.date, dt.date]]] = {}

    def placements(self, mode: str, days: int, season: str) -> list[tuple[dt.date, dt.date]]:
        """Every admissible (start, end) of a class in the season, in date order."""
        key = (mode, days, season)
        if key not in self._cache:
            lo, hi = self.seasons[season]
            self._cache[key] = (self._weekend(days, lo, hi) if mode == "weekend" else self._full_time(days, lo, hi))
        return self._cache[key]

    def _full_time(self, days: int, lo: dt.date, hi: dt.date) -> list[tuple[dt.date, dt.date]]:
        out, any_start = [], []
        for s in _days(lo, hi):
            if s.weekday() >= 5 or s in self.closed:
                continue
            end, count, d = None, 0, s
            while d <= hi and d not in self.closed:
                if d.weekday() < 5:
                    count += 1
                    if count == days:
                        end = d
                        break
                d += dt.timedelta(1)
            if end is None:
                continue
            any_start.append((s, end))
            # Classes open on a Monday, or on the first working day after a holiday or blackout.
            if s.weekday() == 0 or (s - dt.timedelta(1)) in self.closed:
                out.append((s, end))
        return out or any_start

    def _weekend(self, days: int, lo: dt.date, hi: dt.date) -> list[tuple[dt.date, dt.date]]:
        out = []
        weekends = math.ceil(days / 2)
        for s in _days(lo, hi):
            if s.weekday() != 5:
                continue
            end = s + dt.timedelta(7 * (weekends - 1) + (1 if days % 2 == 0 else 0))
            if end > hi:
                break
            # No holiday or key work anywhere in the span: a windowed class placed here
            # "overlaps no statutory holiday" under either reading of the contract.
            if any(d in self.closed for d in _days(s, end)):
                continue
            out.append((s, end))
        return out


def _occupied(mode: str, start: dt.date, end: dt.date) -> list[dt.date]:
    return [d for d in _days(start, end) if mode != "weekend" or d.weekday() >= 5]


# =========================================================================== units and cadres
def _district_names(count: int) -> list[str]:
    names = list(DISTRICT_NAMES)
    extra = [p + s for s in DISTRICT_SUFFIXES for p in DISTRICT_PREFIXES if (p + s) not in names]
    names += extra
    if count > len(names):
        names += [f"District {k}" for k in range(len(names) + 1, count + 1)]
    return names[:count]


def make_units(rng: random.Random, n: int) -> list[Unit]:
    """Units in districts: townships (bigger), bureaus and party/government departments.

    Sizes are drawn per kind, then scaled so that they add up to exactly n cadres."""
    n_units = max(MIN_UNITS, round(n / CADRES_PER_UNIT))
    n_districts = max(MIN_DISTRICTS, round(n_units / UNITS_PER_DISTRICT))
    districts = _district_names(n_districts)
    kinds_n = _quota(n_units, [s for _, s in UNIT_KIND_SHARES])
    kinds = [k for (k, _), c in zip(UNIT_KIND_SHARES, kinds_n) for _ in range(c)]
    rng.shuffle(kinds)
    townships = [f + s for f in TOWNSHIP_FIRST for s in TOWNSHIP_SECOND if f.lower() != s]
    rng.shuffle(townships)
    used_in_district: dict[str, set[str]] = defaultdict(set)
    units: list[Unit] = []
    width = max(3, len(str(n_units)))
    n_townships = 0
    for i, kind in enumerate(kinds):
        district = districts[i % n_districts]
        if kind == "township":
            base = townships[n_townships % len(townships)]
            if n_townships >= len(townships):  # more townships than names: number the repeats
                base += f" {n_townships // len(townships) + 1}"
            n_townships += 1
            name = f"{base} {_weighted(rng, TOWNSHIP_KINDS)}"
        else:
            pool = BUREAUS if kind == "bureau" else DEPARTMENTS
            free = [b for b in pool if b not in used_in_district[district]] or list(pool)
            base = rng.choice(free)
            used_in_district[district].add(base)
            name = f"{district} {base}"
        share = None
        u = rng.random()
        for value, prob in UNIT_ABSENT_SHARES:
            if u < prob:
                share = value
                break
            u -= prob
        lo, hi = UNIT_SIZE_RANGE[kind]
        units.append(Unit(f"U{i + 1:0{width}d}", name, district, kind, base, rng.randint(lo, hi), share))
    _scale_sizes(units, n)
    return units


def _scale_sizes(units: list[Unit], n: int) -> None:
    total = sum(u.size for u in units)
    sizes = _quota(n, [u.size / total for u in units])
    floor = min(MIN_UNIT_SIZE, n // len(units))
    for i in range(len(sizes)):
        while sizes[i] < floor:  # take from the biggest unit: keeps n exact
            j = max(range(len(sizes)), key=lambda k: (sizes[k], -k))
            sizes[j] -= 1
            sizes[i] += 1
    for u, s in zip(units, sizes):
        u.size = s


def _name(rng: random.Random, cjk: bool) -> str:
    sur = rng.choices(SURNAMES, weights=[1 / (k + 4) for k in range(len(SURNAMES))])[0]
    given = rng.choice(GIVEN_NAMES)
    return sur[1] + given[1] if cjk else f"{sur[0]} {given[0]}"


def make_cadres(rng: random.Random, units: list[Unit], year: int, label: str | None, policy: Policy) -> list[Cadre]:
    """The roster: levels by quota, ages by level, priority flags and careers that fit the age."""
    n = sum(u.size for u in units)
    levels = [lv for lv, c in zip(LEVELS, _quota(n, [LEVEL_SHARES[lv] for lv in LEVELS])) for _ in range(c)]
    rng.shuffle(levels)
    cjk = set(rng.sample(range(n), min(n, CJK_NAMES.get(label or "", 0))))
    young_age = policy["people.young_max_age"]
    threshold = policy["rotation.grassroots_threshold_years"]
    recent_from = dt.date(year, 1, 1) - dt.timedelta(days=round(RECENT_PROMOTION_MONTHS * 30.44))
    width = max(5, len(str(n)))
    cadres: list[Cadre] = []
    i = 0
    for unit in units:
        for _ in range(unit.size):
            level = levels[i]
            mean, sd = AGE_BY_LEVEL[level]
            age = int(min(AGE_RANGE[1], max(AGE_RANGE[0], round(rng.gauss(mean, sd)))))
            young = age <= young_age
            reserve = rng.random() < min(0.6, RESERVE_PROB[level] * (RESERVE_YOUNG_FACTOR if young else 1))
            key_post = rng.random() < KEY_POST_PROB[level]
            promoted = _promotion(rng, level, year, age, recent_from)
            cadres.append(Cadre(f"CD{i + 1:0{width}d}", _name(rng, i in cjk), unit, level, year - age,
                                reserve, key_post, promoted, _grassroots_years(rng, unit, age, threshold), age))
            i += 1
    return cadres


def _promotion(rng: random.Random, level: str, year: int, age: int, recent_from: dt.date) -> dt.date | None:
    """Last promotion to a leading post: recent for some, older for most leaders, none for staff."""
    if level == STAFF or rng.random() < NO_PROMOTION_DATE_PROB:
        return None
    recent_to = dt.date(year - 1, 12, 31)
    old_from = dt.date(max(year - OLDEST_PROMOTION_YEARS, year - age + PROMOTION_MIN_AGE), 1, 1)
    if rng.random() < RECENT_PROMOTION_PROB[level] or old_from >= recent_from:
        lo, hi = recent_from, recent_to
    else:
        lo, hi = old_from, recent_from - dt.timedelta(1)
    return lo + dt.timedelta(rng.randint(0, (hi - lo).days))


def _grassroots_years(rng: random.Random, unit: Unit, age: int, threshold: float) -> float:
    """Years at grassroots level: many below the rotation threshold (→ frontline posts),
    township cadres mostly above it (→ posts in higher-level organs)."""
    most = min(GRASSROOTS_MAX, age - GRASSROOTS_START_AGE)
    if most < threshold or rng.random() < GRASSROOTS_NONE_PROB[unit.kind]:
        return _weighted(rng, GRASSROOTS_SMALL_VALUES)
    return float(rng.randint(math.ceil(threshold), most))


# =========================================================================== history
def make_past_catalogue(rng: random.Random, year: int) -> dict[int, dict[str, list[PastClass]]]:
    """The classes of the five previous years, by year and level: one per template and topic."""
    out: dict[int, dict[str, list[PastClass]]] = {}
    for y in range(year - HISTORY_YEARS, year):
        by_level: dict[str, list[PastClass]] = {lv: [] for lv in LEVELS}
        k = 0
        for t in TEMPLATES:
            for topic in TOPICS:
                k += 1
                days = _weighted(rng, t.days)
                pc = PastClass(f"C{y}-{k:03d}", topic, days, _class_hours(rng, t, days))
                for lv in t.levels or LEVELS:
                    by_level[lv].append(pc)
        out[y] = by_level
    return out


def _class_hours(rng: random.Random, t: ClassTemplate, days: int) -> float:
    hours = days * rng.choice(HOURS_PER_DAY)
    if t.hours:
        hours = min(t.hours[1], max(t.hours[0], hours))
    return float(round(hours))


def _pick(rng: random.Random, pool: list[PastClass], taken: set[str], max_hours: float | None = None):
    for _ in range(PICK_TRIES):
        pc = rng.choice(pool)
        if pc.topic not in taken and (max_hours is None or pc.hours <= max_hours):
            return pc
    return None


def make_history(rng: random.Random, cadres: list[Cadre], catalogue, year: int, policy: Policy,
                 n_posts: int) -> list[dict]:
    """Five years of class, rotation and online rows; fills each cadre's `topics`.

    Below division level most cadres took one or two classes a year (long-serving ones more,
    so few topics remain open to them); about a tenth are overdue (no class in four years).
    Division cadres get prior hours that leave a varied remainder of the 550 hours."""
    rows: list[dict] = []
    threshold = policy["rotation.grassroots_threshold_years"]
    window = int(policy["requirement.division_years"]) - 1
    division_hours = float(policy["requirement.division_hours"])
    below = [c for c in cadres if c.level != DIVISION]
    overdue = {c.cadre_id for c in rng.sample(below, round(OVERDUE_SHARE * len(cadres)))}
    for c in cadres:
        served = min(HISTORY_YEARS, max(1, c.age - ENTRY_AGE))
        years = list(range(year - served, year))
        picks: list[tuple[int, PastClass]] = []
        if c.level == DIVISION:
            picks = _division_history(rng, c, catalogue, year, window, division_hours)
        elif c.cadre_id in overdue:
            if served == HISTORY_YEARS and rng.random() < OVERDUE_OLD_CLASS_PROB:
                pc = _pick(rng, catalogue[year - HISTORY_YEARS][c.level], c.topics)
                if pc:
                    picks.append((year - HISTORY_YEARS, pc))
                    c.topics.add(pc.topic)
        else:
            for y in years:
                k = _weighted(rng, CLASSES_PER_YEAR[c.level])
                if c.age >= LONG_SERVING_AGE and rng.random() < LONG_SERVING_EXTRA_PROB:
                    k += 1
                for _ in range(k):
                    if len(c.topics) >= MAX_TOPICS_TAKEN:
                        break
                    pc = _pick(rng, catalogue[y][c.level], c.topics)
                    if pc:
                        picks.append((y, pc))
                        c.topics.add(pc.topic)
        for y, pc in picks:
            rows.append({"cadre_id": c.cadre_id, "year": str(y), "activity_id": pc.activity_id, "topic": pc.topic,
                         "kind": "class", "days": _num(pc.days), "hours": _num(pc.hours)})
        if rng.random() < PAST_ROTATION_SHARE:
            y = rng.choice(years)
            direction = "higher_level" if c.grassroots_years >= threshold else "grassroots"
            rows.append({"cadre_id": c.cadre_id, "year": str(y),
                         "activity_id": f"R{y}-{rng.randint(1, max(1, n_posts)):02d}",
                         "topic": rng.choice(ROTATION_CATEGORIES[direction]), "kind": "rotation",
                         "days": str(rng.randint(*PAST_ROTATION_DAYS)), "hours": "0"})
        for y in years:
            if rng.random() < ONLINE_SHARE:
                lo, hi, step = ONLINE_HOURS
                rows.append({"cadre_id": c.cadre_id, "year": str(y), "activity_id": f"ONLINE-{y}", "topic": "",
                             "kind": "online", "days": "", "hours": str(rng.randrange(lo, hi + 1, step))})
    rows.sort(key=lambda r: (r["cadre_id"], r["year"], r["kind"], r["activity_id"]))
    return rows


def _division_history(rng, c: Cadre, catalogue, year: int, window: int, division_hours: float):
    """Classes whose hours in the four-year window approach 550 - a drawn remainder."""
    r = rng.random()
    for prob, (lo, hi) in DIVISION_REMAINING:
        if r < prob:
            remaining = rng.randint(lo, hi)
            break
        r -= prob
    else:
        remaining = 0
    target = division_hours - remaining
    picks: list[tuple[int, PastClass]] = []
    total = 0.0
    window_years = list(range(year - window, year))
    for _ in range(4 * PICK_TRIES):
        room = target - total
        if room < DIVISION_FILL_SLACK or len(c.topics) >= MAX_TOPICS_TAKEN:
            break
        y = rng.choice(window_years)
        pc = _pick(rng, catalogue[y][DIVISION], c.topics, room + DIVISION_FILL_SLACK)
        if pc:
            picks.append((y, pc))
            c.topics.add(pc.topic)
            total += pc.hours
    if rng.random() < DIVISION_OLD_CLASS_PROB and len(c.topics) < MAX_TOPICS_TAKEN:
        pc = _pick(rng, catalogue[year - HISTORY_YEARS][DIVISION], c.topics)
        if pc:
            picks.append((year - HISTORY_YEARS, pc))
            c.topics.add(pc.topic)
    return picks


def division_remaining(history_rows: list[dict], cadres: list[Cadre], year: int, policy: Policy) -> dict[str, float]:
    """Hours each division cadre still needs this year (the policy's 550 in 5 years rule)."""
    window = int(policy["requirement.division_years"]) - 1
    prior: Counter = Counter()
    for r in history_rows:
        if r["kind"] == "class" and int(r["year"]) >= year - window:
            prior[r["cadre_id"]] += float(r["hours"])
    need = float(policy["requirement.division_hours"])
    return {c.cadre_id: max(0.0, need - prior[c.cadre_id]) for c in cadres if c.level == DIVISION}


# =========================================================================== blackouts and busy periods
def _period(rng: random.Random, year: int, lo_md: str, hi_md: str, weeks: tuple[int, int]) -> tuple[dt.date, dt.date]:
    """A Monday-to-Sunday period of whole weeks inside [lo, hi] (clipped at hi)."""
    lo, hi = _md(year, lo_md), _md(year, hi_md)
    length = 7 * rng.randint(*weeks)
    first = _monday_on_or_after(lo)
    last = max(first, hi - dt.timedelta(length - 1))
    start = first + dt.timedelta(7 * rng.randint(0, max(0, (last - first).days // 7)))
    return start, min(hi, start + dt.timedelta(length - 1))


def make_blackouts(rng: random.Random, cal: YearCalendar, units: list[Unit]) -> list[dict]:
    """Region key work, district-wide township peaks (spring planting, flood prevention, harvest)
    and bureau peaks (budget preparation, examinations …)."""
    year = cal.year
    rows = [{"start_date": _iso(s), "end_date": _iso(e), "scope": "region", "reason": reason}
            for s, e, reason in cal.region]
    districts = sorted({u.district for u in units}, key=lambda d: min(x.unit_id for x in units if x.district == d))
    spring = set(rng.sample(districts, round(SPRING_PEAK_DISTRICT_SHARE * len(districts))))
    autumn = set(rng.sample(districts, round(AUTUMN_PEAK_DISTRICT_SHARE * len(districts))))
    district_periods: dict[str, list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
    for d in districts:
        if d in spring:
            reason, lo, hi, weeks = rng.choice(TOWNSHIP_SPRING_PEAKS)
            district_periods[d].append((*_period(rng, year, lo, hi, weeks), reason))
        if d in autumn:
            reason, lo, hi, weeks = rng.choice(TOWNSHIP_AUTUMN_PEAKS)
            district_periods[d].append((*_period(rng, year, lo, hi, weeks), reason))
    unit_rows = []
    for u in units:
        if u.kind == "township":
            for s, e, reason in district_periods.get(u.district, ()):
                unit_rows.append({"start_date": _iso(s), "end_date": _iso(e), "scope": u.unit_id, "reason": reason})
        elif u.base in BUREAU_PEAKS and rng.random() < BUREAU_PEAK_PROB:
            reason, lo, hi, weeks = BUREAU_PEAKS[u.base]
            s, e = _period(rng, year, lo, hi, weeks)
            unit_rows.append({"start_date": _iso(s), "end_date": _iso(e), "scope": u.unit_id, "reason": reason})
    unit_rows.sort(key=lambda r: (r["scope"], r["start_date"]))
    return rows + unit_rows


def make_busy(rng: random.Random, cadres: list[Cadre], year: int, share: float = BUSY_SHARE,
              span: tuple[str, str] = BUSY_SPAN) -> list[dict]:
    """Personal work peaks of about 15 % of cadres (`share`), one to six weeks each."""
    rows = []
    for c in cadres:
        if rng.random() >= share:
            continue
        for _ in range(2 if rng.random() < BUSY_SECOND_PROB else 1):
            s, e = _period(rng, year, span[0], span[1], BUSY_WEEKS)
            rows.append({"cadre_id": c.cadre_id, "start_date": _iso(s), "end_date": _iso(e),
                         "reason": rng.choice(BUSY_REASONS)})
    rows.sort(key=lambda r: (r["cadre_id"], r["start_date"]))
    # Two peaks of one cadre may overlap; merge them so each row is a distinct period.
    merged: list[dict] = []
    for r in rows:
        if merged and merged[-1]["cadre_id"] == r["cadre_id"] and r["start_date"] <= merged[-1]["end_date"]:
            merged[-1]["end_date"] = max(merged[-1]["end_date"], r["end_date"])
        else:
            merged.append(r)
    return merged


# =========================================================================== classes
def level_demand(cadres: list[Cadre], remaining: dict[str, float], policy: Policy) -> dict[str, float]:
    """Seat-days needed per level: 12 per cadre below division level, hours still required / 7.5
    at division level."""
    demand = {lv: 0.0 for lv in LEVELS}
    for c in cadres:
        if c.level == DIVISION:
            demand[DIVISION] += remaining.get(c.cadre_id, 0.0) / DIVISION_HOURS_PER_DAY
        else:
            demand[c.level] += float(policy["requirement.annual_days"])
    return demand


def attribute(levels: tuple[str, ...], seat_days: float, demand: dict[str, float]) -> dict[str, float]:
    """Split a class's seat-days over its levels in proportion to their demand."""
    open_to = [lv for lv in (levels or LEVELS) if demand.get(lv, 0) > 0]
    total = sum(demand[lv] for lv in open_to)
    return {lv: seat_days * demand[lv] / total for lv in open_to} if total else {}


def make_classes(rng: random.Random, cal: YearCalendar, demand: dict[str, float], n: int,
                 seat_target: float = SEAT_TARGET) -> list[Offer]:
    """The training offer, grown class by class until every level is offered SEAT_TARGET × its demand.

    Each new class serves the level that is worst off so far; its topic is the one least
    offered to its levels yet, so every level sees a spread of topics."""
    cap_scale = min(1.0, max(CAPACITY_SCALE_FLOOR, math.sqrt(n / REFERENCE_CADRES)))
    offered = {lv: 0.0 for lv in LEVELS}
    topic_count = {lv: Counter() for lv in LEVELS}
    load: Counter = Counter()  # seats in class on each day so far
    offers: list[Offer] = []
    needy = [lv for lv in LEVELS if demand[lv] > 0]
    # Kinds every offer has (weekend classes, long party-school programmes) come first.
    required = [t for t in TEMPLATES for _ in range(math.ceil(t.minimum * n / REFERENCE_CADRES))
                if any(demand[lv] > 0 for lv in t.levels or LEVELS)]
    while needy:
        lv = min(needy, key=lambda x: (offered[x] / demand[x], LEVELS.index(x)))
        trim = not required
        if required:
            t = required.pop(0)
        elif offered[lv] / demand[lv] >= seat_target:
            break
        else:
            candidates = [t for t in TEMPLATES if not t.levels or lv in t.levels]
            # Prefer kinds whose levels all still need seats: keeps levels from overshooting.
            fits = [t for t in candidates
                    if all(offered[x] < seat_target * demand[x] for x in (t.levels or LEVELS) if demand[x] > 0)]
            candidates = fits or candidates
            t = rng.choices(candidates, weights=[t.weight for t in candidates])[0]
        offer = _make_offer(rng, cal, t, cap_scale, topic_count, load)
        if offer is None:
            continue
        if trim:
            _trim_capacity(offer, lv, offered, demand, cap_scale, seat_target)
        offers.append(offer)
        for d in _occupied(offer.mode, offer.start, offer.end):
            load[d] += offer.capacity
        for x in offer.levels or LEVELS:
            topic_count[x][offer.topic] += 1
        for x, v in attribute(offer.levels, offer.capacity * offer.days, demand).items():
            offered[x] += v
    offers.sort(key=lambda o: (o.start, o.end, o.template.key, o.topic))
    width = max(3, len(str(len(offers))))
    for k, o in enumerate(offers, start=1):
        o.class_id = f"C{cal.year}-{k:0{width}d}"
    return offers


def _trim_capacity(offer: Offer, lv: str, offered: dict[str, float], demand: dict[str, float],
                   cap_scale: float, seat_target: float = SEAT_TARGET) -> None:
    """The last class a level needs gets only the seats still missing (never below the usual
    smallest class), so that small data sets do not overshoot the target by a whole class."""
    share = attribute(offer.levels, 1.0, demand).get(lv, 0.0)
    if share <= 0:
        return
    needed = math.ceil((seat_target * demand[lv] - offered[lv]) / (offer.days * share))
    floor = max(MIN_CAPACITY, round(CAPACITY[0] * cap_scale))
    offer.capacity = max(floor, min(offer.capacity, needed))
    if offer.min_size:
        offer.min_size = min(offer.min_size, max(1, round(offer.capacity * MIN_SIZE_FRACTION[1])))


def _make_offer(rng, cal: YearCalendar, t: ClassTemplate, cap_scale: float, topic_count,
                load: Counter) -> Offer | None:
    """One class of the template: the topic least offered to its levels, dates in a season that
    avoid holidays and region key work, and of a few random placements the least crowded one
    (schools stagger their classes; unit absence caps make clumped classes unfillable)."""
    order = list(TOPICS)
    rng.shuffle(order)
    topic = min(order, key=lambda tp: sum(topic_count[x][tp] for x in (t.levels or LEVELS)))
    days = _weighted(rng, t.days)
    first = "spring" if rng.random() < SPRING_SHARE else "autumn"
    seasons = [first] + [s for s in cal.seasons if s != first]
    while days > 0:
        for season in seasons:
            spots = cal.placements(t.mode, days, season)
            if spots:
                sample = [rng.choice(spots) for _ in range(PLACEMENT_SAMPLE)]
                start, end = min(sample, key=lambda se: _crowding(load, t.mode, *se))
                break
        else:
            days -= 1  # nothing this long fits anywhere: a shorter class
            continue
        break
    else:
        return None
    lo, mode, hi = CAPACITY
    capacity = max(MIN_CAPACITY, round(rng.triangular(lo, hi, mode) * cap_scale))
    min_size = None
    if rng.random() < MIN_SIZE_SHARE:
        min_size = max(1, round(capacity * rng.uniform(*MIN_SIZE_FRACTION)))
    institution = rng.choice(t.institutions)
    per_day = rng.randint(*COST_PER_DAY[institution])
    cost = min(COST_RANGE[1], max(COST_RANGE[0], round(days * per_day / COST_STEP) * COST_STEP))
    title = f"{topic} {t.kind} for {t.audience}"
    return Offer(t, topic, t.mode, days, _class_hours(rng, t, days), capacity, min_size, institution, cost,
                 start, end, t.levels, title=title[0].upper() + title[1:])


def _crowding(load: Counter, mode: str, start: dt.date, end: dt.date) -> float:
    """Mean seats already in class on the days a class would occupy."""
    days = _occupied(mode, start, end)
    return sum(load[d] for d in days) / len(days)


def apply_windows(rng: random.Random, cal: YearCalendar, offers: list[Offer], share: float) -> None:
    """Give a share of classes a window (4–10 weeks inside their season) instead of fixed dates.

    The window is built around the class's admissible placement, so it always has room."""
    count = round(share * len(offers))
    chosen = sorted(rng.sample(range(len(offers)), count))
    for k in chosen:
        o = offers[k]
        lo, hi = next((a, b) for a, b in cal.seasons.values() if a <= o.start <= b)
        span = (o.end - o.start).days + 1
        weeks = max(rng.randint(*WINDOW_WEEKS), math.ceil(span / 7) + WINDOW_SLACK_WEEKS)
        length = min(7 * weeks, (hi - lo).days + 1)
        earliest = max(lo, o.end - dt.timedelta(length - 1))
        latest = min(o.start, hi - dt.timedelta(length - 1))
        ws = earliest + dt.timedelta(rng.randint(0, max(0, (latest - earliest).days)))
        o.window = (ws, min(hi, ws + dt.timedelta(length - 1)))


# =========================================================================== rotations
def make_rotations(rng: random.Random, units: list[Unit], n: int, year: int) -> list[Post]:
    """Secondment posts of 2–6 months inside the plan year: frontline posts for cadres without
    grassroots experience, posts in higher-level organs for those with it."""
    count = max(MIN_POSTS, round(POSTS_PER_CADRE * n))
    townships = [u.name for u in units if u.kind == "township"] or [u.name for u in units]
    districts = sorted({u.district for u in units})
    posts: list[Post] = []
    titles: set[str] = set()
    for _ in range(count):
        direction = "grassroots" if rng.random() < GRASSROOTS_POST_SHARE else "higher_level"
        category = rng.choice(ROTATION_CATEGORIES[direction])
        for _ in range(PICK_TRIES):  # prefer a title not used yet: two identical posts confuse planners
            office = rng.choice(HIGHER_OFFICES) if direction == "higher_level" else f"{rng.choice(districts)} District"
            title = ROTATION_TITLES[category].format(township=rng.choice(townships), district=rng.choice(districts),
                                                     project=rng.choice(PROJECTS), event=rng.choice(EVENTS),
                                                     office=office)
            if title not in titles:
                break
        else:
            title = f"{title} ({sum(t.startswith(title) for t in titles) + 1})"
        titles.add(title)
        months = rng.randint(*ROTATION_MONTHS)
        start = _monday_on_or_after(dt.date(year, rng.randint(1, 12 - months), rng.choice(ROTATION_START_DAYS)))
        end = min(dt.date(year, 12, 31), _add_months(start, months) - dt.timedelta(1))
        posts.append(Post("", title, direction, category, start, end, rng.randint(*ROTATION_SLOTS),
                          _weighted(rng, ROTATION_LEVELS)))
    posts.sort(key=lambda p: (p.start, p.end, p.category, p.title))
    width = max(2, len(str(len(posts))))
    for k, p in enumerate(posts, start=1):
        p.post_id = f"R{year}-{k:0{width}d}"
    return posts


# =========================================================================== pins
def make_pins(rng: random.Random, cal: YearCalendar, cadres: list[Cadre], offers: list[Offer], posts: list[Post],
              blackouts: list[dict], busy: list[dict], n: int, policy: Policy) -> list[dict]:
    """A few planner decisions that the plan can always honour.

    A `must` pin goes to a cadre whose level the activity admits, who has not taken its topic,
    whose blocked days (region and unit blackouts, own busy periods) leave the class's days free,
    with at most one `must` per cadre and per unit and within a quarter of the class; only
    fixed-date classes without a minimum size are pinned. `must_not` pins forbid an admissible
    assignment (a leadership decision)."""
    count = max(MIN_PINS, round(PINS_PER_CADRE * n))
    n_must = max(1, round(MUST_SHARE * count))
    unit_days: dict[str, set[dt.date]] = defaultdict(set)
    for r in blackouts:
        if r["scope"] != "region":
            unit_days[r["scope"]].update(_days(dt.date.fromisoformat(r["start_date"]), dt.date.fromisoformat(r["end_date"])))
    busy_days: dict[str, set[dt.date]] = defaultdict(set)
    for r in busy:
        busy_days[r["cadre_id"]].update(_days(dt.date.fromisoformat(r["start_date"]), dt.date.fromisoformat(r["end_date"])))
    threshold = policy["rotation.grassroots_threshold_years"]

    def class_ok(c: Cadre, o: Offer) -> bool:
        if (o.levels and c.level not in o.levels) or o.topic in c.topics:
            return False
        days = _occupied(o.mode, o.start, o.end)
        return not any(d in cal.region_days or d in unit_days[c.unit.unit_id] or d in busy_days[c.cadre_id]
                       for d in days)

    def post_ok(c: Cadre, p: Post) -> bool:
        direction = "higher_level" if c.grassroots_years >= threshold else "grassroots"
        if direction != p.direction or (p.levels and c.level not in p.levels):
            return False
        return not any(d in busy_days[c.cadre_id] for d in _days(p.start, p.end))

    fixed = [o for o in offers if o.window is None and not o.min_size]
    order = list(cadres)
    rng.shuffle(order)
    used_cadres: set[str] = set()
    used_units: set[str] = set()
    per_activity: Counter = Counter()
    pins: list[dict] = []

    def place(rule: str, activities: list, ok, limit) -> bool:
        acts = list(activities)
        rng.shuffle(acts)
        for a in acts:
            aid = a.class_id if isinstance(a, Offer) else a.post_id
            if per_activity[aid] >= limit(a):
                continue
            for c in order:
                if c.cadre_id in used_cadres or (rule == "must" and c.unit.unit_id in used_units):
                    continue
                if ok(c, a):
                    pins.append({"cadre_id": c.cadre_id, "activity_id": aid, "rule": rule})
                    used_cadres.add(c.cadre_id)
                    if rule == "must":
                        used_units.add(c.unit.unit_id)
                        per_activity[aid] += 1
                    return True
        return False

    def class_limit(o: Offer) -> int:
        return max(1, math.floor(PIN_CAPACITY_SHARE * o.capacity))

    def post_limit(p: Post) -> int:
        return p.slots

    def no_limit(_) -> float:
        return math.inf

    def admitted(c: Cadre, o: Offer) -> bool:
        return (not o.levels or c.level in o.levels) and o.topic not in c.topics

    for k in range(n_must):
        post_turn = k % ROTATION_MUST_EVERY == ROTATION_MUST_EVERY - 1 or not fixed
        if post_turn and posts and place("must", posts, post_ok, post_limit):
            continue
        if fixed and not place("must", fixed, class_ok, class_limit) and posts:
            place("must", posts, post_ok, post_limit)
    for k in range(count - n_must):
        if posts and k % 2 == 1:
            place("must_not", posts, post_ok, no_limit)
        else:
            place("must_not", offers, admitted, no_limit)
    pins.sort(key=lambda r: (r["rule"], r["activity_id"], r["cadre_id"]))
    return pins


# =========================================================================== tables
def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    cols = TABLES[name].column_names
    return pd.DataFrame([[r.get(c, "") for c in cols] for r in rows], columns=cols, dtype=object)


def _tables(units, cadres, offers, posts, blackouts, busy, history, pins) -> dict[str, pd.DataFrame]:
    unit_rows = [{"unit_id": u.unit_id, "name": u.name, "district": u.district,
                  "max_absent_share": _num(u.max_absent_share) if u.max_absent_share else ""} for u in units]
    cadre_rows = [{"cadre_id": c.cadre_id, "name": c.name, "unit_id": c.unit.unit_id, "level": c.level,
                   "birth_year": str(c.birth_year), "is_reserve": _bool(c.is_reserve),
                   "is_key_post": _bool(c.is_key_post), "promoted_on": _iso(c.promoted_on),
                   "grassroots_years": _num(c.grassroots_years)} for c in cadres]
    class_rows = []
    for o in offers:
        fixed = o.window is None
        class_rows.append({
            "class_id": o.class_id, "title": o.title, "topic": o.topic, "mode": o.mode,
            "start_date": _iso(o.start) if fixed else "", "end_date": _iso(o.end) if fixed else "",
            "window_start": "" if fixed else _iso(o.window[0]), "window_end": "" if fixed else _iso(o.window[1]),
            "days": _num(o.days), "hours": _num(o.hours), "capacity": str(o.capacity),
            "min_size": str(o.min_size) if o.min_size else "", "levels": ";".join(o.levels),
            "institution": o.institution, "cost_per_trainee": _num(o.cost)})
    post_rows = [{"post_id": p.post_id, "title": p.title, "direction": p.direction, "category": p.category,
                  "start_date": _iso(p.start), "end_date": _iso(p.end), "slots": str(p.slots),
                  "levels": ";".join(p.levels)} for p in posts]
    return {"cadres": _frame("cadres", cadre_rows), "units": _frame("units", unit_rows),
            "classes": _frame("classes", class_rows), "rotations": _frame("rotations", post_rows),
            "blackouts": _frame("blackouts", blackouts), "busy": _frame("busy", busy),
            "history": _frame("history", history), "holidays": _frame("holidays", []),
            "pins": _frame("pins", pins)}


def generate(size: str | int = "medium", year: int = 2027, seed: int = 7,
             windowed_share: float = 0.15, profile: str = "standard") -> dict[str, pd.DataFrame]:
    """A data set of `size` cadres ("small", "medium", "large", "xlarge" or a number) for plan
    year `year`: one frame of contract text per table. The same arguments give the same data.
    `profile`: "standard" or "adversarial" (see PROFILES; its windowed share overrides the argument)."""
    n, label = _resolve_size(size)
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    prof = PROFILES[profile]
    if prof.windowed_share is not None:
        windowed_share = prof.windowed_share
    if not 0.0 <= windowed_share <= 1.0:
        raise ValueError(f"windowed_share must lie in [0, 1], not {windowed_share}")
    policy = default_policy()
    streams = {s: random.Random(f"planning.generate/{s}/{seed}/{n}/{year}") for s in STREAMS}
    cal = YearCalendar(year, policy)
    units = make_units(streams["units"], n)
    cadres = make_cadres(streams["cadres"], units, year, label, policy)
    n_posts = max(MIN_POSTS, round(POSTS_PER_CADRE * n))
    catalogue = make_past_catalogue(streams["past"], year)
    history = make_history(streams["history"], cadres, catalogue, year, policy, n_posts)
    blackouts = make_blackouts(streams["blackouts"], cal, units)
    busy = make_busy(streams["busy"], cadres, year, prof.busy_share, prof.busy_span)
    demand = level_demand(cadres, division_remaining(history, cadres, year, policy), policy)
    offers = make_classes(streams["classes"], cal, demand, n, prof.seat_target)
    apply_windows(streams["windows"], cal, offers, windowed_share)
    posts = make_rotations(streams["rotations"], units, n, year)
    pins = make_pins(streams["pins"], cal, cadres, offers, posts, blackouts, busy, n, policy)
    tables = _tables(units, cadres, offers, posts, blackouts, busy, history, pins)
    # tables added later draw from their own streams, after everything above: the tables above stay byte-identical
    tables.update(activity_tables(tables, seed, n, year))
    # attendance is recorded while the year runs (planning close-year reads it): a plan-year data set has none yet
    tables["attendance"] = _frame("attendance", [])
    # the reserve pool (planning/pool/): its own stream; cadres gains gender, field, pool_joined
    from planning.data.generate_pool import pool_tables

    tables.update(pool_tables(tables, seed, n, year))
    return tables


# =========================================================================== writing
def _cell(col_type: str, text: str):
    """A contract text value as a workbook cell: real dates, numbers as numbers, the rest as text."""
    if text == "":
        return None
    if col_type == "date":
        return dt.date.fromisoformat(text)
    if col_type in ("int", "number"):
        x = float(text)
        return int(x) if x.is_integer() else x
    return text


def _write_workbook(tables: dict[str, pd.DataFrame], path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    wb.properties.created = WORKBOOK_TIMESTAMP
    for name, df in tables.items():
        ws = wb.create_sheet(name)
        types = [TABLES[name].column(c).type if name in TABLES and c in TABLES[name].column_names else "text"
                 for c in df.columns]
        ws.append(list(df.columns))
        for row in df.itertuples(index=False, name=None):
            ws.append([_cell(t, "" if v is None else str(v)) for t, v in zip(types, row)])
    wb.save(path)
    _normalise_zip(path)


def _normalise_zip(path: Path) -> None:
    """Fix the timestamps openpyxl and zipfile put into the workbook, so that it is reproducible."""
    stamp = WORKBOOK_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              rb"\g<1>" + stamp + rb"\g<3>", data)
            info = zipfile.ZipInfo(name, date_time=WORKBOOK_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)


def write_dataset(tables: dict[str, pd.DataFrame], folder: str | Path, xlsx_path: str | Path | None = None) -> None:
    """Write `<folder>/<table>.csv` (UTF-8, '\\n' line endings) and, if asked, one .xlsx workbook
    with the same sheets (real date cells, numbers as numbers, ids as text).

    The folder is written as a whole (planning.io.output_dir): it must be new, empty or one the
    planner wrote; the workbook must not be a folder. Both are checked before anything is written."""
    from planning.io import atomic_path, check_output_file, output_dir

    if xlsx_path is not None:
        check_output_file(xlsx_path, [], kind="workbook", suffixes=(".xlsx",))
    with output_dir(folder, [], kind="data set") as tmp:
        for name, df in tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
    if xlsx_path is not None:
        with atomic_path(xlsx_path) as tmp:
            _write_workbook(tables, tmp)


# =========================================================================== tightness
def tightness(ds, year: int, policy: Policy | None = None) -> dict[str, float]:
    """How tight a loaded data set is: seat-days offered against the seat-days needed.

    Demand: 12 days per cadre below division level, and hours still required / 7.5 per
    division cadre. Seat-days (capacity × days) of each class are split over its levels by
    demand. `eligible_share` is the share of cadres with at least one class they may attend
    (level, topic not taken, and for fixed dates no blocked day)."""
    from planning.calendar import Calendar, occupied_days
    from planning.facts import cadre_facts

    policy = policy or default_policy()
    facts = cadre_facts(ds.cadres, ds.history, year, policy)
    annual_days = float(policy["requirement.annual_days"])
    demand = {lv: 0.0 for lv in LEVELS}
    for lv, hours in zip(facts["level"], facts["required_hours"]):
        demand[lv] += hours / DIVISION_HOURS_PER_DAY if lv == DIVISION else annual_days
    offered = {lv: 0.0 for lv in LEVELS}
    classes = ds.classes.to_dict("records")
    for k in classes:
        for lv, v in attribute(tuple(k["levels"]), k["capacity"] * k["days"], demand).items():
            offered[lv] += v
    below = [lv for lv in LEVELS if lv != DIVISION]
    cal = Calendar(year, ds.blackouts, ds.busy, ds.holidays)
    occupied = [occupied_days(k["mode"], k["start_date"], k["end_date"]) if k["start_date"] else None
                for k in classes]
    by_level = {lv: [i for i, k in enumerate(classes) if not k["levels"] or lv in k["levels"]] for lv in LEVELS}
    eligible = 0
    for f in facts.to_dict("records"):
        blocked = cal.unit.get(f["unit_id"], set()) | cal.busy.get(f["cadre_id"], set())
        for i in by_level[f["level"]]:
            if classes[i]["topic_key"] not in f["topics_taken"] and (
                    occupied[i] is None or occupied[i].isdisjoint(blocked)):
                eligible += 1
                break
    seat_days = sum(k["capacity"] * k["days"] for k in classes)
    return {
        "cadres": len(facts), "classes": len(classes), "seat_days": seat_days,
        "seat_days_vs_all_cadres": seat_days / (annual_days * max(1, len(facts))),
        "below_division_ratio": sum(offered[lv] for lv in below) / max(1e-9, sum(demand[lv] for lv in below)),
        "division_ratio": offered[DIVISION] / demand[DIVISION] if demand[DIVISION] else float("nan"),
        **{f"ratio_{lv}": offered[lv] / demand[lv] for lv in LEVELS if demand[lv]},
        "eligible_share": eligible / max(1, len(facts)),
    }


# =========================================================================== command line
def main(argv: list[str] | None = None) -> int:
    """``python -m planning.data.generate --size medium --year 2027 --seed 7 --out data/sample``"""
    ap = argparse.ArgumentParser(prog="python -m planning.data.generate",
                                 description="Generate a realistic, tight data set in the data contract's format.")
    ap.add_argument("--size", default="medium", help=f"{', '.join(SIZES)} or a number of cadres")
    ap.add_argument("--year", type=int, default=2027)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--windowed-share", type=float, default=0.15)
    ap.add_argument("--profile", default="standard", choices=sorted(PROFILES),
                    help="adversarial: busy springs, every class windowed, seats at 0.95 of demand")
    ap.add_argument("--out", required=True, help="folder for the CSV files")
    ap.add_argument("--xlsx", help="also write this .xlsx workbook")
    ap.add_argument("--check", action="store_true", help="load and validate the result, print tightness")
    ap.add_argument("--lang", choices=("en", "zh"), default="en",
                    help="zh: every text a person reads in Chinese (planning/data/generate_zh.py)")
    args = ap.parse_args(argv)
    try:
        t0 = time.perf_counter()
        tables = generate(args.size, args.year, args.seed, args.windowed_share, args.profile)
        if args.lang == "zh":
            from planning.data.generate_zh import to_chinese

            tables = to_chinese(tables)
        t1 = time.perf_counter()
    except ValueError as e:
        ap.error(str(e))
    write_dataset(tables, args.out, args.xlsx)
    t2 = time.perf_counter()
    rows = ", ".join(f"{k} {len(v)}" for k, v in tables.items())
    print(f"generated in {t1 - t0:.1f}s, written in {t2 - t1:.1f}s: {rows}")
    if args.check:
        from planning.data.load import load_dataset

        ds = load_dataset(args.out, args.year)
        for w in ds.warnings:
            print(f"warning: {w}")
        for k, v in tightness(ds, args.year).items():
            print(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
