"""The growth file's words in English and Chinese (planning growth --lang zh)."""
from __future__ import annotations

from planning.report.labels import Labels

WORDS: dict[str, tuple[str, str]] = {
    "title": ("Growth files {year}", "{year}年干部成长档案"),
    "lead": ("Data: {data}. One page per cadre: training and rotations by year (history, and the plan of {year} "
             "when given), topics covered, the seven-dimension assessment against the level's mean, the pool "
             "status, online hours against the target and what is still required.",
             "数据：{data}。每名干部一页：逐年培训与挂职（历史记录及{year}年计划）、已学专题、七个维度考核与同层级"
             "平均的对比、后备库状态、网络学习学时与目标、尚需完成的要求。"),
    "page_title": ("Growth file: {name} ({cadre})", "干部成长档案：{name}（{cadre}）"),
    "f_unit": ("Unit", "单位"), "f_level": ("Level", "职级"), "f_age": ("Age in {year}", "{year}年年龄"),
    "f_gender": ("Gender", "性别"), "f_field": ("Field", "专业领域"), "f_pool": ("Reserve pool", "后备干部库"),
    "f_groups": ("Priority groups", "重点对象"), "f_assessment": ("Assessment", "考核"),
    "f_trainee": ("Rated by classes", "培训班对学员的评价"),
    "trainee_line": ("{n} rating(s), mean {mean:.1f} of 100 (lowest {low:g}, highest {high:g}){latest}",
                     "共{n}次评价，平均{mean:.1f}分（满分100；最低{low:g}，最高{high:g}）{latest}"),
    "trainee_latest": ("; {year}: {score:.1f}", "；{year}年：{score:.1f}分"),
    "trainee_none": ("no rating", "暂无评价"),
    "pool_member": ("member since {joined}", "{joined}年入库"),
    "pool_member_unknown": ("member", "库内成员"),
    "pool_not": ("not a member", "非库内成员"),
    "groups_none": ("none", "无"),
    "assess_line": ("composite {composite:.1f} in {year} ({pct:.0f}th percentile of the level), trend {trend:+.1f} "
                    "points a year over {years} years",
                    "{year}年综合得分{composite:.1f}（本层级第{pct:.0f}百分位），近{years}年趋势每年{trend:+.1f}分"),
    "assess_none": ("not assessed", "暂无考核"),
    "flag_low": ("below {low:g} for {n} assessed years running", "连续{n}年综合得分低于{low:g}"),
    "flag_missing": ("dimensions without a score: {dims}", "缺少维度得分：{dims}"),
    "sec_years": ("Training and rotations by year", "逐年培训与挂职"),
    "c_year": ("Year", "年度"), "c_classes": ("Classes", "培训班"), "c_days": ("Class days", "培训天数"),
    "c_hours": ("Class hours", "培训学时"), "c_rotations": ("Rotations", "挂职"),
    "c_online": ("Online hours", "网络学习学时"), "c_source": ("Source", "来源"),
    "src_history": ("history", "历史记录"), "src_plan": ("plan", "年度计划"), "src_both": ("history + plan", "历史记录＋计划"),
    "no_years": ("No training or rotation on record.", "暂无培训或挂职记录。"),
    "sec_topics": ("Topics covered", "已学专题"),
    "no_topics": ("none yet", "暂无"),
    "sec_assessment": ("Assessment: seven dimensions ({year}) and the composite by year",
                       "考核：七个维度（{year}年）及逐年综合得分"),
    "legend_cadre": ("this cadre", "本人"), "legend_level": ("mean of the level", "本层级平均"),
    "axis_composite": ("composite", "综合得分"),
    "sec_online": ("Online learning (target {target:g} hours a year)", "网络学习（目标每年{target:g}学时）"),
    "online_line": ("{year}: {hours:g} of {target:g} hours ({share:.0%}){met}", "{year}年：{hours:g}/{target:g}学时（{share:.0%}）{met}"),
    "online_met": (" — met", "，已达标"), "online_short": (" — {short:g} hours short", "，差{short:g}学时"),
    "sec_required": ("Still required", "尚需完成"),
    "req_year_days": ("{year}: at least {days:g} class days or {hours:g} class hours; planned {pdays:g} days / "
                      "{phours:g} hours — {verdict}",
                      "{year}年：至少{days:g}天或{hours:g}学时；已计划{pdays:g}天/{phours:g}学时——{verdict}"),
    "req_year_hours": ("{year}: {hours:g} class hours still needed for the five-year {total:g}; planned {phours:g} — "
                       "{verdict}",
                       "{year}年：五年{total:g}学时尚需{hours:g}学时；已计划{phours:g}学时——{verdict}"),
    "req_year_none": ("{year}: nothing required (the five-year hours are already held)", "{year}年：无要求（五年学时已满）"),
    "verdict_met": ("met", "已满足"), "verdict_short": ("still {short} short", "尚差{short}"),
    "verdict_no_plan": ("no plan given", "未提供计划"),
    "five_hours": ("{first}–{year}: {got:g} of {total:g} class hours ({share:.0%})",
                   "{first}–{year}年：{got:g}/{total:g}学时（{share:.0%}）"),
    "five_days": ("{first}–{year}: the annual requirement met in {met} of {n} years", "{first}–{year}年：{n}年中{met}年达到年度要求"),
    "cycle_ok": ("last class in {last}; the five-year cycle needs the next by {due}", "最近一次培训在{last}年；五年周期内须在{due}年前再次参训"),
    "cycle_due": ("last class in {last}: overdue on the five-year cycle, a class is needed in {year}",
                  "最近一次培训在{last}年：五年周期已到期，须在{year}年参训"),
    "cycle_never": ("no class on record: a class is needed in {year}", "无培训记录：须在{year}年参训"),
    "cycle_planned": ("a class is planned in {year}", "{year}年已安排培训"),
    "days_unit": ("{v:g} days", "{v:g}天"), "hours_unit": ("{v:g} hours", "{v:g}学时"),
    "gender_F": ("female", "女"), "gender_M": ("male", "男"),
    "none_selected": ("No cadre selected (the pool is empty and no --cadre was given).", "未选择干部（后备库为空，且未指定--cadre）。"),
}

DIMENSION_WORDS: dict[str, tuple[str, str]] = {
    "task_objectives": ("task objectives", "任务目标完成"), "daily_performance": ("daily performance", "日常工作表现"),
    "collective_activities": ("collective activities", "集体活动参与"), "learning_ability": ("learning ability", "学习能力提升"),
    "urgent_tasks": ("urgent tasks", "急难险重任务"), "democratic_appraisal": ("democratic appraisal", "民主测评"),
    "others_comments": ("others' comments", "他人评价"),
}



class Words:
    def __init__(self, lang: str = "en"):
        self.lang = "zh" if lang == "zh" else "en"
        self.labels = Labels(self.lang)

    def __call__(self, key: str, **kw) -> str:
        en, zh = WORDS[key]
        return (zh if self.lang == "zh" else en).format(**kw)

    def dim(self, d: str) -> str:
        en, zh = DIMENSION_WORDS.get(d, (d, d))
        return zh if self.lang == "zh" else en

    def field(self, f: str) -> str:
        return self.labels.code("field", f)

    def code(self, kind: str, value) -> str:
        return self.labels.code(kind, value)
