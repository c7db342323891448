"""`model_path` over the single- and multi-model AZUREML_MODEL_DIR layouts, and `Model.get_model_path` as
azureml-core finds models (`azureml.core.model` imported without azureml-core), through real servers."""

import sys
import textwrap

import pytest
import requests

from gateway import model_path
from gateway.azureml.models import (
    Model,
    ModelNotFoundException,
    WebserviceException,
    get_model_path,
)
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget


@pytest.fixture
def models(tmp_path, monkeypatch):
    for name, version in [("first", "1"), ("second", "1"), ("second", "2"), ("second", "10")]:
        folder = tmp_path / name / version
        folder.mkdir(parents=True)
        (folder / "model.pkl").write_bytes(b"x")
    (tmp_path / "single.pkl").write_bytes(b"x")
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(tmp_path))
    return tmp_path


def test_root_when_no_name(models):
    assert model_path() == str(models)


def test_named_model_latest_version_numerically(models):
    assert model_path("second") == str(models / "second" / "10")


def test_named_model_given_version(models):
    assert model_path("second", 2) == str(models / "second" / "2")
    assert model_path("first", "1") == str(models / "first" / "1")


def test_single_model_file(models):
    assert model_path("single.pkl") == str(models / "single.pkl")


def test_unknown_model_or_version(models):
    with pytest.raises(LookupError, match="no model 'third'"):
        model_path("third")
    with pytest.raises(LookupError, match=r"no version 3 .* \(versions: 1, 2, 10\)"):
        model_path("second", 3)


def test_without_model_dir(monkeypatch):
    monkeypatch.delenv("AZUREML_MODEL_DIR", raising=False)
    with pytest.raises(LookupError, match="--model-dir"):
        model_path()


# --- Model.get_model_path (azureml.core.model without azureml-core) ---------------------------------


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working directory (AML_APP_ROOT unset, no AZUREML_MODEL_DIR)."""
    folder = tmp_path / "app"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("AZUREML_MODEL_DIR", raising=False)
    monkeypatch.delenv("AML_APP_ROOT", raising=False)
    return folder


def _registered(root, name, version, entry="model.pkl"):
    folder = root / name / str(version)
    folder.mkdir(parents=True)
    (folder / entry).write_bytes(b"x")
    return folder / entry


def test_get_model_path_gives_the_one_file_of_a_version_under_the_model_dir(models):
    assert Model.get_model_path("second", version=2) == str(models / "second" / "2" / "model.pkl")
    assert Model.get_model_path(model_name="second") == str(models / "second" / "10" / "model.pkl")
    assert Model.get_model_path("second", version=None) == str(models / "second" / "10" / "model.pkl")
    assert get_model_path("single.pkl") == str(models / "single.pkl")


def test_a_version_folder_holding_several_entries_is_given_as_the_folder(models):
    (models / "first" / "1" / "vocabulary.txt").write_text("a")
    assert Model.get_model_path("first") == str(models / "first" / "1")


def test_a_single_model_deployment_s_model_dir_is_the_version_folder(workdir, tmp_path, monkeypatch):
    file = _registered(tmp_path / "azureml-models", "sklearn_model", 3)
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(file.parent))
    assert Model.get_model_path("sklearn_model") == str(file)
    assert Model.get_model_path("sklearn_model", 3) == str(file)


def test_azureml_models_in_the_working_directory(workdir, monkeypatch):
    first = _registered(workdir / "azureml-models", "sklearn_model", 1)
    second = _registered(workdir / "azureml-models", "sklearn_model", 2, entry="model_dir")
    assert Model.get_model_path("sklearn_model") == str(second)
    assert Model.get_model_path("sklearn_model", version=1) == str(first)
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(workdir / "elsewhere"))  # does not hold it: the cache does
    assert Model.get_model_path("sklearn_model") == str(second)


def test_azureml_models_under_aml_app_root(workdir, tmp_path, monkeypatch):
    root = tmp_path / "var-azureml-app"
    file = _registered(root / "azureml-models", "m", 7)
    monkeypatch.setenv("AML_APP_ROOT", str(root))
    assert Model.get_model_path("m") == str(file)


def test_a_file_named_after_the_model_in_the_working_directory(workdir):
    (workdir / "model.pkl").write_bytes(b"x")
    assert Model.get_model_path("model.pkl") == str(workdir / "model.pkl")


def test_not_found_is_a_lookup_error_that_says_where_it_looked(workdir, models, monkeypatch):
    monkeypatch.chdir(workdir)
    with pytest.raises(ModelNotFoundException) as raised:
        Model.get_model_path("third")
    assert isinstance(raised.value, LookupError)
    message = str(raised.value)
    assert message.startswith("model 'third' not found; looked in: ")
    assert f"AZUREML_MODEL_DIR={models}" in message and str(workdir / "azureml-models" / "third") in message
    with pytest.raises(WebserviceException, match=r"model 'second' version 3 not found"):  # as azureml-core raises it
        Model.get_model_path("second", version=3)
    with pytest.raises(LookupError, match="version 3 not found"):
        Model.get_model_path("second", version=3)


def test_without_model_dir_the_error_says_how_to_set_it(workdir):
    with pytest.raises(LookupError, match="AZUREML_MODEL_DIR is not set: start the gateway with --model-dir"):
        Model.get_model_path("sklearn_model")


def test_bad_arguments_are_azureml_core_s_errors(models):
    with pytest.raises(WebserviceException, match="version should be an int"):
        Model.get_model_path("second", version="2")
    with pytest.raises(WebserviceException, match="model_name is None"):
        Model.get_model_path(None)
    with pytest.raises(WebserviceException, match="needs azureml-core"):
        Model(object(), "second")


def test_the_azureml_core_names_import_without_azureml_core(monkeypatch):
    from gateway.azureml import install_aliases

    for name in ("azureml.core", "azureml.core.model", "azureml.exceptions"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    install_aliases()
    from azureml.core import Model as FromPackage
    from azureml.core.model import Model as FromModule
    from azureml.exceptions import ModelNotFoundException as Missing
    from azureml.exceptions import WebserviceException as Bad

    assert FromPackage is FromModule is Model
    assert Missing is ModelNotFoundException and Bad is WebserviceException


SKLEARN_SCORE = '''
import json
import os

import joblib
import numpy as np
from azureml.core.model import Model


def init():
    global model
    # the registered model's file: ./azureml-models/sklearn_model/<version>/model.pkl
    model_path = Model.get_model_path('sklearn_model')
    model = joblib.load(model_path)


def run(raw_data):
    try:
        data = np.array(json.loads(raw_data)['data'])
        result = model.predict(data)
        return result.tolist()
    except Exception as e:
        return str(e)
'''


@pytest.fixture
def sklearn_app(tmp_path, monkeypatch):
    """A script written like Azure's sklearn samples, and its registered model in ./azureml-models."""
    joblib = pytest.importorskip("joblib")
    linear = pytest.importorskip("sklearn.linear_model")
    app = tmp_path / "app"
    (app / "azureml-models" / "sklearn_model" / "1").mkdir(parents=True)
    (app / "azureml-models" / "sklearn_model" / "2").mkdir(parents=True)
    fitted = linear.LinearRegression().fit([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])  # y = 2x + 1
    joblib.dump(fitted, app / "azureml-models" / "sklearn_model" / "2" / "model.pkl")
    (app / "azureml-models" / "sklearn_model" / "1" / "model.pkl").write_bytes(b"an older, unreadable version")
    (app / "score.py").write_text(textwrap.dedent(SKLEARN_SCORE))
    monkeypatch.chdir(app)
    monkeypatch.delenv("AZUREML_MODEL_DIR", raising=False)
    monkeypatch.delenv("AML_APP_ROOT", raising=False)
    return app


async def test_an_azure_sklearn_script_loads_its_model_through_get_model_path(serve, sklearn_app):
    client = await serve(load_scorer(ScorerTarget("default", str(sklearn_app / "score.py"))))
    response = await client.post("/score", data=b'{"data": [[3.0], [10.0]]}')
    assert response.status == 200
    assert [round(value, 6) for value in await response.json()] == [7.0, 21.0]


def test_an_azure_sklearn_script_served_by_the_process(sklearn_app):
    """`python -m gateway --entry_script score.py` started in the app's folder, as azmlinfsrv is: no
    --model-dir, the model found in ./azureml-models (AZUREML_MODEL_DIR unset in the process)."""
    from conftest import GatewayProcess

    process = GatewayProcess(["--entry_script", "score.py"], cwd=sklearn_app)
    try:
        process.wait_ready()
        answer = requests.post(process.base + "/score", data=b'{"data": [[1.5]]}', timeout=10)
        assert answer.status_code == 200 and [round(v, 6) for v in answer.json()] == [4.0]
    finally:
        process.stop()
