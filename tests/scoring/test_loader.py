"""TARGET forms of README 'Serving your own scorer'."""

import os
import sys

import pytest
from conftest import SCORERS

from gateway.errors import StartupError
from gateway.scoring.loader import export_model_dir, load, load_scorers
from gateway.settings import ScorerTarget, parse_scorer_option


@pytest.mark.parametrize(
    "option, name, location, is_file",
    [
        ("score.py", "default", ("score.py", "run"), True),
        ("path/to/score.py:predict", "default", ("path/to/score.py", "predict"), True),
        ("pkg.module:function", "default", ("pkg.module", "function"), False),
        ("churn=pkg.module:function", "churn", ("pkg.module", "function"), False),
        ("churn=models/churn.py", "churn", ("models/churn.py", "run"), True),
    ],
)
def test_target_forms(option, name, location, is_file):
    target = parse_scorer_option(option)
    assert target.name == name
    assert target.location == location
    assert target.is_file is is_file


@pytest.mark.parametrize("option", ["bad name=score.py", "x="])
def test_bad_scorer_options(option):
    with pytest.raises(ValueError):
        parse_scorer_option(option)


def test_load_finds_run_and_init():
    loaded = load(ScorerTarget("default", "tests/scorers/echo.py"))
    assert loaded.run.__name__ == "run"
    assert loaded.init is not None and loaded.init.__name__ == "init"


def test_load_module_target():
    loaded = load(ScorerTarget("upper", "scorers.raw:shout"))  # tests/ is on sys.path under pytest
    assert loaded.run("a") == "A"


def test_load_failures_are_startup_errors():
    with pytest.raises(StartupError, match="could not be imported: ModuleNotFoundError"):
        load(ScorerTarget("x", "no_such_package.module:run"))


def test_load_scorers_follows_azure_ml_s_conventions(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    for name in ("AML_APP_ROOT", "AZUREML_SOURCE_DIRECTORY", "AZUREML_ENTRY_SCRIPT", "AZUREML_MODEL_DIR"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    source = tmp_path / "src"
    source.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AZUREML_SOURCE_DIRECTORY", str(source))
    scorers = load_scorers([ScorerTarget("default", str(SCORERS / "echo.py"))])
    assert [s.name for s in scorers] == ["default"]
    assert os.environ["AML_APP_ROOT"] == str(tmp_path)  # the working directory unless set
    assert str(tmp_path) in sys.path and str(source) in sys.path
    assert os.environ["AZUREML_ENTRY_SCRIPT"] == os.path.realpath(SCORERS / "echo.py")
    export_model_dir(str(tmp_path))
    assert os.environ["AZUREML_MODEL_DIR"] == str(tmp_path)
