"""summary.json of a simulation: the median and the 10 % / 90 % quantiles of every KPI per year
(per offer scale), and the offer curve (five-year coverage in the final year against the scale)."""
from __future__ import annotations

import numpy as np
import pandas as pd

QUANTILES = {"p10": 0.1, "median": 0.5, "p90": 0.9}
CURVE_KPI = "five_year_coverage"


def quantiles(values: pd.Series) -> dict[str, float | None]:
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if not len(v):
        return {k: None for k in QUANTILES}
    return {k: round(float(np.quantile(v, q)), 6) for k, q in QUANTILES.items()}


def kpi_quantiles(kpis: pd.DataFrame) -> dict[str, dict[str, dict]]:
    """{kpi: {year: {p10, median, p90}}} over the runs, KPIs in their first-seen order."""
    out: dict[str, dict[str, dict]] = {}
    for (kpi, year), g in kpis.groupby(["kpi", "year"], sort=False):
        out.setdefault(kpi, {})[str(int(year))] = quantiles(g["value"])
    return out


def offer_curve(kpis: pd.DataFrame, kpi: str = CURVE_KPI) -> list[dict]:
    """One point per offer scale: the KPI's quantiles in the final year, and `planned`: the median
    of the same KPI as planned (`<kpi>_planned`: withdrawn trainees counted), where there is one."""
    final = kpis[kpis["year"] == kpis["year"].max()]
    planned = {float(s): quantiles(g["value"])["median"]
               for s, g in final[final["kpi"] == f"{kpi}_planned"].groupby("offer_scale")}
    return [{"offer_scale": float(s), **quantiles(g["value"]),
             **({"planned": planned[float(s)]} if float(s) in planned else {})}
            for s, g in final[final["kpi"] == kpi].groupby("offer_scale")]


def build_summary(kpis: pd.DataFrame, meta: dict) -> dict:
    scales = sorted(set(float(s) for s in kpis["offer_scale"]))
    base = 1.0 if 1.0 in scales else scales[0]
    out = {**meta, "offer_scales": scales, "base_offer_scale": base,
           "kpis": kpi_quantiles(kpis[kpis["offer_scale"] == base])}
    if len(scales) > 1:
        out["by_offer_scale"] = {f"{s:g}": kpi_quantiles(kpis[kpis["offer_scale"] == s]) for s in scales}
    out["offer_curve"] = offer_curve(kpis)
    return out
