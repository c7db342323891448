"""What the M function needs from a contract: the table it fills, the other arguments with their M
names and types, the body each batch sends, and how `Results` becomes typed columns."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Sequence

from gateway.core.array import Array
from gateway.core.dtypes import VALUE_TYPES, wire_dtype
from gateway.core.specs import MISSING, List, Object, Spec, Value
from gateway.core.table import Table
from gateway.errors import UnsupportedScorer

from .m import KEYWORDS, TYPE_WORDS, m_field, m_list, m_literal, m_text

__all__ = (
    "Argument", "Outputs", "find_table", "arguments_of", "name_arguments", "outputs_of", "result_columns",
    "body", "parameter_doc", "example_call", "signature_of",
)


@dataclass(frozen=True)
class Argument:
    """One M parameter besides the table and the key, and where its value goes in the body."""

    json_name: str
    container: str | None  # the top-level key it is a member of; None when it is a top-level key
    spec: Spec
    name: str = ""  # its M identifier, set once every argument is known

    @property
    def required(self) -> bool:
        return self.spec.required

    @property
    def m_type(self) -> str:
        if isinstance(self.spec, Value):
            return VALUE_TYPES[self.spec.type].m_type
        if isinstance(self.spec, Table):
            return "table"
        return "any"

    @property
    def m_type_assertion(self) -> str:
        """`text`, `nullable text` (optional or nullable ones), `any`."""
        if self.m_type == "any":
            return "any"
        return ("nullable " if self.spec.nullable or not self.required else "") + self.m_type

    @property
    def where(self) -> str:
        return self.json_name if self.container is None else f"{self.container}.{self.json_name}"


@dataclass(frozen=True)
class Outputs:
    """How each item of `Results` becomes columns: a shape and, when declared, typed columns."""

    shape: str  # "value", "list", "record" or "auto"
    columns: tuple[tuple[str, str, Any], ...] = ()  # (column name, M type, key: position or field)
    element_type: str = "type any"  # type of the columns the answer decides

    def describe(self) -> str:
        if self.columns:
            return ", ".join(f"{name} ({TYPE_WORDS.get(kind, kind)})" for name, kind, _ in self.columns)
        if self.shape == "list":
            kind = TYPE_WORDS.get(self.element_type, "any")
            return f"Results.1, Results.2, ... ({kind}), one per element of each result"
        return "Results (one column per row's result; Results.1, Results.2, ... when each result is a list)"


def find_table(params: dict[str, Spec]) -> tuple[str, str | None, Table]:
    """The table the Power BI rows go into: the first `Table` among `Inputs`' members, else the first
    top-level `Table` parameter. Returns (top-level key, member or None, spec)."""
    inputs = params.get("Inputs")
    if isinstance(inputs, Object):
        for member, spec in inputs.members.items():
            if isinstance(spec, Table):
                return "Inputs", member, spec
    for key, spec in params.items():
        if isinstance(spec, Table):
            return key, None, spec
    raise UnsupportedScorer(
        "cannot generate a Power Query function: the contract declares no Table parameter to put the "
        "Power BI table in (declare e.g. Inputs={'data': Table({...})})"
    )


def arguments_of(params: dict[str, Spec], table_key: str, table_member: str | None) -> list[Argument]:
    """Every other part of the body the analyst can fill in: object members, then whole values."""
    found: list[Argument] = []
    for key, spec in params.items():
        if key == table_key and table_member is None:
            continue
        if isinstance(spec, Object):
            found.extend(
                Argument(member, key, member_spec)
                for member, member_spec in spec.members.items()
                if not (key == table_key and member == table_member)
            )
        else:
            found.append(Argument(key, None, spec))
    return found


def name_arguments(arguments: list[Argument], taken: set[str]) -> list[Argument]:
    """Give each argument an M identifier that shadows nothing the function uses."""
    named: list[Argument] = []
    for argument in arguments:
        base = re.sub(r"\W", "_", argument.json_name, flags=re.ASCII) or "parameter"
        if not re.match(r"[A-Za-z_]", base):
            base = "p_" + base
        name, n = base, 1
        while name in taken or name in KEYWORDS:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        named.append(Argument(argument.json_name, argument.container, argument.spec, name))
    return named


def outputs_of(results: Spec | None) -> Outputs:
    """Read the per-row result shape from the contract's `results=` (`Results(List(...))`, an Array or a
    records Table); anything else is decided from the answer."""
    if not isinstance(results, Object) or "Results" not in results.members:
        return Outputs("auto")
    inner = results.members["Results"]
    if isinstance(inner, Array):
        kind = wire_dtype(inner.dtype).m_type
        if len(inner.shape) == 1:
            return Outputs("value", (("Results", kind, None),))
        if len(inner.shape) == 2 and inner.shape[1] is not None:
            return Outputs("list", tuple((f"Results.{i}", kind, i) for i in range(1, inner.shape[1] + 1)))
        if len(inner.shape) == 2:
            return Outputs("list", element_type=kind)
        return Outputs("auto")
    if isinstance(inner, Table) and inner.orient == "records":
        return Outputs(
            "record",
            tuple(
                (f"Results.{name}", wire_dtype(column.dtype).m_type, name)
                for name, column in inner.columns.items()
            ),
        )
    if not isinstance(inner, List):
        return Outputs("auto")
    item = inner.items
    if isinstance(item, Value):
        return Outputs("value", (("Results", VALUE_TYPES[item.type].m_result, None),))
    if isinstance(item, List):
        element = VALUE_TYPES[item.items.type].m_result if isinstance(item.items, Value) else "type any"
        return Outputs("list", element_type=element)
    if isinstance(item, Object):
        return Outputs(
            "record",
            tuple(
                (f"Results.{name}", VALUE_TYPES[spec.type].m_result if isinstance(spec, Value) else "type any", name)
                for name, spec in item.members.items()
            ),
        )
    if isinstance(item, Array) and len(item.shape) == 1:
        kind = wire_dtype(item.dtype).m_type
        if item.shape[0] is not None:
            return Outputs("list", tuple((f"Results.{i}", kind, i) for i in range(1, item.shape[0] + 1)))
        return Outputs("list", element_type=kind)
    return Outputs("auto")


def result_columns(outputs: Outputs) -> str:
    """`ResultColumns`: records of Name, Type and Key (element position or field name)."""
    if not outputs.columns:
        return "{}"
    return m_list(
        f"[Name = {m_text(name)}, Type = {kind}, Key = {m_literal(key)}]" for name, kind, key in outputs.columns
    )


def body(params: dict[str, Spec], table_key: str, table_member: str | None, arguments: list[Argument]) -> str:
    """The request body as an M record expression over `rows` (one batch's records)."""

    def given(args: Sequence[Argument]) -> str:
        return f"Given({m_list(a.name for a in args)}, {m_list(m_text(a.json_name) for a in args)})"

    fields: list[str] = []
    whole: list[Argument] = []
    for key, spec in params.items():
        members = [a for a in arguments if a.container == key]
        if key == table_key and table_member is None:
            fields.append(f"{m_field(key)} = rows")
        elif key == table_key:
            value = f"[{m_field(table_member or '')} = rows]"
            fields.append(f"{m_field(key)} = {value}" + (f" & {given(members)}" if members else ""))
        elif isinstance(spec, Object):
            fields.append(f"{m_field(key)} = " + (given(members) if members else "[]"))
        else:
            whole.extend(a for a in arguments if a.container is None and a.json_name == key)
    record = "[" + ", ".join(fields) + "]"
    return record + (f" & {given(whole)}" if whole else "")


def parameter_doc(argument: Argument) -> str:
    """The argument in the function type, with the Documentation.* fields of the Invoke dialog."""
    spec = argument.spec
    description = f"Sent as {argument.where}."
    if not argument.required:
        default = spec.default
        if default is MISSING or default is None:
            description += " Optional; leave it empty to send nothing."
        else:
            description += f" Optional; leave it empty for the scorer's default, {_json_text(default)}."
    fields = [
        f"Documentation.FieldCaption = {m_text(argument.json_name)}",
        f"Documentation.FieldDescription = {m_text(description)}",
    ]
    if isinstance(spec, Value):
        if spec.enum is not None:
            fields.append(f"Documentation.AllowedValues = {m_list(m_literal(v) for v in spec.enum)}")
        sample = _sample(spec)
        if sample is not None:
            fields.append(f"Documentation.SampleValues = {{{m_literal(sample)}}}")
    optional = "" if argument.required else "optional "
    inner = "".join(f"\n{' ' * 12}{field}," for field in fields).rstrip(",")
    return f"{' ' * 8}{optional}{argument.name} as (type {argument.m_type_assertion} meta [{inner}\n{' ' * 8}])"


def _sample(spec: Value) -> Any:
    """The value to show faded in the Invoke dialog: the default, else the first allowed value."""
    if spec.default is not MISSING and spec.default is not None:
        return spec.default
    return spec.enum[0] if spec.enum else None


def example_call(query: str, arguments: list[Argument], key_header: bool) -> str:
    """A call that works as written: the required arguments get a sample value, then the key."""
    placeholders = {"text": '"..."', "number": "0", "logical": "false", "table": "#table({}, {})", "any": "null"}
    values = []
    for argument in arguments:
        if argument.required:
            sample = _sample(argument.spec) if isinstance(argument.spec, Value) else None
            values.append(placeholders[argument.m_type] if sample is None else m_literal(sample))
    if key_header:
        values.append("ScoringKey")
    return f"{query}({', '.join(['Customers', *values])})"


def _json_text(value: Any) -> str:
    """A default as the analyst would type it in JSON, for descriptions."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def signature_of(arguments: list[Argument], key_header: bool) -> tuple[str, list[str]]:
    """The implementation's parameter list and the order of the typed parameters (required first)."""
    required = [a for a in arguments if a.required]
    optional = [a for a in arguments if not a.required]
    parts = ["table as table"]
    parts += [f"{a.name} as {a.m_type_assertion}" for a in required]
    if key_header:
        parts.append("optional apiKey as nullable text")
    parts += [f"optional {a.name} as {a.m_type_assertion}" for a in optional]
    order = [a.name for a in required] + (["apiKey"] if key_header else []) + [a.name for a in optional]
    return ",\n        ".join(parts), order
