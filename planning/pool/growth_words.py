"""The growth file's words in English and Chinese (planning growth --lang zh, or Chinese data).

Levels, fields, genders, groups and assessment dimensions in words are the report's
(planning.report.labels.CODES, one place).
"""
from __future__ import annotations

from planning.messages import Catalogue
from planning.report.labels import Labels

EN: dict[str, str] = {
    'title': 'Growth files {year}',
    'lead': "Data: {data}. One page per cadre: training and rotations by year (history, and the plan of {year} when given), topics covered, the seven-dimension assessment against the level's mean, the pool status, online hours against the target and what is still required.",
    'page_title': 'Growth file: {name} ({cadre})',
    'f_unit': 'Unit',
    'f_level': 'Level',
    'f_age': 'Age in {year}',
    'f_gender': 'Gender',
    'f_field': 'Field',
    'f_pool': 'Reserve pool',
    'f_groups': 'Priority groups',
    'f_assessment': 'Assessment',
    'f_trainee': 'Rated by classes',
    'trainee_line': '{n} rating(s), mean {mean:.1f} of 100 (lowest {low:g}, highest {high:g}){latest}',
    'trainee_latest': '; {year}: {score:.1f}',
    'trainee_none': 'no rating',
    'pool_member': 'member since {joined}',
    'pool_member_unknown': 'member',
    'pool_not': 'not a member',
    'groups_none': 'none',
    'assess_line': 'composite {composite:.1f} in {year} ({pct:.0f}th percentile of the level), trend {trend:+.1f} points a year over {years} years',
    'assess_none': 'not assessed',
    'flag_low': 'below {low:g} for {n} assessed years running',
    'flag_missing': 'dimensions without a score: {dims}',
    'sec_years': 'Training and rotations by year',
    'c_year': 'Year',
    'c_classes': 'Classes',
    'c_days': 'Class days',
    'c_hours': 'Class hours',
    'c_rotations': 'Rotations',
    'c_online': 'Online hours',
    'c_source': 'Source',
    'src_history': 'history',
    'src_plan': 'plan',
    'src_both': 'history + plan',
    'no_years': 'No training or rotation on record.',
    'sec_topics': 'Topics covered',
    'no_topics': 'none yet',
    'sec_assessment': 'Assessment: seven dimensions ({year}) and the composite by year',
    'legend_cadre': 'this cadre',
    'legend_level': 'mean of the level',
    'axis_composite': 'composite',
    'sec_online': 'Online learning (target {target:g} hours a year)',
    'online_line': '{year}: {hours:g} of {target:g} hours ({share:.0%}){met}',
    'online_met': ' — met',
    'online_short': ' — {short:g} hours short',
    'sec_required': 'Still required',
    'req_year_days': '{year}: at least {days:g} class days or {hours:g} class hours; planned {pdays:g} days / {phours:g} hours — {verdict}',
    'req_year_hours': '{year}: {hours:g} class hours still needed for the five-year {total:g}; planned {phours:g} — {verdict}',
    'req_year_none': '{year}: nothing required (the five-year hours are already held)',
    'verdict_met': 'met',
    'verdict_short': 'still {short} short',
    'verdict_no_plan': 'no plan given',
    'five_hours': '{first}–{year}: {got:g} of {total:g} class hours ({share:.0%})',
    'five_days': '{first}–{year}: the annual requirement met in {met} of {n} years',
    'cycle_ok': 'last class in {last}; the five-year cycle needs the next by {due}',
    'cycle_due': 'last class in {last}: overdue on the five-year cycle, a class is needed in {year}',
    'cycle_never': 'no class on record: a class is needed in {year}',
    'cycle_planned': 'a class is planned in {year}',
    'days_unit': '{v:g} days',
    'hours_unit': '{v:g} hours',
    'none_selected': 'No cadre selected (the pool is empty and no --cadre was given).',
    't_written': 'Growth files of {n} cadre(s) into {out} (growth.pdf, growth.csv).',
}

ZH: dict[str, str] = {
    'title': '{year}年干部成长档案',
    'lead': '数据：{data}。每名干部一页：逐年培训与挂职（历史记录及{year}年计划）、已学专题、七个维度考核与同层级平均的对比、后备库状态、网络学习学时与目标、尚需完成的要求。',
    'page_title': '干部成长档案：{name}（{cadre}）',
    'f_unit': '单位',
    'f_level': '职级',
    'f_age': '{year}年年龄',
    'f_gender': '性别',
    'f_field': '专业领域',
    'f_pool': '后备干部库',
    'f_groups': '重点对象',
    'f_assessment': '考核',
    'f_trainee': '培训班对学员的评价',
    'trainee_line': '共{n}次评价，平均{mean:.1f}分（满分100；最低{low:g}，最高{high:g}）{latest}',
    'trainee_latest': '；{year}年：{score:.1f}分',
    'trainee_none': '暂无评价',
    'pool_member': '{joined}年入库',
    'pool_member_unknown': '库内成员',
    'pool_not': '非库内成员',
    'groups_none': '无',
    'assess_line': '{year}年综合得分{composite:.1f}（本层级第{pct:.0f}百分位），近{years}年趋势每年{trend:+.1f}分',
    'assess_none': '暂无考核',
    'flag_low': '连续{n}年综合得分低于{low:g}',
    'flag_missing': '缺少维度得分：{dims}',
    'sec_years': '逐年培训与挂职',
    'c_year': '年度',
    'c_classes': '培训班',
    'c_days': '培训天数',
    'c_hours': '培训学时',
    'c_rotations': '挂职',
    'c_online': '网络学习学时',
    'c_source': '来源',
    'src_history': '历史记录',
    'src_plan': '年度计划',
    'src_both': '历史记录＋计划',
    'no_years': '暂无培训或挂职记录。',
    'sec_topics': '已学专题',
    'no_topics': '暂无',
    'sec_assessment': '考核：七个维度（{year}年）及逐年综合得分',
    'legend_cadre': '本人',
    'legend_level': '本层级平均',
    'axis_composite': '综合得分',
    'sec_online': '网络学习（目标每年{target:g}学时）',
    'online_line': '{year}年：{hours:g}/{target:g}学时（{share:.0%}）{met}',
    'online_met': '，已达标',
    'online_short': '，差{short:g}学时',
    'sec_required': '尚需完成',
    'req_year_days': '{year}年：至少{days:g}天或{hours:g}学时；已计划{pdays:g}天/{phours:g}学时——{verdict}',
    'req_year_hours': '{year}年：五年{total:g}学时尚需{hours:g}学时；已计划{phours:g}学时——{verdict}',
    'req_year_none': '{year}年：无要求（五年学时已满）',
    'verdict_met': '已满足',
    'verdict_short': '尚差{short}',
    'verdict_no_plan': '未提供计划',
    'five_hours': '{first}–{year}年：{got:g}/{total:g}学时（{share:.0%}）',
    'five_days': '{first}–{year}年：{n}年中{met}年达到年度要求',
    'cycle_ok': '最近一次培训在{last}年；五年周期内须在{due}年前再次参训',
    'cycle_due': '最近一次培训在{last}年：五年周期已到期，须在{year}年参训',
    'cycle_never': '无培训记录：须在{year}年参训',
    'cycle_planned': '{year}年已安排培训',
    'days_unit': '{v:g}天',
    'hours_unit': '{v:g}学时',
    'none_selected': '未选择干部（后备库为空，且未指定--cadre）。',
    't_written': '{n}名干部的成长档案已写入 {out}（growth.pdf、growth.csv）。',
}


class Words(Catalogue):
    """The growth files' texts in one language: ``w("title", year=2027)``, ``w.dim(d)``, ``w.code(kind, v)``."""

    EN, ZH = EN, ZH

    def __init__(self, lang: str = "en"):
        super().__init__("zh" if lang == "zh" else "en")
        self.labels = Labels(self.lang)

    def dim(self, d: str) -> str:
        return self.labels.code("dimension", d)

    def field(self, f: str) -> str:
        return self.labels.code("field", f)

    def code(self, kind: str, value) -> str:
        return self.labels.code(kind, value)
