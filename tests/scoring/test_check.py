"""Contract testing (README 'Serving your own scorer' `check`): offline, against a running gateway's published contract, and export."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema
import pytest
from conftest import ROOT, SCORERS

from gateway import Scorer
from gateway.documents.jsonschema import contract_schema
from gateway.scoring.check import FORMATS, check_payload, check_with_schema
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

TARGET = str(SCORERS / "churn_contract.py")
VALID = {"Inputs": {"data": [{"age": 3, "city": "Lisbon"}]}, "GlobalParameters": {"method": "predict"}}
INVALID = {"Inputs": {"data": [{"age": "3", "city": "Lisbon"}, {"age": 4}]}, "GlobalParameters": {"method": "x"}}


@pytest.fixture
def scorer():
    return load_scorer(ScorerTarget("churn", TARGET))


def gateway_check(*args: str, cwd=ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "check", *args], capture_output=True, text=True, timeout=60, cwd=cwd,
        env={**os.environ},
    )


def test_offline_check_matches_what_the_server_would_answer(scorer):
    assert check_payload(scorer, json.dumps(VALID).encode()).valid
    verdict = check_payload(scorer, json.dumps(INVALID).encode())
    assert not verdict.valid
    assert [(p.path, p.error) for p in verdict.problems] == [
        ("Inputs.data[0].age", 'expected integer, got "3"'),
        ("Inputs.data[1].city", "required key 'city' is missing"),
        ("GlobalParameters.method", 'expected one of "predict", "predict_proba", got "x"'),
    ]
    assert verdict.total == 3


def test_offline_check_reports_envelope_errors(scorer):
    verdict = check_payload(scorer, b"[1]")
    assert not verdict.valid and verdict.problems[0].path == "$"


def test_exported_schema_is_draft_2020_12_and_agrees(scorer):
    schema = contract_schema(scorer)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["Inputs"]
    assert schema["$defs"]["Results"]["required"] == ["Results"]
    assert check_with_schema(schema, json.dumps(VALID).encode()).valid
    invalid = check_with_schema(schema, json.dumps(INVALID).encode())
    assert {p.path for p in invalid.problems} == {"Inputs.data[0].age", "Inputs.data[1]", "GlobalParameters.method"}
    for example in schema["examples"]:
        assert check_payload(scorer, json.dumps(example).encode()).valid


def test_cli_check_offline_exit_codes(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(VALID))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(INVALID))
    ok = gateway_check("--scorer", TARGET, str(good))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == f"{good}: valid"
    failed = gateway_check("--scorer", TARGET, str(good), str(bad))
    assert failed.returncode == 1
    assert f"{bad}: invalid, 3 errors" in failed.stdout
    assert '  Inputs.data[0].age: expected integer, got "3"' in failed.stdout
    assert "init()" not in failed.stderr  # init() is never called by check


def test_cli_check_usage_errors_exit_2(tmp_path):
    assert gateway_check("--scorer", TARGET).returncode == 2
    assert gateway_check("--scorer", TARGET, str(tmp_path / "missing.json")).returncode == 2
    assert gateway_check(str(tmp_path)).returncode == 2
    assert gateway_check("--scorer", "no/such/score.py", "x.json").returncode == 2


def test_cli_export_schema():
    result = gateway_check("--scorer", TARGET, "--export-schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["GlobalParameters"]["properties"]["method"]["enum"] == ["predict", "predict_proba"]


def test_cli_check_against_a_running_gateway(gateway_process, tmp_path):
    process = gateway_process("--scorer", f"churn={ROOT / 'tests/scorers/echo.py'}", "--scorer", f"raw={SCORERS / 'raw.py'}")
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"Inputs": [1], "GlobalParameters": {"scale": 2.5}}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"GlobalParameters": {"scale": "big"}}))
    result = gateway_check("--url", process.base, "--name", "churn", str(good), str(bad))
    assert result.returncode == 1, result.stderr
    assert f"{good}: valid" in result.stdout
    assert f"{bad}: invalid, 2 errors" in result.stdout
    assert "GlobalParameters.scale: 'big' is not of type 'number'" in result.stdout
    unknown = gateway_check("--url", process.base, "--name", "nope", str(good))
    assert unknown.returncode == 2
    assert "no scorer named 'nope'" in unknown.stderr


def test_exported_schema_accepts_power_query_naive_datetimes_even_with_format_assertion():
    import jsonschema

    from gateway import Table, contract

    @contract(Inputs={"data": Table({"when": "datetime"})})
    def run(Inputs):
        return Inputs

    schema = contract_schema(Scorer.from_function("default", run))
    cell = schema["properties"]["Inputs"]["properties"]["data"]["items"]["properties"]["when"]
    assert cell["format"] == "date-time" and "pattern" in cell  # generators make datetimes; the pattern asserts
    validator = jsonschema.Draft202012Validator(schema, format_checker=FORMATS)
    assert validator.is_valid({"Inputs": {"data": [{"when": "2024-03-21T10:00:00"}, {"when": "2024-03-21"}]}})
    assert not validator.is_valid({"Inputs": {"data": [{"when": "yesterday"}]}})
