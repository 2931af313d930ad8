"""Everything a report or workbook shows, gathered once: the plan files, the data set, the
policy, the KPI tables, display names (real or pseudonyms) and the fonts at hand.

``gather()`` is the one place that loads inputs; the PDF and the workbook only lay out
what it returns, so both always show the same numbers.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from planning.calendar import public_holidays
from planning import messages as M
from planning.errors import PlanningError
from planning.policy import Policy, default_policy, load_policy
from planning.report import fonts, kpis
from planning.report import formatting as F
from planning.report.anonymize import Anonymizer
from planning.report.labels import Labels


class PlanDataMismatch(PlanningError):
    """The plan directory was not made from the data set given with it."""

    exit_code = 2

    def __init__(self, plan_dir, data_source: str, problems: list[str]):
        self.problems = list(problems)
        super().__init__(f"the plan in {plan_dir} was not made from the data set {data_source} "
                         f"(re-run `planning plan`, or pass the data set it was made from):\n"
                         + "\n".join(f"- {p}" for p in self.problems))


@dataclass
class ReportContent:
    year: int
    lang: str  # the language actually used (zh falls back to en without a Chinese font)
    requested_lang: str
    labels: Labels
    anonymized: bool
    title: str
    generated: dt.date
    ds: object
    policy: Policy
    files: kpis.PlanFiles
    headline: dict
    coverage: pd.DataFrame
    cadres: pd.DataFrame
    classes: pd.DataFrame
    rotations: pd.DataFrame
    units: pd.DataFrame
    daily_absence: pd.DataFrame
    caps: pd.Series
    by_level: pd.DataFrame
    by_group: pd.DataFrame
    holidays: dict
    anonymizer: Anonymizer
    unit_names: dict
    activity_titles: dict
    cjk: fonts.CJKFont | None
    font_notice: str | None  # shown on the cover when Chinese text cannot be printed
    online: pd.DataFrame | None = None  # online hours of the year per cadre (activities.evaluation), None without data
    changes: pd.DataFrame | None = None  # a re-plan's changes.csv (planning replan), None for a plan made from scratch

    def name(self, cadre_id: str) -> str:
        """The cadre's name as this handout shows it (a pseudonym when anonymized)."""
        return self.anonymizer.name(cadre_id)

    def unit_name(self, unit_id: str) -> str:
        return self.unit_names.get(unit_id) or unit_id

    def text(self, value) -> str:
        """Free text from the planner (reasons, warnings) with names replaced when anonymized."""
        return self.anonymizer.text(value)


def resolve_policy(policy, files: kpis.PlanFiles) -> Policy:
    """The policy the plan was made with: an explicit one, else the plan's policy.yaml, else defaults."""
    if isinstance(policy, Policy):
        return policy
    if policy is not None:
        return load_policy(policy)
    if files.policy_path is not None:
        return load_policy(files.policy_path)
    return default_policy()


def resolve_data(data, year: int):
    if isinstance(data, (str, Path)):
        from planning.data.load import load_dataset

        return load_dataset(data, year)
    return data


def gather(plan_dir, data, year: int, *, lang: str = "en", anonymize: bool = False, policy=None,
           title: str | None = None, today: dt.date | None = None, printed: bool = True) -> ReportContent:
    """Load and compute everything a report shows. `printed`: the output is drawn with this
    machine's fonts (the PDF), so Chinese needs a CJK font; a workbook does not."""
    requested = lang
    Labels(lang)  # rejects an unknown language before any work
    files = kpis.read_plan_dir(plan_dir)
    ds = only_district(resolve_data(data, year), files.summary.get("district"))
    wrong, differences = kpis.mismatches(files, ds)
    if wrong:
        raise PlanDataMismatch(files.directory, ds.source, wrong)
    pol = resolve_policy(policy, files)

    cjk = fonts.find_cjk_font()
    notice = None
    if printed and lang == "zh" and cjk is None:
        lang, notice = "en", Labels("en")["cjk_missing_note"]
        warnings.warn(f"no Chinese font is installed, so the report is in English ({fonts.INSTALL_HINT})",
                      UserWarning, stacklevel=3)
    labels = Labels(lang)

    cov = kpis.coverage(files, ds, year, pol)
    classes = kpis.class_table(files, ds)
    rotations = kpis.rotation_table(files, ds)
    daily = kpis.unit_absence(files, ds, year)
    caps = kpis.unit_caps(ds, pol)
    units = kpis.unit_table(ds, cov, files, daily, caps)
    head = kpis.headline(files, ds, cov, classes, rotations, pol, year)
    # the planner's and the data's warnings by code, in the report's language (summary.json keeps English)
    head["warnings"] = M.warning_lines(files.summary, lang) + [d.text(lang) for d in differences]
    cadres = kpis.cadre_table(ds, cov, files)
    names = dict(zip(ds.cadres["cadre_id"], ds.cadres["name"]))
    anonymizer = Anonymizer(names, lang=lang, enabled=anonymize)
    unit_names = {u: (n or u) for u, n in zip(ds.units["unit_id"], ds.units["name"])}
    titles = {**dict(zip(ds.classes["class_id"], ds.classes["title"])),
              **dict(zip(ds.rotations["post_id"], ds.rotations["title"]))}
    titles = {k: (v or k) for k, v in titles.items()}

    if printed and notice is None and cjk is None and _data_has_cjk(ds, anonymize):
        notice = labels["cjk_missing_short"]
    return ReportContent(
        year=year, lang=lang, requested_lang=requested, labels=labels, anonymized=anonymize,
        title=title or labels["doc_title"], generated=today or dt.date.today(), ds=ds, policy=pol, files=files,
        headline=head, coverage=cov, cadres=cadres, classes=classes, rotations=rotations, units=units,
        daily_absence=daily, caps=caps, by_level=kpis.met_by_level(cov, files.summary),
        by_group=kpis.met_by_group(cov, files.summary), holidays=holiday_names(year, ds, lang),
        anonymizer=anonymizer, unit_names=unit_names, activity_titles=titles, cjk=cjk, font_notice=notice,
        online=online_of_year(ds, year, pol), changes=read_changes(files.directory),
    )


def read_changes(plan_dir: Path) -> pd.DataFrame | None:
    """A re-plan's change list (changes.csv: cadre_id, before, after, reason), None when there is none."""
    from planning.io import read_plan_csv

    path = Path(plan_dir) / "changes.csv"
    if not path.is_file():
        return None
    df = read_plan_csv(path)
    return df if {"cadre_id", "before", "after", "reason"} <= set(df.columns) else None


def online_of_year(ds, year: int, pol: Policy) -> pd.DataFrame | None:
    """Each cadre's online hours of the plan year against requirement.online_hours, when the data set
    records any for that year (the online table or history rows of kind online); else None."""
    from planning.activities.evaluation import online_hours

    has = (ds.online["year"] == year).any() or ((ds.history["kind"] == "online") & (ds.history["year"] == year)).any()
    return online_hours(ds, year, pol).set_index("cadre_id") if has else None


def holiday_names(year: int, ds, lang: str) -> dict:
    """The plan year's statutory holidays, named in the report's language (the data set's own
    names are kept as written)."""
    return public_holidays(year, ds.holidays, lang)


def only_district(ds, district: str | None):
    """The part of the data set a district's plan was made for (``planning plan --district``):
    its units and their cadres, the whole class offer, region blackouts and its units' own."""
    if not district or district not in set(ds.units["district"]):
        return ds
    out = ds.copy()
    keep = set(out.units.loc[out.units["district"] == district, "unit_id"])
    out.tables["units"] = out.units[out.units["unit_id"].isin(keep)].reset_index(drop=True)
    out.tables["cadres"] = out.cadres[out.cadres["unit_id"].isin(keep)].reset_index(drop=True)
    ids = set(out.cadres["cadre_id"])
    for t in ("busy", "history", "pins"):
        out.tables[t] = out.tables[t][out.tables[t]["cadre_id"].isin(ids)].reset_index(drop=True)
    bl = out.blackouts
    out.tables["blackouts"] = bl[(bl["scope"] == "region") | bl["scope"].isin(keep)].reset_index(drop=True)
    return out


def _data_has_cjk(ds, anonymized: bool) -> bool:
    cols = [ds.units["name"], ds.classes["title"], ds.classes["institution"], ds.rotations["title"]]
    if not anonymized:
        cols.append(ds.cadres["name"])
    return any(fonts.has_cjk(str(v)) for col in cols for v in col if v)


# --------------------------------------------------------------------------- the policy table
@lru_cache(maxsize=1)
def _default_comments() -> dict[str, str]:
    """Meaning of each default setting, read from the comments of default_policy.yaml."""
    text = resources.files("planning").joinpath("default_policy.yaml").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    last = None  # the setting whose comment a comment-only line continues
    for line in text.splitlines():
        more = re.match(r"^\s{4,}#\s?(.*)$", line)
        if more and last in out:
            out[last] = f"{out[last]} {more.group(1).strip()}".strip()
            continue
        m = re.match(r"^(\s*)([A-Za-z_][\w]*)\s*:(.*)$", line)
        if not m:
            last = None
            continue
        indent, key, rest = len(m.group(1)), m.group(2), m.group(3)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        dotted = ".".join([k for _, k in stack] + [key])
        value, _, comment = rest.partition("#")
        if value.strip():
            out[dotted] = comment.strip()
        else:
            stack.append((indent, key))
            if comment.strip():
                out[dotted] = comment.strip()
        last = dotted
    return out


_VALUE_ZH = {"highs": "HiGHS", "cbc": "CBC", "unit": "本单位", "district": "区县", "true": "是", "false": "否"}


def policy_value(value, labels: Labels) -> str:
    if getattr(labels, "lang", "en") == "zh" and isinstance(value, str):
        if value in _VALUE_ZH:
            return _VALUE_ZH[value]
        parts = value.split(";")
        cjk = [p for p in parts if re.search(r"[\u4e00-\u9fff]", p)]
        if len(parts) > 1 and cjk:  # a word list in both languages (simulation.grassroots_units): the Chinese words
            return ";".join(cjk)
    if value is None:
        return labels["no_limit"]
    if isinstance(value, bool):
        return labels["yes"] if value else labels["no_value"]
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return " – ".join(str(v) for v in value)
    return str(value)


# the unit of a rule's value (planning.messages vu_<unit>; "share" prints as a percentage or 1/n)
VALUE_UNITS = {
    "requirement.annual_days": "days", "requirement.annual_hours": "hours", "requirement.division_hours": "hours",
    "requirement.division_years": "years", "requirement.online_hours": "hours",
    "requirement.general_cycle_years": "years", "requirement.leave_max_share": "share",
    "people.young_max_age": "age", "people.newly_promoted_years": "years", "absence.max_absent_share": "share",
    "absence.min_absent": "people", "rotation.grassroots_threshold_years": "years", "budget.total": "yuan",
    "replan.change_penalty": "points", "replan.notice_change_penalty": "points", "replan.notice_days": "days",
    # the simulation's settings (its report shows them the same way)
    "simulation.retirement_age": "age", "simulation.attrition_division": "share", "simulation.attrition_section": "share",
    "simulation.attrition_deputy_section": "share", "simulation.attrition_staff": "share",
    "simulation.promotion_fill_share": "share", "simulation.hire_share": "share", "simulation.hire_age_min": "age",
    "simulation.hire_age_max": "age", "simulation.pool_refill_share": "share", "simulation.withdrawal_share": "share",
    "simulation.online_mean_share": "share", "simulation.online_sd_hours": "hours",
    "simulation.topic_renewal_share": "share", "simulation.coverage_target": "share",
    "simulation_fast.time_limit": "seconds", "simulation_full.time_limit": "seconds",
}
_SETTING = re.compile(r"\b([a-z_]+\.[a-z0-9_]+)\b(?: \(\d[^)]*\))?")


def value_with_unit(key: str, value, labels: Labels) -> str:
    """A rule's value as a planner reads it: "12 days", "20 %", "1/7", "3,250,000 yuan" (no limit as words)."""

    unit = VALUE_UNITS.get(key) or ("points" if key.startswith("objective.") else None)
    if unit is None or value is None or isinstance(value, (bool, str, list, tuple)):
        return policy_value(value, labels)
    v = float(value)
    if unit == "share":
        n = 1 / v if v > 0 else 0
        if n >= 2 and abs(n - round(n)) < 1e-4 and abs(v * 100 - round(v * 100)) > 1e-9:
            return f"1/{round(n)}"  # 0.142857: one seventh, as the rule is written
        return F.share(v, 0 if abs(v * 100 - round(v * 100)) < 1e-9 else 1)
    text = f"{int(v):,}" if v == int(v) else f"{v:,g}"
    out = M.say(f"vu_{unit}", labels.lang, v=text)
    return out[:-1] if labels.lang == "en" and v == 1 and out.endswith("s") else out  # "1 year", "1 point"


def plain_meaning(meaning: str, policy: Policy, labels: Labels) -> str:
    """A meaning that names another setting (requirement.division_years) with that setting's value instead,
    for the body of a document (the names are in its appendix): the bare number where the sentence says
    the unit ("every 5 years"), else with its unit ("within 30 days"); a value already given after the
    name in brackets is not repeated."""
    def value(m: re.Match) -> str:
        key = m.group(1)
        if key not in policy:
            return m.group(0)
        rest = meaning[m.end():].lstrip()
        if rest.startswith(_UNIT_WORDS):
            return policy_value(policy[key], labels)
        return value_with_unit(key, policy[key], labels)

    return _SETTING.sub(value, meaning)


_UNIT_WORDS = ("year", "day", "hour", "class hour", "yuan", "point", "second", "年", "天", "学时", "元", "分", "岁", "人", "秒")


def policy_table(policy: Policy, labels: Labels, *, rules_only: bool = True) -> pd.DataFrame:
    """group, key, value, default, changed, meaning — every rule of the annual plan in force
    (Policy.plan_rules: without the activities, simulation and pool rooms' settings); with
    `rules_only` False every setting, solver settings included, in file order."""
    defaults = default_policy()
    comments = _default_comments()
    rows = []
    for key, value in (policy.plan_rules() if rules_only else policy).items():
        group = key.split(".", 1)[0]
        d = defaults.get(key)
        changed = key in defaults and not _same(value, d)
        english = comments.get(key, "")
        if group == "seasons" and not english:
            english = f"{key.split('.', 1)[1]} training season (month-day, inclusive)"
        rows.append({"group": group, "group_label": labels.code("policy_group", group) or group,
                     "key": key, "value": value, "default": d, "changed": changed,
                     "value_text": policy_value(value, labels), "default_text": policy_value(d, labels),
                     "meaning": labels.policy_meaning(key, english),
                     "value_unit": value_with_unit(key, value, labels),
                     "default_unit": value_with_unit(key, d, labels) if key in defaults else F.DASH})
        rows[-1]["meaning_plain"] = plain_meaning(rows[-1]["meaning"], policy, labels)
    return pd.DataFrame(rows, columns=["group", "group_label", "key", "value", "default", "changed",
                                       "value_text", "default_text", "meaning", "value_unit", "default_unit",
                                       "meaning_plain"])


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
    return a == b
