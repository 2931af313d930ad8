"""Scenario comparison for leadership meetings: the baseline and each scenario planned in
parallel, side by side with deltas, the assignment diff, a budget sweep, a workbook and a
2–4 page PDF handout.

    from planning.compare import run_comparison
    cmp = run_comparison("data/sample", 2027, ["data/scenarios/autumn-plus-20.yaml", ...], "reports/compare")
    cmp.table            # KPI × scenario, with deltas against the baseline
    cmp.diff             # per scenario: cadres changing classes, gaining / losing the requirement

Every scenario's plan is written by ``run_plan`` into ``<out>/<name>/`` (with its own
``summary.json``); the comparison table is read back from those files.
"""
from planning.compare.run import Comparison, run_comparison  # noqa: F401
from planning.compare.tables import KPIS, assignment_diff, comparison_table  # noqa: F401
