"""What notebooks/reserve_pool.ipynb shows: a selection round (ranking, the difference-inspection
list, the chosen with their structure), the rolling review, the vacancies filled from the pool and
the growth files. The notebook only calls these; every figure comes from planning.pool (the same
functions as `planning pool select|review|fill` and `planning growth`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planning.notebook_api import Charts, RunInputs, _ShowProblems
from planning.policy import Policy
from planning.pool.words import Words

SUBDIR = "pool"
SHOW = ["rank", "cadre_id", "source", "vote_share", "exam_score", "assessment_score", "composite", "level", "gender",
        "field", "age", "stage", "reason"]


@dataclass
class PoolRound:
    """One year's pool work, in memory (written by `write_files`)."""

    year: int
    policy: Policy
    scores: pd.DataFrame
    selection: object | None  # planning.pool.select.SelectResult
    review: object  # planning.pool.review.ReviewResult
    appointments: pd.DataFrame
    growth: list
    lang: str


def run_round(ds, run: RunInputs, policy: Policy, *, quota: int, growth_cadres: int = 3, lang: str = "en") -> PoolRound:
    """Assessment, selection round (quota places), rolling review, vacancies and the growth files of the
    first `growth_cadres` pool members. Quotas that cannot hold are shown as a table and raise (exit 3 on
    the command line)."""
    from planning.pool import assess, fill_vacancies
    from planning.pool.growth import chosen_cadres, growth_files
    from planning.pool.review import review
    from planning.pool.select import select

    scores = assess(ds, run.year, policy)
    with _ShowProblems("The structure quotas cannot all hold"):
        sel = select(ds, run.year, int(quota), policy, lang=lang) if len(ds.tables.get("candidates", [])) else None
    rev = review(ds, run.year, policy, lang=lang, scores=scores)
    app = fill_vacancies(ds, run.year, policy, scores=scores, lang=lang)
    pool = chosen_cadres(ds)[:max(0, int(growth_cadres))]
    files = growth_files(ds, run.year, policy, cadres=pool, lang=lang) if pool else []
    return PoolRound(run.year, policy, scores, sel, rev, app, files, lang)


def assessment_overview(r: PoolRound) -> pd.DataFrame:
    """Per level: cadres assessed, mean composite, flagged low, with missing dimensions."""
    s = r.scores
    if s.empty:
        return pd.DataFrame(columns=["level", "assessed", "mean composite", "flagged low", "missing dimensions"])
    g = s.groupby("level", sort=False)
    out = pd.DataFrame({"assessed": g.size(), "mean composite": g["composite"].mean().round(1),
                        "flagged low": g["flag_low"].sum().astype(int),
                        "missing dimensions": g["flag_missing"].sum().astype(int)}).reset_index()
    return out


def ranking(r: PoolRound, rows: int | None = 30) -> pd.DataFrame:
    """The round's ranking: every candidate with the stage where they stopped and why."""
    if r.selection is None:
        return pd.DataFrame(columns=SHOW)
    df = r.selection.ranking[SHOW]
    return df if rows is None else df.head(int(rows))


def inspection(r: PoolRound) -> pd.DataFrame:
    """The difference-inspection list (at most pool.inspection_ratio × quota from the top of the ranking)."""
    return pd.DataFrame(columns=SHOW) if r.selection is None else r.selection.inspection[SHOW]


def selection_summary(r: PoolRound) -> pd.DataFrame:
    if r.selection is None:
        return pd.DataFrame({"": ["no candidates table: no selection round"]})
    s = r.selection.summary
    keys = ("quota", "candidates", "passed", "inspection_limit", "inspected", "selected", "objective", "short_reason")
    return pd.DataFrame({"": list(keys), "value": [s.get(k) for k in keys]})


def structure(r: PoolRound) -> pd.DataFrame:
    """The structure quotas and how the chosen meet them."""
    if r.selection is None:
        return pd.DataFrame(columns=["quota", "rule", "sense", "need", "chosen"])
    return pd.DataFrame(r.selection.summary["quotas"], columns=["quota", "rule", "sense", "need", "chosen"])


def chosen_structure(r: PoolRound) -> pd.DataFrame:
    """The chosen by level, gender and field (counts)."""
    if r.selection is None or r.selection.selected.empty:
        return pd.DataFrame(columns=["by", "value", "chosen"])
    sel = r.selection.selected
    rows = []
    for col in ("level", "gender", "field"):
        for v, n in sel[col].fillna("").value_counts().sort_index().items():
            label = Words(r.lang).code(col, v) if r.lang == "zh" else v
            rows.append({"by": col, "value": label or "–", "chosen": int(n)})
    return pd.DataFrame(rows)


def review_changes(r: PoolRound, only_changes: bool = True) -> pd.DataFrame:
    """pool_changes.csv: who leaves, who joins (and, with only_changes False, who stays), with the reason."""
    ch = r.review.changes
    return ch[ch["change"] != "stay"].reset_index(drop=True) if only_changes else ch


def review_summary(r: PoolRound) -> pd.DataFrame:
    s = r.review.summary
    return pd.DataFrame({"": list(s), "value": [str(v) for v in s.values()]})


def appointments(r: PoolRound) -> pd.DataFrame:
    """appointments.csv: each vacancy, the cadre appointed (pool members first) and why; unfilled with the reason."""
    return r.appointments


def growth_pages(r: PoolRound, families=None) -> Charts:
    """The radar chart (seven dimensions against the level's mean) and the composite by year of each growth file."""
    from planning.pool.growth import assessment_chart
    from planning.pool.growth_words import Words
    from planning.report import fonts

    w = Words(r.lang)
    if families is None:
        families = fonts.matplotlib_families(fonts.find_cjk_font() if r.lang == "zh" else None)
    return Charts([assessment_chart(g, w, families) for g in r.growth],
                  caption=", ".join(f"{g.row['name']} ({g.row['cadre_id']})" for g in r.growth))


def growth_table(r: PoolRound) -> pd.DataFrame:
    from planning.pool.growth import growth_table as table

    return table(r.growth)


def write_files(r: PoolRound, run: RunInputs) -> Path:
    """Every table of the round into <output>/pool (atomically): scores.csv, ranking.csv, inspection.csv,
    selected.csv, pool_changes.csv, appointments.csv, growth.csv and growth.pdf, summary.json."""
    from planning.io import output_dir, write_csv, write_json
    from planning.pool.growth import write_growth

    out = run.output / SUBDIR
    inputs = [run.data] + ([run.policy] if run.policy else [])
    with output_dir(out, inputs) as tmp:
        write_csv(r.scores, tmp / "scores.csv")
        if r.selection is not None:
            write_csv(r.selection.ranking, tmp / "ranking.csv")
            write_csv(r.selection.inspection, tmp / "inspection.csv")
            write_csv(r.selection.selected, tmp / "selected.csv")
        write_csv(r.review.changes, tmp / "pool_changes.csv")
        write_csv(r.appointments, tmp / "appointments.csv")
        write_growth(r.growth, tmp, r.year, data_name=str(run.data),
                     target=float(r.policy["requirement.online_hours"]), lang=r.lang)
        write_json({"year": r.year, "selection": None if r.selection is None else r.selection.summary,
                    "review": r.review.summary, "vacancies": len(r.appointments),
                    "filled": int((r.appointments["cadre_id"] != "").sum()) if len(r.appointments) else 0,
                    "growth_files": len(r.growth)}, tmp / "summary.json")
    return out
