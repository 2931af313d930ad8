"""Shared fixtures: a small valid data set written as CSV files, with per-table overrides.

    def test_x(tmp_path, write_dataset):
        path = write_dataset(tmp_path, cadres=[{"cadre_id": "C1"}, {"cadre_id": "C2", "level": "division"}])
        ds = load_dataset(path, YEAR)

Each table is a list of row dicts. A row only names what differs: the rest of its cells
come from the table's default row (`DEFAULT_ROWS`), so a test states just what it is about.
Tables not given get their default rows (required tables) or are left out (optional ones).
Pass `None` to leave a table out, `[]` for a header-only file, and `drop={"cadres": ["promoted_on"]}`
to leave optional columns out of the header.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

YEAR = 2027

# One default row per table: valid on its own and in combination with the other defaults.
DEFAULT_ROWS: dict[str, dict[str, object]] = {
    "cadres": {"cadre_id": "C1", "name": "Li Wei", "unit_id": "U1", "level": "section", "birth_year": 1980,
               "is_reserve": "no", "is_key_post": "no", "promoted_on": "", "grassroots_years": 3},
    "units": {"unit_id": "U1", "name": "Finance Bureau", "district": "East", "max_absent_share": ""},
    "classes": {"class_id": "K1", "title": "Spring class", "topic": "Party history", "mode": "full_time",
                "start_date": "2027-03-08", "end_date": "2027-03-19", "window_start": "", "window_end": "",
                "days": 10, "hours": 80, "capacity": 20, "min_size": "", "levels": "", "institution": "Party school",
                "cost_per_trainee": ""},
    "rotations": {"post_id": "R1", "title": "Township post", "direction": "grassroots", "category": "rural_frontline",
                  "start_date": "2027-04-01", "end_date": "2027-09-30", "slots": 1, "levels": ""},
    "blackouts": {"start_date": "2027-07-01", "end_date": "2027-07-10", "scope": "region", "reason": "flood season"},
    "busy": {"cadre_id": "C1", "start_date": "2027-11-01", "end_date": "2027-11-15", "reason": "audit"},
    "history": {"cadre_id": "C1", "year": 2025, "activity_id": "H1", "topic": "Economics", "kind": "class",
                "days": 5, "hours": 40},
    "holidays": {"date": "2027-12-31", "name": "Extra day"},
    "pins": {"cadre_id": "C1", "activity_id": "K1", "rule": "must"},
    "online": {"cadre_id": "C1", "year": 2027, "hours": 30},
    "course_ratings": {"class_id": "H1", "cadre_id": "C1", "score": 4, "comment": "", "year": 2025,
                       "institution": "Party school"},
    "trainee_ratings": {"class_id": "H1", "cadre_id": "C1", "score": 85, "year": 2025},
    "attendance": {"cadre_id": "C1", "activity_id": "K1", "attended": "yes", "leave_hours": ""},
}

# The data set written when a test gives nothing: three cadres in two units, one class.
DEFAULT_TABLES: dict[str, list[dict[str, object]]] = {
    "units": [{"unit_id": "U1"}, {"unit_id": "U2", "name": "Town of Hexi", "district": "West"}],
    "cadres": [
        {"cadre_id": "C1"},
        {"cadre_id": "C2", "name": "Wang Fang", "level": "division", "birth_year": 1970, "grassroots_years": 0},
        {"cadre_id": "C3", "name": "Zhao Min", "unit_id": "U2", "level": "staff", "birth_year": 1995,
         "is_reserve": "yes"},
    ],
    "classes": [{"class_id": "K1"}],
}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def table_rows(name: str, rows: list[dict[str, object]] | None = None) -> list[dict[str, object]]:
    """Full rows of a table: each given row filled with the table's default cells."""
    if rows is None:
        rows = DEFAULT_TABLES.get(name, [])
    return [{**DEFAULT_ROWS[name], **row} for row in rows]


def write_csv(path: Path, rows: list[dict[str, object]], columns: list[str] | None = None, *,
              bom: bool = False) -> Path:
    """One CSV file (UTF-8, optional BOM); columns default to the union of the rows' keys in order."""
    if columns is None:
        columns = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow([_cell(r.get(c)) for c in columns])
    return path


def dataset_tables(drop: dict[str, list[str]] | None = None, **tables) -> dict[str, tuple[list[str], list[dict]]]:
    """{table: (columns, full rows)} of the data set that `write_dataset` writes."""
    drop = drop or {}
    out = {}
    for name in DEFAULT_ROWS:
        if name in tables:
            if tables[name] is None:
                continue
            rows = table_rows(name, tables[name])
        elif name in DEFAULT_TABLES:
            rows = table_rows(name)
        else:
            continue
        columns = list(dict.fromkeys([*DEFAULT_ROWS[name], *(k for r in rows for k in r)]))
        columns = [c for c in columns if c not in drop.get(name, ())]
        out[name] = (columns, rows)
    unknown = set(tables) - set(DEFAULT_ROWS)
    assert not unknown, f"unknown tables {unknown}"
    return out


def write_dataset(root: Path, *, folder: str = "data", bom: bool = False,
                  drop: dict[str, list[str]] | None = None, **tables) -> Path:
    """Write a data set as a folder of CSV files under `root` and return the folder."""
    path = Path(root) / folder
    path.mkdir(parents=True, exist_ok=True)
    for name, (columns, rows) in dataset_tables(drop, **tables).items():
        write_csv(path / f"{name}.csv", rows, columns, bom=bom)
    return path


@pytest.fixture(name="write_dataset")
def _write_dataset_fixture():
    """The `write_dataset(root, **tables)` helper, for tests that prefer a fixture to an import."""
    return write_dataset


@pytest.fixture
def dataset_dir(tmp_path) -> Path:
    """The default valid data set (3 cadres, 2 units, 1 class) as CSV files."""
    return write_dataset(tmp_path)


@pytest.fixture
def year() -> int:
    return YEAR


@pytest.fixture(name="write_csv")
def _write_csv_fixture():
    """The `write_csv(path, rows, columns=None, bom=False)` helper."""
    return write_csv


@pytest.fixture(name="dataset_tables")
def _dataset_tables_fixture():
    """The `dataset_tables(drop=None, **tables)` helper: {table: (columns, full rows)} without writing."""
    return dataset_tables
