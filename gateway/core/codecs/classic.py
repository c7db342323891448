"""Studio classic: `{"ColumnNames": [...], "Values": [[...], ...], "ColumnTypes": [...]?}`.

Azure ML Studio (classic) request-response clients send this shape inside `Inputs` and expect
answers in it. `ColumnTypes` is optional on input; when sent it must be an array of names, which are
not otherwise checked (the declared dtypes rule);
encoding writes it with .NET-style names (`Int64`, `Double`, `Boolean`, `String`, `DateTime`).
Cells are addressed `Inputs.input1.Values[17][2]`, with the column named in the message.
"""

from __future__ import annotations

from typing import Any, ClassVar, Collection, Mapping

import pandas as pd

from gateway.errors import join_path

from ..decoding import DecodeContext, describe_value
from ..dtypes import WIRE_DTYPES, wire_name_of
from ..schema import wrapped_rows
from .base import Columns, check_names, frame_cells, required_keys, row_columns, rows_of

__all__ = ("ClassicCodec",)


class ClassicCodec:
    """`{"ColumnNames", "Values", "ColumnTypes"?}` ↔ DataFrame."""

    name: ClassVar[str] = "classic"
    positional: ClassVar[bool] = True

    def decode(self, obj: Any, path: str, ctx: DecodeContext, names: Collection[str]) -> Columns | None:
        if not required_keys(obj, ("ColumnNames", "Values"), path, ctx):
            return None
        if "ColumnTypes" in obj:
            types = obj["ColumnTypes"]
            if type(types) is not list or not all(type(t) is str for t in types):
                shown = describe_value(types) if type(types) is not list else "an array with non-string items"
                ctx.problems.add(join_path(path, "ColumnTypes"), f"expected an array of type names, got {shown}")
                return None
        wire_names = obj["ColumnNames"]
        if not check_names(wire_names, join_path(path, "ColumnNames"), ctx):
            return None
        positions = {name: i for i, name in enumerate(wire_names)}
        wanted = {name: i for name, i in positions.items() if name in names}
        values = row_columns(obj["Values"], join_path(path, "Values"), len(wire_names), wanted, ctx)
        if values is None:
            return None
        unknown = [name for name in wire_names if name not in names]
        return Columns(values, len(obj["Values"]), unknown=unknown, positions=positions)

    def cell_path(self, path: str, name: str, position: int, row: int | str) -> str:
        return f"{path}.Values[{row}][{position}]"

    def encode(self, frame: pd.DataFrame) -> dict[str, Any]:
        names, columns = frame_cells(frame)
        return {
            "ColumnNames": names,
            "ColumnTypes": [_classic_type(frame.iloc[:, i]) for i in range(frame.shape[1])],
            "Values": rows_of(columns, len(frame)),
        }

    def schema(self, cells: Mapping[str, dict[str, Any]], strict: bool, dialect: str) -> dict[str, Any]:
        types = {"type": "array", "items": {"type": "string"}}
        return wrapped_rows("ColumnNames", "Values", ("ColumnTypes", types, dict(types)), cells, dialect)


def _classic_type(series: pd.Series) -> str:
    try:
        name, _ = wire_name_of(series.dtype, series)
    except TypeError:
        return "String"
    return WIRE_DTYPES[name].classic
