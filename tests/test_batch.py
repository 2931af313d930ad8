"""The batch runner: the manifest, the grid of runs, resuming, and real runs of the notebooks.

The end-to-end tests run a 2-district × 2-year manifest of notebooks/annual_plan.ipynb on the
small data set (2028 generated into a temporary folder), one run of which is given a broken
data set on purpose; then they fix it and run again to see the resume redo only that run.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from planning import batch
from planning.batch import ManifestError, load_manifest, plan_runs, run_state
from planning.io import clear_leftovers

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "data" / "small"
ANNUAL = ROOT / "notebooks" / "annual_plan.ipynb"
CHECK = ROOT / "notebooks" / "data_check.ipynb"
DISTRICTS = ["Dongcheng", "Xicheng"]


# --------------------------------------------------------------------------- data and manifests
@pytest.fixture(scope="module")
def data_2028(tmp_path_factory) -> Path:
    """The small data set generated for 2028 (the committed one is for 2027)."""
    from planning.data import generate

    out = tmp_path_factory.mktemp("data") / "small-2028"
    assert generate.main(["--size", "small", "--year", "2028", "--seed", "7", "--out", str(out)]) in (0, None)
    return out


def break_data(src: Path, dst: Path) -> Path:
    """A copy of `src` whose first cadre has a level the contract does not know."""
    shutil.copytree(src, dst)
    rows = list(csv.reader((dst / "cadres.csv").open(encoding="utf-8-sig")))
    rows[1][rows[0].index("level")] = "grand_vizier"
    with (dst / "cadres.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return dst


def write_manifest(folder: Path, **tree) -> Path:
    path = folder / f"{tree['name']}.yaml"
    path.write_text(yaml.safe_dump(tree, sort_keys=False), encoding="utf-8")
    return path


def grid_manifest(folder: Path, data_2028: Path, **extra) -> dict:
    return {"name": "grid", "notebook": str(ANNUAL), "data": {2027: str(SMALL), 2028: str(data_2028)},
            "years": [2027, 2028], "districts": DISTRICTS, "parameters": {"time_limit": 2},
            "output": str(folder / "reports"), **extra}


# --------------------------------------------------------------------------- the manifest
def test_manifest_problems_are_all_listed(tmp_path):
    path = write_manifest(tmp_path, name="bad", notebook="notebooks/none.ipynb", data="no/such/data",
                          years=[2027, "next"], districts=["A", "A"], parameters={"district": "A"}, colour="blue")
    with pytest.raises(ManifestError) as e:
        load_manifest(path)
    text = "\n".join(e.value.problems)
    for words in ("unknown key(s) colour", "none.ipynb does not exist", "'years' must list whole years",
                  "does not exist", "names a district twice", "district is set by the batch grid"):
        assert words in text, words
    assert e.value.exit_code == 2


def test_manifest_needs_name_notebook_data_years(tmp_path):
    with pytest.raises(ManifestError) as e:
        load_manifest({"output": str(tmp_path)})
    assert {p.split(" ")[0] for p in e.value.problems} >= {"'name'", "'notebook'", "'years'", "'data'"}


def test_relative_paths_are_read_from_the_project_root(tmp_path):
    """A manifest in batch/ names notebooks/ and data/ as seen from the repository root."""
    m = load_manifest(ROOT / "batch" / "districts-2027.yaml")
    assert m.root == ROOT
    assert m.notebooks == [ANNUAL]
    assert m.data == {2027: ROOT / "data" / "sample"}
    assert m.output == ROOT / "reports"


def test_grid_is_notebook_years_districts_scenarios(tmp_path, data_2028):
    scen = tmp_path / "autumn-plus.yaml"
    scen.write_text("policy: {solver: {time_limit: 3}}\n", encoding="utf-8")
    m = grid_manifest(tmp_path, data_2028, scenarios=["base", str(scen)])
    runs = plan_runs(m)
    assert [r.key for r in runs] == [f"{y}/{s}/{d}" for y in (2027, 2028) for s in ("base", "autumn-plus")
                                     for d in DISTRICTS]
    r = runs[0]
    assert r.folder == tmp_path / "reports" / "2027" / "base" / "Dongcheng"
    assert r.parameters == {"data": str(SMALL), "year": 2027, "policy": None, "scenario": None,
                            "district": "Dongcheng", "time_limit": 2}
    assert runs[2].parameters["scenario"] == str(scen)
    assert runs[4].parameters["data"] == str(data_2028)
    assert len({json.dumps(r.inputs, sort_keys=True) for r in runs}) == len(runs)


def test_whole_data_set_each_district_and_several_notebooks(tmp_path):
    base = {"name": "x", "data": str(SMALL), "years": 2027, "output": str(tmp_path)}
    whole = plan_runs({**base, "notebook": str(ANNUAL)})
    assert [r.key for r in whole] == ["2027/base/all"] and whole[0].parameters["district"] is None
    each = plan_runs({**base, "notebook": [str(ANNUAL), str(CHECK)], "districts": "each"})
    assert [r.key for r in each] == ["2027/base/Dongcheng/annual_plan", "2027/base/Xicheng/annual_plan",
                                     "2027/base/Dongcheng/data_check", "2027/base/Xicheng/data_check"]


def test_overrides_apply_to_matching_runs(tmp_path, data_2028):
    m = grid_manifest(tmp_path, data_2028, overrides=[
        {"where": {"year": 2028, "district": "Xicheng"}, "parameters": {"time_limit": 7}},
        {"where": {"district": ["Dongcheng"]}, "parameters": {"lang": "zh"}}])
    params = {r.key: r.parameters for r in plan_runs(m)}
    assert params["2028/base/Xicheng"]["time_limit"] == 7
    assert params["2027/base/Xicheng"]["time_limit"] == 2
    assert params["2027/base/Dongcheng"]["lang"] == "zh" and "lang" not in params["2027/base/Xicheng"]


def test_parameters_the_notebook_does_not_declare_are_refused(tmp_path, data_2028):
    with pytest.raises(ManifestError) as e:
        plan_runs(grid_manifest(tmp_path, data_2028, parameters={"time_limt": 2}))
    assert "has no parameter time_limt" in str(e.value)
    with pytest.raises(ManifestError) as e:  # data_check has no solver settings
        plan_runs({"name": "x", "notebook": str(CHECK), "data": str(SMALL), "years": 2027,
                   "parameters": {"time_limit": 2}, "output": str(tmp_path)})
    assert "data_check.ipynb has no parameter time_limit" in str(e.value)


def test_notebook_without_run_parameters_is_refused(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("data = 'x'\nyear = 2027", metadata={"tags": ["parameters"]})])
    path = tmp_path / "thin.ipynb"
    nbformat.write(nb, path)
    manifest = {"name": "x", "notebook": str(path), "data": str(SMALL), "years": 2027, "output": str(tmp_path)}
    with pytest.raises(ManifestError) as e:
        plan_runs(manifest)
    assert "its parameters cannot be read" in str(e.value) and "kernelspec" in str(e.value)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    with pytest.raises(ManifestError) as e:
        plan_runs(manifest)
    assert "does not declare policy, scenario, district, output" in str(e.value)


# --------------------------------------------------------------------------- states and resuming
def _fake_complete(run) -> None:
    run.folder.mkdir(parents=True)
    (run.folder / "out.txt").write_text("result", encoding="utf-8")
    marker = {"inputs": run.inputs, "outputs": batch._outputs(run.folder)}
    (run.folder / batch.MARKER).write_text(json.dumps(marker), encoding="utf-8")


def test_run_state(tmp_path):
    m = {"name": "x", "notebook": str(ANNUAL), "data": str(SMALL), "years": 2027, "output": str(tmp_path)}
    (run,) = plan_runs(m)
    assert run_state(run) == "missing"
    run.folder.mkdir(parents=True)
    (run.folder / "plan.csv").write_text("half", encoding="utf-8")  # what an interrupted run would leave
    assert run_state(run) == "incomplete"
    (run.folder / batch.ERROR_FILE).write_text("boom", encoding="utf-8")
    assert run_state(run) == "failed"
    shutil.rmtree(run.folder)
    _fake_complete(run)
    assert run_state(run) == "complete"
    (run,) = plan_runs({**m, "parameters": {"time_limit": 3}})
    assert run_state(run) == "changed"
    (run,) = plan_runs(m)
    (run.folder / "out.txt").write_text("edited", encoding="utf-8")
    assert run_state(run) == "incomplete"
    (run.folder / "out.txt").unlink()
    assert run_state(run) == "incomplete"


def test_inputs_changed_by_data_notebook_cells_but_not_outputs(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    nb_path = tmp_path / "annual_plan.ipynb"
    shutil.copy(ANNUAL, nb_path)
    m = {"name": "x", "notebook": str(nb_path), "data": str(data), "years": 2027, "output": str(tmp_path / "r")}
    (run,) = plan_runs(m)
    _fake_complete(run)
    # saving the notebook with outputs does not change what runs
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    nb["cells"][2]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hello"}]
    nb["cells"][2]["execution_count"] = 3
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    assert run_state(plan_runs(m)[0]) == "complete"
    with (data / "holidays.csv").open("a", encoding="utf-8") as f:
        f.write("2027-12-30,Extra day\n")
    assert run_state(plan_runs(m)[0]) == "changed"


def test_leftovers_of_an_interrupted_run_are_cleared(tmp_path):
    folder = tmp_path / "2027" / "base" / "all"
    stale = folder.parent / ".all.tmp-abc123"
    stale.mkdir(parents=True)
    (stale / "plan.csv").write_text("half", encoding="utf-8")
    other = folder.parent / ".Xicheng.tmp-abc123"
    other.mkdir()
    clear_leftovers(folder)
    assert not stale.exists() and other.exists()


def test_interrupted_run_leaves_nothing_that_looks_complete(tmp_path, monkeypatch):
    """Ctrl-C while the notebook writes its outputs: no run folder appears, no temporary one stays,
    and an earlier complete result is left as it was."""
    import papermill

    m = {"name": "x", "notebook": str(ANNUAL), "data": str(SMALL), "years": 2027, "output": str(tmp_path)}
    (run,) = plan_runs(m)

    def interrupted(input_path, output_path, parameters=None, **kw):
        out = Path(parameters["output"])
        (out / "plan").mkdir(parents=True)
        (out / "plan" / "plan.csv").write_text("cadre_id,activity_id\n", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(papermill, "execute_notebook", interrupted)
    with pytest.raises(KeyboardInterrupt):
        batch.execute_run(run)
    assert not run.folder.exists() and not list(tmp_path.rglob(".*"))
    _fake_complete(run)
    with pytest.raises(KeyboardInterrupt):
        batch.execute_run(run)
    assert run_state(run) == "complete" and (run.folder / "out.txt").read_text(encoding="utf-8") == "result"


# --------------------------------------------------------------------------- real runs
@pytest.fixture(scope="module")
def grid(tmp_path_factory, data_2028):
    """The 2 × 2 grid run once with 2 jobs; (2028, Xicheng) gets a broken data set."""
    folder = tmp_path_factory.mktemp("batch")
    broken = break_data(data_2028, folder / "broken-2028")
    tree = grid_manifest(folder, data_2028, overrides=[
        {"where": {"year": 2028, "district": "Xicheng"}, "data": str(broken)}])
    path = write_manifest(folder, **tree)
    code = batch.main([str(path), "--jobs", "2", "--no-progress"])
    return {"folder": folder, "manifest": path, "broken": broken, "code": code, "reports": folder / "reports",
            "table": list(csv.DictReader((folder / "reports" / "batch-grid.csv").open(encoding="utf-8")))}


def test_failing_run_does_not_stop_the_others(grid):
    assert grid["code"] == 1
    status = {r["run"]: r["status"] for r in grid["table"]}
    assert status == {"2027/base/Dongcheng": "ok", "2027/base/Xicheng": "ok", "2028/base/Dongcheng": "ok",
                      "2028/base/Xicheng": "failed"}
    failed = next(r for r in grid["table"] if r["status"] == "failed")
    assert failed["error"].startswith("DataError: 1 problem(s) in the data")
    assert "grand_vizier" in failed["error"]


def test_summary_table_has_kpis(grid):
    ok = [r for r in grid["table"] if r["status"] == "ok"]
    for r in ok:
        assert r["plan_status"] in ("optimal", "feasible")
        assert 0 <= float(r["requirement_met_share"]) <= 1 and int(r["cadres"]) > 0
        assert float(r["seconds"]) > 0
    assert {r["district"] for r in ok} == set(DISTRICTS)


def test_run_folder_holds_notebook_outputs_log_and_marker(grid):
    folder = grid["reports"] / "2027" / "base" / "Dongcheng"
    for name in ("annual_plan.ipynb", "plan/plan.csv", "plan/summary.json", "plan.xlsx", "plan.pdf",
                 batch.LOG_FILE, batch.MARKER):
        assert (folder / name).is_file(), name
    marker = json.loads((folder / batch.MARKER).read_text(encoding="utf-8"))
    assert set(marker["outputs"]) >= {"annual_plan.ipynb", "plan/summary.json", "plan.xlsx", "plan.pdf"}
    assert marker["parameters"]["output"] == str(folder)
    summary = json.loads((folder / "plan" / "summary.json").read_text(encoding="utf-8"))
    assert summary["district"] == "Dongcheng" and summary["year"] == 2027
    log = (folder / batch.LOG_FILE).read_text(encoding="utf-8")
    assert "Executing Cell 1" in log and "done in" in log
    assert not list(folder.parent.glob(".*"))  # no temporary folders left behind


def test_failed_run_shows_the_problem_table_and_is_not_complete(grid):
    folder = grid["reports"] / "2028" / "base" / "Xicheng"
    assert not (folder / batch.MARKER).exists()
    assert "DataError" in (folder / batch.ERROR_FILE).read_text(encoding="utf-8")
    nb = json.loads((folder / "annual_plan.ipynb").read_text(encoding="utf-8"))
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb["cells"] if c["cell_type"] == "code"
                   for o in c.get("outputs", []))
    assert "grand_vizier" in html and "<th>column</th>" in html.replace(' style="text-align: right;"', "")


def test_resume_redoes_only_what_is_not_complete(grid, data_2028, capsys):
    done = grid["reports"] / "2027" / "base" / "Dongcheng" / "annual_plan.ipynb"
    before = done.stat().st_mtime_ns
    shutil.rmtree(grid["broken"])
    shutil.copytree(data_2028, grid["broken"])  # the data is fixed
    code = batch.main([str(grid["manifest"]), "--jobs", "2", "--no-progress"])
    assert code == 0
    table = list(csv.DictReader((grid["reports"] / "batch-grid.csv").open(encoding="utf-8")))
    assert {r["run"]: r["status"] for r in table} == {
        "2027/base/Dongcheng": "skipped", "2027/base/Xicheng": "skipped", "2028/base/Dongcheng": "skipped",
        "2028/base/Xicheng": "ok"}
    assert all(r["requirement_met_share"] for r in table)  # skipped runs report their KPIs too
    assert done.stat().st_mtime_ns == before
    assert all(run_state(r) == "complete" for r in plan_runs(grid["manifest"]))
    out = capsys.readouterr().out
    assert "4 runs: 1 ok, 3 skipped (complete and unchanged), 0 failed" in out

    # everything is complete: a third run executes nothing
    result = batch.run_batch(grid["manifest"], progress=False, echo=False)
    assert set(result.table["status"]) == {"skipped"} and result.ok

    # many runs collected into one table for comparison
    table = batch.collect(grid["reports"])
    assert sorted(table["run"]) == ["2027/base/Dongcheng", "2027/base/Xicheng", "2028/base/Dongcheng",
                                    "2028/base/Xicheng"]
    assert {"requirement_met_share", "met_by_level.staff", "district", "complete"} <= set(table.columns)
    assert table["complete"].all()


def test_dask_cluster_runs_the_same_manifest(tmp_path):
    """The manifest runs on a Dask distributed cluster (here a LocalCluster in this process)."""
    distributed = pytest.importorskip("distributed", reason="Dask is an optional extra (pip install '.[dask]')")
    LocalCluster = distributed.LocalCluster

    path = write_manifest(tmp_path, name="dask", notebook=str(CHECK), data=str(SMALL), years=[2027],
                          districts=DISTRICTS, output=str(tmp_path / "reports"))
    here = os.getcwd()
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        # connect by address, as `planning batch --scheduler tcp://...` does
        result = batch.run_batch(path, scheduler=cluster.scheduler_address, progress=False, echo=False)
    assert list(result.table["status"]) == ["ok", "ok"]
    # runs on threads of this process must not move its working folder (papermill's cwd= did)
    assert os.getcwd() == here
    for d in DISTRICTS:
        folder = tmp_path / "reports" / "2027" / "base" / d
        figures = json.loads((folder / "data_check.json").read_text(encoding="utf-8"))
        assert figures["district"] == d
        assert (folder / batch.MARKER).is_file()
    assert (tmp_path / "reports" / "batch-dask.csv").is_file()


def test_main_reports_a_bad_manifest_with_exit_2(tmp_path, capsys):
    path = write_manifest(tmp_path, name="bad", notebook=str(ANNUAL), data=str(tmp_path / "nothing"), years=[2027])
    assert batch.main([str(path)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_main_lists_runs_and_their_state(tmp_path, capsys):
    path = write_manifest(tmp_path, name="l", notebook=str(ANNUAL), data=str(SMALL), years=[2027],
                          districts=DISTRICTS, output=str(tmp_path / "r"))
    assert batch.main([str(path), "--list"]) == 0
    assert capsys.readouterr().out.split() == ["missing", "2027/base/Dongcheng", "missing", "2027/base/Xicheng"]


def test_executors_local_pool_returns_every_job_failures_included():
    """planning.batch.executors, shared with simulations: every job's result or its exception."""
    import math

    from planning.batch.executors import open_pool

    with open_pool(2) as pool:
        assert pool.local
        futures = pool.submit_all(math.sqrt, [4.0, 9.0, -1.0])
        done = {item: (result, type(err).__name__ if err else None) for item, result, err in pool.as_done(futures)}
    assert done == {4.0: (2.0, None), 9.0: (3.0, None), -1.0: (None, "ValueError")}


def test_batch_lines_in_the_data_s_language(tmp_path, capsys):
    """On Chinese data (no lang parameter, no --lang) `planning batch` speaks Chinese: the run states
    of --list, the terminal table's headers and states, the closing line; --lang en overrides."""
    from planning.batch.runner import format_table
    from planning.batch.words import Words, batch_lang
    from test_generate_zh import english_words

    zh = ROOT / "data" / "sample-zh"
    path = write_manifest(tmp_path, name="zh", notebook=str(CHECK), data=str(zh), years=2027,
                          output=str(tmp_path / "reports"))
    assert batch_lang(load_manifest(path)) == "zh" and batch_lang(load_manifest(path), "en") == "en"
    assert batch.main([str(path), "--list"]) == 0
    printed = capsys.readouterr().out
    assert "未运行" in printed and english_words(printed.replace("2027/base/all", " ")) == [], printed  # run keys are folders
    assert batch.main([str(path), "--list", "--lang", "en"]) == 0 and "missing" in capsys.readouterr().out
    table = pd.DataFrame([{"run": "2027/base/all", "status": "ok", "seconds": 3.5, "plan_status": "feasible",
                           "cadres": 300, "requirement_met_share": 0.9, "overdue_covered": 3, "rotations_filled": 2,
                           "gap": 0.01, "error": ""},
                          {"run": "2028/base/all", "status": "failed", "seconds": 1.0, "plan_status": None,
                           "cadres": None, "requirement_met_share": None, "overdue_covered": None,
                           "rotations_filled": None, "gap": None, "error": ""}])
    text = format_table(table, "zh") + Words("zh")("done", n=2, ok=1, skipped=0, failed=1, seconds="4.5", path="x.csv")
    assert "失败" in text and "可行" in text and english_words(re.sub(r"\d{4}/base/all|x\.csv", " ", text)) == [], text
    assert "feasible" in format_table(table) and "1 plan collected" in Words("en")("collected", n=1, out="x")
