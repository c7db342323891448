"""String columns: only JSON strings, built straight into the pandas version's text dtype (or objects)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..dtypes import STRING_DTYPE
from .base import Bad, Converter

__all__ = ("StringCells",)

_STRING_ARRAY = STRING_DTYPE.construct_array_type() if STRING_DTYPE != np.dtype(object) else None


class StringCells(Converter):
    """string: `STRING_DTYPE`'s array in a frame, an object array otherwise (and under pandas 2.x)."""

    __slots__ = ()

    ACCEPTS = frozenset({str})
    NULLS_ANYWHERE = True  # the text dtype's constructor, or the object array, takes None as it is

    def convert(self, values: Sequence[Any], types: set[type], bad: Bad, suffix: str) -> Any:
        """The strings (nothing can be wrong once every cell is a string or an allowed null)."""
        if self.frame and _STRING_ARRAY is not None:  # null → the dtype's missing value
            return _STRING_ARRAY._from_sequence(values, dtype=STRING_DTYPE)  # pd.array's work, without its dispatch
        cells = np.empty(len(values), dtype=object)
        cells[:] = values
        return cells
