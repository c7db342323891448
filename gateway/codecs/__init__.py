"""The table wire forms: a literal registry of codecs and the detection of a payload's form.

Detection looks only at the JSON shape (SPEC §4):

* an array of objects (or an empty array) → `records`; an array of arrays → `values`, but only
  for a table declared with `orient="values"` (then an empty array is `values` too);
* an object whose keys are among `ColumnNames`/`Values`/`ColumnTypes` → `classic`;
* an object whose keys are among `columns`/`data`/`index` → `split`;
* any other object → `columns` (`{"col": [values]}`).

A table whose declared columns are themselves called `columns` and `data` (or `ColumnNames` and
`Values`) is read in the `columns` form when every key is one of its column names, unless its
`data` is an array of row arrays.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Collection, Mapping

from .base import Codec, Columns
from .classic import ClassicCodec
from .columns import ColumnsCodec
from .records import RecordsCodec
from .split import SplitCodec
from .values import ValuesCodec

__all__ = ("CODECS", "FORMS", "Codec", "Columns", "get_codec", "detect")

CODECS: Mapping[str, Codec] = MappingProxyType(
    {codec.name: codec for codec in (RecordsCodec(), SplitCodec(), ClassicCodec(), ColumnsCodec(), ValuesCodec())}
)

# How an error message shows each form.
FORMS: Mapping[str, str] = MappingProxyType(
    {
        "records": '[{"column": value, ...}, ...] (records)',
        "split": '{"columns": [...], "data": [[...], ...]} (split)',
        "classic": '{"ColumnNames": [...], "Values": [[...], ...]} (classic)',
        "columns": '{"column": [values, ...], ...} (columns)',
        "values": "[[value, ...], ...] (values)",
    }
)

_CLASSIC_KEYS = frozenset({"ColumnNames", "Values", "ColumnTypes"})
_SPLIT_KEYS = frozenset({"columns", "data", "index"})


def get_codec(name: str) -> Codec:
    """The codec of a wire form; a ValueError lists the known forms."""
    try:
        return CODECS[name]
    except KeyError:
        raise ValueError(f"unknown table form {name!r}; use one of: {', '.join(CODECS)}") from None


def detect(obj: Any, declared_orient: str, names: Collection[str] = ()) -> str | None:
    """The wire form of `obj` (a parsed JSON value), or None when it is no table form at all.

    `names` (the declared column names) settles the rare object whose keys could be either a
    split/classic wrapper or the table's own columns.
    """
    kind = type(obj)
    if kind is list:
        first = type(obj[0]) if obj else None
        if declared_orient == "values" and first in (list, None):
            return "values"
        return "records" if first in (dict, None) else None
    if kind is not dict:
        return None
    keys = obj.keys()
    if not keys:
        return "columns"
    all_named = all(key in names for key in keys)
    if keys <= _CLASSIC_KEYS and not (all_named and not _has_rows(obj.get("Values"))):
        return "classic"
    if keys <= _SPLIT_KEYS and not (all_named and not _has_rows(obj.get("data"))):
        return "split"
    return "columns"


def _has_rows(data: Any) -> bool:
    return type(data) is list and bool(data) and type(data[0]) is list
