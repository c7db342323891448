"""`Table`: a DataFrame parameter with ordered, typed columns, decoded strictly and column by column.

    Table({"age": "int64", "income": "float64", "name": Column("string", nullable=True)})
    Table.from_sample(sample_df)

A table is accepted in every form `codecs.detect` recognises (records, split, classic, columns; and
values when declared with `orient="values"`); the declared `orient` is the one published. Decoding
gives a DataFrame with exactly the declared columns, in declared order, with the declared dtypes
(`dtypes.pandas_dtype`; a datetime column is naive `datetime64` unless its strings carry zones, then
UTC-aware).

Error paths. Every problem names where it is, as a JSON path into the request:

* structure: the table itself (`Inputs.data: missing column 'age'`), a row
  (`Inputs.data[3]: missing column 'age'`, `Inputs.data.data[3]: expected 5 values ...`) or a key
  (`Inputs.data.columns[2]: duplicate column 'age'`);
* cells: records `Inputs.data[17].age`, columns `Inputs.data.age[17]`, split
  `Inputs.data.data[17][2]`, classic `Inputs.data.Values[17][2]`, values `Inputs.data[17][2]`. Where
  the path has only a position (split, classic, values), the message ends with the column's name:
  `Inputs.data.data[17][2]: expected an integer (int64), got "abc" (column 'age')`;
* unknown columns are `Inputs.data.<name>` (in `ctx.ignored`, or a problem with `strict_columns`).

Text values. A table declared with `text_values=True` (or its `with_text_values()` copy), any table of a
request decoded with `ctx.text_values` (`--text-values`), and any table sent in the Studio classic form
(whose clients send every cell as a string) accept an int, float or bool cell as the exact text of its
value too: `"12"`, `"3.5"`, `"True"` (`gateway.core.cells.Cells`); others refuse strings there.

Cell problems of one table are reported in row order (then column order on the wire); each column
stops looking after `MAX_REPORTED_ERRORS` bad cells.
"""

from __future__ import annotations

import copy
from typing import Any, Collection, Mapping

import pandas as pd

from gateway.errors import join_path

from .cells import Cells
from .codecs import CODECS, FORMS, detect, get_codec, near_miss
from .codecs.base import Columns, TypedRows
from .column import Column
from .decoding import DecodeContext, describe_value
from .dtypes import wire_dtype, wire_name_of
from .frames import FrameBuilder, TableParts
from .sample_dtype import SampleOverflow, representation, to_sample
from .schema import cell, nullable
from .specs import MISSING, Spec

__all__ = ("Column", "Table", "TableParts", "DeferredTable")


class Table(Spec):
    """A pandas DataFrame parameter: named, typed columns, accepted in any table form."""

    def __init__(
        self,
        columns: Mapping[str, Column | str],
        *,
        orient: str = "records",
        strict_columns: bool = False,
        nullable: bool = False,
        default: Any = MISSING,
        text_values: bool = False,
    ) -> None:
        """`nullable` lets the whole table be null; `strict_columns` makes unknown columns errors;
        `text_values` accepts the exact text of a number or boolean in its columns (see the module docstring)."""
        if not columns:
            raise ValueError("a Table needs at least one column")
        self.columns: dict[str, Column] = {}
        for name, column in columns.items():
            if not isinstance(name, str):
                raise TypeError(f"column names must be strings, got {name!r}")
            self.columns[name] = column if isinstance(column, Column) else Column(column)
        self.codec = get_codec(orient)
        self.orient = orient
        self.strict_columns = strict_columns
        self.nullable = nullable
        self.default = default
        self.text_values = text_values
        self._cells = {
            name: Cells(
                c.dtype,
                nullable=c.nullable,
                unit=c.unit,
                null_error=f"null is not allowed (column '{name}' is not nullable)",
            )
            for name, c in self.columns.items()
        }
        self._folded = {name.casefold(): name for name in self.columns}
        forms = [form for form in CODECS if form != "values" or orient == "values"]
        self._forms = ", ".join(FORMS[form] for form in forms)
        self._example: Any = None
        self._frames = FrameBuilder(list(self.columns))

    @classmethod
    def from_sample(
        cls,
        sample: pd.DataFrame,
        orient: str = "records",
        *,
        nullable_columns: bool | None = None,
        nullable_kinds: Collection[str] = (),
        sample_dtypes: bool = False,
        **options: Any,
    ) -> "Table":
        """Columns from a sample DataFrame's dtypes; its first rows become the published example.

        A column is nullable when its dtype is a pandas nullable one (`Int64`, `boolean`, ...), the
        sample has missing values in it or its wire kind is in `nullable_kinds` (`"float"`, ...);
        `nullable_columns=True`/`False` overrides that for all. `sample_dtypes` gives decoded columns the
        sample's own dtypes (`datetime64[ns]`, `object`). `options` are the constructor's
        (`strict_columns`, `nullable`, `default`).
        """
        if not sample.columns.is_unique:
            raise ValueError("the sample has duplicate column names")
        columns: dict[str, Column] = {}
        for i, name in enumerate(sample.columns):
            series = sample.iloc[:, i]
            wire, nullable_dtype = wire_name_of(series.dtype, series)
            kind = wire_dtype(wire).kind
            nullable = nullable_dtype or kind in nullable_kinds or bool(series.isna().any())
            if nullable_columns is not None:
                nullable = nullable_columns
            own = representation(series.dtype, kind) if sample_dtypes else None
            columns[str(name)] = Column(wire, nullable=nullable, sample_dtype=own)
        table = cls(columns, orient=orient, **options)
        head = sample.head(3)
        table._example = table.codec.encode(head.set_axis([str(c) for c in head.columns], axis=1))
        return table

    def with_text_values(self) -> "Table":
        """A copy of this table that accepts text values (what a body of text, such as CSV, is decoded with)."""
        table = copy.copy(self)
        table.text_values = True
        return table

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> pd.DataFrame | None:
        parts = self.decode_parts(value, path, ctx)
        return None if parts is None else self.frame([parts])

    def frame(self, parts: "list[TableParts]") -> pd.DataFrame:
        """One DataFrame from decoded parts, in order: a single part as is, several concatenated column by
        column (how dynamic batching merges requests without building a frame per request)."""
        return self._frames.build(parts)

    def decode_parts(self, value: Any, path: str, ctx: DecodeContext) -> "TableParts | None":
        """The checked, converted columns of a table (no DataFrame yet); None when it has problems."""
        if value is None and self.nullable:
            return None
        if ctx.problems.full:
            return None
        if isinstance(value, TypedRows):
            ctx.forms[path] = "records"
            typed = Columns(value.columns(), len(value), typed=True)
            converted = self._convert(typed, "records", path, ctx, False)
            if converted is None:
                return None
            ctx.rows += typed.rows
            return TableParts(converted, typed.rows)
        form = detect(value, self.orient, self.columns)
        if form is None:
            ctx.problems.add(path, f"expected a table, one of: {self._forms}; got {_describe(value)}{near_miss(value)}")
            return None
        ctx.forms[path] = form
        codec = CODECS[form]
        found = codec.decode(value, path, ctx, self.columns)
        if found is None:
            return None
        named = self._check_names(found, path, ctx)
        arrays = self._convert(found, form, path, ctx, self.text_values or ctx.text_values or form == "classic")
        if not named or arrays is None:
            return None
        ctx.rows += found.rows
        return TableParts(arrays, found.rows, found.index)

    def _check_names(self, found: Columns, path: str, ctx: DecodeContext) -> bool:
        """Report missing columns, case mistakes and (with `strict_columns`) unknown columns."""
        ok = True
        hinted: set[str] = set()
        for name in found.unknown:
            declared = self._folded.get(name.casefold())
            if declared is not None and declared not in found.values:
                ctx.problems.add(
                    join_path(path, name),
                    f"'{name}' is not a column; column names are case-sensitive: did you mean '{declared}'?",
                )
                hinted.add(declared)
                ok = False
            elif self.strict_columns:
                ctx.problems.add(join_path(path, name), f"unknown column '{name}' (this table has strict columns)")
                ok = False
            else:
                ctx.ignored.append(join_path(path, name))
        if found.named:
            for name in self.columns:
                if name not in found.values and name not in hinted:
                    ctx.problems.add(path, f"missing column '{name}'")
                    ok = False
        return ok

    def _convert(self, found: Columns, form: str, path: str, ctx: DecodeContext, text: bool) -> dict[str, Any] | None:
        """Each declared column through its `Cells` (`text`: accepting text values); cell problems are added in
        row order."""
        codec = CODECS[form]
        arrays: dict[str, Any] = {}
        bad_cells: list[tuple[int, int, str, str]] = []
        failed = False
        for order, (name, cells) in enumerate(self._cells.items()):
            values = found.values.get(name)
            if values is None:
                if found.named:
                    failed = True
                    continue
                values = []
            bad: list[tuple[int, str]] = []
            suffix = f" (column '{name}')" if codec.positional else ""
            array = cells.convert(values, bad, suffix, typed=found.typed, text=text)
            own = self.columns[name].sample_dtype
            if array is not None and own is not None:
                try:
                    array = to_sample(array, own)
                except SampleOverflow as exc:
                    array = None
                    bad.append((exc.position, f"{exc}{suffix}"))
            if array is None:
                failed = True
                position = found.positions.get(name, order)
                labels = found.labels
                bad_cells.extend(
                    (row, position, codec.cell_path(path, name, position, row if labels is None else labels[row]), msg)
                    for row, msg in bad
                )
            else:
                arrays[name] = array
        bad_cells.sort()
        for _, _, cell_path, message in bad_cells:
            ctx.problems.add(cell_path, message)
        return None if failed else arrays

    def schema(self, dialect: str) -> dict[str, Any]:
        """The declared orient's schema, written by its codec, with the table's nullability and format."""
        cells = {name: cell(c.dtype, c.nullable, dialect, c.unit) for name, c in self.columns.items()}
        schema = self.codec.schema(cells, self.strict_columns, dialect)
        schema["format"] = f"pandas.DataFrame:{self.orient}"
        return nullable(schema, dialect) if self.nullable else schema

    def example(self) -> Any:
        if self._example is not None:
            return self._example
        row = {name: wire_dtype(c.dtype).example for name, c in self.columns.items()}
        frame = self.decode([row], "example", DecodeContext())
        return self.codec.encode(frame)

    def describe(self) -> str:
        columns = ", ".join(f"{name}: {column.describe()}" for name, column in self.columns.items())
        return f"Table[{self.orient}]({columns}){'?' if self.nullable else ''}"


def _describe(value: Any) -> str:
    if isinstance(value, list) and value:
        return f"an array whose first element is {describe_value(value[0])}"
    return describe_value(value)


class DeferredTable(Spec):
    """A table checked and converted per request, but left as columns: a batch builds one DataFrame
    from many requests' parts (see `gateway.scoring.batching`)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.default = table.default

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> TableParts | None:
        if value is None:
            ctx.problems.add(path, "expected a table, got null (a batched scorer's table cannot be null)")
            return None
        return self.table.decode_parts(value, path, ctx)

    def schema(self, dialect: str) -> dict[str, Any]:
        return self.table.schema(dialect)

    def example(self) -> Any:
        return self.table.example()

    def describe(self) -> str:
        return self.table.describe()
