"""Records: `[{"col": v, ...}, ...]`, one object per row (Power BI, AutoML, designer, Stream Analytics).

Cells are addressed `Inputs.data[17].age`. Each declared column is gathered with one pass over the
rows (`map(itemgetter(name), rows)`); only when a row lacks a key, or rows differ in their keys, does
the codec look at every row's keys. A row lacking a column other rows have is reported at the row:
`Inputs.data[3]: missing column 'age'`; a column no row has is left for `Table` to report.
"""

from __future__ import annotations

from itertools import chain
from operator import itemgetter
from typing import Any, ClassVar, Collection, Mapping

import pandas as pd

from gateway.errors import join_path

from ..cells import ABSENT
from ..decoding import DecodeContext, describe_value
from ..schema import JSON_SCHEMA
from .base import Columns, frame_cells

__all__ = ("RecordsCodec",)


class RecordsCodec:
    """An array of row objects ↔ DataFrame."""

    name: ClassVar[str] = "records"
    positional: ClassVar[bool] = False

    def decode(self, obj: Any, path: str, ctx: DecodeContext, names: Collection[str]) -> Columns | None:
        rows: list[Any] = obj
        if not rows:
            return Columns({}, 0, named=False)
        first = rows[0]
        if type(first) is dict and all(key in names for key in first):
            values: dict[str, Any] = {}
            try:  # every row an object with the first row's keys: one pass per column
                if len(set(map(len, rows))) == 1:
                    for key in first:
                        values[key] = list(map(itemgetter(key), rows))
                    return Columns(values, len(rows))
            except (KeyError, TypeError):  # a row lacks a key, or is not an object
                pass
        if set(map(type, rows)) != {dict}:
            for i, row in enumerate(rows):
                if type(row) is not dict:
                    ctx.problems.add(join_path(path, i), f"expected a row object, got {describe_value(row)}")
                    if ctx.problems.full:
                        break
            return None
        keys = list(dict.fromkeys(chain.from_iterable(rows)))  # every key, in order of first appearance
        columns = {key: _gather(rows, key, path, ctx) for key in keys if key in names}
        return Columns(columns, len(rows), unknown=[key for key in keys if key not in names])

    def cell_path(self, path: str, name: str, position: int, row: int | str) -> str:
        return join_path(f"{path}[{row}]", name)

    def encode(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        names, columns = frame_cells(frame)
        if not columns:
            return [{} for _ in range(len(frame))]
        return [dict(zip(names, row)) for row in zip(*columns)]

    def schema(self, cells: Mapping[str, dict[str, Any]], strict: bool, dialect: str) -> dict[str, Any]:
        item: dict[str, Any] = {"type": "object", "properties": dict(cells), "required": list(cells)}
        if strict and dialect == JSON_SCHEMA:
            item["additionalProperties"] = False
        return {"type": "array", "items": item}


def _gather(rows: list[dict[str, Any]], key: str, path: str, ctx: DecodeContext) -> list[Any]:
    """One column's cells; rows lacking the key get `ABSENT` and a problem at the row."""
    try:
        return list(map(itemgetter(key), rows))
    except KeyError:
        cells = [row.get(key, ABSENT) for row in rows]
    for i, cell in enumerate(cells):
        if cell is ABSENT:
            ctx.problems.add(join_path(path, i), f"missing column '{key}'")
            if ctx.problems.full:
                break
    return cells
