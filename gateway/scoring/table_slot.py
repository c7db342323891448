"""Where a one-table contract takes a foreign body's values: its `Slot` (the table's place, where other
parameters go), the table's value in a form `Table` reads, and the paths between the two.

A body of another protocol (MLflow's, `gateway.scoring.mlflow`) names one table and some parameters; the
scorer's envelope is built around them (`Slot.envelope`), and every problem found decoding it is renamed
by `Rules` (envelope path → the client's path, most specific first), so that a message points into the
body that was sent: `Inputs.data.data[3][1]` → `dataframe_split.data[3][1]`, `GlobalParameters.method`
→ `params.method`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from gateway.azureml.parameter_specs import Passthrough, StandardDict
from gateway.core.declare import Contract
from gateway.core.decoding import DecodeContext, describe_value
from gateway.core.specs import Json, Object, Spec
from gateway.core.table import Table
from gateway.errors import EnvelopeError, Problem, join_path

__all__ = (
    "Rules", "Slot", "slot_of", "tables_of", "table_in", "member_specs", "with_table", "table_value", "place_params", "bad", "within", "renamed", "rename",
)

_SPLIT_KEYS = frozenset({"columns", "data", "index"})
Rules = list[tuple[str, str]]  # (envelope path, the client's path), most specific first


@dataclass(frozen=True)
class Slot:
    """Where a contract's one table is, and where the request's other values go."""

    path: tuple[str, ...]
    table: Table
    to_globals: bool  # `params` is GlobalParameters as a whole
    siblings: tuple[str, ...] = ()  # the other members of the table's object, in order
    rules: Rules = field(default_factory=list)  # the parameters' envelope paths → `params...`

    @property
    def table_path(self) -> str:
        return join_path(join_path("", self.path[0]), self.path[1]) if len(self.path) == 2 else join_path("", self.path[0])

    def envelope(self, table: Any) -> dict[str, Any]:
        holder = self.path[0]
        return {holder: table} if len(self.path) == 1 else {holder: {self.path[1]: table}}


def slot_of(contract: Contract | None, what: str, name: str) -> Slot:
    """The contract's one table (top level, or a member of a top-level object, inference-schema's dicts and
    unconverted parameters included); any other count is a 400 naming the tables found."""
    params: Mapping[str, Spec] = contract.params if contract is not None else {}
    found = tables_of(params)
    if len(found) != 1:
        where = "" if not found else " (" + ", ".join(".".join(path) for path, _ in found) + ")"
        kind = "declares no contract" if contract is None else f"has {len(found)} table parameters{where}"
        raise EnvelopeError(
            f"{what} needs a scorer with exactly one table parameter to fill; scorer '{name}' {kind}. "
            "Send the scorer's own envelope to its score route instead."
        )
    (path, table), = found
    holder = params[path[0]]
    to_globals = path[0] != "GlobalParameters" and _takes_objects(params.get("GlobalParameters"))
    siblings = tuple(m for m in member_specs(holder) if m != path[1]) if len(path) == 2 else ()
    if to_globals:
        rules = [("GlobalParameters", "params")]
    else:
        rules = [(join_path(path[0], m), join_path("params", m)) for m in siblings]
        rules += [(join_path("", key), join_path("params", key)) for key in params if key != path[0]]
    return Slot(path, table, to_globals, siblings, rules)


def tables_of(params: Mapping[str, Spec]) -> list[tuple[tuple[str, ...], Table]]:
    """Every table of a contract's parameters with its path: top level, or a member of a top-level object
    (inference-schema's dicts and unconverted parameters included), in declared order."""
    found: list[tuple[tuple[str, ...], Table]] = []
    for key, spec in params.items():
        table = table_in(spec)
        if table is not None:
            found.append(((key,), table))
        for member, inner in _typed_members(spec).items():
            table = table_in(inner)
            if table is not None:
                found.append(((key, member), table))
    return found


def table_in(spec: Spec | None) -> Table | None:
    """The table `spec` is (converted, or unconverted as inference-schema may declare it), else None."""
    if isinstance(spec, Passthrough):
        spec = spec.inner
    return spec if isinstance(spec, Table) else None


def with_table(params: Mapping[str, Spec], path: tuple[str, ...], how: Callable[[Spec], Spec]) -> dict[str, Spec]:
    """`params` with the spec at `path` (`slot_of`'s) replaced by `how(spec)`."""
    out = dict(params)
    holder = out[path[0]]
    if len(path) == 1:
        out[path[0]] = how(holder)
    elif isinstance(holder, StandardDict):
        out[path[0]] = StandardDict({**holder.typed, path[1]: how(holder.typed[path[1]])}, holder.plain, holder.order)
    else:
        assert isinstance(holder, Object)
        members = {**holder.members, path[1]: how(holder.members[path[1]])}
        out[path[0]] = Object(members, default=holder.default, nullable=holder.nullable)
    return out


def _typed_members(spec: Spec) -> Mapping[str, Spec]:
    if isinstance(spec, Object):
        return spec.members
    return spec.typed if isinstance(spec, StandardDict) else {}


def member_specs(spec: Spec) -> dict[str, Spec]:
    """The members of an object parameter, in order (an inference-schema dict's plain ones as any JSON)."""
    if isinstance(spec, StandardDict):
        return {name: spec.typed.get(name) or Json() for name in spec.order}
    return dict(_typed_members(spec))


def _takes_objects(spec: Spec | None) -> bool:
    if isinstance(spec, Passthrough):
        spec = spec.inner
    return isinstance(spec, (Object, Json, StandardDict))


def table_value(slot: Slot, key: str, value: Any) -> tuple[Any, Rules]:
    """The table's value in a form `Table` reads, and how its paths map back onto `key`'s."""
    where = slot.table_path
    if key == "dataframe_split":
        if type(value) is not dict or not value.keys() <= _SPLIT_KEYS:
            got = f"an object with keys {', '.join(map(repr, value))}" if type(value) is dict else describe_value(value)
            raise bad(key, f'expected pandas\' split form {{"columns": [...], "index"?: [...], "data": [[...], ...]}}, got {got}')
        return value, [(where, key)]
    if key == "dataframe_records":
        if type(value) is not list or (value and type(value[0]) is not dict):
            got = describe_value(value if type(value) is not list else value[0])
            at = key if type(value) is not list else f"{key}[0]"
            raise bad(at, f"expected {'an array of row objects' if at == key else 'a row object'}, got {got}")
        return value, [(where, key)]
    if type(value) is dict or (type(value) is list and (not value or type(value[0]) is dict)):
        return value, [(where, key)]
    if type(value) is list and type(value[0]) is list:
        return {"columns": list(slot.table.columns), "data": value}, [(join_path(where, "data"), key), (where, key)]
    if type(value) is list and len(slot.table.columns) == 1:
        (column,) = slot.table.columns
        return {column: value}, [(join_path(where, column), key), (where, key)]
    if type(value) is list:
        order = ", ".join(map(repr, slot.table.columns))
        raise bad(key, f"a list of single values fills a table of one column, and this one has {len(slot.table.columns)}; "
                   f"send rows (arrays in the order {order}, or objects) or named columns")
    raise bad(key, f"expected rows (an array) or named columns (an object), got {describe_value(value)}")


def place_params(slot: Slot, envelope: dict[str, Any], params: Any) -> Rules:
    """Put `params` where the scorer takes them; the paths of the keys that went to the top level."""
    if params is None:
        return []
    if type(params) is not dict:
        raise bad("params", f"expected an object of parameters, got {describe_value(params)}")
    if slot.to_globals:
        envelope["GlobalParameters"] = params
        return []
    holder = slot.path[0]
    rules: Rules = []
    for key, item in params.items():
        if key in slot.siblings:
            envelope[holder][key] = item
        elif key == holder:
            raise bad(join_path("params", key), f"'{key}' holds the table, which the input field fills; it is no parameter")
        else:
            envelope[key] = item
            rules.append((join_path("", key), join_path("params", key)))
    return rules


def bad(path: str, error: str) -> EnvelopeError:
    """A 400 for the body's shape at `path` (MLflow's BAD_REQUEST), its message naming where."""
    exc = EnvelopeError(f"{path}: {error}", path)
    exc.problems = [Problem(path, error)]
    return exc


def within(path: str, prefix: str) -> bool:
    return path == prefix or (path.startswith(prefix) and path[len(prefix)] in ".[")


def renamed(path: str, rules: Rules) -> str:
    for old, new in rules:
        if within(path, old):
            return new + path[len(old):]
    return path


def rename(ctx: DecodeContext, how: Callable[[Problem], Problem]) -> None:
    """Every problem and ignored key of `ctx` renamed by `how`."""
    ctx.problems.items = [how(problem) for problem in ctx.problems.items]
    ctx.ignored = [how(Problem(path, "")).path for path in ctx.ignored]
