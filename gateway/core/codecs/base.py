"""The codec interface: one wire form of a table ↔ columns of JSON cells.

A codec does the structural half of decoding: it checks the form's shape (rows are objects or
arrays of the right length, keys are there), reports what is wrong with JSON paths, and hands back
the declared columns as lists of raw cells (`Columns`). `Table` then converts each column with
`cells.Cells`. Encoding goes the other way: a DataFrame → the form's JSON value, column by column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import Any, ClassVar, Collection, Literal, Mapping, Protocol, Sequence

import numpy as np
import pandas as pd

from gateway.errors import join_path

from ..decoding import DecodeContext, describe_value

__all__ = (
    "Codec",
    "Columns",
    "TypedRows",
    "frame_cells",
    "column_cells",
    "check_names",
    "row_columns",
    "required_keys",
    "rows_of",
    "labels_index",
)

_Unit = Literal["s", "ms", "us", "ns"]
_UNITS: tuple[_Unit, ...] = ("s", "ms", "us")


@dataclass(slots=True)
class Columns:
    """A table's declared columns as raw JSON cells, before conversion.

    `values` maps each declared column found on the wire to its cells (a list or tuple, `ABSENT`
    where a records row lacks it). `unknown` lists the wire's other column names. `positions` is the
    wire position of each column (for the paths of split/classic/values cells). `index` holds the
    DataFrame's row labels, and `labels` the keys that address rows on the wire (index and labelled
    columns forms). `named` is False when
    the wire carried no column names at all (an empty records array): nothing is then missing.
    """

    values: Mapping[str, Sequence[Any]]
    rows: int
    unknown: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    index: list[Any] | None = None
    labels: list[str] | None = None  # the wire's row labels, where cells are addressed by label
    named: bool = True
    typed: bool = False  # cells whose types msgspec checked already (`gateway.core.fastpath`)


class TypedRows:
    """A records table already parsed into row structs: its columns are read by attribute."""

    __slots__ = ("rows", "fields")

    def __init__(self, rows: list[Any], fields: dict[str, str]) -> None:
        self.rows = rows
        self.fields = fields  # column name → struct attribute

    def __len__(self) -> int:
        return len(self.rows)

    def columns(self) -> dict[str, list[Any]]:
        """Every column's cells, gathered by attribute (a transpose of `astuple` rows is faster only until
        the garbage collector starts scanning its 10 000 tuples)."""
        return {name: list(map(attrgetter(attr), self.rows)) for name, attr in self.fields.items()}


class Codec(Protocol):
    """One JSON form of a table: `decode` (structure only) and `encode`, a matched pair.

    `positional` forms (split, classic, values) address cells by row and column position, so their
    messages name the column: `Inputs.data.data[17][2]: expected ..., got "abc" (column 'age')`.
    """

    name: ClassVar[str]
    positional: ClassVar[bool]

    def decode(self, obj: Any, path: str, ctx: DecodeContext, names: Collection[str]) -> Columns | None:
        """The declared columns (`names`) of `obj`; None when its structure is unusable (reported)."""
        ...

    def cell_path(self, path: str, name: str, position: int, row: int | str) -> str:
        """The JSON path of the cell of column `name` (wire position `position`) in row `row` (its
        number, or its label in a form whose rows are keyed by label)."""
        ...

    def encode(self, frame: pd.DataFrame) -> Any:
        """The frame as this form's JSON value (NaN/NaT → null, datetimes as ISO-8601 strings)."""
        ...

    def schema(self, cells: Mapping[str, dict[str, Any]], strict: bool, dialect: str) -> dict[str, Any]:
        """This form's schema for a table of these columns (`cells`: each column's cell schema, in
        `dialect`; `strict`: unknown columns are refused); `Table` adds nullability and the format."""
        ...


def frame_cells(frame: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """Column names (as strings) and each column's JSON-ready cells."""
    names = [str(name) for name in frame.columns]
    return names, [column_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]


def column_cells(series: pd.Series) -> list[Any]:
    """One column as Python JSON values: numbers, bools, strings, ISO datetimes; missing → None."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or dtype.kind == "M":
        return _datetime_cells(series)
    if dtype.kind == "m":  # ISO-8601 durations, as pandas writes them: P1DT2H0M0S
        return [None if pd.isna(v) else pd.Timedelta(v).isoformat() for v in series.to_numpy()]
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return list(series.to_numpy().tolist())
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy()
        cells: list[Any] = values.tolist()
        missing = ~np.isfinite(values)
        if missing.any():
            for i in np.flatnonzero(missing):
                cells[i] = None
        return cells
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iufb":
        missing = series.isna().to_numpy()
        cells = series.to_numpy(dtype=dtype.numpy_dtype, na_value=0).tolist()
        for i in np.flatnonzero(missing):
            cells[i] = None
        return cells
    return list(series.to_numpy(dtype=object, na_value=None).tolist())


def _datetime_cells(series: pd.Series) -> list[Any]:
    """ISO-8601 at the finest unit the column needs; zone-aware columns in UTC with `Z`."""
    index = pd.DatetimeIndex(series)
    aware = index.tz is not None
    stamps = (index.tz_convert("UTC").tz_localize(None) if aware else index).to_numpy()
    missing = np.isnat(stamps)
    present = stamps[~missing]
    unit: _Unit = next((u for u in _UNITS if (present.astype(f"datetime64[{u}]") == present).all()), "ns")
    text = np.datetime_as_string(stamps, unit=unit, timezone="UTC" if aware else "naive").astype(object)
    text[missing] = None
    return list(text.tolist())


def check_names(wire_names: Any, names_path: str, ctx: DecodeContext) -> bool:
    """Whether a positional form's column names are an array of distinct strings (else reported)."""
    if type(wire_names) is not list:
        ctx.problems.add(names_path, f"expected an array of column names, got {describe_value(wire_names)}")
        return False
    ok = True
    seen: set[str] = set()
    for i, name in enumerate(wire_names):
        if type(name) is not str:
            ctx.problems.add(join_path(names_path, i), f"expected a column name (a string), got {describe_value(name)}")
            ok = False
        elif name in seen:
            ctx.problems.add(join_path(names_path, i), f"duplicate column '{name}'")
            ok = False
        else:
            seen.add(name)
    return ok


def row_columns(
    rows: Any, rows_path: str, width: int, wanted: dict[str, int], ctx: DecodeContext
) -> dict[str, list[Any]] | None:
    """Transpose an array of row arrays (each `width` long) into the `wanted` columns (name → position)."""
    if type(rows) is not list:
        ctx.problems.add(rows_path, f"expected an array of rows, got {describe_value(rows)}")
        return None
    if rows and (set(map(type, rows)) != {list} or set(map(len, rows)) != {width}):
        for i, row in enumerate(rows):
            if type(row) is not list:
                ctx.problems.add(join_path(rows_path, i), f"expected a row array, got {describe_value(row)}")
            elif len(row) != width:
                ctx.problems.add(join_path(rows_path, i), f"expected {width} values (one per column), got {len(row)}")
            if ctx.problems.full:
                break
        return None
    return {name: list(map(itemgetter(position), rows)) for name, position in wanted.items()}


def labels_index(labels: list[str]) -> list[Any]:
    """Row labels as pandas reads them from JSON keys: integers when every label is one, else the text."""
    try:
        numbers = [int(label) for label in labels]
    except ValueError:
        return labels
    return numbers if all(str(n) == label for n, label in zip(numbers, labels)) else labels


def required_keys(obj: dict[str, Any], keys: Sequence[str], path: str, ctx: DecodeContext) -> bool:
    """Whether `obj` has every one of `keys` (each missing one is reported)."""
    ok = True
    for key in keys:
        if key not in obj:
            ctx.problems.add(join_path(path, key), f"required key '{key}' is missing")
            ok = False
    return ok


def rows_of(columns: list[list[Any]], height: int) -> list[list[Any]]:
    """Columns of cells → row arrays (`height` rows even when there are no columns)."""
    if not columns:
        return [[] for _ in range(height)]
    return [list(row) for row in zip(*columns)]
