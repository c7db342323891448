"""§7 scripts decorated with inference-schema (`@input_schema` / `@output_schema`), served unchanged.

The gateway reads what each decorator declares (the parameter type, its sample, orient, `enforce_*`,
`convert_to_provided_type`, `optional`), builds its own contract from it, converts requests with its own
strict conversion, and calls the undecorated function. What has no strict counterpart (structured numpy
dtypes, pandas `index`/`columns`/`table` orients, `enforce_column_type=False`, timedelta columns, Python
datetimes and bytes, Spark) is converted by the parameter type's own `deserialize_input`, with its
failures answered as 400s instead of 500s. Python `date` samples, which inference-schema itself can never
convert, take ISO-8601 dates.
"""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import sys
from typing import Any, Callable

from gateway.contract.array import Array
from gateway.contract.declare import HEADERS_PARAM, Contract
from gateway.contract.specs import MISSING, Json, List, Spec, Value
from gateway.contract.decoding import DecodeContext, describe_value
from gateway.contract.table import Table

__all__ = ("is_decorated", "adapt")

#: orients whose wire form is one of the gateway's table forms; pandas' `columns` orient is
#: `{column: {row label: value}}`, not the gateway's `{column: [values]}`, so it is not one of them
_TABLE_ORIENTS = ("records", "split", "values")


def is_decorated(fn: Callable[..., Any]) -> bool:
    """True for a function carrying any inference-schema decorator (only checked once the script imported it)."""
    if "inference_schema" not in sys.modules:
        return False
    from inference_schema.schema_util import is_schema_decorated

    return bool(is_schema_decorated(fn))


def _declarations(fn: Callable[..., Any]) -> tuple[Callable[..., Any], list[tuple[str, Any, bool, bool]]]:
    """The undecorated function and each `@input_schema`'s (name, type, convert, optional), outermost first."""
    import wrapt

    declared: list[tuple[str, Any, bool, bool]] = []
    current: Any = fn
    while isinstance(current, wrapt.ObjectProxy):
        wrapper = getattr(current, "_self_wrapper", None)
        if wrapper is not None:
            found = inspect.getclosurevars(wrapper).nonlocals
            if "param_name" in found and "param_type" in found:
                declared.append(
                    (found["param_name"], found["param_type"], found["convert_to_provided_type"], found["optional"])
                )
        current = current.__wrapped__
    return current, declared


def adapt(fn: Callable[..., Any]) -> tuple[Callable[..., Any], Contract]:
    """The undecorated `run` and the gateway contract equivalent to its decorators."""
    from inference_schema.schema_util import get_output_schema

    inner, declared = _declarations(fn)
    by_name = {name: (ptype, convert, optional) for name, ptype, convert, optional in reversed(declared)}
    params: dict[str, Spec] = {}
    for param in inspect.signature(inner).parameters.values():
        if param.name == HEADERS_PARAM or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.name in by_name:
            ptype, convert, optional = by_name[param.name]
            spec = parameter_spec(ptype)
            if not convert:
                spec = Passthrough(spec)
        else:
            spec, optional = Json(), False
        if param.default is not inspect.Parameter.empty:
            spec = _with_default(spec, param.default)
        elif optional:
            spec = _with_default(spec, None)
        params[param.name] = spec
    output = get_output_schema(fn)
    results = Documented(output) if output and output != {"type": "object"} else None
    return inner, Contract(params, results)


def _with_default(spec: Spec, default: Any) -> Spec:
    spec = copy.copy(spec)
    spec.default = default
    return spec


def parameter_spec(ptype: Any) -> Spec:
    """The gateway spec for one inference-schema parameter type."""
    from inference_schema.parameter_types.abstract_parameter_type import AbstractParameterType
    from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
    from inference_schema.parameter_types.pandas_parameter_type import PandasParameterType
    from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType

    sample = ptype.sample_input
    try:
        if isinstance(ptype, PandasParameterType):
            if ptype.orient in _TABLE_ORIENTS and ptype.enforce_column_type and ptype.enforce_shape:
                if not ptype.apply_column_names:
                    frame = sample.set_axis([str(c) for c in sample.columns], axis=1)
                    return Table.from_sample(frame, orient=ptype.orient)  # a NaN in a sample column makes it nullable
        elif isinstance(ptype, NumpyParameterType):
            if ptype.enforce_column_type and sample.dtype.names is None and sample.ndim >= 1:
                array = Array.from_sample(sample, nullable=False)
                return array if ptype.enforce_shape else FreeRankArray(array)
        elif isinstance(ptype, StandardPythonParameterType):
            if isinstance(sample, dict):
                typed = {k: parameter_spec(v) for k, v in sample.items() if isinstance(v, AbstractParameterType)}
                plain = {k: v for k, v in sample.items() if not isinstance(v, AbstractParameterType)}
                return StandardDict(typed, plain, order=[str(k) for k in sample])
            if isinstance(sample, (list, tuple)):
                wrapped = [v for v in sample if isinstance(v, AbstractParameterType)]
                if wrapped:
                    return List(parameter_spec(wrapped[0]))
                return Passthrough(Documented(ptype.input_to_swagger()))
            if type(sample) in (bool, int, float, str):
                return Value(type(sample), example=sample)
            if type(sample) is dt.date:
                return IsoDate(example=sample.isoformat())
    except (TypeError, ValueError):
        pass  # a sample the strict specs cannot describe: fall back to the type's own conversion
    return ReferenceConversion(ptype)


class Passthrough(Spec):
    """`convert_to_provided_type=False`: documented like `inner`, handed to run() exactly as sent."""

    def __init__(self, inner: Spec) -> None:
        self.inner = inner
        self.default = inner.default
        self.nullable = inner.nullable

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        return value

    def schema(self, dialect: str) -> dict[str, Any]:
        return self.inner.schema(dialect)

    def example(self) -> Any:
        return self.inner.example()

    def describe(self) -> str:
        return f"{self.inner.describe()} (not converted)"


class StandardDict(Spec):
    """A StandardPythonParameterType dict sample: typed members converted (and required), plain members
    and extra keys passed through as inference-schema does."""

    def __init__(self, typed: dict[str, Spec], plain: dict[str, Any], order: list[str] | None = None) -> None:
        self.typed = typed
        self.plain = plain
        self.order = order or [*plain, *typed]

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        from gateway.errors import join_path

        if not isinstance(value, dict):
            ctx.problems.add(path or "$", f"expected an object, got {describe_value(value)}")
            return value
        out = dict(value)
        for name, spec in self.typed.items():
            member = join_path(path, name)
            if name in value:
                out[name] = spec.decode(value[name], member, ctx)
            elif not spec.required:
                out[name] = spec.missing_value()
            else:
                ctx.problems.add(member, f"required key '{name}' is missing")
        return out

    def _members(self) -> dict[str, Spec]:
        members: dict[str, Spec] = {}
        for name, sample in self.plain.items():
            try:
                members[name] = Passthrough(_sample_spec(sample))
            except (TypeError, ValueError):
                members[name] = Passthrough(_documented_sample(sample))
        members.update(self.typed)
        return {name: members[name] for name in self.order if name in members}

    def schema(self, dialect: str) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: spec.schema(dialect) for name, spec in self._members().items()},
        }
        required = [name for name, spec in self.typed.items() if spec.required]
        if required:
            schema["required"] = required
        return schema

    def example(self) -> Any:
        return {name: spec.example() for name, spec in self._members().items()}

    def describe(self) -> str:
        return "{" + ", ".join(f"{n}: {s.describe()}" for n, s in self._members().items()) + "}"


def _sample_spec(sample: Any) -> Spec:
    from gateway.contract.declare import from_sample

    return from_sample(sample)


def _documented_sample(sample: Any) -> Spec:
    """A plain sample the gateway's specs cannot describe (e.g. a dict holding a NumpyParameterType):
    documented with inference-schema's own schema and example, which are plain JSON."""
    from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType

    try:
        return Documented(StandardPythonParameterType(sample).input_to_swagger())
    except Exception:  # noqa: BLE001 - a sample inference-schema cannot describe either is documented as any JSON
        return Json()


class FreeRankArray(Spec):
    """`NumpyParameterType(..., enforce_shape=False)`: the declared dtype is enforced as strictly as in
    any Array, but the number of dimensions and their sizes are free (the rank is read from the value)."""

    def __init__(self, array: Array) -> None:
        self.array = array
        self.default = array.default
        self._by_rank: dict[int, Array] = {}

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        rank, probe = 0, value
        while type(probe) is list:
            rank += 1
            probe = probe[0] if probe else None
        rank = max(rank, 1)
        array = self._by_rank.get(rank)
        if array is None:
            array = self._by_rank[rank] = Array(self.array.dtype, (None,) * rank)
        return array.decode(value, path, ctx)

    def schema(self, dialect: str) -> dict[str, Any]:
        return self.array.schema(dialect)

    def example(self) -> Any:
        return self.array.example()

    def describe(self) -> str:
        return f"Array[{self.array.dtype}] (any shape)"


class IsoDate(Spec):
    """A `datetime.date` sample: an ISO-8601 calendar date (`2021-03-04`) becomes a `datetime.date`
    (inference-schema itself could never convert one: it calls the non-existent `date.strptime`)."""

    def __init__(self, example: str) -> None:
        self._example = example

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        if isinstance(value, str) and len(value) == 10:
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        ctx.problems.add(path or "$", f"expected an ISO-8601 date (like 2021-03-04), got {describe_value(value)}")
        return value

    def schema(self, dialect: str) -> dict[str, Any]:
        return {"type": "string", "format": "date"}

    def example(self) -> Any:
        return self._example

    def describe(self) -> str:
        return "date"


class ReferenceConversion(Spec):
    """The parameter type's own `deserialize_input`, for what the strict specs cannot express; its
    failures are 400s naming the path."""

    def __init__(self, ptype: Any) -> None:
        self.ptype = ptype
        swagger = ptype.input_to_swagger()
        self._schema: dict[str, Any] = _valid_schema({k: v for k, v in swagger.items() if k != "example"})
        self._example = swagger.get("example")

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        if isinstance(value, self.ptype.sample_data_type):
            return value
        try:
            return self.ptype.deserialize_input(value)
        except Exception as exc:  # noqa: BLE001 - any conversion failure is the request's fault
            ctx.problems.add(path or "$", f"{type(exc).__name__}: {exc}")
            return value

    def schema(self, dialect: str) -> dict[str, Any]:
        return copy.deepcopy(self._schema)

    def example(self) -> Any:
        return self._example

    def describe(self) -> str:
        return type(self.ptype).__name__


class Documented(Spec):
    """A schema as inference-schema wrote it (an `@output_schema`, or a sample passed through unconverted):
    published as written, never used to convert."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._schema: dict[str, Any] = _valid_schema({k: v for k, v in schema.items() if k != "example"})
        self._example = schema.get("example", MISSING)

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        return value

    def schema(self, dialect: str) -> dict[str, Any]:
        return copy.deepcopy(self._schema)

    def example(self) -> Any:
        return None if self._example is MISSING else self._example


def _valid_schema(schema: Any) -> Any:
    """inference-schema's schema without what OpenAPI forbids: it writes `required: []` for an empty dict sample."""
    if isinstance(schema, dict):
        return {k: _valid_schema(v) for k, v in schema.items() if not (k == "required" and v == [])}
    if isinstance(schema, list):
        return [_valid_schema(v) for v in schema]
    return schema
