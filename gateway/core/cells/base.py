"""What every dtype kind's converter shares: the error list, the absent-cell marker and the null mask,
so that each converter holds only its own kind's rules."""

from __future__ import annotations

from typing import Any, ClassVar, Sequence

import numpy as np
import pandas as pd

from ..dtypes import WireDtype

__all__ = ("ABSENT", "Bad", "Converter", "NONE")

Bad = list[tuple[int, str]]  # (position among the values, message)

NONE = type(None)


class _Absent:
    """The cell of a records row that lacks the column; the codec reports it, `Cells` skips it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


class Converter:
    """One dtype kind's conversion of a column whose cells all have accepted types (nulls included)."""

    __slots__ = ("wire", "nullable", "unit", "frame", "expected", "accepts", "typed")

    #: The Python types of this kind's non-null cells.
    ACCEPTS: ClassVar[frozenset[type]] = frozenset()

    def __init__(self, wire: WireDtype, *, nullable: bool, unit: str | None, frame: bool, expected: str) -> None:
        """`expected` names the dtype in messages; `frame=True` builds pandas arrays, `False` numpy ones."""
        self.wire = wire
        self.nullable = nullable
        self.unit = unit
        self.frame = frame
        self.expected = expected
        self.accepts: frozenset[type] = self.ACCEPTS
        #: What `Cells.typed` is: the one type of this kind's cells, None when they may have several.
        self.typed: frozenset[type] | None = self.accepts if len(self.accepts) == 1 else None

    def convert(self, values: Sequence[Any], types: set[type], bad: Bad, suffix: str) -> Any | None:
        """The typed array, or None after appending what is wrong to `bad`; `types`: those of the cells."""
        raise NotImplementedError

    def masked(self, values: Sequence[Any], has_null: bool, fill: Any) -> tuple[Any, np.ndarray | None]:
        """The values with nulls replaced by `fill` (as an object array), and the null mask."""
        if not has_null:
            return values, (np.zeros(len(values), dtype=bool) if self.nullable else None)
        cells = np.array(values, dtype=object)
        mask: np.ndarray = pd.isna(cells)
        cells[mask] = fill
        return cells, mask
