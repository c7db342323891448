"""A sample's own dtype for a converted column or array, where it differs from the wire dtype's only in
representation: a datetime's unit (`datetime64[ns]`), `object` for text, numpy's fixed-width text.

Conversion stays the wire dtype's, strict; only the final array is re-typed, so a script written
against a sample (inference-schema's) sees what its sample promised. Values never change.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ("SampleOverflow", "representation", "to_sample")


class SampleOverflow(ValueError):
    """A converted value the sample's dtype cannot hold (a datetime beyond `datetime64[ns]`'s years)."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(message)
        self.position = position


def representation(dtype: Any, wire_kind: str) -> np.dtype[Any] | None:
    """The dtype to give arrays of a sample with `dtype` (whose wire kind is `wire_kind`), or None when the
    wire dtype's own array already is that dtype (or the sample's dtype is one conversion must not reach)."""
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return None  # nullable and tz-aware pandas dtypes: the wire dtype's arrays are those already
    np_dtype: np.dtype[Any] = np.dtype(dtype)
    if np_dtype.kind in "Mm" and wire_kind in ("datetime", "timedelta"):
        return np_dtype
    if np_dtype.kind in "OU" and wire_kind == "string":
        return np_dtype
    return None


def to_sample(array: Any, dtype: np.dtype[Any]) -> Any:
    """`array` (a converted column or flat array) as `dtype`: datetimes in the sample's unit (a zone-aware
    column keeps its zone), text as Python strings in an object array (missing cells NaN) or numpy text
    as wide as the longest value. A SampleOverflow names the first datetime the sample's unit cannot hold
    exactly (beyond its years, or finer than a `datetime64[D]` sample's days): re-typing never changes a value."""
    if dtype.kind in "Mm":
        if isinstance(array, pd.arrays.DatetimeArray) and array.tz is not None:  # zone-aware: the sample's unit
            naive = to_sample(array.tz_convert(None).to_numpy(), dtype)
            return pd.array(naive).tz_localize("UTC").tz_convert(array.tz)
        if isinstance(array, np.ndarray) and array.dtype.kind == dtype.kind and array.dtype != dtype:
            _check_exact(array, dtype)
            return array.astype(dtype)
        return array
    if isinstance(array, pd.arrays.StringArray) and array.dtype.na_value is np.nan:
        values = np.asarray(array, dtype=object)  # its own storage: text, and NaN where missing
    else:
        values = np.asarray(array, dtype=object)
        missing = pd.isna(values)
        if missing.any():
            values = values.copy()
            values[missing] = np.nan  # what pandas' own reader leaves in an object column for null
    if dtype.kind == "U":
        return values.astype(str) if not pd.isna(values).any() else values
    return values


def _check_exact(array: np.ndarray, dtype: np.dtype[Any]) -> None:
    """Raise SampleOverflow unless every datetime (or duration) of `array` is held exactly in `dtype`'s unit,
    by integer arithmetic on the counts (numpy's own cast wraps around or truncates silently)."""
    counts = array.view(np.int64)
    present = counts != np.iinfo(np.int64).min  # NaT
    have_unit: Any = np.datetime_data(array.dtype)[0]
    want_unit: Any = np.datetime_data(dtype)[0]
    have, want = np.timedelta64(1, have_unit), np.timedelta64(1, want_unit)
    if want < have:  # a finer unit: each count grows by the factor, which must not overflow
        factor = int(have / want)
        limit = np.iinfo(np.int64).max // factor
        lost = present & ((counts > limit) | (counts < -limit))
    else:  # a coarser unit: each count must be a whole number of the new unit
        factor = int(want / have)
        lost = present & (counts % factor != 0)
    if lost.any():
        position = int(np.flatnonzero(lost)[0])
        value = array[position]
        text = np.datetime_as_string(value, unit="auto") if array.dtype.kind == "M" else str(value)
        raise SampleOverflow(position, f"{text} cannot be held exactly by the sample's dtype {dtype}")
