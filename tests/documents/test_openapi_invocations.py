"""The `/invocations` path in the OpenAPI 3 documents: valid, present for a scorer of one table, its bodies
MLflow's, its example accepted by the gateway itself (README 'MLflow clients and CSV')."""

from __future__ import annotations

import json

import jsonschema
import pandas as pd
import pytest
from conftest import SCORERS
from openapi_spec_validator import (
    OpenAPIV2SpecValidator,
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
)
from scorers.churn_table import churn

from gateway import Column, List, Results, Scorer, Settings, Table, Value, contract
from gateway.documents.invocations import ERROR_CODES, invocations_path
from gateway.documents.openapi import DocumentOptions, build_document
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

VALIDATORS = {"2.0": OpenAPIV2SpecValidator, "3.0": OpenAPIV30SpecValidator, "3.1": OpenAPIV31SpecValidator}
TABLE = Table({"age": "int64", "income": "float64", "city": Column("string", nullable=True)})


@contract(Inputs={"data": TABLE}, GlobalParameters={"method": Value(str, default="predict")}, results=Results(List(int)))
def typed(Inputs, GlobalParameters):
    return {"Results": [0] * len(Inputs["data"])}


@contract(Inputs={"left": TABLE, "right": TABLE})
def two_tables(Inputs):
    return {"Results": 0}


def scorers() -> dict[str, Scorer]:
    conformance = SCORERS.parent / "conformance" / "scripts"
    return {
        "churn": Scorer.from_function("default", churn),
        "typed": Scorer.from_function("default", typed),
        "automl": load_scorer(ScorerTarget("default", str(conformance / "automl" / "score.py"))),
        "powerbi_three_inputs": load_scorer(ScorerTarget("default", str(SCORERS / "powerbi_three_inputs.py"))),
    }


def operation(scorer: Scorer, dialect: str = "3.1", path: str = "/invocations") -> dict:
    document = build_document(scorer, "/score", dialect, DocumentOptions())
    return document["paths"][path]["post"]


@pytest.mark.parametrize("dialect", ["3.0", "3.1"])
@pytest.mark.parametrize("name", list(scorers()))
@pytest.mark.parametrize("secured", [False, True], ids=["open", "keys"])
def test_documents_with_invocations_validate(name, dialect, secured):
    document = build_document(scorers()[name], "/score", dialect, DocumentOptions(secured=secured))
    VALIDATORS[dialect](document).validate()
    post = document["paths"]["/invocations"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "text/csv"}
    assert ("security" in post) is secured
    assert set(document["components"]["schemas"]) == {"ServiceInput", "ServiceOutput", "ErrorResponse"}


def test_only_scorers_of_one_table_and_only_openapi_3():
    for run in (two_tables, lambda data: data):
        document = build_document(Scorer.from_function("default", run), "/score", "3.1", DocumentOptions())
        assert "/invocations" not in document["paths"]
    swagger = build_document(Scorer.from_function("default", churn), "/score", "2.0", DocumentOptions())
    OpenAPIV2SpecValidator(swagger).validate()
    assert list(swagger["paths"]) == ["/", "/score", "/swagger.json"]  # Power BI's document stays as it was
    assert invocations_path("/score") == "/invocations" and invocations_path("/score/churn") == "/score/churn/invocations"


def test_the_body_schema_is_mlflows():
    schema = operation(Scorer.from_function("default", typed))["requestBody"]["content"]["application/json"]["schema"]
    frame = pd.DataFrame({"age": [42], "income": [1.5], "city": [None]}, index=[7])
    split = json.loads(frame.to_json(orient="split"))
    row = {"age": 42, "income": 1.5, "city": None}
    accepted = [
        {"dataframe_split": split, "params": {"method": "predict"}},
        {"dataframe_records": [row]},
        {"instances": [row]},
        {"instances": [[42, 1.5, None]]},
        {"inputs": {"age": [42], "income": [1.5], "city": [None]}},
        {"inputs": [[42, 1.5, "x"]]},
    ]
    for body in accepted:
        jsonschema.validate(body, schema)
    for body in ({"dataframe_split": split, "inputs": [[1, 2.0, None]]}, {"Inputs": {"data": [row]}}, {"dataframe_records": [{"age": "x"}]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(body, schema)


def test_answers_are_predictions_or_mlflow_errors():
    responses = operation(Scorer.from_function("default", typed))["responses"]
    predictions = responses["200"]["content"]["application/json"]["schema"]
    assert predictions["required"] == ["predictions"]
    assert predictions["properties"]["predictions"] == {"type": "array", "items": {"type": "integer", "format": "int64"}}
    jsonschema.validate({"predictions": [0, 1]}, predictions)
    for status in ("400", "415", "default"):
        error = responses[status]["content"]["application/json"]["schema"]
        assert error["properties"]["error_code"]["enum"] == ERROR_CODES
        jsonschema.validate({"error_code": "BAD_REQUEST", "message": "m", "errors": [{"path": "$", "error": "m"}]}, error)


def test_params_are_the_parameters_that_are_not_the_table():
    schema = operation(scorers()["powerbi_three_inputs"])["requestBody"]["content"]["application/json"]["schema"]
    params = schema["oneOf"][0]["properties"]["params"]
    assert list(params["properties"]) == ["input1", "input3", "GlobalParameters"]
    assert params["required"] == ["input1", "input3"]


@pytest.mark.parametrize("name", list(scorers()))
async def test_the_published_examples_are_accepted(serve, name):
    scorer = scorers()[name]
    client = await serve(scorer)
    content = operation(scorer)["requestBody"]["content"]
    answer = await client.post("/invocations", json=content["application/json"]["example"])
    assert answer.status == 200, await answer.text()
    if "example" not in content["text/csv"]:
        assert "params" in content["application/json"]["example"]  # required parameters: no CSV example
        return
    answer = await client.post("/invocations", data=content["text/csv"]["example"].encode(), headers={"Content-Type": "text/csv"})
    assert answer.status == 200, await answer.text()


async def test_served_documents_advertise_the_paths_served(serve):
    client = await serve(default=churn, other=Scorer.from_function("other", churn), settings=Settings(path_prefix="ml"))
    default = await (await client.get("/ml/swagger.json", params={"version": "3"})).json()
    other = await (await client.get("/ml/scorers/other/swagger.json", params={"version": "3.1"})).json()
    assert "/ml/invocations" in default["paths"] and "/ml/score/other/invocations" in other["paths"]
    rows = [{"age": 1, "income": 2.0, "is_member": True, "city": None, "signup_date": "2024-03-21T10:00:00"}]
    for path in ("/ml/invocations", "/ml/score/other/invocations"):
        answer = await client.post(path, json={"dataframe_records": rows})
        assert await answer.json() == {"predictions": [0]}
