"""Scenario files: parsing, clear errors naming the file and the edit, and the data edits
(applied to a copy, never to the files)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from planning.data.load import load_dataset
from planning.errors import PolicyError
from planning.policy import load_policy
from planning.scenarios import ScenarioError, apply_scenario, load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "data" / "small"
SCENARIOS = sorted((ROOT / "data" / "scenarios").glob("*.yaml"))
YEAR = 2027


@pytest.fixture(scope="module")
def small():
    return load_dataset(SMALL, YEAR)


@pytest.fixture(scope="module")
def pol():
    return load_policy()


def _write(tmp_path, text: str, name: str = "what-if.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _apply(small, pol, tree: dict, source="s.yaml"):
    return apply_scenario(small, parse_scenario(tree, source, "s"), YEAR, pol)


# --------------------------------------------------------------------------- parsing
def test_a_scenario_file_is_read_with_name_description_policy_and_edits(tmp_path):
    p = _write(tmp_path, "name: autumn-plus\ndescription: more seats\npolicy: {absence: {max_absent_share: 0.15}}\n"
                         "edits:\n  - scale_capacity: {select: {season: autumn}, factor: 1.2}\n")
    s = load_scenario(p)
    assert (s.name, s.description, s.source) == ("autumn-plus", "more seats", str(p))
    assert s.apply_policy(load_policy())["absence.max_absent_share"] == 0.15
    assert s.describe_edits() == ["scale capacity: where season = autumn; factor 1.2"]


def test_the_name_defaults_to_the_file_stem(tmp_path):
    assert load_scenario(_write(tmp_path, "policy: {budget.total: 1000}\n", "cut.yaml")).name == "cut"


@pytest.mark.parametrize("text, words", [
    ("name: x\npolicies: {}\n", "unknown key(s) policies"),
    ("name: .hidden\n", "cannot be used"),
    ("name: a/b\n", "cannot be used"),
    ("name: x\nedits: {scale_capacity: {}}\n", "must be a list"),
    ("name: x\nedits:\n  - grow_classes: {factor: 2}\n", "edit 1: 'grow_classes' is not an edit"),
    ("name: x\nedits:\n  - {scale_capacity: {}, remove_classes: {}}\n", "edit 1: each edit is one item"),
    ("- just a list\n", "YAML mapping"),
])
def test_malformed_scenario_files_are_errors_naming_the_file(tmp_path, text, words):
    p = _write(tmp_path, text)
    with pytest.raises(PolicyError) as e:
        load_scenario(p)
    assert words in str(e.value)
    assert str(p) in str(e.value)


def test_an_unknown_policy_setting_names_the_file_and_suggests(small, pol):
    with pytest.raises(PolicyError) as e:
        _apply(small, pol, {"name": "x", "policy": {"absence.max_absent_shares": 0.1}}, "meeting.yaml")
    assert "meeting.yaml: policy" in str(e.value)
    assert "'absence.max_absent_shares' is not a policy setting (did you mean absence.max_absent_share?)" in str(e.value)


@pytest.mark.parametrize("edit, words", [
    ({"scale_capacity": {"select": {"topic": "Astronomy"}, "factor": 1.2}},
     "edit 1 (scale_capacity): the selector {topic: Astronomy} matches no class"),
    ({"scale_capacity": {"select": {"colour": "red"}, "factor": 1.2}},
     "edit 1 (scale_capacity): 'colour' is not a selector for class"),
    ({"scale_capacity": {"select": {"season": "winter"}, "factor": 1.2}}, "'winter' is not a season of the policy"),
    ({"scale_capacity": {"select": {"season": "autumn"}, "factor": -1}}, "'factor' must be more than 0"),
    ({"scale_capacity": {"select": {"season": "autumn"}}}, "give either 'factor'"),
    ({"set_slots": {"select": {"category": "space_station"}, "slots": 3}},
     "edit 1 (set_slots): the selector {category: space_station} matches no rotation post"),
    ({"remove_classes": {}}, "'select' is missing"),
    ({"add_classes": [{"class_id": "N1", "colour": "red"}]}, "'colour' is not a column of classes"),
    ({"add_blackouts": [{"start_date": "2027-13-01", "end_date": "2027-05-01", "scope": "region"}]},
     "edit 1 (add_blackouts): item 1, column start_date: '2027-13-01' is not a real calendar date"),
])
def test_bad_edits_are_errors_naming_the_file_and_the_edit(small, pol, edit, words):
    with pytest.raises(ScenarioError) as e:
        _apply(small, pol, {"name": "x", "edits": [edit]}, "meeting.yaml")
    assert words in str(e.value)
    assert str(e.value).startswith("meeting.yaml: ")


def test_the_edited_data_is_validated_again_and_added_rows_are_named(small, pol):
    first = small.classes["class_id"].iloc[0]
    row = {"class_id": first, "title": "t", "topic": "New topic", "mode": "weekend", "start_date": "2027-05-08",
           "end_date": "2027-05-16", "days": 4, "hours": 30, "capacity": 10}
    with pytest.raises(ScenarioError) as e:
        _apply(small, pol, {"name": "x", "edits": [{"remove_classes": {"select": {"topic": "Party theory"}}},
                                                   {"add_classes": [row]}]})
    assert f"edit 2 (add_classes) item 1, column class_id: '{first}' is used twice" in str(e.value)


# --------------------------------------------------------------------------- the edits
def test_scale_capacity_by_season_touches_only_that_season_and_not_the_input(small, pol):
    before = small.classes.set_index("class_id")["capacity"].copy()
    ds, _ = _apply(small, pol, {"name": "x", "edits": [{"scale_capacity": {"select": {"season": "autumn"},
                                                                             "factor": 1.5}}]})
    after = ds.classes.set_index("class_id")["capacity"]
    starts = small.classes.set_index("class_id")
    for cid, cap in before.items():
        start = starts.at[cid, "start_date"] or starts.at[cid, "window_start"]
        autumn = dt.date(YEAR, 9, 1) <= start <= dt.date(YEAR, 11, 30)
        assert after[cid] == (int(cap * 1.5 + 0.5) if autumn else cap), cid
    assert after["C2027-009"] > before["C2027-009"]  # a windowed class: its season is the window's start
    assert small.classes.set_index("class_id")["capacity"].equals(before)  # the input is untouched


def test_selectors_combine_and_compare_ignoring_case(small, pol):
    ds, _ = _apply(small, pol, {"name": "x", "edits": [{"set_capacity": {
        "select": {"topic": "digital GOVERNMENT", "levels": "staff"}, "capacity": 30}}]})
    cap = ds.classes.set_index("class_id")["capacity"]
    assert cap["C2027-004"] == 30  # Digital government, open to staff
    assert cap["C2027-007"] == 7  # Digital government, section level only: not selected


def test_remove_classes_also_drops_their_pins(small, pol):
    pinned = small.pins["activity_id"].iloc[0]
    topic = small.classes.set_index("class_id").at[pinned, "topic"]
    ds, _ = _apply(small, pol, {"name": "x", "edits": [{"remove_classes": {"select": {"topic": topic}}}]})
    assert pinned not in set(ds.classes["class_id"])
    assert pinned not in set(ds.pins["activity_id"])
    assert len(ds.classes) == len(small.classes) - (small.classes["topic"] == topic).sum()


def test_add_classes_rotations_blackouts_typed_like_the_files(small, pol):
    tree = {"name": "x", "edits": [
        {"add_classes": [{"class_id": "W1", "title": "Weekend", "topic": "Data governance", "mode": "Weekend",
                          "start_date": dt.date(2027, 5, 8), "end_date": "2027-05-30", "days": 8, "hours": 60,
                          "capacity": 12, "levels": "staff;Deputy_section", "cost_per_trainee": 900}]},
        {"add_rotations": [{"post_id": "RX", "title": "Village post", "direction": "grassroots",
                            "category": "rural_frontline", "start_date": "2027-03-01", "end_date": "2027-08-31",
                            "slots": 2, "levels": ["staff"]}]},
        {"set_slots": {"select": {"direction": "grassroots"}, "factor": 3}},
        {"remove_rotations": {"select": {"direction": "higher_level"}}},
        {"add_blackouts": [{"start_date": "2027-04-12", "end_date": "2027-04-16", "scope": "region",
                            "reason": "Spring inspection"}]},
        {"remove_blackouts": {"select": {"reason": "year-end"}}},
    ]}
    ds, _ = _apply(small, pol, tree)
    w = ds.classes.set_index("class_id").loc["W1"]
    assert (w["mode"], w["levels"], w["start_date"], w["capacity"], w["topic_key"]) == \
        ("weekend", ("staff", "deputy_section"), dt.date(2027, 5, 8), 12, "data governance")
    rot = ds.rotations.set_index("post_id")
    assert "R2027-01" not in rot.index  # the higher-level post was removed
    assert rot.at["R2027-02", "slots"] == 3 and rot.at["RX", "slots"] == 6  # edits apply in order: added, then scaled
    assert ((ds.blackouts["reason"] == "Spring inspection") & (ds.blackouts["scope"] == "region")).sum() == 1
    assert not ds.blackouts["reason"].str.contains("Year-end").any()
    assert len(small.classes) == 16 and "W1" not in set(small.classes["class_id"])


def test_policy_only_scenario_leaves_the_data_alone(small, pol):
    ds, p = _apply(small, pol, {"name": "x", "policy": {"requirement": {"annual_days": 40}}})
    assert p["requirement.annual_days"] == 40
    assert ds.classes.equals(small.classes)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_sample_scenarios_apply_to_both_data_sets(path, small, pol):
    s = load_scenario(path)
    assert s.name == path.stem and s.description
    ds, p = apply_scenario(small, s, YEAR, pol)
    assert s.policy or s.edits or s.budget_share


def test_five_sample_scenarios_ship():
    assert len(SCENARIOS) == 5


def test_the_annual_plan_notebook_applies_the_scenario_edits(tmp_path):
    import planning.notebook_api as nb

    p = _write(tmp_path, "name: more-seats\npolicy: {absence.max_absent_share: 0.15}\n"
                         "edits:\n  - scale_capacity: {select: {class_id: C2027-004}, capacity: 25}\n")
    run = nb.resolve_inputs(str(SMALL), YEAR, scenario=str(p), output=str(tmp_path / "out"))
    assert run.scenario_name == "more-seats"
    assert nb.load_run_policy(run)["absence.max_absent_share"] == 0.15
    ds = nb.load_data(run)
    assert ds.classes.set_index("class_id").at["C2027-004", "capacity"] == 25
    bad = _write(tmp_path, "name: bad\nedits:\n  - remove_classes: {select: {topic: Astronomy}}\n", "bad.yaml")
    with pytest.raises(PolicyError, match="edit 1 \\(remove_classes\\)"):
        nb.load_data(nb.resolve_inputs(str(SMALL), YEAR, scenario=str(bad), output=str(tmp_path / "out")))
