"""The reserve pool (planning/pool/): assessment, selection, review, vacancies on data/small and tiny
rounds; the selection re-checked independently of planning.pool.select (rules re-derived here from the
contract and the policy, optimality by enumeration)."""
from __future__ import annotations

import itertools
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from planning.cli import main
from planning.data.load import load_dataset
from planning.policy import default_policy

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "data" / "small"
YEAR = 2027
DIMS = ("task_objectives", "daily_performance", "collective_activities", "learning_ability", "urgent_tasks",
        "democratic_appraisal", "others_comments")


@pytest.fixture(scope="module")
def small():
    return load_dataset(SMALL, YEAR)


def test_a_data_set_without_pool_tables_still_loads_and_assesses_nothing(tmp_path, small):
    from planning.pool import assess, fill_vacancies

    d = tmp_path / "d"
    shutil.copytree(SMALL, d)
    for t in ("assessments", "candidates", "vacancies"):
        (d / f"{t}.csv").unlink()
    ds = load_dataset(d, YEAR)
    assert assess(ds, YEAR).empty and fill_vacancies(ds, YEAR).empty


def test_composite_is_the_weighted_mean_over_present_dimensions(small):
    from planning.pool import assess

    pol = default_policy()
    s = assess(small, YEAR, pol).set_index("cadre_id")
    a = small.assessments
    for cid in list(s.index[:10]) + list(s.index[s["flag_missing"]]):
        y = int(s.at[cid, "year"])
        rows = a[(a["cadre_id"] == cid) & (a["year"] == y)]
        w = [pol[f"pool.weight_{d}"] for d in rows["dimension"]]
        expect = sum(wi * float(v) for wi, v in zip(w, rows["score"])) / sum(w)
        assert s.at[cid, "composite"] == pytest.approx(expect, abs=0.006)
        assert s.at[cid, "flag_missing"] == (len(rows) < 7)
    # normalised within level: every level spans up to 100
    assert (s.groupby("level")["normalised"].max() == 100).all()
    # flag low: below the threshold the last low_years years running
    for cid in s.index[s["flag_low"]]:
        rows = a[a["cadre_id"] == cid]
        last = sorted(rows["year"].unique())[-int(pol["pool.low_years"]):]
        for y in last:
            r = rows[rows["year"] == y]
            w = [pol[f"pool.weight_{d}"] for d in r["dimension"]]
            assert sum(wi * float(v) for wi, v in zip(w, r["score"])) / sum(w) < pol["pool.low_score"]


@pytest.mark.parametrize("table, row, column, bad", [
    ("assessments", 2, "dimension", "leadership"),
    ("assessments", 2, "score", "120"),
    ("candidates", 2, "votes", "100000"),
    ("candidates", 3, "cadre_id", None),  # duplicate of row 2
    ("vacancies", 2, "unit_id", "U999"),
])
def test_bad_pool_input_names_table_row_column_and_writes_nothing(tmp_path, capsys, table, row, column, bad):
    d = tmp_path / "d"
    shutil.copytree(SMALL, d)
    df = pd.read_csv(d / f"{table}.csv", dtype=str, keep_default_na=False)
    df.loc[row - 2, column] = df.loc[0, column] if bad is None else bad
    df.to_csv(d / f"{table}.csv", index=False)
    out = tmp_path / "out"
    assert main(["pool", "fill", str(d), "--year", str(YEAR), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{table}, row {row}, column {column}" in err
    assert not out.exists()


def test_fill_vacancies_pool_first_and_eligible(small):
    from planning.pool import fill_vacancies

    app = fill_vacancies(small, YEAR)
    cad = small.cadres.set_index("cadre_id")
    vac = small.vacancies.set_index("vacancy_id")
    below = {"section": "deputy_section", "deputy_section": "staff", "division": "section"}
    assert list(app["vacancy_id"]) == list(vac.index)
    used = [c for c in app["cadre_id"] if c]
    assert len(used) == len(set(used))
    for v, c, pool in zip(app["vacancy_id"], app["cadre_id"], app["from_pool"]):
        if not c:
            continue
        lv = cad.at[c, "level"]
        assert lv == below[vac.at[v, "level"]] or (lv == vac.at[v, "level"] and cad.at[c, "unit_id"] != vac.at[v, "unit_id"])
        assert pool == bool(cad.at[c, "is_reserve"])
    # pool first: a non-member only when no pool member eligible for that post is left
    free = set(cad.index[cad["is_reserve"].astype(bool)]) - set(used)
    for v, c, pool in zip(app["vacancy_id"], app["cadre_id"], app["from_pool"]):
        if c and not pool:
            lv = vac.at[v, "level"]
            assert not [m for m in free if cad.at[m, "level"] == below[lv]]
    # exclude: the simulation passes the cadres already moved this year
    again = fill_vacancies(small, YEAR, exclude=used[:1])
    assert used[0] not in set(again["cadre_id"])
    assert fill_vacancies(small, YEAR).equals(app)


# --------------------------------------------------------------------------- independent selection check
def recheck_selection(data, year: int, quota: int, policy, ranking: pd.DataFrame, inspection: pd.DataFrame,
                      selected: pd.DataFrame) -> list[str]:
    """The selection rules re-derived from the contract and the policy (no planning.pool import)."""
    bad = []
    k = math.floor(policy["pool.inspection_ratio"] * quota + 1e-9)
    cad = data.cadres.set_index("cadre_id")
    if len(inspection) > k:
        bad.append(f"inspection list {len(inspection)} > {k}")
    passed = ranking[ranking["stage"] != "exam"].sort_values(["composite", "cadre_id"], ascending=[False, True])
    if list(inspection["cadre_id"]) != list(passed["cadre_id"])[:len(inspection)]:
        bad.append("inspection list is not the top of the ranking")
    if len(inspection) < min(k, len(passed)):
        bad.append("inspection list shorter than allowed while candidates remain")
    if not set(selected["cadre_id"]) <= set(inspection["cadre_id"]):
        bad.append("selected from outside the inspection list")
    if len(selected) != min(quota, len(inspection)):
        bad.append(f"selected {len(selected)}")
    for cid in selected["cadre_id"]:
        c = cad.loc[cid]
        if c["level"] == "division" or year - int(c["birth_year"]) > policy["pool.max_age"] or bool(c["is_reserve"]):
            bad.append(f"{cid} is not eligible")
    for r in ranking.itertuples():
        if r.source == "recommendation" and r.stage != "exam":
            share = float(r.vote_share)
            if share < policy["pool.min_vote_share"] or pd.isna(r.exam_score) or float(r.exam_score) < policy["pool.exam_pass"]:
                bad.append(f"{r.cadre_id} passed the vote / exam stage without the marks")
        if r.stage != "selected" and not str(r.reason):
            bad.append(f"{r.cadre_id} has no reason")
    ok = quotas_hold(cad, list(selected["cadre_id"]), list(inspection["cadre_id"]), year, policy)
    bad += [f"quota: {q}" for q in ok]
    # optimal: enumeration over the inspection list (small rounds)
    if len(inspection) <= 16:
        comp = dict(zip(inspection["cadre_id"], inspection["composite"].astype(float)))
        best = max((sum(comp[c] for c in s) for s in itertools.combinations(comp, len(selected))
                    if not quotas_hold(cad, list(s), list(comp), year, policy)), default=None)
        got = sum(comp[c] for c in selected["cadre_id"])
        if best is not None and got < best - 1e-6:
            bad.append(f"not optimal: {got} < {best}")
    return bad


def quotas_hold(cad, chosen: list[str], pool: list[str], year: int, policy) -> list[str]:
    n = len(chosen)
    c = cad.loc[chosen]
    out = []
    if (c["gender"] == "F").sum() < math.ceil(policy["pool.min_women_share"] * n - 1e-9):
        out.append("women")
    if ((year - c["birth_year"].astype(int)) <= policy["people.young_max_age"]).sum() < math.ceil(policy["pool.min_young_share"] * n - 1e-9):
        out.append("young")
    if policy["pool.every_field"]:
        fields = set(cad.loc[pool, "field"]) - {""}
        if fields - set(c["field"]):
            out.append("fields")
    share = policy["pool.max_level_share"]
    if 0 < share < 1 and (c["level"].value_counts() > math.floor(share * n + 1e-9)).any():
        out.append("level")
    return out


def _round(small, tmp_path, quota, overrides=None):
    from planning.policy import default_policy

    pol = default_policy().with_overrides(overrides or {})
    from planning.pool.select import select

    res = select(small, YEAR, quota, pol)
    return pol, res


@pytest.mark.parametrize("quota, overrides", [
    (4, {}), (5, {}), (4, {"pool.every_field": False, "pool.min_young_share": 0.5}),
    (3, {"pool.every_field": False, "pool.max_level_share": 1.0, "pool.min_women_share": 0.0}),
])
def test_selection_follows_the_rules_and_is_optimal(small, tmp_path, quota, overrides):
    pol, res = _round(small, tmp_path, quota, overrides)
    assert recheck_selection(small, YEAR, quota, pol, res.ranking, res.inspection, res.selected) == []
    assert set(res.ranking["stage"]) <= {"exam", "inspection", "selected", "structure"}


def test_selection_that_cannot_hold_says_which_quota_and_exits_3(small, tmp_path, capsys):
    from planning.errors import InfeasiblePlan

    with pytest.raises(InfeasiblePlan, match="women"):
        _round(small, tmp_path, 5, {"pool.min_women_share": 0.9})
    out = tmp_path / "sel"
    assert main(["pool", "select", str(SMALL), "--year", str(YEAR), "--quota", "6", "--out", str(out)]) == 3
    assert "women: needs 2, the best possible choice reaches 1 (short by 1)" in capsys.readouterr().err
    assert not out.exists()


def test_pool_commands_write_the_contract_files_repeatably(tmp_path):
    for args, files in ((["pool", "select", "--quota", "5"], ["ranking.csv", "inspection.csv", "selected.csv"]),
                        (["pool", "review"], ["pool_changes.csv"]), (["pool", "fill"], ["appointments.csv"]),
                        (["assess"], ["scores.csv", "flags.csv"])):
        outs = []
        for k in (1, 2):
            out = tmp_path / f"{'-'.join(args[:2])}{k}"
            head = args[:2] if args[0] == "pool" else args[:1]
            assert main([*head, str(SMALL), "--year", str(YEAR), "--out", str(out), *args[len(head):]]) == 0
            outs.append(out)
        for f in files + ["summary.json", "pool.xlsx"]:
            assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes(), f
    ranking = pd.read_csv(tmp_path / "pool-select1" / "ranking.csv")
    assert list(ranking.columns[:8]) == ["cadre_id", "source", "vote_share", "exam_score", "assessment_score",
                                        "composite", "rank", "stage"]
    changes = pd.read_csv(tmp_path / "pool-review1" / "pool_changes.csv")
    assert list(changes.columns) == ["cadre_id", "change", "reason"] and set(changes["change"]) <= {"leave", "join", "stay"}
    app = pd.read_csv(tmp_path / "pool-fill1" / "appointments.csv")
    assert list(app.columns) == ["vacancy_id", "cadre_id", "from_pool", "reason"]


def test_review_every_two_years_keeps_size_and_words(small):
    from planning.pool.review import review

    r = review(small, YEAR, default_policy())
    assert r.summary["due"] and r.summary["size_after"] == r.summary["size_before"]
    assert (r.changes["reason"] != "").all()
    # the bottom share leaves for performance (at least one of 8 at 10 %), the freed places are refilled
    leave = r.changes[r.changes["change"] == "leave"]
    assert len(leave) >= 1 and leave["reason"].str.contains("bottom|below").all()
    assert (r.changes["change"] == "join").sum() == len(leave)
    zh = review(small, YEAR, default_policy(), lang="zh")
    assert zh.changes["cadre_id"].tolist() == r.changes["cadre_id"].tolist()
    not_due = review(small, YEAR + 1, default_policy())
    assert not not_due.summary["due"] and set(not_due.changes["change"]) == {"stay"}


# --------------------------------------------------------------------------- growth files
def test_growth_files_count_history_and_plan_and_say_what_is_still_required(small):
    """Growth file rows re-derived from history + a plan (no growth code in the expectations)."""
    from planning.pool.growth import growth_files, growth_table

    pol = default_policy()
    pool_ids = sorted(small.cadres.loc[small.cadres["is_reserve"].astype(bool), "cadre_id"])
    default = growth_table(growth_files(small, YEAR, pol))
    assert default["cadre_id"].tolist() == pool_ids and default["in_pool"].all()
    cid = pool_ids[0]
    cls = small.classes.sort_values("class_id").iloc[0]
    plan = pd.DataFrame({"cadre_id": [cid], "activity_id": [cls["class_id"]], "kind": ["class"],
                         "start_date": [cls["start_date"]], "end_date": [cls["end_date"]], "days": [cls["days"]],
                         "hours": [cls["hours"]]})
    g = growth_files(small, YEAR, pol, cadres=[cid, "CD00001"], plan=plan)
    row = growth_table(g).set_index("cadre_id")
    h = small.history
    mine = h[(h["cadre_id"] == cid) & (h["kind"] == "class") & (h["year"] >= YEAR - 4)]
    assert row.at[cid, "classes_5y"] == len(mine) + 1
    assert row.at[cid, "class_hours_5y"] == pytest.approx(float(mine["hours"].fillna(0).sum()) + float(cls["hours"]))
    assert row.at[cid, "planned_days"] == pytest.approx(float(cls["days"]))
    level = small.cadres.set_index("cadre_id").at[cid, "level"]
    if level != "division":
        expect = cls["days"] >= pol["requirement.annual_days"] or cls["hours"] >= pol["requirement.annual_hours"]
        assert bool(row.at[cid, "met_this_year"]) == bool(expect)
    assert cls["topic"] in g[0].topics  # the planned class's topic is covered
    assert any(str(YEAR) in line for line in g[0].lines["required"])
    # the radar's data: the latest assessed year's seven scores and the level's mean of them
    a = small.assessments
    latest = a[(a["cadre_id"] == cid)]
    latest = latest[latest["year"] == latest["year"].max()]
    assert g[0].dims == {d: pytest.approx(s) for d, s in zip(latest["dimension"], latest["score"])}
    assert set(g[0].level_mean) <= set(DIMS)
    # online hours against the target (planning.activities.online_hours)
    o = small.online
    hours = float(o.loc[(o["cadre_id"] == cid) & (o["year"] == YEAR), "hours"].sum())
    assert row.at[cid, "online_hours"] == pytest.approx(hours)
    assert bool(row.at[cid, "online_met"]) == (hours >= pol["requirement.online_hours"])
    zh = growth_files(small, YEAR, pol, cadres=[cid], plan=plan, lang="zh")
    assert all("年" in line for line in zh[0].lines["required"])


def test_growth_command_writes_pdf_and_csv_repeatably_and_refuses_unknown_cadres(tmp_path, capsys):
    plan_dir = tmp_path / "plan"  # a plan folder (only plan.csv): its classes count as planned
    plan_dir.mkdir()
    (plan_dir / "plan.csv").write_text("cadre_id,activity_id,kind,start_date,end_date,days,hours\n"
                                       "CD00001,C2027-002,class,2027-04-19,2027-04-28,8,64\n", encoding="utf-8")
    outs = []
    for k in (1, 2):
        out = tmp_path / f"g{k}"
        assert main(["growth", str(SMALL), "--year", str(YEAR), "--cadre", "CD00001", "--lang", "zh",
                     "--plan", str(plan_dir), "--out", str(out)]) == 0
        outs.append(out)
    for f in ("growth.csv", "growth.pdf", "summary.json"):
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes(), f
    g = pd.read_csv(outs[0] / "growth.csv")
    assert g["cadre_id"].tolist() == ["CD00001"] and g["planned_days"].tolist() == [8.0]
    bad = tmp_path / "bad"
    assert main(["growth", str(SMALL), "--year", str(YEAR), "--cadre", "CD99999", "--out", str(bad)]) == 2
    assert "CD99999" in capsys.readouterr().err and not bad.exists()


def test_growth_files_carry_the_classes_ratings_of_each_trainee():
    """Trainee ratings (issue 19) flow into the growth file: count and mean recomputed from the CSV."""
    from planning.pool.growth import growth_files

    ds = load_dataset(SMALL, YEAR)
    raw = pd.read_csv(SMALL / "trainee_ratings.csv", dtype={"cadre_id": str})
    files = growth_files(ds, YEAR, cadres=sorted(set(raw["cadre_id"]))[:5] + [c for c in ds.cadres["cadre_id"]
                                                                            if c not in set(raw["cadre_id"])][:1])
    for f in files:
        mine = raw[raw["cadre_id"] == f.row["cadre_id"]]
        assert f.row["trainee_ratings"] == len(mine)
        if len(mine):
            assert f.row["trainee_mean_score"] == pytest.approx(mine["score"].mean(), abs=0.006)
            assert any(h.startswith("Rated by classes\t%d rating" % len(mine)) for h in f.lines["header"])
        else:
            assert f.row["trainee_mean_score"] is None
            assert "Rated by classes\tno rating" in f.lines["header"]
