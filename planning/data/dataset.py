"""The typed data set: one frame per contract table (`planning.data.load` reads it, `planning.data.validate`
checks it; both import it from here, so neither imports the other's module to learn its shape)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from planning.errors import Problem

ROW = "_row"  # the row number as the user sees it in the file (header = 1)


@dataclass
class Dataset:
    """A typed data set: one frame per contract table, each with a `_row` column."""

    tables: dict[str, pd.DataFrame]
    source: str
    warnings: list[Problem] = field(default_factory=list)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def copy(self) -> "Dataset":
        return Dataset({k: v.copy() for k, v in self.tables.items()}, self.source, list(self.warnings))
