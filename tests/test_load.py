"""Reading a data set: CSV folders (with and without BOM) and .xlsx workbooks into typed frames."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from planning.data.load import ROW, Dataset, load_dataset, read_raw
from planning.data.schema import TABLES
from planning.errors import DataError, Problem

YEAR = 2027


def where(err: DataError) -> set[tuple]:
    """(table, row, column) of every error."""
    return {(p.table, p.row, p.column) for p in err.problems}


def load_error(path, year: int = YEAR) -> DataError:
    with pytest.raises(DataError) as e:
        load_dataset(path, year)
    return e.value


# --------------------------------------------------------------------------- a workbook like the CSV folder
_DATE_COLUMNS = {c.name for t in TABLES.values() for c in t.columns if c.type == "date"}
_INT_COLUMNS = {c.name for t in TABLES.values() for c in t.columns if c.type == "int"}
_NUMBER_COLUMNS = {c.name for t in TABLES.values() for c in t.columns if c.type == "number"}


def _as_cell(column: str, value):
    """The cell a spreadsheet user would have: real dates, whole numbers stored as floats, real booleans."""
    if value in ("", None):
        return None
    if column in _DATE_COLUMNS:
        return dt.date.fromisoformat(str(value))
    try:
        number = float(value)
    except ValueError:
        return value  # a typo stays text, as in a real sheet
    if column in _INT_COLUMNS:
        return number  # Excel stores every number as a float: 20 arrives as 20.0
    if column in _NUMBER_COLUMNS:
        return int(number) if number.is_integer() else number
    if column == "is_reserve":
        return {"yes": True, "no": False}.get(value, value)  # a real TRUE/FALSE cell
    return value


def write_workbook(path: Path, tables: dict[str, tuple[list[str], list[dict]]],
                   blank_rows_before: dict[str, list[int]] | None = None) -> Path:
    """An .xlsx with one sheet per table. `blank_rows_before[table]` = data indexes preceded by an empty row."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (columns, rows) in tables.items():
        ws = wb.create_sheet(name)
        ws.append(columns)
        for i, r in enumerate(rows):
            if i in (blank_rows_before or {}).get(name, []):
                ws.append([])
            ws.append([_as_cell(c, r.get(c)) for c in columns])
    wb.save(path)
    return path


# --------------------------------------------------------------------------- typed frames
def test_default_dataset_loads_with_typed_values(dataset_dir):
    ds = load_dataset(dataset_dir, YEAR)
    assert isinstance(ds, Dataset)
    assert ds.warnings == []
    c = ds.cadres.set_index("cadre_id")
    assert c.loc["C1", "birth_year"] == 1980 and isinstance(c.loc["C1", "birth_year"], int)
    assert c.loc["C1", "grassroots_years"] == 3.0
    assert c.loc["C3", "is_reserve"] is True and c.loc["C1", "is_reserve"] is False
    assert c.loc["C1", "promoted_on"] is None
    k = ds.classes.iloc[0]
    assert k["start_date"] == dt.date(2027, 3, 8)
    assert k["levels"] == ()
    assert k["capacity"] == 20 and k["min_size"] is None
    assert k["topic_key"] == "party history"
    assert ds.cadres[ROW].tolist() == [2, 3, 4]
    # optional tables that are absent are empty frames with all their columns
    assert len(ds.pins) == 0 and set(TABLES["pins"].column_names) <= set(ds.pins.columns)


def test_dataset_survives_pickling_for_batch_runs(dataset_dir):
    import pickle

    ds = load_dataset(dataset_dir, YEAR)
    back = pickle.loads(pickle.dumps(ds))
    pd.testing.assert_frame_equal(back.cadres, ds.cadres)


def test_tables_reachable_by_name_and_copy_is_independent(dataset_dir):
    ds = load_dataset(dataset_dir, YEAR)
    assert ds.cadres is ds.tables["cadres"]
    with pytest.raises(AttributeError):
        ds.no_such_table
    other = ds.copy()
    other.cadres.loc[0, "name"] = "changed"
    assert ds.cadres.loc[0, "name"] == "Li Wei"


def test_csv_with_and_without_bom_give_the_same_frames(tmp_path, write_dataset):
    plain = load_dataset(write_dataset(tmp_path, folder="plain"), YEAR)
    bom = load_dataset(write_dataset(tmp_path, folder="bom", bom=True), YEAR)
    assert (tmp_path / "bom" / "cadres.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    for name in TABLES:
        pd.testing.assert_frame_equal(plain.tables[name], bom.tables[name])


def test_workbook_gives_the_same_typed_frames_as_csv(tmp_path, write_dataset, dataset_tables):
    tables = dict(
        cadres=[{"cadre_id": "C1", "promoted_on": "2026-05-04"}, {"cadre_id": "C2", "grassroots_years": 2.5}],
        classes=[{"class_id": "K1", "levels": "Section; staff", "min_size": 2, "cost_per_trainee": 1200.5},
                 {"class_id": "K2", "mode": "weekend", "start_date": "", "end_date": "", "window_start": "2027-09-04",
                  "window_end": "2027-10-31", "days": 4, "hours": 32, "capacity": 12}],
        rotations=[{}], blackouts=[{}], busy=[{}], history=[{}], holidays=[{}], pins=[{}],
    )
    csv_ds = load_dataset(write_dataset(tmp_path, **tables), YEAR)
    book = write_workbook(tmp_path / "data.xlsx", dataset_tables(**tables))
    xlsx_ds = load_dataset(book, YEAR)
    for name in TABLES:
        pd.testing.assert_frame_equal(csv_ds.tables[name], xlsx_ds.tables[name], obj=name)
    assert xlsx_ds.classes.loc[0, "capacity"] == 20 and isinstance(xlsx_ds.classes.loc[0, "capacity"], int)
    assert xlsx_ds.cadres.loc[0, "promoted_on"] == dt.date(2026, 5, 4)


def test_workbook_row_numbers_are_sheet_rows_even_after_blank_rows(tmp_path, dataset_tables):
    tables = dataset_tables(cadres=[{"cadre_id": "C1"}, {"cadre_id": "C2"}, {"cadre_id": "C3", "birth_year": "x"}])
    book = write_workbook(tmp_path / "data.xlsx", tables, blank_rows_before={"cadres": [1, 2]})
    # header row 1, C1 row 2, blank row 3, C2 row 4, blank row 5, C3 row 6
    err = load_error(book)
    assert where(err) == {("cadres", 6, "birth_year")}
    raw, _ = read_raw(book)
    assert raw["cadres"][ROW].tolist() == [2, 4, 6]


def test_workbook_sheet_names_and_headers_match_ignoring_case(tmp_path, dataset_tables):
    tables = dataset_tables()
    renamed = {name.title(): ([c.upper() for c in cols], [{c.upper(): v for c, v in r.items()} for r in rows])
               for name, (cols, rows) in tables.items()}
    ds = load_dataset(write_workbook(tmp_path / "data.xlsx", renamed), YEAR)
    assert ds.cadres["cadre_id"].tolist() == ["C1", "C2", "C3"]


def test_workbook_missing_sheet_and_extra_sheets(tmp_path, dataset_tables):
    tables = dataset_tables()
    del tables["classes"]
    tables["notes"] = (["text"], [{"text": "ignored"}])
    err = load_error(write_workbook(tmp_path / "data.xlsx", tables))
    assert where(err) == {("classes", None, None)}
    assert "no sheet named 'classes'" in str(err)


def test_broken_workbook_is_reported_not_raised_raw(tmp_path):
    bad = tmp_path / "data.xlsx"
    bad.write_bytes(b"this is not a zip file")
    err = load_error(bad)
    assert err.problems[0].table == "workbook"
    assert "cannot be read as an Excel workbook" in str(err)


def test_extra_columns_are_kept(tmp_path, write_dataset):
    path = write_dataset(tmp_path, cadres=[{"cadre_id": "C1", "phone": "123", "note": "x"}])
    ds = load_dataset(path, YEAR)
    assert ds.cadres.loc[0, "phone"] == "123" and ds.cadres.loc[0, "note"] == "x"


def test_optional_columns_absent_are_empty(tmp_path, write_dataset):
    path = write_dataset(tmp_path, drop={"cadres": ["promoted_on"], "units": ["max_absent_share"],
                                         "classes": ["window_start", "window_end", "min_size", "institution",
                                                     "cost_per_trainee"]})
    assert "promoted_on" not in (path / "cadres.csv").read_text().splitlines()[0]
    ds = load_dataset(path, YEAR)
    assert ds.cadres["promoted_on"].tolist() == [None, None, None]
    assert ds.units["max_absent_share"].tolist() == [None, None]
    k = ds.classes.iloc[0]
    assert k["window_start"] is None and k["min_size"] is None and k["cost_per_trainee"] is None
    assert k["institution"] == ""


def test_required_column_missing_is_one_problem_on_the_header(tmp_path, write_dataset):
    path = write_dataset(tmp_path, drop={"cadres": ["birth_year"], "classes": ["capacity"]})
    err = load_error(path)
    assert where(err) == {("cadres", 1, "birth_year"), ("classes", 1, "capacity")}
    assert "missing from the header" in str(err)


def test_required_table_missing(tmp_path, write_dataset):
    path = write_dataset(tmp_path, units=None, classes=None)
    err = load_error(path)
    assert where(err) == {("units", None, None), ("classes", None, None)}
    assert "there is no units.csv" in str(err)


def test_duplicate_header_column(tmp_path, write_csv, dataset_tables):
    path = tmp_path / "data"
    path.mkdir()
    for name, (cols, rows) in dataset_tables().items():
        write_csv(path / f"{name}.csv", rows, cols)
    (path / "units.csv").write_text("unit_id,name,district,unit_id\nU1,A,East,U1\nU2,B,West,U2\n")
    err = load_error(path)
    assert where(err) == {("units", 1, "unit_id")}
    assert "more than once" in str(err)


# --------------------------------------------------------------------------- value types
@pytest.mark.parametrize("text, value", [("12", 12), ("12.0", 12), (" 7 ", 7), ("1e1", 10)])
def test_int_accepts_whole_numbers(tmp_path, write_dataset, text, value):
    ds = load_dataset(write_dataset(tmp_path, classes=[{"capacity": text}]), YEAR)
    assert ds.classes.loc[0, "capacity"] == value and type(ds.classes.loc[0, "capacity"]) is int


@pytest.mark.parametrize("text", ["12.5", "twelve", "inf"])
def test_int_rejects_other_values(tmp_path, write_dataset, text):
    err = load_error(write_dataset(tmp_path, classes=[{"capacity": text}]))
    assert where(err) == {("classes", 2, "capacity")}
    assert "not a whole number" in str(err)


@pytest.mark.parametrize("text", ["abc", "nan", "1,5"])
def test_number_rejects_non_numbers(tmp_path, write_dataset, text):
    err = load_error(write_dataset(tmp_path, classes=[{"hours": text}]))
    assert where(err) == {("classes", 2, "hours")}
    assert "not a number" in str(err)


@pytest.mark.parametrize("text, value", [
    ("true", True), ("TRUE", True), ("Yes", True), ("y", True), ("Y", True), ("1", True),
    ("false", False), ("False", False), ("no", False), ("N", False), ("0", False), ("", False), ("  ", False),
])
def test_bool_forms(tmp_path, write_dataset, text, value):
    ds = load_dataset(write_dataset(tmp_path, cadres=[{"is_key_post": text}]), YEAR)
    assert ds.cadres.loc[0, "is_key_post"] is value


def test_bool_rejects_other_words(tmp_path, write_dataset):
    err = load_error(write_dataset(tmp_path, cadres=[{"is_key_post": "maybe"}]))
    assert where(err) == {("cadres", 2, "is_key_post")}
    assert "yes/no" in str(err)


def test_list_and_levels_case_insensitive(tmp_path, write_dataset):
    path = write_dataset(tmp_path, cadres=[{"level": " Section "}],
                         classes=[{"levels": "Section; STAFF ;", "topic": " Party History "}],
                         history=[{"kind": "Class", "topic": "ECONOMICS"}])
    ds = load_dataset(path, YEAR)
    assert ds.cadres.loc[0, "level"] == "section"
    assert ds.classes.loc[0, "levels"] == ("section", "staff")
    assert ds.classes.loc[0, "topic"] == "Party History"  # kept as written ...
    assert ds.classes.loc[0, "topic_key"] == "party history"  # ... and compared case-insensitively
    assert ds.history.loc[0, "kind"] == "class" and ds.history.loc[0, "topic_key"] == "economics"


def test_region_scope_any_case(tmp_path, write_dataset):
    ds = load_dataset(write_dataset(tmp_path, blackouts=[{"scope": "Region"}]), YEAR)
    assert ds.blackouts.loc[0, "scope"] == "region"


@pytest.mark.parametrize("text, words", [
    ("2027/03/08", "YYYY-MM-DD"), ("08.03.2027", "YYYY-MM-DD"), ("2027-02-30", "not a real calendar date"),
])
def test_bad_dates(tmp_path, write_dataset, text, words):
    err = load_error(write_dataset(tmp_path, classes=[{"start_date": text}]))
    assert where(err) == {("classes", 2, "start_date")}
    assert words in str(err)


def test_empty_required_cell(tmp_path, write_dataset):
    err = load_error(write_dataset(tmp_path, cadres=[{"cadre_id": "C1"}, {"cadre_id": "C2", "unit_id": ""}]))
    assert where(err) == {("cadres", 3, "unit_id")}
    assert "empty but a value is required" in str(err)


def test_header_only_optional_table_is_empty(tmp_path, write_dataset):
    ds = load_dataset(write_dataset(tmp_path, pins=[], busy=[]), YEAR)
    assert len(ds.pins) == 0 and len(ds.busy) == 0


# --------------------------------------------------------------------------- row numbers and broken files
def test_csv_row_numbers_are_file_lines_counting_blank_lines(tmp_path, write_dataset):
    path = write_dataset(tmp_path, cadres=[{"cadre_id": "C1"}, {"cadre_id": "C2", "birth_year": "19x0"}])
    lines = (path / "cadres.csv").read_text().splitlines()
    (path / "cadres.csv").write_text("\n".join([lines[0], "", lines[1], "", "", lines[2]]) + "\n")
    err = load_error(path)
    assert where(err) == {("cadres", 6, "birth_year")}
    assert "cadres, row 6, column birth_year: '19x0' is not a whole number" in str(err)


def test_quoted_multiline_value_keeps_later_line_numbers(tmp_path, write_dataset):
    path = write_dataset(tmp_path, cadres=[{"cadre_id": "C1", "name": "two\nlines"},
                                           {"cadre_id": "C2", "level": "boss"}])
    err = load_error(path)
    assert where(err) == {("cadres", 4, "level")}  # C1 spans lines 2-3, C2 starts on line 4


def test_row_with_too_many_values(tmp_path, write_dataset):
    path = write_dataset(tmp_path)
    with open(path / "units.csv", "a") as f:
        f.write("U3,Tax, Office,East,0.2\n")  # an unquoted comma in the name
    err = load_error(path)
    assert ("units", 4, None) in where(err)
    assert "unquoted comma" in str(err)


def test_non_utf8_file(tmp_path, write_dataset):
    path = write_dataset(tmp_path)
    text = (path / "cadres.csv").read_text().replace("Li Wei", "李伟")
    (path / "cadres.csv").write_bytes(text.encode("gbk"))
    err = load_error(path)
    assert where(err) == {("cadres", 2, None)}
    assert "not UTF-8" in str(err) and "CSV UTF-8" in str(err)


def test_unreadable_file_and_other_missing_tables_reported_together(tmp_path, write_dataset, monkeypatch):
    path = write_dataset(tmp_path, units=None)
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "cadres.csv":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    err = load_error(path)
    assert where(err) == {("cadres", None, None), ("units", None, None)}
    assert "cadres.csv cannot be opened (Permission denied)" in str(err)


def test_binary_and_empty_csv_files(tmp_path, write_dataset):
    path = write_dataset(tmp_path)
    (path / "cadres.csv").write_bytes(b"PK\x03\x04\x00\x00binary")
    (path / "units.csv").write_bytes(b"")
    err = load_error(path)
    assert where(err) == {("cadres", None, None), ("units", None, None)}
    assert "binary" in str(err) and "units.csv is empty" in str(err)


@pytest.mark.parametrize("name, words", [
    ("nowhere", "does not exist"), ("data.xls", "old-style .xls"), ("cadres.csv", "neither a folder"),
])
def test_bad_data_set_path(tmp_path, name, words):
    target = tmp_path / name
    if name != "nowhere":
        target.write_text("x")
    err = load_error(target)
    assert err.problems[0].table == "data set" and words in str(err)


def test_cell_errors_and_rule_errors_are_reported_together(tmp_path, write_dataset):
    path = write_dataset(tmp_path, cadres=[{"cadre_id": "C1", "birth_year": "abc"}, {"cadre_id": "C1"}])
    err = load_error(path)
    assert where(err) == {("cadres", 2, "birth_year"), ("cadres", 3, "cadre_id")}


def test_a_bad_cell_is_not_also_reported_as_empty(tmp_path, write_dataset):
    # start_date is unreadable: it must not also be called "empty while end_date is given"
    err = load_error(write_dataset(tmp_path, classes=[{"start_date": "2027-03-88"}]))
    assert [(p.row, p.column) for p in err.problems] == [(2, "start_date")]


def test_validate_false_only_types(tmp_path, write_dataset):
    ds = load_dataset(write_dataset(tmp_path, cadres=[{"cadre_id": "C1"}, {"cadre_id": "C1"}]), YEAR, validate=False)
    assert ds.cadres["cadre_id"].tolist() == ["C1", "C1"]


def test_messages_name_table_row_and_column(tmp_path, write_dataset):
    err = load_error(write_dataset(tmp_path, classes=[{"capacity": "12.5"}]))
    line = str(err).splitlines()[1]
    assert re.fullmatch(r"classes, row 2, column capacity: .+", line)
    assert isinstance(err.problems[0], Problem) and err.exit_code == 2
