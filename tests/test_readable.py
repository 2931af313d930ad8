"""What people see of a plan reads true: shares never round up to 100 %, calendar labels stay
apart, the coverage chart prints the tables' figures."""
from __future__ import annotations

from pathlib import Path

import pytest

from planning.report import charts
from planning.report import formatting as F
from planning.report.labels import Labels

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "data" / "small"
YEAR = 2027


@pytest.mark.parametrize("value, text", [
    (0.996, "99.6%"), (0.9996, "99.9%"), (0.99999, "99.9%"), (1.0, "100.0%"), (0.8734, "87.3%"),
    (0.0004, "0.1%"), (0.0, "0.0%"), (0.87349, "87.3%"), (0.87351, "87.4%"),
])
def test_share_never_rounds_to_100_or_0(value, text):
    assert F.share(value) == text


def test_share_below_100_never_prints_100_at_any_precision():
    for digits in (0, 1, 2):
        for k in range(1, 2000):
            v = 1 - k / 1e6
            assert not F.share(v, digits).startswith("100"), (v, digits)
            assert F.share_value(v, digits) < 100


def test_coverage_chart_prints_the_tables_rounding():
    L = Labels("en")
    svg = charts.coverage_chart([("Staff", 1000, 999, 0.999), ("Division", 75, 31, 31 / 75)],
                                [("Young cadres", 480, 478, 478 / 480)], 0.9, L, ["DejaVu Sans"])
    assert "99.9%" in svg and "100.0%" not in svg  # 999/1000 reads as in the table, not "100%"
    assert F.share(478 / 480) in svg and F.share(31 / 75) in svg


def test_calendar_labels_stay_apart():
    titles = [f"National civilized city review support team, {d} District" for d in ("Jinshui", "Xicheng", "Nanhu")]
    titles += ["Party-building instructor at a non-public enterprise, Dongcheng District",
               "Party-building instructor at a non-public enterprise, Xicheng District", "Short title"]
    got = charts.distinct_labels(titles, 40)
    assert len(set(got)) == len(titles)
    assert got[-1] == "Short title"
    assert all(charts._width(g) <= 64 for g in got)
    assert got[0].endswith("Jinshui District")  # the place, at the end, is kept
    zh = charts.distinct_labels(["中共中央党校县处级领导干部进修班专题研讨班第一期学员",
                                 "中共中央党校县处级领导干部进修班专题研讨班第二期学员"], 30)
    assert zh[0] != zh[1]


def test_heatmap_rows_keep_districts_together():
    units = [f"U{i}" for i in range(10)]
    districts = {u: ("A" if i < 4 else "B" if i < 7 else "C") for i, u in enumerate(units)}
    chunks = charts._heat_chunks(units, districts, 5)
    assert [len(c) for c in chunks] == [4, 3, 3]
    assert sum(chunks, []) == units


# --------------------------------------------------------------------------- scenarios relative to the baseline
def test_relative_budget_scenario_is_read_and_resolved_against_the_baseline(tmp_path):
    from planning.errors import PolicyError
    from planning.scenarios import load_scenario, parse_scenario

    s = load_scenario(ROOT / "data" / "scenarios" / "budget-cut-15.yaml")
    assert s.needs_baseline and s.budget_share == 0.85 and "budget.total" not in s.policy
    r = s.with_baseline_cost(3_824_150)
    assert not r.needs_baseline and r.policy["budget.total"] == round(0.85 * 3_824_150)
    nested = parse_scenario({"name": "n", "policy": {"budget": {"share_of_baseline": 0.5}}}, "n.yaml")
    assert nested.budget_share == 0.5 and nested.policy == {}
    for bad in ({"budget.share_of_baseline": 0}, {"budget.share_of_baseline": "x"},
                {"budget.share_of_baseline": 0.8, "budget.total": 100}):
        with pytest.raises(PolicyError, match="share_of_baseline"):
            parse_scenario({"name": "b", "policy": bad}, "b.yaml")


def test_plan_with_a_relative_budget_spends_its_share_of_the_baseline(tmp_path):
    from planning.check import check_plan
    from planning.pipeline import run_plan
    from planning.scenarios import parse_scenario

    base = run_plan(SMALL, YEAR, tmp_path / "base", time_limit=20)
    sc = parse_scenario({"name": "cut", "policy": {"budget.share_of_baseline": 0.5}}, "cut.yaml")
    cut = run_plan(SMALL, YEAR, tmp_path / "cut", time_limit=20, scenario=sc)
    # run_plan planned its own baseline (same data and policy) first; under a time limit on a loaded
    # machine its cost may differ a little from this baseline's
    assert cut.summary["budget"] == cut.policy["budget.total"]
    assert cut.summary["budget"] == pytest.approx(0.5 * base.summary["cost"], rel=0.05)
    assert 0 < cut.summary["cost"] <= cut.summary["budget"]
    assert check_plan(SMALL, tmp_path / "base", YEAR, base.policy) == []
    assert check_plan(SMALL, tmp_path / "cut", YEAR, cut.policy) == []


def test_a_scenario_that_changes_nothing_is_warned_about():
    from planning.data.load import load_dataset
    from planning.policy import load_policy
    from planning.scenarios import ScenarioWarning, apply_scenario, parse_scenario

    ds, pol = load_dataset(SMALL, YEAR), load_policy()
    noop = parse_scenario({"name": "same", "policy": {"absence.max_absent_share": pol["absence.max_absent_share"]},
                           "edits": [{"scale_capacity": {"select": {"season": "autumn"}, "factor": 1.0}}]}, "same.yaml")
    with pytest.warns(ScenarioWarning, match="changes nothing"):
        apply_scenario(ds, noop, YEAR, pol)
    real = parse_scenario({"name": "more", "edits": [{"scale_capacity": {"select": {"season": "autumn"}, "factor": 1.5}}]},
                          "more.yaml")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        apply_scenario(ds, real, YEAR, pol)


def test_comparison_workbook_holds_no_absolute_path(tmp_path, monkeypatch):
    import pandas as pd

    from planning.compare.handout import scenario_frame
    from planning.compare.run import Comparison
    from planning.scenarios import load_scenario

    monkeypatch.chdir(ROOT)
    sc = load_scenario(ROOT / "data" / "scenarios" / "budget-cut-15.yaml")  # an absolute path given
    cmp = Comparison(out=tmp_path / "cmp", year=YEAR, names=["base", sc.name], scenarios={"base": None, sc.name: sc},
                     summaries={}, table=pd.DataFrame(), diff=pd.DataFrame(), changes=pd.DataFrame(),
                     sweep=pd.DataFrame(), runs=pd.DataFrame(), shown=tmp_path / "cmp")
    f = scenario_frame(cmp)
    text = " ".join(str(v) for v in f.to_numpy().ravel())
    assert str(tmp_path) not in text and str(ROOT) not in text
    assert "data/scenarios/budget-cut-15.yaml" in text and "85%" in text
