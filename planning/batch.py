"""Batch runs of the notebooks: a grid of runs from a manifest, each executed by papermill.

    planning batch batch/districts-2027.yaml [--jobs N] [--force] [--scheduler tcp://host:8786]
    planning batch --collect reports            # one table of every plan's summary.json

    from planning.batch import run_batch, collect
    result = run_batch("batch/districts-2027.yaml", jobs=2)
    result.table                                 # run, status, seconds, KPIs, error

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

The grid is notebook × years × districts × scenarios. Each run gets its own folder,
``<output>/<year>/<scenario>/<district>/`` (``all`` for the whole data set; with several
notebooks one more level, the notebook's name), holding the executed notebook, everything
the notebook wrote (its ``output`` parameter is that folder), ``run.log`` and, last of all,
``complete.json``: the run's input hashes and the size and hash of every output.

Every notebook run in batch declares, in its cell tagged ``parameters``, the run parameters
``RUN_PARAMETERS`` (data, year, policy, scenario, district, output); the batch passes those,
with absolute paths, plus the manifest's ``parameters``, each of which the notebook must
declare too (checked before anything runs).

Resuming: a run is skipped when its folder holds ``complete.json``, every output listed there
is unchanged, and the inputs have the same hashes — the notebook's cells, the data set's
files, the policy and scenario files, the parameters and the planner's version (``--force``
redoes it). A run executes in a temporary folder beside its target and is moved into place
in one rename, so an interrupted run never leaves a folder that looks complete; a failed run's
folder (the executed notebook shows the error, ``error.txt`` says it in one line) has no
``complete.json`` and runs again next time.

Parallel: a process pool (``concurrent.futures``; forked on Linux, spawned elsewhere, where a
script calling ``run_batch`` needs the ``if __name__ == "__main__":`` guard) of ``jobs``
workers, each executing one notebook at a time with papermill's Python API (each notebook
starts its own kernel, named ``python3`` in its metadata); or, with ``--scheduler`` (or
``client=``), the workers of a Dask distributed cluster, which must see the same file system
and have this package installed. A progress bar counts the runs; each run's ``run.log`` holds
papermill's cell-by-cell log with the cells' printed output (and, in a process pool, the
kernel's own messages). One failing run never stops the others; the exit code is 1 when any
run failed, 2 when the manifest itself is wrong.

``planning batch MANIFEST --list`` shows each run's state (complete, missing, changed,
incomplete, failed) without running anything; ``collect(DIR)`` / ``--collect DIR`` gathers the
summary.json of every plan under DIR into one table for comparison.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import os
import re
import sys
import threading
import time
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planning.bounded import read_yaml
from planning.errors import PlanningError
from planning.io import (atomic_dir, atomic_path, check_output_file, ensure_output_root, sweep_leftovers,
                         write_csv)

RUN_PARAMETERS = ("data", "year", "policy", "scenario", "district", "output")
MANIFEST_KEYS = ("name", "notebook", "data", "years", "districts", "scenarios", "policy", "parameters", "overrides",
                 "output", "root", "jobs", "timeout")
OVERRIDE_KEYS = ("where", "parameters", "policy", "data")
WHERE_KEYS = ("year", "district", "scenario", "notebook")
BASE = "base"
WHOLE = "all"  # the district label of a run on the whole data set
EACH = "each"
MARKER = "complete.json"
ERROR_FILE = "error.txt"
LOG_FILE = "run.log"
DEFAULT_OUTPUT = "reports"
KERNEL = "python3"
FOLDER_MODE = 0o755
# KPIs copied from a run's summary.json into the batch table (plan_status = the solver's status)
KPI_KEYS = ("cadres", "requirement_met_share", "weighted_coverage", "overdue_covered", "overdue_total",
            "rotations_filled", "classes_running", "classes_cancelled", "cost", "gap", "solve_seconds")
COUNT_KEYS = ("year", "cadres", "overdue_covered", "overdue_total", "rotations_filled", "classes_running",
              "classes_cancelled")
TABLE_COLUMNS = ("run", "notebook", "year", "scenario", "district", "status", "seconds", "plan_status", *KPI_KEYS,
                 "error", "folder")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class ManifestError(PlanningError):
    """The manifest cannot be run; carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[str] | str, source: str = "manifest"):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.source = source
        super().__init__(f"{source}: " + "\n".join(self.problems))


# --------------------------------------------------------------------------- the manifest
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


def load_manifest(manifest: str | Path | Mapping, *, root: str | Path | None = None) -> Manifest:
    """Read and check a manifest (a YAML file or an equivalent mapping); raises ManifestError
    listing every problem."""
    import yaml

    if isinstance(manifest, Mapping):
        tree, source, base = dict(manifest), "manifest", Path.cwd()
    else:
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
        base = path.parent
    if not isinstance(tree, Mapping):
        raise ManifestError("a manifest holds named settings (a YAML mapping)", source)
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

    name = str(tree.get("name") or "").strip()
    if not name:
        problems.append("'name' is missing: it names the summary table batch-<name>.csv")
    elif _UNSAFE.search(name) or name.startswith("."):
        problems.append(f"'name' {name!r} cannot be part of a file name")

    notebooks = [_path(n, root_path) for n in _as_list(tree.get("notebook"))]
    if not notebooks:
        problems.append("'notebook' is missing: the notebook (or list of notebooks) to run")
    for nb in notebooks:
        if not nb.is_file():
            problems.append(f"the notebook {nb} does not exist")
    if len({nb.stem for nb in notebooks}) < len(notebooks):
        problems.append("two notebooks have the same name; their run folders would clash")

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

    raw_d = tree.get("districts")
    districts: list[str] | None
    if raw_d is None or (isinstance(raw_d, str) and raw_d.strip().lower() == WHOLE):
        districts = None
    elif isinstance(raw_d, str) and raw_d.strip().lower() == EACH:
        districts = [EACH]
    else:
        districts = [str(d).strip() for d in _as_list(raw_d)]
        if not districts or any(not d for d in districts):
            problems.append("'districts' must list district names, or be 'each' or 'all'")
        if len(set(districts)) < len(districts):
            problems.append("'districts' names a district twice")
        bad = [d for d in districts if _UNSAFE.search(d) or d.startswith(".")]
        if bad:
            problems.append(f"district name(s) {', '.join(map(repr, bad))} cannot be folder names")

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

    policy = _path(tree["policy"], root_path) if tree.get("policy") else None
    if policy is not None and not policy.is_file():
        problems.append(f"the policy file {policy} does not exist")

    params = tree.get("parameters") or {}
    if not isinstance(params, Mapping):
        problems.append("'parameters' must map parameter names to values")
        params = {}
    params = {str(k): v for k, v in params.items()}
    problems += _run_parameter_clash(params, "parameters")

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


def _run_parameter_clash(params: Mapping, where: str) -> list[str]:
    clash = sorted(set(params) & set(RUN_PARAMETERS))
    if not clash:
        return []
    return [f"{where}: {', '.join(clash)} {'is' if len(clash) == 1 else 'are'} set by the batch grid "
            "(use the manifest's data, years, districts, scenarios and policy keys)"]


# --------------------------------------------------------------------------- the runs
@dataclass(frozen=True)
class Run:
    """One notebook execution of the grid."""

    key: str  # "2027/base/Dongcheng" — the run folder relative to the output root
    notebook: Path
    year: int
    scenario: str
    district: str  # WHOLE for the whole data set
    folder: Path
    parameters: dict[str, Any] = field(hash=False)  # everything but `output`, with absolute paths
    inputs: dict[str, Any] = field(hash=False)  # input hashes, compared when resuming
    cwd: Path = field(default=Path("."), hash=False)
    timeout: float | None = None


def declared_parameters(notebook: str | Path) -> dict[str, dict]:
    """The parameters a notebook declares in its cell tagged `parameters` (papermill's inspection)."""
    import papermill

    return dict(papermill.inspect_notebook(str(notebook)))


def check_notebook(notebook: Path, extra: set[str]) -> list[str]:
    """What keeps `notebook` from running in batch with the `extra` parameters (empty when fine)."""
    try:
        declared = set(declared_parameters(notebook))
    except Exception as e:  # noqa: BLE001 — papermill cannot read it: say why, with the rest
        return [f"{notebook}: its parameters cannot be read ({_error_text(e)}); a batch notebook names its "
                "kernel (metadata kernelspec name python3) and tags one cell 'parameters'"]
    problems = []
    missing = [p for p in RUN_PARAMETERS if p not in declared]
    if missing:
        problems.append(f"{notebook} does not declare {', '.join(missing)} in its cell tagged 'parameters'; "
                        f"every notebook run in batch declares {', '.join(RUN_PARAMETERS)}")
    unknown = sorted(extra - declared)
    if unknown:
        problems.append(f"{notebook} has no parameter {', '.join(unknown)} (it declares "
                        f"{', '.join(sorted(declared)) or 'none'})")
    return problems


def districts_of(data: Path) -> list[str]:
    """The districts named in a data set's units table, in order of first appearance."""
    from planning.data.load import read_raw

    tables, _ = read_raw(data)
    units = tables.get("units")
    if units is None or "district" not in units.columns:
        raise ManifestError(f"{data} has no units table with a district column, so 'districts: each' cannot "
                            "be expanded")
    return list(dict.fromkeys(str(d).strip() for d in units["district"] if str(d).strip()))


def _matches(where: dict[str, list[str]], values: dict[str, str]) -> bool:
    return all(values[k] in v for k, v in where.items())


def plan_runs(manifest: Manifest | str | Path | Mapping) -> list[Run]:
    """Every run of the grid (notebook × years × districts × scenarios), with its parameters and
    input hashes; checks that each notebook declares what it is passed."""
    m = manifest if isinstance(manifest, Manifest) else load_manifest(manifest)
    hashes = _HashCache()
    runs: list[Run] = []
    several = len(m.notebooks) > 1
    found: dict[Path, list[str]] = {}
    for nb in m.notebooks:
        for year in m.years:
            if m.districts == [EACH]:
                if m.data[year] not in found:
                    found[m.data[year]] = districts_of(m.data[year])
                districts = found[m.data[year]]
            else:
                districts = m.districts or [WHOLE]
            for scenario, scenario_file in m.scenarios.items():
                for district in districts:
                    values = {"year": str(year), "district": district, "scenario": scenario, "notebook": nb.stem}
                    data, policy, extra = m.data[year], m.policy, dict(m.parameters)
                    for o in m.overrides:
                        if _matches(o["where"], values):
                            extra.update(o["parameters"])
                            data, policy = o.get("data", data), o.get("policy", policy)
                    params = {"data": str(data), "year": year, "policy": None if policy is None else str(policy),
                              "scenario": None if scenario_file is None else str(scenario_file),
                              "district": None if district == WHOLE else district, **extra}
                    parts = [str(year), scenario, _safe(district)] + ([nb.stem] if several else [])
                    inputs = {"notebook": hashes.notebook(nb), "data": hashes.path(data),
                              "policy": hashes.path(policy), "scenario": hashes.path(scenario_file),
                              "parameters": _digest(json.dumps(params, sort_keys=True, default=str).encode()),
                              "planning": _planning_version()}
                    runs.append(Run("/".join(parts), nb, year, scenario, district, m.output.joinpath(*parts),
                                    params, inputs, m.root, m.timeout))
    problems: list[str] = _folder_clashes(runs, m.output)
    for nb in m.notebooks:
        passed = {k for r in runs if r.notebook == nb for k in r.parameters} - set(RUN_PARAMETERS)
        problems += check_notebook(nb, passed)
    if problems:
        raise ManifestError(problems, m.source)
    return runs


def _folder_clashes(runs: list[Run], output: Path) -> list[str]:
    """Runs that would share a folder: names that differ only in characters a folder name cannot
    hold ("East/West" and "East_West") or, on some file systems, in case."""
    seen: dict[str, Run] = {}
    problems = []
    for r in runs:
        key = r.key.casefold()
        if key in seen:
            o = seen[key]
            problems.append(f"the runs {o.district!r} ({o.scenario}, {o.year}) and {r.district!r} ({r.scenario}, "
                            f"{r.year}) would both write {output / o.key}: rename one of them")
        else:
            seen[key] = r
    return problems


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name).lstrip(".") or "_"


def _planning_version() -> str:
    import planning

    return getattr(planning, "__version__", "unknown")


# --------------------------------------------------------------------------- hashing
def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class _HashCache:
    """Hashes of the inputs, each file read once per batch."""

    def __init__(self):
        self._paths: dict[Path, str | None] = {}

    def path(self, p: Path | None) -> str | None:
        """A file's hash; a folder's = the hash of its files' names and hashes (hidden ones left out)."""
        if p is None:
            return None
        if p not in self._paths:
            if p.is_dir():
                files = sorted(f for f in p.rglob("*") if f.is_file()
                               and not any(part.startswith(".") for part in f.relative_to(p).parts))
                listing = "\n".join(f"{f.relative_to(p).as_posix()}\t{file_hash(f)}" for f in files)
                self._paths[p] = _digest(listing.encode())
            elif p.is_file():
                self._paths[p] = file_hash(p)
            else:
                self._paths[p] = "missing"
        return self._paths[p]

    def notebook(self, p: Path) -> str:
        """A notebook's hash over what runs (cell types and sources, kernel), not its outputs:
        saving the notebook after running it interactively does not make the runs stale."""
        nb = json.loads(p.read_text(encoding="utf-8"))
        cells = [(c.get("cell_type"), "".join(c.get("source", ""))) for c in nb.get("cells", [])]
        kernel = (nb.get("metadata", {}).get("kernelspec") or {}).get("name")
        return _digest(json.dumps([kernel, cells]).encode())


# --------------------------------------------------------------------------- a run's state
def read_marker(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def run_state(run: Run) -> str:
    """"complete" (skipped on resume), "missing", "failed" (the last attempt failed),
    "incomplete" (outputs missing or changed since), or "changed" (inputs changed)."""
    if not run.folder.is_dir():
        return "missing"
    marker = read_marker(run.folder)
    if marker is None:
        return "failed" if (run.folder / ERROR_FILE).exists() else "incomplete"
    for rel, meta in (marker.get("outputs") or {}).items():
        f = run.folder / rel
        if not f.is_file() or f.stat().st_size != meta.get("bytes") or file_hash(f) != meta.get("sha256"):
            return "incomplete"
    return "complete" if marker.get("inputs") == run.inputs else "changed"


# --------------------------------------------------------------------------- executing one run
@dataclass
class RunOutcome:
    key: str
    status: str  # ok | failed | skipped
    seconds: float
    folder: str
    error: str = ""
    kpis: dict[str, Any] = field(default_factory=dict)
    overhead_seconds: float | None = None  # wall time not spent in cells: kernel start, papermill, saving


class _ThreadFilter(logging.Filter):
    def __init__(self):
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread == self.thread


@contextmanager
def _papermill_log_to(path: Path, this_thread_only: bool):
    """Send papermill's log (cell by cell, with each cell's printed output) to `path`; when other
    runs share the process (threads), only this thread's records."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    if this_thread_only:
        handler.addFilter(_ThreadFilter())
    logger = logging.getLogger("papermill")
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)  # left so: runs in other threads may still be logging
    logger.addHandler(handler)
    try:
        yield logger
    finally:
        logger.removeHandler(handler)
        handler.close()


def _error_text(err: BaseException) -> str:
    """The error in one line a planner can read in the summary table: the notebook's exception
    (papermill's and nbclient's errors carry its name and value) or the batch's own."""
    ename, evalue = getattr(err, "ename", None), getattr(err, "evalue", None)
    text = f"{ename}: {evalue}" if ename else f"{type(err).__name__}: {err}"
    text = " | ".join(line.strip() for line in text.splitlines() if line.strip())
    return text if len(text) <= 400 else text[:399] + "…"


def _cell_seconds(notebook: Path) -> float | None:
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        return sum(float((c.get("metadata", {}).get("papermill") or {}).get("duration") or 0.0)
                   for c in nb.get("cells", []))
    except (OSError, ValueError):
        return None


def _outputs(folder: Path) -> dict[str, dict]:
    """Size and hash of every file a run wrote (its log aside: a log may still grow)."""
    return {f.relative_to(folder).as_posix(): {"bytes": f.stat().st_size, "sha256": file_hash(f)}
            for f in sorted(folder.rglob("*")) if f.is_file() and f.name not in (LOG_FILE, MARKER)
            and not any(part.startswith(".") for part in f.relative_to(folder).parts)}


def read_kpis(folder: Path) -> dict[str, Any]:
    """The batch table's KPIs from the summary.json a run wrote (none for notebooks that plan nothing)."""
    found = sorted(folder.rglob("summary.json"), key=lambda p: len(p.parts))
    if not found:
        return {}
    try:
        s = json.loads(found[0].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {"plan_status": s.get("status"), **{k: s.get(k) for k in KPI_KEYS}}


@contextmanager
def _stderr_to(path: Path | None):
    """Redirect this process's stderr (file descriptor 2, which the kernel inherits) to `path`,
    so the kernel's own messages land in the run's log rather than on the terminal."""
    if path is None:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.dup2(fd, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)


def execute_run(run: Run, own_process: bool = False) -> RunOutcome:
    """Execute one run's notebook with papermill into a temporary folder, then move it into
    place; `complete.json` is written only after a successful run. Never raises for a failing
    notebook: the outcome says what went wrong. `own_process`: this run has the process to
    itself (a process-pool worker), so its stderr, and the kernel's, go to the run's log too."""
    t0 = time.perf_counter()
    # planning.io.atomic_dir: a temporary sibling, moved into place whole; interrupted, it vanishes
    with atomic_dir(run.folder, kind="batch run") as tmp:
        os.chmod(tmp, FOLDER_MODE)
        with _stderr_to(tmp / LOG_FILE if own_process else None), \
                _papermill_log_to(tmp / LOG_FILE, this_thread_only=not own_process) as log:
            outcome = _execute(run, tmp, t0, log)
    outcome.kpis = read_kpis(run.folder)
    return outcome


def _execute(run: Run, tmp: Path, t0: float, log: logging.Logger) -> RunOutcome:
    import papermill

    executed = tmp / run.notebook.name
    params = {**run.parameters, "output": str(tmp)}
    started = dt.datetime.now().isoformat(timespec="seconds")
    log.info("run %s: %s with %s", run.key, run.notebook, json.dumps(params, default=str))
    error = ""
    try:
        papermill.execute_notebook(str(run.notebook), str(executed), parameters=params, cwd=str(run.cwd),
                                   kernel_name=KERNEL, progress_bar=False, log_output=True,
                                   execution_timeout=run.timeout)
    except Exception as e:  # noqa: BLE001 — a failing notebook is an outcome, not a crash
        error = _error_text(e)
        log.error("run %s failed: %s", run.key, error)
    seconds = time.perf_counter() - t0
    cells = _cell_seconds(executed)
    overhead = None if cells is None else round(max(0.0, seconds - cells), 3)
    log.info("run %s %s in %.1f s (%s s outside the cells: kernel start, papermill, saving)", run.key,
             "failed" if error else "done", seconds, overhead)
    if error:
        (tmp / ERROR_FILE).write_text(error + "\n", encoding="utf-8")
    else:
        marker = {"run": run.key, "notebook": str(run.notebook), "year": run.year, "scenario": run.scenario,
                  "district": run.district, "parameters": {**run.parameters, "output": str(run.folder)},
                  "inputs": run.inputs, "outputs": _outputs(tmp), "started": started,
                  "finished": dt.datetime.now().isoformat(timespec="seconds"), "seconds": round(seconds, 3),
                  "overhead_seconds": overhead}
        (tmp / MARKER).write_text(json.dumps(marker, indent=2, ensure_ascii=False, default=str) + "\n",
                                  encoding="utf-8")
    return RunOutcome(run.key, "failed" if error else "ok", round(seconds, 3), str(run.folder), error, {}, overhead)


# --------------------------------------------------------------------------- the batch
@dataclass
class BatchResult:
    name: str
    table: "Any"  # pandas.DataFrame with TABLE_COLUMNS
    path: Path  # the summary table written
    seconds: float

    @property
    def failed(self) -> int:
        return int((self.table["status"] == "failed").sum())

    @property
    def ok(self) -> bool:
        return self.failed == 0


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _executor(jobs: int, scheduler: str | None, client):
    """(executor, client to close): a local process pool, or the workers of a Dask cluster."""
    if client is not None:
        return client.get_executor(pure=False), None
    if scheduler:
        from distributed import Client

        own = Client(scheduler)
        return own.get_executor(pure=False), own
    return cf.ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context()), None


def _mp_context():
    """fork on Linux: workers start fast and a caller's script needs no `if __name__ == "__main__"`
    guard (the pool forks all its workers at the first submit, before the progress bar starts a
    thread); spawn elsewhere."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def run_batch(manifest: Manifest | str | Path | Mapping, *, jobs: int | None = None, force: bool = False,
              scheduler: str | None = None, client=None, progress: bool = True, echo: bool = True) -> BatchResult:
    """Run the manifest's grid: skip complete runs (unless `force`), run the rest in parallel,
    write ``<output>/batch-<name>.csv`` and return the table. `client`: a dask.distributed Client
    to run on (`scheduler`: the address of one to connect to)."""
    from tqdm import tqdm  # the text bar: tqdm.auto would need ipywidgets in a notebook

    t0 = time.perf_counter()
    m = manifest if isinstance(manifest, Manifest) else load_manifest(manifest)
    runs = plan_runs(m)
    # the output root gathers runs (resumed later): checked once, then marked as the planner's
    ensure_output_root(m.output, _manifest_inputs(m), kind="batch output")
    outcomes: dict[str, RunOutcome] = {}
    todo = []
    for r in runs:
        sweep_leftovers(r.folder)  # what a killed earlier batch left beside this run's folder
        if not force and run_state(r) == "complete":
            outcomes[r.key] = RunOutcome(r.key, "skipped", 0.0, str(r.folder), "", read_kpis(r.folder),
                                         (read_marker(r.folder) or {}).get("overhead_seconds"))
        else:
            todo.append(r)
    jobs = max(1, jobs or m.jobs or default_jobs())
    write = tqdm.write if progress else (print if echo else (lambda *_: None))
    if echo and len(outcomes):
        write(f"{len(outcomes)} of {len(runs)} runs are complete and unchanged: skipped (--force redoes them)")
    if todo:
        executor, own_client = _executor(min(jobs, len(todo)), scheduler, client)
        own_processes = isinstance(executor, cf.ProcessPoolExecutor)
        futures: dict = {}
        bar = None
        try:
            futures = {executor.submit(execute_run, r, own_processes): r for r in todo}
            bar = tqdm(total=len(todo), desc=m.name, unit="run", disable=not progress, file=sys.stderr)
            failed = 0
            for fut in cf.as_completed(futures):
                r = futures[fut]
                try:
                    out = fut.result()
                except Exception as e:  # noqa: BLE001 — the worker itself died (killed, lost, unpicklable)
                    out = RunOutcome(r.key, "failed", 0.0, str(r.folder), f"the worker failed: {_error_text(e)}")
                outcomes[r.key] = out
                failed += out.status == "failed"
                bar.update(1)
                bar.set_postfix(failed=failed)
                if echo:
                    tail = f": {out.error}" if out.error else ""
                    write(f"{out.status:<6} {r.key} ({out.seconds:.1f} s){tail}")
        except KeyboardInterrupt:
            for f in futures:
                f.cancel()
            raise
        finally:
            if bar is not None:
                bar.close()
            if isinstance(executor, cf.ProcessPoolExecutor):
                executor.shutdown(wait=True, cancel_futures=True)
            else:
                executor.shutdown(wait=False)
            if own_client is not None:
                own_client.close()
    table = _table(runs, outcomes)
    path = _write_table(table, m.output / f"batch-{m.name}.csv")
    return BatchResult(m.name, table, path, round(time.perf_counter() - t0, 3))


def _manifest_inputs(m: Manifest) -> list[Path]:
    """Everything a batch reads: it must not write over or into any of it."""
    paths = [*m.notebooks, *m.data.values(), m.policy, *m.scenarios.values()]
    paths += [o[k] for o in m.overrides for k in ("data", "policy") if o.get(k)]
    if m.source and Path(m.source).is_file():
        paths.append(Path(m.source))
    return [p for p in paths if p is not None]


def _table(runs: list[Run], outcomes: dict[str, RunOutcome]):
    import pandas as pd

    rows = []
    for r in runs:
        o = outcomes[r.key]
        rows.append({"run": r.key, "notebook": r.notebook.stem, "year": r.year, "scenario": r.scenario,
                     "district": r.district, "status": o.status, "seconds": o.seconds,
                     "plan_status": o.kpis.get("plan_status"), **{k: o.kpis.get(k) for k in KPI_KEYS},
                     "error": o.error, "folder": o.folder})
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    for c in COUNT_KEYS:  # whole numbers stay whole when a failed run has none
        table[c] = pd.to_numeric(table[c]).astype("Int64")
    return table


def _write_table(table, path: Path) -> Path:
    """The batch table, atomically and formula-safe (planning.io.write_csv)."""
    with atomic_path(path) as tmp:
        write_csv(table, tmp)
    return path


def format_table(table) -> str:
    """The batch table for a terminal: the main columns, shares as percentages."""
    cols = ["run", "status", "seconds", "plan_status", "cadres", "requirement_met_share", "overdue_covered",
            "rotations_filled", "gap", "error"]
    t = table[[c for c in cols if c in table.columns]].copy()
    t["seconds"] = t["seconds"].map(lambda v: f"{v:.1f}")
    if "requirement_met_share" in t:
        t["requirement_met_share"] = t["requirement_met_share"].map(
            lambda v: "" if v is None or v != v else f"{float(v):.1%}")
    if "gap" in t:
        t["gap"] = t["gap"].map(lambda v: "" if v is None or v != v else f"{float(v):.2%}")
    t = t.rename(columns={"requirement_met_share": "met", "plan_status": "plan"})
    return t.astype(object).where(t.notna(), "").to_string(index=False, max_colwidth=60)


# --------------------------------------------------------------------------- comparing runs
def collect(root: str | Path) -> "Any":
    """One row per plan under `root` (every summary.json), for comparing runs: the run folder
    relative to `root`, the run's grid values when a batch made it, and the summary's figures
    (met_by_level and met_by_group spread into columns, warnings counted)."""
    import pandas as pd

    root = Path(root)
    rows = []
    for path in sorted(root.rglob("summary.json")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue  # temporary folders of runs in progress
        try:
            s = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        folder = path.parent.parent if path.parent.name == "plan" else path.parent
        marker = read_marker(folder) or {}
        row = {"run": folder.relative_to(root).as_posix() if folder != root else ".",
               "notebook": Path(marker["notebook"]).stem if marker.get("notebook") else None,
               "complete": bool(marker)}
        for k, v in s.items():
            if isinstance(v, Mapping):
                row.update({f"{k}.{kk}": vv for kk, vv in v.items()})
            elif isinstance(v, list):
                row[f"{k}_count"] = len(v)
            else:
                row[k] = v
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- command line
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="planning batch", description="Run notebooks for a grid of years, districts "
                                "and scenarios (see the manifest format in planning/batch.py)")
    p.add_argument("manifest", nargs="?", help="the batch manifest (YAML)")
    p.add_argument("--jobs", "-j", type=int, help="runs at a time (default: the manifest's jobs, else the cores)")
    p.add_argument("--force", action="store_true", help="redo runs that are complete and unchanged")
    p.add_argument("--scheduler", help="address of a Dask distributed scheduler to run on (tcp://host:8786)")
    p.add_argument("--list", action="store_true", help="list the runs and their state; run nothing")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--collect", metavar="DIR", help="instead: one table of every summary.json under DIR")
    p.add_argument("--out", help="with --collect: write the table to this CSV file")
    return p


def main(argv: list[str] | None = None) -> int:
    """`planning batch ...`: 0 when every run succeeded (or was skipped), 1 when any failed,
    2 when the manifest is wrong."""
    args = parser().parse_args(argv)
    try:
        if args.collect:
            table = collect(args.collect)
            if args.out:
                check_output_file(args.out, [args.collect], kind="table", suffixes=(".csv",))
                _write_table(table, Path(args.out))
                print(f"{len(table)} plan(s) collected into {args.out}")
            else:
                print(table.to_string(index=False) if len(table) else f"no summary.json under {args.collect}")
            return 0
        if not args.manifest:
            print("planning batch: give a manifest (or --collect DIR)", file=sys.stderr)
            return 2
        if args.jobs is not None and args.jobs < 1:
            print("planning batch: --jobs must be at least 1", file=sys.stderr)
            return 2
        if args.list:
            for r in plan_runs(args.manifest):
                print(f"{run_state(r):<10} {r.key}")
            return 0
        result = run_batch(args.manifest, jobs=args.jobs, force=args.force, scheduler=args.scheduler,
                           progress=not args.no_progress)
    except PlanningError as e:  # a bad manifest, a refused output folder
        print(str(e), file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted: finished runs are kept, the others will run next time", file=sys.stderr)
        return 130
    print(format_table(result.table))
    counts = result.table["status"].value_counts()
    print(f"\n{len(result.table)} runs: {counts.get('ok', 0)} ok, {counts.get('skipped', 0)} skipped (complete and "
          f"unchanged), {result.failed} failed, in {result.seconds:.1f} s; table written to {result.path}")
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
