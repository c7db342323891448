"""ISO-8601 strings → datetime64: numpy's parser for plain naive strings, pandas' for the rest, kept apart
from the datetime converter's rules because they are the speed-critical part."""

from __future__ import annotations

import re
import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..dtypes import DATETIME_UNIT, PANDAS_MAJOR

__all__ = (
    "FAST_ISO", "NAIVE_JOINS_AWARE", "PANDAS_WORDS", "SMALL", "fixed_width", "is_aware", "numpy_iso", "plain_iso",
    "to_datetime",
)

PANDAS_WORDS = ("now", "today")  # strings pandas' ISO8601 parser turns into the current time
# pandas 2.x gives naive strings that follow an aware one the first one's offset; pandas 3 raises.
NAIVE_JOINS_AWARE = PANDAS_MAJOR < 3

#: Columns this short are checked value by value (a regular expression); longer ones as a byte matrix
#: (`fixed_width`). Either way, plain naive ISO strings are parsed by numpy, not pandas.
SMALL = 32
#: numpy's parser does not range-check: only at µs (pandas 3; years 1–9999 all fit) is it safe for every
#: four-digit year; at ns (pandas 2) "2300-01-01" would silently wrap, so pandas parses (and refuses) it.
FAST_ISO = DATETIME_UNIT == "us"
plain_iso = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?").fullmatch


def numpy_iso(texts: np.ndarray | None) -> np.ndarray | None:
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


def fixed_width(values: Sequence[Any]) -> np.ndarray | None:
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


def is_aware(text: str) -> bool:
    """Whether an ISO-8601 string carries a zone: `Z` or a `±hh[:mm]` offset after the date."""
    return bool(text) and (text[-1] in "Zz" or "+" in text[10:] or "-" in text[10:])


def to_datetime(values: Sequence[Any], *, utc: bool, coerce: bool) -> pd.DatetimeIndex | None:
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
