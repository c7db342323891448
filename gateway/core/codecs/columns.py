"""Columns: `{"col": [v, ...], ...}`, one array per column (pandas `orient="list"`).

Every declared column's array must have the same length. Cells are addressed `Inputs.data.age[17]`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Collection, Mapping

import pandas as pd

from gateway.errors import join_path

from ..decoding import DecodeContext, describe_value
from ..schema import JSON_SCHEMA
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

    def schema(self, cells: Mapping[str, dict[str, Any]], strict: bool, dialect: str) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: {"type": "array", "items": cell} for name, cell in cells.items()},
            "required": list(cells),
        }
        if strict and dialect == JSON_SCHEMA:
            schema["additionalProperties"] = False
        return schema
