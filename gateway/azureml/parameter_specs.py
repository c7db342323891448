"""The specs inference-schema parameter types become where the gateway's own specs do not fit as they
are: passed through unconverted, dicts of typed and plain members, free-rank arrays, ISO dates, base64 bytes,
the parameter type's own conversion, and schemas published as inference-schema wrote them."""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
from typing import Any

from gateway.core.array import Array
from gateway.core.decoding import DecodeContext, describe_value
from gateway.core.specs import MISSING, Json, Spec
from gateway.errors import join_path

__all__ = (
    "Passthrough", "StandardDict", "plain_sample", "FreeRankArray", "IsoDate", "Base64Bytes", "ReferenceConversion", "Documented"
)


class Passthrough(Spec):
    """`convert_to_provided_type=False`, or a plain sample inference-schema never converts: checked and
    documented like `inner`, handed to run() exactly as sent."""

    def __init__(self, inner: Spec, example: Any = MISSING) -> None:
        """`example` replaces the inner spec's (a plain sample is its own example)."""
        self.inner = inner
        self.default = inner.default
        self.nullable = inner.nullable
        self._example = example

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        self.inner.decode(value, path, ctx)  # for its problems only
        return value

    def schema(self, dialect: str) -> dict[str, Any]:
        return self.inner.schema(dialect)

    def example(self) -> Any:
        return self.inner.example() if self._example is MISSING else self._example

    def describe(self) -> str:
        return f"{self.inner.describe()} (not converted)"


class StandardDict(Spec):
    """A StandardPythonParameterType dict sample: typed members converted (and required), plain members
    checked by their sample's JSON types and passed through as sent, extra keys passed through, as
    inference-schema does."""

    def __init__(self, typed: dict[str, Spec], plain: dict[str, Any], order: list[str] | None = None) -> None:
        self.typed = typed
        self.plain = plain
        self.order = order or [*plain, *typed]
        self._plain_specs: dict[str, Spec] | None = None

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        if not isinstance(value, dict):
            ctx.problems.add(path or "$", f"expected an object, got {describe_value(value)}")
            return value
        out = dict(value)
        for name, spec in self._checked().items():
            if name in value:
                spec.decode(value[name], join_path(path, name), ctx)
        for name, spec in self.typed.items():
            member = join_path(path, name)
            if name in value:
                out[name] = spec.decode(value[name], member, ctx)
            elif not spec.required:
                out[name] = spec.missing_value()
            else:
                ctx.problems.add(member, f"required key '{name}' is missing")
        return out

    def _checked(self) -> dict[str, Spec]:
        """Each plain member's spec (from its sample; documented only when no spec describes it)."""
        if self._plain_specs is None:
            self._plain_specs = {name: plain_sample(sample) for name, sample in self.plain.items()}
        return self._plain_specs

    @property
    def struct_members(self) -> dict[str, Spec]:
        """Every key of the sample with its spec, for the typed fast path (`gateway.core.fastpath`): a body
        with other keys, which this dict passes through, takes the general path."""
        return self._members()

    def _members(self) -> dict[str, Spec]:
        members: dict[str, Spec] = dict(self._checked())
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


def plain_sample(sample: Any) -> Spec:
    """A plain sample inference-schema never converts: checked by its JSON types and passed as sent,
    published with inference-schema's own example; documented only when no spec describes it."""
    documented = _documented_sample(sample)
    try:
        return Passthrough(_sample_spec(sample), example=documented.example())
    except (TypeError, ValueError):
        return Passthrough(documented)


def _sample_spec(sample: Any) -> Spec:
    from gateway.core.declare import from_sample

    return from_sample(sample)


def _documented_sample(sample: Any) -> "Documented | Json":
    """A plain sample the gateway's specs cannot describe (e.g. a dict holding a NumpyParameterType):
    documented with inference-schema's own schema and example, which are plain JSON."""
    from inference_schema.parameter_types.standard_py_parameter_type import (
        StandardPythonParameterType,
    )

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
            array = self._by_rank[rank] = Array(
                self.array.dtype, (None,) * rank, nullable=self.array.nullable_elements, sample_dtype=self.array.sample_dtype
            )
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


class Base64Bytes(Spec):
    """A `bytes` sample: base64 text (what inference-schema publishes, `format: byte`) becomes `bytes`;
    anything else, or text that is not base64, is refused instead of failing inside the parameter type."""

    def __init__(self, example: Any) -> None:
        self._example = example

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> Any:
        if isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                pass
        ctx.problems.add(path or "$", f"expected base64 text (bytes), got {describe_value(value)}")
        return value

    def schema(self, dialect: str) -> dict[str, Any]:
        return {"type": "string", "format": "byte"}

    def example(self) -> Any:
        return self._example

    def describe(self) -> str:
        return "bytes (base64)"


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
