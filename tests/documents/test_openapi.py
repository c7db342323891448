"""Documents: valid in every dialect, shaped as Power BI reads them, served per scorer and version (README 'HTTP surface')."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import ROOT, SCORERS
from openapi_spec_validator import (
    OpenAPIV2SpecValidator,
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
)
from scorers.churn_table import churn

from gateway import Column, Scorer, Settings, Table, Value, contract, create_app
from gateway.documents.openapi import DocumentOptions, build_document
from gateway.errors import StartupError
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

REFERENCE = ROOT / "tests" / "reference"
VALIDATORS = {"2.0": OpenAPIV2SpecValidator, "3.0": OpenAPIV30SpecValidator, "3.1": OpenAPIV31SpecValidator}
def scorer_of(path: str, name: str = "default") -> Scorer:
    return load_scorer(ScorerTarget(name, path))


def example_scorers() -> dict[str, Scorer]:
    scorers = {
        "churn": Scorer.from_function("default", churn),
        **{f"examples/{path.parent.name}": scorer_of(str(path)) for path in sorted((ROOT / "examples").glob("*/score.py"))},
        "powerbi_three_inputs": scorer_of(str(SCORERS / "powerbi_three_inputs.py")),
        "churn_contract": scorer_of(str(SCORERS / "churn_contract.py")),
        "raw": scorer_of(str(SCORERS / "raw.py")),
    }
    for orient in ("records", "split", "columns", "values", "classic"):

        @contract(Inputs={"data": Table({"a": "int32", "b": Column("float32", nullable=True)}, orient=orient)})
        def run(Inputs):
            return Inputs

        scorers[f"orient_{orient}"] = Scorer.from_function("default", run)
    return scorers


@pytest.mark.parametrize("dialect", ["2.0", "3.0", "3.1"])
@pytest.mark.parametrize("name, scorer", list(example_scorers().items()), ids=list(example_scorers()))
@pytest.mark.parametrize("secured", [False, True], ids=["open", "keys"])
def test_every_document_validates(name, scorer, dialect, secured):
    document = build_document(scorer, "/score", dialect, DocumentOptions(secured=secured))
    VALIDATORS[dialect](document).validate()
    assert ("Bearer" in json.dumps(document)) is secured


def power_bi_columns(document: dict, table: str) -> dict[str, tuple[str, str | None]]:
    """Walk ServiceInput the way Power BI does: Inputs.<table>.items.properties.<column>.type/format."""
    definitions = document.get("definitions") or document["components"]["schemas"]
    table_schema = definitions["ServiceInput"]["properties"]["Inputs"]["properties"][table]
    assert table_schema["format"] == "pandas.DataFrame:records"
    properties = table_schema["items"]["properties"]
    return {name: (column["type"], column.get("format")) for name, column in properties.items()}


@pytest.mark.parametrize("dialect", ["2.0", "3.0", "3.1"])
def test_power_bi_recovers_each_column_type(dialect):
    document = build_document(Scorer.from_function("default", churn), "/score", dialect, DocumentOptions())
    columns = power_bi_columns(document, "data")
    city_type = ["string", "null"] if dialect == "3.1" else "string"
    assert columns == {
        "age": ("integer", "int64"),
        "income": ("number", "double"),
        "is_member": ("boolean", None),
        "city": (city_type, None),
        "signup_date": ("string", "date-time"),
    }


def test_template_matches_the_reference_where_clients_read_it():
    reference = json.loads((REFERENCE / "swagger_automl_v2.json").read_text())
    ours = build_document(Scorer.from_function("default", churn), "/score", "2.0", DocumentOptions())
    assert ours["swagger"] == "2.0"
    assert set(ours["paths"]) == set(reference["paths"])
    for path, operations in reference["paths"].items():
        for method, operation in operations.items():
            assert ours["paths"][path][method]["operationId"] == operation["operationId"]
    body = ours["paths"]["/score"]["post"]["parameters"][0]
    assert (body["name"], body["in"], body["schema"]) == ("serviceInputPayload", "body", {"$ref": "#/definitions/ServiceInput"})
    assert ours["paths"]["/score"]["post"]["responses"]["200"]["schema"] == {"$ref": "#/definitions/ServiceOutput"}
    assert ours["paths"]["/score"]["post"]["responses"]["default"]["schema"] == {"$ref": "#/definitions/ErrorResponse"}
    assert set(ours["definitions"]) == set(reference["definitions"])
    ref_table = reference["definitions"]["ServiceInput"]["properties"]["Inputs"]["properties"]["data"]
    our_table = ours["definitions"]["ServiceInput"]["properties"]["Inputs"]["properties"]["data"]
    assert our_table["type"] == ref_table["type"] and our_table["format"] == ref_table["format"]
    assert our_table["items"]["required"] == ref_table["items"]["required"]
    for column, schema in ref_table["items"]["properties"].items():
        ours_column = {k: v for k, v in our_table["items"]["properties"][column].items() if k != "x-nullable"}
        assert ours_column == schema
    assert ours["definitions"]["ServiceInput"]["required"] == ["Inputs"]  # better: required at the top too
    assert "securityDefinitions" not in ours  # no keys configured: no security advertised


def test_three_input_power_bi_scorer_matches_the_reference_shapes():
    reference = json.loads((REFERENCE / "swagger_powerbi_v2.json").read_text())
    ours = build_document(scorer_of(str(SCORERS / "powerbi_three_inputs.py")), "/score", "2.0", DocumentOptions())
    ref_inputs = reference["definitions"]["ServiceInput"]["properties"]["Inputs"]["properties"]
    our_inputs = ours["definitions"]["ServiceInput"]["properties"]["Inputs"]["properties"]
    assert our_inputs["input1"]["format"] == ref_inputs["input1"]["format"] == "numpy.ndarray"
    assert our_inputs["input1"]["items"]["items"] == ref_inputs["input1"]["items"]["items"]
    assert our_inputs["input2"]["items"]["properties"] == ref_inputs["input2"]["items"]["properties"]
    assert our_inputs["input3"] == ref_inputs["input3"]
    example = ours["definitions"]["ServiceInput"]["example"]
    assert example["Inputs"]["input2"] == [{"name": "Sarah", "age": 25}, {"name": "John", "age": 26}]
    assert example["GlobalParameters"] == 1.0
    assert ours["definitions"]["ServiceOutput"]["properties"]["Results"]["items"] == {"type": "number", "format": "double"}


@pytest.mark.parametrize(
    "dialect, expected",
    [
        ("2.0", {"type": "string", "x-nullable": True}),
        ("3.0", {"type": "string", "nullable": True}),
        ("3.1", {"type": ["string", "null"]}),
    ],
)
def test_nullability_in_each_dialect(dialect, expected):
    document = build_document(Scorer.from_function("default", churn), "/score", dialect, DocumentOptions())
    definitions = document.get("definitions") or document["components"]["schemas"]
    city = definitions["ServiceInput"]["properties"]["Inputs"]["properties"]["data"]["items"]["properties"]["city"]
    assert city == expected


def test_no_request_headers_placeholder():
    @contract(data=Value(int))
    def run(data, request_headers):
        return data

    document = build_document(Scorer.from_function("default", run), "/score", "2.0", DocumentOptions())
    assert list(document["definitions"]["ServiceInput"]["properties"]) == ["data"]


def test_example_passes_the_gateway_itself():
    from gateway.scoring.check import check_payload

    for name, scorer in example_scorers().items():
        if scorer.contract is None:
            continue
        document = build_document(scorer, "/score", "3.0", DocumentOptions())
        example = document["components"]["schemas"]["ServiceInput"]["example"]
        verdict = check_payload(scorer, json.dumps(example).encode())
        assert verdict.valid, (name, verdict.problems)


# --- served documents ---------------------------------------------------------------------------


async def test_served_versions_and_unknown_version(serve):
    client = await serve(churn)
    v2 = await (await client.get("/swagger.json")).json()
    assert v2["swagger"] == "2.0"
    for version, key, value in [("2.0", "swagger", "2.0"), ("3", "openapi", "3.0.3"), ("3.0", "openapi", "3.0.3"), ("3.1", "openapi", "3.1.0")]:
        document = await (await client.get("/swagger.json", params={"version": version})).json()
        assert document[key] == value
    missing = await client.get("/swagger.json", params={"version": "4"})
    assert missing.status == 404
    assert (await missing.json())["message"] == "Swagger version [4] is not valid. Supported versions: [2, 2.0, 3, 3.0, 3.1]."


async def test_per_scorer_documents_use_each_scorers_path(serve):
    client = await serve(default=churn, other=Scorer.from_function("other", churn))
    other = await (await client.get("/scorers/other/swagger.json", params={"version": "3"})).json()
    assert "/score/other" in other["paths"]
    same = await (await client.get("/swagger.json", params={"version": "3", "scorer": "other"})).json()
    assert same == other
    default = await (await client.get("/swagger.json")).json()
    assert "/score" in default["paths"]
    assert (await client.get("/scorers/nope/swagger.json")).status == 404


async def test_security_is_advertised_only_with_keys(serve):
    client = await serve(churn, settings=Settings(api_keys=("k",)))
    document = await (await client.get("/swagger.json", headers={"Authorization": "Bearer k"})).json()
    assert document["securityDefinitions"]["Bearer"]["in"] == "header"
    assert document["paths"]["/score"]["post"]["security"] == [{"Bearer": []}]


async def test_service_name_version_and_prefix(serve):
    settings = Settings(service_name="Churn", service_version="2.3", path_prefix="/api/v1/churn/")
    client = await serve(churn, settings=settings)
    document = await (await client.get("/api/v1/churn/swagger.json")).json()
    assert document["info"]["title"] == "Churn" and document["info"]["version"] == "2.3"
    assert set(document["paths"]) == {"/api/v1/churn/", "/api/v1/churn/score", "/api/v1/churn/swagger.json"}
    rows = [{"age": 1, "income": 2.0, "is_member": True, "city": None, "signup_date": "2024-03-21T10:00:00"}]
    scored = await client.post("/api/v1/churn/score", json={"Inputs": {"data": rows}})
    assert scored.status == 200  # the advertised path really serves
    assert (await client.post("/score", json={"Inputs": {"data": rows}})).status == 200


async def test_user_supplied_swagger_files_replace_the_generated_ones(serve):
    client = await serve(scorer_of(str(SCORERS / "user_swagger" / "score.py")))
    v2 = await (await client.get("/swagger.json")).json()
    assert v2["info"]["title"] == "USER PROVIDED swagger.json"
    v3 = await (await client.get("/swagger.json", params={"version": "3"})).json()
    assert v3 == json.loads((SCORERS / "user_swagger" / "swagger3.json").read_text())
    v31 = await (await client.get("/swagger.json", params={"version": "3.1"})).json()
    assert v31["openapi"] == "3.1.0"  # no user file for 3.1: generated


def test_invalid_user_swagger_file_stops_startup():
    from gateway import create_app

    with pytest.raises(StartupError, match=r"bad_swagger/swagger.json is not a readable JSON document"):
        create_app(Settings(), [scorer_of(str(SCORERS / "bad_swagger" / "score.py"))])


def test_schema_invalid_user_swagger_file_names_the_validator_message(tmp_path):
    from gateway import create_app

    (tmp_path / "score.py").write_text("def run(data):\n    return data\n")
    (tmp_path / "swagger3.json").write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "x"}, "paths": {}}))
    with pytest.raises(StartupError, match="not a valid OpenAPI 3.0 document: 'version' is a required property"):
        create_app(Settings(), [scorer_of(str(tmp_path / "score.py"))])


def test_swagger_subcommand_prints_the_document():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "gateway", "swagger", "--scorer", str(SCORERS / "powerbi_three_inputs.py"), "--version", "3.1"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    OpenAPIV31SpecValidator(document).validate()


async def test_swagger_subcommand_documents_the_path_a_server_of_that_scorer_documents(aiohttp_client):
    """`gateway swagger --scorer churn=...` once documented /score/churn while a server serving churn alone
    documents /score: both now come from `Registry.path_of`."""
    import subprocess
    import sys

    target = str(SCORERS / "powerbi_three_inputs.py")
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "swagger", "--scorer", f"churn={target}", "--version", "3"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    client = await aiohttp_client(create_app(Settings(), [scorer_of(target, "churn")]))
    served = await (await client.get("/swagger.json", params={"version": "3"})).json()
    assert sorted(printed["paths"]) == sorted(served["paths"]) == ["/", "/invocations", "/score", "/swagger.json"]
    assert printed == served


def test_dataframe_example_with_datetimes_round_trips():
    sample = pd.DataFrame({"when": pd.to_datetime(["2024-03-21T10:00:00"]), "n": [1]})

    @contract(Inputs={"data": Table.from_sample(sample)})
    def run(Inputs):
        return Inputs

    document = build_document(Scorer.from_function("default", run), "/score", "2.0", DocumentOptions())
    example = document["definitions"]["ServiceInput"]["example"]
    assert example["Inputs"]["data"][0]["when"].startswith("2024-03-21T10:00:00")


@pytest.mark.parametrize("dialect", ["2.0", "3.0", "3.1"])
async def test_get_on_the_score_path_is_documented_as_served(dialect, serve):
    @contract(Inputs={"x": Value(int)}, GlobalParameters={"scale": Value(float, default=1.0)})
    def run(Inputs, GlobalParameters):
        return {"Results": Inputs["x"] * GlobalParameters["scale"]}

    scorer = Scorer.from_function("default", run)
    document = build_document(scorer, "/score", dialect, DocumentOptions())
    {"2.0": OpenAPIV2SpecValidator, "3.0": OpenAPIV30SpecValidator, "3.1": OpenAPIV31SpecValidator}[dialect](document).validate()
    get = document["paths"]["/score"]["get"]
    assert [(p["name"], p["in"]) for p in get["parameters"]] == [("Inputs", "query"), ("GlobalParameters", "query")]
    assert get["responses"]["200"] == document["paths"]["/score"]["post"]["responses"]["200"]
    client = await serve(scorer)
    answered = await client.get("/score", params={"Inputs": json.dumps({"x": 3}), "GlobalParameters": '{"scale": 2}'})
    assert await answered.json() == {"Results": 6.0}
    refused = await client.put("/score", json={})
    allowed = set(refused.headers["Allow"].split(",")) - {"OPTIONS"}  # OPTIONS: CORS preflights
    assert allowed == {m.upper() for m in document["paths"]["/score"]} == {"GET", "POST"}
