"""Columns: `{"col": [v, ...], ...}`, one array per column (pandas `orient="list"`), or
`{"col": {"label": v, ...}, ...}`, one object per column keyed by row label (pandas `orient="columns"`,
what `DataFrame.to_json()` writes by default).

Every declared column's array must have the same length; labelled columns, the same labels, which
become the DataFrame's index. Cells are addressed `Inputs.data.age[17]`, or `Inputs.data.age["0"]`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Collection, Mapping

import pandas as pd

from gateway.errors import join_path

from ..decoding import DecodeContext, describe_value
from ..schema import JSON_SCHEMA
from .base import Columns, frame_cells, labels_index

__all__ = ("ColumnsCodec",)


class ColumnsCodec:
    """`{column: [values]}` ↔ DataFrame."""

    name: ClassVar[str] = "columns"
    positional: ClassVar[bool] = False

    def decode(self, obj: Any, path: str, ctx: DecodeContext, names: Collection[str]) -> Columns | None:
        values: dict[str, Any] = {}
        unknown: list[str] = []
        shape: list[Any] | int | None = None  # the first column's labels, or its length
        first = ""
        ok = True
        for name, cells in obj.items():
            if name not in names:
                unknown.append(name)
                continue
            kind = type(cells)
            if kind is not list and kind is not dict:
                ctx.problems.add(
                    join_path(path, name), f"expected an array of the column's values, got {describe_value(cells)}"
                )
                ok = False
                continue
            if shape is None:
                shape, first = (list(cells) if kind is dict else len(cells)), name
            problem = _mismatch(cells, shape, first)
            if problem:
                ctx.problems.add(join_path(path, name), problem)
                ok = False
            elif kind is dict:
                assert isinstance(shape, list)
                same_order = list(cells) == shape
                values[name] = list(cells.values()) if same_order else [cells[label] for label in shape]
            else:
                values[name] = cells
        if not ok:
            return None
        positions = {name: i for i, name in enumerate(obj)}
        if isinstance(shape, list):
            return Columns(values, len(shape), unknown=unknown, positions=positions, index=labels_index(shape), labels=shape)
        return Columns(values, shape or 0, unknown=unknown, positions=positions)

    def cell_path(self, path: str, name: str, position: int, row: int | str) -> str:
        return join_path(join_path(path, name), row)

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


def _mismatch(cells: list[Any] | dict[str, Any], shape: list[Any] | int, first: str) -> str:
    """What is wrong with a column's shape beside the first column's (empty when nothing)."""
    if isinstance(shape, int):
        if type(cells) is dict:
            return f"expected an array of {shape} values, as column '{first}' has, got an object"
        return "" if len(cells) == shape else f"expected {shape} values, as column '{first}' has, got {len(cells)}"
    if not isinstance(cells, dict):
        return f"expected an object keyed by row label, as column '{first}' has, got an array"
    if len(cells) == len(shape) and cells.keys() == set(shape):
        return ""
    missing = [label for label in shape if label not in cells][:3]
    extra = [label for label in cells if label not in set(shape)][:3]
    parts = [f"lacks row label(s) {', '.join(map(repr, missing))}" if missing else "",
             f"has row label(s) {', '.join(map(repr, extra))} that column '{first}' lacks" if extra else ""]
    return f"expected the row labels of column '{first}': this column " + " and ".join(p for p in parts if p)
