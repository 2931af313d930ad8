"""HTML → PDF with WeasyPrint, written atomically."""
from __future__ import annotations

import logging
from pathlib import Path

from planning.io import atomic_path


def write_pdf(html: str, out: str | Path) -> Path:
    """Render `html` (a complete document with inline CSS and images) to the PDF `out`."""
    from weasyprint import HTML

    # WeasyPrint and fontTools report every unsupported CSS hint and font-table detail at
    # WARNING/INFO level; a planner running the CLI should see only our own messages.
    for name in ("weasyprint", "fontTools"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:  # leave a caller's explicit choice alone
            logger.setLevel(logging.ERROR)
    out = Path(out)
    document = HTML(string=html, base_url=str(out.parent.resolve())).render()
    with atomic_path(out) as tmp:
        document.write_pdf(tmp)
    return out
