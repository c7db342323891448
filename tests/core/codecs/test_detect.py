"""The codec registry and the detection of a table's wire form from its JSON shape."""

from __future__ import annotations

import pytest

from gateway.core import codecs
from gateway.core.codecs import CODECS, detect, get_codec


def test_the_registry_is_a_read_only_literal_mapping():
    assert list(CODECS) == ["records", "split", "classic", "columns", "index", "values"]
    assert all(codec.name == name for name, codec in CODECS.items())
    with pytest.raises(TypeError):
        CODECS["x"] = CODECS["records"]  # type: ignore[index]
    assert get_codec("split") is CODECS["split"]
    with pytest.raises(ValueError, match="unknown table form 'table'; use one of: records, split"):
        get_codec("table")


def test_every_codec_module_declares_all():
    for module in (
        codecs,
        codecs.base,
        codecs.records,
        codecs.split,
        codecs.classic,
        codecs.columns,
        codecs.values,
    ):
        assert set(module.__all__) <= set(dir(module)), module.__name__


@pytest.mark.parametrize(
    ("value", "orient", "form"),
    [
        ([{"a": 1}], "records", "records"),
        ([], "records", "records"),
        ([], "values", "values"),
        ([[1]], "values", "values"),
        ([{"a": 1}], "values", "records"),
        ([[1]], "records", None),
        ([1, 2], "records", None),
        ({"columns": ["a"], "data": [[1]]}, "records", "split"),
        ({"columns": ["a"], "data": [[1]], "index": [0]}, "records", "split"),
        ({"columns": ["a"]}, "records", "split"),
        ({"ColumnNames": ["a"], "Values": [[1]]}, "records", "classic"),
        ({"ColumnNames": ["a"], "Values": [[1]], "ColumnTypes": ["Int32"]}, "records", "classic"),
        ({"a": [1]}, "records", "columns"),
        ({"columns": [1], "other": [2]}, "records", "columns"),
        ({}, "records", "columns"),
        ("x", "records", None),
        (None, "records", None),
        (3, "records", None),
    ],
)
def test_detect(value, orient, form):
    assert detect(value, orient) == form


def test_columns_named_like_wrapper_keys():
    names = {"columns": "string", "data": "int64"}
    assert detect({"columns": ["a"], "data": [1]}, "records", names) == "columns"
    assert detect({"columns": ["columns", "data"], "data": [["a", 1]]}, "records", names) == "split"
    assert detect({"Values": [1]}, "records", {"Values": "int64"}) == "columns"


@pytest.mark.parametrize(
    "value, hint",
    [
        ({"columns": ["age"], "data": [[1]], "dtypes": {}}, "a split table holds only 'columns', 'data', 'index'; unexpected: 'dtypes'"),
        ({"type": "table", "value": {"ColumnNames": ["age"], "Values": [[1]]}}, "Studio response's"),
        ({"columnnames": ["age"], "values": [[1]]}, "a classic table's keys are case-sensitive: 'ColumnNames', 'Values'"),
        ({"x": [1]}, "an object with keys 'x'"),
    ],
)
def test_objects_that_are_no_table_form_get_a_hint(value, hint):
    from gateway.core.decoding import DecodeContext
    from gateway.core.table import Table

    ctx = DecodeContext()
    Table({"age": "int64"}).decode(value, "Inputs.data", ctx)
    assert [p.path for p in ctx.problems.items] == ["Inputs.data"]
    assert hint in ctx.problems.items[0].error
