"""`planning batch MANIFEST [--jobs N] [--force] [--scheduler tcp://host:8786] [--list]` and
`planning batch --collect DIR [--out FILE]`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planning.batch.grid import plan_runs, run_state
from planning.batch.manifest import load_manifest
from planning.batch.runner import _write_table, collect, format_table, run_batch
from planning.batch.words import Words, batch_lang
from planning.errors import PlanningError
from planning.io import check_output_file
from planning.messages import LANGS, data_lang


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
    p.add_argument("--lang", choices=LANGS, help="language of the lines printed (default: the manifest's lang "
                   "parameter, else the data's language; with --collect: the plans' data)")
    return p


def main(argv: list[str] | None = None) -> int:
    """`planning batch ...`: 0 when every run succeeded (or was skipped), 1 when any failed,
    2 when the manifest is wrong."""
    args = parser().parse_args(argv)
    w = Words(args.lang or "en")
    try:
        if args.collect:
            table = collect(args.collect)
            w = Words(args.lang or _collected_lang(table))
            if args.out:
                check_output_file(args.out, [args.collect], kind="table", suffixes=(".csv",))
                _write_table(table, Path(args.out))
                print(w("collected", n=len(table), out=args.out))
            else:
                print(table.to_string(index=False) if len(table) else w("none_found", folder=args.collect))
            return 0
        if not args.manifest:
            print("planning batch: give a manifest (or --collect DIR)", file=sys.stderr)
            return 2
        if args.jobs is not None and args.jobs < 1:
            print("planning batch: --jobs must be at least 1", file=sys.stderr)
            return 2
        m = load_manifest(args.manifest)
        w = Words(batch_lang(m, args.lang))
        if args.list:
            for r in plan_runs(m):
                print(f"{w.state(run_state(r)):<10} {r.key}" if w.lang == "en" else f"{w.state(run_state(r))}　{r.key}")
            return 0
        result = run_batch(m, jobs=args.jobs, force=args.force, scheduler=args.scheduler,
                           progress=not args.no_progress, lang=w.lang)
    except PlanningError as e:  # a bad manifest, a refused output folder
        print(str(e), file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(w("interrupted"), file=sys.stderr)
        return 130
    print(format_table(result.table, w.lang))
    counts = result.table["status"].value_counts()
    print("\n" + w("done", n=len(result.table), ok=counts.get("ok", 0), skipped=counts.get("skipped", 0),
                   failed=result.failed, seconds=f"{result.seconds:.1f}", path=result.path))
    return 1 if result.failed else 0


def _collected_lang(table) -> str:
    """The language of collected plans: their data sets' (the `data` column of summary.json)."""
    from planning.batch.words import _names

    for d in (table["data"] if "data" in getattr(table, "columns", ()) else []):
        if isinstance(d, str) and d and Path(d).exists():
            return data_lang(_names(Path(d)))
    return "en"
