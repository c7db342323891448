"""Boolean columns: only JSON true and false, so that 0, 1 and "yes" are errors rather than guesses. Where
text values are accepted, `"true"` and `"false"` in any case too (`"True"`, `"FALSE"`: .NET and Python
spellings), never `"1"`, `"yes"` or `" true"`."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .base import NONE, Bad, Converter

__all__ = ("BoolCells",)


class BoolCells(Converter):
    """bool: a numpy array, or a `BooleanArray` (with its null mask) when nullable."""

    __slots__ = ()

    ACCEPTS = frozenset({bool})
    TEXT = "(?i:true|false)"
    TEXT_TYPE = bool
    TEXT_LOWER = True

    def convert(self, values: Sequence[Any], types: set[type], bad: Bad, suffix: str) -> Any:
        """The booleans (nothing can be wrong once every cell is true, false or an allowed null)."""
        source, mask = self.masked(values, NONE in types, False)
        data = np.fromiter(source, bool, len(source))
        if mask is not None:
            return pd.arrays.BooleanArray(data, mask)
        return data
