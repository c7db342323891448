"""One column of JSON cells → one typed array, strictly and vectorially: `Cells` checks the cells' types
and hands them to its dtype kind's converter, chosen once when it is built."""

from __future__ import annotations

from typing import Any, Sequence

from gateway.errors import MAX_REPORTED_ERRORS

from ..decoding import describe_value
from ..dtypes import EPOCH_UNITS, WireDtype, wire_dtype
from .base import ABSENT, NONE, Bad, Converter
from .bools import BoolCells
from .datetimes import DatetimeCells
from .floats import FloatCells
from .ints import IntCells
from .strings import StringCells
from .timedeltas import TimedeltaCells

__all__ = ("ABSENT", "Bad", "CONVERTERS", "Cells", "Converter")

#: Each wire dtype kind's converter (what `Cells` builds once, as a validator is picked at schema-build time).
CONVERTERS: dict[str, type[Converter]] = {
    "int": IntCells,
    "uint": IntCells,
    "float": FloatCells,
    "bool": BoolCells,
    "string": StringCells,
    "datetime": DatetimeCells,
    "timedelta": TimedeltaCells,
}


class Cells:
    """The converter of one declared column (or an array's elements), built once per contract.

    `Table` converts each declared column with one `Cells.convert` call, `Array` all its elements with
    one. The fast path looks at the set of Python types in the column once (`set(map(type, values))`),
    builds the array in one numpy/pandas call and checks ranges with min/max. Only when something is
    wrong does it walk the values, to say which positions are bad; it collects at most
    `MAX_REPORTED_ERRORS` of them as `(position, message)` pairs and leaves paths to the caller, which
    knows the wire form.

    Rules: ints only from JSON integers in range (no floats, not even 3.0, no strings, no booleans);
    floats from integers and floats; bools from true/false; strings from strings; datetimes from
    ISO-8601 strings, naive or zone-aware but not both in one column (zone-aware ones are converted to
    UTC), and from epoch numbers only when a `unit` is declared; null only when nullable.

    Text values (`convert(..., text=True)`): an int, float or bool cell may also be the exact text of
    such a value (each converter's `TEXT`), which becomes the value its JSON cell would be before the
    rules above apply; a text that is not exact is refused as "expected an integer (int64) or its text".
    Only a column holding strings takes that path, and it reads all its texts at once. "" is a text
    like any other (not exact, so refused), never null.
    """

    __slots__ = (
        "wire", "nullable", "unit", "null_error", "frame", "accepted", "typed", "expected", "_convert", "_converter",
        "_nulls_anywhere",
    )

    def __init__(
        self,
        dtype: str,
        *,
        nullable: bool = False,
        unit: str | None = None,
        null_error: str = "null is not allowed",
        frame: bool = True,
    ) -> None:
        """`frame=True` builds pandas column arrays; `False` plain numpy arrays (for `Array`)."""
        self.wire: WireDtype = wire_dtype(dtype)
        if unit is not None and (self.wire.kind != "datetime" or unit not in EPOCH_UNITS):
            raise ValueError(f"unit {unit!r}: only datetime columns take an epoch unit, one of {EPOCH_UNITS}")
        self.nullable = nullable
        self.unit = unit
        self.null_error = null_error
        self.frame = frame
        expected = self.wire.expected
        if unit is not None:
            expected += f" or a number of {unit} since the epoch"
        self.expected = expected
        converter = CONVERTERS[self.wire.kind](self.wire, nullable=nullable, unit=unit, frame=frame, expected=expected)
        #: The one Python type of a cell that `typed` decoding already checked (None: it may be several).
        self.typed = converter.typed
        self.accepted = converter.accepts | {NONE} if nullable else converter.accepts
        self._convert = converter.convert
        self._nulls_anywhere = converter.NULLS_ANYWHERE
        self._converter = converter if converter.TEXT is not None else None  # its kind has text forms to read

    def convert(
        self, values: Sequence[Any], bad: Bad, suffix: str = "", typed: bool = False, text: bool = False
    ) -> Any | None:
        """The typed array, or None after appending what is wrong to `bad`; `suffix` ends messages.

        `typed`: msgspec already checked every cell's type (see `gateway.core.fastpath`), so only nulls are looked for.
        `text`: the exact text of a value is accepted too (see the class docstring).
        """
        if typed and self.typed is not None:
            types = set(self.typed)
            if self.nullable and not self._nulls_anywhere and None in values:
                types.add(NONE)
        else:
            types = set(map(type, values))
        if not types <= self.accepted:
            if text and str in types and self._converter is not None:
                return self._from_text(values, types, bad, suffix)
            self._report_all(values, bad, suffix)
            return None
        return self._convert(values, types, bad, suffix)

    def _from_text(self, values: Sequence[Any], types: set[type], bad: Bad, suffix: str) -> Any | None:
        """A column holding texts: all of them read at once by the converter, then converted as JSON cells."""
        converter = self._converter
        assert converter is not None
        if types == {str}:
            read, complete = converter.read_text(values if type(values) is list else list(values))
        else:
            at = [i for i, value in enumerate(values) if type(value) is str]
            texts, complete = converter.read_text([values[i] for i in at])
            read = list(values)
            for i, value in zip(at, texts):
                read[i] = value
        types = (types - {str}) | {converter.TEXT_TYPE}
        if complete and types <= self.accepted:
            return self._convert(read, types, bad, suffix)
        self._report_all(read, bad, suffix, text=True)
        return None

    def _report_all(self, values: Sequence[Any], bad: Bad, suffix: str, text: bool = False) -> None:
        """The error path: cells of a wrong type, then what is wrong among the others (ranges, dates);
        `text`: texts left in `values` are those that were not exact (or, exact, out of range)."""
        accepted = self.accepted
        expected = f"{self.expected} or its text" if text else self.expected
        found: Bad = []
        for i, value in enumerate(values):
            if type(value) in accepted or value is ABSENT:
                continue
            if value is None:
                found.append((i, self.null_error))
            else:
                why = self._converter.text_error(value) if text and type(value) is str and self._converter else None
                found.append((i, (why or f"expected {expected}, got {describe_value(value)}") + suffix))
            if len(found) >= MAX_REPORTED_ERRORS:
                break
        else:
            kept = [i for i, value in enumerate(values) if type(value) in accepted]
            more: Bad = []
            self.convert([values[i] for i in kept], more, suffix)
            found.extend((kept[i], message) for i, message in more)
            found.sort()
        bad.extend(found[:MAX_REPORTED_ERRORS])
