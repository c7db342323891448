"""§6 The Power Query (M) function that lets Power BI call a scorer by URL.

Power BI finds Azure ML models only through Azure, so the gateway writes, per scorer, an M function
`(table as table, optional apiKey, optional <global parameter>...) as table` that an analyst pastes into
a blank query. It cuts the table into batches, POSTs each batch as the scorer's contract declares
(`{"Inputs": {"data": [rows]}, "GlobalParameters": {...}}`), reads `Results` and appends the result
column(s). What it respects, and why (see docs-powerbi.md for the analyst's side):

* scheduled refresh: `Web.Contents` gets a literal base URL and the path in `RelativePath`;
* POST needs Anonymous credentials, so the key travels in `Authorization: Bearer`, from a parameter;
* error bodies: `ManualStatusHandling` lists the statuses whose `{"message": ...}` the function shows.
  401/403 cannot be listed outside a custom connector, and 408/429/503/504 are left out on purpose so
  that Power Query keeps retrying them (three times, honouring `Retry-After`);
* the result columns' names and types come from the contract's `results=` where it declares them, so
  an empty table or a schema-only evaluation needs no request.

Result columns: a scalar per row is one column `Results`; a list per row (`predict_proba`) is one
column per element, `Results.1`, `Results.2`, ...; a record per row (a DataFrame) is one column per
field, `Results.<field>`. Datetime results stay ISO-8601 text.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence
from urllib.parse import urlsplit

from gateway.version import __version__
from gateway.contract.array import Array
from gateway.contract.dtypes import wire_dtype
from gateway.scoring.scorer import Scorer
from gateway.contract.specs import MISSING, List, Object, Spec, Value
from gateway.contract.table import Table

__all__ = ("render_powerquery",)

#: Statuses whose body the function reads to raise the gateway's own message.
MANUAL_STATUSES = (400, 404, 405, 413, 415, 500, 502)
#: Per-request timeout written into the function (Web.Contents' default is 100 s).
TIMEOUT_MINUTES = 5
#: At most this many characters of an unreadable error body go into an error message.
MAX_ERROR_TEXT = 2000

_KEYWORDS = frozenset(
    "and as each else error false if in is let meta not null or otherwise section shared then true try type".split()
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_M_VALUE_TYPES = {str: "text", int: "number", float: "number", bool: "logical"}
_RESULT_VALUE_TYPES = {str: "type text", int: "Int64.Type", float: "type number", bool: "type logical"}
_RESULT_DTYPE_KINDS = {
    "int": "Int64.Type",
    "uint": "Int64.Type",
    "float": "type number",
    "bool": "type logical",
    "string": "type text",
    "datetime": "type text",
}
_TYPE_WORDS = {
    "Int64.Type": "whole number",
    "type number": "number",
    "type logical": "true/false",
    "type text": "text",
    "type any": "any",
}


def m_text(value: str) -> str:
    """A Power Query text literal: quotes doubled, `#(` and control characters escaped."""
    out = []
    for char in value:
        if char == '"':
            out.append('""')
        elif char == "#":
            out.append("#(#)")
        elif char == "\r":
            out.append("#(cr)")
        elif char == "\n":
            out.append("#(lf)")
        elif char == "\t":
            out.append("#(tab)")
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            out.append(f"#({ord(char):04X})")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _m_field(name: str) -> str:
    """A record field name: bare when it is a plain identifier, else quoted (`#"Random seed"`)."""
    if _IDENTIFIER.match(name) and name not in _KEYWORDS:
        return name
    return "#" + m_text(name)


def _m_literal(value: Any) -> str:
    """A JSON scalar as an M literal (for enum and sample values)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "#nan"
        if math.isinf(value):
            return "#infinity" if value > 0 else "-#infinity"
        return repr(value)
    return m_text(str(value))


def _m_list(items: Iterable[str]) -> str:
    return "{" + ", ".join(items) + "}"


def _comment(text: str) -> str:
    """Text that cannot leave the `//` comment it is put in."""
    return re.sub(r"[\r\n\u2028\u2029\x85]+", " ", text)


@dataclass(frozen=True)
class _Argument:
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
            return _M_VALUE_TYPES[self.spec.type]
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
class _Outputs:
    """How each item of `Results` becomes columns: a shape and, when declared, typed columns."""

    shape: str  # "value", "list", "record" or "auto"
    columns: tuple[tuple[str, str, Any], ...] = ()  # (column name, M type, key: position or field)
    element_type: str = "type any"  # type of the columns the answer decides

    def describe(self) -> str:
        if self.columns:
            return ", ".join(f"{name} ({_TYPE_WORDS.get(kind, kind)})" for name, kind, _ in self.columns)
        if self.shape == "list":
            kind = _TYPE_WORDS.get(self.element_type, "any")
            return f"Results.1, Results.2, ... ({kind}), one per element of each result"
        return "Results (one column per row's result; Results.1, Results.2, ... when each result is a list)"


def _find_table(params: dict[str, Spec]) -> tuple[str, str | None, Table]:
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
    raise ValueError(
        "cannot generate a Power Query function: the contract declares no Table parameter to put the "
        "Power BI table in (declare e.g. Inputs={'data': Table({...})})"
    )


def _arguments(params: dict[str, Spec], table_key: str, table_member: str | None) -> list[_Argument]:
    """Every other part of the body the analyst can fill in: object members, then whole values."""
    found: list[_Argument] = []
    for key, spec in params.items():
        if key == table_key and table_member is None:
            continue
        if isinstance(spec, Object):
            found.extend(
                _Argument(member, key, member_spec)
                for member, member_spec in spec.members.items()
                if not (key == table_key and member == table_member)
            )
        else:
            found.append(_Argument(key, None, spec))
    return found


def _name_arguments(arguments: list[_Argument], taken: set[str]) -> list[_Argument]:
    """Give each argument an M identifier that shadows nothing the function uses."""
    named: list[_Argument] = []
    for argument in arguments:
        base = re.sub(r"\W", "_", argument.json_name, flags=re.ASCII) or "parameter"
        if not re.match(r"[A-Za-z_]", base):
            base = "p_" + base
        name, n = base, 1
        while name in taken or name in _KEYWORDS:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        named.append(_Argument(argument.json_name, argument.container, argument.spec, name))
    return named


def _outputs(results: Spec | None) -> _Outputs:
    """Read the per-row result shape from the contract's `results=` (`Results(List(...))`, an Array or a
    records Table); anything else is decided from the answer."""
    if not isinstance(results, Object) or "Results" not in results.members:
        return _Outputs("auto")
    inner = results.members["Results"]
    if isinstance(inner, Array):
        kind = _RESULT_DTYPE_KINDS[_wire_kind(inner.dtype)]
        if len(inner.shape) == 1:
            return _Outputs("value", (("Results", kind, None),))
        if len(inner.shape) == 2 and inner.shape[1] is not None:
            return _Outputs("list", tuple((f"Results.{i}", kind, i) for i in range(1, inner.shape[1] + 1)))
        if len(inner.shape) == 2:
            return _Outputs("list", element_type=kind)
        return _Outputs("auto")
    if isinstance(inner, Table) and inner.orient == "records":
        return _Outputs(
            "record",
            tuple(
                (f"Results.{name}", _RESULT_DTYPE_KINDS[_wire_kind(column.dtype)], name)
                for name, column in inner.columns.items()
            ),
        )
    if not isinstance(inner, List):
        return _Outputs("auto")
    item = inner.items
    if isinstance(item, Value):
        return _Outputs("value", (("Results", _RESULT_VALUE_TYPES[item.type], None),))
    if isinstance(item, List):
        element = _RESULT_VALUE_TYPES[item.items.type] if isinstance(item.items, Value) else "type any"
        return _Outputs("list", element_type=element)
    if isinstance(item, Object):
        return _Outputs(
            "record",
            tuple(
                (f"Results.{name}", _RESULT_VALUE_TYPES[spec.type] if isinstance(spec, Value) else "type any", name)
                for name, spec in item.members.items()
            ),
        )
    if isinstance(item, Array) and len(item.shape) == 1:
        kind = _RESULT_DTYPE_KINDS[_wire_kind(item.dtype)]
        if item.shape[0] is not None:
            return _Outputs("list", tuple((f"Results.{i}", kind, i) for i in range(1, item.shape[0] + 1)))
        return _Outputs("list", element_type=kind)
    return _Outputs("auto")


def _wire_kind(dtype: str) -> str:
    return wire_dtype(dtype).kind


def _base_url(base_url: str) -> str:
    """The static base URL: http(s), with a host, without query or fragment, no trailing slash."""
    url = base_url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base URL must be an absolute http:// or https:// URL, got {base_url!r}")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValueError(f"base URL must not carry a query or fragment, got {base_url!r}")
    if any(c.isspace() or c == '"' for c in url):
        raise ValueError(f"base URL must not contain spaces or quotes, got {base_url!r}")
    return url.rstrip("/")


def _query_name(scorer: Scorer) -> str:
    """The query name suggested to the analyst: an M identifier made from the scorer's name."""
    return "Score" if scorer.name == "default" else "Score_" + re.sub(r"\W", "_", scorer.name, flags=re.ASCII)


def _result_columns(outputs: _Outputs) -> str:
    """`ResultColumns`: records of Name, Type and Key (element position or field name)."""
    if not outputs.columns:
        return "{}"
    return _m_list(
        f"[Name = {m_text(name)}, Type = {kind}, Key = {_m_literal(key)}]" for name, kind, key in outputs.columns
    )


def _body(params: dict[str, Spec], table_key: str, table_member: str | None, arguments: list[_Argument]) -> str:
    """The request body as an M record expression over `rows` (one batch's records)."""

    def given(args: Sequence[_Argument]) -> str:
        return f"Given({_m_list(a.name for a in args)}, {_m_list(m_text(a.json_name) for a in args)})"

    fields: list[str] = []
    whole: list[_Argument] = []
    for key, spec in params.items():
        members = [a for a in arguments if a.container == key]
        if key == table_key and table_member is None:
            fields.append(f"{_m_field(key)} = rows")
        elif key == table_key:
            value = f"[{_m_field(table_member or '')} = rows]"
            fields.append(f"{_m_field(key)} = {value}" + (f" & {given(members)}" if members else ""))
        elif isinstance(spec, Object):
            fields.append(f"{_m_field(key)} = " + (given(members) if members else "[]"))
        else:
            whole.extend(a for a in arguments if a.container is None and a.json_name == key)
    record = "[" + ", ".join(fields) + "]"
    return record + (f" & {given(whole)}" if whole else "")


def _parameter_doc(argument: _Argument) -> str:
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
            fields.append(f"Documentation.AllowedValues = {_m_list(_m_literal(v) for v in spec.enum)}")
        sample = _sample(spec)
        if sample is not None:
            fields.append(f"Documentation.SampleValues = {{{_m_literal(sample)}}}")
    optional = "" if argument.required else "optional "
    inner = "".join(f"\n{' ' * 12}{field}," for field in fields).rstrip(",")
    return f"{' ' * 8}{optional}{argument.name} as (type {argument.m_type_assertion} meta [{inner}\n{' ' * 8}])"


def _sample(spec: Value) -> Any:
    """The value to show faded in the Invoke dialog: the default, else the first allowed value."""
    if spec.default is not MISSING and spec.default is not None:
        return spec.default
    return spec.enum[0] if spec.enum else None


def _example_call(query: str, arguments: list[_Argument], key_header: bool) -> str:
    """A call that works as written: the required arguments get a sample value, then the key."""
    placeholders = {"text": '"..."', "number": "0", "logical": "false", "table": "#table({}, {})", "any": "null"}
    values = []
    for argument in arguments:
        if argument.required:
            sample = _sample(argument.spec) if isinstance(argument.spec, Value) else None
            values.append(placeholders[argument.m_type] if sample is None else _m_literal(sample))
    if key_header:
        values.append("ScoringKey")
    return f"{query}({', '.join(['Customers', *values])})"


def _json_text(value: Any) -> str:
    """A default as the analyst would type it in JSON, for descriptions."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _signature(arguments: list[_Argument], key_header: bool) -> tuple[str, list[str]]:
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


_TEMPLATE = '''\
// __QUERY__: scores a table with the scorer "__NAME__" served at __URL__.
// Generated by gateway __VERSION__ from the scorer's contract; generate it again when the contract changes
// (GET __BASE__/powerquery/__NAME__.pq, or python -m gateway powerquery --scorer TARGET --url __BASE__).
//
// Add it: Power BI Desktop > Transform data > New Source > Blank Query > Advanced Editor; paste this text
// and rename the query __QUERY__. Call it in the query that reads the rows, e.g. (ScoringKey being a text
// parameter made with Manage Parameters):
//     Scored = __EXAMPLE_CALL__
// It adds: __OUTPUTS__.
//
// Privacy levels (Formula.Firewall): read the rows and call __QUERY__ in the same query, and keep any key
// in a Power Query parameter. Give the web source
//     __BASE__
// Anonymous credentials (Power Query only POSTs anonymously) and the same privacy level as the rows'
// source, usually Organizational. "Ignore the Privacy Levels" is not honoured by the Power BI service.
let
    // Rows per request. The gateway refuses bodies over its --max-body-size (413); lower this for wide rows.
    BatchSize = __BATCH__,

    // The columns the scorer reads, in its declared order. Only these are sent; the table's other
    // columns stay in the result unchanged.
    ModelInputs = __INPUTS__,

    // How each item of "Results" becomes columns: "value" (one column, Results), "list" (one column
    // per element: Results.1, Results.2, ...), "record" (one column per field: Results.<field>) or
    // "auto" (decided from the answer: the contract does not declare its results).
    ResultShape = "__SHAPE__",

    // The result columns and their types when the contract declares them; {} when the answer decides.
    ResultColumns = __COLUMNS__,

    // The type of the result columns that the answer decides.
    ResultType = __ELEMENT_TYPE__,

    // A record of the given values without the nulls, so that the gateway applies its own defaults.
    Given = (values as list, names as list) as record =>
        let
            All = Record.FromList(values, names)
        in
            Record.SelectFields(All, List.Select(names, (field) => Record.Field(All, field) <> null)),

    // Any JSON value as text, for error messages.
    AsText = (value as any) as text =>
        if value is text then value else Text.FromBinary(Json.FromValue(value), TextEncoding.Utf8),

    // Adds empty typed columns: gives a scored batch its type, and answers an empty table without a request.
    AddColumns = (input as table, columns as list) as table =>
        List.Accumulate(
            columns, input, (state, column) => Table.AddColumn(state, column[Name], each null, column[Type])),

    // POSTs one batch and returns the items of "Results": one per row, in row order.
    PostBatch = (body as record, rowCount as number, firstRow as number__KEY_PARAM__) as list =>
        let
            RequestHeaders =__HEADERS__,
            // The base URL is a literal and the path goes in RelativePath: that is what lets the Power BI
            // service refresh this query on a schedule.
            Response = Web.Contents(
                __BASE_LITERAL__,
                [
                    RelativePath = __PATH_LITERAL__,
                    Headers = RequestHeaders,
                    // Json.FromValue writes dates and datetimes as ISO-8601 text (2024-03-21T10:00:00).
                    Content = Json.FromValue(body),
                    // Statuses whose body is read here, to show the gateway's message. 401 and 403 may not be
                    // listed outside a custom connector; 408, 429, 503 and 504 are left to Power Query, which
                    // retries them up to three times and honours Retry-After.
                    ManualStatusHandling = __STATUSES__,
                    Timeout = #duration(0, 0, __TIMEOUT__, 0)
                ]
            ),
            Status = Value.Metadata(Response)[Response.Status],
            Bytes = Binary.Buffer(Response),
            Parsed = try Json.Document(Bytes, TextEncoding.Utf8),
            Answer = if Parsed[HasError] then null else Parsed[Value],
            BodyText = Text.Start(Text.FromBinary(Bytes, TextEncoding.Utf8), __MAX_TEXT__),
            Where = "rows " & Text.From(firstRow + 1) & " to " & Text.From(firstRow + rowCount)
                & " (a position [i] in the message is row " & Text.From(firstRow + 1) & " + i)",
            // The gateway's error body: {"message": "...", "errors": [{"path": "...", "error": "..."}]}.
            Message =
                if Answer is record and Record.HasFields(Answer, "message") then AsText(Answer[message])
                else BodyText,
            Results =
                if Status <> 200 then
                    error Error.Record(
                        "Gateway.HttpError",
                        "The scoring gateway answered HTTP " & Text.From(Status) & " for " & Where & ": " & Message,
                        [Status = Status, Rows = Where, Body = BodyText,
                         Errors = if Answer is record then Record.FieldOrDefault(Answer, "errors", null) else null])
                else if not (Answer is record) or not Record.HasFields(Answer, "Results") then
                    error Error.Record("Gateway.BadResponse", "The answer has no ""Results"" field.", BodyText)
                else Answer[Results],
            // "Results" is a list; a record holding exactly one list ({"output1": [...]}) is accepted too.
            Items =
                if Results is list then Results
                else if Results is record and Record.FieldCount(Results) = 1 and Record.FieldValues(Results){0} is list
                    then Record.FieldValues(Results){0}
                else error Error.Record("Gateway.BadResponse", """Results"" is not a list.", BodyText)
        in
            if List.Count(Items) = rowCount then Items
            else error Error.Record(
                "Gateway.BadResponse",
                "Sent " & Text.From(rowCount) & " rows but got " & Text.From(List.Count(Items))
                    & " results for " & Where & ".",
                BodyText),

    // Scores one batch: its own columns, then the result columns.
    ScoreBatch = (batch as table, firstRow as number, body as function__KEY_PARAM__) as table =>
        let
            Items = PostBatch(
                body(Table.ToRecords(Table.SelectColumns(batch, ModelInputs))),
                Table.RowCount(batch),
                firstRow__KEY_ARG__),
            First = if List.IsEmpty(Items) then null else Items{0},
            Shape =
                if ResultShape <> "auto" then ResultShape
                else if First is list then "list"
                else if First is record then "record"
                else "value",
            Columns =
                if not List.IsEmpty(ResultColumns) then ResultColumns
                else if Shape = "list" then
                    List.Transform(
                        {1 .. List.Max(
                            List.Transform(Items, (item) => if item is list then List.Count(item) else 1), 1)},
                        (n) => [Name = "Results." & Text.From(n), Type = ResultType, Key = n])
                else if Shape = "record" then
                    List.Transform(
                        List.Distinct(List.Combine(
                            List.Transform(Items, (item) => if item is record then Record.FieldNames(item) else {}))),
                        (field) => [Name = "Results." & field, Type = ResultType, Key = field])
                else {[Name = "Results", Type = ResultType, Key = null]},
            Pick = (item as any, column as record) as any =>
                if Shape = "list" then
                    (if item is list then item{column[Key] - 1}? else if column[Key] = 1 then item else null)
                else if Shape = "record" then
                    (if item is record then Record.FieldOrDefault(item, column[Key], null)
                     else error Error.Record("Gateway.BadResponse", "A result is not a record: " & AsText(item)))
                else if item is list and List.Count(item) = 1 then item{0}
                else item,
            Clash = List.Intersect({List.Transform(Columns, (column) => column[Name]), Table.ColumnNames(batch)}),
            NewColumns = List.Transform(Columns, (column) => List.Transform(Items, (item) => Pick(item, column))),
            Scored = Table.FromColumns(Table.ToColumns(batch) & NewColumns, Value.Type(AddColumns(batch, Columns)))
        in
            if List.IsEmpty(Clash) then Scored
            else error Error.Record(
                "Gateway.ColumnClash",
                "The table already has the column(s) " & Text.Combine(Clash, ", ") & "; rename them before scoring.",
                Clash),

    ScoreImpl = (
        __PARAMS__
    ) as table =>
        let
            Missing = List.Difference(ModelInputs, Table.ColumnNames(table)),
            // The request body, as the scorer's contract declares it; rows are one batch's records.
            Body = (rows as list) as record => __BODY__,
            // Read the table once, in a stable order: results are matched to rows by position.
            Rows = Table.Buffer(table),
            Batches = Table.Split(Rows, BatchSize),
            Scored = List.Transform(
                List.Positions(Batches), (i) => ScoreBatch(Batches{i}, i * BatchSize, Body__KEY_ARG__)),
            EmptyColumns =
                if List.IsEmpty(ResultColumns) then {[Name = "Results", Type = ResultType]} else ResultColumns
        in
            if not List.IsEmpty(Missing) then
                error Error.Record(
                    "Gateway.MissingColumns",
                    "The table lacks the column(s) " & Text.Combine(Missing, ", ") & " that the scorer reads.",
                    [Missing = Missing, Present = Table.ColumnNames(table)])
            else if Table.IsEmpty(Rows) then AddColumns(Rows, EmptyColumns)
            else Table.Combine(Scored),

    // The function's type: Documentation.* builds the Invoke dialog. It only labels the function.
    ScoreType = type function (
__TYPED_PARAMS__
    ) as table meta [
        Documentation.Name = __DOC_NAME__,
        Documentation.LongDescription = __DOC_LONG__,
        Documentation.Examples = {[
            Description = __DOC_EXAMPLE__,
            Code = __DOC_CODE__,
            Result = __DOC_RESULT__
        ]}
    ]
in
    Value.ReplaceType(ScoreImpl, ScoreType)
'''


def _template_names() -> frozenset[str]:
    """Every identifier the template's code uses (comments and text literals left out), which an
    argument's M name must not shadow."""
    code = re.sub(r"//[^\n]*", "", _TEMPLATE)
    code = re.sub(r'"(?:[^"]|"")*"', '""', code)
    return frozenset(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code)) | {"table", "apiKey", "rows", "Given"}


_RESERVED = _template_names()


def render_powerquery(scorer: Scorer, base_url: str, *, batch_size: int = 1000, key_header: bool = True) -> str:
    """The M function that scores a Power BI table with `scorer` served under `base_url`.

    The function calls the scorer's `route`; `batch_size` rows go in each POST; `key_header` adds the `apiKey` parameter sent as
    `Authorization: Bearer <key>`. A scorer without a contract or without a `Table` parameter gets a
    ValueError: no function can be generated for it.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if scorer.contract is None:
        raise ValueError(
            f"cannot generate a Power Query function for scorer '{scorer.name}': it declares no contract "
            "(decorate run() with @contract and a Table parameter)"
        )
    base = _base_url(base_url)
    params = dict(scorer.contract.params)
    table_key, table_member, table = _find_table(params)
    arguments = _name_arguments(_arguments(params, table_key, table_member), set(_RESERVED))
    outputs = _outputs(scorer.contract.results)
    query = _query_name(scorer)
    path = scorer.route.lstrip("/")
    signature, order = _signature(arguments, key_header)
    by_name = {a.name: a for a in arguments}
    typed: list[str] = [
        "        table as (type table meta [\n"
        '            Documentation.FieldCaption = "Table to score",\n'
        f"            Documentation.FieldDescription = {m_text(_table_doc(table))}\n"
        "        ])"
    ]
    for name in order:
        if name == "apiKey":
            typed.append(
                "        optional apiKey as (type nullable text meta [\n"
                '            Documentation.FieldCaption = "API key",\n'
                '            Documentation.FieldDescription = "Sent as Authorization: Bearer <key>. Keep it in a '
                'Power Query parameter. Leave it empty when the gateway needs no key."\n'
                "        ])"
            )
        else:
            typed.append(_parameter_doc(by_name[name]))
    url = f"{base}/{path}"
    headers = '[#"Content-Type" = "application/json", Accept = "application/json"]'
    if key_header:
        key = '& (if apiKey = null or apiKey = "" then [] else [Authorization = "Bearer " & apiKey])'
        headers = f"\n{' ' * 16}{headers}\n{' ' * 20}{key}"
    else:
        headers = " " + headers
    table_where = table_key if table_member is None else f"{table_key}.{table_member}"
    long_description = (
        f"Sends the table's columns {', '.join(table.columns)} to {url}, {batch_size} rows per request "
        f"(as {table_where}), and adds {outputs.describe()}. Give {base} Anonymous credentials and the same "
        "privacy level as the rows' source, and call this function in the query that reads the rows."
    )
    example_call = _example_call(query, arguments, key_header)
    replacements = {
        "__QUERY__": query,
        "__NAME__": _comment(scorer.name),
        "__URL__": _comment(url),
        "__BASE__": _comment(base),
        "__VERSION__": __version__,
        "__EXAMPLE_CALL__": _comment(example_call),
        "__OUTPUTS__": _comment(outputs.describe()),
        "__BATCH__": str(batch_size),
        "__INPUTS__": _m_list(m_text(name) for name in table.columns),
        "__SHAPE__": outputs.shape,
        "__COLUMNS__": _result_columns(outputs),
        "__ELEMENT_TYPE__": outputs.element_type,
        "__KEY_PARAM__": ", apiKey as nullable text" if key_header else "",
        "__KEY_ARG__": ", apiKey" if key_header else "",
        "__HEADERS__": headers,
        "__BASE_LITERAL__": m_text(base),
        "__PATH_LITERAL__": m_text(path),
        "__STATUSES__": _m_list(str(s) for s in MANUAL_STATUSES),
        "__TIMEOUT__": str(TIMEOUT_MINUTES),
        "__MAX_TEXT__": str(MAX_ERROR_TEXT),
        "__PARAMS__": signature,
        "__BODY__": _body(params, table_key, table_member, arguments),
        "__TYPED_PARAMS__": ",\n".join(typed),
        "__DOC_NAME__": m_text(f"Score with {scorer.name} (gateway)"),
        "__DOC_LONG__": m_text(long_description),
        "__DOC_EXAMPLE__": m_text(
            "Score the Customers table" + (", with the key in the text parameter ScoringKey" if key_header else "")
        ),
        "__DOC_CODE__": m_text(example_call),
        "__DOC_RESULT__": m_text(f"Customers with {outputs.describe()} added"),
    }
    pattern = re.compile("|".join(re.escape(k) for k in sorted(replacements, key=len, reverse=True)))
    return pattern.sub(lambda match: replacements[match.group(0)], _TEMPLATE)


def _table_doc(table: Table) -> str:
    """What the table argument needs, in Power Query's words for the column types."""
    words = {"int": "whole number", "uint": "whole number", "float": "number", "bool": "true/false",
             "string": "text", "datetime": "date/time"}
    columns = ", ".join(
        f"{name} ({words[wire_dtype(c.dtype).kind]}{', may be empty' if c.nullable else ''})"
        for name, c in table.columns.items()
    )
    return f"Needs the columns {columns}. Its other columns are kept and not sent."
