"""The message catalogue: reason codes checked against the checker's own view, the status line
true to how the solve stopped, every sentence in both languages."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import YEAR, write_dataset
from planning import messages as M
from planning.check import check_plan
from planning.model.solve import stop_reason
from planning.pipeline import run_plan

LATIN = re.compile(r"[A-Za-z]{2,}")
IDS = re.compile(r"\b[A-Z]+\d[\w-]*\b")


def _english_words(text: str) -> list[str]:
    """Latin words in a Chinese text, ids (K1, U1, C2027-001) left out."""
    return LATIN.findall(IDS.sub("", text))


@pytest.fixture(scope="module")
def short_plan(tmp_path_factory):
    """Five section cadres of one unit, one 2-place class, one cancelled class (min size 3, one
    cadre busy for it), a unit blackout: several kinds of reason in one small plan."""
    root = tmp_path_factory.mktemp("msg")
    cadres = [{"cadre_id": f"C{k}", "name": f"Cadre {k}", "level": "section", "is_reserve": "yes" if k < 3 else "no"}
              for k in range(1, 6)]
    data = write_dataset(
        root, cadres=cadres, units=[{"unit_id": "U1", "max_absent_share": 1.0}],
        classes=[{"class_id": "K1", "capacity": 2},
                 {"class_id": "K2", "topic": "Law", "start_date": "2027-10-11", "end_date": "2027-10-22",
                  "capacity": 10, "min_size": 3},
                 {"class_id": "K3", "topic": "Ecology", "start_date": "2027-05-10", "end_date": "2027-05-21"}],
        blackouts=[{"start_date": "2027-05-01", "end_date": "2027-05-31", "scope": "U1", "reason": "audit"}],
        busy=[{"cadre_id": "C3", "start_date": "2027-10-01", "end_date": "2027-10-31", "reason": "harvest"},
              {"cadre_id": "C4", "start_date": "2027-10-01", "end_date": "2027-10-31", "reason": "harvest"}],
        rotations=[], history=[])
    out = root / "plan"
    res = run_plan(data, YEAR, out, time_limit=20)
    return data, out, res


def test_reason_codes_are_written_and_agree_with_the_checker(short_plan):
    data, out, res = short_plan
    sf = pd.read_csv(out / "shortfall.csv", dtype=str, keep_default_na=False)
    assert {"reasons", "reason_codes", "reasons_zh"} <= set(sf.columns)
    assert len(sf) >= 2
    codes = {c for row in sf["reason_codes"] for c in row.split(";")}
    assert codes <= set(M.REASON_CODES)
    assert {"blackout", "full_higher"} <= codes, codes
    assert check_plan(data, out, YEAR) == []


@pytest.mark.parametrize("code", ["budget", "no_class_for_level"])
def test_checker_refuses_a_reason_the_data_does_not_support(short_plan, tmp_path, code):
    """No budget is set and every short cadre has classes open to them: the checker must say so."""
    data, out, _ = short_plan
    bad = tmp_path / "plan"
    bad.mkdir()
    for f in out.iterdir():
        if f.is_file():
            (bad / f.name).write_bytes(f.read_bytes())
    sf = pd.read_csv(bad / "shortfall.csv", dtype=str, keep_default_na=False)
    sf.loc[0, "reason_codes"] = sf.loc[0, "reason_codes"] + ";" + code
    sf.to_csv(bad / "shortfall.csv", index=False)
    problems = check_plan(data, bad, YEAR)
    assert any("do not support" in p and code in p for p in problems), problems


def test_unknown_reason_code_is_refused(short_plan, tmp_path):
    data, out, _ = short_plan
    bad = tmp_path / "plan"
    bad.mkdir()
    for f in out.iterdir():
        if f.is_file():
            (bad / f.name).write_bytes(f.read_bytes())
    sf = pd.read_csv(bad / "shortfall.csv", dtype=str, keep_default_na=False)
    sf.loc[0, "reason_codes"] = "moon_phase"
    sf.to_csv(bad / "shortfall.csv", index=False)
    assert any("unknown reason code" in p for p in check_plan(data, bad, YEAR))


def test_chinese_reasons_have_no_english(short_plan):
    _, out, _ = short_plan
    sf = pd.read_csv(out / "shortfall.csv", dtype=str, keep_default_na=False)
    for text in sf["reasons_zh"]:
        # the data's own words (the blackout's and busy period's reasons) are English in this fixture
        assert _english_words(text.replace("audit", "").replace("harvest", "")) == [], text


def test_every_reason_renders_in_both_languages():
    values = {"n": 3, "ids": ("K1", "K2", "K3"), "periods": (("2027-05-01", "2027-05-31", "审计"),),
              "unit": "U1", "cap": 2, "days": ("2027-05-03",), "level": "section", "n_level": 2, "n_topic": 1,
              "activity": "R1", "kind": "rotation", "budget": 100000, "measure": "days", "got": (4, 30),
              "need": (12, 90)}
    for code in M.REASON_CODES:
        r = M.Reason(code, values)
        en, zh = r.text("en"), r.text("zh")
        assert en and zh and "{" not in en + zh
        assert _english_words(zh) == [], (code, zh)
        assert M.reason_name(code, "en") and _english_words(M.reason_name(code, "zh")) == []
    for code, texts in M.MESSAGES.items():
        assert {"en", "zh"} <= set(texts) <= {"en", "zh", "en_one"}, code
        assert _english_words(re.sub(r"\{\w+\}", "", texts["zh"])) == [], code
    for code in M.REASON_CODES:
        assert M.remedy(code, "en") and _english_words(M.remedy(code, "zh")) == [], code
    for name in ("highs", "cbc", "base"):
        assert _english_words(M.solver_name(name, "zh").replace("HiGHS", "").replace("CBC", "")) == []


# --------------------------------------------------------------------------- the status line
def test_stop_reason_distinguishes_steps_time_and_gap():
    assert stop_reason("feasible", 0.018, 0.001, 25.0, 120.0, "") == "steps"
    assert stop_reason("feasible", 0.018, 0.001, 119.0, 120.0, "") == "time"
    assert stop_reason("feasible", 0.018, 0.001, 30.0, 120.0, "Time limit reached") == "time"
    assert stop_reason("optimal", 0.0005, 0.001, 30.0, 120.0, "Optimal") == "gap"
    assert stop_reason("optimal", 0.0, 0.001, 3.0, 120.0, "Optimal") == "optimal"
    assert stop_reason("infeasible", None, 0.001, 3.0, 120.0, "") == "none"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_status_line_says_what_happened(lang):
    base = {"status": "feasible", "gap": 0.018, "gap_limit": 0.001, "time_limit": 120.0, "solve_seconds": 25.0}
    steps = M.status_line({**base, "stopped_by": "steps"}, lang)
    time = M.status_line({**base, "stopped_by": "time", "solve_seconds": 120.0}, lang)
    gap = M.status_line({**base, "status": "optimal", "gap": 0.0008, "stopped_by": "gap"}, lang)
    best = M.status_line({**base, "status": "optimal", "gap": 0.0, "stopped_by": "optimal"}, lang)
    assert ("1.8 %" if lang == "en" else "1.8%") in steps
    if lang == "en":
        assert "a good plan" in steps.lower() and "steps" in steps and "25 s" in steps and "limit" not in steps
        assert "whole time allowance of 2 min" in time
        assert "0.10 %" in gap and "time" not in gap
        assert best.startswith("The best possible plan")
    else:
        assert "步数" in steps and "用完" in time and "差距不超过0.10%" in gap
        for text in (steps, time, gap, best):
            assert _english_words(text) == [], text
    assert len({steps, time, gap, best}) == 4


def test_summary_records_how_the_solve_stopped(short_plan):
    _, _, res = short_plan
    s = res.summary
    assert s["stopped_by"] in ("optimal", "gap", "time", "steps")
    assert s["time_limit"] == 20.0
    if s["stopped_by"] == "steps":
        assert s["solve_seconds"] < 0.95 * s["time_limit"]
    line = M.status_line(s, "en")
    assert "time allowance" not in line or s["stopped_by"] == "time"


# --------------------------------------------------------------------------- policy pages
def test_every_setting_has_a_whole_meaning_and_group_in_both_languages():
    from planning.policy import default_policy
    from planning.report.content import _default_comments
    from planning.report.labels import CODES, Labels
    comments = _default_comments()
    en, zh = Labels("en"), Labels("zh")
    for key in default_policy():
        e, z = en.policy_meaning(key, comments.get(key, "")), zh.policy_meaning(key, "")
        assert e and z, key
        assert "..." not in e and "……" not in z and not e.endswith(("the", "a", "and", "but", "in the")), (key, e)
        assert _english_words(re.sub(r"[a-z_]+\.[a-z_.]+|\b(unit|district|highs|cbc|false|true|LNS|MIP|LP|ics)\b", "", z)) == [] or \
            key.startswith("solver.name"), (key, z)
        group = key.split(".", 1)[0]
        assert group in CODES["policy_group"]["en"] and group in CODES["policy_group"]["zh"], group


def test_every_room_catalogue_says_everything_in_chinese_too():
    """A room's own texts (planning.messages.Catalogue subclasses) exist in both languages."""
    import planning.activities.words
    import planning.compare.words
    import planning.pool.growth_words
    import planning.pool.words
    import planning.simulate.words  # noqa: F401
    from planning.messages import Catalogue

    rooms = Catalogue.__subclasses__()
    assert len(rooms) >= 5
    for room in rooms:
        missing = sorted(set(room.EN) - set(room.ZH) - set(room.EN_ONLY))
        assert not missing, f"{room.__module__}: no Chinese text for {missing}"
        assert room("zh").lang == "zh" and room("en")(next(iter(room.EN))) == room.EN[next(iter(room.EN))]


def test_every_report_label_is_read_by_some_code():
    """A label nobody reads is a translation kept up for nothing (16 were found and removed): every
    key of the report's labels must be named in some source or template of the planner."""
    from pathlib import Path

    from planning.report.labels import EN, ZH

    root = Path(__file__).resolve().parents[1] / "planning"
    # the rooms' own catalogues (words.py) have keys of the same names: they do not read these
    code = "\n".join(p.read_text(encoding="utf-8") for p in sorted(root.rglob("*"))
                     if p.suffix in (".py", ".html") and p.name not in ("labels.py", "words.py", "growth_words.py"))
    unread = sorted(k for k in set(EN) | set(ZH) if k not in code)
    assert unread == []


def test_one_is_singular_in_english():
    """'1 class is cancelled', never '1 classes are cancelled'; the singular forms take the same
    values as the plural ones, and Chinese has one form."""
    import string

    from planning.messages import MESSAGES, say

    assert say("cancelled_list", "en", n=1, titles="X") == "1 class is cancelled for too few trainees: X."
    assert say("cancelled_list", "en", n=2, titles="X, Y").startswith("2 classes are cancelled")
    assert "1 cadre short" in say("decide_worst", "en", what="division", short=1)
    assert say("cancelled_list", "zh", n=1, titles="X") == "1个培训班因人数不足取消：X。"
    fields = lambda t: {f for _, f, _, _ in string.Formatter().parse(t) if f}  # noqa: E731
    ones = {code: e for code, e in MESSAGES.items() if "en_one" in e}
    assert len(ones) >= 7
    for code, e in ones.items():
        assert fields(e["en_one"]) <= fields(e["en"]), code
    # the report's labels: a count of 1 in a sentence takes the singular, "1 of 5" keeps the plural
    from planning.report.labels import Labels, singular_en

    assert singular_en("1 classes run, 1 cadres do not meet it; 0 of 1 cadres; 11 units; 1.5 days") == \
        "1 class runs, 1 cadre does not meet it; 0 of 1 cadres; 11 units; 1.5 days"
    assert Labels("en").fmt("shortfall_lead", n=1).startswith("1 cadre does not meet")
    assert "1名" in Labels("zh").fmt("shortfall_lead", n=1)
    # shortfall reasons agree in number
    assert M.Reason("topic_taken", {"ids": ("K1",)}).text("en").startswith("K1 repeats")
    assert M.Reason("offer_too_small", {"n": 1, "got": (0, 20), "need": (0, 90), "measure": "hours"}).text(
        "en").startswith("the only eligible class gives")
