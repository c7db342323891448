"""Clients that send text values (README 'Text values and overload status'): Azure Stream Analytics' Azure ML
function (designer shape without GlobalParameters, every value a string, up to 10 000 rows) with
`--text-values`, and Studio (classic) tables, which accept text values by default."""

from __future__ import annotations

import json

import orjson
import pytest
import requests
from conftest import ROOT, SCORERS

from gateway import Scorer, Settings, Table, contract
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

PAYLOADS = json.loads((ROOT / "tests" / "reference" / "client_payloads.json").read_text())
ASA = next(p for p in PAYLOADS if p["client"].startswith("Azure Stream Analytics 'Azure Machine Learning Service' UDF - DataFrame"))
ASA_ARRAY = next(p for p in PAYLOADS if p["client"].startswith("Azure Stream Analytics 'Azure Machine Learning Service' UDF - array"))
SCRIPT = str(SCORERS / "stream_analytics.py")
DTYPES = {"vendorid": "int64", "weekday": "string", "pickuphour": "int8", "passenger": "int64", "distance": "float64"}
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def stream_analytics() -> Scorer:
    return load_scorer(ScorerTarget("default", SCRIPT))


def batch(rows: int = 10_000) -> list[dict[str, str]]:
    """A full batch of events as Stream Analytics sends them: every value a string."""
    return [
        {
            "vendorid": str(i % 3 + 1),
            "weekday": WEEKDAYS[i % 7],
            "pickuphour": str(i % 24),
            "passenger": str(i % 4 + 1),
            "distance": str(round(0.1 * (i % 97), 1)),
        }
        for i in range(rows)
    ]


def check_batch(body: dict, rows: list[dict[str, str]]) -> None:
    dtypes = body["dtypes"]
    assert dtypes.pop("weekday") in ("str", "string", "object")  # the pandas version's text dtype
    assert dtypes == {name: dtype for name, dtype in DTYPES.items() if name != "weekday"}
    out = body["Results"]["WebServiceOutput0"]
    assert len(out) == len(rows)
    for i in (0, 1, 4_321, len(rows) - 1):
        row = rows[i]
        assert out[i]["vendorid"] == int(row["vendorid"]) and out[i]["pickuphour"] == int(row["pickuphour"])
        fare = 2.5 + 1.75 * float(row["distance"]) + 0.5 * int(row["passenger"])
        assert out[i]["fare"] == pytest.approx(fare, abs=0.006)


async def test_the_documented_stream_analytics_request_is_scored_with_text_values(serve):
    client = await serve(stream_analytics(), settings=Settings(text_values=True))
    assert "GlobalParameters" not in ASA["request_body"]
    response = await client.post("/score", json=ASA["request_body"])
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["Results"]["WebServiceOutput0"] == [
        {"vendorid": 1, "pickuphour": 12, "fare": 13.15},
        {"vendorid": 2, "pickuphour": 10, "fare": 21.0},
    ]
    assert body["dtypes"]["distance"] == "float64" and body["dtypes"]["pickuphour"] == "int8"


async def test_a_10_000_row_batch_of_text_values_is_scored_with_the_declared_dtypes(serve):
    rows = batch()
    client = await serve(stream_analytics(), settings=Settings(text_values=True))
    response = await client.post("/score", data=orjson.dumps({"Inputs": {"WebServiceInput0": rows}}),
                                 headers={"Content-Type": "application/json"})
    assert response.status == 200, (await response.text())[:500]
    check_batch(await response.json(), rows)


async def test_a_bad_cell_in_row_9_999_is_named_by_its_path(serve):
    rows = batch()
    rows[9_999] = {**rows[9_999], "pickuphour": "12.5"}
    rows[5_000] = {**rows[5_000], "pickuphour": "300"}
    client = await serve(stream_analytics(), settings=Settings(text_values=True))
    response = await client.post("/score", json={"Inputs": {"WebServiceInput0": rows}})
    assert response.status == 400
    assert (await response.json())["errors"] == [
        {"path": "Inputs.WebServiceInput0[5000].pickuphour", "error": "300 is out of range for int8 (-128 to 127)"},
        {"path": "Inputs.WebServiceInput0[9999].pickuphour",
         "error": 'expected an integer (int8) or its text, got "12.5"'},
    ]


async def test_without_text_values_the_same_request_is_refused_where_its_texts_are(serve):
    client = await serve(stream_analytics())
    response = await client.post("/score", json=ASA["request_body"])
    assert response.status == 400
    errors = (await response.json())["errors"]
    assert errors[0] == {"path": "Inputs.WebServiceInput0[0].vendorid", "error": 'expected an integer (int64), got "1"'}


async def test_a_table_declared_with_text_values_needs_no_option_and_takes_positional_rows(serve):
    @contract(Inputs={"WebServiceInput0": Table(
        {"vendorid": "int64", "weekday": "string", "pickuphour": "int64", "passenger": "int64", "distance": "float64"},
        orient="values", text_values=True,
    )})
    def run(Inputs):
        trips = Inputs["WebServiceInput0"]
        return {"Results": {"WebServiceOutput0": (trips["distance"] * trips["passenger"]).tolist()}}

    client = await serve(run)
    response = await client.post("/score", json=ASA_ARRAY["request_body"])  # ASA's array input
    assert response.status == 200, await response.text()
    assert (await response.json())["Results"]["WebServiceOutput0"] == [5.8, 20.0]


def test_a_gateway_process_with_text_values_scores_a_full_stream_analytics_batch(gateway_process):
    rows = batch()
    for gateway in (gateway_process("--scorer", SCRIPT, "--text-values"),
                    gateway_process("--scorer", SCRIPT, env={"GATEWAY_TEXT_VALUES": "1"})):
        response = requests.post(gateway.base + "/score", json={"Inputs": {"WebServiceInput0": rows}}, timeout=60)
        assert response.status_code == 200, response.text[:500]
        check_batch(response.json(), rows)
        rows_bad = [*rows[:-1], {**rows[-1], "distance": "5,8"}]
        response = requests.post(gateway.base + "/score", json={"Inputs": {"WebServiceInput0": rows_bad}}, timeout=60)
        assert response.status_code == 400
        assert response.json()["errors"] == [{
            "path": "Inputs.WebServiceInput0[9999].distance",
            "error": 'expected a number (float64) or its text, got "5,8"',
        }]


# --- Studio (classic): text values by default -------------------------------------------------------------

CLASSIC_TABLE = {"age": "int64", "bmi": "float64", "smoker": "bool"}


@contract(Inputs={"input1": Table(CLASSIC_TABLE)}, GlobalParameters={})
def classic(Inputs, GlobalParameters):
    frame = Inputs["input1"]
    return frame.assign(risk=frame["bmi"] * 2 + frame["smoker"] + frame["age"] / 100)


async def test_a_studio_classic_table_of_texts_is_accepted_by_default_and_answered_in_classic_form(serve):
    client = await serve(classic)
    request = {
        "Inputs": {"input1": {"ColumnNames": ["age", "bmi", "smoker"], "Values": [["1", "2.5", "true"], ["50", "1e1", "False"]]}},
        "GlobalParameters": {},
    }
    for path in ("/score", "/execute?api-version=2.0&details=true"):
        response = await client.post(path, json=request)
        assert response.status == 200, await response.text()
        table = (await response.json())["Results"]["output1"]
        assert table["type"] == "table"
        assert table["value"]["ColumnNames"] == ["age", "bmi", "smoker", "risk"]
        assert table["value"]["ColumnTypes"] == ["Int64", "Double", "Boolean", "Double"]
        assert table["value"]["Values"] == [[1, 2.5, True, 6.01], [50, 10.0, False, 20.5]]


async def test_a_studio_classic_text_that_is_not_exact_is_refused_with_its_path(serve):
    client = await serve(classic)
    request = {"Inputs": {"input1": {"ColumnNames": ["age", "bmi", "smoker"], "Values": [["1", "2.5", "true"], ["2", "2.5", "yes"]]}}}
    response = await client.post("/score", json=request)
    assert response.status == 400
    assert (await response.json())["errors"] == [
        {"path": "Inputs.input1.Values[1][2]", "error": "expected a boolean or its text, got \"yes\" (column 'smoker')"}
    ]


async def test_a_records_table_of_texts_is_refused_by_default(serve):
    client = await serve(classic)
    response = await client.post("/score", json={"Inputs": {"input1": [{"age": "1", "bmi": 2.5, "smoker": True}]}})
    assert response.status == 400
    assert (await response.json())["errors"] == [
        {"path": "Inputs.input1[0].age", "error": 'expected an integer (int64), got "1"'}
    ]
