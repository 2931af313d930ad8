"""The grid of runs (notebook × years × districts × scenarios) and resuming: each run's
parameters, folder and input hashes, and its state on disk.

Each run gets its own folder, ``<output>/<year>/<scenario>/<district>/`` (``all`` for the
whole data set; with several notebooks one more level, the notebook's name). A run is
complete when its folder holds ``complete.json``, every output listed there is unchanged, and
the inputs have the same hashes — the notebook's cells, the data set's files, the policy and
scenario files, the parameters and the planner's version.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import planning
from planning.batch.executors import error_text
from planning.batch.manifest import (EACH, RUN_PARAMETERS, WHOLE, _UNSAFE, Manifest, ManifestError,
                                     load_manifest)
from planning.data.load import read_raw

MARKER = "complete.json"
ERROR_FILE = "error.txt"


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
    import papermill  # heavy (nbclient, jupyter): imported only when a batch is read

    return dict(papermill.inspect_notebook(str(notebook)))


def check_notebook(notebook: Path, extra: set[str]) -> list[str]:
    """What keeps `notebook` from running in batch with the `extra` parameters (empty when fine)."""
    try:
        declared = set(declared_parameters(notebook))
    except Exception as e:  # noqa: BLE001 — papermill cannot read it: say why, with the rest
        return [f"{notebook}: its parameters cannot be read ({error_text(e)}); a batch notebook names its "
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
