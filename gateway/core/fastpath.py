"""The envelope's fast path: a body parsed and type-checked straight into typed rows by msgspec, in one pass.

For a contract with tables, the gateway builds msgspec types mirroring it once: every records-form
table becomes a list of row structs (one typed field per declared column, unknown columns forbidden),
objects holding tables become structs, everything else is kept as raw JSON for the usual decoding.
msgspec then parses and type-checks a Power BI or AutoML request in one pass in C, with no row
dictionaries (about half the time and a third of the memory of `orjson.loads` for the rows).

It only ever answers what the general path answers: a body it refuses (another table form, a wrong
type, an unknown or missing key, invalid JSON) goes through `parse_body` and the codecs, and so does
one it parsed but whose values then break the contract (an integer out of range, a bad date), so that
every problem is reported exactly as the general path words it. This path changes speed, never answers.
A body of text values (`"12"` in an int column, which a table accepting them reads) is refused here as a
wrong type, and so read by the general path.
"""

from __future__ import annotations

from types import GenericAlias
from typing import Any, Callable, Mapping

import msgspec
import orjson

from .codecs.base import TypedRows
from .dtypes import wire_dtype
from .envelope import loads
from .specs import Object, Spec
from .table import DeferredTable, Table

__all__ = ("TypedEnvelope", "typed_envelope")

class _Builder:
    """msgspec types for a contract's specs, and how to turn a decoded value back into plain JSON."""

    def __init__(self) -> None:
        self.count = 0
        self.tables = 0

    def _name(self, kind: str) -> str:
        self.count += 1
        return f"{kind}{self.count}"

    def members(self, members: Mapping[str, Spec]) -> tuple[Any, Callable[[Any], dict[str, Any]]]:
        """A struct with one optional field per member (absent members are left out of the dict)."""
        if not all(map(_nameable, members)):
            return msgspec.Raw, _raw_json
        fields: list[tuple[str, Any, Any]] = []
        converters: list[tuple[str, str, Callable[[Any], Any]]] = []
        rename: dict[str, str] = {}
        for i, (name, spec) in enumerate(members.items()):
            kind, convert = self.spec(spec)
            attr = f"m{i}"
            rename[attr] = name
            fields.append((attr, kind, msgspec.UNSET))
            converters.append((attr, name, convert))
        struct = msgspec.defstruct(self._name("Object"), fields, rename=rename, forbid_unknown_fields=True)
        unset = msgspec.UNSET

        def to_dict(value: Any) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for attr, name, convert in converters:
                member = getattr(value, attr)
                if member is not unset:
                    out[name] = convert(member)
            return out

        return struct, to_dict

    def spec(self, spec: Spec) -> tuple[Any, Callable[[Any], Any]]:
        table = spec.table if isinstance(spec, DeferredTable) else spec
        if isinstance(table, Table):
            return self.table(table)
        members = _members(spec)
        if members is not None and _holds_table(members):
            struct, to_dict = self.members(members)
            if spec.nullable:
                return struct | None, lambda value: None if value is None else to_dict(value)
            return struct, to_dict
        return msgspec.Raw, _raw_json

    def table(self, table: Table) -> tuple[Any, Callable[[Any], Any]]:
        fields: list[tuple[str, Any]] = []
        names: dict[str, str] = {}
        if not all(map(_nameable, table.columns)):
            return msgspec.Raw, _raw_json
        for i, (name, column) in enumerate(table.columns.items()):
            wire = wire_dtype(column.dtype)
            cell = wire.cell if column.unit is None else wire.cell | int | float  # epoch numbers too
            attr = f"c{i}"
            names[name] = attr
            fields.append((attr, cell | None if column.nullable else cell))
        row = msgspec.defstruct(
            self._name("Row"), fields, rename={attr: name for name, attr in names.items()},
            forbid_unknown_fields=True, gc=False,
        )
        self.tables += 1

        def to_rows(rows: Any) -> Any:
            if rows is None:
                return None
            return TypedRows(rows, names) if rows else []

        rows = GenericAlias(list, (row,))  # list[row], spelt so for a struct type made at run time
        return (rows | None) if table.nullable else rows, to_rows


def _members(spec: Spec) -> Mapping[str, Spec] | None:
    """The named members a spec's JSON object holds, when the fast path may parse it into a struct: an
    Object's, or those another object-like spec offers as `struct_members` (inference-schema's dicts)."""
    if isinstance(spec, Object):
        return spec.members
    offered: Mapping[str, Spec] | None = getattr(spec, "struct_members", None)
    return offered


def _holds_table(members: Mapping[str, Spec]) -> bool:
    for inner in members.values():
        if isinstance(inner, (Table, DeferredTable)):
            return True
        nested = _members(inner)
        if nested is not None and _holds_table(nested):
            return True
    return False


def _nameable(name: str) -> bool:
    """Whether msgspec can match this key (it refuses names with quotes, backslashes or control characters)."""
    return not any(c in '"\\' or c < " " for c in name)


def _raw_json(raw: Any) -> Any:
    return loads(memoryview(raw))


class TypedEnvelope:
    """Decodes a request body for one contract's parameters; None when the general path must."""

    def __init__(self, decoder: Any, to_dict: Callable[[Any], dict[str, Any]]) -> None:
        self._decode = decoder.decode
        self._to_dict = to_dict
        self._errors = (msgspec.DecodeError, orjson.JSONDecodeError, RecursionError)

    def decode(self, body: bytes) -> dict[str, Any] | None:
        try:
            return self._to_dict(self._decode(body))
        except self._errors:
            return None


def typed_envelope(params: dict[str, Spec]) -> TypedEnvelope | None:
    """The fast decoder of a contract with at least one records-capable table, else None."""
    if not _holds_table(params):
        return None
    builder = _Builder()
    struct, to_dict = builder.members(params)
    if builder.tables == 0:
        return None
    return TypedEnvelope(msgspec.json.Decoder(struct), to_dict)
