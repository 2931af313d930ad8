"""The policy: every number that shapes a plan, as named settings with defaults.

Settings are addressed by dotted names (``requirement.annual_days``). A user's file
overrides only what it names; unknown names and values of the wrong kind are errors.

Two kinds of settings: the planner's **rules** — what a plan must respect and what it aims for
(requirement, people, absence, rotation, budget, seasons, priority, objective, activities, and
any group not listed below) — and the **solver settings** (`SOLVER_GROUPS`: solver, lagrange,
search, timing, whatif), which say how hard and how long the planner searches. The report's
"policy in force" shows the rules only (`Policy.rules()`; `is_rule(key)`).

Renamed settings (`RENAMED`) are still read under their old name; retired ones (`RETIRED`),
which no code used, are accepted and ignored so that an older plan's policy.yaml still loads.
"""
from __future__ import annotations

import copy
import datetime as dt
import difflib
import math
import re
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from planning.bounded import read_yaml
from planning.errors import PolicyError

# Settings whose value must lie in a range; (low, high, low_open)
_RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    "absence.max_absent_share": (0, 1, True),
    "requirement.leave_max_share": (0, 1, False),
    "solver.gap": (0, 1, False),
    "solver.time_limit": (0, None, True),
    "solver.threads": (1, None, False),
    "requirement.division_years": (1, None, False),
    "requirement.general_cycle_years": (1, None, False),
    "lagrange.date_share": (0, 1, False),
    "lagrange.time_share": (0, 1, False),
    "lagrange.master_time_share": (0, 1, False),
    "lagrange.solo_time_share": (0, 1, False),
    "lagrange.heuristic_every": (1, None, False),
    "lagrange.heuristic_pairs": (1, None, False),
    "lagrange.master_rounds": (0, None, False),
    "lagrange.warm_iterations": (0, None, False),
    "lns.warm_max_neighbourhoods": (0, None, False),
    "lns.sub_gap": (0, 1, False),
    "lns.tighten_after": (0, None, False),
    "search.bundle_max_pairs": (0, None, False),
    "lagrange.rotation_start_cadres": (0, None, False),
    "replan.change_penalty": (0, None, False),
    "replan.notice_change_penalty": (0, None, False),
    "replan.notice_days": (0, 366, False),
    "lagrange.warm_master_rounds": (0, None, False),
    "lagrange.master_after": (10, None, False),
    "lagrange.master_time": (0, None, True),
    "lagrange.master_max_bundles": (0, None, False),
    "lagrange.master_points": (1, None, False),
    "lagrange.master_tol": (0, 1, False),
    "lagrange.master_large_cadres": (0, None, False),
    "search.search_share": (0, 1, False),
    "search.heuristic_share": (0, 1, False),
    "activities.max_mentees": (1, None, False),
    "activities.talks_per_day": (1, None, False),
    "activities.talk_start_hour": (0, 23, False),
    "activities.talk_minutes": (1, 600, False),
    "activities.seminar_start_hour": (0, 23, False),
    "activities.seminar_hours": (0, 12, True),
    "activities.exchange_days": (1, 20, False),
    "activities.exchange_start_hour": (0, 23, False),
    "activities.exchange_hours": (0, 12, True),
    "activities.low_rating": (1, 5, False),
    "simulation_fast.time_limit": (0, None, True),
    "simulation_fast.threads": (1, None, False),
    "simulation_full.time_limit": (0, None, True),
    "simulation_full.lns_neighbourhoods": (1, None, False),
    "simulation.attrition_division": (0, 1, False),
    "simulation.attrition_section": (0, 1, False),
    "simulation.attrition_deputy_section": (0, 1, False),
    "simulation.attrition_staff": (0, 1, False),
    "simulation.promotion_fill_share": (0, 1, False),
    "simulation.hire_share": (0, 1, False),
    "simulation.pool_refill_share": (0, 1, False),
    "simulation.withdrawal_share": (0, 1, False),
    "simulation.coverage_target": (0, 1, False),
    "simulation.topic_renewal_share": (0, 1, False),
    "simulation.retirement_age": (17, 100, False),
    "simulation.hire_age_min": (16, 100, False),
    "simulation.hire_age_max": (16, 100, False),
}
# The groups of solver settings; every other group holds the planner's rules.
SOLVER_GROUPS = ("solver", "lagrange", "search", "lns", "timing", "whatif", "simulation_fast", "simulation_full")
# rules of the other rooms (activities calendar, five-year simulation, reserve pool): rules, but not
# of the annual plan, so the annual plan's report does not list them as "the policy in force"
ROOM_GROUPS = ("activities", "simulation", "pool")
# old name -> the one name now used (the same meaning)
RENAMED = {"requirement.new_promotion_years": "people.newly_promoted_years"}
# settings no code read, accepted in a file and ignored, with why
RETIRED = {"requirement.division_months": "division-level training is counted in class hours "
                                          "(requirement.division_hours); the months alternative was never planned"}
_CHOICES = {"solver.name": ("highs", "cbc"), "activities.pairing_scope": ("unit", "district")}
_NULLABLE = {"budget.total"}


def _default_tree() -> dict:
    text = resources.files("planning").joinpath("default_policy.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _flatten(tree: Mapping, prefix: str = "") -> dict[str, Any]:
    """Nested groups and dotted names both become dotted names: {"a": {"b": 1}} and {"a.b": 1} → {"a.b": 1}."""
    out: dict[str, Any] = {}
    for k, v in tree.items():
        key = f"{prefix}{str(k).strip()}"
        if isinstance(v, Mapping):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def is_solver_setting(key: str) -> bool:
    """A setting of how the planner searches (solver, lagrange, search, timing, whatif)."""
    return key.split(".", 1)[0] in SOLVER_GROUPS


def is_rule(key: str) -> bool:
    """A setting of the planner's rules: what a plan must respect and what it aims for."""
    return not is_solver_setting(key)


def _renamed(flat: dict[str, Any], errors: list[str]) -> dict[str, Any]:
    """Old names read as their new ones (both given with different values is an error); retired ones dropped."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if key in RETIRED:
            continue
        new = RENAMED.get(key, key)
        if new in out and out[new] != value:
            errors.append(f"'{key}' is the old name of '{new}', and the two are given different values")
            continue
        if key == new or new not in out:
            out[new] = value
    return out


class Policy(Mapping):
    """Read-only named settings. ``policy["requirement.annual_days"]`` → 12."""

    def __init__(self, settings: Mapping[str, Any]):
        self._s = dict(settings)

    def __getitem__(self, key: str) -> Any:
        try:
            return self._s[key]
        except KeyError:
            raise KeyError(f"unknown policy setting '{key}'") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._s)

    def __len__(self) -> int:
        return len(self._s)

    def __repr__(self) -> str:
        return f"Policy({self._s!r})"

    def as_tree(self) -> dict:
        tree: dict = {}
        for k, v in self._s.items():
            node = tree
            *parents, leaf = k.split(".")
            for p in parents:
                node = node.setdefault(p, {})
            node[leaf] = copy.deepcopy(v)
        return tree

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.as_tree(), sort_keys=False, allow_unicode=True)

    def with_overrides(self, overrides: Mapping[str, Any], source: str = "overrides") -> "Policy":
        """A new policy with `overrides` (nested or dotted names) applied and checked."""
        if not isinstance(overrides, Mapping):
            raise PolicyError("the settings must be given as names with values (a YAML mapping)", source)
        errors: list[str] = []
        flat = _renamed(_flatten(overrides), errors)  # nested groups and dotted names both end as dotted names
        merged = dict(self._s)
        for key, value in flat.items():
            if key not in self._s:
                members = sorted(k for k in self._s if k.startswith(key + "."))
                if members and value is None:
                    continue  # an empty group ("requirement:" with nothing under it) changes nothing
                if members:
                    errors.append(f"'{key}' is a group of settings, not a setting; set one of "
                                  f"{', '.join(members)}")
                    continue
                errors.append(f"'{key}' is not a policy setting{_hint(key, self._s)}")
                continue
            err = _check_value(key, value, self._s[key])
            if err:
                errors.append(err)
            else:
                merged[key] = _coerce(value, self._s[key])
        if errors:
            raise PolicyError(errors, source)
        return Policy(merged)

    def group(self, name: str) -> dict[str, Any]:
        """The settings of one group by their short names: ``group("seasons")`` → {"spring": [...], ...}."""
        prefix = name + "."
        return {k[len(prefix):]: v for k, v in self._s.items() if k.startswith(prefix)}

    def rules(self) -> dict[str, Any]:
        """The planner's rules in force (no solver settings), in file order."""
        return {k: v for k, v in self._s.items() if is_rule(k)}

    def plan_rules(self) -> dict[str, Any]:
        """The annual plan's rules in force: the rules without the other rooms' groups (ROOM_GROUPS)."""
        return {k: v for k, v in self.rules().items() if k.split(".", 1)[0] not in ROOM_GROUPS}

    def solver_settings(self) -> dict[str, Any]:
        """How the planner searches: the solver, lagrange, search, timing and whatif groups."""
        return {k: v for k, v in self._s.items() if is_solver_setting(k)}

    # Convenience for the most used groups
    @property
    def weights(self) -> dict[str, float]:
        return self.group("priority")

    @property
    def seasons(self) -> dict[str, list[str]]:
        return self.group("seasons")


def _hint(key: str, settings: Mapping[str, Any]) -> str:
    """ " (did you mean requirement.annual_days?)" for a misspelt or misplaced name."""
    leaf = key.split(".")[-1]
    same_leaf = [k for k in settings if k.split(".")[-1] == leaf]
    close = same_leaf or difflib.get_close_matches(key, list(settings), n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def _coerce(value: Any, default: Any) -> Any:
    """Keep each setting's kind: 12.0 for a whole-number setting is 12, 1 for a share is 1.0."""
    if isinstance(default, bool) or value is None or isinstance(value, bool):
        return value
    if isinstance(default, int) and isinstance(value, float):
        return int(value)
    if isinstance(default, float) and isinstance(value, int):
        return float(value)
    return value


def _check_value(key: str, value: Any, default: Any) -> str | None:
    if value is None:
        return None if key in _NULLABLE else f"'{key}' needs a value"
    if isinstance(value, bool) and not isinstance(default, bool):
        return f"'{key}' must be a number, not {value!r}" if key in _NULLABLE or isinstance(default, (int, float)) else f"'{key}' has the wrong kind of value {value!r}"
    if key in _NULLABLE:
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            return f"'{key}' must be a number of at least 0, not {value!r}"
        return None
    if isinstance(default, bool):
        if not isinstance(value, bool):
            return f"'{key}' must be true or false, not {value!r}"
    elif isinstance(default, (int, float)) and default is not None:
        if not isinstance(value, (int, float)):
            return f"'{key}' must be a number, not {value!r}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"'{key}' must be a finite number, not {value!r}"
        if isinstance(default, int) and not isinstance(default, bool) and isinstance(value, float) and not value.is_integer():
            return f"'{key}' must be a whole number, not {value!r}"
        lo, hi, lo_open = _RANGES.get(key, (0, None, False))
        if lo is not None and (value <= lo if lo_open else value < lo):
            return f"'{key}' must be {'more than' if lo_open else 'at least'} {lo}, not {value!r}"
        if hi is not None and value > hi:
            return f"'{key}' must be at most {hi}, not {value!r}"
    elif isinstance(default, str):
        if not isinstance(value, str):
            return f"'{key}' must be text, not {value!r}"
        if key in _CHOICES and value not in _CHOICES[key]:
            return f"'{key}' must be one of {', '.join(_CHOICES[key])}, not {value!r}"
    elif isinstance(default, list):
        if not (isinstance(value, list) and len(value) == len(default) and all(isinstance(v, str) for v in value)):
            return f"'{key}' must be a list like {default!r}"
        if key.startswith("seasons."):
            try:
                lo, hi = (_month_day(v) for v in value)
            except ValueError:
                return f"'{key}' must be two month-day values like ['03-01', '06-30'], not {value!r}"
            if hi < lo:
                return f"'{key}' ends before it starts: {value!r}"
    return None


def _month_day(text: str) -> tuple[int, int]:
    """'03-01' → (3, 1); raises ValueError unless it is a real day of a (leap) year."""
    if not re.fullmatch(r"\d{2}-\d{2}", text):
        raise ValueError(text)
    month, day = int(text[:2]), int(text[3:])
    dt.date(2000, month, day)  # 2000 is a leap year, so 02-29 is allowed
    return month, day


def default_policy() -> Policy:
    return Policy(_flatten(_default_tree()))


def read_yaml_mapping(path: str | Path, what: str = "policy file") -> dict:
    """A YAML file of named settings, or a PolicyError naming the file and what is wrong."""
    p = Path(path)
    if not p.is_file():
        raise PolicyError(f"the {what} {p} does not exist", str(p))
    try:
        tree = read_yaml(p) or {}  # bounded: no alias bombs, no huge files
    except yaml.YAMLError as e:
        raise PolicyError(f"not valid YAML: {e}", str(p)) from None
    except UnicodeDecodeError as e:
        raise PolicyError(f"not UTF-8 text (byte {e.start}); save it as UTF-8", str(p)) from None
    if not isinstance(tree, Mapping):
        raise PolicyError(f"a {what} must hold named settings (a YAML mapping)", str(p))
    return dict(tree)


def load_policy(path: str | Path | None = None, overrides: Mapping[str, Any] | None = None) -> Policy:
    """The default policy with the user's file (if any) and then `overrides` applied."""
    policy = default_policy()
    if path:
        policy = policy.with_overrides(read_yaml_mapping(path), str(path))
    if overrides:
        policy = policy.with_overrides(overrides)
    return policy
