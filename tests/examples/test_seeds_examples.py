"""The seeds' examples, end to end: the scripts of Azure ML's "advanced entry script" page, served
unchanged (but for APIs that no longer exist), called with the seeds' own client snippets."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pytest
import requests
from conftest import ROOT
from PIL import Image

from gateway import Scorer
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

EXAMPLES = ROOT / "examples"


def example(name: str) -> Scorer:
    return load_scorer(ScorerTarget("default", str(EXAMPLES / name / "score.py")))


def png(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), (12, 34, 56))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def regression_dir(tmp_path_factory):
    target = tmp_path_factory.mktemp("seed_models")
    for name in ("seeds_sklearn_schema", "seeds_powerbi"):
        subprocess.run([sys.executable, str(EXAMPLES / name / "train.py"), str(target)], check=True, capture_output=True)
    subprocess.run([sys.executable, str(EXAMPLES / "seeds_multi_model" / "make_models.py"), str(target)], check=True)
    return target


# --- scikit-learn and Swagger (NumpyParameterType) --------------------------------------------------


async def test_sklearn_schema_predictions_equal_the_model(serve, regression_dir, monkeypatch):
    import joblib

    monkeypatch.setenv("AZUREML_MODEL_DIR", str(regression_dir))
    client = await serve(example("seeds_sklearn_schema"))
    rows = [[10, 9, 8, 7, 6, 5, 4, 3, 2, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]
    response = await client.post("/score", json={"data": rows})
    assert response.status == 200
    model = joblib.load(regression_dir / "sklearn_mnist_model.pkl")
    assert await response.json() == pytest.approx(model.predict(np.array(rows)).tolist())
    bad = await client.post("/score", json={"data": [[1, 2, 3]]})
    assert bad.status == 400 and (await bad.json())["errors"][0]["path"] == "data[0]"
    document = await (await client.get("/swagger.json")).json()
    assert document["definitions"]["ServiceInput"]["properties"]["data"]["format"] == "numpy.ndarray"


# --- the Power BI endpoint (three typed inputs, GlobalParameters) -----------------------------------

POWER_BI_BODY = {
    "Inputs": {
        "input1": [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]],
        "input2": [{"name": "Sarah", "age": 25}, {"name": "John", "age": 26}],
        "input3": 0.0,
    },
    "GlobalParameters": 1.0,
}


async def test_power_bi_seed_answers_and_documents_its_three_inputs(serve, regression_dir, monkeypatch):
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(regression_dir))
    client = await serve(example("seeds_powerbi"))
    response = await client.post("/score", json=POWER_BI_BODY)
    assert response.status == 200
    assert len(await response.json()) == 2
    bad_body = json.loads(json.dumps(POWER_BI_BODY))
    bad_body["Inputs"]["input2"][1]["age"] = "twenty-six"
    bad = await client.post("/score", json=bad_body)
    assert bad.status == 400
    assert (await bad.json())["errors"][0]["path"] == "Inputs.input2[1].age"
    document = await (await client.get("/swagger.json", params={"version": "2"})).json()
    inputs = document["definitions"]["ServiceInput"]["properties"]["Inputs"]["properties"]
    assert inputs["input1"]["format"] == "numpy.ndarray"
    assert inputs["input2"]["format"] == "pandas.DataFrame:records"
    assert document["definitions"]["ServiceOutput"]["properties"]["Results"]["items"]["type"] == "number"


def test_power_bi_seed_through_python_m_gateway(gateway_process, regression_dir):
    process = gateway_process("--scorer", str(EXAMPLES / "seeds_powerbi" / "score.py"), "--model-dir", str(regression_dir))
    response = requests.post(process.base + "/score", json=POWER_BI_BODY, timeout=30)
    assert response.status_code == 200 and len(response.json()) == 2


# --- binary image upload (@rawhttp) ---------------------------------------------------------------


async def test_binary_seed_multipart_raw_and_get(serve):
    client = await serve(example("seeds_binary_image"))
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("image", png(64, 48), filename="example.png", content_type="image/png")
    assert await (await client.post("/score", data=form)).json(content_type=None) == [64, 48]  # text/html, as the seed builds it
    raw = await client.post("/score", data=png(10, 20), headers={"Content-Type": "application/octet-stream"})
    assert await raw.json(content_type=None) == [10, 20]
    get = await client.get("/score?x=1")
    assert await get.text() == "/score?x=1"


def test_binary_seed_with_the_seeds_own_client_snippets(gateway_process, tmp_path):
    process = gateway_process("--scorer", str(EXAMPLES / "seeds_binary_image" / "score.py"), "--max-body-size", str(200 * 2**20))
    picture = tmp_path / "example.png"
    picture.write_bytes(png(300, 200))
    url = process.base + "/score"
    with open(picture, "rb") as handle:
        res = requests.post(url, files={"image": handle}, timeout=30)
    assert res.status_code == 200 and res.json() == [300, 200]
    data = open(picture, "rb").read()
    res = requests.post(url=url, data=data, headers={"Content-Type": "application/octet-stream"}, timeout=30)
    assert res.json() == [300, 200]
    big = Image.new("RGB", (4000, 3000))
    big_bytes = io.BytesIO()
    big.save(big_bytes, format="BMP")  # uncompressed: 36 MB on the wire
    assert len(big_bytes.getvalue()) > 30 * 2**20
    res = requests.post(url, files={"image": ("big.bmp", big_bytes.getvalue(), "image/bmp")}, timeout=120)
    assert res.status_code == 200 and res.json() == [4000, 3000]


# --- CORS headers set from the script ---------------------------------------------------------------


async def test_cors_seed_sets_its_headers_on_post_and_options(serve):
    client = await serve(example("seeds_cors"))
    post = await client.post("/score", data=b"hello", headers={"Content-Type": "text/plain"})
    assert post.status == 200 and await post.read() == b"hello"
    assert post.headers["Access-Control-Allow-Origin"] == "http://www.example.com"
    preflight = await client.options(
        "/score", headers={"Origin": "http://www.example.com", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://www.example.com"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


# --- two models, several versions -------------------------------------------------------------------


async def test_multi_model_seed_loads_both_models(serve, regression_dir, monkeypatch):
    from gateway import model_path

    monkeypatch.setenv("AZUREML_MODEL_DIR", str(regression_dir))
    assert model_path("my_second_model") == str(regression_dir / "my_second_model" / "2")
    assert model_path("my_first_model", 1) == str(regression_dir / "my_first_model" / "1")
    client = await serve(example("seeds_multi_model"))
    response = await client.post("/score", json={"data": [[1.0, 2.0]]})
    assert response.status == 200
    answer = await response.json()
    assert answer["first"] == pytest.approx([6.0]) and answer["second"] == pytest.approx([15.0])


def test_multi_model_seed_through_python_m_gateway(gateway_process, regression_dir):
    process = gateway_process("--scorer", str(EXAMPLES / "seeds_multi_model" / "score.py"), "--model-dir", str(regression_dir))
    answer = requests.post(process.base + "/score", json={"data": [[0.0, 1.0]]}, timeout=30).json()
    assert answer["first"] == pytest.approx([2.0]) and answer["second"] == pytest.approx([5.0])
