"""Scripts decorated with inference-schema (`@input_schema` / `@output_schema`), served unchanged.

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

from gateway.core.array import Array
from gateway.core.declare import HEADERS_PARAM, Contract
from gateway.core.specs import Json, List, Spec, Value
from gateway.core.table import Table

from .parameter_specs import (
    Base64Bytes,
    Documented,
    FreeRankArray,
    IsoDate,
    Passthrough,
    ReferenceConversion,
    StandardDict,
    plain_sample,
)

__all__ = ("is_decorated", "adapt")

#: orients whose wire form is one of the gateway's table forms (pandas' `table` orient is not)
_TABLE_ORIENTS = ("records", "split", "values", "index", "columns")
#: column kinds in which inference-schema reads null as a missing value (NaN, None, NaT); int and
#: bool columns stay strict (there pandas fails, or turns null into True)
_NULLABLE_KINDS = ("float", "string", "datetime", "timedelta")


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
    signature = inspect.signature(inner)
    unknown = [name for name in by_name if name not in signature.parameters]
    if unknown and not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        raise ValueError(
            f"@input_schema names {', '.join(repr(n) for n in unknown)}, which run{signature} does not take; "
            "rename the decorator's parameter or run()'s"
        )
    params: dict[str, Spec] = {}
    for param in signature.parameters.values():
        if param.name == HEADERS_PARAM or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.name in by_name:
            ptype, convert, optional = by_name[param.name]
            spec = parameter_spec(ptype)
            if not convert:
                spec = Passthrough(spec)
            spec.null_is_absent = optional or param.default is not inspect.Parameter.empty
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


def _table(sample: Any, orient: str) -> Table:
    """A DataFrame sample's table: strict, nulls as inference-schema reads them, the sample's dtypes."""
    frame = sample.set_axis([str(c) for c in sample.columns], axis=1)
    return Table.from_sample(frame, orient=orient, nullable_kinds=_NULLABLE_KINDS, sample_dtypes=True)


def parameter_spec(ptype: Any) -> Spec:
    """The gateway spec for one inference-schema parameter type."""
    from inference_schema.parameter_types.abstract_parameter_type import (
        AbstractParameterType,
    )
    from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
    from inference_schema.parameter_types.pandas_parameter_type import (
        PandasParameterType,
    )
    from inference_schema.parameter_types.standard_py_parameter_type import (
        StandardPythonParameterType,
    )

    sample = ptype.sample_input
    try:
        if isinstance(ptype, PandasParameterType):
            if ptype.orient in _TABLE_ORIENTS and ptype.enforce_column_type and ptype.enforce_shape:
                if not ptype.apply_column_names:
                    return _table(sample, ptype.orient)
        elif isinstance(ptype, NumpyParameterType):
            if ptype.enforce_column_type and sample.dtype.names is None and sample.ndim >= 1:
                array = Array.from_sample(sample, nullable=False, sample_dtype=True)
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
                return plain_sample(list(sample))
            if type(sample) in (bool, int, float, str):
                return Value(type(sample), example=sample)
            if type(sample) is dt.date:
                return IsoDate(example=sample.isoformat())
            if type(sample) is bytes:
                return Base64Bytes(example=ptype.input_to_swagger().get("example"))
    except (TypeError, ValueError):
        pass  # a sample the strict specs cannot describe: fall back to the type's own conversion
    return ReferenceConversion(ptype)

