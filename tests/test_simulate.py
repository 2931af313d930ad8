"""The five-year simulation (planning.simulate) on data/small: kept years are valid data sets
whose plans pass the independent checker, history grows by exactly the credited assignments,
departed cadres are gone, rates at 0 and 1 move headcounts as they say, and the same seed gives
the same bytes."""
from __future__ import annotations

import filecmp
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning.check import check_plan
from planning.cli import main
from planning.data.load import load_dataset
from planning.inyear import next_year_data, year_record
from planning.policy import load_policy
from planning.simulate import prepare, simulate, simulate_years
from planning.simulate.report import write_workbook
from planning.simulate.world import advance

SMALL = Path(__file__).resolve().parents[1] / "data" / "small"
YEAR = 2027


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim") / "out"
    r = simulate(SMALL, YEAR, 3, 1, 11, out, keep_years=True, jobs=1, progress=False)
    return out, r


def test_kept_years_are_valid_and_checked(kept):
    out, _ = kept
    pol = load_policy(None)
    for y in (YEAR, YEAR + 1, YEAR + 2):
        folder = out / "runs" / "001" / str(y)
        ds = load_dataset(folder / "data", y)  # a valid data set of the contract
        assert check_plan(ds, folder / "plan", y, pol) == []


def test_history_grows_by_the_credited_assignments(kept):
    """Year Y + 1's history = year Y's history + exactly Y's credited assignments (the plan less the
    withdrawals in Y's attendance), for every cadre still there."""
    out, _ = kept
    run = out / "runs" / "001"
    withdrawn_total = 0
    for y in (YEAR, YEAR + 1):
        this = pd.read_csv(run / str(y) / "data" / "history.csv", dtype=str)
        nxt = pd.read_csv(run / str(y + 1) / "data" / "history.csv", dtype=str)
        plan = pd.read_csv(run / str(y) / "plan" / "plan.csv", dtype=str)
        att = pd.read_csv(run / str(y) / "data" / "attendance.csv", dtype=str)
        staying = set(pd.read_csv(run / str(y + 1) / "data" / "cadres.csv", dtype=str)["cadre_id"])
        credited = set(zip(plan["cadre_id"], plan["activity_id"])) - set(zip(att["cadre_id"], att["activity_id"]))
        new = nxt[nxt["year"] == str(y)]
        assert set(zip(new["cadre_id"], new["activity_id"])) == {p for p in credited if p[0] in staying}
        assert len(new) == len(set(zip(new["cadre_id"], new["activity_id"])))
        old = this[this["cadre_id"].isin(staying)]
        assert len(nxt[nxt["year"] != str(y)]) == len(old)  # earlier years kept for those who stay
        withdrawn_total += len(att)
    assert withdrawn_total > 0  # the draw withdrew someone (3 % of ~100 trainees a year)


def test_nobody_departed_comes_back(kept):
    out, r = kept
    run = out / "runs" / "001"
    seen_gone: set[str] = set()
    prev = None
    for y in (YEAR, YEAR + 1, YEAR + 2):
        ids = set(pd.read_csv(run / str(y) / "data" / "cadres.csv", dtype=str)["cadre_id"])
        assert not ids & seen_gone
        if prev is not None:
            seen_gone |= prev - ids
        prev = ids
    k = r.kpis.pivot_table(index="year", columns="kpi", values="value")
    # headcount kept (hire_share 1): the year's cadres = last year's - leavers + hires
    for y in (YEAR, YEAR + 1):
        assert k.at[y + 1, "cadres"] == k.at[y, "cadres"] - k.at[y, "retired"] - k.at[y, "departed"] + k.at[y, "hired"]


def test_kpis_consistent(kept):
    out, r = kept
    k = r.kpis
    assert list(k.columns[:4]) == ["run", "year", "kpi", "value"]
    assert not k.duplicated(["run", "year", "kpi", "offer_scale"]).any()
    w = k.pivot_table(index="year", columns="kpi", values="value")
    for share in ("requirement_met", "five_year_coverage", "five_year_coverage_planned", "division_550", "seat_use"):
        assert ((w[share] >= 0) & (w[share] <= 1)).all()
    # withdrawals only take credit away: as planned, at least as many have a class in five years
    assert (w["five_year_coverage"] <= w["five_year_coverage_planned"] + 1e-9).all()
    assert (w["overdue_planned"] <= w["overdue"]).all()
    assert (w["requirement_met"] <= w["requirement_met_planned"] + 1e-9).all()  # withdrawals only take credit away
    assert (w["seats_used"] <= w["seats_offered"]).all()
    assert (w["overdue"] == (1 - w["five_year_coverage"]) * w["cadres"]).round(6).all() or \
        ((w["overdue"] - (1 - w["five_year_coverage"]) * w["cadres"]).abs() < 1e-3).all()
    for y in (YEAR, YEAR + 1, YEAR + 2):  # every drawn withdrawal is a withdrawal (leave over 1/7), none lost
        att = pd.read_csv(out / "runs" / "001" / str(y) / "data" / "attendance.csv")
        assert w.at[y, "withdrawn"] == len(att)
        plan = pd.read_csv(out / "runs" / "001" / str(y) / "plan" / "plan.csv")
        assert w.at[y, "seats_used"] == (plan["kind"] == "class").sum()
        # as planned: the year's data set (its history: the four years before) plus the year's planned classes
        cad = pd.read_csv(out / "runs" / "001" / str(y) / "data" / "cadres.csv")
        hist = pd.read_csv(out / "runs" / "001" / str(y) / "data" / "history.csv")
        seen = set(hist.loc[(hist["kind"] == "class") & (hist["year"] > y - 5), "cadre_id"])
        seen |= set(plan.loc[plan["kind"] == "class", "cadre_id"])
        assert w.at[y, "overdue_planned"] == (~cad["cadre_id"].isin(seen)).sum()
    s = json.loads((out / "summary.json").read_text())
    assert s["kpis"]["five_year_coverage"][str(YEAR)]["median"] == pytest.approx(w.at[YEAR, "five_year_coverage"])


def _expected_review_leavers(cadres: pd.DataFrame, assessments: pd.DataFrame, present: set[str], year: int,
                             pol) -> set[str]:
    """Who leaves the pool at a review, recomputed from the files (not with planning.pool): members
    whose composite (policy-weighted mean of the dimensions) is below pool.low_score in each of their
    last pool.low_years assessed years, then the lowest percentiles within level (the composite of
    the latest assessed year, ranked among all assessed cadres of the level) up to
    ceil(pool.review_drop_share x members)."""
    a = assessments[assessments["year"] <= year].copy()
    a["w"] = [float(pol[f"pool.weight_{d}"]) for d in a["dimension"]]
    a["ws"] = a["w"] * a["score"]
    comp = a.groupby(["cadre_id", "year"])[["ws", "w"]].sum()
    comp = (comp["ws"] / comp["w"]).rename("composite").reset_index().sort_values(["cadre_id", "year"])
    members = [c for c, r in zip(cadres["cadre_id"], cadres["is_reserve"]) if str(r).lower() == "true" and c in present]
    n_low, low_score = int(pol["pool.low_years"]), float(pol["pool.low_score"])
    low = {c for c in members
           if len(last := list(comp.loc[comp["cadre_id"] == c, "composite"])[::-1][:n_low]) == n_low
           and all(v < low_score for v in last)}
    latest = comp.groupby("cadre_id").tail(1).set_index("cadre_id")["composite"].round(2)
    level = dict(zip(cadres["cadre_id"], cadres["level"]))
    pct = (latest.groupby(latest.index.map(level)).rank(method="average", pct=True) * 100).round(1)
    drop = math.ceil(float(pol["pool.review_drop_share"]) * len(members) - 1e-9)
    rest = sorted((float(pct[c]), c) for c in members if c not in low and c in pct.index)
    return low | {c for _, c in rest[:max(0, drop - len(low))]}


def test_pool_review_in_the_years_it_is_due(kept):
    """The pool's review (due in 2027: every pool.review_years from pool.review_first_year) takes its
    leavers out of the pool: none of them is a member in 2028; 2028 is no review year (nobody leaves
    but by promotion). Leavers recomputed from the kept files, independently of planning.pool."""
    out, r = kept
    pol = load_policy(None)
    run = out / "runs" / "001"
    k = r.kpis.pivot_table(index="year", columns="kpi", values="value")
    for y in (YEAR, YEAR + 1):
        this = pd.read_csv(run / str(y) / "data" / "cadres.csv", dtype=str)
        nxt = pd.read_csv(run / str(y + 1) / "data" / "cadres.csv", dtype=str).set_index("cadre_id")
        member_next = {c for c, v in nxt["is_reserve"].items() if v.lower() == "true"}
        present = set(nxt.index)
        if y == YEAR:
            a = pd.read_csv(run / str(y) / "data" / "assessments.csv")
            leavers = _expected_review_leavers(this, a, present, y, pol)
            assert leavers and not leavers & member_next
            assert k.at[y, "pool_reviewed_out"] == len(leavers)
        else:
            assert k.at[y, "pool_reviewed_out"] == 0
            # a member still there at the same level (not promoted) is still a member
            for c, lv, res in zip(this["cadre_id"], this["level"], this["is_reserve"]):
                if res.lower() == "true" and c in present and nxt.at[c, "level"] == lv:
                    assert c in member_next
    assert (k["pool_size"] > 0).all()


def test_rates_at_the_extremes():
    """Everyone departs (attrition 1) and nobody is hired (hire_share 0): the next year has no
    cadres left to plan -> every cadre is new; with attrition 0 and retirement far away, nobody leaves."""
    none = load_policy(None).with_overrides({"simulation.retirement_age": 100, "simulation.attrition_division": 0.0,
                                             "simulation.attrition_section": 0.0,
                                             "simulation.attrition_deputy_section": 0.0,
                                             "simulation.attrition_staff": 0.0})
    spec = prepare(SMALL, YEAR, 2, 1, 5, policy=none)
    rows = pd.DataFrame(simulate_years(spec, 0, 1.0))
    w = rows.pivot_table(index="year", columns="kpi", values="value")
    assert (w[["retired", "departed", "promoted", "hired"]] == 0).all().all()
    assert w.at[YEAR + 1, "cadres"] == w.at[YEAR, "cadres"]
    everyone = none.with_overrides({"simulation.attrition_staff": 1.0, "simulation.attrition_deputy_section": 1.0,
                                    "simulation.attrition_section": 1.0, "simulation.attrition_division": 1.0})
    spec = prepare(SMALL, YEAR, 2, 1, 5, policy=everyone)
    w = pd.DataFrame(simulate_years(spec, 0, 1.0)).pivot_table(index="year", columns="kpi", values="value")
    assert w.at[YEAR, "departed"] == w.at[YEAR, "cadres"]
    assert w.at[YEAR, "promoted"] == 0 and w.at[YEAR, "hired"] == w.at[YEAR, "cadres"]


def test_same_seed_same_bytes(tmp_path, kept):
    out, _ = kept
    again = tmp_path / "again"
    from planning.simulate import run

    run._FIRST.clear()  # the first year planned again too (not taken from this process's earlier runs)
    simulate(SMALL, YEAR, 3, 1, 11, again, keep_years=True, jobs=1, progress=False)
    assert (again / "simulation.pdf").stat().st_size > 10_000
    cmp = filecmp.dircmp(out, again)
    def same(c):
        assert not c.diff_files and not c.left_only and not c.right_only, (c.left, c.diff_files, c.left_only)
        for sub in c.subdirs.values():
            same(sub)
    same(cmp)


def test_full_mode_ends_on_counts_and_repeats(tmp_path):
    """--mode full: each year's large-neighbourhood search ends on simulation_full.lns_neighbourhoods
    (a count, not the clock), so two runs write the same bytes. On small the exact MIP would plan
    every year: search.full_mip_pairs 0 sends it through the heuristic layers and the LNS (fewer
    Lagrangian steps keep the test short)."""
    pol = load_policy(None).with_overrides({"search.full_mip_pairs": 0, "simulation_full.lns_neighbourhoods": 2,
                                            "lagrange.iterations": 60, "lagrange.master_rounds": 0})
    outs = []
    for name in ("a", "b"):
        from planning.simulate import run

        run._FIRST.clear()
        simulate(SMALL, YEAR, 2, 1, 3, tmp_path / name, policy=pol, mode="full", keep_years=True, jobs=1,
                 progress=False, report=False)
        outs.append(tmp_path / name)
    for y in (YEAR, YEAR + 1):
        s = json.loads((outs[0] / "runs" / "001" / str(y) / "plan" / "summary.json").read_text())
        assert s["lns_stop"] != "time" and 0 < s["lns_neighbourhoods"] <= 2
        for f in ("plan.csv", "summary.json"):
            a, b = (o / "runs" / "001" / str(y) / "plan" / f for o in outs)
            assert a.read_bytes() == b.read_bytes(), f
    assert (outs[0] / "kpis.csv").read_bytes() == (outs[1] / "kpis.csv").read_bytes()


def test_bad_arguments_write_nothing(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["simulate", str(SMALL), "--start-year", str(YEAR), "--years", "0", "--out", str(out)]) == 2
    assert not out.exists()
    bad = tmp_path / "p.yaml"
    bad.write_text("simulation:\n  withdrawal_share: 1.5\n")
    assert main(["simulate", str(SMALL), "--start-year", str(YEAR), "--years", "1", "--out", str(out),
                 "--policy", str(bad)]) == 2
    assert not out.exists()
    assert "withdrawal_share" in capsys.readouterr().err


def test_offer_scales_resume_and_chinese_workbook(tmp_path):
    """Two offer scales on the same draws give the offer curve; a second call resumes every run
    (nothing re-planned, same files); --lang zh gives Chinese sheets."""
    import openpyxl

    out = tmp_path / "o"
    r = simulate(SMALL, YEAR, 1, 1, 2, out, scales=(0.5, 1.0), jobs=1, progress=False, report=False)
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["x0.5_001", "x1_001"]
    curve = r.summary["offer_curve"]
    assert [p["offer_scale"] for p in curve] == [0.5, 1.0]
    assert all(p["planned"] >= p["median"] for p in curve)  # as planned, withdrawals not yet taken away
    seats = r.kpis[r.kpis["kpi"] == "seats_offered"].set_index("offer_scale")["value"]
    assert seats[0.5] < seats[1.0]
    before = (out / "kpis.csv").read_bytes()
    again = simulate(SMALL, YEAR, 1, 1, 2, out, scales=(0.5, 1.0), jobs=1, progress=False, report=False)
    assert again.ran == 0 and again.resumed == 2 and (out / "kpis.csv").read_bytes() == before
    write_workbook(again.kpis, again.summary, load_policy(None), out / "simulation.xlsx", "zh")
    wb = openpyxl.load_workbook(out / "simulation.xlsx")
    assert wb.sheetnames == ["汇总", "指标明细", "供给曲线", "模拟参数"]


def test_offer_verdict_tells_seats_from_withdrawals():
    """The offer curve's sentence: the smallest scale whose credited median reaches the target;
    else, when the plans reach it, that the rest withdrew (attendance, not seats); else more offer."""
    from planning.simulate.report import offer_verdict
    from planning.simulate.words import Words

    w = Words("en")
    curve = [{"offer_scale": 0.8, "median": 0.99, "planned": 0.995}, {"offer_scale": 1.0, "median": 0.999, "planned": 1.0},
             {"offer_scale": 1.2, "median": 1.0, "planned": 1.0}]
    assert offer_verdict(curve, 1.0, 2031, w, leave_share=1 / 7).endswith(": ×1.2.")
    assert "from ×1 the plans reach it" in offer_verdict(curve[:2], 1.0, 2031, w, leave_share=1 / 7)
    assert "a larger offer is needed" in offer_verdict(curve[:1], 1.0, 2031, w, leave_share=1 / 7)
    assert "a larger offer is needed" in offer_verdict([{"offer_scale": 1.0, "median": 0.9}], 1.0, 2031, w, leave_share=1 / 7)
    uneven = [{**curve[0], "planned": 1.0}, {**curve[1], "planned": 0.999}]  # "from ×0.8 on" would not hold
    assert "a larger offer is needed" in offer_verdict(uneven, 1.0, 2031, w, leave_share=1 / 7)
    assert "严格考勤" in offer_verdict(curve[:2], 1.0, 2031, Words("zh"), leave_share=1 / 7)
    # the leave rule's share is read from the policy, not written in the sentence
    assert "leave over 14.3% of its hours" in offer_verdict(curve[:2], 1.0, 2031, w, leave_share=1 / 7)
    assert "请假超过总学时20.0%" in offer_verdict(curve[:2], 1.0, 2031, Words("zh"), leave_share=0.2)


def test_dask_cluster_gives_the_same_kpis(tmp_path):
    """--scheduler: the runs go to Dask workers (a LocalCluster here) through the batch executors;
    the same seed gives the same kpis.csv as local runs."""
    distributed = pytest.importorskip("distributed", reason="Dask is an optional extra (pip install '.[dask]')")
    local = simulate(SMALL, YEAR, 1, 2, 4, tmp_path / "local", jobs=1, progress=False, report=False)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = simulate(SMALL, YEAR, 1, 2, 4, tmp_path / "dask", client=client, progress=False, report=False)
    assert remote.ran == 2
    assert (tmp_path / "dask" / "kpis.csv").read_bytes() == (tmp_path / "local" / "kpis.csv").read_bytes()
    assert local.kpis["run"].nunique() == 2


def test_offer_given_by_the_data(tmp_path, capsys):
    """--offers DIR: a later year's offer given as DIR/<year>/classes.csv is that year's offer (checked
    plan); an offer that does not fit its year is exit 2 with nothing written."""
    from planning.data.write import dataset_text
    from planning.inyear import redate_offer

    ds = load_dataset(SMALL, YEAR)
    nxt = redate_offer(ds, YEAR, YEAR + 1)
    classes = dataset_text(nxt)["classes"]
    classes["capacity"] = [str(int(c) * 2) for c in classes["capacity"]]
    (tmp_path / "offers" / str(YEAR + 1)).mkdir(parents=True)
    classes.to_csv(tmp_path / "offers" / str(YEAR + 1) / "classes.csv", index=False)
    out = tmp_path / "o"
    simulate(SMALL, YEAR, 2, 1, 3, out, offers=tmp_path / "offers", keep_years=True, jobs=1, progress=False,
             report=False)
    kept = out / "runs" / "001" / str(YEAR + 1)
    got = pd.read_csv(kept / "data" / "classes.csv", dtype=str)
    assert list(got["capacity"]) == list(classes["capacity"]) and list(got["topic"]) == list(classes["topic"])
    assert check_plan(load_dataset(kept / "data", YEAR + 1), kept / "plan", YEAR + 1, load_policy(None)) == []
    bad = tmp_path / "bad"
    (bad / str(YEAR + 1)).mkdir(parents=True)
    dataset_text(ds)["classes"].to_csv(bad / str(YEAR + 1) / "classes.csv", index=False)  # still dated 2027
    assert main(["simulate", str(SMALL), "--start-year", str(YEAR), "--years", "2", "--offers", str(bad),
                 "--out", str(tmp_path / "o2")]) == 2
    assert not (tmp_path / "o2").exists()
    assert "classes" in capsys.readouterr().err


def test_promotions_fill_vacated_posts_and_hires_keep_headcounts():
    """Every division cadre departs: with promotion_fill_share 1 each post is filled from the level
    below (a cascade down to staff, reserve pool first) and staff hires keep every unit's headcount;
    with 0 no one is promoted and every post stays unfilled (its headcount comes back as staff)."""
    base = load_policy(None).with_overrides({"simulation.retirement_age": 100, "simulation.attrition_division": 1.0,
                                             "simulation.attrition_section": 0.0,
                                             "simulation.attrition_deputy_section": 0.0,
                                             "simulation.attrition_staff": 0.0,
                                             "pool.review_first_year": YEAR + 1})  # no review this year: the pool as given
    spec = prepare(SMALL, YEAR, 1, 1, 5, policy=base)
    ds = spec.data
    n_div = int((ds.cadres["level"] == "division").sum())
    reserve_section = set(ds.cadres.loc[(ds.cadres["level"] == "section") & ds.cadres["is_reserve"].astype(bool),
                                        "cadre_id"])
    empty = pd.DataFrame(columns=["cadre_id", "activity_id", "kind", "start_date", "end_date", "days", "hours"])
    closed = next_year_data(ds, year_record(ds, empty, YEAR, base), YEAR)
    for share, promoted in ((1.0, True), (0.0, False)):
        pol = base.with_overrides({"simulation.promotion_fill_share": share})
        nxt, ev = advance(closed, ds, year_record(ds, empty, YEAR, pol), YEAR, pol, np.random.default_rng(0))
        c = nxt.cadres
        assert len(ev.departed) == n_div
        assert c["unit_id"].value_counts().to_dict() == ds.cadres["unit_id"].value_counts().to_dict()
        if promoted:
            assert int((c["level"] == "division").sum()) == n_div
            new_div = set(c.loc[c["level"] == "division", "cadre_id"])
            assert len(new_div & reserve_section) == min(n_div, len(reserve_section))  # the pool first
            assert all(d.year == YEAR for d in c.loc[c["cadre_id"].isin(new_div), "promoted_on"])
            assert ev.vacancies_unfilled == 0 and len(ev.promoted) >= n_div
        else:
            assert int((c["level"] == "division").sum()) == 0 and ev.vacancies_unfilled == n_div and not ev.promoted
