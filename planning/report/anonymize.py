"""Pseudonyms for anonymized handouts: names go, ids stay.

A pseudonym is derived from a hash of the cadre id alone ("Cadre 3F7A", "学员3F7A"), so
the same cadre carries the same pseudonym in every report and workbook of every year,
and nothing about the real name can be recovered from it. Four hex digits collide now
and then in a large roster; colliding cadres get longer codes, so pseudonyms stay unique
within the roster while staying stable for everyone else.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

_PREFIX = {"en": "Cadre ", "zh": "学员"}
_NAMESPACE = b"cadre-training-planner/pseudonym/"


def _digest(cadre_id: str) -> str:
    return hashlib.sha256(_NAMESPACE + str(cadre_id).encode("utf-8")).hexdigest().upper()


def pseudonym_codes(cadre_ids: Iterable[str], length: int = 4) -> dict[str, str]:
    """A unique code per cadre id: the first `length` hex digits of its hash, longer where needed."""
    ids = sorted({str(c) for c in cadre_ids})
    digests = {c: _digest(c) for c in ids}
    codes: dict[str, str] = {}
    pending, n = ids, length
    while pending and n <= 64:
        by_code: dict[str, list[str]] = defaultdict(list)
        for c in pending:
            by_code[digests[c][:n]].append(c)
        pending = []
        for code, group in by_code.items():
            if len(group) == 1 and code not in codes.values():
                codes[group[0]] = code
            else:
                pending.extend(group)
        n += 2
    for c in pending:  # identical hashes cannot happen for distinct ids; keep the id as a last resort
        codes[c] = f"{digests[c]}-{c}"
    return codes


def pseudonyms(cadre_ids: Iterable[str], lang: str = "en") -> dict[str, str]:
    """cadre_id → "Cadre 3F7A" (en) or "学员3F7A" (zh)."""
    prefix = _PREFIX.get(lang, _PREFIX["en"])
    return {c: prefix + code for c, code in pseudonym_codes(cadre_ids).items()}


class Anonymizer:
    """Replaces cadre names by pseudonyms, in name columns and inside free text
    (shortfall reasons and planner warnings may quote a name)."""

    def __init__(self, names: Mapping[str, str], lang: str = "en", enabled: bool = True):
        self.enabled = enabled
        self.real = {str(k): ("" if v is None else str(v)) for k, v in names.items()}
        self.alias = pseudonyms(self.real, lang) if enabled else dict(self.real)
        # longest names first, so "Wang Li" is not half-replaced by a cadre called "Wang"
        real_names = sorted({n for n in self.real.values() if sum(ch.isalpha() for ch in n) >= 2},
                            key=len, reverse=True)
        self._by_name: dict[str, str] = {}
        for cid, name in self.real.items():
            self._by_name.setdefault(name, self.alias[cid])
        self._pattern = re.compile("|".join(_name_pattern(n) for n in real_names)) if enabled and real_names else None

    def name(self, cadre_id: str) -> str:
        return self.alias.get(str(cadre_id), "")

    def text(self, value) -> str:
        """Free text with every real name replaced (unchanged when anonymization is off)."""
        if value is None:
            return ""
        s = str(value)
        if self._pattern is None:
            return s
        return self._pattern.sub(lambda m: self._by_name[m.group(0)], s)


def _name_pattern(name: str) -> str:
    """A name as a regex; Latin names only match as whole words ("Li" not inside "Lin")."""
    ascii_word = re.compile(r"[A-Za-z0-9]")
    head = r"(?<![A-Za-z0-9])" if ascii_word.match(name[0]) else ""
    tail = r"(?![A-Za-z0-9])" if ascii_word.match(name[-1]) else ""
    return head + re.escape(name) + tail
