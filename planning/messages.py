"""The product's sentences in English and Chinese, looked up by code.

Every sentence the planner writes for a person (shortfall reasons, the status of a solve,
the executive summary's lines, solver names) has a code here and a text per language, so
that a report in either language says the same thing and the texts can be grouped and
counted by code instead of by their wording. ``say(code, lang, **values)`` formats one.
A shortfall reason is a ``Reason(code, values)``: the code is written with the plan
(``shortfall.csv`` column ``reason_codes``) and the sentence is made from the values.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from planning.report.labels import CODES

LANGS = ("en", "zh")


def data_lang(names) -> str:
    """The language of a data set from its names (cadres, units, class titles): "zh" when most of
    them are Chinese, else "en" (a few Chinese names in an English data set do not switch it)."""
    from planning.report.fonts import has_cjk

    names = [str(n) for n in names if n is not None and str(n) not in ("", "nan", "None")]
    return "zh" if names and 2 * sum(has_cjk(n) for n in names) > len(names) else "en"


class Catalogue:
    """A room's own texts in both languages (activities, simulation, ...): a subclass sets ``EN``
    and ``ZH`` (code -> text; ``ZH`` covers every code of ``EN`` except those in ``EN_ONLY``,
    e.g. a notice printed only when no Chinese font exists). ``w("title", year=2027)`` formats one."""

    EN: dict[str, str] = {}
    ZH: dict[str, str] = {}
    EN_ONLY: frozenset[str] = frozenset()

    def __init__(self, lang: str = "en"):
        if lang not in LANGS:
            raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
        self.lang = lang
        self._t = {**self.EN, **(self.ZH if lang == "zh" else {})}

    def __call__(self, key: str, **values) -> str:
        if self.lang == "en" and _is_one(values) and f"{key}_one" in self._t:
            key = f"{key}_one"  # the singular form, as say() does for the shared catalogue
        return self._t[key].format(**values) if values else self._t[key]


def _is_one(values: dict) -> bool:
    """Whether a sentence's count (`n`, else `short`) is 1: English then says it in the singular."""
    return values.get("n", values.get("short")) == 1

# --------------------------------------------------------------------------- shortfall reasons
# code -> short name of the kind of reason (for the grouped summary), per language.
REASON_NAMES: dict[str, dict[str, str]] = {
    "no_class_for_level": {"en": "No class open to the level on a topic not yet taken",
                           "zh": "没有面向本职级且主题未参训过的培训班"},
    "busy": {"en": "Classes fall in the cadre's own busy period", "zh": "培训班与本人工作繁忙时段冲突"},
    "blackout": {"en": "Classes fall in a blackout of the cadre's unit", "zh": "培训班处于本单位重点工作时段"},
    "region_blackout": {"en": "Classes fall in a region blackout", "zh": "培训班处于全区重点工作时段"},
    "unscheduled": {"en": "Classes could not be scheduled in their window", "zh": "培训班在可选时段内无法排期"},
    "offer_too_small": {"en": "All eligible classes together fall short of the requirement",
                        "zh": "全部可参加的培训班合计仍不足培训要求"},
    "full_higher": {"en": "Classes full with higher-priority cadres", "zh": "培训班名额已由优先级更高的干部占满"},
    "full": {"en": "Classes full", "zh": "培训班名额已满"},
    "cancelled": {"en": "Classes cancelled for too few trainees", "zh": "培训班因人数不足取消"},
    "unit_cap": {"en": "Unit absence cap reached", "zh": "单位离岗人数已达上限"},
    "clash": {"en": "Classes clash with the cadre's other planned activity", "zh": "培训班与本人已安排的其他项目时间冲突"},
    "topic_taken": {"en": "Topic already planned for the cadre this year", "zh": "同一主题本年度已为其安排"},
    "budget": {"en": "Budget spent", "zh": "培训预算已用完"},
    "combination": {"en": "Remaining classes cannot be combined into the requirement",
                    "zh": "其余可参加的培训班无法组合达到培训要求"},
}
REASON_CODES = tuple(REASON_NAMES)

# code -> what a meeting could do about that obstacle (completes "whether to ...")
REMEDIES: dict[str, dict[str, str]] = {
    "full_higher": {"en": "add places or classes for the cadres left out", "zh": "为未排上的干部增加名额或班次"},
    "full": {"en": "add places or classes", "zh": "增加名额或班次"},
    "unit_cap": {"en": "let the units concerned release more cadres at once, or spread classes over more dates",
                 "zh": "允许相关单位同时派出更多干部，或将班次分散到更多日期"},
    "blackout": {"en": "move classes out of the units' blackouts", "zh": "将班次调出单位重点工作时段"},
    "region_blackout": {"en": "move classes out of the region blackouts", "zh": "将班次调出全区重点工作时段"},
    "busy": {"en": "offer classes outside the cadres' busy periods", "zh": "在干部工作繁忙时段之外安排班次"},
    "cancelled": {"en": "run the cancelled classes below their minimum size", "zh": "低于最低开班人数照常开班"},
    "topic_taken": {"en": "offer classes on other topics", "zh": "开设其他主题的班次"},
    "no_class_for_level": {"en": "open classes on new topics to these levels", "zh": "面向相关职级开设新主题班次"},
    "offer_too_small": {"en": "offer longer classes or more of them to these cadres", "zh": "为这些干部开设更长或更多的班次"},
    "budget": {"en": "raise the budget", "zh": "增加培训预算"},
    "clash": {"en": "move clashing classes or rotations", "zh": "调整时间冲突的班次或挂职"},
    "unscheduled": {"en": "widen the windowed classes' windows", "zh": "放宽可选时段培训班的时段"},
    "combination": {"en": "add classes with other dates", "zh": "增加其他日期的班次"},
}


def remedy(code: str, lang: str = "en") -> str:
    return REMEDIES.get(code, REMEDIES["combination"])[lang]

_REASON_TEXT: dict[str, dict[str, str]] = {
    "no_class_for_level": {
        "en": "no class is open to the {level_en} level on topics not yet taken ({n_level} not open to the level, "
              "{n_topic} on topics already taken)",
        "zh": "没有面向{level_zh}且主题未参训过的培训班（{n_level}个不面向本职级，{n_topic}个主题已参训）"},
    "busy": {"en": "{classes_en} {fall_en} in their busy period{periods_en}",
             "zh": "{n}个可参加的培训班处于本人工作繁忙时段{periods_zh}"},
    "blackout": {"en": "{classes_en} {fall_en} in a blackout of unit {unit}{periods_en}",
                 "zh": "{n}个可参加的培训班处于单位{unit}的重点工作时段{periods_zh}"},
    "region_blackout": {"en": "{classes_en} {fall_en} in a region blackout",
                        "zh": "{n}个可参加的培训班处于全区重点工作时段"},
    "unscheduled": {"en": "{classes_en} could not be scheduled in {its_en} window",
                    "zh": "{n}个可参加的培训班在可选时段内无法排期"},
    "offer_too_small": {"en": "{all_en} only {got_en} ({need_en} required)",
                        "zh": "{all_zh}仅{got_zh}（要求{need_zh}）"},
    "full_higher": {"en": "{classes_en} {is_en} full with higher-priority cadres ({ids})",
                    "zh": "{n}个可参加的培训班名额已由优先级更高的干部占满（{ids}）"},
    "full": {"en": "{classes_en} {is_en} full ({ids})", "zh": "{n}个可参加的培训班名额已满（{ids}）"},
    "cancelled": {"en": "{classes_en} {is_en} cancelled for too few trainees ({ids})",
                  "zh": "{n}个可参加的培训班因人数不足取消（{ids}）"},
    "unit_cap": {"en": "unit cap of {cap} absent in {unit} reached on {days_en} ({ids})",
                 "zh": "单位{unit}离岗上限{cap}人已于{days_zh}达到（{ids}）"},
    "clash": {"en": "{ids} {clash_en} with their planned {kind_en} {activity}",
              "zh": "{ids}与本人已安排的{kind_zh}{activity}时间冲突"},
    "topic_taken": {"en": "{ids} {repeat_en} a topic already planned for them this year",
                    "zh": "{ids}的主题本年度已为其安排"},
    "budget": {"en": "the budget of {budget_en} yuan is spent ({ids} not affordable)",
               "zh": "{budget_zh}元培训预算已用完（{ids}无法负担）"},
    "combination": {"en": "the remaining eligible classes cannot be combined into the requirement "
                          "(their dates overlap or they would exceed unit caps elsewhere)",
                    "zh": "其余可参加的培训班无法组合达到培训要求（日期重叠或将使其他日期超过单位离岗上限）"},
}

_LEVEL_ZH = CODES["level"]["zh"]  # the report's words for levels

# planning.calendar's words for a blackout or busy period the data gives no reason for
DEFAULT_WHY = {"region key work": {"en": "region key work", "zh": "全区重点工作"},
               "unit peak": {"en": "unit peak", "zh": "单位工作高峰"},
               "own work peak": {"en": "own work peak", "zh": "本人工作高峰"}}


def why_in(why: str, lang: str = "en") -> str:
    """A period's reason as the data gives it, or the calendar's default in `lang`."""
    return DEFAULT_WHY.get(why, {}).get(lang, why)


def _plural(n: int, one: str, many: str) -> str:
    return f"1 {one}" if n == 1 else f"{n} {many}"


def ids_text(ids, limit: int = 6, lang: str = "en") -> str:
    """'C1, C2, C3 and 4 more' / 'C1、C2、C3等7个'."""
    ids = sorted(ids)
    if lang == "zh":
        shown = "、".join(ids[:limit])
        return shown + (f"等{len(ids)}个" if len(ids) > limit else "")
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


@dataclass(frozen=True)
class Reason:
    """One reason a cadre's requirement is not met: a code and the values its sentence needs.

    Values: ``n`` (classes concerned), ``ids`` (activity ids), ``periods`` ([(start, end, why)]),
    ``unit``, ``cap``, ``days`` (ISO dates), ``level``, ``activity``, ``kind``, ``budget``,
    ``got``/``need`` ((days, hours) pairs), ``measure``."""
    code: str
    values: dict = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return reason_text(self, lang)


def _date_zh(iso: str) -> str:
    y, m, d = str(iso).split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def _amount(pair, measure: str, lang: str, both: bool) -> str:
    d, h = pair
    if lang == "zh":
        return f"{d:g}天或{h:g}学时" if both else (f"{h:g}学时" if measure == "hours" else f"{d:g}天 / {h:g}学时")
    return f"{d:g} days or {h:g} hours" if both else (f"{h:g} class hours" if measure == "hours"
                                                      else f"{d:g} days / {h:g} hours")


def reason_text(r: Reason, lang: str = "en") -> str:
    """The reason as a sentence in `lang`."""
    v = dict(r.values)
    n = int(v.get("n", 0))
    ids = v.get("ids", ())
    periods = v.get("periods", ())
    days = list(v.get("days", ()))
    v.update(
        classes_en=_plural(n, "eligible class", "eligible classes"),
        fall_en="falls" if n == 1 else "fall", is_en="is" if n == 1 else "are", its_en="its" if n == 1 else "their",
        ids=ids_text(ids, lang=lang) if r.code not in ("clash", "topic_taken", "budget") else
        ("、" if lang == "zh" else ", ").join(sorted(ids)),
        level_en=CODES["level"]["en"].get(v.get("level", ""), v.get("level", "")).lower(), level_zh=_LEVEL_ZH.get(v.get("level", ""), v.get("level", "")),
        periods_en=(" " + "; ".join(f"{s} to {e} ({why})" for s, e, why in periods)) if periods else "",
        periods_zh=("：" + "、".join(f"{_date_zh(s)}至{_date_zh(e)}（{why_in(why, 'zh')}）" for s, e, why in periods)) if periods else "",
        days_en=", ".join(days[:4]) + (f" and {len(days) - 4} more days" if len(days) > 4 else ""),
        days_zh="、".join(_date_zh(d) for d in days[:4]) + (f"等{len(days)}天" if len(days) > 4 else ""),
        kind_en="rotation" if v.get("kind") == "rotation" else "class",
        clash_en="clashes" if len(ids) == 1 else "clash", repeat_en="repeats" if len(ids) == 1 else "repeat",
        all_en="the only eligible class gives" if n == 1 else f"even all {n} eligible classes together give",
        all_zh="唯一可参加的培训班" if n == 1 else f"全部{n}个可参加的培训班合计",
        kind_zh="挂职岗位" if v.get("kind") == "rotation" else "培训班",
        budget_en=f"{float(v.get('budget') or 0):,.0f}", budget_zh=f"{float(v.get('budget') or 0):,.0f}",
    )
    if r.code == "offer_too_small":
        both = v.get("measure") == "days"
        v.update(got_en=_amount(v["got"], v.get("measure", "days"), "en", False),
                 need_en=_amount(v["need"], v.get("measure", "days"), "en", both),
                 got_zh=_amount(v["got"], v.get("measure", "days"), "zh", False),
                 need_zh=_amount(v["need"], v.get("measure", "days"), "zh", both))
    return _REASON_TEXT[r.code][lang].format(**v)


def reason_name(code: str, lang: str = "en") -> str:
    """The kind of reason in a few words, for the grouped summary."""
    names = REASON_NAMES.get(code)
    return names[lang] if names else code


def join_reasons(reasons: list[Reason], lang: str = "en") -> str:
    return ("；" if lang == "zh" else "; ").join(r.text(lang) for r in reasons)


# --------------------------------------------------------------------------- sentences by code
MESSAGES: dict[str, dict[str, str]] = {
    # how the solve ended, in a planner's words
    "status_optimal": {"en": "The best possible plan under the policy: no better plan exists.",
                       "zh": "在现行政策下的最佳方案：不存在更好的方案。"},
    "status_good": {"en": "A good plan, at most {gap} from the best possible.",
                    "zh": "一个良好的方案，与最佳方案的差距不超过{gap}。"},
    "status_good_unknown": {"en": "A valid plan; how far it is from the best possible is not known.",
                            "zh": "一个有效的方案；与最佳方案的差距未知。"},
    "stop_gap": {"en": "The planner stopped once it had proved the plan within {limit} of the best possible.",
                 "zh": "规划程序在证明方案与最佳方案的差距不超过{limit}后停止。"},
    "stop_time": {"en": "The planner used its whole time allowance of {limit} and stopped there.",
                  "zh": "规划程序用完了{limit}的时间上限后停止。"},
    "stop_steps": {"en": "The planner finished its set number of improvement steps after {seconds} "
                         "(well within its time allowance of {limit}).",
                   "zh": "规划程序在{seconds}内完成了设定的改进步数（未用完{limit}的时间上限）。"},
    "stop_search": {"en": "The planner finished its search in {seconds}.",
                    "zh": "规划程序用时{seconds}完成搜索。"},
    "status_infeasible": {"en": "The hard rules cannot all hold: no plan was produced.",
                          "zh": "硬性规则无法同时满足，未生成计划。"},
    "status_error": {"en": "The planner failed: no plan was produced.", "zh": "规划失败，未生成计划。"},
    "status_short_optimal": {"en": "best possible", "zh": "最佳方案"},
    "status_short_good": {"en": "good plan, within {gap} of the best", "zh": "良好方案，差距不超过{gap}"},
    "status_short_infeasible": {"en": "no plan (rules conflict)", "zh": "无可行方案"},
    "status_short_error": {"en": "failed", "zh": "失败"},
    # executive summary
    "worst_result": {"en": "Weakest result: {what} at {share} ({met} of {n} meet the requirement).",
                     "zh": "最薄弱环节：{what}达标比例仅{share}（{n}人中{met}人达标）。"},
    "cancelled_list": {"en": "{n} classes are cancelled for too few trainees: {titles}.",
                       "en_one": "1 class is cancelled for too few trainees: {titles}.",
                       "zh": "{n}个培训班因人数不足取消：{titles}。"},
    "cancelled_none": {"en": "No class is cancelled.", "zh": "没有取消的培训班。"},
    # who a result is about (the weakest result, the meeting's first decision)
    "who_level": {"en": "{level}-level cadres", "zh": "{level}干部"},
    "who_overdue": {"en": "cadres overdue on the five-year cycle", "zh": "五年周期内未参训干部"},
    "who_reserve": {"en": "reserve cadres", "zh": "后备干部"},
    "who_young": {"en": "young cadres", "zh": "年轻干部"},
    "who_newly_promoted": {"en": "newly promoted cadres", "zh": "新提任干部"},
    "who_key_post": {"en": "cadres in key posts", "zh": "关键岗位干部"},
    "decide_lead": {"en": "For the meeting to decide:", "zh": "需会议研究决定的事项："},
    "decide_worst": {"en": "How to bring more {what} up to the requirement ({short} cadres short): more places or classes "
                           "open to them, or accept the shortfall this year.",
                     "en_one": "How to bring more {what} up to the requirement (1 cadre short): more places or classes "
                               "open to them, or accept the shortfall this year.",
                     "zh": "如何提高{what}的达标率（{short}人未达标）：增加面向该群体的班次或名额，或接受本年度缺口。"},
    "decide_cancelled": {"en": "Whether to run the {n} cancelled classes below their minimum size, "
                               "merge them, or drop them.",
                         "en_one": "Whether to run the cancelled class below its minimum size, merge it, or drop it.",
                         "zh": "{n}个取消的培训班是低于最低开班人数照常举办、合并举办还是不再举办。"},
    "decide_reason": {"en": "The main obstacle, “{reason}” ({n} cadres): whether to {remedy}.",
                      "en_one": "The main obstacle, “{reason}” (1 cadre): whether to {remedy}.",
                      "zh": "主要障碍“{reason}”（涉及{n}人）：是否{remedy}。"},
    "decide_rotations": {"en": "Whether to fill the {n} vacant rotation slots (open them to more levels) "
                               "or leave them vacant this year.",
                         "en_one": "Whether to fill the vacant rotation slot (open it to more levels) "
                                   "or leave it vacant this year.",
                         "zh": "{n}个空缺的挂职岗位是扩大面向职级予以安排，还是本年度空缺。"},
    "decide_budget": {"en": "Whether the class cost of {cost} fits the budget of {budget}.",
                      "zh": "培训费用{cost}是否在预算{budget}以内。"},
    "decide_overdue": {"en": "How to place the {n} cadres overdue on the five-year cycle who have no class.",
                       "en_one": "How to place the cadre overdue on the five-year cycle who has no class.",
                       "zh": "五年周期内未参训且本年度仍未安排培训的{n}名干部如何安排。"},
    "reasons_note": {"en": "A cadre can have several reasons, so the counts add up to more than the {n} cadres short.",
                     "en_one": "A cadre can have several reasons, so the counts add up to more than the 1 cadre short.",
                     "zh": "一名干部可能同时有多项原因，因此各项人数之和多于未达标的{n}人。"},
    "reason_code": {"en": "Reason", "zh": "原因"},
    "appendix_solver": {"en": "Appendix: how the plan was computed", "zh": "附录：计划的计算方法"},
    "appendix_solver_lead": {"en": "For the technical reader: the solver's figures and settings.",
                             "zh": "供技术人员参阅：求解器的数值与参数。"},
    "policy_rules": {"en": "The planner's rules", "zh": "规划规则"},
    "policy_solver": {"en": "Solver settings", "zh": "求解参数"},
    "policy_names": {"en": "Setting names of the rules",
                     "zh": "规则在政策文件中的设置名称"},
    "policy_names_lead": {"en": "The rules of the policy pages as the policy file names them ({file}), "
                                "with their values in force.",
                          "zh": "政策页所列规则在政策文件（{file}）中的名称及现行取值。"},
    "policy_rule": {"en": "Rule", "zh": "规则"},
    # a policy value with its unit
    "vu_days": {"en": "{v} days", "zh": "{v}天"},
    "vu_hours": {"en": "{v} hours", "zh": "{v}学时"},
    "vu_years": {"en": "{v} years", "zh": "{v}年"},
    "vu_age": {"en": "{v} years old", "zh": "{v}岁"},
    "vu_yuan": {"en": "{v} yuan", "zh": "{v}元"},
    "vu_people": {"en": "{v}", "zh": "{v}人"},
    "vu_points": {"en": "{v} points", "zh": "{v}分"},
    "vu_seconds": {"en": "{v} s", "zh": "{v}秒"},
}

# --------------------------------------------------------------------------- the what-if dashboard
# planning.whatif and planning.whatif_widgets: figures, cards, the change in words, the difference
# sentences, the controls and the dashboard's messages ("wi_" codes).
WHATIF_MESSAGES: dict[str, dict[str, str]] = {
    # figures and KPI cards
    "wi_fig_requirement_met": {"en": "cadres meet the requirement", "zh": "达到培训要求的干部"},
    "wi_fig_requirement_met_share": {"en": "requirement met", "zh": "培训要求达标率"},
    "wi_fig_weighted_coverage": {"en": "weighted coverage", "zh": "按优先级加权的达标率"},
    "wi_fig_overdue_covered": {"en": "overdue cadres given a class", "zh": "五年周期内未参训干部已安排培训"},
    "wi_fig_rotations_filled": {"en": "rotation slots filled", "zh": "已安排的挂职名额"},
    "wi_fig_classes_running": {"en": "classes running", "zh": "开班的培训班"},
    "wi_fig_classes_cancelled": {"en": "classes cancelled", "zh": "取消的培训班"},
    "wi_fig_seats_used": {"en": "seats used", "zh": "已用名额"},
    "wi_fig_seats_offered": {"en": "seats offered", "zh": "提供名额"},
    "wi_fig_cost": {"en": "class cost (yuan)", "zh": "培训费用（元）"},
    "wi_fig_gap": {"en": "distance from the bound", "zh": "与最优界的差距"},
    "wi_fig_units_at_cap": {"en": "units at their absence cap on some day", "zh": "某日离岗达上限的单位"},
    "wi_fig_unit_days_at_cap": {"en": "unit-days at the absence cap", "zh": "离岗达上限的单位·天数"},
    "wi_card_requirement_met": {"en": "cadres meeting it", "zh": "达标干部人数"},
    "wi_col_figure": {"en": "figure", "zh": "指标"},
    "wi_col_baseline": {"en": "baseline", "zh": "基准方案"},
    "wi_col_now": {"en": "now", "zh": "当前方案"},
    "wi_col_change": {"en": "change", "zh": "变化"},
    "wi_col_by": {"en": "by", "zh": "分类"},
    "wi_col_name": {"en": "name", "zh": "名称"},
    "wi_by_level": {"en": "level", "zh": "职级"},
    "wi_by_group": {"en": "group", "zh": "群体"},
    "wi_col_cadre_id": {"en": "cadre_id", "zh": "干部编号"},
    "wi_col_cadre_name": {"en": "name", "zh": "姓名"},
    "wi_col_unit_id": {"en": "unit_id", "zh": "单位编号"},
    "wi_col_unit_name": {"en": "unit", "zh": "单位"},
    "wi_col_level": {"en": "level", "zh": "职级"},
    "wi_col_classes_before": {"en": "classes_before", "zh": "原安排班次"},
    "wi_col_classes_now": {"en": "classes_now", "zh": "现安排班次"},
    "wi_gains": {"en": "gains", "zh": "新达标"},
    "wi_loses": {"en": "loses", "zh": "不再达标"},
    # the change in words
    "wi_ch_seats": {"en": "seats in {key} {value} classes {pct}", "zh": "{key}为{value}的培训班名额{pct}"},
    "wi_key_season": {"en": "season", "zh": "季节"},
    "wi_key_topic": {"en": "topic", "zh": "主题"},
    "wi_key_institution": {"en": "institution", "zh": "培训机构"},
    "wi_ch_budget": {"en": "budget {share} of the baseline's cost ({yuan} yuan)",
                     "zh": "预算为基准方案费用的{share}（{yuan}元）"},
    "wi_ch_cap": {"en": "at most {share} of a unit away on one day", "zh": "单位单日离岗不超过{share}"},
    "wi_ch_weight": {"en": "priority weight of {group} {weight}", "zh": "{group}优先级权重为{weight}"},
    "wi_ch_windowed": {"en": "classes with a date window dropped", "zh": "取消可选时段的培训班"},
    "wi_ch_later": {"en": "{cls} moved {n} week{s} later", "zh": "{cls}推后{n}周"},
    "wi_ch_earlier": {"en": "{cls} moved {n} week{s} earlier", "zh": "{cls}提前{n}周"},
    "wi_ch_must": {"en": "{cadre} must take {act}", "zh": "{cadre}必须参加{act}"},
    "wi_ch_must_not": {"en": "{cadre} must not take {act}", "zh": "{cadre}不参加{act}"},
    "wi_ch_none": {"en": "no change", "zh": "无变化"},
    "wi_ch_join": {"en": "; ", "zh": "；"},
    # the difference in words
    "wi_met_more": {"en": "{n} more {who} the requirement ({b} → {a} of {total}, {sb} → {sa}).",
                    "zh": "达到培训要求的干部增加{n}人（{total}人中由{b}人增至{a}人，{sb} → {sa}）。"},
    "wi_met_fewer": {"en": "{n} fewer {who} the requirement ({b} → {a} of {total}, {sb} → {sa}).",
                     "zh": "达到培训要求的干部减少{n}人（{total}人中由{b}人减至{a}人，{sb} → {sa}）。"},
    "wi_met_same": {"en": "As many cadres meet the requirement as before ({a} of {total}).",
                    "zh": "达到培训要求的干部人数不变（{total}人中{a}人）。"},
    "wi_gains_loses": {"en": "{gains} it who did not, {loses} it.",
                       "zh": "{gains}人新达到要求，{loses}人不再达到要求。"},
    "wi_overdue_more": {"en": "{n} more get a class ({now} of {total}).",
                        "zh": "五年周期内未参训干部多{n}人安排培训（{total}人中{now}人）。"},
    "wi_overdue_fewer": {"en": "{n} fewer get a class ({now} of {total}).",
                         "zh": "五年周期内未参训干部少{n}人安排培训（{total}人中{now}人）。"},
    "wi_gains_most": {"en": "The {name} {by} gains most: {b} → {a} met.", "zh": "{name}达标率提高最多：{b} → {a}。"},
    "wi_loses_most": {"en": "The {name} {by} loses most: {b} → {a} met.", "zh": "{name}达标率下降最多：{b} → {a}。"},
    "wi_cost_rises": {"en": "Class cost rises by {d} yuan (to {now}).", "zh": "培训费用增加{d}元（共{now}元）。"},
    "wi_cost_falls": {"en": "Class cost falls by {d} yuan (to {now}).", "zh": "培训费用减少{d}元（共{now}元）。"},
    "wi_more_classes_running": {"en": "{n} more {what} ({now} in all).", "zh": "开班的培训班增加{n}个（共{now}个）。"},
    "wi_fewer_classes_running": {"en": "{n} fewer {what} ({now} in all).", "zh": "开班的培训班减少{n}个（共{now}个）。"},
    "wi_more_seats_used": {"en": "{n} more {what} ({now} in all).", "zh": "已用名额增加{n}个（共{now}个）。"},
    "wi_fewer_seats_used": {"en": "{n} fewer {what} ({now} in all).", "zh": "已用名额减少{n}个（共{now}个）。"},
    "wi_more_rotations_filled": {"en": "{n} more {what} ({now} in all).", "zh": "已安排挂职名额增加{n}个（共{now}个）。"},
    "wi_fewer_rotations_filled": {"en": "{n} fewer {what} ({now} in all).",
                                  "zh": "已安排挂职名额减少{n}个（共{now}个）。"},
    "wi_absence_changed": {"en": "Unit absence: {un} units reach their cap on some day (was {ub}); "
                                 "{dn} unit-days at the cap (was {db}).",
                           "zh": "单位离岗：{un}个单位某日达到离岗上限（原{ub}个）；达上限的单位·天数{dn}（原{db}）。"},
    "wi_absence_same": {"en": "Unit absence as before: {un} units reach their cap on some day.",
                        "zh": "单位离岗情况不变：{un}个单位某日达到离岗上限。"},
    "wi_plan_status": {"en": "The plan is {status}.", "zh": "方案状态：{status}。"},
    "wi_plan_status_gap": {"en": "The plan is {status}, at most {gap} below the best possible (its bound).",
                           "zh": "方案状态：{status}，与最佳方案（最优界）的差距不超过{gap}。"},
    "wi_status_optimal": {"en": "optimal", "zh": "最优"},
    "wi_status_feasible": {"en": "feasible", "zh": "可行"},
    "wi_warm": {"en": "Started from the current plan.", "zh": "从当前方案出发重新规划。"},
    # the controls
    "wi_seats_x": {"en": "{what} seats ×", "zh": "{what}名额 ×"},
    "wi_season_spring": {"en": "spring", "zh": "春季"},
    "wi_season_summer": {"en": "summer", "zh": "夏季"},
    "wi_season_autumn": {"en": "autumn", "zh": "秋季"},
    "wi_season_winter": {"en": "winter", "zh": "冬季"},
    "wi_topic": {"en": "topic", "zh": "主题"},
    "wi_institution": {"en": "institution", "zh": "培训机构"},
    "wi_topic_seats": {"en": "topic seats ×", "zh": "该主题名额 ×"},
    "wi_institution_seats": {"en": "institution seats ×", "zh": "该机构名额 ×"},
    "wi_budget_on": {"en": "cap the class budget", "zh": "限定培训预算"},
    "wi_budget": {"en": "budget × baseline cost", "zh": "预算 × 基准费用"},
    "wi_cap": {"en": "unit absence cap", "zh": "单位离岗上限"},
    "wi_weight": {"en": "{group} weight", "zh": "{group}权重"},
    "wi_group_base": {"en": "base", "zh": "基础"},
    "wi_windowed": {"en": "classes with a date window", "zh": "可选时段的培训班"},
    "wi_cadre": {"en": "cadre", "zh": "干部"},
    "wi_class": {"en": "class", "zh": "培训班"},
    "wi_must": {"en": "must", "zh": "必须参加"},
    "wi_must_not": {"en": "must not", "zh": "不参加"},
    "wi_add_pin": {"en": "Add pin", "zh": "添加指定"},
    "wi_pins": {"en": "pins", "zh": "指定安排"},
    "wi_remove_pin": {"en": "Remove pin", "zh": "删除指定"},
    "wi_weeks_later": {"en": "weeks later", "zh": "推后周数"},
    "wi_move_class": {"en": "Move class", "zh": "调整日期"},
    "wi_moves": {"en": "moves", "zh": "日期调整"},
    "wi_move_entry": {"en": "{cls} {n:+d} weeks", "en_one": "{cls} +1 week", "zh": "{cls} {n:+d} 周"},
    "wi_default_name": {"en": "what-if", "zh": "情景推演"},
    "wi_undo_move": {"en": "Undo move", "zh": "撤销调整"},
    "wi_full": {"en": "full optimizer (slower, tighter)", "zh": "完整优化（较慢，更精确）"},
    "wi_apply": {"en": "Apply", "zh": "应用"},
    "wi_scenario_name": {"en": "scenario name", "zh": "情景名称"},
    "wi_save": {"en": "Save as scenario", "zh": "保存为情景"},
    "wi_export": {"en": "Export", "zh": "导出"},
    "wi_none": {"en": "(none)", "zh": "（无）"},
    "wi_tab_seats": {"en": "Seats", "zh": "名额"},
    "wi_tab_budget": {"en": "Budget, absence cap, windowed classes", "zh": "预算、离岗上限、可选时段培训班"},
    "wi_tab_weights": {"en": "Priority weights", "zh": "优先级权重"},
    "wi_tab_pins": {"en": "Pins", "zh": "指定安排"},
    "wi_tab_dates": {"en": "Class dates", "zh": "培训班日期"},
    # the dashboard's messages
    "wi_baseline": {"en": "Baseline: {n} cadres planned ({status}). Change the settings and press Apply.",
                    "zh": "基准方案：已为{n}名干部制定计划（{status}）。调整设置后点击“应用”。"},
    "wi_cannot_start": {"en": "The what-if cannot start", "zh": "无法启动情景推演"},
    "wi_replanning": {"en": "Re-planning …", "zh": "正在重新规划……"},
    "wi_not_applied": {"en": "Not applied: {error}", "zh": "未能应用：{error}"},
    "wi_replanned": {"en": "Re-planned in {seconds} s ({how}).", "zh": "重新规划完成，用时{seconds}秒（{how}）。"},
    "wi_quick": {"en": "quick", "zh": "快速"},
    "wi_quick_warm": {"en": "quick, from the current plan", "zh": "快速，从当前方案出发"},
    "wi_full_short": {"en": "full optimizer", "zh": "完整优化"},
    "wi_not_saved": {"en": "Not saved: {error}", "zh": "未能保存：{error}"},
    "wi_saved": {"en": "Saved as {path} (planning compare / batch / plan --scenario accept it).",
                 "zh": "已保存为 {path}（情景比较、批量运行和按情景规划均可直接使用）。"},
    "wi_not_exported": {"en": "Not exported: {error}", "zh": "未能导出：{error}"},
    "wi_exported": {"en": "Exported the plan's report to {path}.", "zh": "方案报告已导出至 {path}。"},
    "wi_heat_diff": {"en": "Unit absence by week: change against the baseline (most away on one day; "
                           "red = more away, blue = fewer; only units that changed).",
                     "zh": "各单位每周离岗变化（与基准方案相比，单日最多离岗人数；红色为增加，蓝色为减少；仅列出有变化的单位）。"},
    "wi_heat_same": {"en": "Unit absence by week: no unit's weekly peak changed against the baseline.",
                     "zh": "各单位每周离岗：与基准方案相比没有变化。"},
    "wi_heat_now": {"en": "Unit absence by week in the current plan, against each unit's cap (100% = at the cap).",
                    "zh": "当前方案各单位每周离岗（相对于本单位上限，100%即达到上限）。"},
    "wi_heat_axis": {"en": "change in most away on one day", "zh": "单日最多离岗人数的变化"},
    "wi_cadres_title": {"en": "Cadres who gain or lose ({gains} gain, {loses} lose)",
                        "zh": "达标情况发生变化的干部（新达标{gains}人，不再达标{loses}人）"},
}
MESSAGES.update(WHATIF_MESSAGES)

# Why a re-plan changed an assignment (planning.inyear.replan; changes.csv reason, reason_codes).
# The values are made per language by planning.inyear.words (periods, levels, dates, lists).
REPLAN_MESSAGES: dict[str, dict[str, str]] = {
    "rp_roster": {"en": "{cadre} is no longer in the roster", "zh": "{cadre} 已不在干部名册中"},
    "rp_class_cancelled": {"en": "class {act} cancelled", "zh": "培训班 {act} 取消"},
    "rp_post_cancelled": {"en": "rotation post {act} cancelled", "zh": "挂职岗位 {act} 取消"},
    "rp_region_blackout": {"en": "new blackout {period}", "zh": "新增全区重点工作时段 {period}"},
    "rp_unit_blackout": {"en": "blackout of unit {unit} {period}", "zh": "单位 {unit} 重点工作时段 {period}"},
    "rp_transfer_note": {"en": " (transferred from {old} to {new})", "zh": "（由 {old} 调至 {new}）"},
    "rp_busy": {"en": "own busy period {period}", "zh": "本人工作繁忙期 {period}"},
    "rp_level": {"en": "{act} is not open to their level ({level})", "zh": "{act} 不面向其职级（{level}）"},
    "rp_direction": {"en": "rotation {act} is in the other direction than their grassroots experience allows",
                     "zh": "挂职岗位 {act} 与其基层工作经历要求的挂职方向不符"},
    "rp_topic": {"en": "the topic of {act} is already in their history", "zh": "{act} 的专题已参加过"},
    "rp_must_not": {"en": "pinned must_not {act}", "zh": "已指定不参加 {act}"},
    "rp_unscheduled": {"en": "class {act} has no feasible dates in its window", "zh": "培训班 {act} 在可选时段内无可行日期"},
    "rp_not_allowed": {"en": "no longer allowed by the data", "zh": "按新数据不再符合条件"},
    "rp_transferred": {"en": "transferred from {old} to {new}", "zh": "由 {old} 调至 {new}"},
    "rp_cut": {"en": "{act} cut to {cap} places", "zh": "{act} 名额减至 {cap} 人"},
    "rp_min_size": {"en": "class {act} no longer reaches its minimum size ({size})",
                    "zh": "培训班 {act} 人数不足最低开班人数（{size}人）"},
    "rp_unit_cap": {"en": "unit {unit} may have at most {cap} away on {day}",
                    "zh": "单位 {unit} 在{day}最多可有 {cap} 人离岗"},
    "rp_moved_in_note": {"en": " ({who} transferred in)", "zh": "（{who} 调入）"},
    "rp_better": {"en": "re-planned: the requirement is better met this way", "zh": "统筹调整：更好地完成培训要求"},
    "rp_seat_given": {"en": "place in {act} given to {cadre}", "zh": "{act} 的名额让给 {cadre}"},
    "rp_seat_taken": {"en": "moved to take the seat of {cadre} in {act}", "zh": "调入 {act}，使用 {cadre} 让出的名额"},
    "rp_added": {"en": "added: a place that helps meet the requirement", "zh": "新增安排：有助于完成培训要求"},
    "rp_moved_dates": {"en": "class {act} moved to other dates", "zh": "培训班 {act} 调整日期"},
    "rp_moved_dates_why": {"en": "class {act} moved to other dates: {why}", "zh": "培训班 {act} 调整日期：{why}"},
    "rp_withdrawn": {"en": "withdrawn from {act}: {leave} hours of leave exceed {share} of the {hours} class hours "
                           "({limit} hours): withdrawn, no credit",
                     "zh": "退出 {act}：请假{leave}学时，超过{hours}学时的{share}（{limit}学时），按退学处理，不计学时"},
    "rp_absent": {"en": "did not attend {act}: no credit", "zh": "未参加 {act}：不计学时"},
    "rp_sep": {"en": "; ", "zh": "；"},
    "rp_note_min_size": {"en": "attendance: {cadre} {status} in {act}, but the class would fall below its minimum "
                               "size without them: the assignment stays in the plan",
                         "zh": "出勤：{cadre}在{act}中{status}，但其退出后该班将低于最低开班人数，该安排保留在计划中"},
    "rp_status_withdrawn": {"en": "withdrew (leave over the policy share)", "zh": "请假超过规定比例"},
    "rp_status_absent": {"en": "did not attend", "zh": "未参加"},
    # the console lines of `planning replan` and `planning close-year`
    "t_replan_head": {"en": "Re-plan as of {as_of} written to {out}: {status} ({seconds} s)",
                      "zh": "截至{as_of}的调整计划已写入 {out}：{status}（用时{seconds}秒）"},
    "t_replan_base": {"en": "  base plan: {n} assignments, {done} done, {under_way} under way",
                      "zh": "  原计划：共{n}项安排，已完成{done}项，进行中{under_way}项"},
    "t_replan_changes": {"en": "  changes: {changes} ({dropped} dropped, {added} added) for {cadres} cadres; "
                               "{file} says why",
                         "zh": "  调整：{changes}项（取消{dropped}项，新增{added}项），涉及{cadres}名干部；原因见 {file}"},
    "t_met": {"en": "  requirement met: {met} of {cadres} cadres ({share})",
              "zh": "  达到培训要求：{cadres}名干部中{met}人（{share}）"},
    "t_warning": {"en": "  warning: {text}", "zh": "  警告：{text}"},
    # the console lines of `planning validate`, `plan` and `check`
    "t_valid": {"en": "Data set {data} for {year}: valid.", "zh": "数据 {data}（{year}年度）：校验通过。"},
    "t_valid_cadres": {"en": "  {cadres} cadres in {units} units and {districts} districts",
                       "zh": "  干部{cadres}人，分属{units}个单位、{districts}个区县"},
    "t_valid_level": {"en": "    {level:<15} {n:>6}", "zh": "    {level}　{n}人"},
    "t_valid_groups": {"en": "  priority groups: {groups}", "zh": "  重点群体：{groups}"},
    "t_valid_group": {"en": "{group} {n}", "zh": "{group}{n}人"},
    "t_valid_classes": {"en": "  classes: {n} ({windowed} with a window), {seats} seats, {seat_days} seat-days offered "
                              "vs {need} days needed below division level",
                        "zh": "  培训班{n}个（{windowed}个为可选时段），名额{seats}个，共提供{seat_days}人·天，"
                              "处级以下干部需要{need}天"},
    "t_valid_rotations": {"en": "  rotation posts: {n} with {slots} slots", "zh": "  挂职岗位{n}个，名额{slots}个"},
    "t_valid_periods": {"en": "  blackouts: {blackouts}, busy periods: {busy}, history rows: {history}, pins: {pins}",
                        "zh": "  重点工作时段{blackouts}个，工作繁忙期{busy}个，培训记录{history}条，指定安排{pins}条"},
    "t_valid_ratings": {"en": "  online hours rows: {online}, course ratings: {courses}, trainee ratings: {trainees}",
                        "zh": "  网络学习记录{online}条，学员评课{courses}条，班级评价学员{trainees}条"},
    "t_valid_attendance": {"en": "  attendance rows: {n} (read by close-year and replan)",
                           "zh": "  出勤记录{n}条（年度结转和年中调整使用）"},
    "t_valid_pool": {"en": "  reserve pool: {members} members, assessment rows: {assessments}, candidates: "
                           "{candidates}, vacancies: {vacancies}",
                     "zh": "  后备干部库：{members}人，考核记录{assessments}条，人选{candidates}名，空缺职位{vacancies}个"},
    "t_valid_warnings": {"en": "  {n} warnings:", "en_one": "  1 warning:", "zh": "  {n}条提示："},
    "t_check_valid": {"en": "The plan in {plan} is valid.", "zh": "{plan} 中的计划通过校验，符合全部规则。"},
    "t_check_invalid": {"en": "{n} violations: the plan is not valid", "en_one": "1 violation: the plan is not valid",
                        "zh": "发现{n}处违反规则：该计划无效"},
    "t_report": {"en": "Report written to {out}", "zh": "报告已写入 {out}"},
    "t_workbook": {"en": "Workbook written to {out}", "zh": "工作簿已写入 {out}"},
    "t_scenario": {"en": "Scenario {name} applied ({file}).", "zh": "已应用情景 {name}（{file}）。"},
    "t_plan_head": {"en": "Plan written to {out}: status {status} (solver {solver}, gap {gap}, {seconds} s)",
                    "zh": "计划已写入 {out}：{status}（用时{seconds}秒）"},
    "t_plan_met": {"en": "  requirement met: {met} of {cadres} cadres ({share}); greedy baseline {greedy}",
                   "zh": "  达到培训要求：{cadres}名干部中{met}人（{share}）；先到先得方案为{greedy}"},
    "t_plan_more": {"en": "  overdue cadres given a class: {covered} of {overdue}; rotations filled {filled} of {slots}; "
                          "classes running {running}, cancelled {cancelled}",
                    "zh": "  五年周期内未参训干部{overdue}人中{covered}人已安排培训；挂职名额{slots}个中已安排{filled}个；"
                          "开班{running}个，取消{cancelled}个"},
    "t_close_head": {"en": "Year {year} closed into {out}: a data set for {next}.",
                     "zh": "{year}年度已结转至 {out}：生成{next}年度数据。"},
    "t_close_counts": {"en": "  {n} assignments: {credited} credited, {withdrawn} withdrawn (leave over {share} of the "
                             "class hours), {absent} absent",
                       "zh": "  共{n}项安排：{credited}项计入，{withdrawn}项退学（请假超过总学时的{share}），{absent}项未参加"},
    "t_close_history": {"en": "  history: {rows} + {added} rows; pins dropped; classes, rotations, blackouts and busy "
                              "periods moved into {next} (same week and weekday)",
                        "zh": "  培训记录：原有{rows}条，新增{added}条；指定安排已清除；培训班、挂职岗位、重点工作时段和工作繁忙期"
                              "已顺延至{next}年（同一周、同一星期几）"},
}
MESSAGES.update(REPLAN_MESSAGES)


# Warnings: legal but suspicious data (planning.data.validate, "dw_"), the planner's own ("pw_": a class
# it cannot schedule, a plan that differs from the data set it is reported with). summary.json keeps
# its `warnings` as English strings and carries `warning_notes` (code, values, where) beside them;
# documents and the console say each in their language (``warning_lines``).
WARNING_MESSAGES: dict[str, dict[str, str]] = {
    "dw_promoted_after": {"en": "{date} is after the plan year {year}; is the year right?",
                          "zh": "晋升日期{date}晚于规划年度{year}年，请核对年度是否正确"},
    "dw_holiday": {"en": "class {cls} runs over the public holidays {holidays}",
                   "en_one": "class {cls} runs over the public holiday {holidays}",
                   "zh": "培训班{cls}跨越法定节假日{holidays}"},
    "dw_region_blackout": {"en": "class {cls} overlaps the region blackout {start} to {end} ({reason}): "
                                 "nobody can attend it",
                           "zh": "培训班{cls}与全区重点工作时段{start}至{end}（{reason}）重叠，无人能够参加"},
    "dw_days_dont_fit": {"en": "{days} training days do not fit into the {n} {kind} from {start} to {end}",
                         "zh": "{start}至{end}仅有{n}个{kind}，容纳不下{days}个培训日"},
    "dw_window_short": {"en": "the window {start} to {end} holds only {n} {kind} free of holidays and region "
                              "blackouts, but class {cls} needs {days}",
                        "zh": "可选时段{start}至{end}中避开节假日和全区重点工作时段的{kind}仅有{n}个，"
                              "而培训班{cls}需要{days}个"},
    "dw_class_no_level": {"en": "no cadre in the roster has a level that class {cls} is open to",
                          "zh": "干部名册中没有培训班{cls}所面向职级的干部"},
    "dw_post_no_level": {"en": "no cadre in the roster has a level that post {post} is open to",
                         "zh": "干部名册中没有挂职岗位{post}所面向职级的干部"},
    "dw_unit_empty": {"en": "unit {unit} has no cadres in the roster", "zh": "单位{unit}在干部名册中没有干部"},
    "dw_rating_unknown": {"en": "class '{cls}' is found neither in the classes table nor in history; its "
                                "institution and trainees are unknown",
                          "zh": "培训班“{cls}”既不在培训班表中，也不在培训记录中，其培训机构和学员无从得知"},
    "dw_rating_twice": {"en": "{cadre} is rated for class {cls} again (also on row {other}); both rows count",
                        "zh": "{cadre}在培训班{cls}的评价重复（另见第{other}行），两行均计入"},
    "pw_unscheduled": {"en": "class {cls} is not scheduled: no date range in its window {start} to {end} holds "
                             "{days} consecutive training days free of public holidays and region blackouts",
                       "zh": "培训班{cls}未能排期：可选时段{start}至{end}内没有连续{days}个避开法定节假日和"
                             "全区重点工作时段的培训日"},
    "pw_capacity_differs": {"en": "class {cls} has {plan} places in the plan, {data} in the data set",
                            "zh": "培训班{cls}在计划中有{plan}个名额，数据中为{data}个"},
    "pw_dates_differ": {"en": "class {cls} runs {start} – {end} in the plan, {data_start} – {data_end} in the data set",
                        "zh": "培训班{cls}在计划中的日期为{start}至{end}，数据中为{data_start}至{data_end}"},
    "pw_more_differences": {"en": "… and {n} more differences between the plan and the data set",
                            "en_one": "… and 1 more difference between the plan and the data set",
                            "zh": "……计划与数据另有{n}处不一致"},
    "w_where": {"en": "{where}: {text}", "zh": "{where}：{text}"},
    "w_row": {"en": "row {row}", "zh": "第{row}行"},
    "w_column": {"en": "column {column}", "zh": "“{column}”列"},
    "dw_kind_days": {"en": "days", "zh": "日"},
    "dw_kind_weekend": {"en": "Saturdays and Sundays", "zh": "周六日"},
    "dw_kind_working": {"en": "working days", "zh": "工作日"},
    "dw_key_work": {"en": "key work", "zh": "重点工作"},
}
MESSAGES.update(WARNING_MESSAGES)

# The input tables and the columns warnings point at, for a person reading Chinese.
TABLE_NAMES_ZH = {
    "data set": "数据", "workbook": "工作簿", "cadres": "干部表", "units": "单位表", "classes": "培训班表",
    "rotations": "挂职岗位表", "blackouts": "重点工作时段表", "busy": "工作繁忙期表", "history": "培训记录表",
    "holidays": "节假日表", "pins": "指定安排表", "online": "网络学习表", "course_ratings": "学员评课表",
    "trainee_ratings": "学员评价表", "attendance": "出勤表", "assessments": "考核表", "candidates": "人选表",
    "vacancies": "空缺职位表",
}
COLUMN_NAMES_ZH = {
    "promoted_on": "晋升日期", "start_date": "开始日期", "end_date": "结束日期", "days": "培训天数",
    "window_start": "可选时段开始", "window_end": "可选时段结束", "levels": "面向职级", "unit_id": "单位编号",
    "class_id": "培训班编号", "cadre_id": "干部编号", "post_id": "岗位编号", "activity_id": "项目编号",
}
_DATE_KEYS = ("date", "start", "end", "data_start", "data_end")


@dataclass(frozen=True)
class Note:
    """A warning by code: ``values`` are plain JSON values (dates as ISO text); a value may come in
    each language as ``key_en`` / ``key_zh`` (holiday names, a blackout's reason); ``where`` is
    (table, row, column) for a warning about a cell of the data."""
    code: str
    values: dict = field(default_factory=dict, compare=False, hash=False)
    where: tuple = ()

    def text(self, lang: str = "en") -> str:
        return note_text(self.as_dict(), lang)

    def __str__(self) -> str:
        return self.text("en")

    def as_dict(self) -> dict:
        return {"code": self.code, "values": dict(self.values), **({"where": list(self.where)} if self.where else {})}


def _where(where, lang: str) -> str:
    table, row, column = (list(where) + [None, None, None])[:3]
    if lang == "zh":
        out = TABLE_NAMES_ZH.get(table, table)
        out += say("w_row", lang, row=row) if row is not None else ""
        return out + (say("w_column", lang, column=COLUMN_NAMES_ZH.get(column, column)) if column else "")
    parts = [table] + ([say("w_row", lang, row=row)] if row is not None else [])
    return ", ".join(parts + ([say("w_column", lang, column=column)] if column else []))


def note_text(note: dict, lang: str = "en") -> str:
    """A warning ({code, values, where?} as summary.json's `warning_notes` holds it) in `lang`."""
    v = {k: val for k, val in (note.get("values") or {}).items() if not k.endswith(("_en", "_zh"))}
    for k, val in (note.get("values") or {}).items():
        if k.endswith(f"_{lang}"):
            v[k[: -len(lang) - 1]] = val
    for k, val in list(v.items()):
        if isinstance(val, (list, tuple)):
            v[k] = ("、" if lang == "zh" else ", ").join(map(str, val))
        elif k in _DATE_KEYS and lang == "zh" and val and len(str(val)) == 10:
            v[k] = _date_zh(val)
        elif isinstance(val, float) and val.is_integer():
            v[k] = f"{val:g}"
    text = say(note["code"], lang, **v)
    where = note.get("where")
    return say("w_where", lang, where=_where(where, lang), text=text) if where else text


def warning_lines(summary: dict, lang: str = "en") -> list[str]:
    """summary.json's warnings in `lang`: from `warning_notes` where each has a code, else the
    English `warnings` as written (a plan folder from before the codes)."""
    plain = [str(w) for w in summary.get("warnings") or []]
    notes = summary.get("warning_notes")
    if not isinstance(notes, list) or len(notes) != len(plain):
        return plain
    return [note_text(n, lang) if isinstance(n, dict) and n.get("code") in MESSAGES else w
            for n, w in zip(notes, plain)]

# Names the solver writes into the summary, for a person.
SOLVER_NAMES: dict[str, dict[str, str]] = {
    "highs": {"en": "HiGHS (open-source MIP solver)", "zh": "HiGHS 开源整数规划求解器"},
    "cbc": {"en": "CBC (open-source MIP solver)", "zh": "CBC 开源整数规划求解器"},
    "base": {"en": "baseline", "zh": "基准方案"},
    "heuristic": {"en": "the planner's own search", "zh": "规划程序自有搜索算法"},
    "greedy": {"en": "a first-come plan", "zh": "先到先得方案"},
    "lagrange": {"en": "Lagrangian relaxation and local search", "zh": "拉格朗日松弛与局部搜索"},
}


def say(code: str, lang: str = "en", **values) -> str:
    """The sentence `code` in `lang`, formatted with `values`. An entry may hold a singular form
    (`en_one`), said when its count (`n`, else `short`) is 1: "1 class is", not "1 classes are"."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    entry = MESSAGES[code]
    text = entry.get(f"{lang}_one", entry[lang]) if _is_one(values) else entry[lang]
    return text.format(**values)


def solver_name(name: str, lang: str = "en") -> str:
    """'highs' -> 'HiGHS (open-source MIP solver)'; several names joined by '+' are each named."""
    parts = [p.strip() for p in str(name or "").replace("+", ",").split(",") if p.strip()]
    sep = "、" if lang == "zh" else ", "
    return sep.join(SOLVER_NAMES.get(p.lower(), {}).get(lang, p) for p in parts)


def _pct(x: float, lang: str) -> str:
    v = 100 * float(x)
    if 0 < v < 0.005:  # a gap too small to print: never "at most 0.00 % from the best"
        return "<0.01%" if lang == "zh" else "< 0.01 %"
    text = f"{v:.1f}" if v >= 0.95 else f"{v:.2f}"
    return f"{text}%" if lang == "zh" else f"{text} %"


def _secs(x: float, lang: str) -> str:
    x = float(x)
    if x >= 120:
        return f"{x / 60:.0f}分钟" if lang == "zh" else f"{x / 60:.0f} min"
    return f"{x:.0f}秒" if lang == "zh" else f"{x:.0f} s"


def status_line(summary: dict, lang: str = "en") -> str:
    """How good the plan is and why the planner stopped, in a planner's words: never a limit that
    was not reached. Reads summary.json's status, gap, solve_seconds, time_limit, stopped_by."""
    status = summary.get("status")
    if status == "infeasible":
        return say("status_infeasible", lang)
    if status not in ("optimal", "feasible"):
        return say("status_error", lang)
    gap = summary.get("gap")
    by = summary.get("stopped_by")
    if by == "optimal" or (gap is not None and gap <= 1e-9):
        return say("status_optimal", lang)
    sp = "" if lang == "zh" else " "  # Chinese sentences follow each other without a space
    head = say("status_good", lang, gap=_pct(gap, lang)) if gap is not None else say("status_good_unknown", lang)
    limit = summary.get("time_limit")
    secs = summary.get("solve_seconds") or 0.0
    if by == "gap":
        return f"{head}{sp}{say('stop_gap', lang, limit=_pct(summary.get('gap_limit', gap), lang))}"
    if by == "time" and limit:
        return f"{head}{sp}{say('stop_time', lang, limit=_secs(limit, lang))}"
    if by == "steps" and limit:
        return f"{head}{sp}{say('stop_steps', lang, seconds=_secs(secs, lang), limit=_secs(limit, lang))}"
    return f"{head}{sp}{say('stop_search', lang, seconds=_secs(secs, lang))}"


def status_short(summary: dict, lang: str = "en") -> str:
    """A few words for a KPI cell: 'best possible', 'good plan, within 1.8 % of the best'."""
    status = summary.get("status")
    gap = summary.get("gap")
    if status in ("infeasible", "error"):
        return say(f"status_short_{status}", lang)
    if gap is None or gap <= 1e-9:
        return say("status_short_optimal", lang) if gap is not None else say("status_good_unknown", lang)
    return say("status_short_good", lang, gap=_pct(gap, lang))
