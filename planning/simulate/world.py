"""The world between two planned years: retirements, departures, promotions, hires, the reserve
pool, grassroots years and online learning. Every rate is a `simulation.*` policy setting.

    nxt, events = advance(ds_next, record, year, policy, rng)   # ds_next: close_year's data set for year + 1

Order of events at the end of `year` (the data set is already the closed one of year + 1):
1. retirements (age reached in `year` ≥ simulation.retirement_age) and departures (a share
   simulation.attrition_<level> of each level, drawn);
2. the reserve pool's review, in the years it is due (planning.pool.review.is_due: every
   pool.review_years from pool.review_first_year): planning.pool.review.review on the pool as it
   stands after the leavers — members flagged low or in the bottom pool.review_drop_share leave
   the pool, strong non-members join (the seed's assessments decide);
3. promotions, top level first: every vacated leading post (division, section, deputy section)
   is filled with probability simulation.promotion_fill_share by a cadre of the level below
   (planning.pool.fill_vacancies: the reserve pool first), who moves into the post's unit and is
   newly promoted;
   the post he leaves is vacated in turn;
4. hires: a share simulation.hire_share of each unit's lost headcount comes back as staff;
5. the reserve pool is topped up (simulation.pool_refill_share of its leavers replaced; not by
   the review's leavers of the same year);
6. grassroots years: +1 for cadres of grassroots units (simulation.grassroots_units), + the
   posting's length for a credited grassroots rotation;
7. online hours of `year` drawn around requirement.online_hours (simulation.online_*);
8. the curriculum renews: a share simulation.topic_renewal_share of next year's classes (drawn)
   takes a new topic (the old one marked with the new year), so that "no repeated training"
   does not leave long-serving cadres without a class they may take.
Rows of departed cadres leave every table that names a cadre.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planning.data.dataset import ROW, Dataset
from planning.data.load import topic_key
from planning.data.validate import validate_dataset
from planning.facts import age
from planning.policy import Policy
from planning.report.fonts import has_cjk

LEADING = ("division", "section", "deputy_section")  # top first; each is filled from the next level down
BELOW = {"division": "section", "section": "deputy_section", "deputy_section": "staff"}
ATTRITION = {"division": "simulation.attrition_division", "section": "simulation.attrition_section",
             "deputy_section": "simulation.attrition_deputy_section", "staff": "simulation.attrition_staff"}
EVENTS = ("retired", "departed", "promoted", "vacancies_unfilled", "hired", "pool_joined", "pool_reviewed_out")


@dataclass
class Events:
    """What happened at the end of a year (counts go into the KPIs)."""

    retired: list[str] = field(default_factory=list)
    departed: list[str] = field(default_factory=list)
    promoted: list[tuple[str, str, str]] = field(default_factory=list)  # (cadre, from level, to level)
    vacancies_unfilled: int = 0
    hired: list[str] = field(default_factory=list)
    pool_joined: list[str] = field(default_factory=list)  # at the review and at the refill
    pool_reviewed_out: list[str] = field(default_factory=list)  # left the pool at the review

    def counts(self) -> dict[str, int]:
        return {"retired": len(self.retired), "departed": len(self.departed), "promoted": len(self.promoted),
                "vacancies_unfilled": self.vacancies_unfilled, "hired": len(self.hired),
                "pool_joined": len(self.pool_joined), "pool_reviewed_out": len(self.pool_reviewed_out)}


def grassroots_unit_ids(units: pd.DataFrame, policy: Policy) -> set[str]:
    """Units whose name holds one of the words of simulation.grassroots_units (case-insensitive)."""
    words = [w.strip().casefold() for w in str(policy["simulation.grassroots_units"]).split(";") if w.strip()]
    return {u for u, n in zip(units["unit_id"], units["name"]) if any(w in str(n or "").casefold() for w in words)}


def leavers(cadres: pd.DataFrame, year: int, policy: Policy, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """(retired, departed): retirement at the policy age reached in `year`; the others leave with
    their level's attrition rate (one draw per cadre, in roster order)."""
    retire_age = int(policy["simulation.retirement_age"])
    draws = rng.random(len(cadres))
    retired, departed = [], []
    for u, r in zip(draws, cadres.to_dict("records")):
        if age(r["birth_year"], year) >= retire_age:
            retired.append(r["cadre_id"])
        elif u < float(policy[ATTRITION[r["level"]]]):
            departed.append(r["cadre_id"])
    return retired, departed


def vacancies_of(posts: list[tuple[str, str]], year: int) -> pd.DataFrame:
    """Vacated leading posts as the contract's `vacancies` rows (vacancy_id, unit_id, level, field, opens_on)."""
    return pd.DataFrame({
        "vacancy_id": [f"V{year}-{k + 1:04d}" for k in range(len(posts))],
        "unit_id": [u for u, _ in posts], "level": [lv for _, lv in posts],
        "field": [None] * len(posts), "opens_on": [dt.date(year, 12, 31)] * len(posts),
    })


def assessment_scores(ds: Dataset, year: int, policy: Policy) -> pd.DataFrame:
    """The pool's assessment (planning.pool.assess): each cadre's composite of the latest assessed
    year up to `year`, normalised within level."""
    from planning.pool import assess

    return assess(ds, year, policy)


def fill_posts(cadres: pd.DataFrame, lost: pd.DataFrame, year: int, policy: Policy, ds: Dataset,
               rng: np.random.Generator, events: Events, scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Promotions, top level first: each vacated post is open with simulation.promotion_fill_share
    (one draw per post); the open posts of a level are filled together by planning.pool.fill_vacancies
    (reserve pool members first, then the normalised composite, field, own unit) from the level
    below only (cadres of the post's level are excluded: a promotion, not a move); the post a
    promoted cadre leaves is vacated in turn."""
    from planning.pool import fill_vacancies

    cadres = cadres.copy()
    scores = assessment_scores(ds, year, policy) if scores is None else scores
    share = float(policy["simulation.promotion_fill_share"])
    open_posts = [(u, lv) for u, lv in zip(lost["unit_id"], lost["level"]) if lv in LEADING]
    moved: set[str] = set()
    when = dt.date(year, 12, 31)
    for level in LEADING:
        vac = vacancies_of([p for p in open_posts if p[1] == level], year)
        is_open = [rng.random() < share for _ in range(len(vac))]
        events.vacancies_unfilled += is_open.count(False)
        vac = vac[is_open].reset_index(drop=True)
        if vac.empty:
            continue
        same_level = set(cadres.loc[cadres["level"] == level, "cadre_id"])
        app = fill_vacancies(Dataset({"cadres": cadres}, ds.source), year, policy, vacancies=vac, scores=scores,
                             exclude=moved | same_level)
        for v, who in zip(vac.to_dict("records"), app["cadre_id"]):  # one row per vacancy, in order
            if not who:
                events.vacancies_unfilled += 1
                continue
            k = cadres.index[cadres["cadre_id"] == who][0]
            old_unit, old_level = cadres.at[k, "unit_id"], cadres.at[k, "level"]
            cadres.at[k, "level"], cadres.at[k, "unit_id"], cadres.at[k, "promoted_on"] = level, v["unit_id"], when
            cadres.at[k, "is_reserve"] = False  # appointed: leaves the reserve pool
            moved.add(who)
            events.promoted.append((who, old_level, level))
            if old_level in LEADING:
                open_posts.append((old_unit, old_level))
    return cadres


def review_pool(cadres: pd.DataFrame, year: int, policy: Policy, ds: Dataset, scores: pd.DataFrame,
                events: Events) -> pd.DataFrame:
    """The pool's review when it is due in `year` (planning.pool.review.is_due): planning.pool.review.review
    on the cadres as they stand (the seed's assessments, `scores`); its leavers leave the pool, its
    joiners join it (pool_joined = year + 1). Not due: nothing changes."""
    from planning.pool.review import is_due, review

    if not is_due(year, policy):
        return cadres
    changes = review(Dataset({**ds.tables, "cadres": cadres}, ds.source), year, policy, scores=scores).changes
    out = set(changes.loc[changes["change"] == "leave", "cadre_id"])
    join = set(changes.loc[changes["change"] == "join", "cadre_id"])
    cadres = cadres.copy()
    left, joined = cadres["cadre_id"].isin(out), cadres["cadre_id"].isin(join)
    cadres.loc[left, "is_reserve"] = False
    cadres.loc[joined, "is_reserve"] = True
    if "pool_joined" in cadres.columns:
        cadres.loc[joined, "pool_joined"] = year + 1
    events.pool_reviewed_out += sorted(out)
    events.pool_joined += sorted(join)
    return cadres


def hire(cadres: pd.DataFrame, headcount: dict[str, int], year: int, policy: Policy, rng: np.random.Generator,
         events: Events) -> pd.DataFrame:
    """Staff-level hires: simulation.hire_share of each unit's lost headcount (rounded down, the
    remainder drawn), aged between simulation.hire_age_min and _max."""
    share = float(policy["simulation.hire_share"])
    lo, hi = int(policy["simulation.hire_age_min"]), int(policy["simulation.hire_age_max"])
    now = cadres["unit_id"].value_counts().to_dict()
    rows = []
    fields = [f for f in (cadres["field"] if "field" in cadres.columns else []) if f]
    label = "新录用干部" if any(has_cjk(str(n or "")) for n in cadres["name"]) else "New cadre"
    for unit in sorted(headcount):
        lost = headcount[unit] - now.get(unit, 0)
        n = int(np.floor(lost * share + rng.random())) if lost > 0 else 0
        for _ in range(n):
            cid = f"N{year + 1}-{len(rows) + 1:04d}"
            row = {c: None for c in cadres.columns}
            row.update(cadre_id=cid, name=f"{label} {cid}", unit_id=unit, level="staff",
                       birth_year=year + 1 - int(rng.integers(lo, hi + 1)), is_reserve=False, is_key_post=False,
                       promoted_on=None, grassroots_years=0.0)
            if "gender" in cadres.columns:
                row["gender"] = "F" if rng.random() < 0.5 else "M"
            if "field" in cadres.columns and fields:
                row["field"] = fields[int(rng.integers(len(fields)))]
            rows.append(row)
            events.hired.append(cid)
    if not rows:
        return cadres
    return pd.concat([cadres, pd.DataFrame(rows, columns=cadres.columns).astype(object)], ignore_index=True)


def refill_pool(cadres: pd.DataFrame, left: int, year: int, policy: Policy, ds: Dataset, rng: np.random.Generator,
                events: Events, scores: pd.DataFrame | None = None, exclude=frozenset()) -> pd.DataFrame:
    """simulation.pool_refill_share of the pool's leavers replaced by cadres below division level
    not in the pool (nor in `exclude`: the review's leavers of the year): the best assessed first
    (planning.pool.assess: the composite's percentile within level), then the youngest, ties drawn."""
    n = int(np.floor(left * float(policy["simulation.pool_refill_share"]) + rng.random())) if left > 0 else 0
    if n <= 0:
        return cadres
    cadres = cadres.copy()
    scores = assessment_scores(ds, year, policy) if scores is None else scores
    score = dict(zip(scores["cadre_id"], scores["normalised"].astype(float)))
    out = cadres[(cadres["level"] != "division") & ~cadres["is_reserve"].astype(bool) & ~cadres["cadre_id"].isin(exclude)]
    ties = rng.random(len(out))
    ids, births = out["cadre_id"].tolist(), out["birth_year"].tolist()  # (a frame lookup per comparison was slow)
    order = sorted(range(len(out)), key=lambda i: (-score.get(ids[i], 0.0), -int(births[i]), ties[i]))
    for i in order[:n]:
        k = out.index[i]
        cadres.at[k, "is_reserve"] = True
        if "pool_joined" in cadres.columns:
            cadres.at[k, "pool_joined"] = year + 1
        events.pool_joined.append(cadres.at[k, "cadre_id"])
    return cadres


def grow_grassroots(cadres: pd.DataFrame, ds: Dataset, record: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """+1 year for cadres of grassroots units; + the posting's days / 365 for a credited grassroots rotation."""
    units = grassroots_unit_ids(ds.units, policy)
    direction = dict(zip(ds.rotations["post_id"], ds.rotations["direction"]))
    done = record[(record["status"] == "credited") & (record["kind"] == "rotation")]
    posted = {c: float(d) / 365.0 for c, a, d in zip(done["cadre_id"], done["activity_id"], done["days"])
              if direction.get(a) == "grassroots"}
    cadres = cadres.copy()
    cadres["grassroots_years"] = [round(float(g or 0.0) + (1.0 if u in units else 0.0) + posted.get(c, 0.0), 2)
                                  for c, u, g in zip(cadres["cadre_id"], cadres["unit_id"], cadres["grassroots_years"])]
    return cadres


def online_rows(ds: Dataset, cadres: pd.DataFrame, year: int, policy: Policy, rng: np.random.Generator) -> pd.DataFrame:
    """The online table with `year`'s hours for every cadre who has none yet, drawn around the target."""
    online = ds.online.drop(columns=[ROW], errors="ignore")
    have = set(online.loc[online["year"] == year, "cadre_id"])
    mean = float(policy["requirement.online_hours"]) * float(policy["simulation.online_mean_share"])
    sd = float(policy["simulation.online_sd_hours"])
    ids = [c for c in cadres["cadre_id"] if c not in have]
    hours = np.maximum(0.0, rng.normal(mean, sd, len(ids))).round(1) if ids else []
    new = pd.DataFrame({"cadre_id": ids, "year": [year] * len(ids), "hours": [float(h) for h in hours]}, dtype=object)
    return pd.concat([online, new], ignore_index=True).astype(object)


_YEAR_MARK = re.compile(r" \(\d{4}\)$")


def renew_topics(classes: pd.DataFrame, next_year: int, policy: Policy, rng: np.random.Generator) -> pd.DataFrame:
    """Next year's classes, simulation.topic_renewal_share of them (one draw per class) with a new
    topic: "<topic> (<next_year>)" — a topic nobody has taken (an earlier year's mark replaced)."""
    share = float(policy["simulation.topic_renewal_share"])
    draws = rng.random(len(classes))
    out = classes.copy()
    topics = [f"{_YEAR_MARK.sub('', str(t))} ({next_year})" if u < share else t for t, u in zip(out["topic"], draws)]
    out["topic"] = pd.Series(topics, index=out.index, dtype=object)
    if "topic_key" in out.columns:
        out["topic_key"] = [topic_key(t) for t in topics]
    return out


def renumber(df: pd.DataFrame) -> pd.DataFrame:
    df = df.reset_index(drop=True)
    df[ROW] = pd.Series(range(2, len(df) + 2), dtype="int64")
    return df


def advance(ds: Dataset, ds_year: Dataset, record: pd.DataFrame, year: int, policy: Policy,
            rng: np.random.Generator, *, renew: bool = True) -> tuple[Dataset, Events]:
    """Next year's data set after the world moved (see the module docstring).

    `ds`: the closed data set of year + 1 (planning.inyear.close_year); `ds_year`: the data of
    `year` (its rotations tell the direction of the postings in `record`); `renew` False: next
    year's offer was given by the data (its topics are kept as given)."""
    events = Events()
    cad = ds.cadres.drop(columns=[ROW])
    headcount = cad["unit_id"].value_counts().to_dict()
    pool_before = int(cad["is_reserve"].astype(bool).sum())
    events.retired, events.departed = leavers(cad, year, policy, rng)
    gone = set(events.retired) | set(events.departed)
    lost = cad[cad["cadre_id"].isin(gone)]
    cad = cad[~cad["cadre_id"].isin(gone)].reset_index(drop=True)
    scores = assessment_scores(ds, year, policy)  # once: the review, promotions and the refill read the same
    cad = review_pool(cad, year, policy, ds, scores, events)
    cad = fill_posts(cad, lost, year, policy, ds, rng, events, scores)
    cad = hire(cad, headcount, year, policy, rng, events)
    pool_left = pool_before - int(cad["is_reserve"].astype(bool).sum())
    cad = refill_pool(cad, pool_left, year, policy, ds, rng, events, scores, exclude=set(events.pool_reviewed_out))
    cad = grow_grassroots(cad, ds_year, record, policy)
    out = ds.copy()
    out.tables["online"] = online_rows(ds, cad, year, policy, rng)
    out.tables["cadres"] = cad
    draws = renew_topics(ds.classes, year + 1, policy, rng)  # drawn either way: the same draws follow
    if renew:
        out.tables["classes"] = draws
    for name, df in out.tables.items():
        if name != "cadres" and "cadre_id" in df.columns:
            df = df[~df["cadre_id"].isin(gone)]
        out.tables[name] = renumber(df)
    out.warnings = []
    return validate_dataset(out, year + 1), events
