"""MLflow clients through a real server: Azure ML's `{"input_data": ...}` on the score routes (README 'MLflow
clients and CSV')."""

from __future__ import annotations

from conftest import SCORERS

from gateway import Column, Table, Value, contract
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

CHURN = Table({"age": "int64", "income": "float64", "city": Column("string", nullable=True)})


@contract(Inputs={"data": CHURN}, GlobalParameters={"method": Value(str, default="predict", enum=["predict", "proba"])})
def churn(Inputs, GlobalParameters):
    frame = Inputs["data"]
    return {
        "Results": {
            "rows": frame.reset_index().rename(columns={"index": "label"}).to_dict("records"),
            "dtypes": {name: str(dtype) for name, dtype in frame.dtypes.items()},
            "method": GlobalParameters["method"],
        }
    }


@contract(Inputs={"left": CHURN, "right": CHURN})
def two_tables(Inputs):
    return {"Results": 0}


async def test_azure_input_data_on_the_score_routes(serve):
    client = await serve(churn, other=churn)
    body = {"input_data": {"columns": ["age", "income", "city"], "index": [5, 6], "data": [[1, 2.0, "a"], [2, 3.0, None]]}}
    for path in ("/score", "/score/other"):
        response = await client.post(path, json=body)
        assert response.status == 200, await response.text()
        answer = await response.json()
        assert list(answer) == ["Results"]  # the scorer's usual answer
        assert [row["label"] for row in answer["Results"]["rows"]] == [5, 6]
        assert answer["Results"]["dtypes"]["age"] == "int64"
    answer = await (await client.post("/score", json={"input_data": [[1, 2.0, "a"]], "params": {"method": "proba"}})).json()
    assert answer["Results"]["method"] == "proba"
    response = await client.post("/score", json={"input_data": {"columns": ["age", "income", "city"], "data": [[1, "x", "a"]]}})
    assert response.status == 400
    assert (await response.json())["errors"][0]["path"] == "input_data.data[0][1]"


async def test_input_data_for_a_scorer_with_two_tables_is_told_why(serve):
    client = await serve(two_tables)
    response = await client.post("/score", json={"input_data": {"columns": ["age"], "data": [[1]]}})
    assert response.status == 400
    message = (await response.json())["message"]
    assert "Azure ML's MLflow request" in message and "exactly one table parameter" in message
    assert "has 2 table parameters (Inputs.left, Inputs.right)" in message


async def test_input_data_for_an_inference_schema_script(serve):
    client = await serve(load_scorer(ScorerTarget("default", str(SCORERS.parent / "conformance" / "scripts" / "automl" / "score.py"))))
    columns = ["age", "income", "is_member", "city", "signup_date"]
    body = {"input_data": {"columns": columns, "index": [4], "data": [[42, 1.5, True, "Lisbon", "2024-01-02T03:04:05"]]},
            "params": {"method": "echo"}}
    response = await client.post("/score", json=body)
    assert response.status == 200, await response.text()
    results = (await response.json())["Results"]
    assert results["dtypes"]["age"] == "int64" and results["dtypes"]["signup_date"] == "datetime64[ns]"
    assert results["global_parameters"] == {"method": "echo"}
