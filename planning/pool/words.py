"""The reserve pool's words in English and Chinese (--lang zh, or Chinese data): the reasons of
selection, review and vacancy filling, the structure quotas, the console lines of `planning assess`
and `planning pool select|review|fill`, and pool.xlsx's sheet names, headers and codes.

    w = Words("zh"); w("fill_promo", level="staff") -> "由科员及以下提拔"; say("rev_stay", "zh", composite=71.2)

Levels, fields and genders in words are the report's (planning.report.labels.CODES, one place).
Keys ``x_<column>``, ``sheet_<name>`` and ``<kind>_<code>`` exist in Chinese only: the English
workbook keeps the CSV files' column names, sheet names and codes.
"""
from __future__ import annotations

from planning.messages import Catalogue
from planning.report.labels import CODES

LEVEL_ZH = CODES["level"]["zh"]  # the report's words for levels and fields (one place)
FIELD_ZH = CODES["field"]["zh"]

EN: dict[str, str] = {
    'fill_pool': 'reserve pool member (joined {joined})',
    'fill_not_pool': 'not in the reserve pool: no pool member was eligible',
    'fill_score': 'composite {composite:.1f} ({pct:.0f}th percentile of {level})',
    'fill_field': 'field {field} matches the post',
    'fill_promo': 'promoted from {level}',
    'fill_move': 'moved at the same level ({level})',
    'fill_unit': "from the post's own unit",
    'fill_none': 'not filled: no cadre of level {level} or {below} is eligible',
    'fill_taken': 'not filled: every eligible cadre was appointed to another vacancy',
    'sel_ineligible_level': 'not eligible: division level does not enter the reserve pool',
    'sel_ineligible_age': 'not eligible: aged {age}, over pool.max_age {max_age}',
    'sel_member': 'not eligible: already in the reserve pool',
    'sel_votes': 'vote share {share:.0%} below pool.min_vote_share {min:.0%}',
    'sel_not_examined': 'not examined (no exam score)',
    'sel_exam': 'exam score {score:g} below the pass mark {mark:g}',
    'sel_inspection': 'ranked {rank} after the exam; the difference inspection takes the top {k} (at most {ratio:g} x quota {quota})',
    'sel_inspected': 'inspected; composite {composite:.1f} below the last selected ({last:.1f})',
    'sel_structure': 'inspected; composite {composite:.1f} would have been selected, but the structure quotas ({quotas}) gave the place to others',
    'sel_selected': 'selected: composite {composite:.1f}',
    'rev_low': 'composite below {low:g} for {years} assessed years running',
    'rev_bottom': 'in the bottom {share:.0%} of members by composite within level (percentile {pct:.0f})',
    'rev_stay': 'stays: composite {composite:.1f}',
    'rev_stay_unassessed': 'stays: not assessed',
    'rev_join': 'joins: {why}; composite {composite:.1f}',
    'rev_why_selection': 'passed a leadership selection but was not appointed',
    'rev_why_found': 'found outstanding in the assessment',
    'rev_why_strong': 'percentile {pct:.0f} of {level}',
    'rev_structure': 'leaves to keep the structure quotas ({quotas})',
    'rev_not_due': 'stays: no review in {year} (the pool is reviewed every {every} years; next {next})',
    'q_women': 'at least {share:.0%} women',
    'q_young': 'at least {share:.0%} aged {age} or under',
    'q_field': 'every field represented ({field})',
    'q_level': 'no level above {share:.0%} ({level})',
    'q_unit': 'no unit above {share:.0%} ({unit})',
    'q_short': '{quota}: needs {need}, the best possible choice reaches {got} (short by {short})',
    'q_over': '{quota}: at most {need}, the fewest possible is {got} (over by {short})',
    'sel_short': 'only {passed} candidates passed the vote and exam stages: {selected} selected for a quota of {quota}',
    't_assess': 'Assessed {n} cadres into {out}: {low} flagged low, {missing} with missing dimensions.',
    't_fill': '{filled} of {vacancies} vacancies filled ({pool} from the pool) into {out}.',
    't_select': 'Selected {selected} of quota {quota} from {candidates} candidates ({inspected} inspected) into {out}.',
    't_review': 'Pool review {year}: {stay} stay, {leave} leave, {join} join (size {before} -> {after}) into {out}.',
}

ZH: dict[str, str] = {
    'fill_pool': '后备干部库成员（{joined}年入库）',
    'fill_not_pool': '非后备干部：库内无符合条件人选',
    'fill_score': '综合得分{composite:.1f}（{level}中第{pct:.0f}百分位）',
    'fill_field': '专业领域（{field}）与岗位相符',
    'fill_promo': '由{level}提拔',
    'fill_move': '同级交流（{level}）',
    'fill_unit': '本单位人选',
    'fill_none': '未补充：无{level}或{below}符合条件的干部',
    'fill_taken': '未补充：符合条件的干部均已任其他职位',
    'sel_ineligible_level': '不符合条件：处级干部不入后备库',
    'sel_ineligible_age': '不符合条件：年龄{age}岁，超过{max_age}岁',
    'sel_member': '不符合条件：已在后备干部库中',
    'sel_votes': '得票率{share:.0%}低于{min:.0%}',
    'sel_not_examined': '未参加理论考试',
    'sel_exam': '考试成绩{score:g}分低于合格线{mark:g}分',
    'sel_inspection': '考试后排名第{rank}；差额考察只取前{k}名（至多名额{quota}的{ratio:g}倍）',
    'sel_inspected': '已考察；综合得分{composite:.1f}低于最后入选者（{last:.1f}）',
    'sel_structure': '已考察；综合得分{composite:.1f}本可入选，但结构比例要求（{quotas}）使名额给了他人',
    'sel_selected': '入选：综合得分{composite:.1f}',
    'rev_low': '连续{years}年综合得分低于{low:g}',
    'rev_bottom': '综合得分在本层级成员中处于末{share:.0%}（第{pct:.0f}百分位）',
    'rev_stay': '留库：综合得分{composite:.1f}',
    'rev_stay_unassessed': '留库：暂无考核',
    'rev_join': '入库：{why}；综合得分{composite:.1f}',
    'rev_why_selection': '参加领导干部选拔合格但未任用',
    'rev_why_found': '考核中发现的优秀干部',
    'rev_why_strong': '{level}中第{pct:.0f}百分位',
    'rev_structure': '为满足结构比例要求（{quotas}）调出',
    'rev_not_due': '留库：{year}年不调整（每{every}年调整一次，下次{next}年）',
    'q_women': '女性至少{share:.0%}',
    'q_young': '{age}岁及以下至少{share:.0%}',
    'q_field': '每个专业领域都有人选（{field}）',
    'q_level': '单一层级不超过{share:.0%}（{level}）',
    'q_unit': '单一单位不超过{share:.0%}（{unit}）',
    'q_short': '{quota}：需要{need}人，最多只能达到{got}人（差{short}人）',
    'q_over': '{quota}：至多{need}人，最少也有{got}人（超出{short}人）',
    'sel_short': '仅{passed}名人选通过推荐和考试环节：名额{quota}个，入选{selected}人',
    't_assess': '已计算{n}名干部的考核综合得分，写入 {out}：{low}人连续偏低，{missing}人缺少维度得分。',
    't_fill': '{vacancies}个空缺职位补充{filled}个（其中{pool}个来自后备干部库），写入 {out}。',
    't_select': '从{candidates}名人选中（考察{inspected}人）入选{selected}人（名额{quota}个），写入 {out}。',
    't_review': '{year}年后备干部库调整：留库{stay}人，出库{leave}人，入库{join}人（人数由{before}变为{after}），写入 {out}。',
    'x_cadre_id': '干部编号',
    'x_source': '来源',
    'x_vote_share': '得票率',
    'x_exam_score': '考试成绩',
    'x_assessment_score': '考核得分',
    'x_composite': '综合得分',
    'x_rank': '排名',
    'x_stage': '止步环节',
    'x_reason': '原因',
    'x_unit_id': '单位',
    'x_level': '层级',
    'x_gender': '性别',
    'x_field': '专业领域',
    'x_age': '年龄',
    'x_change': '调整',
    'x_vacancy_id': '空缺职位',
    'x_from_pool': '来自后备库',
    'x_year': '考核年度',
    'x_normalised': '层级内百分位',
    'x_z': '标准分',
    'x_trend': '年均变化',
    'x_years': '考核年数',
    'x_dimensions': '维度数',
    'x_missing': '缺少维度',
    'x_low_years': '连续偏低年数',
    'x_flag_low': '偏低标记',
    'x_flag_missing': '缺项标记',
    'x_flags': '标记',
    'x_item': '项目',
    'x_value': '数值',
    'x_quota': '结构要求',
    'x_rule': '规则',
    'x_sense': '方向',
    'x_need': '要求人数',
    'x_chosen': '实际人数',
    'sheet_summary': '概要',
    'sheet_quotas': '结构要求',
    'sheet_ranking': '排名',
    'sheet_inspection': '考察名单',
    'sheet_selected': '入选名单',
    'sheet_changes': '调整名单',
    'sheet_appointments': '任用',
    'sheet_scores': '考核得分',
    'stage_exam': '推荐/考试',
    'stage_inspection': '考察',
    'stage_selected': '入选',
    'stage_structure': '结构比例',
    'change_leave': '出库',
    'change_join': '入库',
    'change_stay': '留库',
    'source_recommendation': '民主推荐',
    'source_selection_passed': '选拔合格未任用',
    'source_assessment_found': '考核发现',
}

CODE_KINDS = ("stage", "change", "source", "flag", "item")
ZH.update({
    # assess: the flags column; the quotas' kinds; the summary sheet's items
    "flag_low": "连续偏低", "flag_missing": "缺少维度",
    "quota_women": "女性比例", "quota_young": "年轻干部比例", "quota_field": "专业领域：{v}", "quota_level": "层级：{v}",
    "quota_unit": "单位：{v}",
    "item_year": "年度", "item_cadres_assessed": "参加考核计分的干部", "item_flag_low": "连续偏低人数",
    "item_flag_missing": "缺少维度得分人数", "item_mean_composite": "平均综合得分", "item_vacancies": "空缺职位",
    "item_filled": "已补充", "item_from_pool": "其中来自后备干部库", "item_unfilled": "未补充", "item_quota": "名额",
    "item_candidates": "人选", "item_passed": "通过推荐和考试", "item_inspection_limit": "考察人数上限",
    "item_inspected": "考察人数", "item_selected": "入选人数", "item_objective": "入选者综合得分合计",
    "item_status": "求解状态", "item_short_reason": "未满额原因", "item_due": "本年度调整",
    "item_size_before": "调整前人数", "item_size_target": "目标人数", "item_size_after": "调整后人数",
    "item_stay": "留库", "item_leave": "出库", "item_join": "入库", "item_quotas_short": "未满足的结构要求",
    "value_True": "是", "value_False": "否", "value_optimal": "最优",
})


class Words(Catalogue):
    """The pool's texts in one language; level and field codes among the values are put in words."""

    EN, ZH = EN, ZH

    def __call__(self, key: str, **values) -> str:
        """The text `key`; level codes (values ``level``, ``below``) and field codes (``field``) in words,
        in English lower case inside a sentence ("promoted from deputy section")."""
        def words(k: str, v):
            if not isinstance(v, str) or k not in ("level", "below", "field"):
                return v
            text = CODES["field" if k == "field" else "level"][self.lang].get(v, v)
            return text.lower() if self.lang == "en" else text

        return super().__call__(key, **{k: words(k, v) for k, v in values.items()})

    def column(self, name: str) -> str:
        """A pool.xlsx header: the column's name in English, its Chinese header in Chinese."""
        return self._t.get(f"x_{name}", name)

    def sheet(self, name: str) -> str:
        return self._t.get(f"sheet_{name}", name)

    def code(self, kind: str, value):
        """A code of a pool table in words: stage, change, source (this catalogue), level, field,
        gender (the report's CODES); unknown codes and other values as they are."""
        if self.lang == "zh" and isinstance(value, bool):
            return self(f"value_{value}")
        if not isinstance(value, str):
            return value
        if kind == "flags":
            return "、".join(self.code("flag", v) for v in value.split(";") if v) if self.lang == "zh" else value
        if kind == "missing":
            return "、".join(self.code("dimension", v) for v in value.split(";") if v) if self.lang == "zh" else value
        if kind == "quota" and self.lang == "zh":
            head, _, v = value.partition(":")
            key = f"quota_{head}"
            if key not in self._t:
                return value
            return self(key, v=self.code(head, v) if head in ("field", "level") else v)
        if kind == "value" and self.lang == "zh":
            return self._t.get(f"value_{value}", value)
        if kind in CODE_KINDS:
            return self._t.get(f"{kind}_{value}", value)
        table = CODES.get(kind, {}).get(self.lang, {})
        return table.get(value, value) if self.lang == "zh" or kind == "gender" else value


def say(key: str, lang: str = "en", **kw) -> str:
    """One text of the pool in `lang` (``Words(lang)(key, **kw)``)."""
    return Words(lang)(key, **kw)
