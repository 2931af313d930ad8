"""Chinese sample data: `planning generate --lang zh` and a report + workbook from it with no
English word outside ids, setting names and product names."""
from __future__ import annotations

import html as html_lib
import re

import openpyxl
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
