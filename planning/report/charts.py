"""The report's charts: matplotlib figures rendered to SVG strings.

No pyplot: each chart builds its own ``Figure`` on an Agg canvas, so the global backend
is left alone (a notebook keeps its inline plots). Output is deterministic — a fixed ``svg.hashsalt``
and no date in the metadata — so the same plan gives byte-identical charts. Text is
drawn as paths (no font needed by the PDF renderer), and names are never parsed as
mathtext (a unit called "$x$" prints as typed).

Sizes are in inches for the page they go on: portrait A4 holds 7.0 in of width,
landscape A4 10.4 in.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from planning.report import formatting as F

INK = "#1f2d3d"
GRID = "#d5dbe3"
COLORS = {
    "class": "#2f5d8a", "weekend": "#6fa8dc", "cancelled": "#b8b8b8", "window": "#2f5d8a",
    "rotation": "#c27c0e", "holiday": "#e06666", "blackout": "#7f7f7f", "bar": "#2f5d8a", "bar_low": "#c0504d",
}
PORTRAIT_WIDTH = 7.0
LANDSCAPE_WIDTH = 10.4
CALENDAR_ROWS_PER_CHART = 34
HEATMAP_ROWS_PER_CHART = 24  # rows: the first chart fits below the chapter title on a landscape page
HEAT_CMAP = LinearSegmentedColormap.from_list(
    "absence", ["#ffffff", "#fff1c9", "#fdc77a", "#f08a4b", "#c0392b"], N=256)
HEAT_CMAP.set_over("#6d1a36")


@contextmanager
def _style(families: Sequence[str]):
    with matplotlib.rc_context({
        "svg.hashsalt": "cadre-training-planner",
        "svg.fonttype": "none",
        "text.parse_math": False,
        "font.family": list(dict.fromkeys(list(families) + ["DejaVu Sans"])),  # a list: per-glyph fallback
        "font.size": 7.5,
        "axes.edgecolor": "#9aa5b1",
        "axes.labelcolor": INK,
        "axes.titlesize": 9,
        "axes.titleweight": "bold",
        "axes.titlecolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "legend.frameon": False,
        "figure.dpi": 100,
    }):
        yield


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)  # text is measured with Agg; the global backend is not touched
    return fig


_RASTER: list[int] = []  # non-empty inside png_output(): charts come back as PNG bytes


@contextmanager
def png_output(dpi: int = 110):
    """Inside this block every chart function returns PNG bytes instead of an SVG string (for
    notebooks: an image output shows in any viewer, an HTML-embedded SVG does not)."""
    _RASTER.append(dpi)
    try:
        yield
    finally:
        _RASTER.pop()


def _svg(fig: Figure) -> str:
    if _RASTER:
        raw = io.BytesIO()
        fig.savefig(raw, format="png", dpi=_RASTER[-1], bbox_inches="tight", pad_inches=0.04,
                    metadata={"Software": None})
        return raw.getvalue()  # type: ignore[return-value]
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.04, metadata={"Date": None})
    return buf.getvalue()


def share_text(value: float) -> str:
    """A share as the report's tables print it (one decimal; below 100 % never "100")."""
    return F.share(value)


def clip(text: str, width: int) -> str:
    """Shorten `text` to about `width` Latin characters (a Chinese character counts as two)."""
    text = " ".join(str(text).split())
    out, used = [], 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width:
            return "".join(out).rstrip() + "…"
        out.append(ch)
        used += w
    return "".join(out)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def clip_middle(text: str, width: int) -> str:
    """Shorten `text` to about `width` Latin characters by cutting its middle, so that the end
    (often the place: "…, Beishan District") stays readable."""
    text = " ".join(str(text).split())
    if _width(text) <= width:
        return text
    head_w = (width - 1) * 3 // 5
    tail_w = width - 1 - head_w
    head, used = [], 0
    for ch in text:
        w = _width(ch)
        if used + w > head_w:
            break
        head.append(ch)
        used += w
    tail, used = [], 0
    for ch in reversed(text):
        w = _width(ch)
        if used + w > tail_w:
            break
        tail.append(ch)
        used += w
    h, t = "".join(head), "".join(reversed(tail))
    if " " in h[len(h) // 2:] and not text[len(h):len(h) + 1].isspace():  # whole words where there are words
        h = h[:h.rindex(" ")]
    if " " in t[:len(t) // 2] and not text[-len(t) - 1:-len(t)].isspace():
        t = t[t.index(" ") + 1:]
    return h.rstrip(" ,;") + " … " + t.lstrip()


def distinct_labels(titles: Sequence[str], width: int) -> list[str]:
    """Each title shortened to about `width` characters (middle cut), lengthened where two
    shortened titles would read the same, so that no two rows of a chart look alike."""
    out = [clip_middle(t, width) for t in titles]
    for _ in range(8):
        seen: dict[str, list[int]] = {}
        for i, t in enumerate(out):
            seen.setdefault(t, []).append(i)
        clashes = [ix for ix in seen.values() if len(ix) > 1 and len({titles[i] for i in ix}) > 1]
        if not clashes:
            break
        width += 12
        for ix in clashes:
            for i in ix:
                out[i] = clip_middle(titles[i], width)
    return out


def _chunks(items: list, size: int) -> list[list]:
    if not items:
        return [[]]
    n = math.ceil(len(items) / size)
    per = math.ceil(len(items) / n)  # even chunks: 35 rows become 18 + 17, not 34 + 1
    return [items[i:i + per] for i in range(0, len(items), per)]


def _month_axis(ax, year: int, months: Sequence[str], days_in_year: int) -> None:
    starts = [(dt.date(year, m, 1) - dt.date(year, 1, 1)).days for m in range(1, 13)]
    ax.set_xlim(0, days_in_year)
    ax.set_xticks(starts, minor=False)
    ax.set_xticklabels([])
    mids = [(s + e) / 2 for s, e in zip(starts, starts[1:] + [days_in_year])]
    ax.set_xticks(mids, minor=True)
    ax.set_xticklabels(months, minor=True)
    ax.tick_params(axis="x", which="minor", length=0)
    ax.tick_params(axis="x", which="major", length=3)
    ax.grid(axis="x", which="major", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


# --------------------------------------------------------------------------- calendar
@dataclass
class CalendarRow:
    label: str
    kind: str  # class | weekend | cancelled | rotation
    segments: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    window: tuple[dt.date, dt.date] | None = None
    note: str = ""


def weekend_segments(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The Saturday–Sunday runs between start and end (inclusive)."""
    out, run = [], None
    d = start
    while d <= end:
        if d.weekday() >= 5:
            run = (run[0], d) if run else (d, d)
        elif run:
            out.append(run)
            run = None
        d += dt.timedelta(days=1)
    if run:
        out.append(run)
    return out


def calendar_charts(rows: list[CalendarRow], year: int, holidays: dict[dt.date, str],
                    blackouts: list[tuple[dt.date, dt.date]], labels, families: Sequence[str]) -> list[str]:
    """Gantt-style charts of classes and rotations over the year (one SVG per chunk of rows),
    with statutory holidays and region blackouts shaded."""
    first = dt.date(year, 1, 1)
    n_days = (dt.date(year, 12, 31) - first).days + 1
    x = lambda d: (d - first).days  # noqa: E731
    out = []
    with _style(families):
        for chunk in _chunks(rows, CALENDAR_ROWS_PER_CHART):
            height = 0.9 + 0.165 * max(len(chunk), 3)
            fig = _figure(LANDSCAPE_WIDTH, height)
            ax = fig.add_subplot()
            for s, e in blackouts:
                ax.axvspan(x(max(s, first)), x(min(e, dt.date(year, 12, 31))) + 1, color=COLORS["blackout"],
                           alpha=0.18, linewidth=0, zorder=0)
            for d in holidays:
                if d.year == year:
                    ax.axvspan(x(d), x(d) + 1, color=COLORS["holiday"], alpha=0.35, linewidth=0, zorder=0)
            for i, r in enumerate(chunk):
                y = i
                if r.window:
                    ws, we = r.window
                    ax.broken_barh([(x(ws), x(we) - x(ws) + 1)], (y - 0.32, 0.64), facecolors="none",
                                   edgecolors=COLORS["window"], linewidth=0.6, linestyle=(0, (2, 2)), zorder=2)
                color = COLORS.get(r.kind, COLORS["class"])
                bars = [(x(s), x(e) - x(s) + 1) for s, e in r.segments]
                if bars:
                    cancelled = r.kind == "cancelled"  # outlined, not hatched: PDF renderers tile hatches slowly
                    ax.broken_barh(bars, (y - 0.32, 0.64), facecolors=color,
                                   edgecolors="#6b6b6b" if cancelled else "none", linewidth=0.6, zorder=3)
                end = max([x(e) + 1 for _, e in r.segments] + ([x(r.window[1]) + 1] if r.window else []) + [0])
                if r.note:
                    ax.text(min(end + 2, n_days - 1), y, r.note, va="center", ha="left", fontsize=6.2,
                            color=INK, zorder=4, clip_on=False)
            ax.set_ylim(len(chunk) - 0.5, -0.5)
            ax.set_yticks(range(len(chunk)))
            ax.set_yticklabels([r.label for r in chunk], fontsize=6.5)
            ax.tick_params(axis="y", length=0)
            _month_axis(ax, year, labels.months(), n_days)
            for spine in ("top", "right"):
                ax.spines[spine].set_visible(False)
            handles = [Patch(facecolor=COLORS["class"], label=labels["legend_class"]),
                       Patch(facecolor=COLORS["weekend"], label=labels["legend_weekend"]),
                       Patch(facecolor=COLORS["cancelled"], edgecolor="#6b6b6b", linewidth=0.6,
                             label=labels["legend_cancelled"]),
                       Patch(facecolor="none", edgecolor=COLORS["window"], linestyle="--",
                             label=labels["legend_window"]),
                       Patch(facecolor=COLORS["rotation"], label=labels["legend_rotation"]),
                       Patch(facecolor=COLORS["holiday"], alpha=0.35, label=labels["legend_holiday"]),
                       Patch(facecolor=COLORS["blackout"], alpha=0.18, label=labels["legend_blackout"])]
            fig.legend(handles=handles, loc="lower center", ncol=7, fontsize=6.5, bbox_to_anchor=(0.5, 1.0),
                       handlelength=1.6, columnspacing=1.2)
            fig.tight_layout()
            out.append(_svg(fig))
    return out


# --------------------------------------------------------------------------- absence heatmap
HEAT_BINS = (0.0, 1e-9, 0.5, 1.0 - 1e-9)  # none away | below half the cap | half the cap or more | at the cap
HEAT_COLORS = ("#ffffff", "#c9dcef", "#6f9ccb")  # below the cap: white, light and darker blue
HEAT_AT_CAP = "#e8912d"  # the cap binds: as many away as the unit allows
HEAT_OVER_CAP = "#8e1b3a"  # over the cap (a valid plan never is)


def _heat_chunks(units: list, districts: dict, size: int) -> list[list]:
    """Rows in charts of at most `size`, a district never split unless it alone is larger."""
    groups: list[list] = []
    for u in units:
        if groups and districts.get(groups[-1][-1]) == districts.get(u):
            groups[-1].append(u)
        else:
            groups.append([u])
    out: list[list] = []
    for g in groups:
        while len(g) > size:
            out.append(g[:size])
            g = g[size:]
        if out and len(out[-1]) + len(g) <= size:
            out[-1] = out[-1] + g
        else:
            out.append(list(g))
    return out


def absence_heatmaps(weekly: "pd.DataFrame", caps: "pd.Series", unit_labels: dict[str, str], year: int,
                     labels, families: Sequence[str], districts: dict[str, str] | None = None) -> list[str]:
    """Units × weeks: the most cadres away on one day of the week, as a share of the unit's own cap,
    in three shades below the cap and one colour where the cap binds. Rows come in the order given
    (the report orders them by district); a line and the district's name separate districts."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    districts = districts or {}
    units = list(weekly.index)
    cmap = ListedColormap(list(HEAT_COLORS))
    cmap.set_over(HEAT_AT_CAP)
    norm = BoundaryNorm(list(HEAT_BINS), cmap.N)
    out = []
    with _style(families):
        for chunk in _heat_chunks(units, districts, HEATMAP_ROWS_PER_CHART):
            if not chunk:
                continue
            sub = weekly.loc[chunk]
            cap = np.array([max(int(caps.get(u, 1)), 1) for u in chunk], dtype=float)
            values = sub.to_numpy(dtype=float) / cap[:, None]
            height = 1.2 + 0.15 * max(len(chunk), 4)
            fig = _figure(LANDSCAPE_WIDTH, height)
            ax = fig.add_subplot()
            ax.imshow(values, aspect="auto", cmap=cmap, norm=norm, interpolation="nearest",
                      extent=(-0.5, values.shape[1] - 0.5, len(chunk) - 0.5, -0.5))
            over = values > 1.0 + 1e-9
            if over.any():
                ax.imshow(np.ma.masked_where(~over, values), aspect="auto", cmap=ListedColormap([HEAT_OVER_CAP]),
                          interpolation="nearest", extent=(-0.5, values.shape[1] - 0.5, len(chunk) - 0.5, -0.5))
            ax.set_yticks(range(len(chunk)))
            ax.set_yticklabels([unit_labels.get(u, u) for u in chunk], fontsize=6.3)
            ax.tick_params(axis="y", length=0)
            mondays = list(sub.columns)
            week_x = lambda d: (d - mondays[0]).days / 7.0 - 0.5  # noqa: E731  (column k spans k-0.5 … k+0.5)
            starts = [week_x(dt.date(year, m, 1)) for m in range(1, 13)]
            ends = starts[1:] + [week_x(dt.date(year + 1, 1, 1))]
            ax.set_xticks(starts)
            ax.set_xticklabels([])
            ax.tick_params(axis="x", which="major", length=3)
            months_axis = ax.secondary_xaxis("bottom")
            months_axis.set_xticks([(a + b) / 2 for a, b in zip(starts, ends)], labels=labels.months())
            months_axis.tick_params(length=0)
            ax.set_yticks(np.arange(-0.5, len(chunk), 1), minor=True)
            ax.grid(which="minor", axis="y", color="#eef1f5", linewidth=0.4)
            ax.grid(which="major", axis="x", color="#ffffff", linewidth=0.8)
            ax.tick_params(which="minor", length=0)
            for spine in ax.spines.values():
                spine.set_color("#c9d1db")
            # districts: a rule between them and the name in a column right of the chart
            i = 0
            while i < len(chunk):
                d = districts.get(chunk[i])
                j = i
                while j + 1 < len(chunk) and districts.get(chunk[j + 1]) == d:
                    j += 1
                if i > 0:
                    ax.axhline(i - 0.5, color=INK, linewidth=0.7, zorder=5)
                if d:
                    ax.text(1.005, (i + j) / 2, str(d), transform=ax.get_yaxis_transform(), ha="left",
                            va="center", fontsize=6.8, fontweight="bold", color=INK, clip_on=False)
                i = j + 1
            for r, c in np.argwhere(over):  # a valid plan never goes over; if one does, it must be seen
                ax.text(c, r, "!", ha="center", va="center", color="white", fontsize=6, fontweight="bold")
            handles = [Patch(facecolor=HEAT_COLORS[0], edgecolor="#c9d1db", linewidth=0.4, label=labels["heat_none"]),
                       Patch(facecolor=HEAT_COLORS[1], label=labels["heat_low"]),
                       Patch(facecolor=HEAT_COLORS[2], label=labels["heat_high"]),
                       Patch(facecolor=HEAT_AT_CAP, label=labels["heat_at_cap"])]
            if over.any():
                handles.append(Patch(facecolor=HEAT_OVER_CAP, label=labels["heat_over_cap"]))
            fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=6.5,
                       bbox_to_anchor=(0.5, 1.0), handlelength=1.6, columnspacing=1.4,
                       title=labels["absence_axis"], title_fontsize=6.5)
            fig.tight_layout()
            out.append(_svg(fig))
    return out


# --------------------------------------------------------------------------- coverage
def coverage_chart(by_level: list[tuple[str, int, int, float]], by_group: list[tuple[str, int, int, float]],
                   overall: float, labels, families: Sequence[str]) -> str:
    """Two panels of horizontal bars: share meeting the requirement by level and by priority group.
    Each input row: (label, cadres, met, share)."""
    with _style(families):
        n1, n2 = max(len(by_level), 1), max(len(by_group), 1)
        fig = _figure(PORTRAIT_WIDTH, 1.5 + 0.3 * (n1 + n2))
        axes = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [n1, n2]})
        for ax, rows, title in ((axes[0], by_level, labels["by_level"]), (axes[1], by_group, labels["by_group"])):
            names = [clip(r[0], 26) for r in rows]
            shares = [0.0 if (r[3] is None or math.isnan(r[3])) else r[3] for r in rows]
            colors = [COLORS["bar"] if s >= overall - 1e-9 or math.isnan(overall) else COLORS["bar_low"]
                      for s in shares]
            ys = np.arange(len(rows))
            ax.barh(ys, shares, color=colors, height=0.62, zorder=2)
            # the figures stand in a column right of the axis, never under the bars or the dashed line;
            # rounded as the tables round them (a share below 100 % never prints as 100 %)
            for y, r, s in zip(ys, rows, shares):
                txt = f"{share_text(s)}  ({r[2]}/{r[1]})" if r[1] else "–"
                ax.text(1.03, y, txt, va="center", ha="left", fontsize=6.5, color=INK, zorder=3,
                        transform=ax.get_yaxis_transform(), clip_on=False)
            ax.set_yticks(ys)
            ax.set_yticklabels(names)
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
            ax.set_xticklabels(["0", "25%", "50%", "75%", "100%"])
            ax.tick_params(axis="x", labelbottom=True)
            if not math.isnan(overall):
                ax.axvline(overall, color=INK, linestyle=(0, (3, 2)), linewidth=0.8, zorder=4,
                           label=labels.fmt("coverage_overall", share=share_text(overall)))
            ax.grid(axis="x", color=GRID, linewidth=0.5)
            ax.set_axisbelow(True)
            ax.tick_params(axis="y", length=0)
            for spine in ("top", "right"):
                ax.spines[spine].set_visible(False)
            ax.set_title(title, loc="left")
        if not math.isnan(overall):
            fig.legend(handles=axes[0].get_lines()[:1], loc="lower center", bbox_to_anchor=(0.5, 1.0),
                       fontsize=6.5, handlelength=2.2)
        fig.tight_layout(h_pad=1.2)
        return _svg(fig)


def absence_difference_heatmaps(diff: "pd.DataFrame", unit_labels: dict[str, str], year: int, labels,
                                families: Sequence[str], axis_label: str) -> list[str]:
    """Units × weeks: the change in the most cadres away on one day of the week against a baseline
    (red = more away, blue = fewer; white = as before). Used by the what-if dashboard."""
    units = list(diff.index)
    out = []
    if not units or diff.shape[1] == 0:
        return out
    lim = max(1.0, float(np.abs(diff.to_numpy(dtype=float)).max()))
    with _style(families):
        for chunk in _chunks(units, HEATMAP_ROWS_PER_CHART):
            sub = diff.loc[chunk]
            values = sub.to_numpy(dtype=float)
            fig = _figure(LANDSCAPE_WIDTH, 1.0 + 0.15 * max(len(chunk), 4))
            ax = fig.add_subplot()
            im = ax.imshow(values, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest",
                           extent=(-0.5, values.shape[1] - 0.5, len(chunk) - 0.5, -0.5))
            ax.set_yticks(range(len(chunk)))
            ax.set_yticklabels([unit_labels.get(u, u) for u in chunk], fontsize=6.3)
            ax.tick_params(axis="y", length=0)
            mondays = list(sub.columns)
            week_x = lambda d: (d - mondays[0]).days / 7.0 - 0.5  # noqa: E731
            starts = [week_x(dt.date(year, m, 1)) for m in range(1, 13)]
            ends = starts[1:] + [week_x(dt.date(year + 1, 1, 1))]
            ax.set_xticks(starts)
            ax.set_xticklabels([])
            months_axis = ax.secondary_xaxis("bottom")
            months_axis.set_xticks([(a + b) / 2 for a, b in zip(starts, ends)], labels=labels.months())
            months_axis.tick_params(length=0)
            for r, c in np.argwhere(values != 0):
                ax.text(c, r, f"{int(values[r, c]):+d}", ha="center", va="center", fontsize=4.5, color=INK)
            for spine in ax.spines.values():
                spine.set_color("#c9d1db")
            cb = fig.colorbar(im, ax=ax, fraction=0.025, pad=0.01)
            cb.set_label(axis_label, fontsize=6.5)
            cb.ax.tick_params(labelsize=6)
            fig.tight_layout()
            out.append(_svg(fig))
    return out
