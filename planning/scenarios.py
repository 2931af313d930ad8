"""Scenarios: "what if" changes applied on top of the base data and policy, never to the files.

A scenario is a small YAML file::

    name: autumn-plus-20
    description: 20% more seats in every autumn class
    policy: {absence.max_absent_share: 0.15}          # any policy setting, nested or dotted
    edits:                                            # applied in order to a copy of the data set
      - scale_capacity: {select: {season: autumn}, factor: 1.2}
      - set_capacity: {select: {class_id: C2027-004}, capacity: 60}
      - remove_classes: {select: {topic: Digital government}}
      - add_classes: [{class_id: W1, title: ..., topic: ..., mode: weekend, start_date: ..., ...}]
      - set_slots: {select: {category: rural_frontline}, slots: 3}       # or factor: 1.5
      - remove_rotations: {select: {direction: higher_level}}
      - add_rotations: [{post_id: ..., direction: grassroots, start_date: ..., end_date: ..., slots: 2}]
      - add_blackouts: [{start_date: 2027-05-10, end_date: 2027-05-14, scope: region, reason: ...}]
      - remove_blackouts: {select: {reason: Two Sessions}}
      - add_pins: [{cadre_id: CD00059, activity_id: C2027-013, rule: must}]   # or must_not; replaces a pin on the pair
      - move_classes: {select: {class_id: C2027-013}, weeks: 2}        # whole weeks; negative = earlier
      - drop_low_rated: {below: 3.5, min_ratings: 10}     # remove the classes of low-rated institutions
      - shrink_low_rated: {factor: 0.5}                    # or shrink their seats (both thresholds optional)

Relative to the baseline: ``policy: {budget.share_of_baseline: 0.85}`` sets the class budget to
85 % of what the baseline plan (same data, policy and district, no scenario) spends, so that the
scenario means the same on any data set. ``planning compare`` takes the baseline's cost from its
baseline run; ``planning plan --scenario`` (and batch) plans the baseline first to learn it.

A scenario that changes nothing (no data edit takes effect and the policy stays as it was) is
applied but warned about (``ScenarioWarning``): its comparison would only show solver noise.

Low-rated institutions (drop_low_rated, shrink_low_rated) are read from the data set's
course_ratings (``planning.activities.evaluation.low_rated_institutions``): mean score below
``below`` (default activities.low_rating) with at least ``min_ratings`` ratings (default
activities.min_ratings). No low-rated institution, or none with a class in the offer, is an error.

Selectors (all given keys must match; a value may be one item or a list, compared ignoring case):
classes — ``class_id``, ``topic``, ``season`` (the policy's seasons, on ``start_date`` or, for a
windowed class, ``window_start``), ``mode``, ``institution``, ``levels`` (open to that level);
rotations — ``post_id``, ``direction``, ``category``, ``levels``, ``season``;
blackouts — ``scope``, ``reason`` (the text contains it), ``season``.
A selector that matches nothing, an unknown edit or selector, and a setting the policy does not
know are errors naming the scenario file and the edit (``edit 2 (scale_capacity)``). After the
edits the data set is validated again against the data contract.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

import pandas as pd

from planning.calendar import season_of as calendar_season_of
from planning.data.load import ROW, Dataset, topic_key, type_table
from planning.data.schema import TABLES
from planning.errors import DataError, PolicyError
from planning.data.validate import validate_dataset
from planning.policy import Policy, _flatten, read_yaml_mapping

SCENARIO_KEYS = ("name", "description", "policy", "edits", "title_zh", "description_zh")
BASE = "base"
_NAME = re.compile(r"^[^/\\.\s][^/\\]*$")  # it names a folder: no slashes, not hidden

CLASS_SELECTORS = ("class_id", "topic", "season", "mode", "institution", "levels")
ROTATION_SELECTORS = ("post_id", "direction", "category", "levels", "season")
BLACKOUT_SELECTORS = ("scope", "reason", "season")


class ScenarioError(PolicyError):
    """A scenario file that cannot be applied; the message names the file and the edit."""


class ScenarioWarning(UserWarning):
    """A scenario that applies but changes nothing in the data or the policy."""


BUDGET_SHARE = "budget.share_of_baseline"  # a scenario key, not a policy setting: resolved against the baseline


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str = ""
    policy: dict = field(default_factory=dict)
    edits: tuple = ()
    source: str = "scenario"
    budget_share: float | None = None  # budget.share_of_baseline, until resolved by with_baseline_cost
    title_zh: str = ""  # the name a Chinese handout shows (the folder keeps `name`)
    description_zh: str = ""  # the description in a Chinese handout

    def title(self, lang: str = "en") -> str:
        """The scenario's name as a handout shows it: `title_zh` in Chinese when given, else `name`."""
        return self.title_zh if lang == "zh" and self.title_zh else self.name

    def describe(self, lang: str = "en") -> str:
        """The description in `lang`: `description_zh` in Chinese when given, else `description`."""
        return self.description_zh if lang == "zh" and self.description_zh else self.description

    @property
    def needs_baseline(self) -> bool:
        return self.budget_share is not None

    def with_baseline_cost(self, cost: float) -> "Scenario":
        """This scenario with its budget set to its share of the baseline plan's cost (in yuan, rounded)."""
        if self.budget_share is None:
            return self
        pol = dict(self.policy)
        pol["budget.total"] = float(round(self.budget_share * float(cost)))
        return replace(self, policy=pol, budget_share=None)

    def apply_policy(self, base: Policy) -> Policy:
        """The base policy with this scenario's settings (a PolicyError names the file)."""
        return base.with_overrides(self.policy, f"{self.source}: policy") if self.policy else base

    def describe_edits(self) -> list[str]:
        """One line per edit, for tables and the handout."""
        return [describe_edit(e) for e in self.edits]


# --------------------------------------------------------------------------- reading
def parse_scenario(tree: Mapping, source: str = "scenario", default_name: str | None = None) -> Scenario:
    """A scenario from its YAML mapping; errors name `source`."""
    if not isinstance(tree, Mapping):
        raise ScenarioError("a scenario file must hold a YAML mapping (name, description, policy, edits)", source)
    unknown = sorted(str(k) for k in tree if k not in SCENARIO_KEYS)
    if unknown:
        raise ScenarioError(f"unknown key(s) {', '.join(unknown)}: a scenario file holds "
                            f"{', '.join(SCENARIO_KEYS)} (policy settings go under 'policy:', data changes "
                            "under 'edits:')", source)
    name = str(tree.get("name") or default_name or "").strip()
    if not name:
        raise ScenarioError("the scenario needs a name", source)
    if not _NAME.match(name):
        raise ScenarioError(f"the name {name!r} cannot be used: it becomes a folder name, so no slashes and no "
                            "leading dot (letters, digits, '-' and '_' are safest)", source)
    policy = tree.get("policy") or {}
    if not isinstance(policy, Mapping):
        raise ScenarioError("'policy:' must hold named settings (a YAML mapping)", source)
    policy = dict(policy)
    share = policy.pop(BUDGET_SHARE, None)
    if isinstance(policy.get("budget"), Mapping) and "share_of_baseline" in policy["budget"]:
        nested = dict(policy["budget"])
        share = nested.pop("share_of_baseline")
        policy["budget"] = nested
        if not nested:
            del policy["budget"]
    if share is not None:
        try:
            share = float(share)
        except (TypeError, ValueError):
            share = math.nan
        if not (0 < share <= 2):
            raise ScenarioError(f"{BUDGET_SHARE} must be a share of the baseline's cost in (0, 2], such as 0.85", source)
        if "budget.total" in policy or (isinstance(policy.get("budget"), Mapping) and "total" in policy["budget"]):
            raise ScenarioError(f"give either budget.total or {BUDGET_SHARE}, not both", source)
    edits = tree.get("edits") or []
    if not isinstance(edits, list):
        raise ScenarioError("'edits:' must be a list, one edit per item (- scale_capacity: {...})", source)
    errors = []
    for i, e in enumerate(edits, start=1):
        if not isinstance(e, Mapping) or len(e) != 1:
            errors.append(f"edit {i}: each edit is one item like '- scale_capacity: {{select: ..., factor: 1.2}}'")
            continue
        kind = next(iter(e))
        if kind not in EDITS:
            errors.append(f"edit {i}: '{kind}' is not an edit; use one of {', '.join(EDITS)}")
    if errors:
        raise ScenarioError(errors, source)
    return Scenario(name, str(tree.get("description") or "").strip(), dict(policy), tuple(dict(e) for e in edits),
                    source, share, str(tree.get("title_zh") or "").strip(), str(tree.get("description_zh") or "").strip())


def load_scenario(path: str | Path) -> Scenario:
    """A scenario file (its name defaults to the file's stem)."""
    p = Path(path)
    return parse_scenario(read_yaml_mapping(p, "scenario file"), str(p), p.stem)


# --------------------------------------------------------------------------- applying
def apply_scenario(ds: Dataset, scenario: Scenario, year: int, base_policy: Policy) -> tuple[Dataset, Policy]:
    """(edited copy of `ds`, policy) for the scenario; the input data set is left untouched.

    Raises ScenarioError / PolicyError naming the file and the edit, or ScenarioError listing the
    contract problems the edited data set has."""
    pol = scenario.apply_policy(base_policy)
    out = ds.copy()
    added: dict[tuple[str, int], str] = {}  # (table, _row) of added rows → "edit i item j"
    for i, edit in enumerate(scenario.edits, start=1):
        kind, args = next(iter(edit.items()))
        where = f"edit {i} ({kind})"
        try:
            EDITS[kind](out, args, year, pol, where, added)
        except _EditError as e:
            raise ScenarioError(f"{where}: {e}", scenario.source) from None
    if scenario.edits:
        try:
            validate_dataset(out, year)
        except DataError as e:
            lines = []
            for p in e.problems:
                item = added.get((p.table, p.row))
                lines.append(f"{item}, column {p.column}: {p.message}" if item
                             else f"after the edits, {p}")
            raise ScenarioError(lines, scenario.source) from None
    if not scenario.needs_baseline and changes_nothing(ds, out, base_policy, pol):
        warnings.warn(ScenarioWarning(f"{scenario.source}: scenario {scenario.name!r} changes nothing in the data or "
                                      "the policy (its selectors match but the values stay as they were); its plan "
                                      "is the baseline's"), stacklevel=2)
    return out, pol


def changes_nothing(before: Dataset, after: Dataset, base_policy: Policy, policy: Policy) -> bool:
    """True when the scenario left every table and every policy setting as it was."""
    if dict(base_policy) != dict(policy):
        return False
    if set(before.tables) != set(after.tables):
        return False
    return all(before.tables[t].equals(after.tables[t]) for t in before.tables)


class _EditError(Exception):
    pass


def _as_list(v) -> list:
    return list(v) if isinstance(v, (list, tuple)) else [v]


def _fold(v) -> str:
    return str(v).strip().casefold()


def _season_of(d: dt.date | None, pol: Policy) -> str | None:
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return None
    return calendar_season_of(d, pol.seasons)


def _select(df: pd.DataFrame, select, allowed: tuple[str, ...], pol: Policy, what: str) -> pd.Series:
    """Rows of `df` matching every key of `select`; errors for unknown keys and empty matches."""
    if not isinstance(select, Mapping) or not select:
        raise _EditError(f"'select:' must name at least one of {', '.join(allowed)}")
    unknown = [k for k in select if k not in allowed]
    if unknown:
        raise _EditError(f"'{unknown[0]}' is not a selector for {what}; use {', '.join(allowed)}")
    mask = pd.Series(True, index=df.index)
    for key, value in select.items():
        want = {_fold(v) for v in _as_list(value)}
        if key == "topic":
            col = df["topic_key"].map(topic_key)
            m = col.isin({topic_key(v) for v in _as_list(value)})
        elif key == "season":
            seasons = set(pol.seasons)
            bad = sorted(want - seasons)
            if bad:
                raise _EditError(f"'{bad[0]}' is not a season of the policy; use {', '.join(sorted(seasons))}")
            start = df["start_date"]
            if "window_start" in df.columns:
                start = start.where(start.notna(), df["window_start"])
            m = start.map(lambda d: _season_of(d, pol) in want)
        elif key == "levels":
            m = df["levels"].map(lambda lv: not lv or bool(want & set(lv)))
        elif key == "reason":
            m = df["reason"].map(lambda r: any(w in _fold(r or "") for w in want))
        else:
            m = df[key].map(lambda v: v is not None and _fold(v) in want)
        mask &= m.astype(bool)
    if not mask.any():
        shown = ", ".join(f"{k}: {v}" for k, v in select.items())
        raise _EditError(f"the selector {{{shown}}} matches no {what} in the data set")
    return mask


def _args(args, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Mapping:
    if not isinstance(args, Mapping):
        raise _EditError(f"give {', '.join(required)} as a mapping")
    missing = [k for k in required if k not in args]
    if missing:
        raise _EditError(f"'{missing[0]}' is missing")
    unknown = [k for k in args if k not in required + optional]
    if unknown:
        raise _EditError(f"'{unknown[0]}' is not understood here; give {', '.join(required + optional)}")
    return args


def _number(v, what: str, *, positive: bool = True, whole: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise _EditError(f"'{what}' must be a number, not {v!r}")
    if positive and v <= 0:
        raise _EditError(f"'{what}' must be more than 0, not {v!r}")
    if whole and not float(v).is_integer():
        raise _EditError(f"'{what}' must be a whole number, not {v!r}")
    return v


def _scale_capacity(ds, args, year, pol, where, added):
    a = _args(args, ("select",), ("factor", "capacity"))
    if ("factor" in a) == ("capacity" in a):
        raise _EditError("give either 'factor' (e.g. 1.2) or 'capacity' (seats), not both or neither")
    df = ds.tables["classes"]
    mask = _select(df, a["select"], CLASS_SELECTORS, pol, "class")
    if "factor" in a:
        f = _number(a["factor"], "factor")
        new = df.loc[mask, "capacity"].map(lambda c: max(1, int(math.floor(c * f + 0.5))))
    else:
        new = int(_number(a["capacity"], "capacity", whole=True))
    df.loc[mask, "capacity"] = new


def _remove(table: str, selectors: tuple[str, ...], what: str):
    def edit(ds, args, year, pol, where, added):
        a = _args(args, ("select",))
        df = ds.tables[table]
        mask = _select(df, a["select"], selectors, pol, what)
        ds.tables[table] = df[~mask].reset_index(drop=True)
        if table in ("classes", "rotations"):
            ids = set(df.loc[mask, "class_id" if table == "classes" else "post_id"])
            pins = ds.tables["pins"]
            ds.tables["pins"] = pins[~pins["activity_id"].isin(ids)].reset_index(drop=True)
    return edit


def _add(table: str):
    def edit(ds, args, year, pol, where, added):
        rows = _as_list(args)
        if not rows or not all(isinstance(r, Mapping) for r in rows):
            raise _EditError("give a list of rows, each a mapping of the table's columns")
        spec = TABLES[table]
        unknown = sorted({str(k) for r in rows for k in r} - set(spec.column_names))
        if unknown:
            raise _EditError(f"'{unknown[0]}' is not a column of {table}; use {', '.join(spec.column_names)}")
        cur = ds.tables[table]
        first = int(cur[ROW].max()) + 1 if len(cur) else 2
        first = max(first, 100_000)  # rows that are not in any file
        raw = pd.DataFrame([{c: _text(r.get(c)) for c in spec.column_names} for r in rows], dtype=object)
        raw[ROW] = range(first, first + len(rows))
        typed, problems = type_table(spec, raw)
        if problems:
            raise _EditError("; ".join(f"item {p.row - first + 1}, column {p.column}: {p.message}" for p in problems))
        for j in range(len(rows)):
            added[(table, first + j)] = f"{where} item {j + 1}"
        typed = typed[[c for c in cur.columns if c in typed.columns]]
        ds.tables[table] = pd.concat([cur, typed], ignore_index=True)
    return edit


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ";".join(str(x) for x in v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _set_slots(ds, args, year, pol, where, added):
    a = _args(args, ("select",), ("slots", "factor"))
    if ("factor" in a) == ("slots" in a):
        raise _EditError("give either 'slots' or 'factor', not both or neither")
    df = ds.tables["rotations"]
    mask = _select(df, a["select"], ROTATION_SELECTORS, pol, "rotation post")
    if "slots" in a:
        df.loc[mask, "slots"] = int(_number(a["slots"], "slots", whole=True))
    else:
        f = _number(a["factor"], "factor")
        df.loc[mask, "slots"] = df.loc[mask, "slots"].map(lambda s: max(1, int(math.floor(s * f + 0.5))))


def _move_classes(ds, args, year, pol, where, added):
    """Classes moved by whole weeks (a window moves with its class), so weekdays stay weekdays."""
    a = _args(args, ("select", "weeks"))
    weeks = a["weeks"]
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks == 0:
        raise _EditError(f"'weeks' must be a whole number of weeks other than 0 (negative moves earlier), not {weeks!r}")
    df = ds.tables["classes"]
    mask = _select(df, a["select"], CLASS_SELECTORS, pol, "class")
    step = dt.timedelta(weeks=weeks)
    for col in ("start_date", "end_date", "window_start", "window_end"):
        df.loc[mask, col] = df.loc[mask, col].map(lambda d: d + step if isinstance(d, dt.date) else d)


def _add_pins(ds, args, year, pol, where, added):
    """Pins (the planner's decisions); a pin on a pair that already has one replaces it."""
    rows = _as_list(args)
    pins = ds.tables["pins"]
    pairs = {(str(r.get("cadre_id")), str(r.get("activity_id"))) for r in rows if isinstance(r, Mapping)}
    if len(pins):
        keep = [(str(c), str(a)) not in pairs for c, a in zip(pins["cadre_id"], pins["activity_id"])]
        ds.tables["pins"] = pins[keep].reset_index(drop=True)
    _add("pins")(ds, args, year, pol, where, added)


def _low_rated_classes(ds, args, year, pol, required=()) -> tuple[Mapping, pd.Series, list[str]]:
    """(arguments, mask of the offer's classes taught by low-rated institutions, those institutions)."""
    # here, not at the top: planning.activities imports the pipeline, which imports this module
    from planning.activities.evaluation import low_rated_institutions

    a = _args(args or {}, required, ("below", "min_ratings"))
    below = _number(a["below"], "below") if "below" in a else None
    if below is not None and not 1 <= below <= 5:
        raise _EditError(f"'below' is a mean course score from 1 to 5, not {a['below']!r}")
    least = int(_number(a["min_ratings"], "min_ratings", positive=False, whole=True)) if "min_ratings" in a else None
    low = low_rated_institutions(ds, year, pol, below=below, min_ratings=least)
    if not low:
        raise _EditError(f"no institution is low-rated (mean course score below "
                         f"{below if below is not None else pol['activities.low_rating']} with at least "
                         f"{least if least is not None else pol['activities.min_ratings']} ratings in course_ratings)")
    df = ds.tables["classes"]
    folded = {_fold(x) for x in low}
    mask = pd.Series([_fold(i) in folded if i else False for i in df["institution"]], index=df.index, dtype=bool)
    if not mask.any():
        raise _EditError(f"no class of the offer is taught by the low-rated institution(s) {', '.join(low)}")
    return a, mask, low


def _drop_low_rated(ds, args, year, pol, where, added):
    """Remove the classes of low-rated institutions (and pins on them)."""
    _, mask, _ = _low_rated_classes(ds, args, year, pol)
    df = ds.tables["classes"]
    ids = set(df.loc[mask, "class_id"])
    ds.tables["classes"] = df[~mask].reset_index(drop=True)
    pins = ds.tables["pins"]
    ds.tables["pins"] = pins[~pins["activity_id"].isin(ids)].reset_index(drop=True)


def _shrink_low_rated(ds, args, year, pol, where, added):
    """Scale the seats of low-rated institutions' classes by `factor` (at least 1 seat; min_size follows)."""
    a, mask, _ = _low_rated_classes(ds, args, year, pol, required=("factor",))
    f = _number(a["factor"], "factor")
    df = ds.tables["classes"]
    df.loc[mask, "capacity"] = df.loc[mask, "capacity"].map(lambda c: max(1, int(math.floor(c * f + 0.5))))
    df.loc[mask, "min_size"] = [None if m is None or pd.isna(m) else min(int(m), int(c))
                                for m, c in zip(df.loc[mask, "min_size"], df.loc[mask, "capacity"])]


EDITS = {
    "scale_capacity": _scale_capacity,
    "set_capacity": lambda ds, a, y, p, w, ad: _scale_capacity(ds, a, y, p, w, ad),
    "remove_classes": _remove("classes", CLASS_SELECTORS, "class"),
    "add_classes": _add("classes"),
    "set_slots": _set_slots,
    "remove_rotations": _remove("rotations", ROTATION_SELECTORS, "rotation post"),
    "add_rotations": _add("rotations"),
    "add_blackouts": _add("blackouts"),
    "remove_blackouts": _remove("blackouts", BLACKOUT_SELECTORS, "blackout"),
    "add_pins": _add_pins,
    "move_classes": _move_classes,
    "drop_low_rated": _drop_low_rated,
    "shrink_low_rated": _shrink_low_rated,
}


def describe_edit(edit: Mapping) -> str:
    kind, args = next(iter(edit.items()))
    if isinstance(args, Mapping):
        sel = args.get("select")
        rest = {k: v for k, v in args.items() if k != "select"}
        parts = []
        if sel:
            parts.append("where " + ", ".join(f"{k} = {v}" for k, v in sel.items()))
        parts += [f"{k} {v}" for k, v in rest.items()]
        return f"{kind.replace('_', ' ')}: " + "; ".join(parts) if parts else kind.replace("_", " ")
    if args is None:
        return kind.replace("_", " ")
    n = len(_as_list(args))
    return f"{kind.replace('_', ' ')}: {n} row(s)"


def describe_policy(policy: Mapping) -> list[str]:
    return [f"{k} = {v}" for k, v in _flatten(policy).items()]
