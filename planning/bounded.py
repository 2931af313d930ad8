"""Bounded reading of hostile input: YAML with limits on size and alias expansion, workbooks
with limits on their inflated size and row count, CSV tables with limits on size and rows. Fixed limits, independent of the policy
(the policy is itself read through them); stated in the README's Safety section.

A small YAML file of nested anchors ("billion laughs") expands into billions of nodes when a
program walks it; a small .xlsx can inflate to gigabytes. Both are refused here, before they
cost memory or time, with a message naming the file (InputLimitError, exit 2).
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import yaml

from planning.errors import PlanningError

MAX_YAML_BYTES = 1_000_000          # a policy, scenario or manifest file
MAX_YAML_NODES = 100_000            # nodes after expanding every alias (the default policy has ~400)
MAX_YAML_DEPTH = 50                 # nesting depth
MAX_XLSX_INFLATED = 512 * 2 ** 20   # bytes of a workbook's unpacked parts together
MAX_XLSX_MEMBERS = 10_000           # parts in a workbook
MAX_XLSX_RATIO = 200                # unpacked / packed size of one part (a zip bomb is thousands)
MAX_SHEET_ROWS = 1_000_000          # rows in one sheet (Excel's own limit is 1,048,576)
MAX_CSV_BYTES = 512 * 2 ** 20       # one CSV table (a 20,000-cadre county's largest table is ~30 MB)


class InputLimitError(PlanningError):
    """An input file is larger or deeper than the planner reads (exit 2)."""

    exit_code = 2


# --------------------------------------------------------------------------- YAML
def _expanded_size(node: yaml.Node, source: str) -> int:
    """Nodes in the document once every alias is expanded (shared nodes counted each time they
    are used), computed without expanding anything; refuses recursion and deep nesting."""
    memo: dict[int, int] = {}
    on_path: set[int] = set()

    def size(n: yaml.Node, depth: int) -> int:
        key = id(n)
        if key in memo:
            return memo[key]
        if depth > MAX_YAML_DEPTH:
            raise InputLimitError(f"{source}: nested more than {MAX_YAML_DEPTH} levels deep; the planner "
                                  "does not read such files")
        if key in on_path:
            raise InputLimitError(f"{source}: an alias refers to itself (a recursive structure); "
                                  "the planner does not read such files")
        on_path.add(key)
        total = 1
        if isinstance(n, yaml.SequenceNode):
            children = n.value
        elif isinstance(n, yaml.MappingNode):
            children = [x for pair in n.value for x in pair]
        else:
            children = []
        for c in children:
            total += size(c, depth + 1)
            if total > MAX_YAML_NODES:
                break
        on_path.discard(key)
        memo[key] = total
        if total > MAX_YAML_NODES:
            raise InputLimitError(f"{source}: expands to more than {MAX_YAML_NODES:,} values (its anchors and "
                                  "aliases multiply); the planner does not read such files")
        return total

    return size(node, 0)


def safe_yaml(text: str, source: str = "YAML file") -> Any:
    """`yaml.safe_load(text)` within the limits above; yaml.YAMLError for bad syntax."""
    if len(text.encode("utf-8", "replace")) > MAX_YAML_BYTES:
        raise InputLimitError(f"{source}: larger than {MAX_YAML_BYTES:,} bytes; a settings file is far smaller")
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, source)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_yaml(path: str | Path, source: str | None = None) -> Any:
    """A YAML file within the limits (its size is checked before it is read)."""
    p = Path(path)
    source = source or str(p)
    if p.stat().st_size > MAX_YAML_BYTES:
        raise InputLimitError(f"{source}: larger than {MAX_YAML_BYTES:,} bytes; a settings file is far smaller")
    return safe_yaml(p.read_text(encoding="utf-8"), source)


# --------------------------------------------------------------------------- workbooks
def check_workbook(path: str | Path) -> None:
    """Refuse a workbook whose parts would unpack beyond the limits (zip bombs), before openpyxl
    reads it. The sizes come from the zip's directory; Python's zip reader never unpacks a part
    beyond its stated size, so a false entry cannot get past the limit either."""
    p = Path(path)
    try:
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise InputLimitError(f"{p.name} cannot be read as an Excel workbook ({e})") from None
    if len(infos) > MAX_XLSX_MEMBERS:
        raise InputLimitError(f"{p.name} has {len(infos):,} parts (at most {MAX_XLSX_MEMBERS:,}); "
                              "it is not a workbook the planner reads")
    total = sum(i.file_size for i in infos)
    if total > MAX_XLSX_INFLATED:
        raise InputLimitError(f"{p.name} unpacks to {total / 2 ** 20:,.0f} MiB (at most "
                              f"{MAX_XLSX_INFLATED / 2 ** 20:,.0f} MiB); save the tables as CSV files instead")
    for i in infos:
        if i.file_size > 1_000_000 and i.file_size > MAX_XLSX_RATIO * max(1, i.compress_size):
            raise InputLimitError(f"{p.name}: its part {i.filename} unpacks {i.file_size // max(1, i.compress_size):,} "
                                  "times its packed size (a zip bomb?); the planner does not read it")


def check_sheet_rows(name: str, row: int, workbook: str) -> None:
    """Called while reading a sheet: stop at MAX_SHEET_ROWS."""
    if row > MAX_SHEET_ROWS:
        raise InputLimitError(f"{workbook}: the sheet '{name}' has more than {MAX_SHEET_ROWS:,} rows; "
                              "the planner does not read such sheets")


# --------------------------------------------------------------------------- CSV tables
def csv_size_problem(path: str | Path) -> str | None:
    """Why a CSV table is too large to read (checked from its size, before it is read), or None."""
    p = Path(path)
    size = p.stat().st_size
    if size > MAX_CSV_BYTES:
        return (f"{p.name} is {size / 2 ** 20:,.0f} MiB (at most {MAX_CSV_BYTES / 2 ** 20:,.0f} MiB for one table); "
                "the planner does not read such files — is it the right file?")
    return None


def csv_rows_problem(name: str, rows: int) -> str | None:
    """Why a CSV table has too many rows (checked while it is read), or None."""
    if rows > MAX_SHEET_ROWS:
        return f"{name} has more than {MAX_SHEET_ROWS:,} rows; the planner does not read such tables"
    return None
