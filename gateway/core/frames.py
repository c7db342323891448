"""A decoded table's columns (`TableParts`) and the one DataFrame built from one or several of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

__all__ = ("TableParts", "FrameBuilder")


@dataclass(slots=True)
class TableParts:
    """A decoded table before it becomes a DataFrame: its converted columns, row count and labels."""

    arrays: dict[str, Any]
    rows: int
    index: list[Any] | None = None

    def __len__(self) -> int:
        return self.rows


try:  # pandas ≥ 3: a frame from its column arrays as they are, 1-row frames in 26 µs instead of 67 µs
    from pandas.api.internals import create_dataframe_from_blocks as _from_blocks
except ImportError:  # pandas 2.2: the DataFrame constructor
    _from_blocks = None


def _concat(arrays: list[Any]) -> Any:
    """One column from several requests' parts: numpy's concatenate, or the extension array's own
    (`_concat_same_type`, part of pandas' ExtensionArray interface: 64 one-row string parts take 50 µs
    where `pd.concat` takes 1.7 ms); pandas' general concat only for parts of different kinds."""
    first = type(arrays[0])
    if all(type(a) is first for a in arrays):
        if first is np.ndarray:
            return np.concatenate(arrays)
        if issubclass(first, ExtensionArray) and all(a.dtype == arrays[0].dtype for a in arrays):
            return first._concat_same_type(arrays)
    return pd.concat([pd.Series(a, copy=False) for a in arrays], ignore_index=True).array


#: numpy datetimes and durations as pandas' own arrays, without the validation pandas would run on them again
#: (40 µs of a one-row request's 60 µs frame): the values are a strict conversion's, checked already
_WRAP: dict[str, Any] = {
    kind: getattr(wrapper, "_simple_new", None)
    for kind, wrapper in (("M", pd.arrays.DatetimeArray), ("m", pd.arrays.TimedeltaArray))
}


def _block(array: np.ndarray) -> Any:
    """One numpy column as a block's values: 2-D, datetimes and durations already wrapped."""
    values = array.reshape(1, -1)
    wrap = _WRAP.get(array.dtype.kind)
    return values if wrap is None else wrap(values, dtype=array.dtype)


class FrameBuilder:
    """Builds one table's DataFrames, in its declared column order, from its blocks where pandas allows."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self._layout: tuple[pd.Index, list[np.ndarray]] | None = None  # column labels, block places

    def build(self, parts: list[TableParts]) -> pd.DataFrame:
        """A single part as is; several concatenated column by column."""
        if len(parts) == 1:
            arrays, rows, index = parts[0].arrays, parts[0].rows, parts[0].index
        else:
            arrays = {name: _concat([p.arrays[name] for p in parts]) for name in self.names}
            rows, index = sum(p.rows for p in parts), None
        labels = pd.RangeIndex(rows) if index is None else pd.Index(index)
        if _from_blocks is None or list(arrays) != self.names:
            return pd.DataFrame(arrays, index=labels, copy=False)
        if self._layout is None:
            self._layout = (pd.Index(self.names), [np.array([i]) for i in range(len(self.names))])
        names, places = self._layout
        blocks = [(_block(array) if isinstance(array, np.ndarray) else array, place) for array, place in zip(arrays.values(), places)]
        return _from_blocks(blocks, index=labels, columns=names)
