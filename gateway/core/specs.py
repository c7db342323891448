"""What a parameter can be declared as: the `Spec` interface and the JSON-shaped specs.

A spec turns one JSON value (already parsed by orjson) into what `run()` receives, reporting every
problem with its JSON path. `Table` and `Array` live in their own modules; this one holds the base
class, `Json` (anything, unchanged), `Value` (a typed scalar), `Object` (named members) and `List`.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from gateway.errors import join_path

from .decoding import DecodeContext, describe_value
from .dtypes import VALUE_TYPES
from .schema import JSON_SCHEMA, nullable

__all__ = ("MISSING", "Spec", "Json", "Value", "Object", "Results", "List", "as_spec")


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Spec:
    """A declared parameter type: decodes a JSON value strictly and describes itself as JSON Schema."""

    default: Any = MISSING
    nullable: bool = False
    #: an explicit null counts as absent (the default), as inference-schema treats optional parameters
    null_is_absent: bool = False

    @property
    def required(self) -> bool:
        return self.default is MISSING

    def missing_value(self) -> Any:
        """What `run()` receives when an optional member is absent: its default, unconverted."""
        return self.default

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        raise NotImplementedError

    def schema(self, dialect: str) -> dict[str, Any]:
        """The schema of the accepted wire form in `dialect` (`schema.JSON_SCHEMA`, the contract's draft
        2020-12, or a Swagger/OpenAPI document's "2.0", "3.0", "3.1"); see `gateway.core.schema`."""
        raise NotImplementedError

    def example(self) -> Any:
        """A JSON value this spec accepts, used in published documents."""
        raise NotImplementedError

    def describe(self) -> str:
        """A one-line summary for the startup banner."""
        return type(self).__name__


class Json(Spec):
    """Any JSON value, passed to `run()` unchanged."""

    def __init__(self, *, default: Any = MISSING, example: Any = None) -> None:
        self.default = default
        self._example = example

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        return value

    def schema(self, dialect: str) -> dict[str, Any]:
        return {}

    def example(self) -> Any:
        return self._example if self.default is MISSING else self.default

    def describe(self) -> str:
        return "any JSON"


class Value(Spec):
    """A JSON scalar of one type (`int`, `float`, `bool`, `str`), optionally from an enum, with a default."""

    def __init__(
        self,
        type: type,
        *,
        default: Any = MISSING,
        enum: Sequence[Any] | None = None,
        nullable: bool = False,
        example: Any = MISSING,
    ) -> None:
        if type not in VALUE_TYPES:
            raise TypeError(f"Value type must be one of int, float, bool, str; got {type!r}")
        self.type = type
        self.enum = tuple(enum) if enum is not None else None
        self.nullable = nullable
        self.default = default
        self._example = example
        for candidate in ([] if self.enum is None else list(self.enum)) + (
            [] if default is MISSING or default is None else [default]
        ):
            if self._check(candidate) is not None:
                raise TypeError(f"Value({type.__name__}) cannot hold {candidate!r}")

    @classmethod
    def from_sample(cls, sample: Any, **options: Any) -> "Value":
        """A Value of the sample's type, with the sample as its published example."""
        kind = type(sample)
        if kind not in VALUE_TYPES:
            kind = next((t for t in (bool, int, float, str) if isinstance(sample, t)), kind)
        return cls(kind, example=kind(sample), **options)

    def _check(self, value: Any) -> str | None:
        """None when `value` is acceptable, else what was expected."""
        t = self.type
        if t is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif t is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, t)
        if not ok:
            return f"expected {VALUE_TYPES[t].noun}"
        if self.enum is not None and value not in self.enum:
            return "expected one of " + ", ".join(describe_value(v) for v in self.enum)
        return None

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        if value is None:
            if not self.nullable:
                ctx.problems.add(path, f"expected {VALUE_TYPES[self.type].noun}, got null")
            return None
        wrong = self._check(value)
        if wrong is not None:
            ctx.problems.add(path, f"{wrong}, got {describe_value(value)}")
            return value
        if self.type is float:
            return float(value)
        return value

    def schema(self, dialect: str) -> dict[str, Any]:
        facts = VALUE_TYPES[self.type]
        schema: dict[str, Any] = {"type": facts.json}
        if dialect != JSON_SCHEMA and facts.openapi_format:
            schema["format"] = facts.openapi_format
        if self.enum is not None:
            schema["enum"] = list(self.enum)
        if dialect == JSON_SCHEMA:
            if self.default is not MISSING:
                schema["default"] = self.default
        elif self.default is not None and not self.required:
            schema["default"] = self.default
        return nullable(schema, dialect) if self.nullable else schema

    def example(self) -> Any:
        if self._example is not MISSING:
            return self._example
        if self.default is not MISSING and self.default is not None:
            return self.default
        if self.enum:
            return self.enum[0]
        return VALUE_TYPES[self.type].example

    def describe(self) -> str:
        text = self.type.__name__
        if self.enum is not None:
            text += "{" + ",".join(map(str, self.enum)) + "}"
        return text + ("?" if self.nullable else "")


class Object(Spec):
    """A JSON object with named members, each a spec; members with a default are optional."""

    def __init__(self, members: Mapping[str, Any], *, default: Any = MISSING, nullable: bool = False) -> None:
        self.members: dict[str, Spec] = {name: as_spec(spec) for name, spec in members.items()}
        self._folded = {name.casefold(): name for name in self.members}
        self.default = default
        self.nullable = nullable

    @property
    def required(self) -> bool:
        """An object is optional when it has a default or every member of it is optional."""
        return self.default is MISSING and any(spec.required for spec in self.members.values())

    def missing_value(self) -> Any:
        if self.default is not MISSING:
            return self.default
        return {name: spec.missing_value() for name, spec in self.members.items()}

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        if not isinstance(value, dict):
            if value is None and self.nullable:
                return None
            ctx.problems.add(path or "$", f"expected an object, got {describe_value(value)}")
            return value
        return decode_members(self.members, self._folded, value, path, ctx)

    def schema(self, dialect: str) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: spec.schema(dialect) for name, spec in self.members.items()},
        }
        required = [name for name, spec in self.members.items() if spec.required]
        if required:
            schema["required"] = required
        return nullable(schema, dialect) if self.nullable else schema

    def example(self) -> Any:
        return {name: spec.example() for name, spec in self.members.items()}

    def describe(self) -> str:
        return "{" + ", ".join(f"{n}: {s.describe()}" for n, s in self.members.items()) + "}"


class Results(Object):
    """The output envelope `{"Results": <spec>}` that Power BI and AutoML clients read."""

    def __init__(self, results: Any) -> None:
        super().__init__({"Results": results})


def decode_members(
    members: Mapping[str, Spec], folded: Mapping[str, str], value: dict[str, Any], path: str, ctx: DecodeContext
) -> dict[str, Any]:
    """Decode an object's declared members, case-sensitively; used for the envelope and `Object`."""
    noun = "a key" if path else "a parameter"
    out: dict[str, Any] = {}
    for key in value:
        if key not in members:
            declared = folded.get(key.casefold())
            if declared is not None and declared not in value:
                ctx.problems.add(
                    join_path(path, key),
                    f"'{key}' is not {noun}; keys are case-sensitive: did you mean '{declared}'?",
                )
            else:
                ctx.ignored.append(join_path(path, key))
    for name, spec in members.items():
        member_path = join_path(path, name)
        if name in value and not (spec.null_is_absent and value[name] is None):
            out[name] = spec.decode(value[name], member_path, ctx)
        elif not spec.required:
            out[name] = spec.missing_value()
        elif folded_key_present(name, value):
            continue  # already reported as a case mistake
        elif path:
            ctx.problems.add(member_path, f"required key '{name}' is missing")
        else:
            ctx.problems.add(member_path, f"A value is not provided for the '{name}' parameter.")
    return out


def folded_key_present(name: str, value: Mapping[str, Any]) -> bool:
    target = name.casefold()
    return any(key.casefold() == target for key in value)


class List(Spec):
    """A JSON array whose every element follows one spec."""

    def __init__(self, items: Any, *, default: Any = MISSING, nullable: bool = False) -> None:
        self.items = as_spec(items)
        self.default = default
        self.nullable = nullable

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        if not isinstance(value, list):
            if value is None and self.nullable:
                return None
            ctx.problems.add(path, f"expected an array, got {describe_value(value)}")
            return value
        return [self.items.decode(item, join_path(path, i), ctx) for i, item in enumerate(value)]

    def schema(self, dialect: str) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": self.items.schema(dialect)}
        return nullable(schema, dialect) if self.nullable else schema

    def example(self) -> Any:
        return [self.items.example()]

    def describe(self) -> str:
        return f"[{self.items.describe()}]"


def as_spec(declared: Any) -> Spec:
    """Accept the shorthand forms of a declaration: a Spec, a dict of specs, or int/float/bool/str."""
    if isinstance(declared, Spec):
        return declared
    if isinstance(declared, Mapping):
        return Object(declared)
    if declared in VALUE_TYPES:
        return Value(declared)
    raise TypeError(
        f"cannot declare a parameter as {declared!r}: use Table, Array, Value, Json, a dict of these, "
        "or one of int/float/bool/str"
    )
