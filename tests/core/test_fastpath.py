"""gateway.core.fastpath: msgspec's typed rows give exactly what the general path gives, or hand the body to it."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway import Column, Contract, Json, Table, Value, contract
from gateway.core.codecs.base import TypedRows
from gateway.core.decoding import DecodeContext
from gateway.core.envelope import parse_body
from gateway.core.fastpath import typed_envelope
from gateway.errors import GatewayError

TABLE = Table({
    "age": "int64",
    "income": "float64",
    "member": "bool",
    "Customer City": Column("string", nullable=True),
    "class": "datetime",
    "small": "uint8",
    "score": Column("float32", nullable=True),
    "count": Column("int32", nullable=True),
    "wait": "timedelta",
})
PARAMS = {"Inputs": {"data": TABLE, "note": Json(default=None)}, "GlobalParameters": {"method": Value(str, default="predict")}}


def _general(c: Contract, body: bytes) -> tuple[Any, DecodeContext | GatewayError]:
    try:
        envelope = parse_body(body)
    except GatewayError as exc:
        return None, exc
    ctx = DecodeContext()
    return c.bind(envelope, ctx), ctx


def _typed(c: Contract, body: bytes) -> tuple[Any, DecodeContext | GatewayError]:
    try:
        return c.bind_body(body)
    except GatewayError as exc:
        return None, exc


def assert_same(c: Contract, body: bytes) -> tuple[Any, DecodeContext | GatewayError]:
    """bind_body (typed when it can) answers exactly as parse_body + bind."""
    fast, fast_ctx = _typed(c, body)
    slow, slow_ctx = _general(c, body)
    if isinstance(slow_ctx, GatewayError):
        assert isinstance(fast_ctx, GatewayError) and fast_ctx.body() == slow_ctx.body()
        return fast, fast_ctx
    assert isinstance(fast_ctx, DecodeContext)
    assert [(p.path, p.error) for p in fast_ctx.problems.items] == [(p.path, p.error) for p in slow_ctx.problems.items]
    assert fast_ctx.ignored == slow_ctx.ignored and fast_ctx.forms == slow_ctx.forms and fast_ctx.rows == slow_ctx.rows
    if not slow_ctx.problems:
        _assert_equal(fast, slow)
    return fast, fast_ctx


def _assert_equal(a: Any, b: Any) -> None:
    if isinstance(b, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    elif isinstance(b, dict):
        assert a.keys() == b.keys()
        for key in b:
            _assert_equal(a[key], b[key])
    else:
        assert a == b


def row(**overrides: Any) -> dict[str, Any]:
    base = {"age": 42, "income": 1234.5, "member": True, "Customer City": "Seattle", "class": "2020-01-02T03:04:05",
            "small": 7, "score": 0.5, "count": 3, "wait": "1 days 02:00:00"}
    base.update(overrides)
    return base


def body(rows: list[Any], **envelope: Any) -> bytes:
    """The request (json, not orjson: it writes integers beyond 64 bits)."""
    return json.dumps({"Inputs": {"data": rows}, "GlobalParameters": {"method": "predict"}, **envelope}).encode()


@pytest.fixture(scope="module")
def c() -> Contract:
    @contract(**PARAMS)
    def run(Inputs, GlobalParameters):
        return None

    return run.__gateway_contract__


def test_a_contract_with_a_table_gets_a_typed_decoder_and_one_without_does_not(c):
    assert c.typed is not None
    assert typed_envelope({"Inputs": Json()}) is None
    assert typed_envelope({"Inputs": {"x": Value(int)}}) is None


def test_clean_records_go_through_typed_rows(c):
    envelope = c.typed.decode(body([row(), row(age=1)]))
    assert isinstance(envelope["Inputs"]["data"], TypedRows)
    assert envelope["GlobalParameters"] == {"method": "predict"} and "note" not in envelope["Inputs"]
    kwargs, ctx = assert_same(c, body([row(), row(age=1)]))
    frame = kwargs["Inputs"]["data"]
    assert frame["age"].tolist() == [42, 1] and str(frame["small"].dtype) == "uint8"
    assert ctx.forms == {"Inputs.data": "records"} and ctx.rows == 2


@pytest.mark.parametrize(
    "rows",
    [
        [row(income=5)],  # an integer in a float column
        [row(**{"Customer City": None, "score": None, "count": None})],  # nulls in nullable columns
        [row(**{"Customer City": "São Paulo ✓"})],
        [row(age=2**63 - 1), row(age=-(2**63))],
        [row(age=2**63)],  # out of int64's range: a 400 worded as the general path words it
        [row(age=2**64)],  # orjson reads this as a float: the general path's message
        [row(small=256)],
        [row(score=1e39)],  # float32 overflow
        [row(age=1.0)],
        [row(age=True)],
        [row(income="1.5")],
        [row(member=1)],
        [row(**{"class": "2020-13-01T00:00:00"})],
        [row(**{"class": "2020-01-02T03:04:05+01:00"})],
        [row(**{"class": "2020-01-02"}), row(**{"class": "2020-01-02T03:04"})],
        [row(wait="5")],
        [row(age=None)],
        [{k: v for k, v in row().items() if k != "age"}],
        [row(extra=1)],
        [row(AGE=1)],
        [row(), [1, 2]],
        [],
    ],
)
def test_every_body_answers_as_the_general_path(c, rows):
    assert_same(c, body(rows))


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"[]",
        b'{"inputs": {"data": []}}',
        b'{"Inputs": {"data": [{"age": NaN}]}}',
        b'{"Inputs": {"data": {"columns": ["age"], "data": [[1]]}}}',
        b'{"Inputs": {"data": {"age": [1]}}}',
        b'{"Inputs": {"data": null}}',
        b'{"Inputs": null}',
        b'{"Inputs": {"data": []}, "Extra": 1}',
        b'{"Inputs": {"data": [], "note": ' + b"[" * 2000 + b"]" * 2000 + b"}}",
        b'{"Inputs": {"data": [{"age": "\xff"}]}}',
        b'{"GlobalParameters": {"method": 1}}',
    ],
)
def test_other_bodies_fall_back_to_the_general_path(c, raw):
    assert_same(c, raw)


def test_names_msgspec_cannot_match_leave_that_table_to_the_general_path():
    @contract(data=Table({'say "hi"': "int64", "back\\slash": "int64"}), other=Table({"ok": "int64"}))
    def run(data, other):
        return None

    c = run.__gateway_contract__
    envelope = c.typed.decode(b'{"data": [{"say \\"hi\\"": 1, "back\\\\slash": 2}], "other": [{"ok": 3}]}')
    assert envelope["data"] == [{'say "hi"': 1, "back\\slash": 2}] and isinstance(envelope["other"], TypedRows)
    kwargs, _ = assert_same(c, b'{"data": [{"say \\"hi\\"": 1, "back\\\\slash": 2}], "other": [{"ok": 3}]}')
    assert kwargs["data"]['say "hi"'].tolist() == [1]


def test_a_nullable_table_and_a_table_at_the_top_level():
    @contract(data=Table({"a": "int64"}, nullable=True), other=Json(default=None))
    def run(data, other):
        return None

    c = run.__gateway_contract__
    assert c.typed is not None
    assert_same(c, b'{"data": null}')
    kwargs, _ = assert_same(c, b'{"data": [{"a": 1}, {"a": 2}], "other": {"x": [1, 2]}}')
    assert kwargs["data"]["a"].tolist() == [1, 2] and kwargs["other"] == {"x": [1, 2]}


def test_epoch_datetimes_keep_their_mixed_cell_types():
    @contract(data=Table({"when": Column("datetime", unit="s")}))
    def run(data):
        return None

    c = run.__gateway_contract__
    kwargs, _ = assert_same(c, b'{"data": [{"when": 0}, {"when": "2020-01-01T00:00:00"}, {"when": 1.5}]}')
    assert kwargs["data"]["when"].iloc[0] == pd.Timestamp("1970-01-01")


cells = st.one_of(st.none(), st.booleans(), st.integers(-(2**65), 2**65), st.floats(allow_nan=False, allow_infinity=False),
                  st.text(max_size=5), st.sampled_from(["2020-01-02T03:04:05", "2020-01-02", "1 days", "x"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(list(row())), cells, min_size=8, max_size=9), max_size=4))
def test_random_rows_answer_as_the_general_path(rows):
    @contract(**PARAMS)
    def run(Inputs, GlobalParameters):
        return None

    assert_same(run.__gateway_contract__, body([{**row(), **r} for r in rows]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.fixed_dictionaries({k: st.just(v) for k, v in row().items()}), min_size=129, max_size=300))
def test_long_columns_use_the_byte_matrix_date_path_and_agree(rows):
    @contract(**PARAMS)
    def run(Inputs, GlobalParameters):
        return None

    kwargs, _ = assert_same(run.__gateway_contract__, body(rows))
    assert (kwargs["Inputs"]["data"]["class"] == np.datetime64("2020-01-02T03:04:05")).all()
