"""Columns: `{"col": [v, ...], ...}`, one array per column (pandas `orient="list"`).

Every declared column's array must have the same length. Cells are addressed `Inputs.data.age[17]`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Collection

import pandas as pd

from ..errors import join_path
from ..specs import DecodeContext, describe_value
from .base import Columns, frame_cells

__all__ = ("ColumnsCodec",)


class ColumnsCodec:
    """`{column: [values]}` ↔ DataFrame."""

    name: ClassVar[str] = "columns"
    positional: ClassVar[bool] = False

    def decode(self, obj: Any, path: str, ctx: DecodeContext, names: Collection[str]) -> Columns | None:
        values: dict[str, Any] = {}
        unknown: list[str] = []
        rows: int | None = None
        first = ""
        ok = True
        for name, cells in obj.items():
            if name not in names:
                unknown.append(name)
            elif type(cells) is not list:
                ctx.problems.add(
                    join_path(path, name), f"expected an array of the column's values, got {describe_value(cells)}"
                )
                ok = False
            elif rows is None:
                rows, first = len(cells), name
                values[name] = cells
            elif len(cells) != rows:
                ctx.problems.add(
                    join_path(path, name), f"expected {rows} values, as column '{first}' has, got {len(cells)}"
                )
                ok = False
            else:
                values[name] = cells
        if not ok:
            return None
        positions = {name: i for i, name in enumerate(obj)}
        return Columns(values, rows or 0, unknown=unknown, positions=positions)

    def cell_path(self, path: str, name: str, position: int, row: int) -> str:
        return f"{join_path(path, name)}[{row}]"

    def encode(self, frame: pd.DataFrame) -> dict[str, list[Any]]:
        names, columns = frame_cells(frame)
        return dict(zip(names, columns))
