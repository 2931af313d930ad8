"""Chinese sample data: `planning generate --lang zh` and a report + workbook from it with no
English word outside ids, setting names and product names."""
from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from planning.data.generate import generate
from planning.data.generate_zh import to_chinese
from planning.data.generate import write_dataset
from planning.check import check_plan
from planning.pipeline import run_plan
from planning.report import build_report, build_workbook, render_report_html

YEAR = 2027
# what may stay in Latin letters: ids (CD00001, U001, C2027-001, R2027-01), setting names
# (requirement.annual_days, cadres.field), product and solver names, the time-zone id
ALLOWED = re.compile(r"\b[A-Z]{1,2}\d[\w-]*\b|\b[a-z_]+(?:\.[a-z0-9_]+)+\b|HiGHS|CBC|Asia/Shanghai|\.ics\b|\bLP\b|\bMIP\b|\bLNS\b")
LATIN = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str) -> list[str]:
    return sorted(set(LATIN.findall(ALLOWED.sub(" ", text))))


def test_chinese_data_has_the_english_data_s_numbers_and_no_english_text():
    en = generate(40, YEAR, 3)
    zh = to_chinese(en)
    for name, df in en.items():
        assert list(df.columns) == list(zh[name].columns) and len(df) == len(zh[name]), name
    for name, cols in {"units": ["name", "district"], "cadres": ["name"], "classes": ["title", "topic", "institution"],
                       "rotations": ["title"], "blackouts": ["reason"], "busy": ["reason"],
                       "course_ratings": ["comment", "institution"]}.items():
        for c in cols:
            words = english_words(" ".join(str(v) for v in zh[name][c]))
            assert words == [], (name, c, words)
    assert zh["cadres"]["cadre_id"].tolist() == en["cadres"]["cadre_id"].tolist()
    assert zh["classes"]["days"].tolist() == en["classes"]["days"].tolist()


@pytest.fixture(scope="module")
def zh_plan(tmp_path_factory):
    root = tmp_path_factory.mktemp("zh")
    data = root / "data"
    write_dataset(to_chinese(generate(30, YEAR, 3)), data)
    out = root / "plan"
    run_plan(data, YEAR, out, time_limit=20)
    assert check_plan(data, out, YEAR) == []
    return data, out, root


def _text_of_html(doc: str) -> str:
    doc = re.sub(r"<style.*?</style>", " ", doc, flags=re.S)
    doc = re.sub(r"<[^>]+>", " ", doc)  # tags, their attributes and the charts' data URIs
    return html_lib.unescape(doc)


def test_chinese_report_and_workbook_have_no_english(zh_plan):
    data, out, root = zh_plan
    text = _text_of_html(render_report_html(out, data, YEAR, lang="zh"))
    assert english_words(text) == []
    build_report(out, data, YEAR, root / "plan.pdf", lang="zh")
    assert (root / "plan.pdf").read_bytes().startswith(b"%PDF")
    build_workbook(out, data, YEAR, root / "plan.xlsx", lang="zh")
    wb = openpyxl.load_workbook(root / "plan.xlsx", read_only=True)
    # every sheet: names, headers and cells (the KPI sheet's first column is its machine key,
    # kept for comparing runs, like an id)
    for k, ws in enumerate(wb.worksheets):
        rows = list(ws.iter_rows(values_only=True))
        skip = 0 if rows and rows[0][0] in ("代码", "key") else None
        cells = [ws.title] + [str(v) for row in rows for j, v in enumerate(row) if isinstance(v, str) and j != skip]
        assert english_words(" ".join(cells)) == [], ws.title


def test_committed_chinese_sample_is_the_generator_s(tmp_path):
    """data/sample-zh is `planning generate --size medium --year 2027 --seed 7 --lang zh`, byte for byte."""
    from pathlib import Path
    sample = Path(__file__).resolve().parents[1] / "data" / "sample-zh"
    write_dataset(to_chinese(generate("medium", YEAR, 7)), tmp_path / "zh")
    for f in sorted(sample.glob("*.csv")):
        assert (tmp_path / "zh" / f.name).read_bytes() == f.read_bytes(), f.name


def _workbook_words(path, skip_headers=("代码", "key"), path_headers=("文件", "文件夹")) -> dict[str, list[str]]:
    """English words per sheet of a workbook: sheet name, headers and text cells (the first column
    when it is the machine key, and the cells of the file and folder columns, which are names on
    disk like ids, left out)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    found = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        head = list(rows[0]) if rows else []
        skip = {j for j, h in enumerate(head) if h in skip_headers or h in path_headers}
        cells = [ws.title] + [str(v) for v in head if v is not None]
        cells += [str(v) for row in rows[1:] for j, v in enumerate(row) if isinstance(v, str) and j not in skip]
        found[ws.title] = english_words(" ".join(cells))
    wb.close()
    return found


def test_chinese_comparison_handout_workbook_and_console_have_no_english(zh_plan, capsys):
    """`planning compare` on Chinese data: handout, workbook and its lines in Chinese (two scenarios,
    one a policy change relative to the baseline, one a data edit, and a one-point budget sweep)."""
    import pypdf

    from planning.cli import main

    data, _, root = zh_plan
    (root / "cap.yaml").write_text("name: 离岗上限15\ndescription: 单位同日离岗不超过15%\n"
                                   "policy: {absence.max_absent_share: 0.15, budget.share_of_baseline: 0.9}\n",
                                   encoding="utf-8")
    autumn = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "autumn-plus-20.yaml"  # with title_zh
    out = root / "compare"
    code = main(["compare", str(data), "--year", str(YEAR), "--scenarios", str(root / "cap.yaml"),
                 str(autumn), "--out", str(out), "--time-limit", "2", "--jobs", "2", "--sweep", "0.8"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    # the console: paths are the user's own (left out), everything else Chinese
    assert english_words(printed.replace(str(out), " ").replace(str(root), " ")) == [], printed
    pdf = "".join(p.extract_text() for p in pypdf.PdfReader(out / "comparison.pdf").pages)
    assert "基准方案" in pdf and "秋季班名额增加20%" in pdf and "离岗上限15" in pdf
    assert english_words(pdf.replace(str(data), " ")) == []
    found = _workbook_words(out / "comparison.xlsx")
    assert list(found) == ["指标对比", "情景", "安排差异", "干部变化", "预算测算"]
    assert {k: v for k, v in found.items() if v} == {}
    # the files keep their contract: English machine names and values
    assert "requirement_met_share" in (out / "comparison.csv").read_text(encoding="utf-8")
    from planning.data.load import load_dataset
    from planning.scenarios import apply_scenario, load_scenario
    from planning.policy import load_policy

    ds = load_dataset(data, YEAR)
    assert check_plan(ds, out / "base", YEAR, out / "base" / "policy.yaml") == []
    for n, f in (("离岗上限15", root / "cap.yaml"), ("autumn-plus-20", autumn)):
        edited, _ = apply_scenario(ds, load_scenario(f).with_baseline_cost(1.0), YEAR, load_policy())
        assert check_plan(edited, out / n, YEAR, out / n / "policy.yaml") == [], n


def test_chinese_replan_says_why_in_chinese(zh_plan, tmp_path):
    """A re-plan on Chinese data: changes.csv's reason in Chinese (made from the reason codes), the
    codes and the English words beside it; the plan checked against the changed data."""
    import datetime as dt

    from planning.data.load import load_dataset
    from planning.inyear.replan import replan
    from planning.io import read_plan_csv

    data, out, _ = zh_plan
    ds = load_dataset(data, YEAR)
    plan = read_plan_csv(out / "plan.csv")
    later = plan[(plan["kind"] == "class") & (plan["start_date"] >= "2027-06-01")]
    gone = later["activity_id"].value_counts().index[0]
    changed = ds.copy()
    changed.tables["classes"] = ds.classes[ds.classes["class_id"] != gone].reset_index(drop=True)
    changed.tables["pins"] = ds.pins[ds.pins["activity_id"] != gone].reset_index(drop=True)
    r = replan(changed, YEAR, out, dt.date(2027, 4, 1), tmp_path / "re", time_limit=10)
    ch = read_plan_csv(tmp_path / "re" / "changes.csv")
    assert len(ch) and (ch["reason"] == ch["reason_zh"]).all()
    assert english_words(" ".join(ch["reason"])) == []
    assert f"培训班 {gone} 取消" in " ".join(ch["reason"]) and f"class {gone} cancelled" in " ".join(ch["reason_en"])
    assert all(c.startswith("rp_") for row in ch["reason_codes"] for c in row.split(";"))
    assert check_plan(changed, tmp_path / "re", YEAR) == [] and r.summary["changes"] == len(ch)
    # the change notice's before/after dates as the Chinese report writes dates, like its reasons
    doc = render_report_html(tmp_path / "re", changed, YEAR, lang="zh")
    notice = doc[doc.index('id="sec-changes"'):doc.index('id="sec-summary"')]
    notice = _text_of_html(notice[notice.index(">") + 1:notice.rindex("<section")])
    dated = [x for x in list(ch["before"]) + list(ch["after"]) if "…" in x]
    assert dated and "…" not in notice and "2027年4月1日" in notice and english_words(notice) == []


@pytest.mark.parametrize("command", [["assess"], ["pool", "select", "--quota", "3"], ["pool", "review"],
                                     ["pool", "fill"], ["growth"]])
def test_chinese_pool_commands_say_everything_in_chinese(zh_plan, tmp_path, capsys, command):
    """The pool's commands on Chinese data (no --lang): their lines, reasons and pool.xlsx in Chinese."""
    import pypdf

    from planning.cli import main

    data, _, _ = zh_plan
    out = tmp_path / "out"
    code = main(command[:2] + [str(data)] + command[2:] + ["--year", str(YEAR), "--out", str(out)]
                if command[0] == "pool" else command + [str(data), "--year", str(YEAR), "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert english_words(printed.replace(str(out), " ")) == [], printed
    for csv in out.glob("*.csv"):
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        if "reason" in frame:
            assert english_words(" ".join(frame["reason"])) == [], csv.name
    if (out / "pool.xlsx").exists():
        assert {k: v for k, v in _workbook_words(out / "pool.xlsx").items() if v} == {}
    if (out / "growth.pdf").exists():
        text = "".join(p.extract_text() for p in pypdf.PdfReader(out / "growth.pdf").pages)
        assert english_words(text.replace(str(data), " ")) == []


def test_chinese_close_year_replan_and_simulate_lines(zh_plan, tmp_path, capsys):
    """validate, plan, close-year, replan, simulate and check on Chinese data print their lines in Chinese (no --lang)."""
    from planning.cli import main

    data, plan, _ = zh_plan
    runs = {"validate": ["validate", str(data), "--year", str(YEAR)],
            "plan": ["plan", str(data), "--year", str(YEAR), "--out", str(tmp_path / "p"), "--time-limit", "5"],
            "close": ["close-year", str(data), str(plan), "--year", str(YEAR), "--out", str(tmp_path / "next")],
            "replan": ["replan", str(data), "--year", str(YEAR), "--base", str(plan), "--as-of", "2027-04-01",
                       "--out", str(tmp_path / "re"), "--time-limit", "5"],
            "simulate": ["simulate", str(data), "--start-year", str(YEAR), "--years", "2", "--runs", "1",
                         "--out", str(tmp_path / "sim"), "--no-progress", "--jobs", "1"],
            "check": ["check", str(data), str(plan), "--year", str(YEAR)]}
    for name, argv in runs.items():
        assert main(argv) == 0, name
        printed = capsys.readouterr().out
        for f in ("next", "re", "sim", "p"):
            printed = printed.replace(str(tmp_path / f), " ")
        printed = printed.replace(str(plan), " ").replace("changes.csv", " ").replace(str(data), " ")
        assert english_words(printed) == [], (name, printed)
    assert check_plan(data, tmp_path / "p", YEAR) == [] and check_plan(data, tmp_path / "re", YEAR) == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_policy_pages_show_meanings_and_values_and_the_appendix_the_names(zh_plan, lang):
    """The policy pages: each rule's meaning and its value with the unit, no setting names (a meaning
    that names another setting gets that setting's value); the names are in the appendix."""
    data, out, _ = zh_plan
    doc = render_report_html(out, data, YEAR, lang=lang)
    body = doc[doc.index('id="sec-policy"'):]
    body = body[:body.index("<section", 10)]
    assert re.findall(r"\b[a-z_]+\.[a-z0-9_]+\b", _text_of_html(body)) == []
    assert ("12 days" if lang == "en" else "12天") in body and "1/7" in body
    appendix = doc[doc.index('id="sec-appendix-solver"'):]
    assert "requirement.annual_days" in appendix and "absence.max_absent_share" in appendix


def test_chinese_warnings_are_chinese_in_the_report_console_and_notebook(tmp_path, capsys):
    """A Chinese data set with a class over National Day and a window too short for its class: the data's
    warnings and the planner's own (the class it cannot schedule) keep their English sentences in
    summary.json's `warnings` and come in Chinese, by code, in the zh report, the console and the notebook."""
    from planning import notebook_api as nb
    from planning.cli import main
    from planning.data.load import load_dataset
    import json

    tables = to_chinese(generate(30, YEAR, 3))
    c = tables["classes"]
    fixed = c.index[c["start_date"].astype(str).str.len() == 10][0]
    windowed = c.index[c["window_start"].astype(str).str.len() == 10][0]
    c.loc[fixed, ["start_date", "end_date"]] = ["2027-09-27", "2027-10-08"]
    c.loc[windowed, "window_end"] = c.loc[windowed, "window_start"]
    write_dataset(tables, tmp_path / "data")
    data, out = tmp_path / "data", tmp_path / "plan"
    assert main(["validate", str(data), "--year", str(YEAR)]) == 0
    assert main(["plan", str(data), "--year", str(YEAR), "--out", str(out), "--time-limit", "10"]) == 0
    printed = capsys.readouterr().out.replace(str(data), " ").replace(str(out), " ")
    assert check_plan(data, out, YEAR) == []
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    codes = [n["code"] for n in s["warning_notes"]]
    assert len(s["warnings"]) == len(codes) and {"dw_holiday", "dw_window_short", "pw_unscheduled"} <= set(codes)
    assert any("National Day" in w for w in s["warnings"]) and any("is not scheduled" in w for w in s["warnings"])
    assert "国庆节" in printed and "未能排期" in printed and english_words(printed) == [], printed
    doc = _text_of_html(render_report_html(out, data, YEAR, lang="zh"))
    assert "国庆节" in doc and "未能排期" in doc and english_words(doc) == []
    assert "National Day" in _text_of_html(render_report_html(out, data, YEAR, lang="en"))
    table = nb.warning_table(load_dataset(data, YEAR), "zh")
    assert len(table) == 2 and english_words(" ".join(table["warning"])) == []
