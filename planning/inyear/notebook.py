"""What the annual-plan notebook's "re-plan" section shows: the plan re-planned during the year
against changed data (or, without any, an example change), its change list and the change notice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planning.data.load import Dataset
from planning.inyear.replan import ReplanResult, replan
from planning.pipeline import PlanResult, load_data

REPLAN_SUBDIR = "replan"
NOTICE_NAME = "change_notice.pdf"
EXAMPLE_NOTICE_DAYS = 30  # the example cancels a class starting at least this long after --as-of


@dataclass
class ReplanView:
    base: PlanResult
    data: Dataset  # the changed data
    what: str  # the change, in words
    run: ReplanResult

    @property
    def changes(self) -> pd.DataFrame:
        return self.run.changes


def example_change(ds: Dataset, plan: pd.DataFrame, as_of: dt.date) -> tuple[Dataset, str]:
    """An example of the year happening: the fullest class starting a month or more after `as_of`
    is cancelled by its institution (the class and its pins leave the data)."""
    later = plan[(plan["kind"] == "class") & (plan["start_date"].astype(str)
                                              >= (as_of + dt.timedelta(days=EXAMPLE_NOTICE_DAYS)).isoformat())]
    if later.empty:
        return ds, "no class starts late enough to be cancelled: the example changes nothing"
    counts = later["activity_id"].value_counts()
    gone = sorted(counts.index, key=lambda a: (-counts[a], a))[0]
    out = ds.copy()
    out.tables["classes"] = ds.classes[ds.classes["class_id"] != gone].reset_index(drop=True)
    out.tables["pins"] = ds.pins[ds.pins["activity_id"] != gone].reset_index(drop=True)
    return out, f"example: class {gone} ({counts[gone]} trainees) is cancelled by its institution"


def replan_run(base: PlanResult, out: str | Path, *, changed_data: str | Path | None = None,
               as_of: str | dt.date | None = None, policy=None) -> ReplanView:
    """Re-plan the base plan as of `as_of` (default 1 April of the plan year) on `changed_data`,
    or on the example change when no changed data is given; the plan folder goes to `out`."""
    year = base.summary["year"]
    day = dt.date.fromisoformat(str(as_of)) if as_of else dt.date(year, 4, 1)
    if changed_data is None:
        data, what = example_change(base.data, base.plan, day)
    else:
        data, what = load_data(changed_data, year), f"the changed data set {changed_data}"
    r = replan(data, year, base.out_dir or base.plan, day, out, policy=policy if policy is not None else base.policy)
    return ReplanView(base, data, what, r)


def replan_note(view: ReplanView) -> str:
    s = view.run.summary
    return (f"Re-planned as of {s['replan_as_of']} ({view.what}): {s['changes']} changes for {s['changed_cadres']} "
            f"cadres ({s['changes_dropped']} assignments dropped, {s['changes_added']} added) out of "
            f"{s['base_assignments']} in the published plan; status {s['status']}. The plan passed the "
            f"independent check and is written to {view.run.result.out_dir}.")


def change_figures(view: ReplanView) -> pd.DataFrame:
    """Published plan against the re-plan: assignments, requirement met, objective, changes."""
    b, s = view.base.summary, view.run.summary
    rows = [
        ("assignments", len(view.base.plan), len(view.run.plan)),
        ("requirement met", b["requirement_met"], s["requirement_met"]),
        ("requirement met (share)", f"{b['requirement_met_share']:.1%}", f"{s['requirement_met_share']:.1%}"),
        ("objective (without the change cost)", b["objective"], s["objective_without_change_cost"]),
        ("changes (rows of changes.csv)", "", s["changes"]),
        ("cadres affected", "", s["changed_cadres"]),
        ("change cost (objective points)", "", s["change_cost"]),
    ]
    return pd.DataFrame(rows, columns=["figure", "published plan", "re-plan"]).set_index("figure")


def changes_by_reason(view: ReplanView, lang: str = "en") -> pd.DataFrame:
    """How many changes each kind of reason caused (by the first reason code of each change; the
    kind in words with its ids left out)."""
    from collections import defaultdict

    from planning.messages import MESSAGES

    ch = view.changes
    first = ch["reason_codes"].map(lambda r: str(r).split(";")[0]) if "reason_codes" in ch.columns else ch["reason"]
    counts = first.value_counts()
    words = [MESSAGES[k][lang].format_map(defaultdict(lambda: "…")) if k in MESSAGES else k for k in counts.index]
    return pd.DataFrame({"reason": words, "changes": counts.to_numpy()}).set_index("reason")


def write_change_notice(view: ReplanView, folder: str | Path, *, lang: str = "en") -> Path:
    """The re-plan's PDF report, opening with the change notice for each unit affected."""
    from planning.report import build_report

    r = view.run.result
    return build_report(r.out_dir, view.data, r.summary["year"], Path(folder) / NOTICE_NAME, lang=lang,
                        policy=r.policy)
