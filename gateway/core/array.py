"""`Array`: a numpy ndarray parameter of one dtype and shape, from nested JSON lists.

    Array("float64", shape=(None, 3))      # any number of rows of 3 numbers
    Array.from_sample(np.zeros((2, 4)))    # the same as Array("float64", (None, 4))

The nesting is checked level by level (`len` of every list at a depth at once), then all elements are
converted in one `Cells.convert` call with the table columns' rules (ints only from JSON integers in
range, no bool↔number, strings only as strings, ISO-8601 datetimes). Problems carry the element's
path: `Inputs.x[4]: expected 3 elements (dimension 2 has size 3), got 2`,
`Inputs.x[4][1]: expected a number (float64), got "a"`.

`text_values=True` (or `ctx.text_values`, `--text-values`) accepts an int, float or bool element as the
exact text of its value too (`"12"`, `"3.5"`, `"true"`), as a table's cells (`gateway.core.cells.Cells`).

`nullable=True` lets elements be null: NaN in float arrays, None in string (object) arrays, NaT in
datetime arrays. numpy int and bool arrays have no missing value, so a nullable int or bool Array is
refused at declaration (declare float64, or use a Table column, which becomes `Int64`/`boolean`).
The array itself is never null. Datetime arrays are naive `datetime64`; zone-aware strings are
converted to UTC (and the column rule holds: naive and aware are never mixed). When the first
dimension is free, its size is added to `ctx.rows`.
"""

from __future__ import annotations

from itertools import chain
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .cells import Cells
from .codecs.base import column_cells
from .decoding import DecodeContext, describe_value
from .dtypes import wire_dtype, wire_name_of
from .sample_dtype import SampleOverflow, representation, to_sample
from .schema import cell
from .specs import MISSING, Spec

__all__ = ("Array",)


class Array(Spec):
    """A numpy array parameter: a wire dtype and a shape (`None` marks a free dimension)."""

    def __init__(
        self,
        dtype: str,
        shape: Sequence[int | None] = (None,),
        *,
        nullable: bool = False,
        default: Any = MISSING,
        sample_dtype: np.dtype[Any] | None = None,
        text_values: bool = False,
    ) -> None:
        """`nullable` is about elements (see the module docstring); the array itself is never null.
        `sample_dtype` re-types decoded arrays as a sample's dtype (`core.sample_dtype`); `text_values`
        accepts the exact text of a number or boolean."""
        wire = wire_dtype(dtype)
        shape = tuple(shape)
        if not shape or any(d is not None and (not isinstance(d, int) or d < 0) for d in shape):
            raise ValueError(f"shape must be a non-empty sequence of sizes (int ≥ 0) or None, got {shape!r}")
        if nullable and wire.kind in ("int", "uint", "bool"):
            raise TypeError(
                f"a numpy {dtype} array cannot hold null; declare a float64 Array (null → NaN) "
                "or a Table column (Int64/boolean)"
            )
        self.dtype = dtype
        self.shape: tuple[int | None, ...] = shape
        self.nullable_elements = nullable
        self.default = default
        self.sample_dtype = sample_dtype
        self.text_values = text_values
        self._cells = Cells(
            dtype,
            nullable=nullable,
            null_error="null is not allowed (the array's elements are not nullable)",
            frame=False,
        )
        self._example: Any = None

    @classmethod
    def from_sample(cls, sample: np.ndarray, *, sample_dtype: bool = False, **options: Any) -> "Array":
        """dtype and shape from a sample (its first dimension left free); elements are nullable when
        the sample holds NaN/NaT/None. Its first rows become the published example. `sample_dtype`
        gives decoded arrays the sample's own dtype (`datetime64[ns]`, `object`, `<U`)."""
        sample = np.asarray(sample)
        if sample.ndim == 0:
            raise ValueError("an Array sample needs at least one dimension")
        flat = sample.ravel()
        wire, _ = wire_name_of(sample.dtype, flat)
        options.setdefault("nullable", bool(len(flat)) and bool(pd.isna(flat).any()))
        if sample_dtype:
            options["sample_dtype"] = representation(sample.dtype, wire_dtype(wire).kind)
        array = cls(wire, (None, *sample.shape[1:]), **options)
        head = sample[:2]
        cells = column_cells(pd.Series(head.ravel()))
        array._example = np.array(cells, dtype=object).reshape(head.shape).tolist()
        return array

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> np.ndarray | None:
        if ctx.problems.full:
            return None
        if type(value) is not list:
            ctx.problems.add(path, f"expected an array of shape {self._shape_text()}, got {describe_value(value)}")
            return None
        rank = len(self.shape)
        level: list[Any] = [value]
        dims: list[int] = []
        for depth, size in enumerate(self.shape):
            lengths = set(map(len, level))
            if len(lengths) > 1 or (size is not None and lengths and lengths != {size}):
                self._report_lengths(level, depth, dims, path, ctx)
                return None
            dims.append(lengths.pop() if lengths else size or 0)
            level = list(chain.from_iterable(level))
            if depth < rank - 1 and level and set(map(type, level)) != {list}:
                if list not in set(map(type, level)):
                    ctx.problems.add(
                        path, f"expected an array of shape {self._shape_text()}, got {depth + 1} dimension(s)"
                    )
                    return None
                for k, item in enumerate(level):
                    if type(item) is not list:
                        message = f"expected an array (dimension {depth + 2} of {rank}), got {describe_value(item)}"
                        ctx.problems.add(_element_path(path, k, dims), message)
                        if ctx.problems.full:
                            break
                return None
        leaf_types = set(map(type, level))
        if list in leaf_types:
            if leaf_types == {list}:
                ctx.problems.add(
                    path, f"expected an array of shape {self._shape_text()}, got more than {rank} dimension(s)"
                )
                return None
            for k, item in enumerate(level):
                if type(item) is list:
                    message = f"expected {self._cells.expected}, got an array (the array has {rank} dimensions)"
                    ctx.problems.add(_element_path(path, k, dims), message)
                    if ctx.problems.full:
                        break
            return None
        bad: list[tuple[int, str]] = []
        data = self._cells.convert(level, bad, text=self.text_values or ctx.text_values)
        if data is None:
            for k, message in bad:
                ctx.problems.add(_element_path(path, k, dims), message)
            return None
        if self.sample_dtype is not None:
            try:
                data = to_sample(data, self.sample_dtype)
            except SampleOverflow as exc:
                ctx.problems.add(_element_path(path, exc.position, dims), str(exc))
                return None
        if self.shape[0] is None:  # a free first dimension counts rows, as a table's rows do
            ctx.rows += dims[0]
        return np.asarray(data).reshape(dims)

    def _report_lengths(
        self, level: list[list[Any]], depth: int, dims: list[int], path: str, ctx: DecodeContext
    ) -> None:
        size = self.shape[depth]
        for k, item in enumerate(level):
            if size is not None:
                if len(item) == size:
                    continue
                message = f"expected {size} elements (dimension {depth + 1} has size {size}), got {len(item)}"
            else:
                if len(item) == len(level[0]):
                    continue
                first = _element_path(path, 0, dims)
                message = (
                    f"expected {len(level[0])} elements, as {first} has (arrays must not be ragged), got {len(item)}"
                )
            ctx.problems.add(_element_path(path, k, dims), message)
            if ctx.problems.full:
                return

    def _shape_text(self) -> str:
        return (
            "("
            + ", ".join("*" if d is None else str(d) for d in self.shape)
            + ("," if len(self.shape) == 1 else "")
            + ")"
        )

    def schema(self, dialect: str) -> dict[str, Any]:
        schema: dict[str, Any] = cell(self.dtype, self.nullable_elements, dialect)
        for size in reversed(self.shape):
            schema = {"type": "array", "items": schema}
            if size is not None:
                schema.update(minItems=size, maxItems=size)
        schema["format"] = "numpy.ndarray"
        return schema

    def example(self) -> Any:
        if self._example is not None:
            return self._example
        value: Any = wire_dtype(self.dtype).example
        for size in reversed(self.shape):
            value = [value] * (1 if size is None else size)
        return value

    def describe(self) -> str:
        return f"Array[{self.dtype}{'?' if self.nullable_elements else ''}]{self._shape_text()}"


def _element_path(path: str, k: int, dims: Sequence[int]) -> str:
    """The path of the `k`-th item (row-major) among the lists at depth `len(dims)`."""
    indices: list[int] = []
    for size in reversed(dims):
        k, i = divmod(k, size) if size else (k, 0)
        indices.append(i)
    return path + "".join(f"[{i}]" for i in reversed(indices))
