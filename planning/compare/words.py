"""The comparison's words in English and Chinese: the handout, its charts, the workbook's sheets
and headers, the scenarios' changes and the console lines of `planning compare`.

    w = Words("zh"); w.kpi("requirement_met_share") -> "达到培训要求的干部比例"; w.name("base") -> "基准方案"

The CSV and JSON files keep their machine names and English values (their contract); the words
here are what a person reads: the PDF handout, comparison.xlsx and the terminal.
"""
from __future__ import annotations

from typing import Mapping

from planning.messages import Catalogue
from planning.report.labels import Labels

EN: dict[str, str] = {
    # the KPIs (comparison.csv keeps its own English label column)
    "kpi_status": "Plan quality",
    "kpi_gap": "Optimality gap",
    "kpi_requirement_met_share": "Requirement met (all cadres)",
    "kpi_requirement_met": "Cadres meeting the requirement",
    "kpi_met": "Met · {what}",
    "kpi_overdue_total": "Overdue cadres",
    "kpi_overdue_covered": "Overdue cadres given a class",
    "kpi_rotation_slots": "Rotation slots",
    "kpi_rotations_filled": "Rotations filled",
    "kpi_classes_running": "Classes running",
    "kpi_classes_cancelled": "Classes cancelled",
    "kpi_seats_offered": "Seats offered",
    "kpi_seats_used": "Seats used",
    "kpi_cost": "Class cost (yuan)",
    "kpi_budget": "Budget (yuan)",
    "kpi_peak_unit_absence": "Peak unit absence (most of one unit away on a day)",
    "kpi_mean_unit_peak_absence": "Unit peak absence, mean over units",
    "kpi_units_at_cap": "Units at their absence cap on some day",
    "kpi_solve_seconds": "Solve time (s)",
    "yuan_suffix": " (yuan)",
    "pt": " pt",
    # names and values
    "base_name": "base",
    "base_description": "the data and policy as they are",
    "budget_share": "budget = {share} of the baseline's cost",
    "sweep_point": "budget at {share} of the baseline's cost",
    "sweep_free": "baseline (no budget limit)",
    "no_limit": "none",
    "run_done": "done", "run_infeasible": "infeasible", "run_error": "error",
    "change_gains": "gains the requirement", "change_loses": "loses the requirement",
    "change_classes": "changes classes", "change_rotation": "changes rotation",
    "yes": "yes", "no": "no",
    "nothing": "nothing to show",
    # the handout
    "title": "Scenario comparison {year}",
    "h1": "What if? Scenario comparison, {year}",
    "page": "page",
    "of": "of",
    "lead": "Data set {data}{district}. Each scenario is the baseline with the changes below, planned by the same "
            "optimizer ({seconds} s per plan); the small coloured figures are the change against the baseline.",
    "lead_district": ", district {district}",
    "c_scenario": "scenario",
    "c_what": "what changes",
    "policy_prefix": "policy: ",
    "data_prefix": "data: ",
    "sec_figures": "Key figures side by side",
    "c_figure": "figure",
    "sec_glance": "At a glance",
    "sec_cost": "Cost against coverage",
    "sec_sweep": "Budget sweep",
    "sweep_lead": "The baseline planned again with the class budget capped at a share of the baseline's cost.",
    "c_point": "point", "c_budget": "budget", "c_cost": "cost", "c_met": "requirement met",
    "c_weighted": "priority-weighted", "c_status": "status",
    "sec_diff": "Who is affected: the assignment diff against the baseline",
    "c_changing_classes": "cadres changing classes", "c_changing_rotation": "changing rotation",
    "c_gain": "gain the requirement", "c_lose": "lose it", "c_net": "net",
    "sec_gains": "{scenario}: who gains or loses the requirement",
    "c_cadre": "cadre", "c_name": "name", "c_unit": "unit", "c_level": "level", "c_change": "change",
    "c_added": "classes added", "c_dropped": "classes dropped",
    "more_rows": "… and {n} more (all in the workbook, sheet “{sheet}”).",
    # the charts
    "chart_coverage": "Requirement met by level and priority group",
    "chart_cost": "Class cost against the share meeting the requirement",
    "chart_sweep_line": "budget sweep",
    "axis_cost": "class cost (yuan)",
    "axis_met": "cadres meeting the requirement",
    "axis_budget": "budget (yuan)",
    "chart_sweep": "Budget sweep: coverage against budget",
    "line_met": "requirement met",
    "line_weighted": "priority-weighted",
    "no_budget_limit": " no budget limit",
    # the workbook: sheet names and headers (a column without an entry keeps its name)
    "sheet_comparison": "comparison", "sheet_scenarios": "scenarios", "sheet_diff": "assignment diff",
    "sheet_changes": "cadre changes", "sheet_sweep": "budget sweep",
    # the console
    "t_planning": "planning {n} runs (baseline + {k} scenario(s)) with {jobs} job(s)",
    "t_run": "  {name}: {run} in {seconds:.1f} s",
    "t_sweep": "  budget sweep: {n} run(s) at {shares} of the baseline's cost",
    "t_written": "Comparison written to {out} in {seconds:.1f} s:",
    "t_row": "  {name:<24} {status:<38} requirement met {share}{cost}",
    "t_cost": ", cost {cost}",
    "t_na": "n/a",
    "t_failed_run": "  warning: {name} {run}: {error}",
    "t_file": "  {what}: {path}",
    "t_failed": "{n} run(s) failed: {names}",
    "file_table": "table", "file_json": "json", "file_workbook": "workbook", "file_handout": "handout",
}

ZH: dict[str, str] = {
    "kpi_status": "方案质量",
    "kpi_gap": "与最优界的差距",
    "kpi_requirement_met_share": "达到培训要求的干部比例",
    "kpi_requirement_met": "达到培训要求的干部人数",
    "kpi_met": "达标率 · {what}",
    "kpi_overdue_total": "五年周期内未参训干部",
    "kpi_overdue_covered": "五年周期内未参训干部中已安排培训的",
    "kpi_rotation_slots": "挂职岗位名额",
    "kpi_rotations_filled": "已安排挂职名额",
    "kpi_classes_running": "开班的培训班",
    "kpi_classes_cancelled": "取消的培训班",
    "kpi_seats_offered": "提供的培训名额",
    "kpi_seats_used": "已用培训名额",
    "kpi_cost": "培训费用（元）",
    "kpi_budget": "培训预算（元）",
    "kpi_peak_unit_absence": "单位单日最高离岗比例",
    "kpi_mean_unit_peak_absence": "各单位单日最高离岗比例的平均值",
    "kpi_units_at_cap": "某日达到离岗上限的单位数",
    "kpi_solve_seconds": "求解用时（秒）",
    "yuan_suffix": "（元）",
    "pt": "个百分点",
    "base_name": "基准方案",
    "base_description": "数据和政策保持现状",
    "budget_share": "培训预算为基准方案费用的{share}",
    "sweep_point": "预算为基准费用的{share}",
    "sweep_free": "基准方案（不限预算）",
    "no_limit": "不限",
    "run_done": "完成", "run_infeasible": "无可行方案", "run_error": "出错",
    "change_gains": "新达到培训要求", "change_loses": "不再达到培训要求",
    "change_classes": "培训班有调整", "change_rotation": "挂职有调整",
    "yes": "是", "no": "否",
    "nothing": "无内容",
    "title": "{year}年情景比较",
    "h1": "{year}年培训计划情景比较",
    "page": "第",
    "of": "页，共",
    "lead": "数据：{data}{district}。每个情景都是在基准方案基础上作出下列调整，由同一优化程序规划（每个方案{seconds}秒）；"
            "彩色小字为与基准方案相比的变化。",
    "lead_district": "，区县：{district}",
    "c_scenario": "情景",
    "c_what": "调整内容",
    "policy_prefix": "政策：",
    "data_prefix": "数据：",
    "sec_figures": "主要指标对比",
    "c_figure": "指标",
    "sec_glance": "一览",
    "sec_cost": "费用与覆盖",
    "sec_sweep": "预算测算",
    "sweep_lead": "在基准方案基础上，将培训预算限定为基准方案费用的一定比例后重新规划。",
    "c_point": "测算点", "c_budget": "预算", "c_cost": "费用", "c_met": "达标比例",
    "c_weighted": "按优先级加权", "c_status": "状态",
    "sec_diff": "受影响的干部：与基准方案的安排差异",
    "c_changing_classes": "培训班有调整的干部", "c_changing_rotation": "挂职有调整",
    "c_gain": "新达标", "c_lose": "不再达标", "c_net": "净变化",
    "sec_gains": "{scenario}：达标情况发生变化的干部",
    "c_cadre": "干部编号", "c_name": "姓名", "c_unit": "单位", "c_level": "职级", "c_change": "变化",
    "c_added": "新增培训班", "c_dropped": "取消的培训班",
    "more_rows": "……另有{n}人（全部见工作簿“{sheet}”工作表）。",
    "chart_coverage": "各职级和重点群体达标率",
    "chart_cost": "培训费用与达标比例",
    "chart_sweep_line": "预算测算",
    "axis_cost": "培训费用（元）",
    "axis_met": "达到培训要求的干部比例",
    "axis_budget": "培训预算（元）",
    "chart_sweep": "预算测算：不同预算下的达标率",
    "line_met": "达标比例",
    "line_weighted": "按优先级加权",
    "no_budget_limit": " 不限预算",
    "sheet_comparison": "指标对比", "sheet_scenarios": "情景", "sheet_diff": "安排差异",
    "sheet_changes": "干部变化", "sheet_sweep": "预算测算",
    "t_planning": "正在规划{n}个方案（基准方案和{k}个情景），并行{jobs}个",
    "t_run": "  {name}：{run}，用时{seconds:.1f}秒",
    "t_sweep": "  预算测算：{n}个方案，预算分别为基准费用的{shares}",
    "t_written": "情景比较已写入 {out}，用时{seconds:.1f}秒：",
    "t_row": "  {name}　{status}　达标比例{share}{cost}",
    "t_cost": "，费用{cost}元",
    "t_na": "无",
    "t_failed_run": "  警告：{name}{run}：{error}",
    "t_file": "  {what}：{path}",
    "t_failed": "{n}个方案未完成：{names}",
    "file_table": "指标表", "file_json": "数据文件", "file_workbook": "工作簿", "file_handout": "讲义",
    # workbook headers (Chinese only: the English workbook keeps the column names)
    "x_kpi": "代码", "x_label": "指标", "x_scenario": "情景", "x_description": "说明",
    "x_policy changes": "政策调整", "x_data edits": "数据调整", "x_file": "文件", "x_folder": "文件夹",
    "x_run": "运行结果", "x_error": "错误信息", "x_seconds": "用时（秒）",
    "x_cadres_changing_classes": "培训班有调整的干部", "x_cadres_changing_rotation": "挂职有调整的干部",
    "x_gain_requirement": "新达标", "x_lose_requirement": "不再达标", "x_net_requirement": "达标净变化",
    "x_cadre_id": "干部编号", "x_name": "姓名", "x_unit_id": "单位编号", "x_unit": "单位", "x_level": "职级",
    "x_change": "变化", "x_baseline classes": "基准方案培训班", "x_scenario classes": "情景方案培训班",
    "x_classes added": "新增培训班", "x_classes dropped": "取消的培训班", "x_baseline rotation": "基准方案挂职",
    "x_scenario rotation": "情景方案挂职", "x_met in baseline": "基准方案达标", "x_met in scenario": "情景方案达标",
    "x_point": "测算点", "x_fraction of baseline cost": "占基准费用比例", "x_budget": "预算（元）",
    "x_cost": "费用（元）", "x_requirement_met_share": "达标比例", "x_requirement_met": "达标人数",
    "x_weighted_coverage": "按优先级加权的覆盖率", "x_status": "状态", "x_gap": "与最优界的差距",
    "x_note": "说明",
}

# scenario edits in words (the English description is planning.scenarios.describe_edit's)
EDIT_ZH = {
    "scale_capacity": "调整培训班名额", "set_capacity": "设定培训班名额", "remove_classes": "取消培训班",
    "add_classes": "新增培训班", "set_slots": "调整挂职岗位名额", "remove_rotations": "取消挂职岗位",
    "add_rotations": "新增挂职岗位", "add_blackouts": "新增重点工作时段", "remove_blackouts": "取消重点工作时段",
    "add_pins": "新增指定安排", "move_classes": "调整培训班日期", "drop_low_rated": "取消低评分机构的培训班",
    "shrink_low_rated": "压缩低评分机构培训班名额",
}
EDIT_ARG_ZH = {
    "class_id": "班次编号", "topic": "主题", "season": "季节", "mode": "形式", "institution": "培训机构",
    "levels": "职级", "post_id": "岗位编号", "direction": "方向", "category": "类别", "scope": "范围",
    "reason": "原因", "factor": "倍数", "capacity": "名额", "slots": "名额", "weeks": "周数",
    "below": "平均分低于", "min_ratings": "评分不少于",
}
SEASON_ZH = {"spring": "春季", "summer": "夏季", "autumn": "秋季", "winter": "冬季"}
_VALUE_KIND = {"levels": "level", "mode": "mode", "direction": "direction", "category": "category"}


class Words(Catalogue):
    """The comparison's texts in one language: ``w("h1", year=2027)``, ``w.kpi(key)``, ``w.name(n)``."""

    EN, ZH = EN, ZH

    def __init__(self, lang: str = "en", titles: Mapping[str, str] | None = None):
        super().__init__(lang)
        self.labels = Labels(lang)
        self.titles = dict(titles or {})  # scenario name -> the name shown (a scenario's title_zh)

    def kpi(self, key: str) -> str:
        """A KPI's name: ``met_by_level.staff`` names the level, ``met_by_group.young`` the group."""
        head, _, tail = key.partition(".")
        if head in ("met_by_level", "met_by_group"):
            return self("kpi_met", what=self.labels.code("level" if head == "met_by_level" else "group", tail))
        return self._t.get(f"kpi_{key}", key)

    def name(self, n: str) -> str:
        """A scenario's name; the baseline's in words."""
        from planning.scenarios import BASE

        return self("base_name") if n == BASE else self.titles.get(n, str(n))

    def run_name(self, run: Mapping) -> str:
        """A run's name in the progress lines: a sweep point as its share of the baseline's cost."""
        if self.lang == "zh" and run.get("kind") == "sweep" and run.get("fraction") is not None:
            return self("sweep_point", share=self.share(run["fraction"]))
        return self.name(run["name"])

    def run(self, status: str) -> str:
        return self._t.get(f"run_{status}", status)

    def change(self, text: str) -> str:
        """assignment_diff's change ("gains the requirement", ...) in words."""
        key = {"gains the requirement": "change_gains", "loses the requirement": "change_loses",
               "changes classes": "change_classes", "changes rotation": "change_rotation"}.get(text)
        return self(key) if key else text

    def column(self, name: str) -> str:
        """A workbook header: the column's name in English, its Chinese header in Chinese."""
        if self.lang == "zh" and str(name).startswith("Δ "):
            return "Δ " + self.name(str(name)[2:])
        if self.lang == "zh":
            from planning.scenarios import BASE

            if name == BASE or name in self.titles:
                return self.name(name)
        return self._t.get(f"x_{name}", name)

    def yes(self, v) -> str:
        return self("yes") if bool(v) else self("no")

    def share(self, x: float) -> str:
        v = 100 * float(x)
        text = f"{v:.0f}" if abs(v - round(v)) < 1e-9 else f"{v:.1f}"
        return f"{text}%"

    def edit(self, edit: Mapping) -> str:
        """One scenario edit in words."""
        from planning.scenarios import _as_list, describe_edit

        if self.lang != "zh":
            return describe_edit(edit)
        kind, args = next(iter(edit.items()))
        head = EDIT_ZH.get(kind, kind)
        if isinstance(args, Mapping):
            sel = args.get("select") or {}
            if sel:
                head += "（" + "，".join(f"{EDIT_ARG_ZH.get(k, k)}为{self._value(k, v)}" for k, v in sel.items()) + "）"
            parts = [f"{EDIT_ARG_ZH.get(k, k)}{self._value(k, v)}" for k, v in args.items() if k != "select"]
            return f"{head}：" + "，".join(parts) if parts else head
        if args is None:
            return head
        return f"{head}：{len(_as_list(args))}项"

    def _value(self, key: str, v) -> str:
        if isinstance(v, (list, tuple)):
            return "、".join(self._value(key, x) for x in v)
        text = str(v)
        if key == "season":
            return SEASON_ZH.get(text.casefold(), text)
        if key == "levels":
            return "、".join(self.labels.code("level", p.strip()) for p in text.split(";") if p.strip())
        if key in _VALUE_KIND:
            return self.labels.code(_VALUE_KIND[key], text)
        if key == "scope" and text.casefold() == "region":
            return "全区"
        return text

    def policy(self, policy: Mapping) -> list[str]:
        """A scenario's policy settings in words: the setting's meaning (its name in brackets) and value."""
        from planning.policy import _flatten
        from planning.scenarios import describe_policy

        if self.lang != "zh":
            return describe_policy(policy)
        from planning.report.labels import POLICY_ZH

        return [f"{POLICY_ZH.get(k, k)}（{k}）：{v}" for k, v in _flatten(policy).items()]


def words_for(cmp, lang: str | None = None) -> Words:
    """The words of a comparison: its language (or `lang`), its scenarios shown by their titles."""
    lang = lang or getattr(cmp, "lang", "en") or "en"
    titles = {n: sc.title(lang) for n, sc in (getattr(cmp, "scenarios", None) or {}).items() if sc is not None}
    return Words(lang, titles)
