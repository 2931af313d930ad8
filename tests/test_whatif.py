"""What-if: a change becomes a scenario that compare / batch / plan accept unchanged, the quick
re-plan passes the independent checker, and the difference is told in words that match the plans."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from planning.cli import main as cli_main
from planning.data.load import load_dataset
from planning.io import OutputError
from planning.policy import load_policy
from planning.scenarios import ScenarioError, apply_scenario, load_scenario, parse_scenario
from planning.whatif import Change, WhatIf, WhatIfError, figures_table, quick_policy, safe_name, scenario_yaml

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "data" / "small"
YEAR = 2027
CHANGE = Change(capacity=(("season", "autumn", 1.5),), budget_share=0.9, absent_share=0.3,
                pins=(("CD00059", "C2027-013", "must_not"),))


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    s = WhatIf.start(SMALL, YEAR, workdir=tmp_path_factory.mktemp("whatif"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def outcome(session):
    return session.apply(CHANGE)


def test_quick_policy_takes_the_whatif_settings():
    pol = load_policy()
    q = quick_policy(pol)
    assert q["solver.time_limit"] == pol["whatif.time_limit"]
    assert q["lagrange.iterations"] == pol["whatif.lagrange_iterations"]
    assert q["solver.gap"] == pol["whatif.gap"]


def test_change_becomes_a_scenario_file_that_reads_back(session, tmp_path):
    sc = session.scenario(CHANGE, "autumn-more")
    back = parse_scenario(__import__("yaml").safe_load(scenario_yaml(sc)), "x.yaml")
    assert back.edits == sc.edits and back.policy == sc.policy and back.name == "autumn-more"
    assert sc.policy["budget.total"] == round(0.9 * session.base.summary["cost"])
    assert sc.policy["absence.max_absent_share"] == 0.3
    assert {"add_pins": [{"cadre_id": "CD00059", "activity_id": "C2027-013", "rule": "must_not"}]} in sc.edits


def test_add_pins_replaces_the_pin_on_the_same_pair():
    ds = load_dataset(SMALL, YEAR)
    assert ((ds.pins["cadre_id"] == "CD00059") & (ds.pins["rule"] == "must")).any()
    sc = parse_scenario({"name": "p", "edits": [{"add_pins": [
        {"cadre_id": "CD00059", "activity_id": "C2027-013", "rule": "must_not"}]}]})
    out, _ = apply_scenario(ds, sc, YEAR, load_policy())
    rows = out.pins[(out.pins["cadre_id"] == "CD00059") & (out.pins["activity_id"] == "C2027-013")]
    assert list(rows["rule"]) == ["must_not"]
    assert len(out.pins) == len(ds.pins)
    assert len(ds.pins[ds.pins["rule"] == "must"]) >= 1  # the data set itself is untouched


def test_add_pins_names_an_unknown_cadre():
    sc = parse_scenario({"name": "p", "edits": [{"add_pins": [
        {"cadre_id": "NOBODY", "activity_id": "C2027-013", "rule": "must"}]}]}, "p.yaml")
    with pytest.raises(ScenarioError, match=r"p\.yaml.*edit 1 \(add_pins\) item 1, column cadre_id"):
        apply_scenario(load_dataset(SMALL, YEAR), sc, YEAR, load_policy())


def test_move_classes_moves_dates_and_windows_by_weeks():
    import datetime as dt

    ds = load_dataset(SMALL, YEAR)
    sc = parse_scenario({"name": "m", "edits": [{"move_classes": {"select": {"class_id": ["C2027-013", "C2027-009"]},
                                                                   "weeks": 2}}]})
    out, _ = apply_scenario(ds, sc, YEAR, load_policy())
    old, new = ds.classes.set_index("class_id"), out.classes.set_index("class_id")
    two = dt.timedelta(weeks=2)
    assert new.at["C2027-013", "start_date"] == old.at["C2027-013", "start_date"] + two
    assert new.at["C2027-013", "end_date"] == old.at["C2027-013", "end_date"] + two
    assert new.at["C2027-009", "window_start"] == old.at["C2027-009", "window_start"] + two
    assert new.at["C2027-009", "start_date"] is None


@pytest.mark.parametrize("weeks, words", [(-52, "outside the plan year 2027"), (1.5, "whole number of weeks"),
                                          (0, "whole number of weeks")])
def test_move_classes_refuses_in_words(weeks, words):
    sc = parse_scenario({"name": "m", "edits": [{"move_classes": {"select": {"class_id": "C2027-013"},
                                                                   "weeks": weeks}}]}, "m.yaml")
    with pytest.raises(ScenarioError, match=words):
        apply_scenario(load_dataset(SMALL, YEAR), sc, YEAR, load_policy())


@pytest.mark.parametrize("change, words", [
    (Change(capacity=(("district", "East", 1.2),)), "capacity can be scaled by"),
    (Change(budget_share=0), "budget share"),
    (Change(absent_share=1.5), "absence cap"),
    (Change(priority=(("nobody", 3),)), "not a priority weight"),
    (Change(pins=(("CD00059", "C2027-013", "maybe"),)), "must or must_not"),
    (Change(moves=(("C2027-013", 1.5),)), "whole weeks"),
])
def test_bad_changes_are_refused_in_words(session, change, words):
    with pytest.raises(WhatIfError, match=words):
        session.scenario(change)


def test_replan_honours_the_change_and_passes_the_checker(session, outcome):
    res = outcome.result
    assert res.out_dir is not None and (res.out_dir / "plan.csv").exists()  # written = checked
    plan = res.plan
    assert plan[(plan["cadre_id"] == "CD00059") & (plan["activity_id"] == "C2027-013")].empty
    assert res.summary["cost"] <= outcome.scenario.policy["budget.total"] + 1e-6
    assert res.summary["seats_offered"] > session.base.summary["seats_offered"]
    assert res.summary["scenario"] == "what-if"


def test_difference_matches_the_plans(session, outcome):
    base, now = session.base, outcome.result
    f = outcome.figures
    assert f.at["requirement_met", "change"] == now.summary["requirement_met"] - base.summary["requirement_met"]
    gains = set(outcome.cadres.loc[outcome.cadres["change"] == "gains", "cadre_id"])
    loses = set(outcome.cadres.loc[outcome.cadres["change"] == "loses", "cadre_id"])
    met_b = dict(zip(base.coverage["cadre_id"], base.coverage["met"]))
    met_n = dict(zip(now.coverage["cadre_id"], now.coverage["met"]))
    assert gains == {c for c in met_n if met_n[c] and not met_b[c]}
    assert loses == {c for c in met_n if met_b[c] and not met_n[c]}
    assert len(gains) - len(loses) == f.at["requirement_met", "change"]
    text = " ".join(outcome.sentences)
    assert f"of {now.summary['cadres']}" in text and now.summary["status"] in text
    from planning.whatif import absence_load

    assert f.at["units_at_cap", "now"] == absence_load(now)["units_at_cap"]
    assert any(line.startswith("Unit absence") for line in outcome.sentences)
    table = figures_table(outcome)
    assert table.loc["seats offered", "now"] == f"{now.summary['seats_offered']:,}"


def test_no_change_says_so(session):
    same = session.apply(Change())
    assert same.sentences[0].startswith("As many cadres meet the requirement as before")
    assert same.result.summary["requirement_met"] == session.base.summary["requirement_met"]


def test_saved_scenario_plans_with_plan_and_compare_names(session, tmp_path, capsys):
    path = session.save_scenario(CHANGE, tmp_path / "scenarios", safe_name("autumn more / budget"))
    assert path.name == "autumn-more-budget.yaml"
    sc = load_scenario(path)
    assert sc.name == "autumn-more-budget"
    assert session.save_scenario(Change(), tmp_path / "scenarios", "autumn-more-budget") == path  # its own: replaced
    other = tmp_path / "scenarios" / "colleague.yaml"
    other.write_text("name: colleague\n", encoding="utf-8")
    with pytest.raises(OutputError, match="exists already"):
        session.save_scenario(CHANGE, tmp_path / "scenarios", "colleague")
    assert other.read_text(encoding="utf-8") == "name: colleague\n"
    path = session.save_scenario(CHANGE, tmp_path / "scenarios", "autumn-more-budget")
    out = tmp_path / "plan"
    rc = cli_main(["plan", str(SMALL), "--year", str(YEAR), "--out", str(out), "--scenario", str(path),
                   "--time-limit", "10"])
    assert rc == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "autumn-more-budget"
    assert "Scenario autumn-more-budget applied" in capsys.readouterr().out


def test_plan_with_a_bad_scenario_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nedits:\n  - scale_capacity: {select: {season: winter}, factor: 2}\n", encoding="utf-8")
    out = tmp_path / "plan"
    assert cli_main(["plan", str(SMALL), "--year", str(YEAR), "--out", str(out), "--scenario", str(bad)]) == 2
    assert not out.exists()
    assert "winter" in capsys.readouterr().err


# --------------------------------------------------------------------------- the widgets (no browser)
def test_widgets_apply_save_and_export(tmp_path):
    from planning.whatif_widgets import WhatIfApp

    app = WhatIfApp(WhatIf.start(SMALL, YEAR, workdir=tmp_path / "work"), scenario_dir=tmp_path / "scenarios",
                    export_dir=tmp_path / "export")
    assert app.change().empty
    before = app.cards.value
    app.season["autumn"].value = 1.5
    app.budget_on.value, app.budget.value = True, 0.9
    app.pin_cadre.value, app.pin_class.value, app.pin_rule.value = "CD00059", "C2027-013", "must_not"
    app.pin_add.click()
    app.pin_add.click()  # the same pair again: one pin
    app.move_class.value, app.move_weeks.value = "C2027-013", 3
    app.move_add.click()
    app.move_weeks.value = 1
    app.move_add.click()  # the same class again: the later move replaces the earlier
    assert app.change() == Change(capacity=(("season", "autumn", 1.5),), budget_share=0.9,
                                  pins=(("CD00059", "C2027-013", "must_not"),), moves=(("C2027-013", 1),))
    app.apply_button.click()
    assert app.outcome is not None, app.status.value
    assert app.cards.value != before and 'data-key="requirement_met_share"' in app.cards.value
    assert app.outcome.sentences[0] in __import__("html").unescape(app.words.value)
    app.name.value = "meeting choice"
    app.save_button.click()
    assert app.saved == tmp_path / "scenarios" / "meeting-choice.yaml"
    assert load_scenario(app.saved).edits == app.outcome.scenario.edits
    moved = app.outcome.result.classes.set_index("class_id")
    assert str(moved.at["C2027-013", "start_date"]) == "2027-11-01"  # one week after 2027-10-25
    app.export_button.click()
    assert app.exported is not None and app.exported.read_bytes()[:4] == b"%PDF"
    # a change the data cannot take is shown, not raised
    app.pin_cadre.value, app.pin_class.value, app.pin_rule.value = "CD00014", "C2027-013", "must"
    app.pin_add.click()
    assert app.apply() is None and "Not applied" in app.status.value and "not open to their level" in app.status.value


def test_a_starting_scenario_is_the_baseline_and_stays_in_the_saved_file(tmp_path):
    start = tmp_path / "start.yaml"
    start.write_text("name: start\ndescription: stricter cap\npolicy: {absence.max_absent_share: 0.15}\n",
                     encoding="utf-8")
    s = WhatIf.start(SMALL, YEAR, scenario=start, workdir=tmp_path / "work")
    assert s.base.summary["scenario"] == "start" and s.base.policy["absence.max_absent_share"] == 0.15
    sc = s.scenario(Change(capacity=(("season", "spring", 1.2),)), "both")
    assert sc.policy == {"absence.max_absent_share": 0.15}
    assert sc.edits == ({"scale_capacity": {"select": {"season": "spring"}, "factor": 1.2}},)
    assert sc.description.startswith("stricter cap; seats in season spring classes +20%")
    o = s.apply(Change())  # no change on top of the start: the same plan's figures
    assert o.result.summary["requirement_met"] == s.base.summary["requirement_met"]
    s.close()


# --------------------------------------------------------------------------- Chinese, the absence difference, warm start
def test_chinese_dashboard_words_and_the_absence_difference(session, outcome, tmp_path):
    from planning.messages import MESSAGES
    from planning.whatif import (absence_charts, absence_difference, cadres_table, cards_html, compare_plans,
                                 coverage_table, data_lang, weekly_absence)

    assert all(set(v) - {"en_one"} == {"en", "zh"} and v["zh"] for k, v in MESSAGES.items() if k.startswith("wi_"))
    zh = compare_plans(session.base, outcome.result, CHANGE, "zh")
    assert zh.sentences[0].startswith("达到培训要求的干部") and "方案状态" in zh.sentences[-1]
    assert not any(w in " ".join(zh.sentences) for w in ("cadres", "requirement", "The plan"))
    table = figures_table(zh)
    assert list(table.columns) == ["基准方案", "当前方案", "变化"] and "提供名额" in table.index
    assert "职级" in coverage_table(zh).index.get_level_values(0)
    cards = cards_html(outcome.summary, session.base.summary, "zh")
    assert "培训要求达标率" in cards and 'data-key="requirement_met_share"' in cards
    assert data_lang(session.data) == "en"
    # the cadres who gain or lose carry their names and units
    c = outcome.cadres
    names = dict(zip(session.data.cadres["cadre_id"], session.data.cadres["name"]))
    assert list(c.columns[:4]) == ["cadre_id", "name", "unit_id", "unit_name"]
    assert all(n == names[i] for i, n in zip(c["cadre_id"], c["name"]))
    shown = cadres_table(zh)
    assert {"干部编号", "姓名", "单位"} <= set(shown.columns) and set(shown["变化"]) <= {"新达标", "不再达标"}
    # the difference heatmap: now − baseline, week by week, only units that changed
    diff = absence_difference(session.base, outcome.result)
    wb, wn = weekly_absence(session.base), weekly_absence(outcome.result)
    for u in diff.index:
        for w in diff.columns:
            assert diff.at[u, w] == wn.reindex(index=[u], columns=[w]).fillna(0).iat[0, 0] \
                - wb.reindex(index=[u], columns=[w]).fillna(0).iat[0, 0]
    assert (diff != 0).any(axis=1).all()
    changed = (wn.reindex_like(wb).fillna(0) != wb).any(axis=1)
    assert set(diff.index) >= set(changed[changed].index)
    charts = absence_charts(session.base, zh)
    assert len(charts) == 2 and "与基准方案相比" in charts[0].caption and len(charts[1]) >= 1
    assert (len(charts[0]) >= 1) == (len(diff) > 0)


def test_chinese_data_gives_a_chinese_dashboard(tmp_path):
    from planning.whatif_widgets import WhatIfApp

    ds = load_dataset(SMALL, YEAR)
    ds.tables["cadres"] = ds.cadres.assign(name=["张" + str(i) for i in range(len(ds.cadres))])
    app = WhatIfApp(WhatIf.start(ds, YEAR, workdir=tmp_path / "work"), scenario_dir=tmp_path / "scenarios",
                    export_dir=tmp_path / "export")
    assert app.session.lang == "zh"
    assert app.apply_button.description == "应用" and app.save_button.description == "保存为情景"
    assert "基准方案" in app.status.value and "培训要求达标率" in app.cards.value
    assert app.season["autumn"].description.startswith("秋季")
    # the pin and move lists in words, read back as the same change
    cadre, cls = ds.cadres["cadre_id"].iloc[0], ds.classes["class_id"].iloc[0]
    app.pin_cadre.value, app.pin_class.value, app.pin_rule.value = cadre, cls, "must_not"
    app.pin_add.click()
    app.move_class.value, app.move_weeks.value = cls, 2
    app.move_add.click()
    assert app.pin_list.options == (f"{cadre} 不参加 {cls}",) and app.move_list.options == (f"{cls} +2 周",)
    assert app.change().pins == ((cadre, cls, "must_not"),) and app.change().moves == ((cls, 2),)
    assert app.name.value == "情景推演"
    app.pin_list.value = app.pin_list.options[0]
    app.pin_remove.click()
    app.move_list.value = app.move_list.options[0]
    app.move_remove.click()
    app.season["autumn"].value = 1.5
    assert app.apply() is not None, app.status.value
    assert "重新规划完成" in app.status.value and "从当前方案出发" in app.status.value
    assert "达到培训要求的干部" in __import__("html").unescape(app.words.value)
    with pytest.raises(WhatIfError, match="language"):
        WhatIf.start(ds, YEAR, workdir=tmp_path / "w2", lang="fr")


def test_apply_starts_from_the_plan_on_the_screen(session):
    """A looser unit cap: the plan on the screen stays valid, so the warm re-plan (which starts from
    it) can only be as good or better; the plan passed the checker (it was written)."""
    shown = session.current.result if session.current is not None else session.base
    o = session.apply(Change(absent_share=0.3))
    assert o.warm and o.result.out_dir is not None and (o.result.out_dir / "plan.csv").exists()
    assert o.summary["objective"] >= shown.summary["objective"] - 1e-6
