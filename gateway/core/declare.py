"""A scorer's contract: its declared top-level parameters, optional output, and the decorator.

    @contract(Inputs={"data": Table.from_sample(df)}, GlobalParameters={"method": Value(str, default="predict")})
    def run(Inputs, GlobalParameters): ...

The decorator only attaches a `Contract` to the function: calling `run` directly stays a plain call.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Mapping, TypeVar

import numpy as np
import pandas as pd

from .array import Array
from .decoding import DecodeContext
from .envelope import parse_body
from .fastpath import TypedEnvelope, typed_envelope
from .specs import MISSING, List, Object, Spec, Value, as_spec, decode_members
from .table import DeferredTable, Table

__all__ = (
    "CONTRACT_ATTR", "HEADERS_PARAM", "Contract", "contract", "get_contract", "from_sample",
    "Batching", "table_path", "table_at", "deferred_params",
)

CONTRACT_ATTR = "__gateway_contract__"
HEADERS_PARAM = "request_headers"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Batching:
    """How long a request may wait for others (`max_wait_ms`) and how many rows one run() call takes."""

    max_rows: int = 1024
    max_wait_ms: float = 5.0

    def __post_init__(self) -> None:
        if self.max_rows < 1 or self.max_wait_ms < 0:
            raise ValueError("Batching needs max_rows ≥ 1 and max_wait_ms ≥ 0")


def table_path(params: dict[str, Spec]) -> tuple[str, ...]:
    """Where the one table to merge is: `("data",)` or `("Inputs", "data")`; a TypeError otherwise."""
    found: list[tuple[str, ...]] = []
    for name, spec in params.items():
        if isinstance(spec, Table):
            found.append((name,))
        elif isinstance(spec, Object):
            found.extend((name, member) for member, inner in spec.members.items() if isinstance(inner, Table))
    if len(found) != 1:
        raise TypeError(f"batching needs exactly one Table parameter (top level or inside an object); found {len(found)}")
    return found[0]


def table_at(params: dict[str, Spec], path: tuple[str, ...]) -> Table:
    """The Table spec that `table_path` found."""
    spec = params[path[0]]
    if len(path) == 2:
        assert isinstance(spec, Object)
        spec = spec.members[path[1]]
    assert isinstance(spec, Table)
    return spec


def deferred_params(params: dict[str, Spec], path: tuple[str, ...]) -> dict[str, Spec]:
    """The parameters with the table at `path` decoded to columns only (see `DeferredTable`)."""
    out = dict(params)
    deferred = DeferredTable(table_at(params, path))
    if len(path) == 1:
        out[path[0]] = deferred
        return out
    holder = out[path[0]]
    assert isinstance(holder, Object)
    out[path[0]] = Object({**holder.members, path[1]: deferred}, default=holder.default, nullable=holder.nullable)
    return out


@dataclass(frozen=True)
class Contract:
    """The top-level parameters `run()` is called with (by keyword), and what it returns."""

    params: Mapping[str, Spec]
    results: Spec | None = None
    validate_output: bool = False
    batching: Batching | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_folded", {name.casefold(): name for name in self.params})
        object.__setattr__(self, "typed", typed_envelope(dict(self.params)))

    def bind(self, body: dict[str, Any], ctx: DecodeContext) -> dict[str, Any]:
        """Decode the envelope's members into `run()` keyword arguments; problems go to `ctx`."""
        folded: dict[str, str] = self._folded  # type: ignore[attr-defined]
        return decode_members(self.params, folded, body, "", ctx)

    def bind_body(self, body: bytes, text_values: bool = False) -> tuple[dict[str, Any], DecodeContext]:
        """A POST body's `run()` arguments: through msgspec's typed rows when the body is a clean records
        request (`gateway.core.fastpath`), else (and whenever that finds a problem) through `parse_body`, whose
        400s and paths are the answer. `text_values`: every table and array accepts text values (typed rows
        refuse a string in a number's cell, so such a body takes the general path)."""
        typed: TypedEnvelope | None = self.typed  # type: ignore[attr-defined]
        envelope = typed.decode(body) if typed is not None else None
        if envelope is not None:
            ctx = DecodeContext(text_values=text_values)
            kwargs = self.bind(envelope, ctx)
            if not ctx.problems:
                return kwargs, ctx
        ctx = DecodeContext(text_values=text_values)
        return self.bind(parse_body(body), ctx), ctx

    def envelope(self) -> Object:
        """The whole request body as one `Object` spec (for schemas and examples)."""
        return Object(self.params)

    def describe(self) -> str:
        return ", ".join(
            f"{name}{'' if spec.required else '?'}: {spec.describe()}" for name, spec in self.params.items()
        )


def contract(
    params: Mapping[str, Any] | None = None,
    /,
    *,
    results: Any = None,
    validate_output: bool = False,
    batching: Batching | None = None,
    **declared: Any,
) -> Callable[[F], F]:
    """Declare `run()`'s top-level parameters (one keyword per JSON key) and, optionally, its output.

    A parameter is optional when its spec has a default or `run()` gives it a Python default;
    a missing optional parameter is passed as that default, unconverted. With `batching=Batching(...)`,
    concurrent requests are merged into one run() call (the contract must hold exactly one Table).
    """
    merged: dict[str, Any] = dict(params or {})
    merged.update(declared)
    if not merged:
        raise TypeError("contract() needs at least one parameter")
    specs = {name: as_spec(spec) for name, spec in merged.items()}
    output = as_spec(results) if results is not None else None
    if validate_output and output is None:
        raise TypeError("validate_output=True needs a results= declaration to validate against")
    if batching is not None:
        table_path(specs)

    def attach(fn: F) -> F:
        setattr(fn, CONTRACT_ATTR, Contract(_with_signature_defaults(fn, specs), output, validate_output, batching))
        return fn

    return attach


def from_sample(sample: Any, **options: Any) -> Spec:
    """A spec from a sample, as inference-schema reads samples: DataFrame → Table, ndarray → Array,
    dict → Object of samples, list → List of its first element, JSON scalar → Value. `options` go to
    the Table/Array/Value built for the sample itself."""
    if isinstance(sample, pd.DataFrame):
        return Table.from_sample(sample, **options)
    if isinstance(sample, np.ndarray):
        return Array.from_sample(sample, **options)
    if isinstance(sample, Spec):
        return sample
    if isinstance(sample, dict):
        return Object({str(key): from_sample(value) for key, value in sample.items()}, **options)
    if isinstance(sample, (list, tuple)):
        if not sample:
            raise ValueError("cannot infer a List spec from an empty sample")
        return List(from_sample(sample[0]), **options)
    if isinstance(sample, (bool, int, float, str)):
        return Value.from_sample(sample, **options)
    raise TypeError(f"cannot build a spec from a sample of type {type(sample).__name__}")


def get_contract(fn: Callable[..., Any]) -> Contract | None:
    found = getattr(fn, CONTRACT_ATTR, None)
    return found if isinstance(found, Contract) else None


def _with_signature_defaults(fn: Callable[..., Any], specs: dict[str, Spec]) -> dict[str, Spec]:
    """Check the declaration against `fn`'s signature and fold Python defaults into the specs."""
    name = getattr(fn, "__qualname__", repr(fn))
    signature = inspect.signature(fn)
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    if HEADERS_PARAM in specs:
        raise TypeError(f"{name}: '{HEADERS_PARAM}' is filled by the gateway and cannot be declared")
    out: dict[str, Spec] = {}
    for param_name, spec in specs.items():
        param = signature.parameters.get(param_name)
        if param is None or param.kind in (param.VAR_POSITIONAL, param.POSITIONAL_ONLY):
            if not accepts_any:
                raise TypeError(f"{name}() has no keyword parameter '{param_name}' to receive the declared input")
        elif param.default is not inspect.Parameter.empty and spec.default is MISSING:  # the Python default wins over derived ones
            spec = copy.copy(spec)
            spec.default = param.default
        out[param_name] = spec
    for param in signature.parameters.values():
        undeclared = param.name not in specs and param.name != HEADERS_PARAM
        if undeclared and param.kind in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY, param.POSITIONAL_ONLY):
            if param.default is inspect.Parameter.empty:
                raise TypeError(f"{name}() parameter '{param.name}' is neither declared in the contract nor defaulted")
    return out
