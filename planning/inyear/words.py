"""Re-plan reasons (changes.csv) in Chinese, for Chinese handouts: the change notice of the report.

changes.csv says why in English (planning.inyear.replan); each phrase it writes has its Chinese
form here, found by pattern, so a reason reads the same in both languages. A phrase without a
pattern is kept as written.
"""
from __future__ import annotations

import re

_ZH = [
    (r"^class (\S+) cancelled$", r"培训班 \1 取消"),
    (r"^rotation post (\S+) cancelled$", r"挂职岗位 \1 取消"),
    (r"^new blackout (\S+) \((.*)\)$", r"新增重点工作时段 \1（\2）"),
    (r"^new blackout (\S+)$", r"新增重点工作时段 \1"),
    (r"^blackout of unit (\S+) (\S+) \((.*?)\)( \(transferred from (\S+) to (\S+)\))?$",
     lambda m: f"单位 {m[1]} 重点工作时段 {m[2]}（{m[3]}）" + (f"（由 {m[5]} 调至 {m[6]}）" if m[4] else "")),
    (r"^own busy period (\S+) \((.*)\)$", r"本人工作繁忙期 \1（\2）"),
    (r"^(\S+) is not open to their level \((.*)\)$", r"\1 不面向其职级（\2）"),
    (r"^rotation (\S+) is in the other direction than their grassroots experience allows$",
     r"挂职岗位 \1 与其基层工作经历要求的挂职方向不符"),
    (r"^the topic of (\S+) is already in their history$", r"\1 的专题已参加过"),
    (r"^pinned must_not (\S+)$", r"已指定不参加 \1"),
    (r"^class (\S+) has no feasible dates in its window$", r"培训班 \1 在可选时段内无可行日期"),
    (r"^(\S+) is no longer in the roster$", r"\1 已不在干部名册中"),
    (r"^transferred from (\S+) to (\S+)$", r"由 \1 调至 \2"),
    (r"^(\S+) cut to (\d+) places$", r"\1 名额减至 \2 人"),
    (r"^class (\S+) no longer reaches its minimum size \((\d+)\)$", r"培训班 \1 人数不足最低开班人数（\2）"),
    (r"^unit (\S+) may have at most (\d+) away on (\S+)( \((.*) transferred in\))?$",
     lambda m: f"单位 {m[1]} 在 {m[3]} 最多可有 {m[2]} 人离岗" + (f"（{m[5]} 调入）" if m[4] else "")),
    (r"^re-planned: the requirement is better met this way$", "统筹调整：更好地完成培训要求"),
    (r"^moved to take the seat of (\S+) in (\S+)$", r"调入 \2，使用 \1 让出的名额"),
    (r"^place in (\S+) given to (\S+)$", r"\1 的名额让给 \2"),
    (r"^added: a place that helps meet the requirement$", "新增安排：有助于完成培训要求"),
    (r"^no longer allowed by the data$", "按新数据不再符合条件"),
    (r"^class (\S+) moved to other dates(: (.*))?$",
     lambda m: f"培训班 {m[1]} 调整日期" + (f"：{reason_zh(m[3])}" if m[2] else "")),
]
_PATTERNS = [(re.compile(p), r) for p, r in _ZH]


def _phrase_zh(phrase: str) -> str:
    for pat, repl in _PATTERNS:
        m = pat.match(phrase)
        if m:
            return repl(m) if callable(repl) else m.expand(repl)
    return phrase


def reason_zh(reason: str) -> str:
    """A changes.csv reason ("; "-separated phrases) in Chinese."""
    return "；".join(_phrase_zh(p.strip()) for p in str(reason).split("; ") if p.strip())
