"""Write a file so that readers see the old file or the complete new one, never half of it."""
from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path


def _mode_for(out: Path) -> int:
    """The permissions a plain open() would give: the old file's, else 0666 minus the umask
    (mkstemp makes 0600 files, and a handout must stay readable by the people it is for)."""
    try:
        return stat.S_IMODE(out.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextmanager
def atomic_target(out: str | Path):
    """Yields a temporary path next to `out`; on success it replaces `out` (os.replace),
    on error it is removed and `out` is left as it was."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, _mode_for(out))
        os.replace(tmp_path, out)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
