"""Datetime columns: ISO-8601 strings, naive or zone-aware but not both in one column, and epoch numbers
only when a `unit` is declared, so that every accepted value has one meaning."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd

from gateway.errors import MAX_REPORTED_ERRORS

from ..decoding import describe_value
from ..dtypes import DATETIME_UNIT, WireDtype, datetime_dtype
from .base import NONE, Bad, Converter
from .iso import (
    FAST_ISO,
    NAIVE_JOINS_AWARE,
    PANDAS_WORDS,
    SMALL,
    fixed_width,
    is_aware,
    numpy_iso,
    plain_iso,
    to_datetime,
)

__all__ = ("DatetimeCells",)


class DatetimeCells(Converter):
    """datetime: naive datetime64 at `DATETIME_UNIT`; zone-aware strings are converted to UTC (a UTC-aware
    pandas column in a frame, naive UTC values in an array)."""

    __slots__ = ()

    ACCEPTS = frozenset({str})

    def __init__(self, wire: WireDtype, *, nullable: bool, unit: str | None, frame: bool, expected: str) -> None:
        """As `Converter`'s; with an epoch `unit`, integers and floats are accepted too."""
        super().__init__(wire, nullable=nullable, unit=unit, frame=frame, expected=expected)
        if unit is not None:
            self.accepts = frozenset({str, int, float})
            self.typed = None

    def convert(self, values: Sequence[Any], types: set[type], bad: Bad, suffix: str) -> Any | None:
        """The date-times, or None after appending each bad cell to `bad`."""
        numbers = bool(types & {int, float})
        if str in types and numbers:
            return self._mixed(values, bad, suffix)
        if numbers:
            stamps = self._epochs(values, range(len(values)), bad, suffix)
            return None if stamps is None else self._finish(stamps, False)
        parsed = self._iso(values, range(len(values)), NONE in types, bad, suffix)
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
        if FAST_ISO and not has_null and values:
            if len(values) <= SMALL:
                plain = all(map(plain_iso, values))
                stamps = numpy_iso(np.array(values, dtype=object) if plain else None)
            else:
                stamps = numpy_iso(fixed_width(values))
            if stamps is not None:
                return stamps, False
        texts = [v for v in values if v is not None] if has_null else values
        index = None
        if not any(word in texts for word in PANDAS_WORDS):
            index = to_datetime(values, utc=False, coerce=False)
        nulls = len(values) - len(texts)
        if index is not None and int(index.isna().sum()) == nulls:  # "", "NaT", "nan" parse as NaT
            aware = index.tz is not None
            if aware and NAIVE_JOINS_AWARE and not all(map(is_aware, texts)):
                return self._iso_slow(values, positions, texts, bad, suffix)
            if aware:
                index = index.tz_convert("UTC").tz_localize(None)
            return index.as_unit(DATETIME_UNIT).to_numpy(), aware
        return self._iso_slow(values, positions, texts, bad, suffix)

    def _iso_slow(
        self, values: Sequence[Any], positions: Sequence[int], texts: Sequence[str], bad: Bad, suffix: str
    ) -> tuple[np.ndarray, bool] | None:
        """The error path (and mixed UTC offsets): naive/aware mixing, then each unparsable string."""
        aware = is_aware(texts[0]) if texts else False
        before = len(bad)
        has, other = ("has no", "one") if aware else ("has a", "none")
        for i, value in enumerate(values):
            if value is None or is_aware(value) == aware:
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
        words = [value in PANDAS_WORDS for value in values]
        index = to_datetime([None if word else value for value, word in zip(values, words)], utc=aware, coerce=True)
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
            if value in PANDAS_WORDS:
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
            source, nulls = self.masked(values, NONE in types, 0)
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

    def _mixed(self, values: Sequence[Any], bad: Bad, suffix: str) -> Any | None:
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
