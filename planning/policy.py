"""The policy: every number that shapes a plan, as named settings with defaults.

Settings are addressed by dotted names (``requirement.annual_days``). A user's file
overrides only what it names; unknown names and values of the wrong kind are errors.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from planning.errors import PolicyError

# Settings whose value must lie in a range; (low, high, low_open)
_RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    "absence.max_absent_share": (0, 1, True),
    "requirement.leave_max_share": (0, 1, False),
    "solver.gap": (0, 1, False),
    "solver.time_limit": (0, None, True),
}
_CHOICES = {"solver.name": ("highs", "cbc")}
_NULLABLE = {"budget.total"}


def _default_tree() -> dict:
    text = resources.files("planning").joinpath("default_policy.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _flatten(tree: Mapping, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in tree.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
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
        flat = _flatten(overrides)  # nested groups and dotted names both end as dotted names
        errors: list[str] = []
        merged = dict(self._s)
        for key, value in flat.items():
            if key not in self._s:
                close = [k for k in self._s if k.split(".")[-1] == key.split(".")[-1]]
                hint = f" (did you mean {close[0]}?)" if close else ""
                errors.append(f"'{key}' is not a policy setting{hint}")
                continue
            err = _check_value(key, value, self._s[key])
            if err:
                errors.append(err)
            else:
                merged[key] = float(value) if isinstance(self._s[key], float) and isinstance(value, int) else value
        if errors:
            raise PolicyError(errors, source)
        return Policy(merged)

    # Convenience for the most used groups
    @property
    def weights(self) -> dict[str, float]:
        return {k.split(".", 1)[1]: v for k, v in self._s.items() if k.startswith("priority.")}


def _check_value(key: str, value: Any, default: Any) -> str | None:
    if value is None:
        return None if key in _NULLABLE else f"'{key}' needs a value"
    if isinstance(value, bool) and not isinstance(default, bool):
        return f"'{key}' must be a number, not {value!r}" if key in _NULLABLE or isinstance(default, (int, float)) else f"'{key}' has the wrong kind of value {value!r}"
    if key in _NULLABLE:
        if not isinstance(value, (int, float)) or value < 0:
            return f"'{key}' must be a number of at least 0, not {value!r}"
        return None
    if isinstance(default, bool):
        if not isinstance(value, bool):
            return f"'{key}' must be true or false, not {value!r}"
    elif isinstance(default, (int, float)) and default is not None:
        if not isinstance(value, (int, float)):
            return f"'{key}' must be a number, not {value!r}"
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
        import re
        if key.startswith("seasons.") and not all(re.match(r"^\d{2}-\d{2}$", v) for v in value):
            return f"'{key}' must be two month-day values like ['03-01', '06-30']"
    return None


def default_policy() -> Policy:
    return Policy(_flatten(_default_tree()))


def load_policy(path: str | Path | None = None, overrides: Mapping[str, Any] | None = None) -> Policy:
    """The default policy with the user's file (if any) and then `overrides` applied."""
    policy = default_policy()
    if path:
        p = Path(path)
        if not p.exists():
            raise PolicyError(f"the policy file {p} does not exist", str(p))
        try:
            tree = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise PolicyError(f"not valid YAML: {e}", str(p)) from None
        if not isinstance(tree, Mapping):
            raise PolicyError("the file must hold named settings (a YAML mapping)", str(p))
        policy = policy.with_overrides(tree, str(p))
    if overrides:
        policy = policy.with_overrides(overrides)
    return policy
