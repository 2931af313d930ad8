"""The sample-data generator: deterministic, valid under the contract, tight, with admissible pins."""
from __future__ import annotations

import datetime as dt
import filecmp
from pathlib import Path

import pandas as pd
import pytest

from planning.calendar import Calendar, occupied_days
from planning.io import MARKER
from planning.data.generate import SIZES, generate, main, tightness, write_dataset
from planning.data.load import load_dataset
from planning.data.schema import TABLES
from planning.facts import cadre_facts, rotation_direction
from planning.policy import default_policy

YEAR = 2027
ROOT = Path(__file__).resolve().parents[1]
REGENERATE = ("regenerate with: python -m planning.data.generate --size {size} --year 2027 --seed 7 "
              "--out data/{folder}{xlsx}")


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    write_dataset(generate("small", YEAR, seed=7), folder)
    return folder


@pytest.fixture(scope="module")
def small(small_dir):
    return load_dataset(small_dir, YEAR)


def test_sizes_are_the_documented_cadre_counts():
    assert SIZES == {"small": 80, "medium": 1500, "large": 5000, "xlarge": 20000}


def test_same_arguments_give_byte_identical_csv_files(tmp_path, small_dir):
    write_dataset(generate("small", YEAR, seed=7), tmp_path)
    names = sorted(f"{t}.csv" for t in TABLES)
    match, mismatch, errors = filecmp.cmpfiles(small_dir, tmp_path, names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert b"\r\n" not in (tmp_path / "cadres.csv").read_bytes()


def test_another_seed_gives_other_data():
    a, b = generate("small", YEAR, seed=7), generate("small", YEAR, seed=8)
    assert not a["cadres"].equals(b["cadres"])


def test_tables_have_exactly_the_contract_columns_as_text():
    tables = generate("small", YEAR)
    assert list(tables) == list(TABLES)
    for name, df in tables.items():
        assert list(df.columns) == TABLES[name].column_names, name
        assert all(isinstance(v, str) for col in df.columns for v in df[col]), name


@pytest.mark.parametrize("size", ["small", 300])
def test_every_size_loads_without_errors(tmp_path, size):
    write_dataset(generate(size, YEAR), tmp_path)
    ds = load_dataset(tmp_path, YEAR)
    n = SIZES.get(size, size)
    assert len(ds.cadres) == n
    assert len(ds.warnings) <= 1, [str(w) for w in ds.warnings]


def test_bad_size_and_share_are_refused():
    with pytest.raises(ValueError):
        generate("huge")
    with pytest.raises(ValueError):
        generate(5)
    with pytest.raises(ValueError):
        generate("small", windowed_share=1.5)


def test_workbook_holds_the_same_tables_as_the_csv_folder(tmp_path):
    write_dataset(generate("small", YEAR), tmp_path / "csv", tmp_path / "small.xlsx")
    from_csv = load_dataset(tmp_path / "csv", YEAR)
    from_xlsx = load_dataset(tmp_path / "small.xlsx", YEAR)
    for name in TABLES:
        pd.testing.assert_frame_equal(from_csv.tables[name], from_xlsx.tables[name], check_dtype=False, obj=name)


def test_workbook_has_real_date_cells(tmp_path):
    import openpyxl

    write_dataset(generate("small", YEAR), tmp_path / "csv", tmp_path / "small.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "small.xlsx", read_only=True)["blackouts"]
    header, first = list(ws.iter_rows(min_row=1, max_row=2, values_only=True))
    row = dict(zip(header, first))
    assert isinstance(row["start_date"], dt.datetime)


def test_seats_offered_are_close_to_demand(small):
    t = tightness(small, YEAR)
    assert 1.0 <= t["below_division_ratio"] <= 1.15
    assert t["eligible_share"] >= 0.9


def test_windowed_share_changes_the_windows_and_nothing_else():
    """Only classes and pins (which avoid windowed classes) depend on the share."""
    base = generate("small", YEAR, windowed_share=0.15)
    none, every = generate("small", YEAR, windowed_share=0.0), generate("small", YEAR, windowed_share=1.0)
    assert (none["classes"]["window_start"] == "").all()
    assert (every["classes"]["start_date"] == "").all()
    assert "must" in set(every["pins"]["rule"])
    for name in TABLES:
        if name not in ("classes", "pins"):
            assert base[name].equals(every[name]), name
    assert base["classes"].drop(columns=["start_date", "end_date", "window_start", "window_end"]).equals(
        every["classes"].drop(columns=["start_date", "end_date", "window_start", "window_end"]))
    for r in every["classes"].to_dict("records"):
        start, end = dt.date.fromisoformat(r["window_start"]), dt.date.fromisoformat(r["window_end"])
        assert 4 * 7 <= (end - start).days + 1 <= 10 * 7


def test_classes_avoid_holidays_and_region_blackouts(small):
    messages = [w.message for w in small.warnings]
    assert not any("holiday" in m or "blackout" in m for m in messages)


def test_pins_are_admissible(small):
    """`must` pins: level admitted, topic not taken, no blocked day (class) or right direction (post)."""
    policy = default_policy()
    facts = cadre_facts(small.cadres, small.history, YEAR, policy)
    cal = Calendar(YEAR, small.blackouts, small.busy, small.holidays)
    classes = small.classes.set_index("class_id", drop=False)
    posts = small.rotations.set_index("post_id", drop=False)
    cadres = small.cadres.set_index("cadre_id", drop=False)
    assert 1 <= len(small.pins) <= 3
    assert set(small.pins["rule"]) == {"must", "must_not"}
    for p in small.pins.to_dict("records"):
        f = facts.loc[p["cadre_id"]]
        if p["activity_id"] in classes.index:
            k = classes.loc[p["activity_id"]]
            assert not k["levels"] or f["level"] in k["levels"]
            assert k["topic_key"] not in f["topics_taken"]
            if p["rule"] == "must":
                assert k["start_date"] is not None, "a must pin on a windowed class depends on the planner's dates"
                days = occupied_days(k["mode"], k["start_date"], k["end_date"])
                assert days.isdisjoint(cal.class_blocked(p["cadre_id"], f["unit_id"]))
                assert not k["min_size"]
        else:
            post = posts.loc[p["activity_id"]]
            assert not post["levels"] or f["level"] in post["levels"]
            assert rotation_direction(cadres.loc[p["cadre_id"], "grassroots_years"], policy) == post["direction"]


def test_command_line_writes_csv_and_workbook(tmp_path, capsys):
    assert main(["--size", "small", "--out", str(tmp_path / "out"), "--xlsx", str(tmp_path / "out.xlsx")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name != MARKER) == sorted(f"{t}.csv" for t in TABLES)
    assert (tmp_path / "out.xlsx").stat().st_size > 0
    assert not list(tmp_path.glob("**/*.tmp"))


@pytest.mark.parametrize("size, folder, xlsx", [("small", "small", ""), ("medium", "sample", " --xlsx data/sample.xlsx")])
def test_committed_samples_are_what_the_generator_makes(tmp_path, size, folder, xlsx):
    committed = ROOT / "data" / folder
    if not committed.is_dir():
        pytest.skip(f"data/{folder} is not in this checkout")
    write_dataset(generate(size, YEAR, seed=7), tmp_path)
    names = sorted(f"{t}.csv" for t in TABLES)
    match, mismatch, errors = filecmp.cmpfiles(committed, tmp_path, names, shallow=False)
    assert (mismatch, errors) == ([], []), REGENERATE.format(size=size, folder=folder, xlsx=xlsx)
