"""The activities' words in English and Chinese: event titles, calendar texts, reasons, report labels.

    w = Words("zh"); w("talk_title") → "谈心谈话"; w("seminar_title", q=2) → "集体学习研讨（第2季度）"
"""
from __future__ import annotations

from planning.messages import Catalogue

import calendar as pycal

LANGS = ("en", "zh")

EN: dict[str, str] = {
    # events
    "talk_title": "Heart-to-heart talk",
    "seminar_title": "Collective learning seminar (Q{q})",
    "exchange_title": "End-of-month learning exchange ({month})",
    # calendars
    "cal_name": "{name}: activities {year}",
    "unit_talk": "Heart-to-heart talk: {mentee} with {mentor}",
    "cadre_talk": "Heart-to-heart talk with {other} ({role})",
    "mentee": "mentee",
    "mentor": "mentor",
    "mentee_line": "Mentee: {who}",
    "mentor_line": "Mentor: {who}",
    "attending": "Attending ({n}): {who}",
    "excused": "Excused: {who}",
    # reasons
    "in_plan": "in {act} of the annual plan",
    "busy": "own work peak ({why})",
    "unit_blackout": "unit blackout ({why})",
    "region_blackout": "region blackout ({why})",
    "no_day_both": "no working day of the month on which both are free ({parts})",
    "no_day_taken": "every day both are free is taken by other talks, seminars or exchanges",
    "no_working_day": "the month has no working day",
    "seminar_closed": "every working day of the quarter is a holiday or in a blackout",
    "seminar_cap": "on every free day of the quarter more than the unit cap ({cap}) of its cadres are blocked",
    "exchange_closed": "every working day of the month is a holiday, in a blackout or taken by a seminar",
    "exchange_nobody": "on every free working day of the month all the unit's young and reserve cadres are blocked",
    "no_leader": "no leader of a higher level in the mentee's {scope}",
    "leaders_full": "all {n} leader(s) of a higher level in the mentee's {scope} already mentor {cap} "
                    "(activities.max_mentees)",
    "scope_unit": "unit",
    "scope_district": "district",
    # report
    "report_title": "Activities and training evaluation {year}",
    "report_lead": "Data set {data}, plan year {year}. Talks, seminars and exchanges never fall on a day a person is "
                   "blocked (blackouts, own work peaks, classes and rotations of the annual plan); the independent "
                   "check has verified this calendar.",
    "h_paired": "young and reserve cadres paired with a leader",
    "h_mentors": "leaders mentoring",
    "h_talks": "heart-to-heart talks scheduled",
    "h_seminars": "collective learning seminars",
    "h_exchanges": "end-of-month learning exchanges",
    "h_excused": "people excused from a collective activity (blocked that day)",
    "h_online": "cadres at the {target}-hour online target",
    "h_low": "institutions rated / low-rated",
    "of": "{a} of {b}",
    "none": "none",
    "sec_pairing": "Pairing and talks by unit",
    "sec_unpaired": "Not paired",
    "sec_months": "Activities by month",
    "sec_unscheduled": "What could not be placed, and why",
    "all_placed": "Everything was placed.",
    "sec_online": "Online learning hours ({target} hours a year)",
    "sec_cards": "Institution scorecards (trainees rate courses, 1–5)",
    "cards_note": "Low-rated: mean below {low} with at least {n} ratings (activities.low_rating, "
                  "activities.min_ratings). A scenario's drop_low_rated / shrink_low_rated edits act on these "
                  "institutions when next year's offer is compared.",
    "no_ratings": "No course ratings in the data set.",
    "sec_trainees": "Classes rate their trainees (0–100)",
    "no_trainee_ratings": "No trainee ratings in the data set.",
    "c_unit": "unit", "c_mentees": "mentees", "c_paired": "paired", "c_talks": "talks", "c_seminars": "seminars",
    "c_exchanges": "exchanges", "c_unscheduled": "unscheduled", "c_cadre": "cadre", "c_level": "level",
    "c_reason": "reason", "c_kind": "kind", "c_period": "period", "c_count": "count", "c_example": "example reason",
    "c_band": "share of the target done", "c_cadres": "cadres", "c_mean_hours": "mean hours",
    "c_institution": "institution", "c_classes": "classes", "c_ratings": "ratings", "c_response": "response",
    "c_mean": "mean", "c_spread": "spread", "c_trend": "trend", "c_low": "low-rated", "c_rated": "cadres rated",
    "c_lowest": "lowest", "c_highest": "highest", "yes": "yes",
    "k_talk": "talk", "k_seminar": "seminar", "k_exchange": "exchange",
    "band_0": "under 25 %", "band_1": "25–50 %", "band_2": "50–75 %", "band_3": "75–100 %", "band_4": "target met",
    "cjk_missing": "No Chinese font is installed, so this report is in English (apt-get install fonts-noto-cjk).",
    # workbook sheets and column headers (activities.xlsx); a column without an entry keeps its name
    "sheet_pairs": "pairs", "sheet_unscheduled": "unscheduled", "sheet_online": "online hours",
    "sheet_scorecards": "scorecards", "sheet_courses": "course scores",
    # the terminal summary of `planning activities`
    "t_written": "Activity calendar written to {out}:",
    "t_pairs": "  pairs: {paired} of {mentees} young/reserve cadres paired with {mentors} leaders ({scope} scope)",
    "t_events": "  talks {talks} of {talks_wanted}, seminars {seminars} of {seminars_wanted}, exchanges {exchanges}; "
               "{excused} excused; unscheduled {unscheduled} (unscheduled.csv says why)",
    "t_online": "  online hours: {met} of {cadres} cadres at the {target}-hour target",
    "t_rated": "  institutions rated: {rated}; low-rated: {low}",
    "t_calendars": "  calendars: {units} unit and {cadres} cadre .ics files",
    "t_sep": ", ",
}

ZH: dict[str, str] = {
    "talk_title": "谈心谈话",
    "seminar_title": "集体学习研讨（第{q}季度）",
    "exchange_title": "月末学习交流（{month}）",
    "cal_name": "{name}：{year}年学习活动",
    "unit_talk": "谈心谈话：{mentor} 与 {mentee}",
    "cadre_talk": "与{other}谈心谈话（{role}）",
    "mentee": "被帮带干部",
    "mentor": "帮带领导",
    "mentee_line": "被帮带干部：{who}",
    "mentor_line": "帮带领导：{who}",
    "attending": "参加（{n}人）：{who}",
    "excused": "缺席：{who}",
    "in_plan": "参加年度计划中的 {act}",
    "busy": "本人工作高峰（{why}）",
    "unit_blackout": "单位重点工作期（{why}）",
    "region_blackout": "全区重点工作期（{why}）",
    "no_day_both": "本月没有双方都空闲的工作日（{parts}）",
    "no_day_taken": "双方都空闲的日子已安排其他谈话、研讨或交流",
    "no_working_day": "本月没有工作日",
    "seminar_closed": "本季度所有工作日均为节假日或重点工作期",
    "seminar_cap": "本季度每个可用日期缺席人数都超过单位离岗上限（{cap}人）",
    "exchange_closed": "本月所有工作日均为节假日、重点工作期或已安排集体学习研讨",
    "exchange_nobody": "本月每个可用工作日本单位年轻干部、后备干部均不能参加",
    "no_leader": "本{scope}没有更高层级的领导干部",
    "leaders_full": "本{scope}更高层级的{n}名领导干部均已帮带{cap}人（activities.max_mentees）",
    "scope_unit": "单位",
    "scope_district": "区县",
    "report_title": "{year}年学习活动与培训评估",
    "report_lead": "数据：{data}，计划年度：{year}。谈心谈话、集体学习研讨和学习交流均不安排在本人不可参加的日子"
                   "（重点工作期、本人工作高峰、年度计划中的培训班和挂职）；本日程已通过独立校验。",
    "h_paired": "结对帮带的年轻干部、后备干部",
    "h_mentors": "帮带领导人数",
    "h_talks": "已安排的谈心谈话",
    "h_seminars": "集体学习研讨",
    "h_exchanges": "月末学习交流",
    "h_excused": "因当天不可参加而缺席集体活动的人次",
    "h_online": "网络学习达到{target}学时的干部",
    "h_low": "参评机构 / 低评分机构",
    "of": "{a} / {b}",
    "none": "无",
    "sec_pairing": "各单位结对与谈话",
    "sec_unpaired": "未能结对",
    "sec_months": "各月活动",
    "sec_unscheduled": "未能安排的活动及原因",
    "all_placed": "全部活动均已安排。",
    "sec_online": "网络学习学时（每年{target}学时）",
    "sec_cards": "培训机构评价（学员评课，1–5分）",
    "cards_note": "低评分机构：平均分低于{low}且评分不少于{n}条（activities.low_rating、activities.min_ratings）。"
                  "比较下一年度培训方案时，情景编辑 drop_low_rated / shrink_low_rated 作用于这些机构。",
    "no_ratings": "数据中没有学员评课记录。",
    "sec_trainees": "班级评价学员（0–100分）",
    "no_trainee_ratings": "数据中没有学员评价记录。",
    "c_unit": "单位", "c_mentees": "应结对", "c_paired": "已结对", "c_talks": "谈话", "c_seminars": "研讨",
    "c_exchanges": "交流", "c_unscheduled": "未安排", "c_cadre": "干部", "c_level": "职级", "c_reason": "原因",
    "c_kind": "类别", "c_period": "时间", "c_count": "次数", "c_example": "原因示例", "c_band": "完成目标的比例",
    "c_cadres": "人数", "c_mean_hours": "人均学时", "c_institution": "培训机构", "c_classes": "班次",
    "c_ratings": "评分条数", "c_response": "回收率", "c_mean": "平均分", "c_spread": "标准差", "c_trend": "趋势",
    "c_low": "低评分", "c_rated": "被评价人数", "c_lowest": "最低", "c_highest": "最高", "yes": "是",
    "k_talk": "谈心谈话", "k_seminar": "集体学习研讨", "k_exchange": "月末学习交流",
    "band_0": "不足25%", "band_1": "25%–50%", "band_2": "50%–75%", "band_3": "75%–100%", "band_4": "已达标",
    "cjk_missing": "未安装中文字体，本报告以英文输出（apt-get install fonts-noto-cjk）。",
    "sheet_pairs": "结对", "sheet_unscheduled": "未安排", "sheet_online": "网络学习学时",
    "sheet_scorecards": "机构评价", "sheet_courses": "课程评分",
    "t_written": "学习活动日程已写入 {out}：",
    "t_pairs": "  结对：{mentees}名年轻干部、后备干部中{paired}人与{mentors}名领导干部结对（范围：{scope}）",
    "t_events": "  谈心谈话 {talks}/{talks_wanted}，集体学习研讨 {seminars}/{seminars_wanted}，月末学习交流 {exchanges}；"
               "缺席 {excused} 人次；未安排：{unscheduled}（原因见 unscheduled.csv）",
    "t_online": "  网络学习：{cadres}名干部中{met}人达到{target}学时",
    "t_rated": "  参评培训机构 {rated} 个；低评分：{low}",
    "t_calendars": "  日历：单位 {units} 个、干部 {cadres} 个 .ics 文件",
    "t_sep": "，",
    # column headers of activities.xlsx
    "x_date": "日期",
    "x_start": "开始",
    "x_end": "结束",
    "x_kind": "类别",
    "x_title": "活动",
    "x_event_id": "活动编号",
    "x_people": "参加人员",
    "x_excused": "缺席人员",
    "x_mentee_id": "被帮带干部编号",
    "x_mentee_unit": "被帮带干部单位",
    "x_mentee_level": "被帮带干部职级",
    "x_mentor_id": "帮带领导编号",
    "x_mentor_unit": "帮带领导单位",
    "x_mentor_level": "帮带领导职级",
    "x_level_gap": "职级差",
    "x_same_field": "同一领域",
    "x_fit": "匹配分",
    "x_reason": "原因",
    "x_unit_id": "单位编号",
    "x_period": "时间",
    "x_cadre_id": "干部编号",
    "x_with_id": "对方编号",
    "x_level": "职级",
    "x_year": "年度",
    "x_hours": "学时",
    "x_target": "目标学时",
    "x_share": "完成比例",
    "x_met": "达标",
    "x_source": "来源",
    "x_institution": "培训机构",
    "x_classes": "班次",
    "x_ratings": "评分条数",
    "x_trainees": "学员人数",
    "x_response_rate": "回收率",
    "x_mean": "平均分",
    "x_spread": "标准差",
    "x_trend": "趋势",
    "x_latest_year": "最近年度",
    "x_latest_mean": "最近年度平均分",
    "x_comments": "评语条数",
    "x_low_rated": "低评分",
    "x_sample_comments": "评语示例",
    "x_class_id": "班次编号",
}


class Words(Catalogue):
    """The texts of one language: ``w("talk_title")``, ``w("seminar_title", q=1)``, ``w.month(3)``."""

    EN, ZH = EN, ZH

    def column(self, name: str) -> str:
        """A workbook column header: the column's name in English, its Chinese header in Chinese."""
        return self._t.get(f"x_{name}", name)

    def month(self, m: int) -> str:
        return f"{m}月" if self.lang == "zh" else pycal.month_name[m]

    def month_abbr(self, m: int) -> str:
        return f"{m}月" if self.lang == "zh" else pycal.month_abbr[m]

    def __contains__(self, key: str) -> bool:
        return key in self._t


def summary_lines(s: dict, out_dir, lang: str = "en") -> list[str]:
    """The terminal summary of `planning activities`, in English or Chinese."""
    w = Words(lang)
    sep = w("t_sep")
    scope = w(f"scope_{s['pairing_scope']}") if f"scope_{s['pairing_scope']}" in w else s["pairing_scope"]
    unscheduled = sep.join(f"{w('k_' + k) if lang == 'zh' and 'k_' + k in w else k} {v}"
                           for k, v in s["unscheduled"].items()) or w("none")
    lines = [w("t_written", out=out_dir),
             w("t_pairs", paired=s["paired"], mentees=s["mentees"], mentors=s["mentors"], scope=scope),
             w("t_events", talks=s["talks"], talks_wanted=s["talks_wanted"], seminars=s["seminars"],
               seminars_wanted=s["seminars_wanted"], exchanges=s["exchanges"], excused=s["excused"],
               unscheduled=unscheduled),
             w("t_online", met=s["online_met"], cadres=s["online_cadres"], target=s["online_target"])]
    if s["institutions_rated"]:
        lines.append(w("t_rated", rated=s["institutions_rated"], low=sep.join(s["low_rated_institutions"]) or w("none")))
    lines.append(w("t_calendars", units=s["unit_calendars"], cadres=s["cadre_calendars"]))
    return lines
