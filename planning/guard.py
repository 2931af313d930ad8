"""One clear message and a non-zero exit for every failure a user can cause or meet, never a traceback.

`run_guarded(func, *args)` runs a command and turns the anticipated failures into an exit code
and one message on stderr: the planner's own errors (their exit codes), an interrupt (130),
a closed output pipe (`planning validate | head`: quiet, 141), a full disk, a read-only or
forbidden place, a name too long, and running out of memory (1). Outputs need no clean-up
here: planning.io writes every folder and file through a temporary sibling that is removed
on any exit, so an interrupted or failed write leaves the old output as it was.
"""
from __future__ import annotations

import errno
import os
import sys
from typing import Any, Callable

from planning.errors import DataError, InfeasiblePlan, PlanningError, PolicyError

EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

_OS_ERRORS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "the operation is not permitted",
    errno.EROFS: "the file system is read-only",
    errno.ENAMETOOLONG: "a file name is too long",
    errno.ENOENT: "a file or folder does not exist",
    errno.ENOTDIR: "a path runs through a file, not a folder",
    errno.EISDIR: "a folder was given where a file is needed",
    errno.EEXIST: "a file already exists there",
    errno.EMFILE: "too many files are open",
    errno.EIO: "an input/output error occurred",
}

UNCHANGED = "nothing was written: existing outputs are as they were"


def _say(msg: str) -> None:
    try:
        print(msg, file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so Python's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def describe_os_error(e: OSError) -> str:
    what = _OS_ERRORS.get(e.errno, e.strerror or type(e).__name__)
    where = " and ".join(str(f) for f in (e.filename, e.filename2) if f)
    return f"{what}{f' ({where})' if where else ''}"


def run_guarded(func: Callable[..., int | None], *args: Any, prog: str = "planning") -> int:
    """`func(*args)` as a command: its exit code, or the exit code of the failure it met."""
    try:
        code = int(func(*args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the guard, not at interpreter exit
        return code
    except SystemExit as e:  # argparse's --help and usage errors
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_stdout()
            return EXIT_BROKEN_PIPE
        raise e
    except DataError as e:
        _say(str(e))
        return 2
    except PolicyError as e:
        _say(str(e))
        return 2
    except InfeasiblePlan as e:
        _say(str(e))
        return 3
    except PlanningError as e:
        _say(str(e))
        return e.exit_code
    except KeyboardInterrupt:
        _say(f"{prog}: interrupted; {UNCHANGED}")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except MemoryError:
        _say(f"{prog}: out of memory; {UNCHANGED}. Try a smaller data set or a --district.")
        return 1
    except RecursionError:
        _say(f"{prog}: the input is nested too deeply to read; {UNCHANGED}")
        return 2
    except OSError as e:
        _say(f"{prog}: {describe_os_error(e)}; {UNCHANGED}")
        return 1
