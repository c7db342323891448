"""inference-schema scripts written as Azure's are, getting what inference-schema would give run(): the
sample's dtypes, pandas' own JSON forms, nulls as pandas reads them, optional nulls, base64 bytes, and
strict checks of what the documents declare (README 'Moving from Azure ML')."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pandas as pd
import pytest

from gateway.errors import StartupError
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

SCRIPTS = Path(__file__).parent / "scripts"
ROW = {"age": 41, "balance": 1250.5, "job": "technician", "default": False, "last_contact": "2024-05-06T07:08:09"}
DESCRIBE = {"method": "describe"}


def scorer(name: str):
    path = SCRIPTS / name / "score.py" if (SCRIPTS / name).is_dir() else SCRIPTS / f"{name}.py"
    return load_scorer(ScorerTarget("default", str(path)))


async def describe(client, data):
    response = await client.post("/score", json={"Inputs": {"data": data}, "GlobalParameters": DESCRIBE})
    assert response.status == 200, await response.text()
    return (await response.json())["Results"]


async def test_columns_arrive_with_the_samples_dtypes(serve):
    client = await serve(scorer("automl_v2"))
    seen = await describe(client, [ROW])
    assert seen["dtypes"] == {
        "age": "int64", "balance": "float64", "job": "object", "default": "bool", "last_contact": "datetime64[ns]"
    }
    assert seen["cells"]["last_contact"] == ["2024-05-06 07:08:09"]


async def test_re_typing_never_changes_a_value(serve):
    client = await serve(scorer("automl_v2"))
    response = await client.post("/score", json={"Inputs": {"data": [ROW | {"last_contact": "2300-01-01T00:00:00"}]}})
    assert response.status == 400  # datetime64[ns] ends in 2262: refused, not wrapped around
    [error] = (await response.json())["errors"]
    assert error["path"] == "Inputs.data[0].last_contact" and "2300-01-01" in error["error"]


async def test_pandas_default_to_json_is_a_table_with_its_index(serve):
    client = await serve(scorer("automl_v2"))
    frame = pd.DataFrame([ROW, ROW | {"age": 52, "job": "admin."}], index=[10, 11])
    body = json.loads(frame.to_json())  # {"age": {"10": 41, "11": 52}, ...}: what Azure's example sends
    assert body["age"] == {"10": 41, "11": 52}
    seen = await describe(client, body)
    assert seen["index"] == [10, 11]
    assert seen["cells"]["age"] == ["41", "52"] and seen["cells"]["job"] == ["technician", "admin."]
    assert seen["dtypes"]["last_contact"] == "datetime64[ns]"


async def test_pandas_index_orient_keeps_text_labels(serve):
    client = await serve(scorer("automl_v2"))
    seen = await describe(client, {"alice": ROW, "bob": ROW | {"balance": 3.0}})
    assert seen["index"] == ["alice", "bob"]
    assert seen["cells"]["balance"] == ["1250.5", "3.0"]


async def test_labelled_forms_are_checked_cell_by_cell(serve):
    client = await serve(scorer("automl_v2"))
    body = {name: {"0": value, "1": value} for name, value in ROW.items()} | {"age": {"0": 41, "1": 41.5}}
    response = await client.post("/score", json={"Inputs": {"data": body}})
    assert response.status == 400
    assert (await response.json())["errors"] == [
        {"path": 'Inputs.data.age["1"]', "error": "expected an integer (int64), got 41.5"}
    ]
    ragged = {name: {"0": value, "1": value} for name, value in ROW.items()} | {"job": {"0": "x"}}
    response = await client.post("/score", json={"Inputs": {"data": ragged}})
    assert (await response.json())["errors"][0]["path"] == "Inputs.data.job"
    rows = {"alice": ROW, "bob": ROW | {"default": "no"}}
    response = await client.post("/score", json={"Inputs": {"data": rows}})
    assert (await response.json())["errors"] == [
        {"path": "Inputs.data.bob.default", "error": 'expected a boolean, got "no"'}
    ]


async def test_nulls_in_float_text_and_datetime_columns_are_missing_values(serve):
    client = await serve(scorer("automl_v2"))
    seen = await describe(client, [ROW, ROW | {"balance": None, "job": None, "last_contact": None}])
    assert seen["cells"]["balance"] == ["1250.5", None]
    assert seen["missing"] == {"age": [], "balance": ["float"], "job": ["float"], "default": [], "last_contact": ["NaTType"]}
    assert seen["dtypes"]["job"] == "object" and seen["dtypes"]["last_contact"] == "datetime64[ns]"
    scored = await client.post("/score", json={"Inputs": {"data": [ROW | {"balance": None}]}})
    assert await scored.json() == {"Results": [0.0]}


@pytest.mark.parametrize("column", ["age", "default"])
async def test_int_and_bool_columns_stay_strict_about_null(serve, column):
    client = await serve(scorer("automl_v2"))
    response = await client.post("/score", json={"Inputs": {"data": [ROW | {column: None}]}})
    assert response.status == 400
    assert (await response.json())["errors"][0]["path"] == f"Inputs.data[0].{column}"


async def test_unconverted_global_parameters_are_still_type_checked(serve):
    client = await serve(scorer("automl_v2"))
    response = await client.post("/score", json={"Inputs": {"data": [ROW]}, "GlobalParameters": {"method": 5}})
    assert response.status == 400
    assert (await response.json())["errors"] == [{"path": "GlobalParameters.method", "error": "expected string, got 5"}]
    ok = await client.post("/score", json={"Inputs": {"data": [ROW]}, "GlobalParameters": {"method": "predict"}})
    assert await ok.json() == {"Results": [2501.0]}


async def test_numpy_arrays_keep_the_samples_dtype(serve):
    client = await serve(scorer("samples"))
    response = await client.post("/score", json={"features": [[1, 2]], "label": "x", "stamps": ["2024-01-02T03:04:05"]})
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["features"] == "float32" and body["stamps"] == "datetime64[ms]"
    finer = await client.post("/score", json={"features": [[1, 2]], "label": "x", "stamps": ["2024-01-02T03:04:05.000001"]})
    assert finer.status == 400  # a microsecond the sample's milliseconds would drop
    assert (await finer.json())["errors"][0]["path"] == "stamps[0]"


async def test_an_explicit_null_for_an_optional_parameter_is_its_default(serve):
    client = await serve(scorer("samples"))
    response = await client.post(
        "/score", json={"features": [[1, 2]], "label": "x", "stamps": None, "image": None, "weights": None}
    )
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["stamps"] is None and body["image"] is None and body["weights"] == [1.0]
    required = await client.post("/score", json={"features": None, "label": "x"})
    assert required.status == 400  # a required parameter is not optional because it is null
    assert (await required.json())["errors"][0]["path"] == "features"


async def test_bytes_parameters_take_base64(serve):
    client = await serve(scorer("samples"))
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
    response = await client.post("/score", json={"features": [[1, 2]], "label": "x", "image": base64.b64encode(png).decode()})
    assert (await response.json())["image"] == ["bytes", len(png)]
    for bad in ("not base64!", [1, 2]):
        response = await client.post("/score", json={"features": [[1, 2]], "label": "x", "image": bad})
        assert response.status == 400
        assert (await response.json())["errors"][0]["path"] == "image"


async def test_plain_samples_are_checked_by_their_json_types_and_passed_as_sent(serve):
    client = await serve(scorer("samples"))
    response = await client.post("/score", json={"features": [[1, 2]], "label": "x", "weights": [1, 0.5]})
    assert (await response.json())["weights"] == [1, 0.5]  # as sent: the int stays an int
    response = await client.post("/score", json={"features": [[1, 2]], "label": "x", "weights": [0.5, "x"]})
    assert response.status == 400
    assert (await response.json())["errors"] == [{"path": "weights[1]", "error": 'expected number, got "x"'}]
    response = await client.post(
        "/score", json={"features": [[1, 2]], "label": "x", "options": {"threshold": "high", "labels": ["a"], "extra": 1}}
    )
    assert response.status == 400
    assert (await response.json())["errors"] == [{"path": "options.threshold", "error": 'expected number, got "high"'}]


async def test_an_unconverted_string_parameter_refuses_an_array(serve):
    client = await serve(scorer("samples"))
    response = await client.post("/score", json={"features": [[1, 2]], "label": ["not", "a", "string"]})
    assert response.status == 400
    assert (await response.json())["errors"] == [{"path": "label", "error": "expected string, got an array"}]


def test_a_decorator_naming_a_parameter_run_lacks_refuses_to_start():
    with pytest.raises(StartupError, match=r"@input_schema names 'data', which run\(raw_data\) does not take"):
        scorer("misnamed")


def test_the_published_document_says_what_is_accepted():
    from gateway.documents.openapi import DocumentOptions, build_document

    document = build_document(scorer("samples"), "/score", "3.0", DocumentOptions())
    properties = document["components"]["schemas"]["ServiceInput"]["properties"]
    assert properties["image"]["type"] == "string" and properties["image"]["format"] == "byte"
    assert properties["weights"]["type"] == "array" and properties["weights"]["items"]["type"] == "number"
    assert properties["label"]["type"] == "string"
    assert properties["options"]["properties"]["threshold"]["type"] == "number"
