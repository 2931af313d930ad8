"""The batch manifest: what to run, read and checked before anything runs.

The manifest (YAML); relative paths are read from `root`::

    name: districts-2027                    # required: the summary is written to <output>/batch-<name>.csv
    notebook: notebooks/annual_plan.ipynb   # required: one notebook or a list of notebooks
    data: data/sample                       # required: one data set for every year,
                                            #   or one per year {2027: data/sample, 2028: data/sample-2028},
                                            #   or a pattern "data/{year}"
    years: [2027, 2028]                     # required: one year or a list
    districts: [Dongcheng, Xicheng]         # optional: a list of districts (each run plans one district);
                                            #   "each" = every district of the data set, one run each;
                                            #   "all" or omitted = one run on the whole data set
    scenarios: [base]                       # optional: "base" (no scenario file, the default) and/or scenario
                                            #   files (named by their stem), or {name: file, base: null}
    policy: policies/county.yaml            # optional: a policy file for every run
    parameters: {time_limit: 30}            # optional: further notebook parameters for every run
    overrides:                              # optional: for the runs that match `where` (year, district,
      - where: {year: 2028, district: Xicheng}   # scenario, notebook; a value or a list), later entries win
        parameters: {time_limit: 60}        #   any of: parameters, policy, data
    output: reports                         # optional: where the run folders go (default reports)
    root: .                                 # optional: the folder relative paths are read from, itself relative
                                            #   to the manifest (default: the nearest folder at or above the
                                            #   manifest holding pyproject.toml, else the manifest's folder)
    jobs: 4                                 # optional: runs at a time (default: the machine's cores; --jobs wins)
    timeout: 1800                           # optional: seconds a single notebook cell may run
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from planning.bounded import read_yaml
from planning.errors import PlanningError

RUN_PARAMETERS = ("data", "year", "policy", "scenario", "district", "output")
MANIFEST_KEYS = ("name", "notebook", "data", "years", "districts", "scenarios", "policy", "parameters", "overrides",
                 "output", "root", "jobs", "timeout")
OVERRIDE_KEYS = ("where", "parameters", "policy", "data")
WHERE_KEYS = ("year", "district", "scenario", "notebook")
BASE = "base"
WHOLE = "all"  # the district label of a run on the whole data set
EACH = "each"
DEFAULT_OUTPUT = "reports"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class ManifestError(PlanningError):
    """The manifest cannot be run; carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[str] | str, source: str = "manifest"):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.source = source
        super().__init__(f"{source}: " + "\n".join(self.problems))


@dataclass
class Manifest:
    name: str
    notebooks: list[Path]
    data: dict[int, Path]
    years: list[int]
    districts: list[str] | None  # None: the whole data set; ["each"] expands per year
    scenarios: dict[str, Path | None]
    policy: Path | None
    parameters: dict[str, Any]
    overrides: list[dict[str, Any]]
    output: Path
    root: Path
    jobs: int | None = None
    timeout: float | None = None
    source: str = "manifest"


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding pyproject.toml, else `start`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return start


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _path(value, root: Path) -> Path:
    p = Path(str(value)).expanduser()
    return p if p.is_absolute() else (root / p)


def _read_tree(manifest: str | Path | Mapping) -> tuple[dict, str, Path]:
    """(the manifest's settings, its name for messages, the folder it was read from)."""
    if isinstance(manifest, Mapping):
        return dict(manifest), "manifest", Path.cwd()
    path = Path(manifest)
    source = str(path)
    if not path.is_file():
        raise ManifestError(f"the manifest {path} does not exist", source)
    try:
        tree = read_yaml(path) or {}  # bounded: no alias bombs, no huge files
    except yaml.YAMLError as e:
        raise ManifestError(f"not valid YAML: {e}", source) from None
    except UnicodeDecodeError as e:
        raise ManifestError(f"not UTF-8 text (byte {e.start}); save it as UTF-8", source) from None
    if not isinstance(tree, Mapping):
        raise ManifestError("a manifest holds named settings (a YAML mapping)", source)
    return tree, source, path.parent


def load_manifest(manifest: str | Path | Mapping, *, root: str | Path | None = None) -> Manifest:
    """Read and check a manifest (a YAML file or an equivalent mapping); raises ManifestError
    listing every problem."""
    tree, source, base = _read_tree(manifest)
    problems: list[str] = []
    unknown = sorted(set(map(str, tree)) - set(MANIFEST_KEYS))
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)}; a manifest may hold {', '.join(MANIFEST_KEYS)}")
    if root is not None:
        root_path = Path(root).resolve()
    elif tree.get("root") is not None:
        root_path = _path(tree["root"], base.resolve()).resolve()
    else:
        root_path = find_root(base)

    name = _name(tree, problems)
    notebooks = _notebooks(tree, root_path, problems)
    years = _years(tree, problems)
    data = _data(tree, years, root_path, problems)
    districts = _districts(tree, problems)
    scenarios = _scenarios(tree, root_path, problems)
    policy = _path(tree["policy"], root_path) if tree.get("policy") else None
    if policy is not None and not policy.is_file():
        problems.append(f"the policy file {policy} does not exist")
    params = tree.get("parameters") or {}
    if not isinstance(params, Mapping):
        problems.append("'parameters' must map parameter names to values")
        params = {}
    params = {str(k): v for k, v in params.items()}
    problems += _run_parameter_clash(params, "parameters")
    overrides = _overrides(tree, root_path, problems)
    jobs = tree.get("jobs")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        problems.append(f"'jobs' must be a whole number of at least 1, not {jobs!r}")
        jobs = None
    timeout = tree.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        problems.append(f"'timeout' must be a number of seconds, not {timeout!r}")
        timeout = None
    if problems:
        raise ManifestError(problems, source)
    output = _path(tree.get("output") or DEFAULT_OUTPUT, root_path)
    return Manifest(name=name, notebooks=[n.resolve() for n in notebooks], data=data, years=years,
                    districts=districts, scenarios=scenarios, policy=policy, parameters=params, overrides=overrides,
                    output=output.resolve(), root=root_path, jobs=jobs, timeout=timeout, source=source)


def _name(tree: Mapping, problems: list[str]) -> str:
    name = str(tree.get("name") or "").strip()
    if not name:
        problems.append("'name' is missing: it names the summary table batch-<name>.csv")
    elif _UNSAFE.search(name) or name.startswith("."):
        problems.append(f"'name' {name!r} cannot be part of a file name")
    return name


def _notebooks(tree: Mapping, root_path: Path, problems: list[str]) -> list[Path]:
    notebooks = [_path(n, root_path) for n in _as_list(tree.get("notebook"))]
    if not notebooks:
        problems.append("'notebook' is missing: the notebook (or list of notebooks) to run")
    for nb in notebooks:
        if not nb.is_file():
            problems.append(f"the notebook {nb} does not exist")
    if len({nb.stem for nb in notebooks}) < len(notebooks):
        problems.append("two notebooks have the same name; their run folders would clash")
    return notebooks


def _years(tree: Mapping, problems: list[str]) -> list[int]:
    years: list[int] = []
    for y in _as_list(tree.get("years")):
        try:
            if isinstance(y, bool) or float(y) != int(y):
                raise ValueError
            years.append(int(y))
        except (TypeError, ValueError):
            problems.append(f"'years' must list whole years, not {y!r}")
    if not _as_list(tree.get("years")):
        problems.append("'years' is missing: one year or a list of years")
    if len(set(years)) < len(years):
        problems.append("'years' names a year twice")
    return years


def _data(tree: Mapping, years: list[int], root_path: Path, problems: list[str]) -> dict[int, Path]:
    data: dict[int, Path] = {}
    raw = tree.get("data")
    if raw is None:
        problems.append("'data' is missing: a data set, or one per year")
    elif isinstance(raw, Mapping):
        by_year = {}
        for k, v in raw.items():
            try:
                by_year[int(k)] = v
            except (TypeError, ValueError):
                problems.append(f"'data' maps years to data sets; {k!r} is not a year")
        for y in years:
            if y not in by_year:
                problems.append(f"'data' names no data set for {y}")
            else:
                data[y] = _path(by_year[y], root_path)
    else:
        for y in years:
            data[y] = _path(str(raw).replace("{year}", str(y)), root_path)
    for y, p in data.items():
        if not p.exists():
            problems.append(f"the data set for {y}, {p}, does not exist")
    return data


def _districts(tree: Mapping, problems: list[str]) -> list[str] | None:
    raw_d = tree.get("districts")
    if raw_d is None or (isinstance(raw_d, str) and raw_d.strip().lower() == WHOLE):
        return None
    if isinstance(raw_d, str) and raw_d.strip().lower() == EACH:
        return [EACH]
    districts = [str(d).strip() for d in _as_list(raw_d)]
    if not districts or any(not d for d in districts):
        problems.append("'districts' must list district names, or be 'each' or 'all'")
    if len(set(districts)) < len(districts):
        problems.append("'districts' names a district twice")
    bad = [d for d in districts if _UNSAFE.search(d) or d.startswith(".")]
    if bad:
        problems.append(f"district name(s) {', '.join(map(repr, bad))} cannot be folder names")
    return districts


def _scenarios(tree: Mapping, root_path: Path, problems: list[str]) -> dict[str, Path | None]:
    scenarios: dict[str, Path | None] = {}
    raw_s = tree.get("scenarios")
    items = list(raw_s.items()) if isinstance(raw_s, Mapping) else [
        (s, s) for s in _as_list(raw_s if raw_s is not None else [BASE])]
    for key, value in items:
        sname, spath = str(key).strip(), None
        if value is not None and str(value).strip().lower() != BASE:
            spath = _path(value, root_path)
            if not isinstance(raw_s, Mapping):
                sname = spath.stem
            if not spath.is_file():
                problems.append(f"the scenario file {spath} does not exist")
        if not sname or _UNSAFE.search(sname) or sname.startswith("."):
            problems.append(f"scenario name {sname!r} cannot be a folder name")
        if sname in scenarios:
            problems.append(f"two scenarios are called {sname!r}")
        scenarios[sname] = spath
    return scenarios


def _overrides(tree: Mapping, root_path: Path, problems: list[str]) -> list[dict[str, Any]]:
    overrides = []
    for i, o in enumerate(_as_list(tree.get("overrides")), 1):
        where = f"overrides entry {i}"
        if not isinstance(o, Mapping):
            problems.append(f"{where} must hold 'where' and what to change")
            continue
        bad = sorted(set(map(str, o)) - set(OVERRIDE_KEYS))
        if bad:
            problems.append(f"{where}: unknown key(s) {', '.join(bad)}; it may hold {', '.join(OVERRIDE_KEYS)}")
        cond = o.get("where") or {}
        if not isinstance(cond, Mapping) or not cond:
            problems.append(f"{where}: 'where' must name the runs it applies to ({', '.join(WHERE_KEYS)})")
            cond = {}
        bad = sorted(set(map(str, cond)) - set(WHERE_KEYS))
        if bad:
            problems.append(f"{where}: 'where' may use {', '.join(WHERE_KEYS)}, not {', '.join(bad)}")
        op = o.get("parameters") or {}
        if not isinstance(op, Mapping):
            problems.append(f"{where}: 'parameters' must map parameter names to values")
            op = {}
        problems += _run_parameter_clash(op, f"{where}: parameters")
        entry = {"where": {str(k): [str(v) for v in _as_list(val)] for k, val in cond.items()},
                 "parameters": {str(k): v for k, v in op.items()}}
        for key in ("policy", "data"):
            if o.get(key):
                entry[key] = _path(o[key], root_path)
                if not entry[key].exists():
                    problems.append(f"{where}: the {key} {entry[key]} does not exist")
        overrides.append(entry)
    return overrides


def _run_parameter_clash(params: Mapping, where: str) -> list[str]:
    clash = sorted(set(params) & set(RUN_PARAMETERS))
    if not clash:
        return []
    return [f"{where}: {', '.join(clash)} {'is' if len(clash) == 1 else 'are'} set by the batch grid "
            "(use the manifest's data, years, districts, scenarios and policy keys)"]

