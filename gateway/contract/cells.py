"""One column of JSON cells → one typed array, strictly and vectorially.

`Table` converts each declared column with one `Cells.convert` call, `Array` all its elements with
one. The fast path looks at the set of Python types in the column once (`set(map(type, values))`),
builds the array in one numpy/pandas call and checks ranges with min/max. Only when something is
wrong does it walk the values, to say which positions are bad; it collects at most
`MAX_REPORTED_ERRORS` of them as `(position, message)` pairs and leaves paths to the caller, which
knows the wire form.

Rules (SPEC §4): ints only from JSON integers in range (no floats, not even 3.0, no strings, no
booleans); floats from integers and floats; bools from true/false; strings from strings; datetimes
from ISO-8601 strings, naive or zone-aware but not both in one column (zone-aware ones are
converted to UTC), and from epoch numbers only when a `unit` is declared; null only when nullable.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd

from gateway.errors import MAX_REPORTED_ERRORS

from .decoding import describe_value
from .dtypes import (
    DATETIME_UNIT,
    EPOCH_UNITS,
    PANDAS_MAJOR,
    STRING_DTYPE,
    WireDtype,
    datetime_dtype,
    wire_dtype,
)

__all__ = ("ABSENT", "Bad", "Cells")

Bad = list[tuple[int, str]]  # (position among the values, message)

_NONE = type(None)
_I64 = np.iinfo(np.int64)
_PANDAS_WORDS = ("now", "today")  # strings pandas' ISO8601 parser turns into the current time
# pandas 2.x gives naive strings that follow an aware one the first one's offset; pandas 3 raises.
_NAIVE_JOINS_AWARE = PANDAS_MAJOR < 3


class _Absent:
    """The cell of a records row that lacks the column; the codec reports it, `Cells` skips it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


class Cells:
    """The converter of one declared column (or an array's elements), built once per contract."""

    __slots__ = ("wire", "nullable", "unit", "null_error", "frame", "accepted", "typed", "expected")

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
        by_kind: dict[str, set[type]] = {
            "int": {int},
            "uint": {int},
            "float": {int, float},
            "bool": {bool},
            "string": {str},
            "datetime": {str} if unit is None else {str, int, float},
            "timedelta": {str},
        }
        accepted = by_kind[self.wire.kind]
        #: The one Python type of a cell that `typed` decoding already checked (None: it may be several).
        #: (msgspec reads a float column's integers as floats.)
        self.typed = frozenset({float}) if self.wire.kind == "float" else frozenset(accepted) if len(accepted) == 1 else None
        if nullable:
            accepted.add(_NONE)
        self.accepted = frozenset(accepted)
        expected = self.wire.expected
        if unit is not None:
            expected += f" or a number of {unit} since the epoch"
        self.expected = expected

    def convert(self, values: Sequence[Any], bad: Bad, suffix: str = "", typed: bool = False) -> Any | None:
        """The typed array, or None after appending what is wrong to `bad`; `suffix` ends messages.

        `typed`: msgspec already checked every cell's type (see `gateway.contract.fastpath`), so only nulls are looked for.
        """
        if typed and self.typed is not None:
            types = set(self.typed)
            if self.nullable and None in values:
                types.add(_NONE)
        else:
            types = set(map(type, values))
        if not types <= self.accepted:
            self._report_all(values, bad, suffix)
            return None
        kind = self.wire.kind
        if kind in ("int", "uint"):
            return self._ints(values, _NONE in types, bad, suffix)
        if kind == "float":
            return self._floats(values, bad, suffix)
        if kind == "bool":
            return self._bools(values, _NONE in types)
        if kind == "string":
            return self._strings(values)
        if kind == "timedelta":
            return self._timedeltas(values, _NONE in types, bad, suffix)
        return self._datetimes(values, types, bad, suffix)

    def _report_all(self, values: Sequence[Any], bad: Bad, suffix: str) -> None:
        """The error path: cells of a wrong type, then what is wrong among the others (ranges, dates)."""
        accepted = self.accepted
        found: Bad = []
        for i, value in enumerate(values):
            if type(value) in accepted or value is ABSENT:
                continue
            if value is None:
                found.append((i, self.null_error))
            else:
                found.append((i, f"expected {self.expected}, got {describe_value(value)}{suffix}"))
            if len(found) >= MAX_REPORTED_ERRORS:
                break
        else:
            kept = [i for i, value in enumerate(values) if type(value) in accepted]
            more: Bad = []
            self.convert([values[i] for i in kept], more, suffix)
            found.extend((kept[i], message) for i, message in more)
            found.sort()
        bad.extend(found[:MAX_REPORTED_ERRORS])

    def _masked(self, values: Sequence[Any], has_null: bool, fill: Any) -> tuple[Any, np.ndarray | None]:
        """The values with nulls replaced by `fill` (as an object array), and the null mask."""
        if not has_null:
            return values, (np.zeros(len(values), dtype=bool) if self.nullable else None)
        cells = np.array(values, dtype=object)
        mask: np.ndarray = pd.isna(cells)
        cells[mask] = fill
        return cells, mask

    def _ints(self, values: Sequence[Any], has_null: bool, bad: Bad, suffix: str) -> Any | None:
        wire = self.wire
        lo, hi = wire.bounds
        source, mask = self._masked(values, has_null, 0)
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

    def _floats(self, values: Sequence[Any], bad: Bad, suffix: str) -> Any | None:
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

    def _bools(self, values: Sequence[Any], has_null: bool) -> Any:
        source, mask = self._masked(values, has_null, False)
        data = np.array(source, dtype=bool)
        if mask is not None:
            return pd.arrays.BooleanArray(data, mask)
        return data

    def _timedeltas(self, values: Sequence[Any], has_null: bool, bad: Bad, suffix: str) -> Any | None:
        """Duration strings → timedelta64; a bare number ("5") has no unit and is refused, not read as ns."""
        cells = np.empty(len(values), dtype=object)
        cells[:] = values
        parsed = pd.to_timedelta(cells, errors="coerce")
        failed: list[int] = [
            int(i)
            for i in np.flatnonzero(pd.isna(parsed))
            if values[int(i)] is not None
        ]
        failed += [i for i, v in enumerate(values) if v is not None and not _DURATION_HINT(v) and i not in failed]
        if failed:
            for i in sorted(failed)[:MAX_REPORTED_ERRORS]:
                bad.append((int(i), f"expected {self.expected}, got {describe_value(values[int(i)])}{suffix}"))
            return None
        return np.asarray(parsed).astype(self.wire.numpy)

    def _strings(self, values: Sequence[Any]) -> Any:
        if self.frame and _STRING_ARRAY is not None:  # null → the dtype's missing value
            return _STRING_ARRAY._from_sequence(values, dtype=STRING_DTYPE)  # pd.array's work, without its dispatch
        cells = np.empty(len(values), dtype=object)
        cells[:] = values
        return cells

    def _datetimes(self, values: Sequence[Any], types: set[type], bad: Bad, suffix: str) -> Any | None:
        numbers = bool(types & {int, float})
        if str in types and numbers:
            return self._mixed_datetimes(values, bad, suffix)
        if numbers:
            stamps = self._epochs(values, range(len(values)), bad, suffix)
            return None if stamps is None else self._finish(stamps, False)
        parsed = self._iso(values, range(len(values)), _NONE in types, bad, suffix)
        return None if parsed is None else self._finish(*parsed)

    def _finish(self, stamps: np.ndarray, aware: bool) -> Any:
        """UTC-aware pandas column, or naive (for arrays: aware values as naive UTC)."""
        if aware and self.frame:
            return pd.DatetimeIndex(stamps).tz_localize("UTC").array
        return stamps

    def _iso(
        self, values: Sequence[Any], positions: Sequence[int], has_null: bool, bad: Bad, suffix: str
    ) -> tuple[np.ndarray, bool] | None:
        """ISO-8601 strings (and nulls) → naive datetime64 (UTC when aware) and whether they were aware."""
        if _FAST_ISO and not has_null and values:
            if len(values) <= _SMALL:
                plain = all(map(_plain_iso, values))
                stamps = _numpy_iso(np.array(values, dtype=object) if plain else None)
            else:
                stamps = _numpy_iso(_fixed_width(values))
            if stamps is not None:
                return stamps, False
        texts = [v for v in values if v is not None] if has_null else values
        index = None
        if not any(word in texts for word in _PANDAS_WORDS):
            index = _to_datetime(values, utc=False, coerce=False)
        nulls = len(values) - len(texts)
        if index is not None and int(index.isna().sum()) == nulls:  # "", "NaT", "nan" parse as NaT
            aware = index.tz is not None
            if aware and _NAIVE_JOINS_AWARE and not all(map(_is_aware, texts)):
                return self._iso_slow(values, positions, texts, bad, suffix)
            if aware:
                index = index.tz_convert("UTC").tz_localize(None)
            return index.as_unit(DATETIME_UNIT).to_numpy(), aware
        return self._iso_slow(values, positions, texts, bad, suffix)

    def _iso_slow(
        self, values: Sequence[Any], positions: Sequence[int], texts: Sequence[str], bad: Bad, suffix: str
    ) -> tuple[np.ndarray, bool] | None:
        """The error path (and mixed UTC offsets): naive/aware mixing, then each unparsable string."""
        aware = _is_aware(texts[0]) if texts else False
        before = len(bad)
        has, other = ("has no", "one") if aware else ("has a", "none")
        for i, value in enumerate(values):
            if value is None or _is_aware(value) == aware:
                continue
            message = self._iso_error(value, suffix)
            if message is None:
                message = (
                    f"{describe_value(value)} {has} time zone but the first date-time has {other}: "
                    f"naive and zone-aware date-times cannot be mixed{suffix}"
                )
            bad.append((positions[i], message))
            if len(bad) >= MAX_REPORTED_ERRORS:
                break
        if len(bad) > before:
            return None
        words = [value in _PANDAS_WORDS for value in values]
        index = _to_datetime([None if word else value for value, word in zip(values, words)], utc=aware, coerce=True)
        assert index is not None
        stamps = index.tz_localize(None) if aware else index
        for i in np.flatnonzero(stamps.isna())[:MAX_REPORTED_ERRORS]:
            value = values[int(i)]
            if value is not None:
                message = self._iso_error(value, suffix)
                out_of_range = f"{describe_value(value)} is out of range for datetime64[{DATETIME_UNIT}]{suffix}"
                bad.append((positions[int(i)], message or out_of_range))
        if len(bad) > before:
            return None
        return stamps.as_unit(DATETIME_UNIT).to_numpy(), aware

    def _iso_error(self, value: str, suffix: str) -> str | None:
        """What is wrong with a string that is no ISO-8601 date-time at all; None if it is one."""
        try:
            if value in _PANDAS_WORDS:
                raise ValueError(value)
            dt.datetime.fromisoformat(value)
        except ValueError:
            return f"expected {self.expected} (like 2024-03-21T10:00:00), got {describe_value(value)}{suffix}"
        return None

    def _epochs(self, values: Sequence[Any], positions: Sequence[int], bad: Bad, suffix: str) -> np.ndarray | None:
        """Epoch numbers (and nulls) → naive datetime64 at DATETIME_UNIT."""
        types = set(map(type, values))
        nulls: np.ndarray | None = None
        if float in types:
            numbers: Any = np.array(values, dtype=np.float64)
        else:
            source, nulls = self._masked(values, _NONE in types, 0)
            try:
                numbers = np.array(source, dtype=np.int64)
            except OverflowError:
                numbers = np.array(source, dtype=np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            index = pd.to_datetime(numbers, unit=self.unit, errors="coerce")
        stamps = index.as_unit(DATETIME_UNIT).to_numpy()
        if nulls is not None and nulls.any():
            stamps = stamps.copy()
            stamps[nulls] = np.datetime64("NaT")
        before = len(bad)
        for i in np.flatnonzero(np.isnat(stamps))[:MAX_REPORTED_ERRORS]:
            value = values[int(i)]
            if value is not None:
                message = f"{value} {self.unit} since the epoch is out of range for datetime64[{DATETIME_UNIT}]"
                bad.append((positions[int(i)], message + suffix))
        return None if len(bad) > before else stamps

    def _mixed_datetimes(self, values: Sequence[Any], bad: Bad, suffix: str) -> Any | None:
        """A column with both strings and epoch numbers (rare): each part separately, then merged."""
        texts = [i for i, v in enumerate(values) if type(v) is str]
        numbers = [i for i, v in enumerate(values) if type(v) in (int, float)]
        parsed = self._iso([values[i] for i in texts], texts, False, bad, suffix)
        epochs = self._epochs([values[i] for i in numbers], numbers, bad, suffix)
        if parsed is None or epochs is None:
            return None
        stamps = np.full(len(values), np.datetime64("NaT"), dtype=datetime_dtype(False))
        stamps[texts] = parsed[0]
        stamps[numbers] = epochs
        return self._finish(stamps, parsed[1])


_STRING_ARRAY = STRING_DTYPE.construct_array_type() if STRING_DTYPE != np.dtype(object) else None

#: Columns this short are checked value by value (a regular expression); longer ones as a byte matrix
#: (`_fixed_width`). Either way, plain naive ISO strings are parsed by numpy, not pandas.
_SMALL = 32
#: numpy's parser does not range-check: only at µs (pandas 3; years 1–9999 all fit) is it safe for every
#: four-digit year; at ns (pandas 2) "2300-01-01" would silently wrap, so pandas parses (and refuses) it.
_FAST_ISO = DATETIME_UNIT == "us"
_DURATION_HINT = re.compile(r"[A-Za-z:]").search
_plain_iso = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?").fullmatch


def _numpy_iso(texts: np.ndarray | None) -> np.ndarray | None:
    """numpy's own ISO parser over checked plain strings; None when a field is out of range (month 13,
    Feb 30, 24:00), which the general path then reports."""
    if texts is None:
        return None
    try:
        return texts.astype(f"datetime64[{DATETIME_UNIT}]")
    except ValueError:
        return None


def _iso_shape(length: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Where a plain ISO string of this length has digits, and its other characters (None: no such shape)."""
    pattern = {10: "dddd-dd-dd", 16: "dddd-dd-ddTdd:dd", 19: "dddd-dd-ddTdd:dd:dd"}.get(length)
    if pattern is None and 21 <= length <= 26:
        pattern = "dddd-dd-ddTdd:dd:dd." + "d" * (length - 20)
    if pattern is None:
        return None
    digits = np.array([c == "d" for c in pattern])
    return digits, np.frombuffer("".join(c for c in pattern if c != "d").encode(), dtype=np.uint8)


_SHAPES = {length: shape for length in range(10, 27) if (shape := _iso_shape(length)) is not None}


def _fixed_width(values: Sequence[Any]) -> np.ndarray | None:
    """Long columns of plain naive ISO strings all of one length (what Power BI and pandas write), checked
    character by character as one byte matrix, no Python call per value; None when they are not."""
    lengths = set(map(len, values))
    shape = _SHAPES.get(lengths.pop()) if len(lengths) == 1 else None
    if shape is None:
        return None
    try:
        raw = "".join(values).encode("ascii")
    except UnicodeEncodeError:
        return None
    width = len(raw) // len(values)
    matrix = np.frombuffer(raw, dtype=np.uint8).reshape(len(values), width)
    digits, separators = shape
    if not ((matrix[:, digits] - 48) <= 9).all() or not (matrix[:, ~digits] == separators).all():
        return None
    return np.frombuffer(raw, dtype=f"S{width}")


def _is_aware(text: str) -> bool:
    """Whether an ISO-8601 string carries a zone: `Z` or a `±hh[:mm]` offset after the date."""
    return bool(text) and (text[-1] in "Zz" or "+" in text[10:] or "-" in text[10:])


def _to_datetime(values: Sequence[Any], *, utc: bool, coerce: bool) -> pd.DatetimeIndex | None:
    """`pd.to_datetime(format="ISO8601")`, None when it fails or cannot give one dtype."""
    cells = np.empty(len(values), dtype=object)  # pandas parses an object array faster than a list
    cells[:] = values
    try:
        with warnings.catch_warnings():  # pandas 2.x warns (and gives objects) for mixed offsets
            warnings.simplefilter("ignore")
            index = pd.to_datetime(
                cells, format="ISO8601", utc=utc, errors="coerce" if coerce else "raise", cache=False
            )
    except (ValueError, OverflowError, TypeError):
        return None
    return index if isinstance(index, pd.DatetimeIndex) else None
