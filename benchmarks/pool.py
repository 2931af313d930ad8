"""Reserve-pool speed: a selection round, a rolling review, the vacancies and the growth files.

    PYTHONPATH=. .venv/bin/python benchmarks/pool.py [--cadres 5000] [--candidates 2000] [--quota 200]
        [--members 500] [--year 2027] [--seed 7]

Builds a generated data set of --cadres cadres (planning generate) whose candidates table is
replaced by --candidates recommended candidates (votes and exam drawn; eligible cadres: below
division level, aged 45 or under, not in the pool) and whose pool holds --members members, then
times (wall clock, the machine's load printed first):
- `select` with --quota places under the default structure quotas (women, young, every field,
  no level above 60 %), status and objective;
- `review` of the --members pool (due in 2027);
- `fill_vacancies` of the data set's vacancies;
- `growth_files` of 20 pool members and their PDF.
The issue's targets: selection of 2,000 with quota 200 under 10 s; review of 500 under 5 s."""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planning.data.generate import generate, write_dataset  # noqa: E402
from planning.data.load import load_dataset  # noqa: E402
from planning.policy import default_policy  # noqa: E402


def build(cadres: int, candidates: int, members: int, year: int, seed: int, folder: Path) -> None:
    tables = generate(cadres, year, seed)
    rng = random.Random(f"benchmark/pool/{seed}")
    c = tables["cadres"].copy()
    eligible = [i for i, (lv, born) in enumerate(zip(c["level"], c["birth_year"]))
                if lv != "division" and year - int(born) <= 45]
    rng.shuffle(eligible)
    pool, cand = eligible[:members], eligible[members:members + candidates]
    if len(cand) < candidates:
        raise SystemExit(f"only {len(cand)} eligible non-members for {candidates} candidates: raise --cadres")
    c["is_reserve"] = "false"
    c.loc[c.index[pool], "is_reserve"] = "true"
    c["pool_joined"] = ""
    c.loc[c.index[pool], "pool_joined"] = str(year - 2)
    tables["cadres"] = c
    rows = []
    for i in sorted(cand):
        voters = rng.randint(30, 120)
        rows.append({"cadre_id": c["cadre_id"].iloc[i], "source": "recommendation",
                     "votes": str(round(voters * rng.betavariate(6, 3))), "voters": str(voters),
                     "exam_score": f"{round(min(100, max(0, rng.gauss(74, 10))) * 2) / 2:g}"})
    tables["candidates"] = tables["candidates"].iloc[0:0].reindex(columns=tables["candidates"].columns)
    import pandas as pd

    tables["candidates"] = pd.DataFrame(rows, columns=["cadre_id", "source", "votes", "voters", "exam_score"])
    write_dataset(tables, folder)


def timed(label: str, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label}: {time.perf_counter() - t:.2f} s")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cadres", type=int, default=5000)
    ap.add_argument("--candidates", type=int, default=2000)
    ap.add_argument("--quota", type=int, default=200)
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--year", type=int, default=2027)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    from planning.pool import assess, fill_vacancies
    from planning.pool.growth import chosen_cadres, growth_files, write_growth
    from planning.pool.review import review
    from planning.pool.select import select

    pol = default_policy()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        build(a.cadres, a.candidates, a.members, a.year, a.seed, folder)
        ds = load_dataset(folder, a.year)
        print(f"{len(ds.cadres)} cadres, {len(ds.candidates)} candidates, {int(ds.cadres['is_reserve'].sum())} pool "
              f"members, {len(ds.assessments)} assessment rows, {len(ds.vacancies)} vacancies")
        scores = timed("assess", lambda: assess(ds, a.year, pol))
        res = timed(f"select ({a.candidates} candidates, quota {a.quota})", lambda: select(ds, a.year, a.quota, pol))
        s = res.summary
        print(f"  {s['status']}: {s['selected']} selected of {s['inspected']} inspected ({s['passed']} passed the "
              f"vote and exam), objective {s['objective']}, {len(s['quotas'])} structure quotas: "
              + ", ".join(f"{q['quota']} {q['chosen']}{q['sense']}{q['need']}" for q in s["quotas"]))
        rev = timed(f"review ({a.members} members)", lambda: review(ds, a.year, pol, scores=scores))
        r = rev.summary
        print(f"  {r['stay']} stay, {r['leave']} leave, {r['join']} join ({r['size_before']} -> {r['size_after']})")
        app = timed(f"fill_vacancies ({len(ds.vacancies)} vacancies)", lambda: fill_vacancies(ds, a.year, pol, scores=scores))
        print(f"  {int((app['cadre_id'] != '').sum())} filled, {int(app['from_pool'].sum())} from the pool")
        ids = chosen_cadres(ds)[:20]
        files = timed("growth_files (20 cadres)", lambda: growth_files(ds, a.year, pol, cadres=ids))
        out = Path(tmp) / "growth"
        out.mkdir()
        timed("growth.pdf (20 pages)", lambda: write_growth(files, out, a.year))
    return 0


if __name__ == "__main__":
    sys.exit(main())
