"""Split: `{"columns": [...], "data": [[...], ...], "index": [...]}` (pandas `orient="split"`, MLflow).

`index` is optional; when given it must hold one label per row and becomes the frame's index.
Cells are addressed by row and wire position, and messages name the column:
`Inputs.data.data[17][2]: expected an integer (int64), got "abc" (column 'age')`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Collection, Mapping

import pandas as pd

from gateway.errors import join_path

from ..decoding import DecodeContext, describe_value
from ..schema import wrapped_rows
from .base import (
    Columns,
    check_names,
    column_cells,
    frame_cells,
    required_keys,
    row_columns,
    rows_of,
)

__all__ = ("SplitCodec",)

_LABEL_TYPES = frozenset({str, int, float})


class SplitCodec:
    """`{"columns", "data", "index"?}` ↔ DataFrame."""

    name: ClassVar[str] = "split"
    positional: ClassVar[bool] = True

    def decode(self, obj: Any, path: str, ctx: DecodeContext, names: Collection[str]) -> Columns | None:
        if not required_keys(obj, ("columns", "data"), path, ctx):
            return None
        wire_names = obj["columns"]
        if not check_names(wire_names, join_path(path, "columns"), ctx):
            return None
        positions = {name: i for i, name in enumerate(wire_names)}
        wanted = {name: i for name, i in positions.items() if name in names}
        values = row_columns(obj["data"], join_path(path, "data"), len(wire_names), wanted, ctx)
        if values is None:
            return None
        rows = len(obj["data"])
        index = obj.get("index")
        if "index" in obj and not _valid_index(index, rows, join_path(path, "index"), ctx):
            return None
        unknown = [name for name in wire_names if name not in names]
        return Columns(values, rows, unknown=unknown, positions=positions, index=index)

    def cell_path(self, path: str, name: str, position: int, row: int | str) -> str:
        return f"{path}.data[{row}][{position}]"

    def encode(self, frame: pd.DataFrame) -> dict[str, Any]:
        names, columns = frame_cells(frame)
        encoded: dict[str, Any] = {"columns": names}
        if not _default_index(frame.index):
            encoded["index"] = column_cells(pd.Series(frame.index))
        encoded["data"] = rows_of(columns, len(frame))
        return encoded

    def schema(self, cells: Mapping[str, dict[str, Any]], strict: bool, dialect: str) -> dict[str, Any]:
        return wrapped_rows("columns", "data", ("index", {"type": "array"}, {"type": "array", "items": {}}), cells, dialect)


def _valid_index(index: Any, rows: int, index_path: str, ctx: DecodeContext) -> bool:
    if type(index) is not list:
        ctx.problems.add(index_path, f"expected an array of row labels, got {describe_value(index)}")
        return False
    if len(index) != rows:
        ctx.problems.add(index_path, f"expected {rows} row labels (one per row), got {len(index)}")
        return False
    if not set(map(type, index)) <= _LABEL_TYPES:
        for i, label in enumerate(index):
            if type(label) not in _LABEL_TYPES:
                ctx.problems.add(join_path(index_path, i), f"expected a row label, got {describe_value(label)}")
                if ctx.problems.full:
                    break
        return False
    return True


def _default_index(index: pd.Index) -> bool:
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
