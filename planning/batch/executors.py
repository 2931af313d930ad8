"""Where independent jobs run: a local process pool or the workers of a Dask cluster.

Shared by the batch runner and anything else that runs many independent jobs (simulations).
A job is a picklable function and its arguments; the pool never stops at a failing job::

    from planning.batch.executors import open_pool

    with open_pool(jobs=4) as pool:                        # local processes (the machine's cores by default)
    # with open_pool(scheduler="tcp://host:8786") as pool: # or a Dask cluster (client=Client(...) too)
        futures = pool.submit_all(simulate_one, seeds)     # {future: item}, every job submitted first
        for seed, result, error in pool.as_done(futures):  # in the order they finish
            ...                                            # error: the exception, result None

Local: ``concurrent.futures.ProcessPoolExecutor``, forked on Linux (workers start fast and a
caller's script needs no ``if __name__ == "__main__":`` guard: the pool forks its workers at
the first submit, so submit everything before starting threads such as a progress bar),
spawned elsewhere (there the guard is needed). ``pool.local`` is True for it: each job has its
process to itself (it may redirect its own stderr).

Dask: the workers of a ``distributed`` cluster, which must see the same file system and have
this package installed. Dask is an optional extra (``pip install .[dask]``); without it,
asking for a scheduler is a clear error (exit 2).

Leaving the ``with`` block normally waits for every job; leaving it by an exception (Ctrl-C)
cancels the jobs not yet started.
"""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from planning.errors import PlanningError


class ExecutorError(PlanningError):
    """The requested executor cannot be had (Dask not installed, scheduler unreachable)."""

    exit_code = 2


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def mp_context():
    """fork on Linux (fast; no __main__ guard needed), spawn elsewhere."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def error_text(err: BaseException) -> str:
    """The error in one line a planner can read in a summary table: a notebook's exception
    (papermill's and nbclient's errors carry its name and value) or the job's own."""
    ename, evalue = getattr(err, "ename", None), getattr(err, "evalue", None)
    text = f"{ename}: {evalue}" if ename else f"{type(err).__name__}: {err}"
    text = " | ".join(line.strip() for line in text.splitlines() if line.strip())
    return text if len(text) <= 400 else text[:399] + "…"


def dask_client(scheduler: str):
    """A dask.distributed Client connected to `scheduler` (tcp://host:8786)."""
    try:
        from distributed import Client  # optional extra: planning[dask]
    except ImportError:
        raise ExecutorError("running on a Dask cluster needs the optional Dask packages: "
                            "pip install 'cadre-training-planner[dask]' (scripts/setup.sh installs them)") from None
    try:
        return Client(scheduler)
    except (OSError, TimeoutError) as e:
        raise ExecutorError(f"cannot reach the Dask scheduler {scheduler}: {e}") from None


class Pool:
    """One executor (local processes or Dask workers), the futures it was given, and how it closes."""

    def __init__(self, executor: cf.Executor, *, local: bool, own_client=None):
        self.executor = executor
        self.local = local  # a local process pool: each job has its process to itself
        self._own_client = own_client
        self._futures: list[cf.Future] = []

    def submit(self, fn: Callable, *args: Any, **kwargs: Any) -> cf.Future:
        fut = self.executor.submit(fn, *args, **kwargs)
        self._futures.append(fut)
        return fut

    def submit_all(self, fn: Callable, items: Iterable, *args: Any, **kwargs: Any) -> dict[cf.Future, Any]:
        """fn(item, *args, **kwargs) for every item; {future: item}."""
        return {self.submit(fn, item, *args, **kwargs): item for item in items}

    @staticmethod
    def as_done(futures: dict[cf.Future, Any]) -> Iterator[tuple[Any, Any, BaseException | None]]:
        """(item, result, None) or (item, None, the exception) for each job, as they finish."""
        for fut in cf.as_completed(futures):
            try:
                yield futures[fut], fut.result(), None
            except Exception as e:  # noqa: BLE001 — a failed job (or a lost worker) is an outcome
                yield futures[fut], None, e

    def close(self, cancel: bool = False) -> None:
        if cancel:
            for f in self._futures:
                f.cancel()
        if self.local:
            self.executor.shutdown(wait=True, cancel_futures=True)
        else:
            self.executor.shutdown(wait=False)
        if self._own_client is not None:
            self._own_client.close()

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(cancel=exc_type is not None)


def open_pool(jobs: int | None = None, *, scheduler: str | None = None, client=None) -> Pool:
    """A local process pool of `jobs` workers (default: the cores), or the workers of a Dask
    cluster: `client` (a dask.distributed Client, left open) or `scheduler` (an address; the
    client made for it is closed with the pool)."""
    if client is not None:
        return Pool(client.get_executor(pure=False), local=False)
    if scheduler:
        own = dask_client(scheduler)
        return Pool(own.get_executor(pure=False), local=False, own_client=own)
    return Pool(cf.ProcessPoolExecutor(max_workers=max(1, jobs or default_jobs()), mp_context=mp_context()),
                local=True)
