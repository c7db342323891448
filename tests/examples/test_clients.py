"""Studio (classic) and designer clients, with the payloads they really send (README 'Other clients')."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from gateway import Scorer, Table, contract
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

PAYLOADS = json.loads((ROOT / "tests" / "reference" / "client_payloads.json").read_text())


def payload(client_prefix: str) -> dict:
    return next(p for p in PAYLOADS if p["client"].startswith(client_prefix))


def example(name: str) -> Scorer:
    return load_scorer(ScorerTarget("default", str(ROOT / "examples" / name / "score.py")))


ANOMALY = payload("Azure ML Studio (classic) RRS, non-swagger table format")
DESIGNER = payload("Power BI -> AML designer real-time endpoint")


@pytest.mark.parametrize(
    "path",
    [
        "/score",
        "/execute?api-version=2.0&details=true",
        "/score/default/execute?api-version=2.0",
        "/workspaces/ws1/services/default/execute?api-version=2.0&details=true",
    ],
)
async def test_classic_request_is_answered_in_classic_form(serve, path):
    client = await serve(example("studio_classic"))
    response = await client.post(path, json=ANOMALY["request_body"])
    assert response.status == 200, await response.text()
    body = await response.json()
    output = body["Results"]["output1"]
    assert output["type"] == "table"
    table = output["value"]
    assert table["ColumnNames"] == ["Time", "OriginalData", "ZSpike", "ZScore"]
    assert table["ColumnTypes"] == ["DateTime", "Double", "Int32", "Double"]
    assert len(table["Values"]) == len(ANOMALY["request_body"]["Inputs"]["input1"]["Values"])
    assert table["Values"][0][0].startswith("2010-05-30T18:07:00")
    assert table["Values"][0][1] == 1.0


async def test_format_swagger_answers_row_objects(serve):
    @contract(Inputs={"input1": Table({"column1": "string", "column2": "string", "column3": "string"})})
    def run(Inputs):
        frame = Inputs["input1"]
        return {"Results": {"output1": frame.assign(**{"Scored Labels": "0.87"})}}

    client = await serve(run)
    request = payload("Azure ML Studio (classic) RRS, swagger format")
    response = await client.post("/execute?api-version=2.0&format=swagger", json=request["request_body"])
    body = await response.json()
    assert body == {
        "Results": {
            "output1": [{"column1": "value1", "column2": "value2", "column3": "value3", "Scored Labels": "0.87"}]
        }
    }


async def test_classic_input_with_format_swagger_answers_records(serve):
    client = await serve(example("studio_classic"))
    response = await client.post("/execute?api-version=2.0&format=swagger", json=ANOMALY["request_body"])
    body = await response.json()
    rows = body["Results"]["output1"]  # row objects, not the classic table wrapper
    assert isinstance(rows, list) and rows[0]["OriginalData"] == 1.0


async def test_unsupported_api_version_is_400(serve):
    client = await serve(example("studio_classic"))
    response = await client.post("/execute?api-version=1.0", json=ANOMALY["request_body"])
    assert response.status == 400
    assert "api-version 1.0 is not supported" in (await response.json())["message"]


async def test_designer_rows_in_web_service_output_rows_out(serve):
    client = await serve(example("designer"))
    response = await client.post("/score", json=DESIGNER["request_body"])
    assert response.status == 200, await response.text()
    rows = (await response.json())["Results"]["WebServiceOutput0"]
    assert len(rows) == 1
    assert rows[0]["make"] == "alfa-romero"
    assert rows[0]["Scored Labels"] == pytest.approx(160 * 111 + 5.5 * 2548 - 120 * 21 - 6000)


async def test_designer_labs_payload(serve):
    @contract(Inputs={"WebServiceInput0": Table({"PatientID": "int64", "Pregnancies": "int64", "Age": "int64"})})
    def run(Inputs):
        return {"Results": {"WebServiceOutput0": Inputs["WebServiceInput0"].assign(**{"Scored Labels": 1})}}

    client = await serve(run)
    request = payload("Designer endpoint called from training labs")
    response = await client.post("/score", json=request["request_body"])
    assert response.status == 200, await response.text()
    rows = (await response.json())["Results"]["WebServiceOutput0"]
    assert [row["Scored Labels"] for row in rows] == [1] * len(request["request_body"]["Inputs"]["WebServiceInput0"])
