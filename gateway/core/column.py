"""`Column`: one declared column of a `Table` (its wire dtype, nullability, epoch unit and sample dtype)."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Any

import numpy as np

from .dtypes import EPOCH_UNITS, wire_dtype

__all__ = ("Column",)


@dataclass(frozen=True, slots=True)
class Column:
    """One declared column: a wire dtype name, whether it may hold null, for datetimes the epoch unit
    (`s`, `ms`, `us`, `ns`) under which numbers are accepted besides ISO-8601 strings, and the sample's
    dtype to give the converted column where it differs in representation only (`core.sample_dtype`)."""

    dtype: str
    _: KW_ONLY
    nullable: bool = False
    unit: str | None = None
    sample_dtype: np.dtype[Any] | None = None

    def __post_init__(self) -> None:
        wire = wire_dtype(self.dtype)
        if self.unit is not None and (wire.kind != "datetime" or self.unit not in EPOCH_UNITS):
            raise ValueError(f"unit {self.unit!r}: only datetime columns take an epoch unit, one of {EPOCH_UNITS}")

    def describe(self) -> str:
        unit = f"[{self.unit}]" if self.unit else ""
        return f"{self.dtype}{unit}{'?' if self.nullable else ''}"
