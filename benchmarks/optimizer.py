"""The optimizer before and after the large-neighbourhood search, in one run (issue 21).

For each generated county, the whole `run_plan` recipe (load, solve, extract, check, write) with
`--time-limit` twice: "old" = the layers as before (lns.enabled false), "new" = with the
large-neighbourhood search. Prints per county: wall seconds of the whole command, objective,
proven gap, requirement met, and the ratio new/old; `--json` also writes the rows.

    nice .venv/bin/python benchmarks/optimizer.py --time-limit 120                  # 800 adversarial, 1,500 sample
    nice .venv/bin/python benchmarks/optimizer.py --counties adv800 sample1500 std6000

Counties: adv800 (`planning generate --size 800 --profile adversarial --seed 7`), sample1500
(data/sample), std1000 (1,000 cadres, no windows: fixed dates), std6000 (6,000 cadres).
The machine's load is printed beside the figures: compare runs made under the same load.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COUNTIES = {
    "adv800": dict(size=800, profile="adversarial", seed=7),
    "sample1500": None,
    "std1000": dict(size=1000, seed=7, windowed_share=0.0),
    "std6000": dict(size=6000, seed=7),
}


def county(name: str, tmp: Path) -> Path:
    from planning.data.generate import generate, write_dataset

    spec = COUNTIES[name]
    if spec is None:
        return ROOT / "data" / "sample"
    folder = tmp / name
    if not folder.exists():
        write_dataset(generate(**spec), folder)
    return folder


def one(data: Path, lns_on: bool, time_limit: float, out: Path) -> dict:
    from planning.pipeline import plan_policy, run_plan

    pol = plan_policy(None).with_overrides({"lns.enabled": lns_on})
    t = time.perf_counter()
    r = run_plan(data, 2027, out, policy=pol, time_limit=time_limit)
    wall = time.perf_counter() - t
    s = r.summary
    lay = s.get("layers") or {}
    return {"wall": round(wall, 1), "objective": s["objective"], "bound": s["best_bound"], "gap": s["gap"],
            "met": s["requirement_met"], "met_share": s["requirement_met_share"],
            "weighted": s["weighted_coverage"], "status": s["status"],
            "lns": lay.get("lns", {}).get("neighbourhoods"), "lns_improved": lay.get("lns", {}).get("improved"),
            "lns_stop": s.get("lns_stop"), "lns_seconds": (s.get("layer_seconds") or {}).get("lns")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counties", nargs="+", default=["adv800", "sample1500"], choices=sorted(COUNTIES))
    ap.add_argument("--time-limit", type=float, default=120)
    ap.add_argument("--json")
    ap.add_argument("--work", help="folder for generated counties and plans (default: a temporary one)")
    args = ap.parse_args()
    tmp = Path(args.work or tempfile.mkdtemp(prefix="optbench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.counties:
        data = county(name, tmp)
        res = {}
        for label, on in (("old", False), ("new", True)):
            load = os.getloadavg()[0]
            res[label] = one(data, on, args.time_limit, tmp / f"plan-{name}-{label}")
            res[label]["load"] = round(load, 1)
            print(name, label, json.dumps(res[label]), flush=True)
        o, n = res["old"], res["new"]
        ratio = n["objective"] / o["objective"] if o["objective"] else None
        print(f"{name}: objective new/old {ratio:.5f}; gap {100 * o['gap']:.2f} % -> {100 * n['gap']:.2f} %; "
              f"met {100 * o['met_share']:.1f} % -> {100 * n['met_share']:.1f} %; "
              f"wall {o['wall']} s -> {n['wall']} s (limit {args.time_limit:g})", flush=True)
        rows.append({"county": name, "old": o, "new": n, "objective_ratio": ratio})
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
