"""azmlinfsrv's configuration file: `--config-file` / `--config_file` / AZUREML_CONFIG_FILE, else a config.json in
AML_APP_ROOT (the working directory) or beside the entry script; its keys are the environment variables'
names, and a flag beats the environment, which beats the file."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests
from conftest import ROOT, SCORERS, GatewayProcess

from gateway.cli import main as cli
from gateway.cli.config_file import ConfigFileError, load
from gateway.cli.options import OPTIONS
from gateway.settings import ScorerTarget, Settings

ECHO = str(SCORERS / "echo.py")

#: a script like Azure's: run() sleeps when asked, and tells what it sees of its environment
SCRIPT = '''
import json
import os
import time


def init():
    pass


def run(raw_data):
    data = json.loads(raw_data)
    time.sleep(data.get("sleep", 0))
    return {"model_dir": os.environ.get("AZUREML_MODEL_DIR"), "echo": data.get("echo")}
'''


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No variable of the options, and none the loader sets, from the test process (nor for its subprocesses)."""
    for option in OPTIONS:
        for env in option.variables:
            monkeypatch.delenv(env.name, raising=False)
    for name in ("AML_APP_ROOT", "AZUREML_SOURCE_DIRECTORY", "AZUREML_MODEL_DIR"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An app folder holding score.py, the working directory of the test."""
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "score.py").write_text(textwrap.dedent(SCRIPT))
    monkeypatch.chdir(folder)
    return folder


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return path


def settings(*argv: str) -> Settings:
    parser = cli.build_parser()
    return cli.settings_from_args(parser, parser.parse_args(argv))


def usage_error(*argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        settings(*argv)
    assert exited.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


def test_a_config_json_in_the_working_directory_sets_what_the_variables_set(app):
    write(app / "config.json", {
        "AZUREML_ENTRY_SCRIPT": "score.py", "SCORING_TIMEOUT_MS": 300, "AML_CORS_ORIGINS": "https://a.example, https://b.example",
        "WORKER_COUNT": 3, "AZUREML_LOG_LEVEL": "WARNING", "SERVICE_NAME": "Churn", "SERVICE_VERSION": 2.5,
        "GATEWAY_API_KEYS": ["k1", "k2"],
    })
    served = settings()
    assert served.scorers == (ScorerTarget("default", "score.py"),)
    assert served.scoring_timeout == 0.3 and served.workers == 3 and served.log_level == "WARNING"
    assert served.cors_origins == ("https://a.example", "https://b.example")
    assert (served.service_name, served.service_version, served.api_keys) == ("Churn", "2.5", ("k1", "k2"))
    assert served.config_file == str(app / "config.json")


def test_a_config_json_beside_the_entry_script(tmp_path, app, monkeypatch):
    elsewhere = tmp_path / "code"
    elsewhere.mkdir()
    (elsewhere / "score.py").write_text(textwrap.dedent(SCRIPT))
    write(elsewhere / "config.json", {"SCORING_TIMEOUT_MS": 1500})
    assert settings("--entry_script", str(elsewhere / "score.py")).scoring_timeout == 1.5
    monkeypatch.setenv("AZUREML_ENTRY_SCRIPT", str(elsewhere / "score.py"))
    assert settings().config_file == str(elsewhere / "config.json")


def test_aml_app_root_s_config_json_comes_before_the_script_s(tmp_path, app, monkeypatch):
    root = tmp_path / "var-azureml-app"
    root.mkdir()
    write(root / "config.json", {"SCORING_TIMEOUT_MS": 2000})
    write(app / "config.json", {"SCORING_TIMEOUT_MS": 1000})  # the script's folder, and the working directory
    monkeypatch.setenv("AML_APP_ROOT", str(root))
    assert settings("--scorer", "score.py").scoring_timeout == 2.0


def test_an_empty_config_json_is_no_file(app):
    (app / "config.json").write_text("")
    assert settings("--scorer", "score.py").config_file is None


@pytest.mark.parametrize("flag", ["--config-file", "--config_file"])
def test_a_named_file_wins_over_a_config_json_and_the_flag_over_the_variable(tmp_path, app, monkeypatch, flag):
    write(app / "config.json", {"SCORING_TIMEOUT_MS": 1000})
    named = write(tmp_path / "named.json", {"SCORING_TIMEOUT_MS": 2000})
    flagged = write(tmp_path / "flagged.json", {"SCORING_TIMEOUT_MS": 3000})
    monkeypatch.setenv("AZUREML_CONFIG_FILE", str(named))
    assert settings("--scorer", "score.py").scoring_timeout == 2.0
    from_flag = settings("--scorer", "score.py", flag, os.path.relpath(flagged))
    assert from_flag.scoring_timeout == 3.0 and from_flag.config_file == str(flagged)


def test_flags_beat_the_environment_which_beats_the_file(app, monkeypatch):
    write(app / "config.json", {"SCORING_TIMEOUT_MS": 300, "SERVICE_NAME": "from-file", "GATEWAY_PORT": 6001})
    monkeypatch.setenv("SCORING_TIMEOUT_MS", "500")
    served = settings("--scorer", "score.py")
    assert (served.scoring_timeout, served.service_name, served.port) == (0.5, "from-file", 6001)
    flagged = settings("--scorer", "score.py", "--scoring-timeout", "7", "--port", "6002")
    assert (flagged.scoring_timeout, flagged.port) == (7.0, 6002)


def test_the_environment_beats_the_file_whichever_of_an_option_s_names_each_uses(app, monkeypatch):
    """The file is below every variable of an option: its GATEWAY_ name does not beat Azure's in the environment."""
    write(app / "config.json", {"GATEWAY_SCORING_TIMEOUT": 5, "GATEWAY_CORS_ORIGINS": "https://file.example"})
    monkeypatch.setenv("SCORING_TIMEOUT_MS", "300")
    monkeypatch.setenv("AML_CORS_ORIGINS", "https://env.example")
    served = settings("--scorer", "score.py")
    assert served.scoring_timeout == 0.3 and served.cors_origins == ("https://env.example",)


def test_the_loader_s_variables_are_exported_when_the_environment_has_none(tmp_path, app, monkeypatch):
    models = tmp_path / "models"
    models.mkdir()
    write(app / "config.json", {"AZUREML_MODEL_DIR": str(models), "AZUREML_SOURCE_DIRECTORY": str(tmp_path)})
    settings("--scorer", "score.py")
    assert os.environ["AZUREML_MODEL_DIR"] == str(models) and os.environ["AZUREML_SOURCE_DIRECTORY"] == str(tmp_path)
    monkeypatch.setenv("AZUREML_MODEL_DIR", "/from/the/environment")
    settings("--scorer", "score.py")
    assert os.environ["AZUREML_MODEL_DIR"] == "/from/the/environment"


def test_unknown_keys_are_a_warning_naming_them(app, caplog):
    write(app / "config.json", {"SCORING_TIMEOUT_MS": 300, "NOT_A_SETTING": 1, "WORKSPACE_NAME": "ws"})
    with caplog.at_level(logging.WARNING, logger="gateway.cli"):
        assert settings("--scorer", "score.py").scoring_timeout == 0.3
    assert f"config file {app / 'config.json'}: unknown keys, ignored: NOT_A_SETTING, WORKSPACE_NAME" in caplog.text


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"SCORING_TIMEOUT_MS": 300,', " is not valid JSON: Expecting property name enclosed in double quotes (line 1, column 28)"),
        ("[1, 2]", " must hold a JSON object of variable names and values, not an array"),
        ('"SCORING_TIMEOUT_MS"', " must hold a JSON object of variable names and values, not a string"),
        ('{"AML_CORS_ORIGINS": {"a": 1}}', ': AML_CORS_ORIGINS is {"a": 1}; give a string, a number, true/false or a list of strings'),
    ],
)
def test_a_file_that_is_not_a_json_object_is_a_usage_error(app, capsys, text, message):
    write(app / "config.json", text)
    error = usage_error("--scorer", "score.py", capsys=capsys)
    assert error == f"python -m gateway: error: config file {app / 'config.json'}{message}"


def test_a_named_file_that_does_not_exist_is_a_usage_error(tmp_path, app, capsys):
    missing = tmp_path / "absent.json"
    assert usage_error("--scorer", "score.py", "--config-file", str(missing), capsys=capsys) == (
        f"python -m gateway: error: config file {missing}: No such file or directory"
    )


def test_a_malformed_number_in_the_file_names_the_file(app):
    write(app / "config.json", {"SCORING_TIMEOUT_MS": "soon"})
    with pytest.raises(SystemExit) as exited:
        settings("--scorer", "score.py")
    assert exited.value.code == f"gateway: error: config file {app / 'config.json'}: SCORING_TIMEOUT_MS='soon' is not a number"


def test_values_as_text():
    assert load(None).values == {}
    with pytest.raises(ConfigFileError, match="No such file"):
        load("/definitely/not/here.json")


def test_booleans_and_nulls(tmp_path):
    loaded = load(str(write(tmp_path / "c.json", {"A": True, "B": False, "C": None, "D": 1.5})))
    assert loaded.values == {"A": "true", "B": "false", "D": "1.5"}


# --- through `python -m gateway` --------------------------------------------------------------------


def test_the_process_serves_what_a_config_json_in_its_directory_says(app, tmp_path):
    """`python -m gateway` with no argument but the port, started in a folder whose config.json names the
    entry script, the model folder, the scoring timeout and the service name, as azmlinfsrv reads it."""
    models = tmp_path / "models"
    models.mkdir()
    write(app / "config.json", {
        "AZUREML_ENTRY_SCRIPT": "score.py", "AZUREML_MODEL_DIR": str(models), "SCORING_TIMEOUT_MS": 300,
        "SERVICE_NAME": "FromFile", "AML_APP_INSIGHTS_ENABLED": False,
    })
    process = GatewayProcess([], cwd=app)
    try:
        process.wait_ready()
        answer = requests.post(process.base + "/score", data=b'{"echo": 1}', timeout=10)
        assert answer.status_code == 200 and answer.json() == {"model_dir": str(models), "echo": 1}
        slow = requests.post(process.base + "/score", data=b'{"sleep": 2}', timeout=10)
        assert slow.status_code == 504 and slow.json() == {"message": "scoring timed out after 300 ms"}
        assert requests.get(process.base + "/swagger.json", timeout=10).json()["info"]["title"] == "FromFile"
    finally:
        _, err = process.stop()
    assert f"config file {app / 'config.json'}: unknown keys, ignored: AML_APP_INSIGHTS_ENABLED" in err


def test_the_process_reads_config_file_and_the_environment_beats_it(app, tmp_path):
    named = write(tmp_path / "settings.json", {"SCORING_TIMEOUT_MS": 300, "SERVICE_NAME": "FromFile"})
    process = GatewayProcess(["--entry_script", "score.py", "--config_file", str(named)], env={"SERVICE_NAME": "FromEnv"}, cwd=app)
    try:
        process.wait_ready()
        slow = requests.post(process.base + "/score", data=b'{"sleep": 2}', timeout=10)
        assert slow.status_code == 504
        assert requests.get(process.base + "/swagger.json", timeout=10).json()["info"]["title"] == "FromEnv"
    finally:
        process.stop()


def test_the_process_exits_2_on_a_file_that_is_not_json(app):
    (app / "config.json").write_text("SCORING_TIMEOUT_MS=300\n")
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "--entry_script", "score.py"],
        capture_output=True, text=True, timeout=30, cwd=app, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2
    assert f"python -m gateway: error: config file {app / 'config.json'} is not valid JSON: Expecting value" in result.stderr
