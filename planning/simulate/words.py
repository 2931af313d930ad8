"""The simulation report's words in English and Chinese: KPI names, section titles, notes.

    w = Words("zh"); w("kpi_five_year_coverage") -> "五年内参训覆盖率"; w.kpi("requirement_met.division")
"""
from __future__ import annotations

from planning.data.schema import LEVELS
from planning.messages import Catalogue, data_lang
from planning.report.labels import Labels

LANGS = ("en", "zh")

EN: dict[str, str] = {
    "title": "Five-year training simulation {first}–{last}",
    "short": "Training simulation",
    "lead": ("Data: {data}. Each year from {first} to {last} is planned by the planner ({mode} mode), carried out "
             "(a share of trainees withdraws and gets no credit), closed into the next year's history, and the "
             "cadre corps moves on (retirements, departures, promotions from the reserve pool first, new hires). "
             "{runs} seeded runs (seed {seed}) per offer scale; figures are the median and, in brackets, the "
             "10–90 % range over the runs."),
    "mode_fast": "fast: heuristic layers with fixed step counts",
    "mode_full": "full: the annual optimizer",
    "sec_headline": "Where we are in {last}",
    "sec_fans": "Year by year (median line, 10–90 % band)",
    "sec_offer": "The offer it takes",
    "offer_lead": ("Five-year coverage in {last} against the size of the offer (class capacities and rotation "
                   "slots times the scale)."),
    "offer_first": "The smallest scale whose median five-year coverage in {last} reaches {target}: {scale}.",
    "offer_one_scale": "One offer scale only: give offer_scales such as \"0.8 1.0 1.2\" for the offer curve.",
    "offer_none": "No scale tried reaches a median five-year coverage of {target} in {last}: a larger offer is needed.",
    "offer_withdrawn": "No scale tried reaches a median five-year coverage of {target} in {last} as credited, but from "
                       "{scale} the plans reach it: the cadres still missing withdrew from their class (leave over "
                       "{leave} of its hours) — a matter of attendance, not of seats.",
    "sec_table": "All indicators by year (median, 10–90 %)",
    "sec_world": "The cadre corps (median per run)",
    "sec_policy": "Simulation settings in force",
    "sec_names": "Appendix: the settings by their names in the policy file",
    "c_indicator": "Indicator",
    "c_scale": "Offer scale",
    "c_setting": "Setting",
    "c_value": "Value",
    "c_meaning": "Meaning",
    "c_median": "Median",
    "c_planned_median": "As planned (median)",
    "c_p10": "10 %",
    "c_p90": "90 %",
    "scale_axis": "offer scale (× capacities and slots)",
    "year_axis": "year",
    "cjk_missing": "No Chinese font is installed: this report is printed in English (install fonts-noto-cjk).",
    "kpi_requirement_met": "Annual requirement met (credited)",
    "kpi_requirement_met_planned": "Annual requirement met (as planned)",
    "kpi_requirement_met_level": "Requirement met: {what}",
    "kpi_five_year_coverage": "Five-year cycle coverage",
    "kpi_overdue": "Cadres without a class in five years",
    "kpi_five_year_coverage_planned": "Five-year cycle coverage (as planned)",
    "kpi_overdue_planned": "Cadres without a class in five years (as planned)",
    "kpi_division_550": "Division level: 550 hours in five years",
    "kpi_rotations_filled": "Rotation posts filled",
    "kpi_rotation_slots": "Rotation posts offered",
    "kpi_reserve_young_rotated": "Reserve and young cadres ever rotated",
    "kpi_pool_size": "Reserve pool size",
    "kpi_cadres": "Cadres",
    "kpi_cost": "Class cost (yuan)",
    "kpi_seats_used": "Seats used",
    "kpi_seats_offered": "Seats offered",
    "kpi_seat_use": "Seat use",
    "kpi_withdrawn": "Trainees withdrawn",
    "kpi_retired": "Retired",
    "kpi_departed": "Departed (other reasons)",
    "kpi_promoted": "Promoted",
    "kpi_vacancies_unfilled": "Leading posts not filled by promotion",
    "kpi_hired": "New hires",
    "kpi_pool_joined": "Joined the reserve pool",
    "kpi_pool_reviewed_out": "Left the reserve pool at its review",
    "sheet_summary": "summary",
    "sheet_kpis": "kpis",
    "sheet_offer": "offer curve",
    "sheet_policy": "policy",
    # the console lines of `planning simulate`
    "t_done": "Simulated {years} years x {runs} runs x {scales} offer scales into {out} ({ran} run now, {resumed} "
              "resumed).",
    "t_kpi": "  {kpi} in {year}: median {median} (10-90 %: {p10} - {p90})",
    "t_curve": "  offer curve (five-year coverage in the final year, median):",
    "t_point": "    x{scale}: {median}",
    "t_bar": "simulate",
    "t_bar_unit": "run-year",
}

ZH: dict[str, str] = {
    "title": "{first}—{last}年干部教育培训五年模拟",
    "short": "干部培训五年模拟",
    "lead": ("数据：{data}。{first}年至{last}年每年由规划器编制年度计划（{mode}），按计划实施（部分学员因请假超过规定退学、"
             "不计学时），年终结转为下一年度的培训档案，干部队伍随之变化（退休、调出、后备干部优先提任、新录用）。"
             "每种供给规模模拟{runs}次（随机种子{seed}）；数字为各次模拟的中位数，括号内为10%—90%区间。"),
    "mode_fast": "快速模式：启发式算法、固定步数",
    "mode_full": "完整模式：年度优化器",
    "sec_headline": "{last}年的情况",
    "sec_fans": "逐年变化（中位数线，10%—90%区间带）",
    "sec_offer": "需要多大的培训供给",
    "offer_lead": "{last}年五年内参训覆盖率与培训供给规模（培训班容量和挂职岗位数乘以该倍数）的关系。",
    "offer_first": "{last}年五年内参训覆盖率中位数达到{target}所需的最小供给倍数：{scale}。",
    "offer_one_scale": "只试了一个供给倍数：请给出 offer_scales（如 \"0.8 1.0 1.2\"）以绘制供给曲线。",
    "offer_none": "所试各供给倍数在{last}年的五年内参训覆盖率中位数均未达到{target}：需要更大的培训供给。",
    "offer_withdrawn": "按实际计入学时，所试各供给倍数在{last}年的五年内参训覆盖率中位数均未达到{target}；但从{scale}起，"
                       "培训计划本身已覆盖全部应训干部，仍未覆盖的是中途退学（请假超过总学时{leave}）的学员——"
                       "这要靠严格考勤解决，而不是增加学位。",
    "sec_table": "各项指标逐年情况（中位数，10%—90%）",
    "sec_world": "干部队伍变化（每次模拟的中位数）",
    "sec_policy": "模拟参数",
    "sec_names": "附录：模拟参数在政策文件中的名称",
    "c_indicator": "指标",
    "c_scale": "供给倍数",
    "c_setting": "参数",
    "c_value": "取值",
    "c_meaning": "含义",
    "c_median": "中位数",
    "c_planned_median": "按计划（中位数）",
    "c_p10": "10%分位",
    "c_p90": "90%分位",
    "scale_axis": "供给倍数（培训班容量和挂职岗位数 ×）",
    "year_axis": "年度",
    "kpi_requirement_met": "年度培训达标率（按实际计入学时）",
    "kpi_requirement_met_planned": "年度培训达标率（按计划）",
    "kpi_requirement_met_level": "达标率：{what}",
    "kpi_five_year_coverage": "五年内参训覆盖率",
    "kpi_overdue": "五年内未参训人数",
    "kpi_five_year_coverage_planned": "五年内参训覆盖率（按计划）",
    "kpi_overdue_planned": "五年内未参训人数（按计划）",
    "kpi_division_550": "处级干部五年550学时达标率",
    "kpi_rotations_filled": "挂职岗位安排数",
    "kpi_rotation_slots": "挂职岗位数",
    "kpi_reserve_young_rotated": "后备干部和年轻干部挂职锻炼覆盖率",
    "kpi_pool_size": "后备干部库人数",
    "kpi_cadres": "干部人数",
    "kpi_cost": "培训费用（元）",
    "kpi_seats_used": "已用学位",
    "kpi_seats_offered": "提供学位",
    "kpi_seat_use": "学位使用率",
    "kpi_withdrawn": "退学人数",
    "kpi_retired": "退休",
    "kpi_departed": "调出等其他原因减少",
    "kpi_promoted": "提任",
    "kpi_vacancies_unfilled": "未由提任补充的领导职位",
    "kpi_hired": "新录用",
    "kpi_pool_joined": "新入库后备干部",
    "kpi_pool_reviewed_out": "动态调整出库后备干部",
    "sheet_summary": "汇总",
    "sheet_kpis": "指标明细",
    "sheet_offer": "供给曲线",
    "sheet_policy": "模拟参数",
    "t_done": "已模拟{years}年 × {runs}次 × {scales}个供给倍数，写入 {out}（本次运行{ran}次，续用{resumed}次）。",
    "t_kpi": "  {year}年{kpi}：中位数{median}（10%–90%分位：{p10}–{p90}）",
    "t_curve": "  供给曲线（末年五年内参训覆盖率，中位数）：",
    "t_point": "    ×{scale}：{median}",
    "t_bar": "模拟",
    "t_bar_unit": "次·年",
}


class Words(Catalogue):
    """The texts of one language: ``w("title", first=2027, last=2031)``, ``w.kpi("overdue")``."""

    EN, ZH = EN, ZH
    EN_ONLY = frozenset({"cjk_missing"})

    def kpi(self, name: str) -> str:
        """A KPI's name in words; requirement_met.<level or group> names the level or group."""
        if name.startswith("requirement_met."):
            what = name.split(".", 1)[1]
            what = Labels(self.lang).code("level" if what in LEVELS else "group", what)  # the report's words
            return self("kpi_requirement_met_level", what=what)
        return self._t.get(f"kpi_{name}", name)


def bar_words(data, lang: str | None = None) -> tuple[str, str]:
    """The progress bar's label and unit ("simulate", "run-year" / "模拟", "次·年"): in `lang`, else
    the data's language."""
    w = Words(lang or data_lang(list(data.cadres["name"]) + list(data.units["name"])))
    return w("t_bar"), w("t_bar_unit")
