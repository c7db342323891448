"""Timedelta columns: duration strings only, so that a bare number ("5") is refused, not read as ns."""

from __future__ import annotations

import re
from typing import Any, Sequence

import numpy as np
import pandas as pd

from gateway.errors import MAX_REPORTED_ERRORS

from ..decoding import describe_value
from .base import Bad, Converter

__all__ = ("TimedeltaCells",)

_DURATION_HINT = re.compile(r"[A-Za-z:]").search


class TimedeltaCells(Converter):
    """timedelta: a numpy timedelta64 array, null → NaT."""

    __slots__ = ()

    ACCEPTS = frozenset({str})

    def convert(self, values: Sequence[Any], types: set[type], bad: Bad, suffix: str) -> Any | None:
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
