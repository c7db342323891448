"""What every dtype kind's converter shares: the error list, the absent-cell marker, the null mask and the
reading of text values, so that each converter holds only its own kind's rules."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Sequence

import msgspec
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
    #: Whether `convert` turns nulls into missing values by itself, without `NONE` among the types it is
    #: given: then a typed column (`gateway.core.fastpath`) is not searched for nulls first.
    NULLS_ANYWHERE: ClassVar[bool] = False
    #: The exact text forms of this kind's values (a regular expression, ASCII only), read where a table accepts
    #: text values; None: the kind has none besides its own cells (strings, date-times). Each form is a JSON
    #: token of the kind (`TEXT_TYPE`), so that a text is read by msgspec as the JSON cell it spells would be.
    TEXT: ClassVar[str | None] = None
    TEXT_TYPE: ClassVar[type] = str
    #: Read in lower case (booleans' any-case spellings); a substring that the JSON token allows but `TEXT` not.
    TEXT_LOWER: ClassVar[bool] = False
    TEXT_NOT_EXACT: ClassVar[str | None] = None
    _one: ClassVar[re.Pattern[str]]
    _texts: ClassVar[msgspec.json.Decoder[Any]]
    _text: ClassVar[msgspec.json.Decoder[Any]]

    def __init_subclass__(cls) -> None:
        if cls.TEXT is not None:
            cls._one = re.compile(cls.TEXT, re.ASCII)
            cls._texts = msgspec.json.Decoder(list[cls.TEXT_TYPE])  # type: ignore[name-defined]
            cls._text = msgspec.json.Decoder(cls.TEXT_TYPE)

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

    def read_text(self, texts: list[str]) -> tuple[list[Any], bool]:
        """Each text as this kind's value where it is an exact form, else the text itself (`Cells` reports it),
        and whether every text was read.

        The whole column is parsed at once, as the JSON array its texts joined by commas spell (which holds as
        many values as texts, each of `TEXT_TYPE`, exactly when every text is one JSON token of the kind, there
        being no JSON whitespace in it); only when that fails is each text matched and parsed on its own.
        """
        joined = ",".join(texts).lower() if self.TEXT_LOWER else ",".join(texts)
        inexact = self.TEXT_NOT_EXACT is not None and self.TEXT_NOT_EXACT in joined
        if not inexact and not any(space in joined for space in " \t\n\r"):
            try:
                values: list[Any] = self._texts.decode(f"[{joined}]")
            except msgspec.DecodeError:
                pass
            else:
                if len(values) == len(texts):
                    return values, True
        read: list[Any] = list(texts)
        complete = True
        for i, text in enumerate(texts):
            try:
                if not self._one.fullmatch(text):
                    raise msgspec.DecodeError
                read[i] = self._text.decode(text.lower() if self.TEXT_LOWER else text)
            except msgspec.DecodeError:  # not exact, or out of the range msgspec reads (1e400)
                complete = False
        return read, complete

    def text_error(self, text: str) -> str | None:
        """Why a text was not read: out of range when it is an exact form (`out_of_range`), else None."""
        return self.out_of_range(text) if self._one.fullmatch(text) else None

    def out_of_range(self, text: str) -> str:
        """The message for an exact text beyond the dtype's range."""
        return f"{text} is out of range for {self.wire.name}"
