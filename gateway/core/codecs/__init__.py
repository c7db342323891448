"""The table wire forms: a literal registry of codecs and the detection of a payload's form.

Detection looks only at the JSON shape:

* an array of objects (or an empty array) → `records`; an array of arrays → `values`, but only
  for a table declared with `orient="values"` (then an empty array is `values` too);
* an object whose keys are among `ColumnNames`/`Values`/`ColumnTypes` → `classic`;
* an object whose keys are among `columns`/`data`/`index` → `split`;
* any other object with at least one key naming a declared column (case aside) → `columns`
  (`{"col": [values]}` or `{"col": {"label": value}}`);
* an object none of whose keys does, whose values are all objects → `index`
  (`{"label": {"col": value}}`); any other object is no table form, and `near_miss` says what it
  looks like instead (a split table with extra keys, a Studio response, ...).

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
from .index import IndexCodec
from .records import RecordsCodec
from .split import SplitCodec
from .values import ValuesCodec

__all__ = ("CODECS", "FORMS", "Codec", "Columns", "get_codec", "detect", "near_miss")

CODECS: Mapping[str, Codec] = MappingProxyType(
    {codec.name: codec for codec in (RecordsCodec(), SplitCodec(), ClassicCodec(), ColumnsCodec(), IndexCodec(), ValuesCodec())}
)

# How an error message shows each form.
FORMS: Mapping[str, str] = MappingProxyType(
    {
        "records": '[{"column": value, ...}, ...] (records)',
        "split": '{"columns": [...], "data": [[...], ...]} (split)',
        "classic": '{"ColumnNames": [...], "Values": [[...], ...]} (classic)',
        "columns": '{"column": [values, ...], ...} (columns)',
        "index": '{"row label": {"column": value, ...}, ...} (index)',
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
    folded = {name.casefold() for name in names}
    if folded and not any(type(key) is str and key.casefold() in folded for key in keys):
        return "index" if all(type(row) is dict for row in obj.values()) else None
    return "columns"


def near_miss(obj: Any) -> str:
    """For an object that is no table form: what it resembles, as a hint to append to the error."""
    if type(obj) is not dict:
        return ""
    keys = set(obj)
    for wrapper, required, form in ((_SPLIT_KEYS, {"columns", "data"}, "split"), (_CLASSIC_KEYS, {"ColumnNames", "Values"}, "classic")):
        if required <= keys:
            extra = ", ".join(repr(k) for k in sorted(keys - wrapper))
            allowed = ", ".join(repr(k) for k in sorted(wrapper))
            return f" (a {form} table holds only {allowed}; unexpected: {extra})"
        if {k.casefold() for k in required} <= {k.casefold() for k in keys if type(k) is str}:
            return f" (a {form} table's keys are case-sensitive: " + ", ".join(repr(k) for k in sorted(required)) + ")"
    inner = obj.get("value")
    if obj.get("type") == "table" and type(inner) is dict and "ColumnNames" in inner:
        return " (this is a Studio response's {\"type\": \"table\", \"value\": ...} wrapper; send the 'value' object)"
    return " (an object with keys " + ", ".join(repr(k) for k in list(obj)[:5]) + (", ..." if len(obj) > 5 else "") + ")"


def _has_rows(data: Any) -> bool:
    return type(data) is list and bool(data) and type(data[0]) is list
