"""Why a re-plan changed an assignment, by code, in English and Chinese.

planning.inyear.replan gives each change one or more ``Why(code, values)`` (codes ``rp_*`` of
planning.messages.REPLAN_MESSAGES); the words are made here from the catalogue in the language
asked, so changes.csv says why in the data's language (``reason``), keeps the codes
(``reason_codes``) and both languages (``reason_en``, ``reason_zh``) for the report and workbook.

Values: ``act`` (activity id), ``cadre``, ``unit``, ``old``/``new`` (units of a transfer),
``period`` ((start, end, why) ISO dates and the data's words), ``level`` (a level code), ``cap``,
``size``, ``day`` (ISO date), ``who`` (cadre ids transferred in), ``inner`` (the Why of a class
moved to other dates), ``leave``/``share``/``hours`` (a withdrawal).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from planning.messages import LANGS, say, why_in
from planning.report.labels import CODES


@dataclass(frozen=True)
class Why:
    code: str  # a planning.messages code starting rp_
    values: dict = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return why_text(self, lang)


def _date(d, lang: str, year: int | None = None) -> str:
    d = dt.date.fromisoformat(str(d)) if not isinstance(d, dt.date) else d
    if lang == "zh":
        return f"{d.month}月{d.day}日" if year == d.year else f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


def span(s, e, lang: str = "en") -> str:
    """'2027-05-10…05-14' / '2027年5月10日至5月14日'."""
    s = dt.date.fromisoformat(str(s)) if not isinstance(s, dt.date) else s
    e = dt.date.fromisoformat(str(e)) if not isinstance(e, dt.date) else e
    if lang == "zh":
        return f"{_date(s, lang)}至{_date(e, lang, s.year)}"
    return f"{s}…{e:%m-%d}" if s.year == e.year else f"{s}…{e}"


_LABEL_DATES = re.compile(r"\((\d{4}-\d{2}-\d{2})…(?:(\d{4})-)?(\d{2}-\d{2})\)")


def label_in(text: str, lang: str = "en") -> str:
    """changes.csv's before/after ("C2027-003 (2027-05-03…05-14)", as replan writes it) with its dates
    in `lang`: "C2027-003（2027年5月3日至5月14日）" in Chinese, like the reasons beside it."""
    def dates(m: re.Match) -> str:
        s = dt.date.fromisoformat(m.group(1))
        e = dt.date.fromisoformat(f"{m.group(2) or s.year}-{m.group(3)}")
        return f"（{span(s, e, lang)}）" if lang == "zh" else f"({span(s, e, lang)})"

    out = _LABEL_DATES.sub(dates, str(text or ""))
    return out.replace(" （", "（") if lang == "zh" else out


def _period(p, lang: str) -> str:
    s, e, why = p
    text = span(s, e, lang)
    if not why:
        return text
    return f"{text}（{why_in(why, 'zh')}）" if lang == "zh" else f"{text} ({why})"


def why_text(w: Why, lang: str = "en") -> str:
    """One reason in words."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    v = dict(w.values)
    sep = "、" if lang == "zh" else ", "
    if "period" in v:
        v["period"] = _period(v["period"], lang)
    if "level" in v:
        v["level"] = CODES["level"][lang].get(v["level"], v["level"])
    if "day" in v:
        v["day"] = _date(v["day"], lang)
    if "share" in v:
        v["share"] = f"{float(v['share']):.4g}"
        v["limit"] = f"{float(v.get('limit', 0)):.1f}"
        v["leave"], v["hours"] = f"{float(v['leave']):g}", f"{float(v['hours']):g}"
    if w.code == "rp_unit_blackout":
        note = say("rp_transfer_note", lang, old=v["old"], new=v["new"]) if v.get("old") else ""
        return say(w.code, lang, unit=v["unit"], period=v["period"]) + note
    if w.code == "rp_unit_cap":
        note = say("rp_moved_in_note", lang, who=sep.join(sorted(v["who"]))) if v.get("who") else ""
        return say(w.code, lang, unit=v["unit"], cap=v["cap"], day=v["day"]) + note
    if w.code == "rp_moved_dates" and v.get("inner") is not None:
        return say("rp_moved_dates_why", lang, act=v["act"], why=why_text(v["inner"], lang))
    return say(w.code, lang, **v)


def join(whys, lang: str = "en") -> str:
    """A change's reasons in words ("; " / "；" between them)."""
    return say("rp_sep", lang).join(why_text(w, lang) for w in whys)


def codes(whys) -> str:
    """A change's reason codes, ";"-separated (an inner reason of a date move after its own)."""
    out = []
    for w in whys:
        out.append(w.code)
        inner = w.values.get("inner")
        if inner is not None:
            out.append(inner.code)
    return ";".join(out)
