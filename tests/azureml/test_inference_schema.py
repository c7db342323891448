"""Inference-schema scripts: served unchanged, converted strictly, documented as inference-schema did (README 'Moving from Azure ML')."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from openapi_spec_validator import (
    OpenAPIV2SpecValidator,
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
)

from gateway import Scorer, Table
from gateway.documents.openapi import DocumentOptions, build_document
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

REFERENCE = ROOT / "tests" / "reference"
AUTOML = str(ROOT / "tests" / "conformance" / "scripts" / "automl" / "score.py")
POWERBI = str(ROOT / "tests" / "conformance" / "scripts" / "powerbi" / "score.py")
ROW = {"age": 42, "income": 1234.5, "is_member": True, "city": "Seattle", "signup_date": "2020-01-02T03:04:05"}


def scorer(path: str) -> Scorer:
    return load_scorer(ScorerTarget("default", path))


def test_decorators_become_a_gateway_contract():
    automl = scorer(AUTOML)
    data = automl.contract.params["Inputs"].typed["data"]
    assert isinstance(data, Table)
    assert {name: c.dtype for name, c in data.columns.items()} == {
        "age": "int64", "income": "float64", "is_member": "bool", "city": "string", "signup_date": "datetime",
    }
    assert not automl.contract.params["GlobalParameters"].required  # the Python default makes it optional
    assert automl.run.__name__ == "run" and not hasattr(automl.run, "__wrapped__")  # the undecorated function


async def test_automl_script_gets_a_dataframe_with_declared_dtypes(serve):
    client = await serve(scorer(AUTOML))
    response = await client.post("/score", json={"Inputs": {"data": [ROW]}, "GlobalParameters": {"method": "echo"}})
    assert response.status == 200, await response.text()
    results = (await response.json())["Results"]
    assert results["data_type"] == "DataFrame"
    assert results["columns"] == ["age", "income", "is_member", "city", "signup_date"]
    assert results["dtypes"]["age"] == "int64" and results["dtypes"]["is_member"] == "bool"
    assert results["dtypes"]["signup_date"].startswith("datetime64")
    assert results["global_parameters"] == {"method": "echo"}  # convert_to_provided_type=False: as sent


async def test_automl_script_refuses_what_the_reference_coerced(serve):
    client = await serve(scorer(AUTOML))
    rows = [ROW | {"age": 30.9}, ROW | {"is_member": "false"}, {k: v for k, v in ROW.items() if k != "city"}]
    response = await client.post("/score", json={"Inputs": {"data": rows}})
    assert response.status == 400  # the reference answered 500 (or silently truncated/flipped)
    paths = [e["path"] for e in (await response.json())["errors"]]
    assert paths == ["Inputs.data[2]", "Inputs.data[0].age", "Inputs.data[1].is_member"] or set(paths) == {
        "Inputs.data[2]", "Inputs.data[0].age", "Inputs.data[1].is_member"
    }
    assert response.headers["x-ms-run-function-failed"] == "False"


async def test_powerbi_script_three_typed_inputs(serve):
    client = await serve(scorer(POWERBI))
    body = {
        "Inputs": {
            "input1": [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]],
            "input2": [{"name": "Sarah", "age": 25}, {"name": "John", "age": 26}],
            "input3": 0.0,
        },
        "GlobalParameters": 1.0,
    }
    response = await client.post("/score", json=body)
    assert response.status == 200
    assert await response.json() == [110.0, 2.0]
    bad = await client.post("/score", json=body | {"Inputs": body["Inputs"] | {"input1": [[1, 2, 3]]}})
    assert bad.status == 400
    assert (await bad.json())["errors"][0]["path"] == "Inputs.input1[0]"


@pytest.mark.parametrize("name, path", [("automl", AUTOML), ("powerbi", POWERBI)])
@pytest.mark.parametrize("dialect, reference_suffix", [("2.0", "v2"), ("3.0", "v3"), ("3.1", "v3.1")])
def test_swagger_matches_the_shape_inference_schema_produced(name, path, dialect, reference_suffix):
    reference = json.loads((REFERENCE / f"swagger_{name}_{reference_suffix}.json").read_text())
    ours = build_document(scorer(path), "/score", dialect, DocumentOptions())
    {"2.0": OpenAPIV2SpecValidator, "3.0": OpenAPIV30SpecValidator, "3.1": OpenAPIV31SpecValidator}[dialect](ours).validate()
    schemas = ours.get("definitions") or ours["components"]["schemas"]
    ref_schemas = reference.get("definitions") or reference["components"]["schemas"]

    def strip(schema):
        """Our improvements aside (nullability, fixed array sizes, top-level `required`, example placement)."""
        if isinstance(schema, dict):
            schema = {k: strip(v) for k, v in schema.items() if k not in ("x-nullable", "nullable", "example", "minItems", "maxItems")}
            if isinstance(schema.get("type"), list) and "null" in schema["type"]:  # 3.1's nullability
                schema["type"] = next(t for t in schema["type"] if t != "null")
            return schema
        if isinstance(schema, list):
            return [strip(v) for v in schema]
        return schema

    ref_input = strip(ref_schemas["ServiceInput"])
    our_input = strip(schemas["ServiceInput"])
    our_input.pop("required", None)
    assert our_input == ref_input
    assert strip(schemas["ServiceOutput"]) == strip(ref_schemas["ServiceOutput"])
    required = {"automl": ["Inputs"], "powerbi": ["Inputs", "GlobalParameters"]}[name]  # run()'s defaults decide
    assert schemas["ServiceInput"]["required"] == required


def test_example_of_the_published_document_is_accepted():
    from gateway.scoring.check import check_payload

    for path in (AUTOML, POWERBI):
        s = scorer(path)
        example = build_document(s, "/score", "2.0", DocumentOptions())["definitions"]["ServiceInput"]["example"]
        assert check_payload(s, json.dumps(example).encode()).valid, path


def test_fallback_conversion_reports_a_400_path():
    from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
    from inference_schema.schema_decorators import input_schema

    structured = np.array([(1, 2.0)], dtype=[("a", "i8"), ("b", "f8")])

    @input_schema("data", NumpyParameterType(structured))
    def run(data):
        return data.tolist()

    s = Scorer.from_function("default", run)
    from gateway.scoring.check import check_payload

    assert check_payload(s, json.dumps({"data": [{"a": 5, "b": 1.5}]}).encode()).valid
    verdict = check_payload(s, json.dumps({"data": "nope"}).encode())
    assert not verdict.valid and verdict.problems[0].path == "data"


def test_pandas_sample_kept_as_sample_dtypes():
    from inference_schema.parameter_types.pandas_parameter_type import (
        PandasParameterType,
    )
    from inference_schema.schema_decorators import input_schema

    @input_schema("frame", PandasParameterType(pd.DataFrame({"x": [1.5], "n": pd.array([1], dtype="Int64")})))
    def run(frame):
        return frame.dtypes.astype(str).tolist()

    spec = Scorer.from_function("default", run).contract.params["frame"]
    assert {name: c.dtype for name, c in spec.columns.items()} == {"x": "float64", "n": "int64"}
