"""The batch: every run of the grid not yet complete, run in parallel (planning.batch.executors),
one summary table ``<output>/batch-<name>.csv``; and `collect`, one table of every plan's
summary.json under a folder, for comparing runs."""
from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm  # the text bar: tqdm.auto would need ipywidgets in a notebook

from planning.batch.executors import default_jobs, error_text, open_pool
from planning.batch.grid import Run, plan_runs, read_marker, run_state
from planning.batch.manifest import Manifest, load_manifest
from planning.batch.run import KPI_KEYS, RunOutcome, execute_run, read_kpis
from planning.batch.words import Words, batch_lang
from planning.io import atomic_path, ensure_output_root, sweep_leftovers, write_csv

COUNT_KEYS = ("year", "cadres", "overdue_covered", "overdue_total", "rotations_filled", "classes_running",
              "classes_cancelled")
TABLE_COLUMNS = ("run", "notebook", "year", "scenario", "district", "status", "seconds", "plan_status", *KPI_KEYS,
                 "error", "folder")


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


def run_batch(manifest: Manifest | str | Path | Mapping, *, jobs: int | None = None, force: bool = False,
              scheduler: str | None = None, client=None, progress: bool = True, echo: bool = True,
              lang: str | None = None) -> BatchResult:
    """Run the manifest's grid: skip complete runs (unless `force`), run the rest in parallel,
    write ``<output>/batch-<name>.csv`` and return the table. `client`: a dask.distributed Client
    to run on (`scheduler`: the address of one to connect to). `lang`: the lines' language (None:
    planning.batch.words.batch_lang)."""
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
    w = Words(batch_lang(m, lang))
    write = tqdm.write if progress else (print if echo else (lambda *_: None))
    if echo and len(outcomes):
        write(w("skipped", n=len(outcomes), total=len(runs)))
    if todo:
        with open_pool(min(jobs, len(todo)), scheduler=scheduler, client=client) as pool:
            # every run submitted before the bar starts its thread (a forked pool forks at the first submit)
            futures = pool.submit_all(execute_run, todo, pool.local)
            with tqdm(total=len(todo), desc=m.name, unit="run", disable=not progress, file=sys.stderr) as bar:
                failed = 0
                for r, out, err in pool.as_done(futures):
                    if err is not None:  # the worker itself died (killed, lost, unpicklable)
                        out = RunOutcome(r.key, "failed", 0.0, str(r.folder), f"the worker failed: {error_text(err)}")
                    outcomes[r.key] = out
                    failed += out.status == "failed"
                    bar.update(1)
                    bar.set_postfix(failed=failed)
                    if echo:
                        tail = (("：" if w.lang == "zh" else ": ") + out.error) if out.error else ""
                        write(w("run_line", status=w.state(out.status), run=r.key, seconds=f"{out.seconds:.1f}",
                                tail=tail))
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


def format_table(table, lang: str = "en") -> str:
    """The batch table for a terminal: the main columns, shares as percentages, headers and states
    in `lang`."""
    w = Words(lang)
    cols = ["run", "status", "seconds", "plan_status", "cadres", "requirement_met_share", "overdue_covered",
            "rotations_filled", "gap", "error"]
    t = table[[c for c in cols if c in table.columns]].copy()
    t["seconds"] = t["seconds"].map(lambda v: f"{v:.1f}")
    if "requirement_met_share" in t:
        t["requirement_met_share"] = t["requirement_met_share"].map(
            lambda v: "" if v is None or v != v else f"{float(v):.1%}")
    if "gap" in t:
        t["gap"] = t["gap"].map(lambda v: "" if v is None or v != v else f"{float(v):.2%}")
    for c in ("status", "plan_status"):
        if c in t:
            t[c] = t[c].map(lambda v: w.state(v) if isinstance(v, str) else v)
    t = t.rename(columns={"requirement_met_share": "met", "plan_status": "plan"})
    t = t.rename(columns={c: w.column(c) for c in t.columns})
    return t.astype(object).where(t.notna(), "").to_string(index=False, max_colwidth=60)


# --------------------------------------------------------------------------- comparing runs
def collect(root: str | Path) -> "Any":
    """One row per plan under `root` (every summary.json), for comparing runs: the run folder
    relative to `root`, the run's grid values when a batch made it, and the summary's figures
    (met_by_level and met_by_group spread into columns, warnings counted)."""
    root = Path(root)
    rows = []
    found = [p for p in sorted(root.rglob("summary.json"))
             if not any(part.startswith(".") for part in p.relative_to(root).parts)]  # not runs in progress
    runs = {(p.parent.parent if p.parent.name == "plan" else p.parent) for p in found}
    for path in found:
        folder = path.parent.parent if path.parent.name == "plan" else path.parent
        if any(up in runs for up in folder.parents):
            continue  # a plan inside a run (the notebook's re-plan section): part of that run, not a run
        try:
            s = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
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
