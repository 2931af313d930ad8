"""Interactive what-if: change seats, budget, the absence cap, weights, windowed classes or pins,
re-plan quickly from the current plan, and say what changed in a planner's words.

The recipe (the widgets in `planning.whatif_widgets` and the notebook only call it)::

    session = WhatIf.start("data/sample", 2027)          # the baseline plan (quick settings)
    change = Change(capacity=(("season", "autumn", 1.2),), budget_share=0.85)
    outcome = session.apply(change)                       # edit → quick re-plan → difference
    outcome.sentences                                     # ["34 more cadres meet the requirement ...", ...]
    session.save_scenario(change, "data/scenarios")       # YAML that compare / batch / plan accept

A change becomes a scenario (``planning.scenarios``): the same edits and policy settings that
`planning compare`, `planning batch` and `planning plan --scenario` apply, so what the meeting
saw is what those commands plan. The quick re-plan uses the policy's ``whatif.*`` settings (fewer
Lagrangian steps, no master LP, a short time limit); ``full=True`` plans with the policy as it is.
Every plan is written into the session's work folder through the pipeline, so it passes the
independent checker before anything is shown.
"""
from __future__ import annotations

import math
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from planning.data.load import Dataset, load_dataset
from planning.messages import say
from planning.pipeline import GROUPS, LEVEL_ORDER, PlanResult, filter_district, resolve_policy, run_plan
from planning.policy import Policy
from planning.scenarios import CLASS_SELECTORS, Scenario, apply_scenario, parse_scenario

CAPACITY_KEYS = ("season", "topic", "institution")
PIN_RULES = ("must", "must_not")
PRIORITY_KEYS = ("base",) + GROUPS

LANGS = ("en", "zh")

# the summary figures the difference speaks about: (key, words, kind); the words in either
# language are the messages `wi_fig_<key>` (planning.messages)
FIGURES = (
    ("requirement_met", "cadres meet the requirement", "count"),
    ("requirement_met_share", "requirement met", "share"),
    ("weighted_coverage", "weighted coverage", "share"),
    ("overdue_covered", "overdue cadres given a class", "count"),
    ("rotations_filled", "rotation slots filled", "count"),
    ("classes_running", "classes running", "count"),
    ("classes_cancelled", "classes cancelled", "count"),
    ("seats_used", "seats used", "count"),
    ("seats_offered", "seats offered", "count"),
    ("cost", "class cost (yuan)", "money"),
    ("gap", "distance from the bound", "share"),
)


@dataclass(frozen=True)
class Change:
    """What the meeting changes, on top of the data set and policy.

    capacity: (selector, value, factor) — seats of the classes whose `season` / `topic` /
        `institution` is `value`, times `factor` (1.2 = +20 %);
    budget_share: the class budget as a share of the baseline plan's cost (None = as the policy);
    absent_share: the unit absence cap, a share of the unit (None = as the policy);
    priority: (group, weight) — priority weights (`base` or a group: overdue, reserve, ...);
    windowed: False drops every class with a date window (only fixed-date classes run);
    pins: (cadre_id, activity_id, rule) with rule `must` or `must_not`;
    moves: (class_id, weeks) — a class (and its date window) moved by whole weeks, negative = earlier."""

    capacity: tuple[tuple[str, str, float], ...] = ()
    budget_share: float | None = None
    absent_share: float | None = None
    priority: tuple[tuple[str, float], ...] = ()
    windowed: bool = True
    pins: tuple[tuple[str, str, str], ...] = ()
    moves: tuple[tuple[str, int], ...] = ()

    @property
    def empty(self) -> bool:
        return self == Change()


@dataclass
class Outcome:
    """One re-plan: the plan, its difference from the baseline, and how long it took."""

    change: Change
    result: PlanResult
    figures: pd.DataFrame      # figure × (baseline, now, change)
    coverage: pd.DataFrame     # level / group × (baseline, now, change), shares met
    cadres: pd.DataFrame       # cadres who gain or lose: cadre_id, unit_id, level, before, after, classes ...
    sentences: list[str]
    seconds: float
    scenario: Scenario | None = None
    lang: str = "en"
    warm: bool = False         # re-planned starting from the plan before it

    @property
    def summary(self) -> dict:
        return self.result.summary


class WhatIfError(ValueError):
    """A change the planner cannot apply (an unknown cadre, class, selector value ...)."""


# --------------------------------------------------------------------------- change → scenario
def to_scenario(change: Change, base: PlanResult, name: str = "what-if", description: str | None = None,
                start: Scenario | None = None, lang: str = "en") -> Scenario:
    """The change as a scenario (the same edits and settings `compare` / `batch` / `plan` apply).

    The budget share is turned into yuan against the baseline plan's cost, so the file stands on
    its own. With `start` (the scenario the session began from) its settings and edits come first,
    so the file holds everything the meeting saw."""
    ds = base.data
    policy: dict[str, Any] = dict(start.policy) if start else {}
    edits: list[dict] = [dict(e) for e in start.edits] if start else []
    for key, value, factor in change.capacity:
        if key not in CAPACITY_KEYS:
            raise WhatIfError(f"capacity can be scaled by {', '.join(CAPACITY_KEYS)}, not '{key}'")
        if not (isinstance(factor, (int, float)) and math.isfinite(factor) and factor > 0):
            raise WhatIfError(f"the seat factor for {key} {value} must be a number above 0, not {factor!r}")
        if abs(factor - 1.0) > 1e-9:
            edits.append({"scale_capacity": {"select": {key: value}, "factor": round(float(factor), 4)}})
    # moves before the windowed classes go, so a moved windowed class is simply dropped
    for class_id, weeks in change.moves:
        if isinstance(weeks, bool) or not isinstance(weeks, int):
            raise WhatIfError(f"a class moves by whole weeks, not {weeks!r}")
        if weeks:
            edits.append({"move_classes": {"select": {"class_id": class_id}, "weeks": weeks}})
    if not change.windowed:
        windowed = sorted(ds.classes.loc[ds.classes["start_date"].isna(), "class_id"])
        if windowed:
            edits.append({"remove_classes": {"select": {"class_id": windowed}}})
    if change.pins:
        bad = [r for _, _, r in change.pins if r not in PIN_RULES]
        if bad:
            raise WhatIfError(f"a pin's rule is must or must_not, not '{bad[0]}'")
        edits.append({"add_pins": [{"cadre_id": c, "activity_id": a, "rule": r} for c, a, r in change.pins]})
    if change.budget_share is not None:
        if not 0 < change.budget_share <= 2:
            raise WhatIfError(f"the budget share must lie in (0, 2], not {change.budget_share!r}")
        policy["budget.total"] = int(round(change.budget_share * float(base.summary["cost"])))
    if change.absent_share is not None:
        if not 0 < change.absent_share <= 1:
            raise WhatIfError(f"the absence cap must lie in (0, 1], not {change.absent_share!r}")
        policy["absence.max_absent_share"] = round(float(change.absent_share), 4)
    for group, weight in change.priority:
        if group not in PRIORITY_KEYS:
            raise WhatIfError(f"'{group}' is not a priority weight; use {', '.join(PRIORITY_KEYS)}")
        policy[f"priority.{group}"] = float(weight)
    words = ([start.description or f"scenario {start.name}"] if start else []) + describe_change(change, base, lang)
    text = description if description is not None else say("wi_ch_join", lang).join(words) or say("wi_ch_none", lang)
    return parse_scenario({"name": name, "description": text, "policy": policy, "edits": edits}, f"what-if {name}")


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario file's text (what `load_scenario` reads back unchanged)."""
    tree: dict[str, Any] = {"name": scenario.name, "description": scenario.description}
    if scenario.policy:
        tree["policy"] = dict(scenario.policy)
    if scenario.edits:
        tree["edits"] = [dict(e) for e in scenario.edits]
    return yaml.safe_dump(tree, sort_keys=False, allow_unicode=True, width=100)


def describe_change(change: Change, base: PlanResult, lang: str = "en") -> list[str]:
    """The change in words, one line per setting."""
    out = []
    for key, value, factor in change.capacity:
        if abs(factor - 1.0) > 1e-9:
            shown = _season(value, lang) if key == "season" else value
            out.append(say("wi_ch_seats", lang, key=say(f"wi_key_{key}", lang), value=shown,
                           pct=_signed_pct(factor - 1, lang)))
    if change.budget_share is not None:
        out.append(say("wi_ch_budget", lang, share=_pct(change.budget_share, lang),
                       yuan=f"{change.budget_share * float(base.summary['cost']):,.0f}"))
    if change.absent_share is not None:
        out.append(say("wi_ch_cap", lang, share=_pct(change.absent_share, lang)))
    for group, weight in change.priority:
        out.append(say("wi_ch_weight", lang, group=group_name(group, lang), weight=f"{weight:g}"))
    if not change.windowed:
        out.append(say("wi_ch_windowed", lang))
    for c, w in change.moves:
        if w:
            out.append(say("wi_ch_later" if w > 0 else "wi_ch_earlier", lang, cls=c, n=abs(w),
                           s="s" if abs(w) != 1 else ""))
    for c, a, r in change.pins:
        out.append(say("wi_ch_must" if r == "must" else "wi_ch_must_not", lang, cadre=c, act=a))
    return out


def data_lang(ds: Dataset) -> str:
    """The data set's language from its cadres' and units' names (planning.messages.data_lang)."""
    from planning.messages import data_lang as lang_of_names

    return lang_of_names(list(ds.cadres["name"]) + list(ds.units["name"]))


def check_lang(lang: str | None, ds: Dataset) -> str:
    """The dashboard's language: as given, or the data's (Chinese names -> "zh")."""
    if lang is None or lang == "auto":
        return data_lang(ds)
    if lang not in LANGS:
        raise WhatIfError(f"the language is one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def group_name(group: str, lang: str = "en") -> str:
    """A priority group (or `base`) in words."""
    if group == "base":
        return say("wi_group_base", lang)
    if lang == "zh":
        from planning.report.labels import Labels

        return Labels("zh").code("group", group)
    return group.replace("_", " ")


def level_name(level: str, lang: str = "en") -> str:
    if lang == "zh":
        from planning.report.labels import Labels

        return Labels("zh").code("level", level)
    return level.replace("_", " ")


def _season(name: str, lang: str) -> str:
    code = f"wi_season_{name}"
    from planning.messages import MESSAGES

    return say(code, lang) if code in MESSAGES else name


# --------------------------------------------------------------------------- the session
def quick_policy(policy: Policy) -> Policy:
    """The policy for a quick re-plan: the `whatif.*` settings in place of the solver's."""
    return policy.with_overrides({
        "solver.time_limit": policy["whatif.time_limit"],
        "solver.gap": policy["whatif.gap"],
        "lagrange.iterations": policy["whatif.lagrange_iterations"],
        "lagrange.master_rounds": policy["whatif.master_rounds"],
        "lagrange.date_sweeps": policy["whatif.date_sweeps"],
        "search.passes": policy["whatif.search_passes"],
        "lagrange.repair_passes": policy["whatif.repair_passes"],
        "lns.enabled": False,  # a quick re-plan ends on counts, not on the clock
    }, "what-if quick re-plan")


@dataclass
class WhatIf:
    """A what-if session over one data set and year: the baseline plan and the latest re-plan."""

    data: Dataset
    year: int
    policy: Policy
    base: PlanResult
    workdir: Path
    current: Outcome | None = None
    runs: int = 0
    start_scenario: Scenario | None = None
    saved: set = field(default_factory=set)  # scenario files this session wrote (it may replace them)
    lang: str = "en"
    _tmp: Any = field(default=None, repr=False)

    @classmethod
    def start(cls, data: str | Path | Dataset, year: int, *, policy: Policy | str | Path | None = None,
              district: str | None = None, workdir: str | Path | None = None, full: bool = False,
              scenario: str | Path | Scenario | None = None, lang: str | None = None) -> "WhatIf":
        """Load the data and plan the baseline (quick settings unless `full`); with `scenario`, the
        baseline is that scenario's plan and every change comes on top of it. `lang` ("en" / "zh")
        is the language of the figures and sentences; None = the data's (Chinese names: "zh")."""
        from planning.scenarios import load_scenario

        pol = resolve_policy(policy)
        ds = data if isinstance(data, Dataset) else load_dataset(data, year)
        ds = filter_district(ds, district)
        lang = check_lang(lang, ds)
        sc = scenario if isinstance(scenario, Scenario) or scenario is None else load_scenario(scenario)
        base_ds, base_pol = apply_scenario(ds, sc, year, pol) if sc else (ds, pol)
        tmp = None
        if workdir is None:
            tmp = tempfile.TemporaryDirectory(prefix="whatif-")
            workdir = tmp.name
        work = Path(workdir)
        work.mkdir(parents=True, exist_ok=True)
        base = run_plan(base_ds, year, work / "baseline", policy=base_pol if full else quick_policy(base_pol),
                        scenario=sc.name if sc else "baseline")
        return cls(ds, year, pol, base, work, start_scenario=sc, lang=lang, _tmp=tmp)

    def scenario(self, change: Change, name: str = "what-if", description: str | None = None) -> Scenario:
        return to_scenario(change, self.base, name, description, self.start_scenario, self.lang)

    def apply(self, change: Change, *, full: bool = False, warm: bool = True) -> Outcome:
        """Apply the change to the data and policy, re-plan, and compare with the baseline.

        With `warm` (the default) the re-plan starts from the plan on the screen (the latest
        re-plan, else the baseline): its rows that the changed data still admits are kept as the
        starting plan and the layers improve on it (`run_plan(..., warm=)`; never worse than it
        once repaired). No change at all gives the baseline back without re-planning."""
        t = time.perf_counter()
        sc = self.scenario(change)
        if change.empty:
            self.current = compare_plans(self.base, self.base, change, self.lang)
            self.current.scenario = sc
            self.current.seconds = time.perf_counter() - t
            return self.current
        ds, pol = apply_scenario(self.data, sc, self.year, self.policy)
        self.runs += 1
        start = (self.current.result if self.current is not None else self.base) if warm else None
        res = run_plan(ds, self.year, self.workdir / "current", policy=pol if full else quick_policy(pol),
                       scenario=sc.name, warm=start)
        self.current = compare_plans(self.base, res, change, self.lang)
        self.current.scenario = sc
        self.current.warm = start is not None
        self.current.seconds = time.perf_counter() - t
        return self.current

    def save_scenario(self, change: Change, folder: str | Path, name: str, description: str | None = None,
                      *, replace: bool = False) -> Path:
        """Write the change as `<folder>/<name>.yaml` (atomically); returns the path. An existing
        file is replaced only if this session wrote it, or with `replace`: a meeting never
        overwrites a colleague's scenario by choosing the same name."""
        from planning.io import OutputError, atomic_file, check_output_file

        sc = self.scenario(change, name, description)
        out = check_output_file(Path(folder) / f"{sc.name}.yaml", [self.data], kind="scenario",
                                suffixes=(".yaml",))
        if out.exists() and not replace and out not in self.saved:
            raise OutputError(f"a scenario file {out} exists already; choose another name")
        atomic_file(out, scenario_yaml(sc))
        self.saved.add(out)
        return out

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def safe_name(text: str) -> str:
    """A scenario name from free text: letters, digits, '-' and '_' only."""
    name = re.sub(r"[^\w-]+", "-", text.strip()).strip("-_")
    return name or "what-if"


# --------------------------------------------------------------------------- the difference
def compare_plans(base: PlanResult, now: PlanResult, change: Change | None = None, lang: str = "en") -> Outcome:
    """Key figures, coverage by level and group, and the cadres who gain or lose, in words."""
    sb, sn = base.summary, now.summary
    rows = []
    for key, _, kind in FIGURES:
        b, n = sb.get(key), sn.get(key)
        d = None if b is None or n is None else n - b
        rows.append({"key": key, "figure": say(f"wi_fig_{key}", lang), "kind": kind, "baseline": b, "now": n,
                     "change": d})
    figures = pd.DataFrame(rows, dtype=object).set_index("key")

    cov_rows = []
    for part, keys in (("level", LEVEL_ORDER), ("group", GROUPS)):
        b_map, n_map = sb.get(f"met_by_{part}", {}), sn.get(f"met_by_{part}", {})
        for k in keys:
            if k in b_map or k in n_map:
                b, n = b_map.get(k), n_map.get(k)
                name = level_name(k, lang) if part == "level" else group_name(k, lang)
                cov_rows.append({"by": part, "name": name, "baseline": b, "now": n,
                                 "change": None if b is None or n is None else n - b})
    coverage = pd.DataFrame(cov_rows, columns=["by", "name", "baseline", "now", "change"])
    cadres = cadre_changes(base, now)
    if base.out_dir is not None and now.out_dir is not None:
        ab, an = absence_load(base), absence_load(now)
        for key in ("units_at_cap", "unit_days_at_cap"):
            figures.loc[key] = {"figure": say(f"wi_fig_{key}", lang), "kind": "count", "baseline": ab[key],
                                "now": an[key], "change": an[key] - ab[key]}
    sentences = difference_sentences(figures, coverage, cadres, sn, lang)
    return Outcome(change or Change(), now, figures, coverage, cadres, sentences, 0.0, lang=lang)


def absence_load(res: PlanResult) -> dict[str, int]:
    """Unit absence of a written plan (the report's own counting, `report.kpis`): units that reach
    their cap on at least one day, and unit-days at the cap."""
    from planning.report import kpis

    daily = kpis.unit_absence(kpis.read_plan_dir(res.out_dir), res.data, int(res.summary["year"]))
    caps = kpis.unit_caps(res.data, res.policy).reindex(daily.index).fillna(0)
    at_cap = daily.ge(caps, axis=0) & daily.gt(0)
    return {"units": int(len(daily)), "units_at_cap": int(at_cap.any(axis=1).sum()),
            "unit_days_at_cap": int(at_cap.to_numpy().sum())}


def weekly_absence(res: PlanResult) -> pd.DataFrame:
    """Units × weeks (columns = the Monday): the most cadres of the unit away on one day of the week."""
    from planning.report import kpis

    daily = kpis.unit_absence(kpis.read_plan_dir(res.out_dir), res.data, int(res.summary["year"]))
    return kpis.weekly_peak(daily)


def absence_difference(base: PlanResult, now: PlanResult) -> pd.DataFrame:
    """Units × weeks: the current plan's weekly absence peak minus the baseline's (+ = more away).
    Units and weeks of either plan (a unit missing from one counts 0 there); only rows that change."""
    wb, wn = weekly_absence(base), weekly_absence(now)
    units = list(dict.fromkeys(list(wb.index) + list(wn.index)))
    weeks = sorted(set(wb.columns) | set(wn.columns))
    diff = wn.reindex(index=units, columns=weeks).fillna(0) - wb.reindex(index=units, columns=weeks).fillna(0)
    diff = diff.astype(int)
    return diff[(diff != 0).any(axis=1)]


def _classes_by_cadre(res: PlanResult) -> dict[str, list[str]]:
    p = res.plan[res.plan["kind"] == "class"]
    return {c: sorted(g["activity_id"]) for c, g in p.groupby("cadre_id")}


def cadre_changes(base: PlanResult, now: PlanResult) -> pd.DataFrame:
    """Cadres whose requirement status changed: `gains` (now met) or `loses` (no longer met),
    with their name, unit (id and name), level and the classes they had and have."""
    cb = base.coverage.set_index("cadre_id")
    cn = now.coverage.set_index("cadre_id")
    both = cb.index.intersection(cn.index)
    before, after = cb.loc[both, "met"].astype(bool), cn.loc[both, "met"].astype(bool)
    moved = both[before != after]
    kb, kn = _classes_by_cadre(base), _classes_by_cadre(now)
    names = dict(zip(now.data.cadres["cadre_id"], now.data.cadres["name"]))
    units = dict(zip(now.data.units["unit_id"], now.data.units["name"]))
    unit_ids = cn.loc[moved, "unit_id"].to_numpy()
    out = pd.DataFrame({
        "cadre_id": moved,
        "name": [names.get(c, "") for c in moved],
        "unit_id": unit_ids,
        "unit_name": [units.get(u, u) for u in unit_ids],
        "level": cn.loc[moved, "level"].to_numpy(),
        "change": ["gains" if after[c] else "loses" for c in moved],
        "classes_before": [", ".join(kb.get(c, [])) for c in moved],
        "classes_now": [", ".join(kn.get(c, [])) for c in moved],
    }, columns=["cadre_id", "name", "unit_id", "unit_name", "level", "change", "classes_before", "classes_now"])
    return out.sort_values(["change", "cadre_id"], ascending=[True, True]).reset_index(drop=True)


def cadres_table(outcome: Outcome) -> pd.DataFrame:
    """The cadres who gain or lose, for display: headers, gains/loses and levels in the outcome's language."""
    lang = outcome.lang
    t = outcome.cadres.copy()
    t["change"] = t["change"].map(lambda c: say(f"wi_{c}", lang))
    t["level"] = t["level"].map(lambda v: level_name(str(v), lang))
    return t.rename(columns={c: say("wi_col_cadre_name" if c == "name" else f"wi_col_{c}", lang) for c in t.columns})


def _pct(x: float, lang: str = "en", digits: int = 0) -> str:
    return f"{x * 100:.{digits}f}{'%' if lang == 'zh' else ' %' if digits else '%'}"


def _signed_pct(x: float, lang: str = "en") -> str:
    return f"{'+' if x >= 0 else '−'}{abs(x):.0%}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def difference_sentences(figures: pd.DataFrame, coverage: pd.DataFrame, cadres: pd.DataFrame, now: dict,
                         lang: str = "en") -> list[str]:
    """The difference as a planner would say it, most important first (in `lang`)."""
    out = []
    f = figures
    zh = lang == "zh"
    share = lambda x: f"{x:.1%}"  # noqa: E731
    met_b, met_n = int(f.at["requirement_met", "baseline"]), int(f.at["requirement_met", "now"])
    d = met_n - met_b
    total = f"{now['cadres']:,}"
    if d:
        n = abs(d)
        who = ("more cadre meets" if n == 1 else "more cadres meet") if d > 0 else \
            ("fewer cadre meets" if n == 1 else "fewer cadres meet")
        who = who.split(" ", 1)[1]
        out.append(say("wi_met_more" if d > 0 else "wi_met_fewer", lang, n=f"{n:,}", who=who, b=f"{met_b:,}",
                       a=f"{met_n:,}", total=total, sb=share(f.at['requirement_met_share', 'baseline']),
                       sa=share(f.at['requirement_met_share', 'now'])))
    else:
        out.append(say("wi_met_same", lang, a=f"{met_n:,}", total=total))
    gains = int((cadres["change"] == "gains").sum()) if len(cadres) else 0
    loses = int((cadres["change"] == "loses").sum()) if len(cadres) else 0
    if gains or loses:
        out.append(say("wi_gains_loses", lang,
                       gains=f"{gains:,}" if zh else _count(gains, "cadre now meets", "cadres now meet"),
                       loses=f"{loses:,}" if zh else _count(loses, "cadre no longer meets", "cadres no longer meet")))
    od = int(f.at["overdue_covered", "change"] or 0)
    if od:
        n = f"{abs(od):,}" if zh else _count(abs(od), "overdue cadre", "overdue cadres")
        out.append(say("wi_overdue_more" if od > 0 else "wi_overdue_fewer", lang, n=n,
                       now=f"{f.at['overdue_covered', 'now']:,}", total=f"{now.get('overdue_total', 0):,}"))
    moved = coverage[coverage["change"].fillna(0).abs() >= 0.005] if len(coverage) else coverage
    if len(moved):
        worst = moved.loc[moved["change"].idxmin()]
        best = moved.loc[moved["change"].idxmax()]
        for row, code, ok in ((best, "wi_gains_most", best["change"] > 0), (worst, "wi_loses_most", worst["change"] < 0)):
            if ok:
                out.append(say(code, lang, name=row["name"], by=row["by"], b=share(row["baseline"]),
                               a=share(row["now"])))
    dc = f.at["cost", "change"]
    if dc and abs(dc) >= 1:
        out.append(say("wi_cost_rises" if dc > 0 else "wi_cost_falls", lang, d=f"{abs(dc):,.0f}",
                       now=f"{f.at['cost', 'now']:,.0f}"))
    for key, one, many in (("classes_running", "class runs", "classes run"), ("seats_used", "seat is used", "seats are used"),
                           ("rotations_filled", "rotation slot is filled", "rotation slots are filled")):
        dk = int(f.at[key, "change"] or 0)
        if dk:
            out.append(say(f"wi_{'more' if dk > 0 else 'fewer'}_{key}", lang, n=f"{abs(dk):,}",
                           what=one if abs(dk) == 1 else many, now=f"{int(f.at[key, 'now']):,}"))
    if "units_at_cap" in f.index:
        ub, un = int(f.at["units_at_cap", "baseline"]), int(f.at["units_at_cap", "now"])
        db, dn = int(f.at["unit_days_at_cap", "baseline"]), int(f.at["unit_days_at_cap", "now"])
        if (ub, db) != (un, dn):
            out.append(say("wi_absence_changed", lang, un=f"{un:,}", ub=f"{ub:,}", dn=f"{dn:,}", db=f"{db:,}"))
        else:
            out.append(say("wi_absence_same", lang, un=f"{un:,}"))
    gap = now.get("gap")
    status = now["status"]
    if zh and status in ("optimal", "feasible"):
        status = say(f"wi_status_{status}", lang)
    if gap is None:
        out.append(say("wi_plan_status", lang, status=status))
    else:
        out.append(say("wi_plan_status_gap", lang, status=status, gap=f"{gap:.2%}"))
    return out


def figures_table(outcome: Outcome) -> pd.DataFrame:
    """The key figures for display: baseline, now and the change, formatted (headers in the outcome's language)."""
    lang = outcome.lang
    rows = []
    for _, r in outcome.figures.iterrows():
        rows.append({"figure": r["figure"], "baseline": _fmt(r["baseline"], r["kind"]),
                     "now": _fmt(r["now"], r["kind"]), "change": _fmt(r["change"], r["kind"], signed=True)})
    t = pd.DataFrame(rows).set_index("figure")
    if lang != "en":
        t = t.rename(columns={c: say(f"wi_col_{c}", lang) for c in t.columns})
        t.index.name = say("wi_col_figure", lang)
    return t


def coverage_table(outcome: Outcome) -> pd.DataFrame:
    """Requirement met by level and group, baseline / now / change as percentages, in the outcome's language."""
    lang = outcome.lang
    cov = outcome.coverage.copy()
    for c in ("baseline", "now", "change"):
        cov[c] = cov[c].map(lambda v: "–" if pd.isna(v) else f"{v:.1%}")
    cov["by"] = cov["by"].map(lambda b: say(f"wi_by_{b}", lang))
    cov = cov.rename(columns={c: say(f"wi_col_{c}", lang) for c in cov.columns})
    return cov.set_index([say("wi_col_by", lang), say("wi_col_name", lang)])


def _fmt(v, kind: str, signed: bool = False) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if signed and v == 0:
        return "±0"
    sign = "+" if signed and v > 0 else ""
    if kind == "share":
        return f"{sign}{v * 100:.1f}{' pp' if signed else ' %'}"
    return f"{sign}{v:,.0f}"


# the KPI cards: (summary key, label code, kind)
CARDS = (
    ("requirement_met_share", "wi_fig_requirement_met_share", "share"),
    ("requirement_met", "wi_card_requirement_met", "count"),
    ("overdue_covered", "wi_fig_overdue_covered", "count"),
    ("cost", "wi_fig_cost", "money"),
    ("classes_running", "wi_fig_classes_running", "count"),
    ("seats_offered", "wi_fig_seats_offered", "count"),
    ("gap", "wi_fig_gap", "share"),
)


def cards_html(now: dict, base: dict | None, lang: str = "en") -> str:
    """The key figures as cards, each with its change against the baseline (HTML; each card has
    `data-key` and the value `data-value` so a browser test can wait for it)."""
    import html as _html

    cards = []
    for key, label, kind in CARDS:
        v = now.get(key)
        b = None if base is None else base.get(key)
        delta = ""
        if b is not None and v is not None:
            d = v - b
            better = d > 0 if key not in ("cost", "gap", "classes_cancelled") else d < 0
            colour = "#555" if abs(d) < 1e-12 else ("#2e7d32" if better else "#c62828")
            delta = f'<div class="kpi-delta" style="color:{colour}">{_html.escape(_fmt(d, kind, signed=True))}</div>'
        cards.append(f'<div class="kpi-card" data-key="{key}" data-value="{"" if v is None else v}" '
                     'style="display:inline-block;min-width:11em;margin:4px;padding:8px 12px;border:1px solid #ccd;'
                     'border-radius:6px;background:#f7f9fc;vertical-align:top">'
                     f'<div style="font-size:0.85em;color:#555">{_html.escape(say(label, lang))}</div>'
                     f'<div class="kpi-value" style="font-size:1.6em;font-weight:600">{_html.escape(_fmt(v, kind))}</div>'
                     f"{delta}</div>")
    return '<div class="kpi-cards">' + "".join(cards) + "</div>"


def absence_charts(base: PlanResult, outcome: Outcome) -> list:
    """The unit × week absence heatmaps of a re-plan: its difference against the baseline (only the
    units that changed), then the current plan against each unit's cap. `notebook_api.Charts` each."""
    from planning.notebook_api import Charts, _families, absence_chart, plan_view
    from planning.report import charts

    lang = outcome.lang
    view = plan_view(outcome.result, lang=lang)
    diff = absence_difference(base, outcome.result)
    if len(diff):
        labels = {u: charts.clip(view.unit_name(u), 30) for u in diff.index}
        svgs = charts.absence_difference_heatmaps(diff, labels, int(outcome.summary["year"]), view.labels,
                                                  _families(view), say("wi_heat_axis", lang))
        first = Charts(svgs, say("wi_heat_diff", lang))
    else:
        first = Charts([], say("wi_heat_same", lang))
    now = absence_chart(view)
    now.caption = say("wi_heat_now", lang)
    return [first, now]
