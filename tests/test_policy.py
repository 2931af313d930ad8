"""The policy: defaults from DOMAIN.md's rule table, user overrides, and errors for bad settings."""
from __future__ import annotations

import pytest

from planning.errors import PolicyError
from planning.policy import RENAMED, RETIRED, ROOM_GROUPS, SOLVER_GROUPS, Policy, default_policy, is_rule, load_policy


@pytest.fixture
def policy_file(tmp_path):
    def write(text: str):
        path = tmp_path / "policy.yaml"
        path.write_text(text, encoding="utf-8")
        return path
    return write


def test_defaults_hold_every_number_of_the_rule_table():
    p = default_policy()
    assert p["requirement.annual_days"] == 12 and p["requirement.annual_hours"] == 90
    assert p["requirement.division_hours"] == 550 and p["requirement.division_years"] == 5
    assert p["requirement.online_hours"] == 70
    assert p["requirement.general_cycle_years"] == 5
    assert p["requirement.leave_max_share"] == pytest.approx(1 / 7, abs=1e-5)
    assert p["requirement.collective_learning_per_quarter"] == 1
    assert p["people.young_max_age"] == 35 and p["people.newly_promoted_years"] == 1
    assert p["absence.max_absent_share"] == 0.2 and p["absence.min_absent"] == 1
    assert p["rotation.grassroots_threshold_years"] == 2 and p["rotation.max_per_year"] == 1
    assert p["budget.total"] is None
    assert p.weights == {"base": 1, "overdue": 8, "reserve": 3, "young": 2, "newly_promoted": 3, "key_post": 2}
    assert p.seasons == {"spring": ["03-01", "06-30"], "autumn": ["09-01", "11-30"]}
    assert p["solver.name"] in ("highs", "cbc")


def test_policy_is_a_read_only_mapping_with_a_clear_key_error():
    p = default_policy()
    assert isinstance(p, Policy) and "requirement.annual_days" in p and len(p) == len(list(p))
    with pytest.raises(KeyError, match="unknown policy setting 'no.such'"):
        p["no.such"]
    assert p.as_tree()["requirement"]["annual_days"] == 12
    assert load_policy(None) == p


def test_round_trip_through_yaml(policy_file):
    p = default_policy()
    assert load_policy(policy_file(p.to_yaml())) == p


def test_user_file_overrides_only_what_it_names(policy_file):
    base = default_policy()
    p = load_policy(policy_file("requirement:\n  annual_days: 60\n"))
    assert p["requirement.annual_days"] == 60
    assert {k: v for k, v in p.items() if k != "requirement.annual_days"} == \
           {k: v for k, v in base.items() if k != "requirement.annual_days"}


def test_nested_and_dotted_forms_mean_the_same(policy_file):
    nested = load_policy(policy_file("absence:\n  max_absent_share: 0.3\npriority:\n  young: 5\n"))
    dotted = load_policy(policy_file("absence.max_absent_share: 0.3\npriority.young: 5\n"))
    assert nested == dotted
    assert dotted["absence.max_absent_share"] == 0.3 and dotted["priority.young"] == 5
    mixed = default_policy().with_overrides({"priority": {"young": 5}, "absence.max_absent_share": 0.3})
    assert mixed == nested


def test_whole_numbers_and_shares_keep_their_kind():
    p = default_policy().with_overrides({"requirement.annual_days": 10.0, "absence.max_absent_share": 1})
    assert p["requirement.annual_days"] == 10 and type(p["requirement.annual_days"]) is int
    assert type(p["absence.max_absent_share"]) is float


def test_empty_file_and_empty_group_change_nothing(policy_file):
    assert load_policy(policy_file("")) == default_policy()
    assert load_policy(policy_file("# only a comment\nrequirement:\n")) == default_policy()


def test_unknown_key_is_named(policy_file):
    with pytest.raises(PolicyError) as e:
        load_policy(policy_file("requirement:\n  anual_days: 10\nfoo: 1\n"))
    text = str(e.value)
    assert "'requirement.anual_days' is not a policy setting (did you mean requirement.annual_days?)" in text
    assert "'foo' is not a policy setting" in text
    assert len(e.value.messages) == 2 and e.value.exit_code == 2
    assert "policy.yaml" in e.value.source


def test_misplaced_key_gets_a_hint():
    with pytest.raises(PolicyError, match=r"did you mean requirement\.annual_days"):
        default_policy().with_overrides({"annual_days": 10})


def test_group_given_a_value_is_explained():
    with pytest.raises(PolicyError, match="'requirement' is a group of settings"):
        default_policy().with_overrides({"requirement": 12})


@pytest.mark.parametrize("key, value, words", [
    ("requirement.annual_days", "twelve", "must be a number"),
    ("requirement.annual_days", True, "must be a number"),
    ("requirement.annual_days", 12.5, "whole number"),
    ("requirement.annual_days", -1, "at least 0"),
    ("requirement.annual_hours", None, "needs a value"),
    ("absence.max_absent_share", 0, "more than 0"),
    ("absence.max_absent_share", 1.2, "at most 1"),
    ("absence.max_absent_share", "20%", "must be a number"),
    ("requirement.division_years", 0, "at least 1"),
    ("solver.time_limit", 0, "more than 0"),
    ("solver.gap", 2, "at most 1"),
    ("solver.name", "gurobi", "one of highs, cbc"),
    ("solver.name", 3, "must be text"),
    ("seasons.spring", "03-01", "must be a list"),
    ("seasons.spring", ["03-01"], "must be a list"),
    ("seasons.spring", ["13-01", "06-30"], "month-day"),
    ("seasons.autumn", ["11-30", "09-01"], "ends before it starts"),
    ("budget.total", -5, "at least 0"),
    ("budget.total", "lots", "must be a number"),
])
def test_bad_values_are_rejected(key, value, words):
    with pytest.raises(PolicyError) as e:
        default_policy().with_overrides({key: value})
    assert key in str(e.value) and words in str(e.value)


@pytest.mark.parametrize("value", [None, 0, 250000, 1.5e6])
def test_budget_total_is_null_or_a_number(value):
    assert default_policy().with_overrides({"budget.total": value})["budget.total"] == value


def test_all_errors_reported_at_once():
    with pytest.raises(PolicyError) as e:
        default_policy().with_overrides({"requirement.annual_days": -1, "solver.name": "x", "nope": 1})
    assert len(e.value.messages) == 3


def test_overrides_argument_applies_after_the_file(policy_file):
    p = load_policy(policy_file("requirement.annual_days: 20\n"), overrides={"requirement.annual_days": 30})
    assert p["requirement.annual_days"] == 30


@pytest.mark.parametrize("text, words", [
    ("requirement: [1, 2\n", "not valid YAML"),
    ("- a\n- b\n", "YAML mapping"),
])
def test_broken_files(policy_file, text, words):
    with pytest.raises(PolicyError, match=words):
        load_policy(policy_file(text))


def test_missing_file(tmp_path):
    with pytest.raises(PolicyError, match="does not exist"):
        load_policy(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------- rules and solver settings
def test_rules_and_solver_settings_are_apart():
    """The planner's rules and the solver's settings split the policy; the report shows the rules only."""
    from planning.report.content import policy_table
    from planning.report.labels import Labels

    p = default_policy()
    rules, solver = p.rules(), p.solver_settings()
    assert set(rules) | set(solver) == set(p) and not set(rules) & set(solver)
    assert {k.split(".")[0] for k in solver} == set(SOLVER_GROUPS)
    for key in ("requirement.annual_days", "absence.max_absent_share", "budget.total", "objective.requirement_met",
                "priority.overdue", "seasons.spring", "activities.max_mentees"):
        assert is_rule(key) and key in rules
    for key in ("solver.time_limit", "lagrange.iterations", "search.full_mip_pairs", "timing.max_options",
                "whatif.time_limit"):
        assert not is_rule(key) and key in solver
    for lang in ("en", "zh"):
        shown = policy_table(p, Labels(lang))
        assert list(shown["key"]) == list(p.plan_rules())  # the annual plan's rules, in file order
        assert not {k.split(".")[0] for k in shown["key"]} & set(ROOM_GROUPS)  # not the other rooms' rules
        assert {"requirement.annual_days", "replan.change_penalty"} <= set(shown["key"])
    assert set(p.rules()) - set(p.plan_rules()) == {k for k in p.rules() if k.split(".")[0] in ROOM_GROUPS} != set()
    assert set(policy_table(p, Labels("en"), rules_only=False)["key"]) == set(p)


# Settings that are read by a feature still being built (name: the feature); empty when all are wired.
AWAITING: dict[str, str] = {}


def test_every_setting_is_read_by_some_code():
    """No setting sits in the policy without code that reads it (by its dotted name, or its whole
    group: priority weights, seasons)."""
    from pathlib import Path

    import planning

    root = Path(planning.__file__).parent
    text = "\n".join(f.read_text(encoding="utf-8") for f in root.rglob("*.py")
                     if f.name not in ("policy.py", "labels.py"))
    group_readers = {"priority": ['f"priority.{', ".weights"], "seasons": [".seasons"]}
    unread = [k for k in default_policy() if f'"{k}"' not in text and f"'{k}'" not in text
              and not any(r in text for r in group_readers.get(k.split(".")[0], []))
              and k not in AWAITING]
    assert unread == []
    assert not set(AWAITING) & set(RETIRED)


def test_renamed_and_retired_settings(policy_file):
    """One name for "newly promoted years": the old requirement.new_promotion_years is read as
    people.newly_promoted_years; the retired division_months is accepted and ignored, so an older
    plan's policy.yaml still loads."""
    assert RENAMED == {"requirement.new_promotion_years": "people.newly_promoted_years"}
    p = load_policy(policy_file("requirement:\n  new_promotion_years: 2\n  division_months: 3\n"))
    assert p["people.newly_promoted_years"] == 2
    assert "requirement.new_promotion_years" not in p and "requirement.division_months" not in p
    same = load_policy(policy_file("requirement: {new_promotion_years: 2}\npeople: {newly_promoted_years: 2}\n"))
    assert same["people.newly_promoted_years"] == 2
    with pytest.raises(PolicyError, match="old name of 'people.newly_promoted_years'"):
        load_policy(policy_file("requirement: {new_promotion_years: 2}\npeople: {newly_promoted_years: 3}\n"))
