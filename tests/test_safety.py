"""Never lose a user's file: every command refuses a dangerous --out before any work, writes
output folders whole (old or complete new, nothing half-written, no temporary leftovers), holds
a lock against a second run, ends anticipated failures with one message and a non-zero exit,
and writes formula-safe CSVs that read back exactly."""
from __future__ import annotations

import argparse
import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import write_dataset
from planning import io as pio
from planning.check import check_plan
from planning.cli import main
from planning.cli import parser as cli_parser
from planning.guard import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, run_guarded
from planning.io import MARKER, OutputError, check_output_file, check_output_target, csv_safe, csv_unsafe
from planning.pipeline import run_plan

YEAR = 2027
ROOT = Path(__file__).resolve().parents[1]
ANNUAL = ROOT / "notebooks" / "annual_plan.ipynb"
SCEN = ROOT / "data" / "scenarios" / "budget-cut-15.yaml"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes (the marker included)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def listing(folder: Path) -> list[str]:
    """The names in `folder`, the planner's marker left out."""
    return sorted(p.name for p in folder.iterdir() if p.name != MARKER)


def leftovers(parent: Path) -> list[str]:
    """Temporary, set-aside and lock files of the atomic writer."""
    return sorted(p.name for p in parent.rglob(".*") if p.name != MARKER)


@pytest.fixture
def world(tmp_path):
    """A tiny data set, a policy file, a user's project folder and a lone file, side by side."""
    data = write_dataset(tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text("solver:\n  time_limit: 10\n", encoding="utf-8")
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "main.py").write_text("print('mine')\n", encoding="utf-8")
    (project / "notes.txt").write_text("my notes\n", encoding="utf-8")
    lone = tmp_path / "notes.md"
    lone.write_text("# notes\n", encoding="utf-8")
    return {"root": tmp_path, "data": data, "policy": policy, "project": project, "file": lone}


# --------------------------------------------------------------------------- the target check
def test_new_empty_and_planner_folders_are_allowed(tmp_path):
    assert check_output_target(tmp_path / "new" / "plan") == tmp_path / "new" / "plan"
    (tmp_path / "empty").mkdir()
    check_output_target(tmp_path / "empty")
    (tmp_path / "ours").mkdir()
    (tmp_path / "ours" / "plan.csv").write_text("x\n")
    pio.write_marker(tmp_path / "ours", "plan")
    check_output_target(tmp_path / "ours")


@pytest.mark.parametrize("case, words", [
    ("data", "is an input"), ("parent of data", "contains the input"), ("policy", "is an existing file"),
    ("project", "holds files the planner did not write"), ("file", "is an existing file"),
    ("cwd", "current folder"), ("symlink", "symbolic link"), ("long name", "name is too long"),
    ("under a file", "is a file, not a folder"), ("inside generated data", "may replace as a whole"),
])
def test_dangerous_targets_are_refused(world, monkeypatch, case, words):
    root = world["root"]
    inputs = [world["data"], world["policy"]]
    target = {"data": world["data"], "parent of data": root, "policy": world["policy"],
              "project": world["project"], "file": world["file"], "cwd": root / "here",
              "symlink": root / "link", "long name": root / ("x" * 250), "under a file": world["file"] / "plan",
              "inside generated data": world["data"] / "plan"}[case]
    if case == "cwd":
        target.mkdir()
        monkeypatch.chdir(target)
        target = Path(".")
    if case == "symlink":
        (root / "link").symlink_to(world["project"])
    if case == "inside generated data":
        pio.write_marker(world["data"], "data set")
    before = snapshot(root)
    with pytest.raises(OutputError, match=words):
        check_output_target(target, inputs, kind="plan")
    assert snapshot(root) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_parent_is_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="not writable"):
            check_output_target(ro / "plan")
    finally:
        ro.chmod(0o755)


def test_output_files_refuse_folders_and_inputs(world):
    with pytest.raises(OutputError, match="is an existing folder"):
        check_output_file(world["project"], kind="report")
    with pytest.raises(OutputError, match="is an input"):
        check_output_file(world["policy"], [world["policy"]], kind="report")
    check_output_file(world["root"] / "report.pdf", [world["data"]])


# --------------------------------------------------------------------------- every command × target
def _commands(w: dict, out: Path) -> dict[str, list[str]]:
    d, pol = str(w["data"]), str(w["policy"])
    return {
        "plan": ["plan", d, "--year", "2027", "--out", str(out), "--policy", pol],
        "compare": ["compare", d, "--year", "2027", "--scenarios", str(SCEN), "--out", str(out), "--no-sweep"],
        "generate": ["generate", "--size", "small", "--out", str(out)],
        "report": ["report", str(w["root"] / "no-plan"), "--data", d, "--year", "2027", "--out", str(out)],
        "activities": ["activities", d, str(w["root"] / "no-plan"), "--year", "2027", "--out", str(out),
                       "--policy", pol],
        "close-year": ["close-year", d, str(w["root"] / "no-plan"), "--year", "2027", "--out", str(out), "--policy", pol],
        "replan": ["replan", d, "--year", "2027", "--base", str(w["root"] / "no-plan"), "--as-of", "2027-06-01",
                   "--out", str(out), "--policy", pol],
        "simulate": ["simulate", d, "--start-year", "2027", "--years", "1", "--out", str(out), "--policy", pol,
                     "--no-progress"],
        "assess": ["assess", d, "--year", "2027", "--out", str(out), "--policy", pol],
        "pool select": ["pool", "select", d, "--year", "2027", "--quota", "3", "--out", str(out), "--policy", pol],
        "pool review": ["pool", "review", d, "--year", "2027", "--out", str(out), "--policy", pol],
        "pool fill": ["pool", "fill", d, "--year", "2027", "--out", str(out), "--policy", pol],
        "growth": ["growth", d, "--year", "2027", "--out", str(out), "--policy", pol],
    }


# Every command that writes into --out is walked by the tests below; a new command must be added here.
WALKED = ["plan", "compare", "generate", "report", "activities", "close-year", "replan", "simulate", "assess",
          "pool select", "pool review", "pool fill", "growth"]


def _subcommands_with_out(p=None, prefix=()):
    """Every (sub)command of the CLI that takes --out, as its words: ('plan',), ('pool', 'select'), ..."""
    p = p or cli_parser()
    found = []
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sp in action.choices.items():
                found += _subcommands_with_out(sp, prefix + (name,))
    if prefix and any("--out" in a.option_strings for a in p._actions):
        found.append(prefix)
    return found


def test_every_command_that_writes_is_walked_by_the_safety_tests():
    missing = [" ".join(c) for c in _subcommands_with_out() if " ".join(c) not in WALKED]
    assert not missing, f"add these commands to _commands / WALKED in tests/test_safety.py: {missing}"


@pytest.mark.parametrize("command", WALKED)
@pytest.mark.parametrize("target", ["data", "project", "file", "policy", "parent"])
def test_every_command_refuses_a_dangerous_out_before_any_work(world, capsys, command, target):
    out = {"data": world["data"], "project": world["project"], "file": world["file"], "policy": world["policy"],
           "parent": world["root"]}[target]
    if command == "report" and target in ("file",):
        pytest.skip("a report replaces a file (atomically): that is its job")
    if command == "generate" and target == "policy":
        pytest.skip("generate reads no policy")
    before = snapshot(world["root"])
    t = time.perf_counter()
    assert main(_commands(world, out)[command]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and "Traceback" not in err
    assert snapshot(world["root"]) == before
    assert time.perf_counter() - t < 30  # refused before the solve, not after it


def test_batch_refuses_a_foreign_output_root(world, capsys):
    manifest = world["root"] / "m.yaml"
    manifest.write_text(yaml.safe_dump({"name": "m", "notebook": str(ANNUAL), "data": str(world["data"]),
                                        "years": 2027, "output": str(world["project"])}), encoding="utf-8")
    before = snapshot(world["root"])
    assert main(["batch", str(manifest), "--no-progress"]) == 2
    assert "holds files the planner did not write" in capsys.readouterr().err
    assert snapshot(world["root"]) == before


@pytest.mark.parametrize("districts", [["East", "EAST"], "each"])
def test_batch_run_folders_that_would_clash_are_refused(world, districts):
    """Names that differ only in case, or (districts: each) in characters a folder name drops."""
    from planning.batch import plan_runs

    if districts == "each":
        write_dataset(world["root"], units=[{"unit_id": "U1", "district": "East/West"},
                                            {"unit_id": "U2", "district": "East_West"}])
    m = {"name": "m", "notebook": str(ANNUAL), "data": str(world["data"]), "years": 2027,
         "districts": districts, "output": str(world["root"] / "reports")}
    with pytest.raises(pio.PlanningError, match="would both write"):
        plan_runs(m)


def test_report_out_as_existing_folder_is_one_message(world, capsys):
    (world["root"] / "reports").mkdir()
    assert main(["report", str(world["root"]), "--data", str(world["data"]), "--year", "2027",
                 "--out", str(world["root"] / "reports")]) == 2
    assert "is an existing folder" in capsys.readouterr().err


# --------------------------------------------------------------------------- replacing and fault injection
def test_plan_replaces_only_its_own_folder_and_leaves_nothing_behind(world):
    out = world["root"] / "plan"
    run_plan(world["data"], YEAR, out, time_limit=10)
    assert (out / MARKER).is_file()
    assert listing(out) == ["classes.csv", "coverage.csv", "plan.csv", "policy.yaml", "shortfall.csv", "summary.json"]
    (out / "stale.csv").write_text("old\n")
    run_plan(world["data"], YEAR, out, time_limit=10)
    assert "stale.csv" not in listing(out)
    assert leftovers(world["root"]) == []
    assert check_plan(world["data"], out, YEAR) == []


def test_a_write_failing_midway_leaves_the_old_folder_whole(world, monkeypatch):
    out = world["root"] / "plan"
    run_plan(world["data"], YEAR, out, time_limit=10)
    before = snapshot(out)
    calls = {"n": 0}
    real = pio.write_csv

    def fail_on_third(df, path):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(df, path)

    monkeypatch.setattr("planning.pipeline.write_csv", fail_on_third)
    with pytest.raises(OSError):
        run_plan(world["data"], YEAR, out, time_limit=10)
    assert snapshot(out) == before
    assert leftovers(world["root"]) == []


def test_a_failing_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    with pio.output_dir(out) as tmp:
        (tmp / "a.txt").write_text("old")
    monkeypatch.setattr(pio, "_exchange", lambda a, b: False)
    real = os.replace

    def replace(src, dst):
        if ".tmp-" in str(src):
            raise OSError(errno.EIO, "I/O error", str(dst))
        real(src, dst)

    monkeypatch.setattr(pio.os, "replace", replace)
    with pytest.raises(OSError):
        with pio.output_dir(out) as tmp:
            (tmp / "a.txt").write_text("new")
    assert (out / "a.txt").read_text() == "old" and leftovers(tmp_path) == []


KILLER = """
import sys
from planning.cli import main
from planning.cli import parser as cli_parser
sys.exit(main(["plan", sys.argv[1], "--year", "2027", "--out", sys.argv[2], "--time-limit", "10"]))
"""


def test_sigkill_at_random_points_leaves_the_old_or_the_new_plan(world):
    """`planning plan` killed (SIGKILL) at random moments: the folder is always the old plan or a
    complete new one; the next run clears what the killed ones left."""
    out = world["root"] / "plan"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([sys.executable, "-c", KILLER, str(world["data"]), str(out)], check=True, env=env)
    good = snapshot(out)
    full = time.perf_counter()
    subprocess.run([sys.executable, "-c", KILLER, str(world["data"]), str(out)], check=True, env=env)
    full = time.perf_counter() - full
    rng = random.Random(20)
    for _ in range(6):
        p = subprocess.Popen([sys.executable, "-c", KILLER, str(world["data"]), str(out)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.1) * full)
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert same_plan(snapshot(out), good)
    subprocess.run([sys.executable, "-c", KILLER, str(world["data"]), str(out)], check=True, env=env)
    assert same_plan(snapshot(out), good) and leftovers(world["root"]) == []


def same_plan(a: dict[str, bytes], b: dict[str, bytes]) -> bool:
    """The same complete plan: every file equal, summary.json whole, equal but for its timings
    (a plan is deterministic, so the old and the complete new folder are equal)."""
    sa, sb = json.loads(a.pop("summary.json")), json.loads(b["summary.json"])
    strip = lambda s: {k: v for k, v in s.items() if "seconds" not in k and k != "timings"}  # noqa: E731
    return a == {k: v for k, v in b.items() if k != "summary.json"} and strip(sa) == strip(sb)


def test_sigkill_of_a_batch_leaves_each_run_old_or_complete(world):
    """`planning batch --force` killed with its whole process group (workers and kernels too) at
    random moments: the run folder stays the old complete run; the next batch finds it complete,
    skips it and clears what the killed ones left."""
    from planning.batch import plan_runs, run_state

    manifest = world["root"] / "m.yaml"
    manifest.write_text(yaml.safe_dump({"name": "k", "notebook": str(ROOT / "notebooks" / "data_check.ipynb"),
                                        "data": str(world["data"]), "years": 2027,
                                        "output": str(world["root"] / "out")}), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-m", "planning.cli", "batch", str(manifest), "--no-progress"]
    full = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, capture_output=True)
    full = time.perf_counter() - full
    (run,) = plan_runs(manifest)
    good = snapshot(run.folder)
    rng = random.Random(7)
    for _ in range(3):
        p = subprocess.Popen(cmd + ["--force"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        time.sleep(rng.uniform(0.4, 1.0) * full)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        assert run_state(run) == "complete"
    done = subprocess.run(cmd, check=True, env=env, capture_output=True, text=True)
    assert "1 skipped" in done.stdout
    assert snapshot(run.folder).keys() == good.keys() and run_state(run) == "complete"
    assert leftovers(world["root"] / "out") == []


# --------------------------------------------------------------------------- the lock
HOLDER = """
import sys, time
from planning.io import hold_output
with hold_output(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_run_on_a_held_output_stops_at_once(world, capsys):
    out = world["root"] / "plan"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        assert main(["plan", str(world["data"]), "--year", "2027", "--out", str(out)]) == 2
        assert "another planner run is writing" in capsys.readouterr().err
        assert not out.exists()
    finally:
        p.kill()
        p.wait()
    with pio.hold_output(out), pio.hold_output(out):  # free again, and nested holds are fine
        pass
    assert leftovers(world["root"]) == []


# --------------------------------------------------------------------------- guarded commands
def test_guard_turns_anticipated_failures_into_one_line(capsys):
    def boom(exc):
        raise exc

    assert run_guarded(boom, KeyboardInterrupt()) == EXIT_INTERRUPTED
    assert run_guarded(boom, OSError(errno.ENOSPC, "No space left", "/x/plan.csv")) == 1
    assert run_guarded(boom, PermissionError(errno.EACCES, "Permission denied", "/x")) == 1
    assert run_guarded(boom, MemoryError()) == 1
    err = capsys.readouterr().err
    assert "interrupted" in err and "the disk is full (/x/plan.csv)" in err and "permission denied" in err
    assert "Traceback" not in err


def test_a_closed_pipe_is_quiet():
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    p = subprocess.run(f"{sys.executable} -m planning.cli policy | head -1", shell=True, capture_output=True,
                       text=True, env=env)
    assert "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr


@pytest.mark.parametrize("args, words", [
    (["--time-limit", "2.5"], "whole number of seconds"), (["--time-limit", "0"], "at least 1"),
    (["--gap", "nan"], "finite"), (["--gap", "inf"], "finite"), (["--gap", "1.5"], "between 0 and 1"),
    (["--year", "twenty"], "whole number"),
])
def test_bad_arguments_are_refused_before_work(world, capsys, args, words):
    argv = ["plan", str(world["data"]), "--year", "2027", "--out", str(world["root"] / "p")]
    argv = argv[:2] + [a for a in argv[2:] if not (args[0] == "--year" and a in ("--year", "2027"))] + args
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2 and words in capsys.readouterr().err
    assert not (world["root"] / "p").exists()


def test_a_nan_in_the_policy_is_refused(world, capsys):
    world["policy"].write_text("solver:\n  gap: .nan\n", encoding="utf-8")
    assert main(["plan", str(world["data"]), "--year", "2027", "--out", str(world["root"] / "p"),
                 "--policy", str(world["policy"])]) == 2
    assert "finite" in capsys.readouterr().err


# --------------------------------------------------------------------------- formula-safe CSVs
@pytest.mark.parametrize("text", ["=1+2", "+A1", "-cmd", "@SUM(A1)", "\tx", "'quoted", "''", "plain", "-3.5",
                                  "+7", "", "=", "中文"])
def test_csv_safe_round_trips_exactly(text):
    safe = csv_safe(text)
    assert csv_unsafe(safe) == text
    if not pio._NUMBER.fullmatch(text):
        assert not safe.startswith(pio.FORMULA_START)


def test_plan_csvs_are_formula_safe_and_the_checker_reads_them(tmp_path):
    data = write_dataset(tmp_path,
                         cadres=[{"cadre_id": "=C1"}, {"cadre_id": "@C2", "level": "staff"}, {"cadre_id": "C3"}],
                         classes=[{"class_id": "=1+2"}], pins=None, busy=None, history=None)
    out = tmp_path / "plan"
    res = run_plan(data, YEAR, out, time_limit=10)
    text = (out / "plan.csv").read_text(encoding="utf-8") + (out / "classes.csv").read_text(encoding="utf-8")
    assert "'=1+2" in text and "\n=" not in text and ",=" not in text
    assert check_plan(data, out, YEAR) == []
    back = pio.read_plan_csv(out / "plan.csv")
    assert back["activity_id"].tolist() == res.plan["activity_id"].astype(str).tolist()
    frame = pd.DataFrame({"t": ["=x", "'y", "z", "-1"], "n": [1, -2, 3, 4]})
    pio.write_csv(frame, tmp_path / "f.csv")
    assert pio.read_plan_csv(tmp_path / "f.csv")["t"].tolist() == frame["t"].tolist()


# --------------------------------------------------------------------------- hostile input
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))


@pytest.mark.parametrize("text, words", [(LAUGHS, "expands to more than"), ("a: &a [*a]\n", "refers to itself"),
                                         ("x: " + "[" * 60 + "]" * 60 + "\n", "nested more than")])
def test_alias_bombs_and_deep_yaml_are_refused_quickly(world, capsys, text, words):
    world["policy"].write_text(text, encoding="utf-8")
    t = time.perf_counter()
    assert main(["policy", "--policy", str(world["policy"])]) == 2
    assert time.perf_counter() - t < 5
    err = capsys.readouterr().err
    assert words in err and str(world["policy"]) in err


def test_a_huge_settings_file_is_refused(tmp_path, monkeypatch):
    from planning import bounded

    monkeypatch.setattr(bounded, "MAX_YAML_BYTES", 100)
    p = tmp_path / "s.yaml"
    p.write_text("a: " + "x" * 200 + "\n")
    with pytest.raises(bounded.InputLimitError, match="larger than"):
        bounded.read_yaml(p)


def _bomb(path: Path, inflated: int) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * inflated)
    return path


def test_a_zip_bomb_workbook_is_refused_before_it_is_read(tmp_path, capsys):
    book = _bomb(tmp_path / "bomb.xlsx", 20 * 2 ** 20)
    assert book.stat().st_size < 100_000
    assert main(["validate", str(book), "--year", "2027"]) == 2
    err = capsys.readouterr().err
    assert "bomb.xlsx" in err and "times its packed size" in err


def test_workbook_limits_on_size_and_rows(tmp_path, monkeypatch):
    from planning import bounded
    from planning.data.generate import generate, write_dataset as write_generated
    from planning.data.load import read_raw

    write_generated(generate("small", YEAR, seed=7), tmp_path / "d", tmp_path / "d.xlsx")
    monkeypatch.setattr(bounded, "MAX_SHEET_ROWS", 10)
    _, problems = read_raw(tmp_path / "d.xlsx")
    assert len(problems) == 1 and "more than 10 rows" in problems[0].message
    monkeypatch.setattr(bounded, "MAX_XLSX_INFLATED", 1000)
    _, problems = read_raw(tmp_path / "d.xlsx")
    assert len(problems) == 1 and "unpacks to" in problems[0].message


def test_csv_limits_on_size_and_rows(tmp_path, monkeypatch):
    """A CSV table over the size limit is refused from its size (nothing read); one over the row
    limit while it is read; each is one message naming the table, and the command exits 2."""
    from planning import bounded
    from planning.data.load import read_raw

    data = write_dataset(tmp_path, history=[{"cadre_id": c, "topic": t} for c in ("C1", "C2", "C3") for t in ("law", "party")])
    rows = {t: len(pd.read_csv(data / f"{t}.csv")) for t in ("cadres", "history")}
    monkeypatch.setattr(bounded, "MAX_SHEET_ROWS", rows["cadres"])  # history is larger
    assert rows["history"] > rows["cadres"]
    _, problems = read_raw(data)
    assert [p.table for p in problems] == ["history"] and f"more than {rows['cadres']} rows" in problems[0].message
    monkeypatch.setattr(bounded, "MAX_SHEET_ROWS", 1_000_000)
    with open(data / "history.csv", "ab") as f:  # a sparse file: huge on paper, nothing on disk
        f.truncate(bounded.MAX_CSV_BYTES + 1)
    _, problems = read_raw(data)
    assert [p.table for p in problems] == ["history"] and "MiB" in problems[0].message
    assert main(["validate", str(data), "--year", str(YEAR)]) == 2


@pytest.mark.parametrize("breakage, words", [("gbk", "not UTF-8"), ("long cell", "longer than")])
def test_an_unreadable_table_is_one_message_not_a_cascade(tmp_path, capsys, breakage, words):
    data = write_dataset(tmp_path, history=[{"cadre_id": "C1"}, {"cadre_id": "C2"}], busy=[{"cadre_id": "C3"}])
    text = (data / "cadres.csv").read_text(encoding="utf-8")
    if breakage == "gbk":
        (data / "cadres.csv").write_bytes(text.replace("Zhao Min", "赵敏").encode("gbk"))
    else:
        (data / "cadres.csv").write_text(text.replace("Zhao Min", "x" * 200_000), encoding="utf-8")
    assert main(["validate", str(data), "--year", "2027"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("1 problem(s)") and words in err and "not found" not in err


# --------------------------------------------------------------------------- every command: unwritable, pipes
@pytest.mark.parametrize("command", WALKED + ["batch", "collect"])
def test_every_command_refuses_an_unwritable_out_before_work(world, monkeypatch, capsys, command):
    """(as if) the folder of --out is read-only: exit 2 naming it, nothing written."""
    ro = world["root"] / "ro"
    ro.mkdir()
    real = os.access
    monkeypatch.setattr(pio.os, "access", lambda p, mode: False if Path(p) == ro else real(p, mode))
    manifest = world["root"] / "m.yaml"
    manifest.write_text(yaml.safe_dump({"name": "m", "notebook": str(ANNUAL), "data": str(world["data"]),
                                        "years": 2027, "output": str(ro / "out")}), encoding="utf-8")
    argv = {**_commands(world, ro / "out"), "batch": ["batch", str(manifest), "--no-progress"],
            "collect": ["batch", "--collect", str(world["root"]), "--out", str(ro / "t.csv")]}[command]
    if command == "report":
        argv[argv.index("--out") + 1] = str(ro / "r.pdf")
    before = snapshot(world["root"])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "is not writable" in err and str(ro) in err and "Traceback" not in err
    assert snapshot(world["root"]) == before


@pytest.mark.parametrize("argv", [["policy"], ["validate", "{data}", "--year", "2027"], ["--help"],
                                  ["batch", "--collect", "{data}"]])
def test_a_closed_pipe_ends_quietly_for_every_printing_command(world, argv):
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    args = " ".join(a.format(data=world["data"]) for a in argv)
    p = subprocess.run(f"{sys.executable} -m planning.cli {args} | true", shell=True,
                       capture_output=True, text=True, env=env)
    assert p.stderr == ""


def test_compare_exits_non_zero_naming_the_failed_runs(world, monkeypatch, capsys):
    from types import SimpleNamespace

    import planning.compare

    runs = pd.DataFrame([{"name": "base", "run": "done", "error": ""},
                         {"name": "cut", "run": "error", "error": "OverflowError: too big"}])
    fake = SimpleNamespace(table=pd.DataFrame(), names=["base", "cut"], runs=runs, files={}, wall_seconds=1.0,
                           summaries={"base": {"status": "optimal", "requirement_met_share": 0.5}, "cut": {}})
    monkeypatch.setattr(planning.compare, "run_comparison", lambda *a, **k: fake)
    assert main(_commands(world, world["root"] / "cmp")["compare"]) == 1
    assert "1 run(s) failed: cut" in capsys.readouterr().err


def test_a_kill_between_the_fallback_renames_puts_the_old_folder_back(tmp_path):
    out = tmp_path / "out"
    with pio.output_dir(out) as tmp:
        (tmp / "a.txt").write_text("old")
    os.replace(out, tmp_path / ".out.old-123-456")  # as if killed right after the first rename
    half = tmp_path / ".out.tmp-abc"
    half.mkdir()
    pio.clear_leftovers(out)
    assert (out / "a.txt").read_text() == "old" and leftovers(tmp_path) == []


def test_a_plan_folder_from_before_the_marker_is_still_replaced(world):
    old = world["root"] / "old-plan"
    old.mkdir()
    (old / "summary.json").write_text("{}")
    (old / "plan.csv").write_text("cadre_id\n")
    check_output_target(old, [world["data"]])
    (old / "mine.txt").write_text("notes")
    with pytest.raises(OutputError, match="mine.txt"):
        check_output_target(old, [world["data"]])
