"""Index: `{"label": {"col": v, ...}, ...}`, one object per row keyed by its row label (pandas
`orient="index"`). The labels become the DataFrame's index (`labels_index`).

Cells are addressed `Inputs.data.r1.age` (`Inputs.data["0"].age` for a numeric label).
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
from .base import Columns, frame_cells, labels_index

__all__ = ("IndexCodec",)


class IndexCodec:
    """An object of row objects keyed by row label ↔ DataFrame."""

    name: ClassVar[str] = "index"
    positional: ClassVar[bool] = False

    def decode(self, obj: Any, path: str, ctx: DecodeContext, names: Collection[str]) -> Columns | None:
        labels = list(obj)
        rows = list(obj.values())
        if set(map(type, rows)) != {dict}:
            for label, row in zip(labels, rows):
                if type(row) is not dict:
                    ctx.problems.add(join_path(path, label), f"expected a row object, got {describe_value(row)}")
                    if ctx.problems.full:
                        break
            return None
        keys = list(dict.fromkeys(chain.from_iterable(rows)))
        values: dict[str, list[Any]] = {}
        for key in keys:
            if key not in names:
                continue
            try:
                values[key] = list(map(itemgetter(key), rows))
            except KeyError:
                values[key] = cells = [row.get(key, ABSENT) for row in rows]
                for label, cell in zip(labels, cells):
                    if cell is ABSENT:
                        ctx.problems.add(join_path(path, label), f"missing column '{key}'")
        unknown = [key for key in keys if key not in names]
        return Columns(values, len(rows), unknown=unknown, index=labels_index(labels), labels=labels)

    def cell_path(self, path: str, name: str, position: int, row: int | str) -> str:
        return join_path(join_path(path, row), name)

    def encode(self, frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
        names, columns = frame_cells(frame)
        rows = zip(*columns) if columns else ([] for _ in range(len(frame)))
        return {str(label): dict(zip(names, row)) for label, row in zip(frame.index, rows)}

    def schema(self, cells: Mapping[str, dict[str, Any]], strict: bool, dialect: str) -> dict[str, Any]:
        row: dict[str, Any] = {"type": "object", "properties": dict(cells), "required": list(cells)}
        if strict and dialect == JSON_SCHEMA:
            row["additionalProperties"] = False
        return {"type": "object", "additionalProperties": row}
