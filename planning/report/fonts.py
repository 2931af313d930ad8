"""Finding a font that can print Chinese, for WeasyPrint (through fontconfig) and matplotlib.

WeasyPrint draws text with the fonts fontconfig knows, so fontconfig is asked first
(``fc-list :lang=zh-cn``). Without the fc-list tool, matplotlib's font list is searched
for the usual CJK families. On Debian/Ubuntu ``apt-get install fonts-noto-cjk`` provides
"Noto Sans CJK SC".
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

# Preferred families, best first (simplified Chinese first: the planner's users write it).
PREFERRED = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Serif CJK SC", "Source Han Serif SC",
    "AR PL UMing CN", "Droid Sans Fallback", "Microsoft YaHei", "SimHei", "SimSun", "PingFang SC",
    "Hiragino Sans GB", "Noto Sans CJK TC", "Noto Sans CJK JP",
)
INSTALL_HINT = "install a Chinese font, e.g. on Debian/Ubuntu: apt-get install fonts-noto-cjk"
_CJK = re.compile(r"[\u2e80-\u2fff\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True)
class CJKFont:
    family: str
    path: str | None


def has_cjk(text: str) -> bool:
    """True when `text` holds Chinese (or other CJK) characters."""
    return bool(_CJK.search(text or ""))


def _rank(family: str) -> int:
    try:
        return PREFERRED.index(family)
    except ValueError:
        return len(PREFERRED)


def _from_fontconfig() -> CJKFont | None:
    exe = shutil.which("fc-list")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, ":lang=zh-cn", "family", "file"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found: list[CJKFont] = []
    for line in out.splitlines():
        path, _, fams = line.partition(": ")
        for fam in fams.split(","):
            fam = fam.strip()
            if fam:
                found.append(CJKFont(fam, path.strip() or None))
    if not found:
        return None
    return min(found, key=lambda f: (_rank(f.family), "Bold" in (f.path or ""), f.family))


def _from_matplotlib() -> CJKFont | None:
    from matplotlib import font_manager

    names = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for fam in PREFERRED:
        if fam in names:
            return CJKFont(fam, names[fam])
    return None


@lru_cache(maxsize=1)
def find_cjk_font() -> CJKFont | None:
    """The best installed font for Chinese text, or None. Cached; ``find_cjk_font.cache_clear()``
    after installing fonts in a running session."""
    return _from_fontconfig() or _from_matplotlib()


def cjk_font_available() -> bool:
    """True when a font that prints Chinese is installed (the Chinese report needs one)."""
    return find_cjk_font() is not None


def matplotlib_families(cjk: CJKFont | None) -> list[str]:
    """Font families for charts: DejaVu Sans for Latin text, the CJK font as fallback."""
    fams = ["DejaVu Sans"]
    if cjk is not None:
        if cjk.path:
            from matplotlib import font_manager

            known = {f.name for f in font_manager.fontManager.ttflist}
            if cjk.family not in known:
                try:
                    font_manager.fontManager.addfont(cjk.path)  # fonts installed after matplotlib cached its list
                except (OSError, RuntimeError, ValueError):
                    return fams
        fams.append(cjk.family)
    return fams


def css_quote(text: str) -> str:
    """`text` as a double-quoted CSS string that is also safe inside an HTML <style> element."""
    out = []
    for ch in str(text):
        if ch in '"\\<>&' or ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def css_families(cjk: CJKFont | None) -> str:
    """The CSS font-family list for the PDF."""
    fams = []
    if cjk is not None:
        fams.append(cjk.family)
    fams += ["Noto Sans", "DejaVu Sans"]
    return ", ".join(css_quote(f) for f in fams) + ", sans-serif"
