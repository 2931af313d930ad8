"""The notebooks as files: parameters (papermill's inspection) that match what the batch runner
passes, a named kernel, outputs stripped, and nothing but calls into `planning` and display.

nbval executes every notebook (`pytest --nbval-lax notebooks/`); these tests check what nbval
cannot see.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import papermill
import pytest

from planning import batch

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MANIFESTS = sorted((ROOT / "batch").glob("*.yaml"))

# Each notebook's parameters, as the issue names them; the batch's run parameters come first.
EXPECTED = {
    "annual_plan": {*batch.RUN_PARAMETERS, "solver", "time_limit", "lang", "replan_data", "replan_as_of"},
    "data_check": {*batch.RUN_PARAMETERS},
}


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code(path: Path) -> list[dict]:
    return [c for c in _nb(path)["cells"] if c["cell_type"] == "code"]


def _src(cell: dict) -> str:
    return "".join(cell["source"])


def test_the_notebooks_are_there():
    assert {p.stem for p in NOTEBOOKS} >= set(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_declared_parameters_match_what_the_batch_passes(path):
    declared = papermill.inspect_notebook(str(path))
    assert set(batch.RUN_PARAMETERS) <= set(declared)
    if path.stem in EXPECTED:
        assert set(declared) == EXPECTED[path.stem]
    assert batch.check_notebook(path, set(declared) - set(batch.RUN_PARAMETERS)) == []
    # every parameter documents itself (papermill shows the comment as help)
    assert all(p["help"] for p in declared.values())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_defaults_point_at_the_small_data_set(path):
    declared = papermill.inspect_notebook(str(path))
    assert declared["data"]["default"] == '"data/small"'
    assert declared["year"]["default"] == "2027"
    assert declared["output"]["default"].startswith('"reports/')
    for name in ("policy", "scenario", "district"):
        assert declared[name]["default"] == "None"
    assert (ROOT / "data" / "small").is_dir()


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.stem)
def test_example_manifests_pass_only_declared_parameters(path):
    """What the batch runner passes for every run of the example manifests is declared by the notebook."""
    runs = batch.plan_runs(path)
    assert runs
    for run in runs:
        declared = set(papermill.inspect_notebook(str(run.notebook)))
        assert set(run.parameters) | {"output"} <= declared, run.key
        assert set(batch.RUN_PARAMETERS) <= set(run.parameters) | {"output"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_kernel_named_and_outputs_stripped(path):
    nb = _nb(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for cell in _code(path):
        assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_first(path):
    code = _code(path)
    tagged = [i for i, c in enumerate(code) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert tagged == [0]
    tree = ast.parse(_src(code[0]))
    assert all(isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) for node in tree.body)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_logic_in_the_notebooks(path):
    """Calls into `planning` and display only: no definitions, loops, branches or other imports."""
    forbidden = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.While, ast.If,
                 ast.IfExp, ast.Try, ast.With, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp)
    for cell in _code(path)[1:]:
        for node in ast.walk(ast.parse(_src(cell))):
            assert not isinstance(node, forbidden), f"{type(node).__name__} in: {_src(cell)}"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                assert all(n == "planning" or n.startswith("planning.") for n in names), _src(cell)
