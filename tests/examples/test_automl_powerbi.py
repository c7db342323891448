"""The AutoML-style Power BI example served end to end, with a model trained for the test."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from conftest import POWER_BI_ROWS, ROOT

from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

EXAMPLE = ROOT / "examples" / "automl_powerbi"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    target = tmp_path_factory.mktemp("automl_model")
    subprocess.run([sys.executable, str(EXAMPLE / "train.py"), str(target)], check=True, capture_output=True)
    return target


@pytest.fixture
async def client(serve, model_dir, monkeypatch):
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(model_dir))
    return await serve(load_scorer(ScorerTarget("default", str(EXAMPLE / "score.py"))))


async def test_predict_answers_one_result_per_row(client):
    response = await client.post("/score", json={"Inputs": {"data": POWER_BI_ROWS}, "GlobalParameters": {"method": "predict"}})
    assert response.status == 200
    results = (await response.json())["Results"]
    assert len(results) == len(POWER_BI_ROWS)
    assert all(value in (0, 1) for value in results)


async def test_predict_is_the_default_method(client):
    response = await client.post("/score", json={"Inputs": {"data": POWER_BI_ROWS}})
    assert len((await response.json())["Results"]) == 3


async def test_predict_proba_gives_probabilities_per_row(client):
    response = await client.post(
        "/score", json={"Inputs": {"data": POWER_BI_ROWS}, "GlobalParameters": {"method": "predict_proba"}}
    )
    results = (await response.json())["Results"]
    assert len(results) == 3
    for stay, churn in results:
        assert stay + churn == pytest.approx(1.0)


async def test_unknown_method_is_refused_before_run(client):
    response = await client.post("/score", json={"Inputs": {"data": POWER_BI_ROWS}, "GlobalParameters": {"method": "x"}})
    assert response.status == 400
    assert (await response.json())["errors"][0]["path"] == "GlobalParameters.method"


def test_the_readme_command_serves_the_example(gateway_process, model_dir):
    process = gateway_process("--scorer", str(EXAMPLE / "score.py"), "--model-dir", str(model_dir))
    response = requests.post(
        process.base + "/score",
        json={"Inputs": {"data": POWER_BI_ROWS}, "GlobalParameters": {"method": "predict"}},
        timeout=10,
    )
    assert response.status_code == 200
    assert len(response.json()["Results"]) == 3
