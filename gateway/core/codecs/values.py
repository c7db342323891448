"""Values: `[[...], ...]`, rows of values in the declared column order, without names.

Accepted only for a table declared with `orient="values"` (the shape carries no column names, so
nothing else could tell the columns apart). Cells are addressed `Inputs.data[17][2]`, with the
column named in the message.
"""

from __future__ import annotations

from typing import Any, ClassVar, Collection, Mapping

import pandas as pd

from ..decoding import DecodeContext
from ..schema import JSON_SCHEMA, positional_row
from .base import Columns, frame_cells, row_columns, rows_of

__all__ = ("ValuesCodec",)


class ValuesCodec:
    """An array of row arrays (declared column order) ↔ DataFrame."""

    name: ClassVar[str] = "values"
    positional: ClassVar[bool] = True

    def decode(self, obj: Any, path: str, ctx: DecodeContext, names: Collection[str]) -> Columns | None:
        positions = {name: i for i, name in enumerate(names)}
        values = row_columns(obj, path, len(positions), positions, ctx)
        if values is None:
            return None
        return Columns(values, len(obj), positions=positions)

    def cell_path(self, path: str, name: str, position: int, row: int | str) -> str:
        return f"{path}[{row}][{position}]"

    def encode(self, frame: pd.DataFrame) -> list[list[Any]]:
        _, columns = frame_cells(frame)
        return rows_of(columns, len(frame))

    def schema(self, cells: Mapping[str, dict[str, Any]], strict: bool, dialect: str) -> dict[str, Any]:
        if dialect == JSON_SCHEMA:
            return {"type": "array", "items": positional_row(cells)}
        return {"type": "array", "items": {"type": "array", "items": {}}}  # rows of cells by position
