"""Signed and unsigned integer columns: only JSON integers, range-checked with one min/max, so that no
float (not even 3.0), string or boolean becomes a number. Where text values are accepted, the text that
Python's `str(int)` writes too (`"12"`, `"-7"`; not `"+12"`, `"012"`, `"-0"`, `"12.0"`, `"1e3"`, `" 12"`), read
as the JSON integer it spells."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from gateway.errors import MAX_REPORTED_ERRORS

from ..decoding import describe_value
from .base import NONE, Bad, Converter

__all__ = ("IntCells",)

_I64 = np.iinfo(np.int64)


class IntCells(Converter):
    """int8 … uint64: a numpy array, or an `IntegerArray` (with its null mask) when nullable."""

    __slots__ = ()

    ACCEPTS = frozenset({int})
    TEXT = "0|-?[1-9][0-9]*"
    TEXT_TYPE = int
    TEXT_NOT_EXACT = "-0"  # a JSON integer, not one Python writes

    def out_of_range(self, text: str) -> str:
        lo, hi = self.wire.bounds
        return f"{describe_value(text)} is out of range for {self.wire.name} ({lo} to {hi})"

    def convert(self, values: Sequence[Any], types: set[type], bad: Bad, suffix: str) -> Any | None:
        """The integers of the wire dtype, or None after appending each out-of-range one to `bad`."""
        wire = self.wire
        lo, hi = wire.bounds
        source, mask = self.masked(values, NONE in types, 0)
        try:
            wide: np.ndarray | None = (
                np.array(source, dtype=np.int64) if mask is not None else np.fromiter(source, np.int64, len(source))
            )
        except OverflowError:  # beyond int64: legal only for uint64
            wide = None
        if wide is None:
            offenders: Any = [i for i, v in enumerate(values) if v is not None and not lo <= v <= hi]
        elif len(wide) and (lo > _I64.min or hi < _I64.max) and (wide.min() < lo or wide.max() > hi):
            offenders = np.flatnonzero((wide < lo) | (wide > hi))
        else:
            offenders = ()
        if len(offenders):
            for i in offenders[:MAX_REPORTED_ERRORS]:
                value = values[int(i)]
                bad.append((int(i), f"{value} is out of range for {wire.name} ({lo} to {hi}){suffix}"))
            return None
        data = np.array(source, dtype=wire.numpy) if wide is None else wide.astype(wire.numpy, copy=False)
        if mask is not None:
            return pd.arrays.IntegerArray(data, mask)
        return data

