"""Float columns: JSON integers and floats, with float32 overflow reported rather than kept as inf. Where
text values are accepted, the text of a JSON number too (`"3.5"`, `"-0.5"`, `"1e3"`, `"12"`; not `"nan"`,
`"inf"`, `".5"`, `"+1"`, `"3,5"`, `" 3.5"`), read as the JSON number it spells (`"-0"` is 0.0, as JSON's
-0 is; `"1e400"` is out of range)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from gateway.errors import MAX_REPORTED_ERRORS

from ..decoding import describe_value
from ..dtypes import WireDtype
from .base import Bad, Converter

__all__ = ("FloatCells",)


class FloatCells(Converter):
    """float32 and float64: a numpy array, null → NaN when nullable."""

    __slots__ = ()

    ACCEPTS = frozenset({int, float})
    NULLS_ANYWHERE = True  # a nullable column is built by np.array, which reads None as NaN
    TEXT = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
    TEXT_TYPE = float

    def __init__(self, wire: WireDtype, *, nullable: bool, unit: str | None, frame: bool, expected: str) -> None:
        """As `Converter`'s; the cells that `typed` decoding checked are all floats."""
        super().__init__(wire, nullable=nullable, unit=unit, frame=frame, expected=expected)
        self.typed = frozenset({float})  # msgspec reads a float column's integers as floats

    def convert(self, values: Sequence[Any], types: set[type], bad: Bad, suffix: str) -> Any | None:
        """The floats, or None after appending each one out of float32's range to `bad`."""
        if self.wire.numpy.itemsize == 8:  # JSON numbers are doubles already: nothing can overflow
            return np.array(values, dtype=np.float64) if self.nullable else np.fromiter(values, np.float64, len(values))
        with np.errstate(over="ignore"):  # float32 overflow becomes inf, reported below
            if self.nullable:
                data = np.array(values, dtype=self.wire.numpy)  # null → NaN
            else:
                data = np.fromiter(values, self.wire.numpy, len(values))
        if len(data) and np.isinf(data).any():
            for i in np.flatnonzero(np.isinf(data))[:MAX_REPORTED_ERRORS]:
                bad.append((int(i), f"{values[int(i)]} is out of range for {self.wire.name}{suffix}"))
            return None
        return data

    def out_of_range(self, text: str) -> str:
        return f"{describe_value(text)} is out of range for {self.wire.name}"
