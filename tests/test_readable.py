"""What people see of a plan reads true: shares never round up to 100 %, calendar labels stay
apart, the coverage chart prints the tables' figures."""
from __future__ import annotations

import pytest

from planning.report import charts
from planning.report import formatting as F
from planning.report.labels import Labels


@pytest.mark.parametrize("value, text", [
    (0.996, "99.6%"), (0.9996, "99.9%"), (0.99999, "99.9%"), (1.0, "100.0%"), (0.8734, "87.3%"),
    (0.0004, "0.1%"), (0.0, "0.0%"), (0.87349, "87.3%"), (0.87351, "87.4%"),
])
def test_share_never_rounds_to_100_or_0(value, text):
    assert F.share(value) == text


def test_share_below_100_never_prints_100_at_any_precision():
    for digits in (0, 1, 2):
        for k in range(1, 2000):
            v = 1 - k / 1e6
            assert not F.share(v, digits).startswith("100"), (v, digits)
            assert F.share_value(v, digits) < 100


def test_coverage_chart_prints_the_tables_rounding():
    L = Labels("en")
    svg = charts.coverage_chart([("Staff", 1000, 999, 0.999), ("Division", 75, 31, 31 / 75)],
                                [("Young cadres", 480, 478, 478 / 480)], 0.9, L, ["DejaVu Sans"])
    assert "99.9%" in svg and "100.0%" not in svg  # 999/1000 reads as in the table, not "100%"
    assert F.share(478 / 480) in svg and F.share(31 / 75) in svg


def test_calendar_labels_stay_apart():
    titles = [f"National civilized city review support team, {d} District" for d in ("Jinshui", "Xicheng", "Nanhu")]
    titles += ["Party-building instructor at a non-public enterprise, Dongcheng District",
               "Party-building instructor at a non-public enterprise, Xicheng District", "Short title"]
    got = charts.distinct_labels(titles, 40)
    assert len(set(got)) == len(titles)
    assert got[-1] == "Short title"
    assert all(charts._width(g) <= 64 for g in got)
    assert got[0].endswith("Jinshui District")  # the place, at the end, is kept
    zh = charts.distinct_labels(["中共中央党校县处级领导干部进修班专题研讨班第一期学员",
                                 "中共中央党校县处级领导干部进修班专题研讨班第二期学员"], 30)
    assert zh[0] != zh[1]


def test_heatmap_rows_keep_districts_together():
    units = [f"U{i}" for i in range(10)]
    districts = {u: ("A" if i < 4 else "B" if i < 7 else "C") for i, u in enumerate(units)}
    chunks = charts._heat_chunks(units, districts, 5)
    assert [len(c) for c in chunks] == [4, 3, 3]
    assert sum(chunks, []) == units
