"""The pool's reasons and labels in English and Chinese (--lang zh)."""
from __future__ import annotations

from planning.report.labels import CODES

LEVEL_ZH = CODES["level"]["zh"]  # the report's words for levels and fields (one place)
GENDER_ZH = {"F": "女性", "M": "男性"}
FIELD_ZH = CODES["field"]["zh"]

WORDS: dict[str, tuple[str, str]] = {
    "fill_pool": ("reserve pool member (joined {joined})", "后备干部库成员（{joined}年入库）"),
    "fill_not_pool": ("not in the reserve pool: no pool member was eligible", "非后备干部：库内无符合条件人选"),
    "fill_score": ("composite {composite:.1f} ({pct:.0f}th percentile of {level})",
                   "综合得分{composite:.1f}（{level}中第{pct:.0f}百分位）"),
    "fill_field": ("field {field} matches the post", "专业领域（{field}）与岗位相符"),
    "fill_promo": ("promoted from {level}", "由{level}提拔"),
    "fill_move": ("moved at the same level ({level})", "同级交流（{level}）"),
    "fill_unit": ("from the post's own unit", "本单位人选"),
    "fill_none": ("not filled: no cadre of level {level} or {below} is eligible",
                  "未补充：无{level}或{below}符合条件的干部"),
    "fill_taken": ("not filled: every eligible cadre was appointed to another vacancy",
                   "未补充：符合条件的干部均已任其他职位"),
    # selection
    "sel_ineligible_level": ("not eligible: division level does not enter the reserve pool", "不符合条件：处级干部不入后备库"),
    "sel_ineligible_age": ("not eligible: aged {age}, over pool.max_age {max_age}",
                           "不符合条件：年龄{age}岁，超过{max_age}岁"),
    "sel_member": ("not eligible: already in the reserve pool", "不符合条件：已在后备干部库中"),
    "sel_votes": ("vote share {share:.0%} below pool.min_vote_share {min:.0%}",
                  "得票率{share:.0%}低于{min:.0%}"),
    "sel_not_examined": ("not examined (no exam score)", "未参加理论考试"),
    "sel_exam": ("exam score {score:g} below the pass mark {mark:g}", "考试成绩{score:g}分低于合格线{mark:g}分"),
    "sel_inspection": ("ranked {rank} after the exam; the difference inspection takes the top {k} "
                       "(at most {ratio:g} x quota {quota})",
                       "考试后排名第{rank}；差额考察只取前{k}名（至多名额{quota}的{ratio:g}倍）"),
    "sel_inspected": ("inspected; composite {composite:.1f} below the last selected ({last:.1f})",
                      "已考察；综合得分{composite:.1f}低于最后入选者（{last:.1f}）"),
    "sel_structure": ("inspected; composite {composite:.1f} would have been selected, but the structure quotas "
                      "({quotas}) gave the place to others",
                      "已考察；综合得分{composite:.1f}本可入选，但结构比例要求（{quotas}）使名额给了他人"),
    "sel_selected": ("selected: composite {composite:.1f}", "入选：综合得分{composite:.1f}"),
    # review
    "rev_low": ("composite below {low:g} for {years} assessed years running", "连续{years}年综合得分低于{low:g}"),
    "rev_bottom": ("in the bottom {share:.0%} of members by composite within level (percentile {pct:.0f})",
                   "综合得分在本层级成员中处于末{share:.0%}（第{pct:.0f}百分位）"),
    "rev_stay": ("stays: composite {composite:.1f}", "留库：综合得分{composite:.1f}"),
    "rev_stay_unassessed": ("stays: not assessed", "留库：暂无考核"),
    "rev_join": ("joins: {why}; composite {composite:.1f}", "入库：{why}；综合得分{composite:.1f}"),
    "rev_why_selection": ("passed a leadership selection but was not appointed", "参加领导干部选拔合格但未任用"),
    "rev_why_found": ("found outstanding in the assessment", "考核中发现的优秀干部"),
    "rev_why_strong": ("percentile {pct:.0f} of {level}", "{level}中第{pct:.0f}百分位"),
    "rev_structure": ("leaves to keep the structure quotas ({quotas})", "为满足结构比例要求（{quotas}）调出"),
    "rev_not_due": ("stays: no review in {year} (the pool is reviewed every {every} years; next {next})",
                    "留库：{year}年不调整（每{every}年调整一次，下次{next}年）"),
    # quotas
    "q_women": ("at least {share:.0%} women", "女性至少{share:.0%}"),
    "q_young": ("at least {share:.0%} aged {age} or under", "{age}岁及以下至少{share:.0%}"),
    "q_field": ("every field represented ({field})", "每个专业领域都有人选（{field}）"),
    "q_level": ("no level above {share:.0%} ({level})", "单一层级不超过{share:.0%}（{level}）"),
    "q_unit": ("no unit above {share:.0%} ({unit})", "单一单位不超过{share:.0%}（{unit}）"),
    "q_short": ("{quota}: needs {need}, the best possible choice reaches {got} (short by {short})",
                "{quota}：需要{need}人，最多只能达到{got}人（差{short}人）"),
    "q_over": ("{quota}: at most {need}, the fewest possible is {got} (over by {short})",
               "{quota}：至多{need}人，最少也有{got}人（超出{short}人）"),
}


def say(key: str, lang: str = "en", **kw) -> str:
    en, zh = WORDS[key]
    if lang == "zh":
        kw = {k: (FIELD_ZH.get(v, v) if k == "field" else LEVEL_ZH.get(v, v)) if isinstance(v, str) else v
              for k, v in kw.items()}
    return (zh if lang == "zh" else en).format(**kw)
