"""The PDF report and the Excel workbook of a plan (planning.report).

A tiny county (3 units, 14 cadres, 4 classes, 2 rotation posts) and a hand-made, valid
plan directory are written by the helpers below, so these tests need neither the
optimizer nor the sample data. Figures in summary.json were worked out by hand from the
plan; one test checks that the report's own recomputation agrees with them.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")
openpyxl = pytest.importorskip("openpyxl")

from planning.report import build_report, build_workbook, cjk_font_available  # noqa: E402
from planning.report import fonts  # noqa: E402
from planning.report import formatting as F  # noqa: E402

YEAR = 2027
TODAY = dt.date(2027, 1, 15)
FORMULA_NAMES = {"C02": "=SUM(A1)", "C03": "+1", "C04": "@x", "C05": "-2"}
HTML_NAME = "<b>x</b>"
# Names that must never appear in an anonymized handout (distinctive enough to search for).
REAL_NAMES = ["Zhang Wei", "李明华", "Wang Fang", "Chen Jing", "Liu Yang", "Zhao Lei", "Sun Li", "Zhou Min",
              "Wu Qiang", "=SUM(A1)", HTML_NAME]


# --------------------------------------------------------------------------- fixture writers
def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def write_dataset(d: Path) -> Path:
    """A county of 3 units and 14 cadres, in the data contract's CSV form."""
    d.mkdir(parents=True, exist_ok=True)
    _write(d / "units.csv", [
        {"unit_id": "U1", "name": "Organization Department", "district": "Qingshan County", "max_absent_share": "0.4"},
        {"unit_id": "U2", "name": "青山镇 Qingshan Town", "district": "Qingshan County", "max_absent_share": "0.4"},
        {"unit_id": "U3", "name": "Finance Bureau", "district": "Qingshan County", "max_absent_share": "0.5"},
    ])
    cad = [  # id, name, unit, level, birth, reserve, key, promoted_on, grassroots
        ("C01", "Zhang Wei", "U1", "division", 1972, "no", "yes", "", 6),
        ("C02", "=SUM(A1)", "U1", "section", 1985, "no", "no", "", 1),
        ("C03", "+1", "U1", "deputy_section", 1988, "no", "no", "", 3),
        ("C04", "@x", "U1", "staff", 1994, "no", "no", "", 0),
        ("C05", "-2", "U1", "staff", 1990, "no", "no", "", 1),
        ("C06", HTML_NAME, "U2", "section", 1983, "no", "yes", "2026-03-01", 4),
        ("C07", "李明华", "U2", "staff", 1995, "no", "no", "", 2),
        ("C08", "Wang Fang", "U2", "deputy_section", 1986, "yes", "no", "", 5),
        ("C09", "Chen Jing", "U2", "staff", 1996, "no", "no", "", 0),
        ("C10", "Liu Yang", "U2", "division", 1970, "no", "no", "", 8),
        ("C11", "Zhao Lei", "U3", "section", 1984, "yes", "no", "", 2),
        ("C12", "Sun Li", "U3", "staff", 1989, "no", "no", "", 0),
        ("C13", "Zhou Min", "U3", "staff", 1987, "no", "no", "", 1),
        ("C14", "Wu Qiang", "U3", "deputy_section", 1982, "no", "no", "", 5),
    ]
    _write(d / "cadres.csv", [dict(zip(("cadre_id", "name", "unit_id", "level", "birth_year", "is_reserve",
                                        "is_key_post", "promoted_on", "grassroots_years"), r)) for r in cad])
    base = {"window_start": "", "window_end": "", "min_size": "0", "levels": "", "institution": "", "cost_per_trainee": "0"}
    _write(d / "classes.csv", [
        {**base, "class_id": "K1", "title": "Spring theory class", "topic": "theory", "mode": "full_time",
         "start_date": "2027-03-08", "end_date": "2027-03-19", "days": "12", "hours": "96", "capacity": "6",
         "min_size": "2", "institution": "County Party School", "cost_per_trainee": "500"},
        {**base, "class_id": "K2", "title": "Weekend class on the digital economy", "topic": "digital", "mode": "weekend",
         "start_date": "2027-04-10", "end_date": "2027-05-09", "days": "10", "hours": "90", "capacity": "5",
         "institution": "Online College", "cost_per_trainee": "800"},
        {**base, "class_id": "K3", "title": "Autumn class on rural revitalization", "topic": "rural",
         "mode": "full_time", "start_date": "", "end_date": "", "window_start": "2027-09-01",
         "window_end": "2027-11-30", "days": "10", "hours": "90", "capacity": "4", "min_size": "3"},
        {**base, "class_id": "K4", "title": "Seminar for division-level leaders", "topic": "leadership",
         "mode": "full_time", "start_date": "2027-10-11", "end_date": "2027-10-29", "days": "15", "hours": "120",
         "capacity": "4", "levels": "division", "institution": "Municipal Party School", "cost_per_trainee": "3000"},
    ])
    _write(d / "rotations.csv", [
        {"post_id": "R1", "title": "Village assistant, Qingshan", "direction": "grassroots", "category": "rural_frontline",
         "start_date": "2027-06-01", "end_date": "2027-08-31", "slots": "2", "levels": ""},
        {"post_id": "R2", "title": "City reform office", "direction": "higher_level", "category": "key_project",
         "start_date": "2027-05-01", "end_date": "2027-07-31", "slots": "1", "levels": ""},
    ])
    _write(d / "blackouts.csv", [
        {"start_date": "2027-07-01", "end_date": "2027-07-10", "scope": "region", "reason": "Flood season duty"},
        {"start_date": "2027-12-01", "end_date": "2027-12-31", "scope": "U3", "reason": "Year-end accounts"},
    ])
    _write(d / "busy.csv", [
        {"cadre_id": "C13", "start_date": "2027-03-01", "end_date": "2027-05-31", "reason": "audit"},
        {"cadre_id": "C13", "start_date": "2027-10-01", "end_date": "2027-10-31", "reason": "audit"},
    ])
    hist = [{"cadre_id": c, "year": "2025", "activity_id": f"H{c}", "topic": "party history", "kind": "class",
             "days": "5", "hours": "40"} for c in ("C02", "C03", "C04", "C05", "C06", "C07", "C08", "C10", "C11", "C14")]
    hist.append({"cadre_id": "C01", "year": "2024", "activity_id": "H0", "topic": "governance", "kind": "class",
                 "days": "40", "hours": "300"})
    _write(d / "history.csv", hist)
    return d


PLAN = [  # cadre, activity, kind, start, end, days, hours
    *[(c, "K1", "class", "2027-03-08", "2027-03-19", 12, 96) for c in ("C02", "C03", "C06", "C08", "C11")],
    *[(c, "K2", "class", "2027-04-10", "2027-05-09", 10, 90) for c in ("C04", "C05", "C07", "C12")],
    *[(c, "K4", "class", "2027-10-11", "2027-10-29", 15, 120) for c in ("C01", "C10")],
    ("C09", "R1", "rotation", "2027-06-01", "2027-08-31", 92, 0),
    ("C14", "R2", "rotation", "2027-05-01", "2027-07-31", 92, 0),
]
MET = {"C02", "C03", "C04", "C05", "C06", "C07", "C08", "C11", "C12"}
SUMMARY = {
    "status": "optimal", "objective": 1234.5, "best_bound": 1234.5, "gap": 0.0, "solver": "highs",
    "solve_seconds": 0.8, "build_seconds": 0.1, "cadres": 14, "requirement_met_share": 9 / 14, "year": YEAR,
    "data": "fixture", "district": "Qingshan County", "scenario": "baseline",
    "met_by_level": {"division": 0.0, "section": 1.0, "deputy_section": 2 / 3, "staff": 4 / 6},
    "met_by_group": {"overdue": 1 / 3, "reserve": 1.0, "young": 2 / 3, "newly_promoted": 1.0, "key_post": 0.5},
    "overdue_total": 3, "overdue_covered": 1, "rotations_filled": 2, "rotation_slots": 3, "classes_running": 3,
    "classes_cancelled": 1, "seats_used": 11, "seats_offered": 19, "cost": 11700.0, "budget": 20000.0,
    "greedy_met_share": 0.5, "warnings": ["class K3 is cancelled: only 2 cadres could attend it (minimum 3)"],
}


def write_plan(d: Path, *, full: bool = True) -> Path:
    """A valid plan of the county above; `full=False` writes only what the contract requires
    (no coverage.csv, a minimal summary.json, no policy.yaml)."""
    d.mkdir(parents=True, exist_ok=True)
    _write(d / "plan.csv", [dict(zip(("cadre_id", "activity_id", "kind", "start_date", "end_date", "days", "hours"), r))
                            for r in PLAN])
    _write(d / "classes.csv", [
        {"class_id": "K1", "start_date": "2027-03-08", "end_date": "2027-03-19", "status": "running", "enrolled": 5, "capacity": 6},
        {"class_id": "K2", "start_date": "2027-04-10", "end_date": "2027-05-09", "status": "running", "enrolled": 4, "capacity": 5},
        {"class_id": "K3", "start_date": "", "end_date": "", "status": "cancelled", "enrolled": 0, "capacity": 4},
        {"class_id": "K4", "start_date": "2027-10-11", "end_date": "2027-10-29", "status": "running", "enrolled": 2, "capacity": 4},
    ])
    _write(d / "shortfall.csv", [
        {"cadre_id": "C01", "unit_id": "U1", "measure": "hours", "required": 250, "planned": 120,
         "reasons": "the only division-level class holds 120 hours"},
        {"cadre_id": "C09", "unit_id": "U2", "measure": "days", "required": 12, "planned": 0,
         "reasons": "on rotation R1 all summer; no class fits the rest of the year"},
        {"cadre_id": "C10", "unit_id": "U2", "measure": "hours", "required": 510, "planned": 120,
         "reasons": "the only division-level class holds 120 hours"},
        {"cadre_id": "C13", "unit_id": "U3", "measure": "days", "required": 12, "planned": 0,
         "reasons": "Zhou Min is busy (audit) during every class open to the staff level"},
        {"cadre_id": "C14", "unit_id": "U3", "measure": "days", "required": 12, "planned": 0,
         "reasons": "on rotation R2; the unit's absence cap is reached in the spring class"},
    ])
    if full:
        (d / "summary.json").write_text(json.dumps(SUMMARY, indent=2), encoding="utf-8")
        (d / "policy.yaml").write_text("budget:\n  total: 20000\nabsence:\n  max_absent_share: 0.2\n", encoding="utf-8")
        _write_coverage(d)
    else:
        minimal = {k: SUMMARY[k] for k in ("status", "objective", "best_bound", "gap", "solver", "solve_seconds",
                                           "cadres", "requirement_met_share")}
        (d / "summary.json").write_text(json.dumps(minimal), encoding="utf-8")
    return d


def _write_coverage(d: Path) -> None:
    levels = {"C01": "division", "C02": "section", "C03": "deputy_section", "C04": "staff", "C05": "staff",
              "C06": "section", "C07": "staff", "C08": "deputy_section", "C09": "staff", "C10": "division",
              "C11": "section", "C12": "staff", "C13": "staff", "C14": "deputy_section"}
    units = {c: ("U1" if int(c[1:]) <= 5 else "U2" if int(c[1:]) <= 10 else "U3") for c in levels}
    groups = {"overdue": {"C09", "C12", "C13"}, "reserve": {"C08", "C11"}, "young": {"C04", "C07", "C09"},
              "newly_promoted": {"C06"}, "key_post": {"C01", "C06"}}
    required = {"C01": 250, "C10": 510}
    rows = []
    for c, lv in levels.items():
        mine = [r for r in PLAN if r[0] == c and r[2] == "class"]
        rows.append({"cadre_id": c, "unit_id": units[c], "level": lv, "weight": 1,
                     **{g: str(c in ids).lower() for g, ids in groups.items()},
                     "measure": "hours" if lv == "division" else "days", "required": required.get(c, 12),
                     "planned_days": sum(r[5] for r in mine), "planned_hours": sum(r[6] for r in mine),
                     "met": str(c in MET).lower()})
    _write(d / "coverage.csv", rows)


def pdf_text(path: Path) -> str:
    """The PDF's text with runs of whitespace as one space (table cells wrap lines anywhere)."""
    text = " ".join(page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages)
    return " ".join(text.split())


# --------------------------------------------------------------------------- shared renders
@pytest.fixture(scope="module")
def county(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("county")
    return write_dataset(root / "data"), write_plan(root / "plan")


@pytest.fixture(scope="module")
def report_en(county, tmp_path_factory) -> Path:
    data, plan = county
    return build_report(plan, data, YEAR, tmp_path_factory.mktemp("en") / "plan.pdf", today=TODAY)


@pytest.fixture(scope="module")
def text_en(report_en) -> str:
    return pdf_text(report_en)


@pytest.fixture(scope="module")
def workbook_en(county, tmp_path_factory) -> Path:
    data, plan = county
    return build_workbook(plan, data, YEAR, tmp_path_factory.mktemp("xlsx") / "plan.xlsx")


# --------------------------------------------------------------------------- PDF
def test_pdf_has_every_section_and_the_summary_figures(report_en, text_en):
    assert report_en.exists() and report_en.read_bytes().startswith(b"%PDF")
    text = text_en
    for title in ("Executive summary", "Policy in force", "Calendar of classes and rotations",
                  "Unit absence by week", "Requirement coverage", "Class rosters", "Rotation posts",
                  "Shortfall: requirements not met", "Summary by unit", "Lists for unit heads", "Contents"):
        assert title in text, title
    s = SUMMARY
    for figure in (F.share(s["requirement_met_share"]), F.ratio(s["overdue_covered"], s["overdue_total"]),
                   F.ratio(s["rotations_filled"], s["rotation_slots"]), F.ratio(s["seats_used"], s["seats_offered"]),
                   F.money(s["cost"]), F.money(s["budget"]), F.gap(s["gap"]), F.share(s["met_by_level"]["deputy_section"]),
                   F.share(s["met_by_group"]["overdue"]), "HiGHS", "Appendix: how the plan was computed", "The best possible plan", "Qingshan County", str(YEAR)):
        assert figure in text, figure
    assert "Page 2 of" in text


def test_pdf_lists_rosters_rotations_shortfall_and_policy(text_en):
    text = text_en
    assert "Spring theory class" in text and "County Party School" in text and "5 of 6 places" in text
    assert "Autumn class on rural revitalization" in text  # listed among the cancelled classes
    assert "Village assistant, Qingshan" in text and "Chen Jing" in text
    assert "Zhou Min is busy (audit)" in text  # reasons as the planner wrote them
    assert "requirement.annual_days" in text and "budget.total" in text and "changed" in text
    assert "Flood season duty" in text


def test_user_text_is_escaped_in_the_html(county):
    from planning.report import render_report_html

    data, plan = county
    title = 'Plan "A" </style><b>x</b>'
    html = render_report_html(plan, data, YEAR, today=TODAY, title=title)
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert HTML_NAME not in html
    assert html.count("</style>") == 1  # the title cannot end the style block


def test_user_text_prints_as_typed_in_the_pdf(text_en):
    assert HTML_NAME in text_en


def test_summary_figures_recomputed_when_the_planner_wrote_fewer_files(county, tmp_path):
    """Without coverage.csv and with only the contract's summary keys, the report computes
    the rest from the files — and gets the hand-worked figures."""
    from planning.report.content import gather

    data, _ = county
    plan = write_plan(tmp_path / "plan", full=False)
    h = gather(plan, data, YEAR).headline
    for key in ("overdue_total", "overdue_covered", "rotations_filled", "rotation_slots", "classes_running",
                "classes_cancelled", "seats_used", "seats_offered"):
        assert h[key] == SUMMARY[key], key
    assert h["cost"] == pytest.approx(SUMMARY["cost"])
    for lv, share in SUMMARY["met_by_level"].items():
        assert h["met_by_level"][lv] == pytest.approx(share), lv
    for g, share in SUMMARY["met_by_group"].items():
        assert h["met_by_group"][g] == pytest.approx(share), g
    from planning.report import render_report_html

    html = render_report_html(plan, data, YEAR, today=TODAY)
    assert F.ratio(SUMMARY["seats_used"], SUMMARY["seats_offered"]) in html
    assert F.share(SUMMARY["met_by_group"]["overdue"]) in html


def test_infeasible_plan_reports_the_diagnosis(county, tmp_path):
    from planning.report import render_report_html

    data, _ = county
    plan = tmp_path / "infeasible"
    plan.mkdir()
    (plan / "summary.json").write_text(json.dumps({
        "status": "infeasible", "objective": None, "best_bound": None, "gap": None, "solver": "highs",
        "solve_seconds": 0.0, "cadres": 14, "requirement_met_share": None,
        "diagnosis": ["must pins on K1 ask for 7 places, the class has 6"]}), encoding="utf-8")
    html = render_report_html(plan, data, YEAR, today=TODAY)
    assert "The hard rules cannot all hold" in html and "must pins on K1 ask for 7 places" in html


def test_a_plan_from_another_data_set_is_refused(county, tmp_path):
    from planning.report.content import PlanDataMismatch

    data, plan = county
    other = tmp_path / "other"
    write_dataset(other)
    text = (other / "cadres.csv").read_text(encoding="utf-8").replace("C05,-2,U1,staff", "C05,-2,U2,staff")
    (other / "cadres.csv").write_text(text, encoding="utf-8")
    with pytest.raises(PlanDataMismatch, match="C05"):
        build_report(plan, other, YEAR, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_report_is_written_atomically(county, tmp_path):
    data, plan = county
    out = tmp_path / "r.pdf"
    out.write_bytes(b"old")
    with pytest.raises(FileNotFoundError):
        build_report(tmp_path / "no-such-plan", data, YEAR, out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_written_files_are_readable_by_others(report_en, workbook_en):
    import os
    import stat

    mask = os.umask(0)
    os.umask(mask)
    for f in (report_en, workbook_en):
        assert stat.S_IMODE(f.stat().st_mode) == 0o666 & ~mask, f


# --------------------------------------------------------------------------- workbook
def test_workbook_sheets_and_round_trip_of_the_plan(workbook_en):
    from planning.report.excel import read_plan_sheet

    wb = openpyxl.load_workbook(workbook_en)
    assert wb.sheetnames == ["Plan", "By cadre", "By class", "By unit", "Shortfall", "Indicators", "Policy"]
    for ws in wb.worksheets:
        assert ws.freeze_panes in ("A2", "B2"), ws.title
        assert ws.print_title_rows == "$1:$1", ws.title  # the header row on every printed page
    assert wb["By class"].page_setup.orientation == "landscape" and wb["Indicators"].page_setup.orientation == "portrait"
    ws = wb["Plan"]
    header = [c.value for c in ws[1]]
    start = ws.cell(row=2, column=header.index("Start") + 1)
    assert start.is_date and start.number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["B"].width >= 8
    back = read_plan_sheet(workbook_en)
    got = sorted((r.cadre_id, r.activity_id, r.kind, r.start_date, r.end_date, r.days, r.hours)
                 for r in back.itertuples())
    want = sorted((c, a, k, dt.date.fromisoformat(s), dt.date.fromisoformat(e), float(d), float(h))
                  for c, a, k, s, e, d, h in PLAN)
    assert got == want


def test_formula_looking_names_stay_text(workbook_en):
    wb = openpyxl.load_workbook(workbook_en)
    for sheet in ("Plan", "By cadre"):
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        ids, names = header.index("Cadre id"), header.index("Name")
        seen = {}
        for row in ws.iter_rows(min_row=2):
            if row[ids].value in FORMULA_NAMES:
                seen[row[ids].value] = row[names]
        assert set(seen) == set(FORMULA_NAMES), sheet
        for cid, cell in seen.items():
            assert cell.data_type == "s" and cell.value == FORMULA_NAMES[cid], (sheet, cid, cell.data_type)
            assert cell.quotePrefix
    raw = Path(workbook_en).read_bytes()
    import zipfile

    with zipfile.ZipFile(workbook_en) as z:
        sheets = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets and raw


def test_workbook_speaks_the_reports_language(workbook_en):
    """Headers and codes in words, no snake_case; number formats that print whole numbers whole;
    each indicator labelled with what it counts."""
    wb = openpyxl.load_workbook(workbook_en)
    codes = ("deputy_section", "full_time", "start_date", "cadre_id", "planned_hours")
    for ws in wb.worksheets:
        if ws.title == "Policy":  # setting names are the policy file's keys
            continue
        for row in ws.iter_rows(min_col=2 if ws.title == "Indicators" else 1):
            for cell in row:
                assert "0.##" not in (cell.number_format or ""), (ws.title, cell.coordinate)
                assert not (isinstance(cell.value, str) and cell.value in codes), (ws.title, cell.coordinate, cell.value)
    labels = {r[0].value: r[1].value for r in wb["Indicators"].iter_rows(min_row=2)}
    assert len({labels["overdue_total"], labels["overdue_covered"]}) == 2
    assert len({labels["seats_offered"], labels["seats_used"]}) == 2
    assert "seconds" in labels["solve_seconds"]


def test_workbook_kpis_match_the_summary(workbook_en):
    ws = openpyxl.load_workbook(workbook_en)["Indicators"]
    values = {r[0].value: r[2].value for r in ws.iter_rows(min_row=2)}
    assert values["requirement_met_share"] == pytest.approx(SUMMARY["requirement_met_share"])
    assert values["rotations_filled"] == SUMMARY["rotations_filled"]
    assert values["cost"] == pytest.approx(SUMMARY["cost"])


# --------------------------------------------------------------------------- anonymized handouts
def test_anonymized_handouts_contain_no_real_name(county, tmp_path):
    from planning.report.anonymize import pseudonyms

    data, plan = county
    pdf = build_report(plan, data, YEAR, tmp_path / "anon.pdf", anonymize=True, today=TODAY)
    xlsx = build_workbook(plan, data, YEAR, tmp_path / "anon.xlsx", anonymize=True)
    text = pdf_text(pdf)
    cells = "\n".join(str(c.value) for ws in openpyxl.load_workbook(xlsx).worksheets
                      for row in ws.iter_rows() for c in row if c.value is not None)
    for name in REAL_NAMES:
        assert name not in text, name
        assert name not in cells, name
    alias = pseudonyms([f"C{i:02d}" for i in range(1, 15)])
    assert alias["C13"] in text and alias["C13"] in cells
    assert "C13" in text and "C13" in cells  # ids are kept
    assert "is busy (audit)" in text  # the reason stays, the name inside it is replaced


def test_pseudonyms_are_stable_and_unique():
    from planning.report.anonymize import pseudonyms

    ids = [f"X{i}" for i in range(3000)]  # enough for 4-hex-digit codes to collide
    a, b = pseudonyms(ids), pseudonyms(list(reversed(ids)))
    assert a == b and len(set(a.values())) == len(ids)
    assert pseudonyms(["C01"], "zh")["C01"].startswith("学员")
    assert pseudonyms(["C01"])["C01"] == pseudonyms(["C01", "C02"])["C01"]


# --------------------------------------------------------------------------- Chinese
def test_chinese_report_has_chinese_labels(county, tmp_path):
    if not cjk_font_available():
        pytest.skip("no Chinese (CJK) font installed: apt-get install fonts-noto-cjk")
    data, plan = county
    text = pdf_text(build_report(plan, data, YEAR, tmp_path / "zh.pdf", lang="zh", today=TODAY))
    for label in ("年度干部教育培训计划", "计划概要", "培训班学员名单", "未达标干部名单", "各单位汇总", "李明华", "青山镇"):
        assert label in text, label
    assert F.share(SUMMARY["requirement_met_share"]) in text
    assert "第 2 页" in text


def test_chinese_report_without_a_font_says_so(county, monkeypatch):
    from planning.report import render_report_html

    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    data, plan = county
    with pytest.warns(UserWarning, match="no Chinese font"):
        html = render_report_html(plan, data, YEAR, lang="zh", today=TODAY)
    assert "No Chinese (CJK) font is installed" in html and "fonts-noto-cjk" in html
    assert "Executive summary" in html and "计划概要" not in html  # readable English rather than empty boxes


def test_chinese_workbook_headers(county, tmp_path):
    from planning.report.excel import read_plan_sheet

    data, plan = county
    xlsx = build_workbook(plan, data, YEAR, tmp_path / "zh.xlsx", lang="zh")
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[:2] == ["培训安排", "干部明细"]
    ws = wb["培训安排"]
    assert [c.value for c in ws[1]][:2] == ["干部编号", "姓名"]
    assert len(read_plan_sheet(xlsx)) == len(PLAN)


# --------------------------------------------------------------------------- charts
def test_charts_are_deterministic_svg():
    from planning.report import charts
    from planning.report.labels import Labels

    L = Labels("en")
    rows = [charts.CalendarRow("K1 Spring class", "class", [(dt.date(2027, 3, 8), dt.date(2027, 3, 19))], None, "5/6"),
            charts.CalendarRow("K2 Weekend", "weekend", charts.weekend_segments(dt.date(2027, 4, 10), dt.date(2027, 5, 9)),
                               None, "4/5"),
            charts.CalendarRow("$x$ <unit>", "rotation", [(dt.date(2027, 6, 1), dt.date(2027, 8, 31))], None, "1/2")]
    make = lambda: (charts.calendar_charts(rows, YEAR, {dt.date(2027, 10, 1): "National Day"},  # noqa: E731
                                           [(dt.date(2027, 7, 1), dt.date(2027, 7, 10))], L, ["DejaVu Sans"]),
                    charts.coverage_chart([("Staff", 6, 4, 4 / 6)], [("Young cadres", 3, 2, 2 / 3)], 0.6, L,
                                          ["DejaVu Sans"]))
    (cal_a, cov_a), (cal_b, cov_b) = make(), make()
    assert cal_a == cal_b and cov_a == cov_b
    assert cov_a.lstrip().startswith("<?xml") and "<dc:date>" not in cov_a
    assert "$x$ &lt;unit&gt;" in cal_a[0]  # text as typed: no mathtext, XML-escaped
