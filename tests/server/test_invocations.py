"""MLflow clients through a real server: `POST /invocations` in MLflow's own request shapes, CSV bodies, and
Azure ML's `{"input_data": ...}` on the score routes (README 'MLflow clients and CSV')."""

from __future__ import annotations

import asyncio
import json
import textwrap
import threading

import pandas as pd
import requests
from conftest import SCORERS

from gateway import Batching, Column, Settings, Table, Value, contract
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

JSON = {"Content-Type": "application/json"}
CSV = {"Content-Type": "text/csv"}
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


@contract(data=Table({"x": "float64"}), threshold=Value(float, default=0.5))
def bare(data, threshold):
    return (data["x"] > threshold).tolist()  # no Results envelope: predictions is the whole answer


def mlflow_error(answer: dict) -> tuple[str, str]:
    assert set(answer) <= {"error_code", "message", "errors"}, answer
    return answer["error_code"], answer["message"]


async def test_pandas_split_output_with_index(serve):
    client = await serve(churn)
    frame = pd.DataFrame({"age": [42, 23], "income": [52000.5, 18000.0], "city": ["Seattle", None]}, index=[10, 11])
    response = await client.post("/invocations", json={"dataframe_split": json.loads(frame.to_json(orient="split"))})
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("application/json")
    predictions = (await response.json())["predictions"]
    assert predictions["rows"] == [
        {"label": 10, "age": 42, "income": 52000.5, "city": "Seattle"},
        {"label": 11, "age": 23, "income": 18000.0, "city": None},
    ]
    assert predictions["dtypes"]["age"] == "int64" and predictions["dtypes"]["income"] == "float64"


async def test_records_instances_and_inputs(serve):
    client = await serve(churn)
    row = {"age": 42, "income": 52000.5, "city": "Seattle"}
    for body in (
        {"dataframe_records": [row]},
        {"instances": [row]},
        {"instances": [[42, 52000.5, "Seattle"]]},
        {"inputs": {"age": [42], "income": [52000.5], "city": ["Seattle"]}},
        {"inputs": [[42, 52000.5, "Seattle"]]},
    ):
        response = await client.post("/invocations", json=body)
        assert response.status == 200, (body, await response.text())
        assert (await response.json())["predictions"]["rows"] == [{"label": 0, **row}]


async def test_params_fill_global_parameters(serve):
    client = await serve(churn)
    body = {"dataframe_records": [{"age": 1, "income": 2.0, "city": "x"}], "params": {"method": "proba"}}
    answer = await (await client.post("/invocations", json=body)).json()
    assert answer["predictions"]["method"] == "proba"
    response = await client.post("/invocations", json={**body, "params": {"method": "explain"}})
    assert response.status == 400
    code, message = mlflow_error(await response.json())
    assert code == "INVALID_PARAMETER_VALUE"
    assert message == 'params.method: expected one of "predict", "proba", got "explain"'


async def test_a_scorer_answering_no_results_envelope(serve):
    client = await serve(bare)
    response = await client.post("/invocations", json={"inputs": [0.2, 0.9], "params": {"threshold": 0.1}})
    assert await response.json() == {"predictions": [True, True]}


async def test_bad_cells_keep_their_json_path(serve):
    client = await serve(churn)
    data = [[1, 1.0, "a"], [2, 2.0, "b"], [3, 3.0, "c"], [4, "lots", "d"]]
    response = await client.post("/invocations", json={"dataframe_split": {"columns": ["age", "income", "city"], "data": data}})
    assert response.status == 400
    answer = await response.json()
    assert answer["error_code"] == "INVALID_PARAMETER_VALUE"
    assert answer["message"].startswith("dataframe_split.data[3][1]: expected a number (float64)")
    assert answer["errors"] == [
        {"path": "dataframe_split.data[3][1]", "error": "expected a number (float64), got \"lots\" (column 'income')"}
    ]


async def test_exactly_one_input_field(serve):
    client = await serve(churn)
    for body in ({"dataframe_records": [], "inputs": []}, {"Inputs": {"data": []}}):
        response = await client.post("/invocations", json=body)
        assert response.status == 400
        code, message = mlflow_error(await response.json())
        assert code == "BAD_REQUEST"
        assert "exactly one of the input fields dataframe_split, dataframe_records, instances, inputs" in message


async def test_csv_bodies(serve):
    client = await serve(churn)
    response = await client.post("/invocations", data=b"age,income,city\n42,52000.5,Seattle\n23,18000,\n", headers=CSV)
    assert response.status == 200, await response.text()
    predictions = (await response.json())["predictions"]
    assert [row["age"] for row in predictions["rows"]] == [42, 23]
    assert predictions["rows"][1]["city"] is None and predictions["dtypes"]["age"] == "int64"

    response = await client.post("/invocations", data=b"age,income,city\n1,2,a\n2,3,b\nx,4,c\n", headers=CSV)
    assert response.status == 400
    code, message = mlflow_error(await response.json())
    assert code == "INVALID_PARAMETER_VALUE"
    assert message.startswith("row 3, column 'age': expected an integer (int64)") and message.endswith('got "x"')


async def test_csv_with_missing_and_extra_columns(serve):
    client = await serve(churn)
    response = await client.post("/invocations", data=b"age,city\n1,a\n", headers=CSV)
    assert response.status == 400
    assert mlflow_error(await response.json())[1] == "header: missing column 'income'"
    response = await client.post("/invocations", data=b"id,age,income,city\n7,1,2.0,a\n", headers=CSV)
    assert response.status == 200  # an extra column is ignored, as in every JSON form
    assert (await response.json())["predictions"]["rows"] == [{"label": 0, "age": 1, "income": 2.0, "city": "a"}]
    response = await client.post("/invocations", data=b"age,income,city\n1,2.0\n", headers=CSV)
    assert mlflow_error(await response.json())[1] == "row 1: expected 3 values (one per column), got 2"


async def test_wrong_content_type_is_415(serve):
    client = await serve(churn)
    for headers in ({"Content-Type": "text/plain"}, {"Content-Type": "application/json; format=pandas-split"}):
        response = await client.post("/invocations", data=b'{"inputs": []}', headers=headers)
        assert response.status == 415
        assert (await response.json())["error_code"] == "BAD_REQUEST"


async def test_a_scorer_with_two_tables_is_told_why(serve):
    client = await serve(two_tables)
    response = await client.post("/invocations", json={"inputs": []})
    assert response.status == 400
    code, message = mlflow_error(await response.json())
    assert code == "BAD_REQUEST"
    assert "needs a scorer with exactly one table parameter" in message
    assert "has 2 table parameters (Inputs.left, Inputs.right)" in message


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
    answer = await response.json()
    assert "error_code" not in answer  # the score route answers in the gateway's own shape
    message = answer["message"]
    assert "Azure ML's MLflow request" in message and "exactly one table parameter" in message
    assert "has 2 table parameters (Inputs.left, Inputs.right)" in message


AUTOML = str(SCORERS.parent / "conformance" / "scripts" / "automl" / "score.py")


async def test_input_data_for_an_inference_schema_script(serve):
    client = await serve(load_scorer(ScorerTarget("default", AUTOML)))
    columns = ["age", "income", "is_member", "city", "signup_date"]
    body = {"input_data": {"columns": columns, "index": [4], "data": [[42, 1.5, True, "Lisbon", "2024-01-02T03:04:05"]]},
            "params": {"method": "echo"}}
    response = await client.post("/score", json=body)
    assert response.status == 200, await response.text()
    results = (await response.json())["Results"]
    assert results["dtypes"]["age"] == "int64" and results["dtypes"]["signup_date"] == "datetime64[ns]"
    assert results["global_parameters"] == {"method": "echo"}


async def test_invocations_of_an_inference_schema_script(serve):
    client = await serve(load_scorer(ScorerTarget("default", AUTOML)))
    csv = b"age,income,is_member,city,signup_date\n42,1.5,true,Lisbon,2024-01-02T03:04:05\n23,2,false,,2024-02-03\n"
    response = await client.post("/invocations", data=csv, headers=CSV)
    assert await response.json() == {"predictions": [0, 0]}
    rows = [{"age": 42, "income": 1.5, "is_member": True, "city": "Lisbon", "signup_date": "2024-01-02T03:04:05"}]
    response = await client.post("/invocations", json={"dataframe_records": rows, "params": {"method": "echo"}})
    predictions = (await response.json())["predictions"]
    assert predictions["dtypes"]["is_member"] == "bool" and predictions["global_parameters"] == {"method": "echo"}


async def test_named_scorers_and_the_default_route(serve):
    client = await serve(churn=churn, bare=bare)
    response = await client.post("/score/bare/invocations", json={"inputs": [0.2, 0.9]})
    assert await response.json() == {"predictions": [False, True]}
    response = await client.post("/invocations", json={"inputs": [0.2]})
    assert response.status == 404  # two scorers, neither named "default"
    assert (await response.json())["error_code"] == "RESOURCE_DOES_NOT_EXIST"


async def test_invocations_need_the_api_key_under_the_prefix_too(serve):
    client = await serve(bare, settings=Settings(api_keys=("k1",), path_prefix="ml"))
    for path in ("/invocations", "/ml/invocations", "/ml/score/default/invocations"):
        assert (await client.post(path, json={"inputs": [1.0]})).status == 401
        response = await client.post(path, json={"inputs": [1.0]}, headers={"Authorization": "Bearer k1"})
        assert await response.json() == {"predictions": [True]}


async def test_batched_scorers_merge_mlflow_and_csv_requests(serve):
    calls: list[int] = []
    lock = threading.Lock()

    @contract(Inputs={"data": Table({"age": "int64"})}, batching=Batching(max_rows=64, max_wait_ms=100))
    def doubling(Inputs):
        with lock:
            calls.append(len(Inputs["data"]))
        return {"Results": (Inputs["data"]["age"] * 2).tolist()}

    client = await serve(doubling)
    sends = [client.post("/invocations", json={"dataframe_records": [{"age": i}]}) for i in range(10)]
    sends += [client.post("/invocations", data=f"age\n{i}\n".encode(), headers=CSV) for i in range(10, 20)]
    answers = [await response.json() for response in await asyncio.gather(*sends)]
    assert [answer["predictions"] for answer in answers] == [[2 * i] for i in range(20)]
    assert sum(calls) == 20 and len(calls) < 20


SCRIPT = '''
import pandas as pd
from gateway import Table, Value, contract


@contract(
    Inputs={"data": Table({"age": "int64", "income": "float64"})},
    GlobalParameters={"scale": Value(float, default=1.0)},
)
def run(Inputs, GlobalParameters):
    frame = Inputs["data"]
    return {"Results": (frame["income"] / frame["age"] * GlobalParameters["scale"]).round(2).tolist()}
'''


def test_mlflow_clients_against_a_gateway_process(gateway_process, tmp_path):
    script = tmp_path / "score.py"
    script.write_text(textwrap.dedent(SCRIPT))
    process = gateway_process("--scorer", str(script))
    frame = pd.DataFrame({"age": [40, 20], "income": [80.0, 50.0]})
    split = {"dataframe_split": json.loads(frame.to_json(orient="split")), "params": {"scale": 10.0}}
    answer = requests.post(process.base + "/invocations", json=split, timeout=10)
    assert answer.status_code == 200 and answer.json() == {"predictions": [20.0, 25.0]}
    answer = requests.post(
        process.base + "/invocations", data=frame.to_csv(index=False), headers={"Content-Type": "text/csv"}, timeout=10
    )
    assert answer.json() == {"predictions": [2.0, 2.5]}
    answer = requests.post(process.base + "/invocations", data="age,income\n40,lots\n", headers=CSV, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("row 1, column 'income': expected a number (float64)")
    answer = requests.post(process.base + "/score", json={"input_data": split["dataframe_split"]}, timeout=10)
    assert answer.json() == {"Results": [2.0, 2.5]}
