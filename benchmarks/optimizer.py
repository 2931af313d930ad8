"""The optimizer against a previous version of itself, on the counties of issue 21.

Each county is planned by the whole command (`planning plan DATA --year 2027 --time-limit T`,
load to checked plan folder, in its own process under /usr/bin/time -v), first by the previous
version (a `git worktree` of `--old`, default the commit main had at the start of the 2026-12-04
session, which already had the large-neighbourhood search), then by this one. Prints per county
and version: wall seconds of the whole command, peak memory, objective, proven bound and gap,
requirement met, the search's sub-MIPs and the machine's load; then the ratios new ÷ old of the
objective and of the bound (the ratios are far less sensitive to the load than the seconds).

    nice .venv/bin/python benchmarks/optimizer.py                                   # adv800, sample1500, std1000
    nice .venv/bin/python benchmarks/optimizer.py --counties std6000 --json six.json
    nice .venv/bin/python benchmarks/optimizer.py --counties g20000 --time-limit 300 --no-old

Counties: adv800 (`planning generate --size 800 --profile adversarial --seed 7`), sample1500
(data/sample), std1000 (1,000 cadres, no windows: fixed dates), std6000 (6,000 cadres), g20000
(`planning generate --size 20000 --seed 7`). `--no-old` runs this version only; `--lns-off`
adds a run of this version with `lns.enabled: false` (the layers before the search).
Both versions compile their numba kernels on a tiny data set first, outside the measurement.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OLD = "9fc280e"  # main at 07:36 UTC on 2026-12-04: the large-neighbourhood search of the session before
COUNTIES = {
    "adv800": dict(size=800, profile="adversarial", seed=7),
    "sample1500": None,
    "std1000": dict(size=1000, seed=7, windowed_share=0.0),
    "std6000": dict(size=6000, seed=7),
    "g20000": dict(size=20000, seed=7),
}
RUN = ("import sys, pathlib, planning; print('PLANNING_ROOT', pathlib.Path(planning.__file__).resolve().parents[1]); "
       "from planning.cli import main; sys.exit(main())")


def county(name: str, tmp: Path) -> Path:
    from planning.data.generate import generate, write_dataset

    spec = COUNTIES[name]
    if spec is None:
        return ROOT / "data" / "sample"
    folder = tmp / name
    if not folder.exists():
        write_dataset(generate(**spec), folder)
    return folder


def old_tree(ref: str, tmp: Path) -> Path:
    """A worktree of `ref` (detached), made once."""
    path = tmp / f"old-{ref}"
    if not path.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), ref], check=True,
                       stdout=subprocess.DEVNULL)
    return path


def plan(root: Path, data: Path, out: Path, time_limit: float, policy: Path | None = None) -> dict:
    """`planning plan` of the package at `root`, under /usr/bin/time -v: the summary and the process figures."""
    cmd = ["/usr/bin/time", "-v", sys.executable, "-c", RUN, "plan", str(data), "--year", "2027", "--out", str(out),
           "--time-limit", f"{time_limit:g}"] + (["--policy", str(policy)] if policy else [])
    load = os.getloadavg()[0]
    # cwd = the version's own tree: `python -c` puts the working folder first on sys.path, before
    # PYTHONPATH, so run from elsewhere it would import whatever package lies there
    p = subprocess.run(cmd, env={**os.environ, "PYTHONPATH": str(root)}, cwd=str(root), capture_output=True, text=True)
    if f"PLANNING_ROOT {root}" not in p.stdout:
        raise SystemExit(f"{root}: the run imported another planning package:\n{p.stdout[-2000:]}")
    if p.returncode != 0:
        raise SystemExit(f"{root}: planning plan failed ({p.returncode}):\n{p.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", p.stderr)
    h, m, s = (float(x or 0) for x in wall.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    summ = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    lay = summ.get("layers") or {}
    return {"wall": round(3600 * h + 60 * m + s, 1), "peak_mb": round(rss / 1024), "load": round(load, 1),
            "load_after": round(os.getloadavg()[0], 1), "objective": summ["objective"], "bound": summ["best_bound"],
            "gap": summ["gap"], "met_share": summ["requirement_met_share"], "weighted": summ["weighted_coverage"],
            "lagrange_steps": summ.get("lagrange_iterations"), "master_rounds": summ.get("lagrange_master_rounds"),
            "lns": lay.get("lns", {}).get("neighbourhoods"), "lns_improved": lay.get("lns", {}).get("improved"),
            "lns_stop": summ.get("lns_stop"), "layer_seconds": summ.get("layer_seconds"),
            "bound_from": summ.get("solver_message")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counties", nargs="+", default=["adv800", "sample1500", "std1000"], choices=sorted(COUNTIES))
    ap.add_argument("--time-limit", type=float, default=120)
    ap.add_argument("--old", default=OLD, help="the previous version: a git ref (default %(default)s)")
    ap.add_argument("--no-old", action="store_true", help="run this version only")
    ap.add_argument("--lns-off", action="store_true", help="also run this version with lns.enabled: false")
    ap.add_argument("--json")
    ap.add_argument("--work", help="folder for generated counties, the old worktree and the plans (default: temporary)")
    args = ap.parse_args()
    tmp = Path(args.work or tempfile.mkdtemp(prefix="optbench-")).resolve()
    tmp.mkdir(parents=True, exist_ok=True)
    versions = [] if args.no_old else [("old", old_tree(args.old, tmp), None)]
    versions.append(("new", ROOT, None))
    if args.lns_off:
        off = tmp / "lns-off.yaml"
        off.write_text("lns:\n  enabled: false\n", encoding="utf-8")
        versions.append(("new, lns off", ROOT, off))
    for label, root, _ in versions:  # numba compiles (or loads its cache) outside the measurement
        plan(root, ROOT / "data" / "small", tmp / f"warm-{label.replace(', ', '-').replace(' ', '-')}", 20)
    rows = []
    for name in args.counties:
        data = county(name, tmp)
        res = {}
        for label, root, pol in versions:
            res[label] = plan(root, data, tmp / f"plan-{name}-{label.replace(', ', '-').replace(' ', '-')}",
                              args.time_limit, pol)
            print(name, label, json.dumps(res[label]), flush=True)
        row = {"county": name, **res}
        if "old" in res:
            o, n = res["old"], res["new"]
            row["objective_ratio"] = n["objective"] / o["objective"]
            row["bound_ratio"] = n["bound"] / o["bound"]
            print(f"{name}: objective new/old {row['objective_ratio']:.5f}, bound new/old {row['bound_ratio']:.5f}; "
                  f"gap {100 * o['gap']:.2f} % -> {100 * n['gap']:.2f} %; "
                  f"met {100 * o['met_share']:.1f} % -> {100 * n['met_share']:.1f} %; wall {o['wall']} s -> {n['wall']} s "
                  f"(limit {args.time_limit:g}); load {o['load']}-{n['load_after']}", flush=True)
        rows.append(row)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
