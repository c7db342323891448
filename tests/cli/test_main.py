"""`python -m gateway` as a real process: TARGET forms, options, startup failures, scoring over a socket."""

from __future__ import annotations

import os
import subprocess
import sys

import requests
from conftest import ROOT, SCORERS

ECHO = str(SCORERS / "echo.py")


def run_gateway(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def test_serves_a_script_over_a_socket(gateway_process, tmp_path):
    process = gateway_process("--scorer", ECHO, "--model-dir", str(tmp_path))
    body = {"Inputs": {"data": [{"a": 1}]}, "GlobalParameters": {"scale": 2}}
    response = requests.post(process.base + "/score", json=body, timeout=10)
    assert response.status_code == 200
    answer = response.json()
    assert answer["Results"] == {"inputs": {"data": [{"a": 1}]}, "scale": 2.0}
    assert answer["init_calls"] == 1  # init() ran once, before the port answered
    assert answer["model_dir"] == str(tmp_path)
    assert answer["entry_script"] == os.path.realpath(ECHO)
    assert requests.get(process.base + "/", timeout=5).text == "Healthy"
    out, _ = process.stop()
    assert "serving on http://127.0.0.1:" in out
    assert "scorer 'default'" in out and "GlobalParameters?" in out


def test_the_served_heap_is_frozen_after_init(gateway_process, tmp_path):
    from gateway.server.run import GC_YOUNG_THRESHOLD

    script = tmp_path / "heap.py"
    script.write_text(
        "import gc\n"
        "MODEL = None\n"
        "def init():\n"
        "    global MODEL\n"
        "    MODEL = [{'weight': i} for i in range(1000)]\n"
        "def run(raw_data):\n"
        "    return {'frozen': gc.get_freeze_count(), 'threshold': gc.get_threshold()[0], 'model': len(MODEL)}\n"
    )
    process = gateway_process("--scorer", str(script))
    answer = requests.post(process.base + "/score", json={"Inputs": 1}, timeout=10).json()
    assert answer["model"] == 1000 and answer["frozen"] > 1000  # init()'s objects among the frozen ones
    assert answer["threshold"] == GC_YOUNG_THRESHOLD


def test_model_dir_is_exported_absolute(gateway_process, tmp_path):
    relative = os.path.relpath(tmp_path, ROOT)
    process = gateway_process("--scorer", ECHO, "--model-dir", relative)
    answer = requests.post(process.base + "/score", json={"Inputs": 1}, timeout=10).json()
    assert answer["model_dir"] == str(tmp_path)


def test_module_function_target_and_several_named_scorers(gateway_process):
    process = gateway_process(
        "--scorer", "upper=tests.scorers.raw:shout", "--scorer", f"echo={ECHO}", "--scorer", "raw=tests/scorers/raw.py"
    )
    upper = requests.post(process.base + "/score/upper", data=b"quiet", timeout=10)
    assert upper.json() == "QUIET"
    echo = requests.post(process.base + "/score/echo", json={"Inputs": 5}, timeout=10)
    assert echo.json()["Results"]["inputs"] == 5
    raw = requests.post(process.base + "/score/raw", data=b"x", timeout=10)
    assert raw.json() == {"received_type": "str", "received": "x"}
    assert requests.post(process.base + "/score", json={}, timeout=10).status_code == 404


def test_script_colon_function_target(gateway_process):
    process = gateway_process("--scorer", "tests/scorers/raw.py:shout")
    assert requests.post(process.base + "/score", data=b"abc", timeout=10).json() == "ABC"


def test_azureml_entry_script_is_the_default_scorer(gateway_process):
    process = gateway_process(env={"AZUREML_ENTRY_SCRIPT": ECHO})
    assert requests.post(process.base + "/score", json={"Inputs": 2}, timeout=10).json()["Results"]["inputs"] == 2


def test_init_failure_stops_the_process_with_exit_code_1():
    result = run_gateway("--scorer", "tests/scorers/init_fails.py", "--port", "5999")
    assert result.returncode == 1
    assert (
        "gateway: cannot start: scorer 'default' (tests/scorers/init_fails.py): init() raised RuntimeError: "
        "model file not found: /nowhere/model.pkl"
    ) in result.stderr
    assert "Traceback" not in result.stderr


def test_import_failure_stops_the_process_with_exit_code_1():
    result = run_gateway("--scorer", "bad=tests/scorers/import_fails.py", "--port", "5999")
    assert result.returncode == 1
    assert "scorer 'bad' (tests/scorers/import_fails.py) could not be imported: ModuleNotFoundError" in result.stderr
    assert "module_that_does_not_exist" in result.stderr


def test_missing_function_stops_the_process():
    result = run_gateway("--scorer", "tests/scorers/raw.py:nope", "--port", "5999")
    assert result.returncode == 1
    assert "has no function 'nope'" in result.stderr


def test_missing_script_stops_the_process():
    result = run_gateway("--scorer", "tests/scorers/absent.py", "--port", "5999")
    assert result.returncode == 1
    assert "absent.py does not exist" in result.stderr


def test_usage_errors_exit_2():
    assert run_gateway().returncode == 2
    missing_dir = run_gateway("--scorer", ECHO, "--model-dir", "/definitely/not/here")
    assert missing_dir.returncode == 2
    assert "no such directory" in missing_dir.stderr
    duplicate = run_gateway("--scorer", ECHO, "--scorer", ECHO)
    assert duplicate.returncode == 2
    assert "several scorers are named default" in duplicate.stderr


def test_help_lists_the_environment_variables():
    result = run_gateway("--help")
    assert result.returncode == 0
    for name in ("GATEWAY_PORT", "AZUREML_ENTRY_SCRIPT", "AZUREML_MODEL_DIR", "--scorer", "--model-dir"):
        assert name in result.stdout


def test_source_directory_is_importable_by_scripts(gateway_process, tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "helpers_for_score.py").write_text("def shout(text):\n    return text.upper() + '!'\n")
    script = tmp_path / "app" / "score.py"
    script.parent.mkdir()
    script.write_text("from helpers_for_score import shout\n\n\ndef run(raw):\n    return shout(raw)\n")
    process = gateway_process("--scorer", str(script), env={"AZUREML_SOURCE_DIRECTORY": str(source)})
    assert requests.post(process.base + "/score", data=b"hi", timeout=10).json() == "HI!"


def test_service_variables_reach_the_swagger_document(gateway_process):
    process = gateway_process(
        "--scorer", ECHO, env={"SERVICE_NAME": "Churn", "SERVICE_VERSION": "3.2", "SERVICE_PATH_PREFIX": "ml"}
    )
    document = requests.get(process.base + "/ml/swagger.json", timeout=10).json()
    assert document["info"] == {"title": "Churn", "description": "API specification for Churn", "version": "3.2"}
    assert "/ml/score" in document["paths"]


def test_scoring_timeout_ms_is_honoured(gateway_process):
    process = gateway_process("--scorer", str(SCORERS / "slow.py"), env={"SCORING_TIMEOUT_MS": "300"})
    response = requests.post(process.base + "/score", json={"Inputs": 1, "GlobalParameters": {"sleep": 2}}, timeout=10)
    assert response.status_code == 504
    assert response.json() == {"message": "scoring timed out after 300 ms"}


def test_aml_cors_origins_is_honoured(gateway_process):
    process = gateway_process("--scorer", ECHO, env={"AML_CORS_ORIGINS": "https://a.example, https://b.example"})
    response = requests.options(
        process.base + "/score",
        headers={"Origin": "https://b.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert response.headers["Access-Control-Allow-Origin"] == "https://b.example"


def test_azmlinfsrv_spellings_serve_as_azure_ml_s_server_takes_them(gateway_process, tmp_path):
    """`azmlinfsrv --entry_script score.py --model_dir models --worker_count 1 --access_control_allow_origins O`,
    as Azure ML's own command line is written, serves unchanged under `python -m gateway`."""
    import requests
    from conftest import SCORERS

    (tmp_path / "models").mkdir()
    process = gateway_process(
        "--entry_script", str(SCORERS / "echo.py"), "--model_dir", str(tmp_path / "models"),
        "--worker_count", "1", "--access_control_allow_origins", "https://app.example",
        env={"AZUREML_LOG_LEVEL": "WARNING"},
    )
    response = requests.post(process.base + "/score", json={"Inputs": "hello"}, headers={"Origin": "https://app.example"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    _, err = process.stop()
    assert "INFO" not in err  # AZUREML_LOG_LEVEL=WARNING: no access lines
