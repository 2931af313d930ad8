"""Batch runs of the notebooks: a grid of runs from a manifest, each executed by papermill.

    planning batch batch/districts-2027.yaml [--jobs N] [--force] [--scheduler tcp://host:8786]
    planning batch --collect reports            # one table of every plan's summary.json

    from planning.batch import run_batch, collect
    result = run_batch("batch/districts-2027.yaml", jobs=2)
    result.table                                 # run, status, seconds, KPIs, error

The manifest format is in planning/batch/manifest.py.

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

The rooms: `manifest` (reading and checking the manifest), `grid` (the runs, their input
hashes, each run's state: resuming), `run` (executing one run), `executors` (a local process
pool or a Dask cluster; shared with anything else that runs independent jobs), `runner`
(`run_batch`, the summary table, `collect`) and `cli` (`planning batch`).
"""

from __future__ import annotations

from planning.batch.executors import ExecutorError, Pool, default_jobs, error_text, open_pool
from planning.batch.grid import (ERROR_FILE, MARKER, Run, check_notebook, declared_parameters, districts_of,
                                 file_hash, plan_runs, read_marker, run_state)
from planning.batch.manifest import (BASE, EACH, RUN_PARAMETERS, WHOLE, Manifest, ManifestError, find_root,
                                     load_manifest)
from planning.batch.run import KERNEL, KPI_KEYS, LOG_FILE, RunOutcome, _outputs, execute_run, read_kpis
from planning.batch.runner import TABLE_COLUMNS, BatchResult, collect, format_table, run_batch
from planning.batch.cli import main, parser

__all__ = ["BASE", "EACH", "ERROR_FILE", "KERNEL", "KPI_KEYS", "LOG_FILE", "MARKER", "RUN_PARAMETERS",
           "TABLE_COLUMNS", "WHOLE", "BatchResult", "ExecutorError", "Manifest", "ManifestError", "Pool", "Run",
           "RunOutcome", "check_notebook", "collect", "declared_parameters", "default_jobs", "districts_of",
           "error_text", "execute_run", "file_hash", "find_root", "format_table", "load_manifest", "main",
           "open_pool", "parser", "plan_runs", "read_kpis", "read_marker", "run_batch", "run_state"]
