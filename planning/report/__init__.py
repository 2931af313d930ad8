"""Reports of an annual plan: a PDF document and an Excel workbook to hand out.

    from planning.report import build_report, build_workbook
    build_report("reports/sample-plan", "data/sample", 2027, "reports/sample-plan.pdf")
    build_workbook("reports/sample-plan", "data/sample", 2027, "reports/sample-plan.xlsx", lang="zh")

Both read the plan directory written by ``planning plan`` (plan.csv, classes.csv,
shortfall.csv, coverage.csv, summary.json, policy.yaml), the data set and the policy;
figures missing from summary.json are recomputed from the files. Modules:
kpis (figures and tables), charts (SVG), html + templates/ (layout), pdf, excel,
labels (en/zh), anonymize (pseudonyms), fonts (a font for Chinese).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from planning.report.fonts import cjk_font_available

__all__ = ["build_report", "build_workbook", "cjk_font_available", "render_report_html"]


def build_report(plan_dir, data, year: int, out_pdf, *, lang: str = "en", anonymize: bool = False, policy=None,
                 title: str | None = None, today: dt.date | None = None) -> Path:
    """Write the plan's PDF report to `out_pdf` (atomically: a temp file, then os.replace).

    data: a data-set path or a loaded Dataset; policy: a Policy, a policy file, or None
    (the plan's own policy.yaml, else the defaults). lang "zh" needs a Chinese font; without
    one the report is rendered in English with a notice on its cover saying so (and a
    UserWarning). Raises PlanNotFound (not a plan directory) and PlanDataMismatch (the plan
    was made from another data set), both PlanningError with the CLI's exit codes."""
    from planning.report.content import gather
    from planning.report.html import render_html
    from planning.report.pdf import write_pdf

    content = gather(plan_dir, data, year, lang=lang, anonymize=anonymize, policy=policy, title=title, today=today)
    return write_pdf(render_html(content), out_pdf)


def build_workbook(plan_dir, data, year: int, out_xlsx, *, lang: str = "en", anonymize: bool = False,
                   policy=None) -> Path:
    """Write the plan's Excel workbook to `out_xlsx` (atomically). Sheets: plan, by cadre,
    by class, by unit, shortfall, KPIs, policy (named in the report's language)."""
    from planning.report.content import gather
    from planning.report.excel import write_workbook

    content = gather(plan_dir, data, year, lang=lang, anonymize=anonymize, policy=policy, printed=False)
    return write_workbook(content, out_xlsx)


def render_report_html(plan_dir, data, year: int, *, lang: str = "en", anonymize: bool = False, policy=None,
                       title: str | None = None, today: dt.date | None = None) -> str:
    """The report as an HTML document (what the PDF is made from; a notebook can display it)."""
    from planning.report.content import gather
    from planning.report.html import render_html

    return render_html(gather(plan_dir, data, year, lang=lang, anonymize=anonymize, policy=policy, title=title,
                              today=today))
