"""What notebooks/scenario_comparison.ipynb calls: one function per step, so the notebook
holds only its parameters, these calls and their display."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from planning.compare import handout as H
from planning.compare import tables as T
from planning.compare.run import Comparison, run_comparison
from planning.notebook_api import Note, _display, _ShowProblems, project_root, resolve_path


def compare(data, year, scenarios, *, policy=None, scenario=None, district=None, output="reports/compare",
            time_limit=None, jobs=None, sweep=(0.6, 0.7, 0.8, 0.9)) -> Comparison:
    """Plan the baseline and every scenario in parallel and compare them (relative paths are read
    from the project root). `scenario` (the batch runner's single scenario) is added to the list."""
    root = project_root()
    files = scenario_files(scenarios, root)
    if scenario:
        files.append(resolve_path(scenario, root))
    district = None if district in (None, "", "all") else str(district)
    with _ShowProblems("The comparison cannot run"):
        return run_comparison(resolve_path(data, root), int(year), files, resolve_path(output, root),
                              policy=resolve_path(policy, root), time_limit=time_limit, district=district, jobs=jobs,
                              sweep=_fractions(sweep), progress=print)


def scenario_files(scenarios, root: Path | None = None) -> list[Path]:
    """Scenario files from a list, or a text of files / glob patterns separated by ";" (sorted matches)."""
    root = root or project_root()
    items = scenarios if isinstance(scenarios, (list, tuple)) else [s for s in str(scenarios or "").split(";")]
    out: list[Path] = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        if any(ch in item for ch in "*?["):
            found = sorted(Path(root).glob(item)) if not Path(item).is_absolute() else \
                sorted(Path("/").glob(item.lstrip("/")))
            if not found:
                raise FileNotFoundError(f"no scenario file matches {item!r}")
            out += found
        else:
            out.append(resolve_path(item, root))
    return out


def _fractions(sweep) -> tuple[float, ...]:
    if sweep is None:
        return ()
    if isinstance(sweep, (list, tuple)):
        return tuple(float(x) for x in sweep)
    return tuple(float(x) for x in str(sweep).replace(";", ",").replace(" ", ",").split(",") if x.strip())


def scenario_table(cmp: Comparison) -> pd.DataFrame:
    return H.scenario_frame(cmp).set_index("scenario")[["description", "policy changes", "data edits", "run",
                                                         "seconds"]]


def kpi_table(cmp: Comparison) -> pd.DataFrame:
    """Every KPI side by side, the change against the baseline in brackets."""
    return H.display_table(cmp)


def agreement(cmp: Comparison) -> Note:
    """Check that every number of the table is the one in that scenario's own summary.json."""
    bad = []
    for n in cmp.names:
        s = T.read_summary(cmp.folder(n))
        for key in cmp.table.index:
            if key in T.ABSENCE_KPIS:
                continue
            if cmp.table.at[key, n] != T.summary_value(s, key):
                bad.append(f"{n} {key}")
    if bad:
        return Note("These figures differ from the scenario's summary.json: " + ", ".join(bad), "error")
    return Note(f"Every figure above equals the one in its scenario's own summary.json "
                f"({', '.join(str(cmp.folder(n)) + '/summary.json' for n in cmp.names[:2])}, …).", "info")


def _svg(svg: str | None):
    if svg is None:
        return Note("No budget sweep was run.", "info")
    try:
        from IPython.display import SVG
    except ImportError:
        return svg
    return SVG(svg)


def kpi_chart(cmp: Comparison):
    return _svg(H.kpi_bars(cmp))


def coverage_chart(cmp: Comparison):
    return _svg(H.coverage_bars(cmp))


def cost_coverage_chart(cmp: Comparison):
    return _svg(H.cost_coverage_chart(cmp))


def sweep_chart(cmp: Comparison):
    return _svg(H.sweep_chart(cmp))


def sweep_table(cmp: Comparison) -> pd.DataFrame:
    return cmp.sweep.set_index("point") if len(cmp.sweep) else pd.DataFrame({"note": ["no budget sweep"]})


def diff_table(cmp: Comparison) -> pd.DataFrame:
    return cmp.diff.set_index("scenario")


def gains_and_losses(cmp: Comparison, limit: int = 20) -> pd.DataFrame:
    """Cadres who gain or lose the requirement under each scenario (the first `limit` of each)."""
    if not len(cmp.changes):
        return pd.DataFrame({"note": ["no cadre changes"]})
    ch = cmp.changes[cmp.changes["change"].isin(["gains the requirement", "loses the requirement"])]
    ch = ch.groupby("scenario", sort=False).head(limit)
    return ch[["scenario", "cadre_id", "unit_id", "level", "change", "classes added", "classes dropped"]] \
        .set_index(["scenario", "cadre_id"])


def files_table(cmp: Comparison) -> pd.DataFrame:
    rows = [(k, str(v)) for k, v in cmp.files.items()] + [(f"plan · {n}", str(cmp.folder(n))) for n in cmp.names]
    rows.append(("wall time", f"{cmp.wall_seconds:.1f} s"))
    return pd.DataFrame(rows, columns=["output", "where"]).set_index("output")


def show(obj) -> None:
    _display(obj)


__all__ = ["compare", "scenario_table", "kpi_table", "agreement", "kpi_chart", "coverage_chart",
           "cost_coverage_chart", "sweep_chart", "sweep_table", "diff_table", "gains_and_losses", "files_table",
           "Path"]
