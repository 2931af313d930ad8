"""The scenario comparison: deltas, the assignment diff, and an end-to-end run on data/small
whose table must equal every scenario's own summary.json."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from planning.cli import main
from planning.compare import assignment_diff, comparison_table, run_comparison
from planning.compare.tables import ABSENCE_KPIS, KPIS, summary_value
from planning.scenarios import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "data" / "small"
SCEN = ROOT / "data" / "scenarios"
YEAR = 2027


# --------------------------------------------------------------------------- the diff
def _plan(rows):
    return pd.DataFrame(rows, columns=["cadre_id", "activity_id", "kind"])


def _cov(rows):
    return pd.DataFrame(rows, columns=["cadre_id", "unit_id", "level", "met"])


def test_assignment_diff_counts_class_changes_gains_and_losses():
    base_plan = _plan([("A", "K1", "class"), ("A", "K2", "class"), ("B", "K1", "class"), ("C", "R1", "rotation"),
                       ("D", "K3", "class")])
    base_cov = _cov([("A", "U1", "staff", True), ("B", "U1", "staff", False), ("C", "U2", "section", False),
                     ("D", "U2", "staff", True), ("E", "U2", "staff", False)])
    plan = _plan([("A", "K2", "class"), ("A", "K1", "class"),      # same classes, other order: no change
                  ("B", "K1", "class"), ("B", "K4", "class"),      # gains the requirement
                  ("C", "R2", "rotation"),                         # other rotation
                  ("E", "K3", "class")])                           # D loses K3 to E; D loses, E gains? E not met
    cov = _cov([("A", "U1", "staff", True), ("B", "U1", "staff", True), ("C", "U2", "section", False),
                ("D", "U2", "staff", False), ("E", "U2", "staff", False)])
    counts, changes = assignment_diff(base_plan, base_cov, plan, cov)
    assert counts == {"cadres_changing_classes": 3, "cadres_changing_rotation": 1, "gain_requirement": 1,
                      "lose_requirement": 1, "net_requirement": 0}
    by = changes.set_index("cadre_id")
    assert set(by.index) == {"B", "C", "D", "E"}
    assert by.at["B", "change"] == "gains the requirement" and by.at["B", "classes added"] == "K4"
    assert by.at["D", "change"] == "loses the requirement" and by.at["D", "classes dropped"] == "K3"
    assert by.at["C", "change"] == "changes rotation"
    assert by.at["E", "change"] == "changes classes" and by.at["E", "scenario classes"] == "K3"


def test_identical_plans_have_an_empty_diff():
    p = _plan([("A", "K1", "class")])
    c = _cov([("A", "U1", "staff", True)])
    counts, changes = assignment_diff(p, c, p, c)
    assert counts["cadres_changing_classes"] == 0 and counts["net_requirement"] == 0 and changes.empty


def test_comparison_table_values_and_deltas():
    base = {"status": "optimal", "requirement_met_share": 0.5, "met_by_level": {"staff": 0.4}, "cost": 100.0,
            "budget": None}
    other = {"status": "feasible", "requirement_met_share": 0.75, "met_by_level": {"staff": 0.5}, "cost": 80.0,
             "budget": 85.0}
    t = comparison_table({"base": base, "cut": other}, {"base": {"peak_unit_absence": 0.2},
                                                       "cut": {"peak_unit_absence": 0.1}})
    assert t.at["requirement_met_share", "Δ cut"] == 0.25
    assert t.at["met_by_level.staff", "cut"] == 0.5 and t.at["met_by_level.staff", "Δ cut"] == pytest.approx(0.1)
    assert t.at["cost", "Δ cut"] == -20 and t.at["peak_unit_absence", "Δ cut"] == pytest.approx(-0.1)
    assert t.at["status", "cut"] == "feasible" and pd.isna(t.at["status", "Δ cut"])
    assert pd.isna(t.at["budget", "Δ cut"])  # no delta against "no limit"
    assert "met_by_group.young" not in t.index  # nobody has it: no row


# --------------------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    strict = out.parent / "strict-cap.yaml"
    strict.write_text("name: strict-cap\ndescription: 10% cap\npolicy: {absence.max_absent_share: 0.1}\n"
                      "edits:\n  - remove_classes: {select: {topic: Urban planning}}\n", encoding="utf-8")
    cmp = run_comparison(SMALL, YEAR, [SCEN / "autumn-plus-20.yaml", strict], out / "cmp", time_limit=2, jobs=2,
                         sweep=(0.8,))
    return cmp


def test_every_plan_has_its_own_folder_and_summary(compared):
    assert compared.names == ["base", "autumn-plus-20", "strict-cap"]
    for n in compared.names:
        s = json.loads((compared.out / n / "summary.json").read_text())
        assert s["status"] in ("optimal", "feasible") and s["scenario"] == n
        assert (compared.out / n / "plan.csv").exists()
    assert set(compared.runs["run"]) == {"done"}
    policy = (compared.out / "base" / "policy.yaml").read_text()
    cores = os.cpu_count() or 1
    expected = 2 if cores >= 4 else max(1, cores // 2)  # plans solved at once share the cores
    assert f"threads: {expected}" in policy


def test_the_table_equals_each_scenario_summary_json(compared):
    """The acceptance rule: numbers in the comparison = those in each scenario's summary.json."""
    flat = pd.read_csv(compared.out / "comparison.csv").set_index("kpi")
    for n in compared.names:
        s = json.loads((compared.out / n / "summary.json").read_text())
        for key, _, _ in KPIS:
            if key in ABSENCE_KPIS or key not in compared.table.index:
                continue
            want = summary_value(s, key)
            assert compared.table.at[key, n] == want, (n, key)
            got = flat.at[key, n]
            if isinstance(want, (int, float)) and not isinstance(want, bool):
                assert float(got) == pytest.approx(want), (n, key)
            elif want is None:
                assert pd.isna(got)
            else:
                assert got == want
        if n != "base":
            b = json.loads((compared.out / "base" / "summary.json").read_text())
            assert compared.table.at["requirement_met", f"Δ {n}"] == s["requirement_met"] - b["requirement_met"]
    assert "budget" not in compared.table.index  # no limit anywhere: the row is left out


def test_scenario_effects_show_in_the_table(compared):
    t = compared.table
    assert t.at["seats_offered", "autumn-plus-20"] > t.at["seats_offered", "base"]
    assert t.at["peak_unit_absence", "strict-cap"] < t.at["peak_unit_absence", "base"]
    assert t.at["mean_unit_peak_absence", "strict-cap"] < t.at["mean_unit_peak_absence", "base"]
    assert t.at["units_at_cap", "base"] >= 1
    assert t.at["classes_running", "strict-cap"] + t.at["classes_cancelled", "strict-cap"] < \
        t.at["classes_running", "base"] + t.at["classes_cancelled", "base"]  # a class was removed


def test_the_diff_agrees_with_the_coverage_files(compared):
    base = pd.read_csv(compared.out / "base" / "coverage.csv").set_index("cadre_id")["met"]
    for r in compared.diff.to_dict("records"):
        cov = pd.read_csv(compared.out / r["scenario"] / "coverage.csv").set_index("cadre_id")["met"]
        assert r["gain_requirement"] == int((cov & ~base).sum())
        assert r["lose_requirement"] == int((~cov & base).sum())
        assert r["net_requirement"] == compared.table.at["requirement_met", f"Δ {r['scenario']}"]
    assert compared.diff.set_index("scenario").at["strict-cap", "cadres_changing_classes"] > 0


def test_budget_sweep_respects_the_budget(compared):
    sw = compared.sweep.set_index("point")
    base_cost = compared.summaries["base"]["cost"]
    assert sw.at["budget-080", "budget"] == pytest.approx(0.8 * base_cost, abs=0.01)
    assert sw.at["budget-080", "cost"] <= sw.at["budget-080", "budget"] + 1e-6
    assert sw.at["budget-080", "requirement_met_share"] <= compared.summaries["base"]["requirement_met_share"] + 1e-9
    assert "baseline (no budget limit)" in sw.index
    assert (compared.out / "sweep" / "budget-080" / "summary.json").exists()


def test_workbook_and_handout(compared):
    import openpyxl
    import pypdf

    wb = openpyxl.load_workbook(compared.files["workbook"], read_only=True)
    assert wb.sheetnames == ["comparison", "scenarios", "assignment diff", "cadre changes", "budget sweep"]
    wb.close()
    pages = len(pypdf.PdfReader(compared.files["handout"]).pages)
    assert 2 <= pages <= 4
    text = "".join(p.extract_text() for p in pypdf.PdfReader(compared.files["handout"]).pages)
    assert "strict-cap" in text and "Budget sweep" in text


def test_a_bad_scenario_stops_before_anything_is_solved(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nedits:\n  - scale_capacity: {select: {institution: Moon University}, factor: 2}\n")
    with pytest.raises(ScenarioError, match="matches no class"):
        run_comparison(SMALL, YEAR, [bad], tmp_path / "out", time_limit=2)
    assert not (tmp_path / "out").exists()
    dup = tmp_path / "dup.yaml"
    dup.write_text("name: autumn-plus-20\n")
    with pytest.raises(ScenarioError, match="two scenarios are called"):
        run_comparison(SMALL, YEAR, [SCEN / "autumn-plus-20.yaml", dup], tmp_path / "out", time_limit=2)
    base = tmp_path / "base.yaml"
    base.write_text("policy: {budget.total: 5}\n")
    with pytest.raises(ScenarioError, match="is the baseline's"):
        run_comparison(SMALL, YEAR, [base], tmp_path / "out", time_limit=2)


def test_cli_compare_reports_a_bad_scenario_with_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\npolicy: {budget.totl: 5}\n")
    code = main(["compare", str(SMALL), "--year", "2027", "--scenarios", str(bad), "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert "bad.yaml: policy" in err and "did you mean budget.total" in err
