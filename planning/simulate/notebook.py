"""What notebooks/five_year_simulation.ipynb shows: the simulation run, its headline, fan charts,
the offer curve and the tables. The notebook only calls these; every figure comes from
planning.simulate (the same charts as simulation.pdf)."""
from __future__ import annotations

import pandas as pd

from planning.notebook_api import Charts, RunInputs
from planning.policy import load_policy
from planning.report import fonts
from planning.simulate.report import (FAN_KPIS, HEADLINE_KPIS, WORLD_KPIS, fan_chart, fmt, fmt_q, offer_chart,
                                      offer_verdict)
from planning.simulate.run import SimulationResult, simulate
from planning.simulate.words import Words

SUBDIR = "simulation"


def scales_of(text: str | float | None) -> tuple[float, ...]:
    """The notebook's offer_scales parameter ("0.8 1.0 1.2", or one number) as numbers."""
    if text is None or str(text).strip() == "":
        return (1.0,)
    return tuple(float(x) for x in str(text).replace(",", " ").split())


def run_simulation(run: RunInputs, *, years: int, runs: int, seed: int, mode: str = "fast",
                   offer_scales: str | float | None = "1.0", jobs: int | None = None, lang: str = "en",
                   keep_years: bool = False) -> SimulationResult:
    """`planning simulate` from the run's inputs into <output>/simulation (resumes completed runs)."""
    return simulate(run.data, run.year, years, runs, seed, run.output / SUBDIR, policy=run.policy,
                    scenario=run.scenario, district=run.district, mode=mode, scales=scales_of(offer_scales),
                    keep_years=keep_years, jobs=jobs, lang=lang, progress=True)


def _words(lang: str) -> Words:
    return Words("zh" if lang == "zh" and fonts.find_cjk_font() is not None else "en")


def headline(res: SimulationResult, lang: str = "en") -> pd.DataFrame:
    """The final year: median and 10–90 % range of the key KPIs."""
    w, q = _words(lang), res.summary["kpis"]
    last = str(res.summary["start_year"] + res.summary["years"] - 1)
    return pd.DataFrame([(w.kpi(k), fmt_q(k, q[k].get(last))) for k in HEADLINE_KPIS if k in q],
                        columns=["indicator", last]).set_index("indicator")


def fan_charts(res: SimulationResult, lang: str = "en") -> Charts:
    w = _words(lang)
    cjk = fonts.find_cjk_font() if w.lang == "zh" else None
    return Charts([fan_chart(res.summary["kpis"], FAN_KPIS, w, fonts.matplotlib_families(cjk))], w("sec_fans"))


def offer_curve(res: SimulationResult, lang: str = "en", policy=None) -> Charts:
    """Five-year coverage in the final year against the offer scale, and the smallest scale that
    reaches simulation.coverage_target (one scale: nothing to compare)."""
    w = _words(lang)
    curve = res.summary.get("offer_curve", [])
    last = res.summary["start_year"] + res.summary["years"] - 1
    if len(curve) < 2:
        return Charts([], w("offer_one_scale"))
    pol = load_policy(policy)
    target = float(pol["simulation.coverage_target"])
    cjk = fonts.find_cjk_font() if w.lang == "zh" else None
    return Charts([offer_chart(curve, target, w, fonts.matplotlib_families(cjk))],
                  offer_verdict(curve, target, last, w, leave_share=float(pol["requirement.leave_max_share"])))


def kpi_table(res: SimulationResult, lang: str = "en") -> pd.DataFrame:
    """Every KPI by year: median (10–90 %)."""
    w, q = _words(lang), res.summary["kpis"]
    years = [str(y) for y in range(res.summary["start_year"], res.summary["start_year"] + res.summary["years"])]
    return pd.DataFrame([[w.kpi(k)] + [fmt_q(k, q[k].get(y)) for y in years] for k in q],
                        columns=["indicator"] + years).set_index("indicator")


def world_table(res: SimulationResult, lang: str = "en") -> pd.DataFrame:
    """The cadre corps' movements by year (medians)."""
    w, q = _words(lang), res.summary["kpis"]
    years = [str(y) for y in range(res.summary["start_year"], res.summary["start_year"] + res.summary["years"])]
    return pd.DataFrame([[w.kpi(k)] + [fmt(k, (q[k].get(y) or {}).get("median")) for y in years]
                         for k in WORLD_KPIS if k in q], columns=["indicator"] + years).set_index("indicator")
