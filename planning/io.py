"""The one way the planner writes files: output folders it may replace, and atomic files.

A command that writes a folder the user names (`--out`) does this, and nothing else::

    from planning.io import output_dir, write_csv, write_json

    with output_dir(args.out, inputs=[args.data, args.policy], kind="simulation") as tmp:
        write_csv(table, tmp / "kpis.csv")          # everything goes into `tmp`
        write_json(summary, tmp / "summary.json")
    # here `out` holds the complete new folder (with MARKER); the old one is gone

`output_dir` = `check_output_target` (refuse before any work, OutputError, exit 2: a file, an
input or a folder holding one, a folder inside a planner-written input, the current folder or
one holding it, a non-empty folder without MARKER, an unwritable place) + `hold_output` (an
flock, so a second run on the same `out` stops at once) + `atomic_dir` (write into a temporary
sibling, add MARKER, swap it into place in one step; the old folder is deleted only after
that; on any error the temporary folder vanishes and `out` is as it was).

A long run (a solve, a simulation) checks and holds its target BEFORE the work, so a refusal
or a clash costs nothing, then writes at the end::

    target = check_output_target(out, [data, policy], kind="plan")
    with hold_output(target):
        result = solve(...)                           # minutes
        with atomic_dir(target, kind="plan") as tmp:  # nests within the held lock
            write(result, tmp)

(as `planning.pipeline.run_plan` does). A folder that gathers runs over time (a batch's output
root) is created with `ensure_output_root` and each run in it written with `atomic_dir`.
Sub-folders written inside `tmp` (one plan per scenario or year) need nothing more: they move
with `tmp`. Calling `run_plan(..., out=tmp / "plan")` inside is fine.

A single file (a PDF, a workbook, a CSV table) goes through `atomic_path` / `atomic_file`
after `check_output_file(out, inputs, suffixes=(".pdf",))`. CSVs for people are written with
`write_csv` (formula-safe: a text cell starting with = + - @ tab or ' gets a leading ') and
read back exactly with `read_plan_csv`. Tests that list an output folder ignore MARKER.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import functools
import json
import os
import re
import shutil
import stat
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd

from planning.errors import PlanningError

MARKER = ".cadre-planner-output"
"""A file in every folder the planner created; only such a folder (or an empty one) is replaced."""

_MARKER_TEXT = ("This folder was written by Cadre Training Planner ({kind}).\n"
                "The planner may replace or remove it as a whole; do not keep your own files here.\n")
_TMP = ".{name}.tmp-"
_OLD = ".{name}.old-"
_LOCK = ".{name}.lock"


class OutputError(PlanningError):
    """The output target cannot be written safely (exit 2, before any work)."""

    exit_code = 2


# --------------------------------------------------------------------------- checks
def _abs(p: str | Path) -> Path:
    return Path(os.path.abspath(os.path.expanduser(str(p))))


def _real(p: str | Path) -> Path:
    return Path(os.path.realpath(os.path.expanduser(str(p))))


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def _input_paths(inputs: Iterable[Any]) -> list[Path]:
    """The inputs given as paths (a loaded Dataset carries its source; other objects are skipped)."""
    paths = []
    for i in inputs:
        if i is None:
            continue
        if not isinstance(i, (str, os.PathLike)):
            i = getattr(i, "path", None) or getattr(i, "source", None)
            if not isinstance(i, (str, os.PathLike)) or not str(i):
                continue
        if os.path.exists(os.path.expanduser(str(i))):
            paths.append(_real(i))
    return paths


def is_planner_output(folder: str | Path) -> bool:
    return (Path(folder) / MARKER).is_file()


def _writable_parent(target: Path) -> None:
    """The first existing ancestor must be a writable folder, and the temporary names must fit."""
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write {target}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {target}: the folder {parent} is not writable "
                          "(choose an --out in a folder you may write to)")
    try:
        name_max = os.pathconf(parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    longest = len(_TMP.format(name=target.name).encode()) + 16
    if longest > name_max:
        raise OutputError(f"cannot write {target}: the name is too long "
                          f"(at most {name_max - (longest - len(target.name.encode()))} bytes here)")


def _check_not_input(target: Path, inputs: Iterable[Any], what: str, *, inside_ok: bool = False) -> None:
    real = _real(target)
    for p in _input_paths(inputs):
        if real == p:
            raise OutputError(f"{what} {target} is an input of this command; "
                              "choose another --out (inputs are never overwritten)")
        if _inside(p, real):
            raise OutputError(f"{what} {target} contains the input {p}; "
                              "choose a new folder for --out (inputs are never overwritten)")
        if not inside_ok and p.is_dir() and _inside(real, p) and is_planner_output(p):
            # the input folder is one the planner replaces whole (a generated data set): what is
            # written inside it would go with it
            raise OutputError(f"{what} {target} is inside the input folder {p}, which the planner may "
                              "replace as a whole; choose a folder outside it for --out")


# A plan folder written before the marker existed holds these files and nothing else.
LEGACY_PLAN_FILES = frozenset({"plan.csv", "classes.csv", "shortfall.csv", "coverage.csv", "policy.yaml",
                               "summary.json"})


def _legacy_plan(entries: list[str]) -> bool:
    return "summary.json" in entries and set(entries) <= LEGACY_PLAN_FILES


def check_output_target(out: str | Path, inputs: Iterable[Any] = (), *, kind: str = "output") -> Path:
    """Refuse an output folder that the planner must not replace; returns it as an absolute path.

    Allowed: a path that does not exist (in a writable folder), an empty folder, or a folder
    holding MARKER (one the planner wrote), or a plan folder from before the marker (only the
    plan's own files, summary.json among them). Refused (OutputError, exit 2): a file; the current
    folder or one containing it; an input (data, policy, scenario, plan …) or a folder containing
    one; a folder inside an input folder the planner wrote (it may be replaced whole); a
    non-empty folder without MARKER; an unwritable place. A new folder inside a user's own
    input folder is allowed: nothing in the input is touched."""
    target = _abs(out)
    what = f"the {kind} folder"
    if str(out).strip() == "":
        raise OutputError("the output folder is empty: give --out a folder name")
    if target.is_symlink():
        raise OutputError(f"{what} {target} is a symbolic link; give the real folder instead")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{what} {target} is an existing file, not a folder; "
                          "choose another --out (the planner never replaces a file with a folder)")
    try:
        cwd = _real(Path.cwd())
    except OSError:  # the current folder was deleted: nothing to protect there
        cwd = None
    if cwd is not None and _inside(cwd, _real(target)):
        raise OutputError(f"{what} {target} is the current folder or contains it; "
                          "give --out a new subfolder, e.g. --out plans/2027")
    _check_not_input(target, inputs, what)
    if target.is_dir():
        try:
            entries = [e for e in os.listdir(target) if e != MARKER]
        except OSError as e:
            raise OutputError(f"{what} {target} cannot be read ({e.strerror or e})") from None
        if entries and not is_planner_output(target) and not _legacy_plan(entries):
            raise OutputError(f"{what} {target} already exists and holds files the planner did not write "
                              f"(e.g. {sorted(entries)[0]}); choose a new or empty folder for --out, "
                              "or remove that folder yourself")
    _writable_parent(target)
    return target


def check_output_file(out: str | Path, inputs: Iterable[Any] = (), *, kind: str = "output",
                      suffixes: tuple[str, ...] = ()) -> Path:
    """Refuse an output file that is a folder, an input or unwritable; returns it absolute.

    An existing file is replaced (atomically) only if its name ends in one of `suffixes`
    (e.g. (".pdf",)): a report never replaces someone's notes.yaml."""
    target = _abs(out)
    what = f"the {kind} file"
    if str(out).strip() == "" or target.name == "":
        raise OutputError(f"{what} has no name: give a file name")
    if target.is_dir():
        raise OutputError(f"{what} {target} is an existing folder; give a file name "
                          f"(e.g. {target / ('report' + (target.suffix or '.pdf'))})")
    if target.is_symlink():
        raise OutputError(f"{what} {target} is a symbolic link; give the real file instead")
    _check_not_input(target, inputs, what, inside_ok=True)
    if suffixes and target.exists() and target.suffix.lower() not in suffixes:
        raise OutputError(f"{what} {target} is an existing file that is not a {' or '.join(suffixes)} file; "
                          "choose another name (the planner does not replace other kinds of files)")
    if target.exists() and not os.access(target, os.W_OK):
        raise OutputError(f"{what} {target} is read-only")
    _writable_parent(target)
    return target


# --------------------------------------------------------------------------- the lock
_held: dict[Path, int] = {}  # folders this process holds, with a count (hold_output nests)
_held_guard = threading.Lock()


@contextmanager
def hold_output(out: str | Path) -> Iterator[Path]:
    """Hold an exclusive lock on the output `out` (a file `.<name>.lock` beside it, flock) so
    that a second run writing the same place stops at once (OutputError, exit 2). Nests within
    one process; released on any exit, also when the process is killed."""
    target = _abs(out)
    with _held_guard:
        if target in _held:
            _held[target] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield target
        finally:
            with _held_guard:
                _held[target] -= 1
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = target.parent / _LOCK.format(name=target.name)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputError(f"another planner run is writing {target} right now; wait for it to finish "
                              "or choose another --out") from None
        try:  # the holder before us may have removed the file it locked: lock the one that is there
            if os.fstat(fd).st_ino == os.stat(lock).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    with _held_guard:
        _held[target] = 1
    try:
        yield target
    finally:
        with _held_guard:
            del _held[target]
        try:
            os.unlink(lock)
        except OSError:
            pass
        os.close(fd)


# --------------------------------------------------------------------------- atomic folders
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            try:
                fd = os.open(os.path.join(dirpath, f), os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_RENAME_EXCHANGE = 2


@functools.lru_cache(maxsize=1)
def _libc():
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    libc = _libc()
    fn = getattr(libc, "renameat2", None) if libc is not None else None
    if fn is None:
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def clear_leftovers(target: str | Path) -> None:
    """Temporary and set-aside folders of earlier, interrupted writes of `target` (call with the
    lock held: no live run is using them)."""
    target = _abs(target)
    if not target.parent.is_dir():
        return
    if not target.exists():
        # killed between the two renames of the fallback swap: the old folder is put back
        olds = sorted(target.parent.glob(_OLD.format(name=glob_escape(target.name)) + "*"),
                      key=lambda p: p.stat().st_mtime)
        if olds and olds[-1].is_dir():
            os.replace(olds[-1], target)
    for pattern in (_TMP, _OLD):
        for old in target.parent.glob(pattern.format(name=glob_escape(target.name)) + "*"):
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)


def sweep_leftovers(target: str | Path) -> None:
    """clear_leftovers if no run holds `target` now (else leave them: they may be that run's)."""
    try:
        with hold_output(target):
            clear_leftovers(target)
    except (OutputError, OSError):
        pass


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def replace_dir(tmp: Path, target: Path) -> None:
    """Put the finished folder `tmp` at `target` (a sibling): one atomic swap where the system
    has one, else two renames; the old folder is deleted only once the new one is in place."""
    _fsync_tree(tmp)
    if target.exists() and _exchange(tmp, target):
        if tmp.is_dir() and not tmp.is_symlink():  # `tmp` now holds the old folder
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
    else:
        old = None
        if target.exists():
            old = target.parent / (_OLD.format(name=target.name) + f"{os.getpid()}-{threading.get_ident()}")
            os.replace(target, old)
        try:
            os.replace(tmp, target)
        except BaseException:
            if old is not None:
                os.replace(old, target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(target.parent)


def write_marker(folder: str | Path, kind: str = "output") -> None:
    Path(folder, MARKER).write_text(_MARKER_TEXT.format(kind=kind), encoding="utf-8")


@contextmanager
def atomic_dir(target: str | Path, *, kind: str = "output") -> Iterator[Path]:
    """Yield a temporary folder beside `target`; on success it gets MARKER and replaces
    `target` whole (see replace_dir), on any error it vanishes and `target` stays as it was.
    Does not check the target (see check_output_target / output_dir); takes its lock."""
    target = _abs(target)
    with hold_output(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(target)
        tmp = Path(tempfile.mkdtemp(prefix=_TMP.format(name=target.name), dir=target.parent))
        try:
            os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it owner-only; a plan folder is for all who may read
            yield tmp
            write_marker(tmp, kind)
            replace_dir(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


@contextmanager
def output_dir(out: str | Path, inputs: Iterable[Any] = (), *, kind: str = "output") -> Iterator[Path]:
    """THE way to write an output folder a user named: check, lock, write atomically, mark."""
    target = check_output_target(out, inputs, kind=kind)
    with hold_output(target), atomic_dir(target, kind=kind) as tmp:
        yield tmp


def ensure_output_root(out: str | Path, inputs: Iterable[Any] = (), *, kind: str = "output") -> Path:
    """A folder that accumulates outputs (a batch's output root): checked like an output folder,
    then created with MARKER (an existing marked folder is kept as it is)."""
    target = check_output_target(out, inputs, kind=kind)
    target.mkdir(parents=True, exist_ok=True)
    if not is_planner_output(target):
        write_marker(target, kind)
    return target


# --------------------------------------------------------------------------- atomic files
def _file_mode(out: Path) -> int:
    """The permissions a plain open() would give: the old file's, else 0666 minus the umask."""
    try:
        return stat.S_IMODE(out.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


@contextmanager
def atomic_path(out: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `out`; on success it replaces `out` (os.replace), on error
    it is removed and `out` is left as it was."""
    out = _abs(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _file_mode(out))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
        _fsync_dir(out.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_file(target: str | Path, data: bytes | str) -> Path:
    """Write `data` to `target` atomically (readers see the old file or the whole new one)."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(target)


# --------------------------------------------------------------------------- CSV and JSON
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, with a leading ' (so it shows as text).
    Plain numbers written as text ("-3.5") are left alone; a text starting with ' gets one more,
    so that `csv_unsafe` gives back exactly what was written."""
    if isinstance(value, str) and value and (
            value[0] == "'" or (value[0] in FORMULA_START and not _NUMBER.fullmatch(value))):
        return "'" + value
    return value


def csv_unsafe(value: str) -> str:
    """The inverse of csv_safe for a cell read as text."""
    return value[1:] if isinstance(value, str) and value.startswith("'") else value


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """A table as CSV (UTF-8, '\\n' line ends), its text cells formula-safe (see csv_safe)."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_object_dtype(out[c]) or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(csv_safe)
    out.to_csv(path, index=False, lineterminator="\n")


def read_plan_csv(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """A CSV the planner wrote (write_csv), every cell as text exactly as it was written."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig", **kwargs)
    for c in df.columns:
        df[c] = df[c].map(csv_unsafe)
    return df


def write_json(obj: Any, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


def num(x: float) -> int | float:
    """12.0 → 12, 7.5 → 7.5: numbers as a planner writes them, stable across runs."""
    x = float(x)
    return int(x) if x.is_integer() else round(x, 6)
