"""`planning batch MANIFEST [--jobs N] [--force] [--scheduler tcp://host:8786] [--list]` and
`planning batch --collect DIR [--out FILE]`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planning.batch.grid import plan_runs, run_state
from planning.batch.runner import _write_table, collect, format_table, run_batch
from planning.errors import PlanningError
from planning.io import check_output_file


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="planning batch", description="Run notebooks for a grid of years, districts "
                                "and scenarios (see the manifest format in planning/batch/manifest.py)")
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
