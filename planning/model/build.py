"""`build_model` reads as the list of the plan's rules: adding a rule = one function + one line."""
from __future__ import annotations

from collections import defaultdict

import pulp

from planning.model import rules
from planning.model.problem import PlanningProblem
from planning.model.rules import Model, clean


def build_model(prob: PlanningProblem, *, elastic: bool = False) -> Model:
    """The annual plan as a PuLP MIP. With `elastic`, every hard rule that pins can push
    against gets a penalised slack and the objective is the total slack (for diagnosis)."""
    lp = pulp.LpProblem("annual_plan", pulp.LpMaximize)
    x = [pulp.LpVariable(clean("x", prob.cadre_ids[i], prob.options[o].activity_id, prob.options[o].start.strftime("%m%d")),
                         cat="Binary") for i, o in zip(prob.pair_cadre, prob.pair_option)]
    m = Model(prob, lp, x, elastic=elastic)
    by_cadre = prob.pairs_of_cadre()
    by_option: dict[int, list[int]] = defaultdict(list)
    for p, o in enumerate(prob.pair_option):
        by_option[int(o)].append(p)
    occ, first = rules.occupancy_matrix(prob)

    rules.add_class_schedule(m)
    rules.add_class_capacity(m, by_option)
    rules.add_class_min_size(m, by_option)
    rules.add_rotation_slots(m, by_option)
    rules.add_one_rotation_per_cadre(m, by_cadre)
    rules.add_no_overlap(m, by_cadre, occ, first)
    rules.add_no_repeated_topic(m, by_cadre)
    rules.add_unit_absence_cap(m, occ, first)
    rules.add_budget(m)
    rules.add_pins(m, by_cadre)
    if not elastic:
        rules.add_requirement(m, by_cadre)
    rules.set_objective(m)
    return m
