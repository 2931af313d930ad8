"""Executing one run of the grid: its notebook with papermill in a temporary folder beside its
target, moved into place in one rename, ``complete.json`` written last (only after a success).

An interrupted run never leaves a folder that looks complete; a failed run's folder (the
executed notebook shows the error, ``error.txt`` says it in one line) has no ``complete.json``
and runs again next time. ``run.log`` holds papermill's cell-by-cell log with the cells'
printed output (and, in a process of its own, the kernel's messages).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planning.batch.executors import error_text
from planning.batch.grid import ERROR_FILE, MARKER, Run, file_hash
from planning.io import atomic_dir

LOG_FILE = "run.log"
KERNEL = "python3"
FOLDER_MODE = 0o755
# KPIs copied from a run's summary.json into the batch table (plan_status = the solver's status)
KPI_KEYS = ("cadres", "requirement_met_share", "weighted_coverage", "overdue_covered", "overdue_total",
            "rotations_filled", "classes_running", "classes_cancelled", "cost", "gap", "solve_seconds")


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
    import papermill  # heavy (nbclient, jupyter): imported in the worker that runs a notebook

    executed = tmp / run.notebook.name
    params = {**run.parameters, "output": str(tmp)}
    started = dt.datetime.now().isoformat(timespec="seconds")
    log.info("run %s: %s with %s", run.key, run.notebook, json.dumps(params, default=str))
    error = ""
    try:
        # The kernel starts in run.cwd (nbclient's resources path), not by papermill's `cwd=`, which
        # changes the whole process's folder: runs on threads (a Dask worker) would leave it wrong.
        papermill.execute_notebook(str(run.notebook), str(executed), parameters=params,
                                   resources={"metadata": {"path": str(run.cwd)}},
                                   kernel_name=KERNEL, progress_bar=False, log_output=True,
                                   execution_timeout=run.timeout)
    except Exception as e:  # noqa: BLE001 — a failing notebook is an outcome, not a crash
        error = error_text(e)
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
